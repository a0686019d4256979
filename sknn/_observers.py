"""The observers the estimators give the training loops.

The loops (:func:`sknn.engine.fit_stochastic`, :func:`sknn.engine.fit_lbfgs`)
report each epoch to a list of :class:`~sknn.engine.FitObserver`; the ones
here keep the fitted curves and print the verbose lines. The loops know none
of them by name.
"""

# SPDX-License-Identifier: BSD-3-Clause

import math
import sys

import numpy as np

from sknn.engine import FitObserver


def _measured(value):
    return math.nan if value is None else float(value)


class History(FitObserver):
    """Every epoch of every call since the model was built, one row each.

    Each column has one entry per epoch (L-BFGS: per iteration) of every
    call, in order, with NaN where the quantity was not measured that epoch,
    so entry k of every column is epoch k. The estimators expose the columns
    as ``loss_curve_``, ``validation_loss_curve_``, ``learning_rate_curve_``
    and ``epoch_times_``, and all of them as ``history_``
    (:meth:`as_dict`).

    Attributes
    ----------
    loss_curve : list of float
        Training loss.
    validation_loss_curve : list of float
        Validation loss.
    validation_score_curve : list of float
        Validation score.
    learning_rate_curve : list of float
        Learning rate the epoch trained with.
    epoch_times : list of float
        Wall time of the epoch, in seconds.
    best_flags : list of bool
        Whether the monitored quantity was the best so far.
    calls : list of int
        The call (``fit``, ``partial_fit``) the epoch belongs to, from 0.
    n_calls : int
        Calls seen so far.

    Examples
    --------
    >>> from sknn._observers import History
    >>> from sknn.engine import EpochRecord
    >>> history = History()
    >>> history.fit_begin(max_epochs=2, unit="epoch")
    >>> history.epoch_end(EpochRecord(epoch=1, loss=0.5, learning_rate=0.1))
    >>> history.loss_curve, history.validation_loss_curve
    ([0.5], [nan])
    """

    def __init__(self):
        self.loss_curve = []
        self.validation_loss_curve = []
        self.validation_score_curve = []
        self.learning_rate_curve = []
        self.epoch_times = []
        self.best_flags = []
        self.calls = []
        self.n_calls = 0

    @classmethod
    def from_loss_curve(cls, loss_curve):
        """A history holding only training losses, of one earlier call."""
        history = cls()
        history.n_calls = 1 if loss_curve else 0
        for loss in loss_curve:
            history._append(0, float(loss), math.nan, math.nan, math.nan, math.nan)
        return history

    def fit_begin(self, *, max_epochs, unit):
        self.n_calls += 1

    def epoch_end(self, record):
        self._append(
            self.n_calls - 1,
            record.loss,
            _measured(record.val_loss),
            _measured(record.val_score),
            _measured(record.learning_rate),
            record.time,
            record.is_best,
        )

    def _append(self, call, loss, val_loss, val_score, lr, seconds, is_best=False):
        self.calls.append(call)
        self.loss_curve.append(loss)
        self.validation_loss_curve.append(val_loss)
        self.validation_score_curve.append(val_score)
        self.learning_rate_curve.append(lr)
        self.epoch_times.append(seconds)
        self.best_flags.append(bool(is_best))

    def as_dict(self):
        """The columns as NumPy arrays of equal length, keyed by name.

        ``epoch`` counts from 1 across calls, ``call`` from 0; NaN marks a
        quantity not measured that epoch.
        """
        return {
            "epoch": np.arange(1, len(self.loss_curve) + 1),
            "call": np.array(self.calls, dtype=int),
            "loss": np.array(self.loss_curve, dtype=float),
            "val_loss": np.array(self.validation_loss_curve, dtype=float),
            "val_score": np.array(self.validation_score_curve, dtype=float),
            "learning_rate": np.array(self.learning_rate_curve, dtype=float),
            "epoch_time": np.array(self.epoch_times, dtype=float),
            "is_best": np.array(self.best_flags, dtype=bool),
        }


class VerbosePrinter(FitObserver):
    """Print the verbose lines of each epoch.

    Level 1 prints scikit-learn's lines: the loss of every epoch
    (``Iteration N, loss = ...``), its validation score where one was
    measured, and the notices that come with it. Level 2 adds a line with
    the validation loss and score, the learning rate and the epoch's time.

    Parameters
    ----------
    level : int, default=1
        How much to print.

    Examples
    --------
    >>> from sknn._observers import VerbosePrinter
    >>> from sknn.engine import EpochRecord
    >>> VerbosePrinter().epoch_end(EpochRecord(epoch=3, loss=0.25, val_score=0.9))
    Iteration 3, loss = 0.25000000
    Validation score: 0.900000
    >>> VerbosePrinter(level=2).epoch_end(
    ...     EpochRecord(epoch=3, loss=0.25, learning_rate=0.001, time=0.0123)
    ... )
    Iteration 3, loss = 0.25000000
    Epoch 3: validation loss = -, validation score = -, learning rate = 0.001,
    time = 0.0123 s
    """

    def __init__(self, level=1):
        self.level = level

    def epoch_end(self, record):
        if record.diverged:
            print(record.message)
            return
        print(f"Iteration {record.epoch}, loss = {record.loss:.8f}")
        if record.val_score is not None:
            print(f"Validation score: {record.val_score:f}")
        if self.level >= 2:
            print(
                f"Epoch {record.epoch}: "
                f"validation loss = {_format(record.val_loss, '.8f')}, "
                f"validation score = {_format(record.val_score, 'f')}, "
                f"learning rate = {_format(record.learning_rate, '.4g')}, "
                f"time = {record.time:.3g} s"
            )
        if record.message:
            print(record.message)


def _format(value, spec):
    return "-" if value is None else format(value, spec)


class ProgressBar(FitObserver):
    """A tqdm progress bar over a call's epochs, on stderr.

    One bar per call to the training loop, advanced after every epoch (L-BFGS:
    iteration) with the latest training loss and validation score, and
    closed when the call ends, however it ends.

    Parameters
    ----------
    description : str
        The bar's label.

    Raises
    ------
    ImportError
        If tqdm, which sknn's 'progress' extra installs, is missing.

    Examples
    --------
    >>> from sknn._observers import ProgressBar
    >>> from sknn.engine import EpochRecord
    >>> bar = ProgressBar("MLPClassifier")
    >>> bar.fit_begin(max_epochs=2, unit="epoch")
    >>> bar.epoch_end(EpochRecord(epoch=1, loss=0.5))
    >>> bar.fit_end(None)
    """

    def __init__(self, description):
        try:
            from tqdm import tqdm
        except ImportError as exc:
            raise ImportError(
                "progress_bar=True needs tqdm, which sknn's 'progress' extra "
                'installs: pip install "sknn[progress]"'
            ) from exc
        self._tqdm = tqdm
        self.description = description
        self.bar = None

    def fit_begin(self, *, max_epochs, unit):
        self.bar = self._tqdm(
            total=max_epochs, desc=self.description, unit=unit, file=sys.stderr
        )

    def epoch_end(self, record):
        postfix = {"loss": f"{record.loss:.4g}"}
        if record.val_score is not None:
            postfix["val_score"] = f"{record.val_score:.4g}"
        self.bar.set_postfix(postfix, refresh=False)
        self.bar.update()

    def fit_end(self, outcome):
        if self.bar is not None:
            self.bar.close()
            self.bar = None
