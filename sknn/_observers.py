"""The observers the estimators give the training loops.

The loops (:func:`sknn.engine.fit_stochastic`, :func:`sknn.engine.fit_lbfgs`)
report each epoch to a list of :class:`~sknn.engine.FitObserver`; the ones
here keep the fitted curves and print the verbose lines. The loops know none
of them by name.
"""

# SPDX-License-Identifier: BSD-3-Clause

import math

from sknn.engine import FitObserver


class History(FitObserver):
    """The curves of a model's epochs, kept from call to call.

    Examples
    --------
    >>> from sknn._observers import History
    >>> from sknn.engine import EpochRecord
    >>> history = History()
    >>> history.epoch_end(EpochRecord(epoch=1, loss=0.5, learning_rate=0.1))
    >>> history.loss_curve, history.learning_rate_curve
    ([0.5], [0.1])
    """

    def __init__(self):
        self.loss_curve = []
        self.validation_loss_curve = None
        self.learning_rate_curve = []

    def epoch_end(self, record):
        self.loss_curve.append(record.loss)
        self.learning_rate_curve.append(record.learning_rate)
        if record.diverged:
            if self.validation_loss_curve is not None:
                self.validation_loss_curve.append(math.nan)
        elif record.val_loss is not None:
            if self.validation_loss_curve is None:
                self.validation_loss_curve = []
            self.validation_loss_curve.append(record.val_loss)


class VerbosePrinter(FitObserver):
    """Print scikit-learn's verbose lines: the loss (and validation score)
    of every epoch, and the notices that come with it.

    Examples
    --------
    >>> from sknn._observers import VerbosePrinter
    >>> from sknn.engine import EpochRecord
    >>> VerbosePrinter().epoch_end(EpochRecord(epoch=3, loss=0.25, val_score=0.9))
    Iteration 3, loss = 0.25000000
    Validation score: 0.900000
    """

    def epoch_end(self, record):
        if record.diverged:
            print(record.message)
            return
        print(f"Iteration {record.epoch}, loss = {record.loss:.8f}")
        if record.val_score is not None:
            print(f"Validation score: {record.val_score:f}")
        if record.message:
            print(record.message)
