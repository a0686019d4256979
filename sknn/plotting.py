"""Plots of how training went.

:class:`TrainingCurveDisplay` draws the curves an sknn estimator records for
every epoch: training and validation loss, validation score and, on request,
the learning rate. It follows scikit-learn's Display protocol: the
constructor stores the arrays, ``plot`` draws them and keeps the matplotlib
artists as attributes for further styling, and ``from_estimator`` builds the
display from a fitted estimator and plots it. matplotlib is imported only when
something is drawn, so sknn does not need it otherwise.
"""

# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from sknn._base import BaseMLP

__all__ = ["TrainingCurveDisplay"]


def _import_pyplot(caller):
    """``matplotlib.pyplot``, or an ImportError that tells how to get it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            f"{caller} requires matplotlib, which is not installed. Install it "
            'with sknn\'s plot extra: pip install "sknn[plot]"'
        ) from exc
    return plt


def _as_curve(values, name, n_epochs):
    """``values`` as a float array of ``n_epochs`` entries, or None when there
    is nothing to draw: None, or NaN in every epoch."""
    if values is None:
        return None
    curve = np.asarray(values, dtype=float)
    if curve.ndim != 1 or curve.shape[0] != n_epochs:
        raise ValueError(
            f"{name} must be a 1-d array with one entry per epoch, like loss "
            f"({n_epochs} epochs); got shape {curve.shape}."
        )
    if np.isnan(curve).all():
        return None
    return curve


def _line_style(curve, defaults, user_kw):
    """Keyword arguments of ``Axes.plot`` for ``curve``: the user's over ours.

    A measured epoch between two unmeasured ones has no segment to draw, so a
    curve with such an epoch gets markers (a plain line would hide it).
    """
    measured = np.pad(~np.isnan(curve), 1)
    alone = measured[1:-1] & ~measured[:-2] & ~measured[2:]
    style = {**defaults, "marker": "."} if alone.any() else dict(defaults)
    return {**style, **(user_kw or {})}


class TrainingCurveDisplay:
    """Training curves: loss, validation loss and score, learning rate.

    One curve per quantity, one entry per epoch: the training and validation
    loss share the main axes, the validation score has a y-axis of its own
    on the right, the best epoch is marked by a vertical line, and the
    learning rate can go to a panel below. Epochs are numbered from 1.

    Use :meth:`from_estimator` to plot a fitted ``MLPClassifier`` or
    ``MLPRegressor``; the constructor takes the curves themselves (and
    computes nothing), and :meth:`plot` draws them. All parameters are
    stored as attributes.

    Parameters
    ----------
    loss : array-like of shape (n_epochs,)
        Training loss of each epoch.

    val_loss : array-like of shape (n_epochs,), default=None
        Validation loss of each epoch. NaN marks an epoch without a
        measurement and leaves a gap in the curve; None, or NaN throughout,
        draws no curve.

    val_score : array-like of shape (n_epochs,), default=None
        Validation score of each epoch (higher is better), drawn on a second
        y-axis. NaN and None as for ``val_loss``.

    learning_rate : array-like of shape (n_epochs,), default=None
        Learning rate of each epoch, drawn only when ``plot`` is called with
        ``show_learning_rate=True``. NaN and None as for ``val_loss``.

    best_epoch : int, default=None
        0-based index of the best epoch (the one whose weights the estimator
        kept or would keep), marked on the plot as epoch ``best_epoch + 1``;
        None marks nothing.

    estimator_name : str, default=None
        Title of the plot; None gives no title.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes with the training and validation loss, and the legend of every
        curve (move it with ``ax_.get_legend().set_loc(...)``).

    figure_ : matplotlib Figure
        Figure containing the plot.

    line_ : matplotlib Line2D
        Training loss.

    val_loss_line_ : matplotlib Line2D or None
        Validation loss; None without one.

    val_score_line_ : matplotlib Line2D or None
        Validation score, on ``score_ax_``; None without one.

    best_epoch_line_ : matplotlib Line2D or None
        Vertical line at the best epoch; None without one.

    score_ax_ : matplotlib Axes or None
        The right-hand y-axis of the validation score (a twin of ``ax_``);
        None without a validation score.

    lr_ax_ : matplotlib Axes or None
        Panel below ``ax_`` with the learning rate; None unless ``plot`` was
        called with ``show_learning_rate=True``.

    lr_line_ : matplotlib Line2D or None
        Learning rate, on ``lr_ax_``; None without that panel.

    See Also
    --------
    sknn.MLPClassifier : Its ``history_`` holds the curves.
    sklearn.model_selection.LearningCurveDisplay : Score against training-set
        size rather than epochs.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from sknn.plotting import TrainingCurveDisplay
    >>> display = TrainingCurveDisplay(
    ...     loss=[1.2, 0.7, 0.5, 0.4],
    ...     val_loss=[1.1, np.nan, 0.6, 0.65],
    ...     val_score=[0.6, np.nan, 0.81, 0.8],
    ...     best_epoch=2,
    ... ).plot()
    >>> [text.get_text() for text in display.ax_.get_legend().get_texts()]
    ['training loss', 'validation loss', 'validation score', 'best epoch (3)']
    >>> display.val_score_line_.axes is display.score_ax_
    True
    >>> display.lr_ax_ is None
    True
    >>> plt.close(display.figure_)
    """

    def __init__(
        self,
        *,
        loss,
        val_loss=None,
        val_score=None,
        learning_rate=None,
        best_epoch=None,
        estimator_name=None,
    ):
        self.loss = loss
        self.val_loss = val_loss
        self.val_score = val_score
        self.learning_rate = learning_rate
        self.best_epoch = best_epoch
        self.estimator_name = estimator_name

    def plot(
        self,
        ax=None,
        *,
        show_learning_rate=False,
        name=None,
        loss_kw=None,
        val_loss_kw=None,
        val_score_kw=None,
        best_epoch_kw=None,
        learning_rate_kw=None,
    ):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw the losses on (the validation score goes to a twin
            of it); None creates a figure. Cannot be combined with
            ``show_learning_rate=True``.

        show_learning_rate : bool, default=False
            Add a panel below the losses with the learning rate. The two
            panels share the epoch axis, so they are drawn on a figure of
            their own: passing ``ax`` too raises a ValueError (to place the
            rate yourself, plot ``self.learning_rate`` on axes of yours).

        name : str, default=None
            Title of the plot; None uses ``estimator_name``.

        loss_kw, val_loss_kw, val_score_kw, learning_rate_kw : dict, \
default=None
            Keyword arguments of ``Axes.plot`` for each curve, e.g.
            ``{"color": "k"}``; ``"label"`` renames it in the legend.

        best_epoch_kw : dict, default=None
            Keyword arguments of ``Axes.axvline`` for the best-epoch line.

        Returns
        -------
        display : TrainingCurveDisplay
            This display, with the artists stored as attributes.
        """
        plt = _import_pyplot(f"{type(self).__name__}.plot")
        from matplotlib.ticker import MaxNLocator

        # Everything is checked before anything is drawn, so that an error
        # leaves no half-made figure behind.
        loss = np.asarray(self.loss, dtype=float)
        if loss.ndim != 1 or loss.shape[0] == 0:
            raise ValueError(
                "loss must be a non-empty 1-d array with one entry per epoch; got "
                f"shape {loss.shape}."
            )
        n_epochs = loss.shape[0]
        val_loss = _as_curve(self.val_loss, "val_loss", n_epochs)
        val_score = _as_curve(self.val_score, "val_score", n_epochs)
        learning_rate = _as_curve(self.learning_rate, "learning_rate", n_epochs)
        best_epoch = self.best_epoch
        if best_epoch is not None and (
            not isinstance(best_epoch, Integral)
            or isinstance(best_epoch, bool)
            or not 0 <= best_epoch < n_epochs
        ):
            raise ValueError(
                f"best_epoch must be None or a 0-based epoch index in [0, {n_epochs})"
                f"; got {best_epoch!r}."
            )
        if show_learning_rate:
            if ax is not None:
                raise ValueError(
                    "show_learning_rate=True draws the learning rate in a panel "
                    "below the losses, on a figure of its own; pass ax=None, or "
                    "plot display.learning_rate on axes of yours."
                )
            if learning_rate is None:
                raise ValueError(
                    "show_learning_rate=True, but there is no learning rate to "
                    "show: learning_rate is None or NaN in every epoch (lbfgs "
                    "has no learning rate)."
                )

        lr_ax = lr_line = None
        if show_learning_rate:
            _, (ax, lr_ax) = plt.subplots(
                2, 1, sharex=True, height_ratios=(3, 1), layout="constrained"
            )
        elif ax is None:
            _, ax = plt.subplots(layout="constrained")

        epochs = np.arange(1, n_epochs + 1)
        (line,) = ax.plot(
            epochs,
            loss,
            **_line_style(loss, {"color": "C0", "label": "training loss"}, loss_kw),
        )
        val_loss_line = None
        if val_loss is not None:
            defaults = {"color": "C1", "label": "validation loss"}
            (val_loss_line,) = ax.plot(
                epochs, val_loss, **_line_style(val_loss, defaults, val_loss_kw)
            )
        score_ax = val_score_line = None
        if val_score is not None:
            score_ax = ax.twinx()
            # The losses' axes go on top, so that the legend there is not
            # drawn over by the score's line; its background would then hide
            # the score, so it becomes transparent.
            ax.set_zorder(score_ax.get_zorder() + 1)
            ax.patch.set_visible(False)
            defaults = {"color": "C2", "linestyle": "--", "label": "validation score"}
            (val_score_line,) = score_ax.plot(
                epochs, val_score, **_line_style(val_score, defaults, val_score_kw)
            )
            score_ax.set_ylabel("validation score")
        best_epoch_line = None
        if best_epoch is not None:
            best_epoch_line = ax.axvline(
                best_epoch + 1,
                **{
                    "color": "0.4",
                    "linestyle": ":",
                    "label": f"best epoch ({best_epoch + 1})",
                    **(best_epoch_kw or {}),
                },
            )
        if lr_ax is not None:
            # A rate holds for its whole epoch: a step, not a ramp, per epoch.
            defaults = {
                "color": "C3",
                "drawstyle": "steps-mid",
                "label": "learning rate",
            }
            (lr_line,) = lr_ax.plot(
                epochs,
                learning_rate,
                **_line_style(learning_rate, defaults, learning_rate_kw),
            )
            lr_ax.set_ylabel("learning rate")
            measured = learning_rate[np.isfinite(learning_rate)]
            # Decaying schedules span decades; a constant rate reads better
            # on a linear axis.
            if (
                measured.size
                and measured.min() > 0
                and measured.max() > 10 * measured.min()
            ):
                lr_ax.set_yscale("log")

        handles = [
            artist
            for artist in (line, val_loss_line, val_score_line, best_epoch_line)
            if artist is not None
        ]
        # The legend's "best" place ignores the score's twin axes; at the right,
        # halfway up, falling losses and a rising score rarely pass.
        ax.legend(handles=handles, loc="best" if score_ax is None else "center right")
        ax.set_ylabel("loss")
        (ax if lr_ax is None else lr_ax).set_xlabel("epoch")
        # The twin and the lower panel share this axis and so its ticks.
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        name = self.estimator_name if name is None else name
        if name is not None:
            ax.set_title(name)

        self.ax_ = ax
        self.figure_ = ax.figure
        self.line_ = line
        self.val_loss_line_ = val_loss_line
        self.val_score_line_ = val_score_line
        self.best_epoch_line_ = best_epoch_line
        self.score_ax_ = score_ax
        self.lr_ax_ = lr_ax
        self.lr_line_ = lr_line
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        ax=None,
        show_learning_rate=False,
        name=None,
        loss_kw=None,
        val_loss_kw=None,
        val_score_kw=None,
        best_epoch_kw=None,
        learning_rate_kw=None,
    ):
        """Plot the training curves of a fitted estimator.

        The curves come from the estimator's ``history_``, which covers
        every epoch of every ``fit`` and ``partial_fit`` call it records; the
        best epoch is the last one it flags as best so far (``is_best``).

        Parameters
        ----------
        estimator : MLPClassifier, MLPRegressor or Pipeline
            A fitted sknn estimator, or a fitted Pipeline whose last step is
            one.

        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a figure. Cannot be combined with
            ``show_learning_rate=True``.

        show_learning_rate : bool, default=False
            Add a panel below with the learning rate of each epoch.

        name : str, default=None
            Title of the plot; None uses the estimator's class name.

        loss_kw, val_loss_kw, val_score_kw, learning_rate_kw : dict, \
default=None
            Keyword arguments of ``Axes.plot`` for each curve.

        best_epoch_kw : dict, default=None
            Keyword arguments of ``Axes.axvline`` for the best-epoch line.

        Returns
        -------
        display : TrainingCurveDisplay
            The plotted display.

        Raises
        ------
        TypeError
            If ``estimator`` is not an sknn estimator or a Pipeline ending
            in one.
        sklearn.exceptions.NotFittedError
            If it is not fitted.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import matplotlib.pyplot as plt
        >>> from sklearn.datasets import load_digits
        >>> from sknn import MLPClassifier
        >>> from sknn.plotting import TrainingCurveDisplay
        >>> X, y = load_digits(return_X_y=True)
        >>> clf = MLPClassifier((32,), early_stopping=True, random_state=0)
        >>> clf = clf.fit(X / 16, y)
        >>> display = TrainingCurveDisplay.from_estimator(
        ...     clf, show_learning_rate=True)
        >>> best = display.best_epoch
        >>> float(clf.history_["val_score"][best]) == clf.best_validation_score_
        True
        >>> display.best_epoch_line_.get_label() == f"best epoch ({best + 1})"
        True
        >>> display.lr_ax_.get_ylabel()
        'learning rate'
        >>> plt.close(display.figure_)
        """
        caller = f"{cls.__name__}.from_estimator"
        _import_pyplot(caller)
        model = estimator
        while isinstance(model, Pipeline):
            model = model[-1]
        if not isinstance(model, BaseMLP):
            what = repr(model) if isinstance(model, str) else type(model).__name__
            if model is not estimator:
                what = f"a Pipeline whose last step is {what}"
            hint = ""
            if type(model).__module__.startswith("sklearn.neural_network"):
                hint = (
                    " scikit-learn's own MLP records no history_; sknn's "
                    "MLPClassifier and MLPRegressor replace it unchanged."
                )
            raise TypeError(
                f"{caller} takes an sknn MLPClassifier or MLPRegressor, or a "
                f"Pipeline ending in one; got {what}.{hint}"
            )
        check_is_fitted(model)

        history = model.history_
        best = np.flatnonzero(history["is_best"])
        display = cls(
            loss=np.array(history["loss"], dtype=float),
            val_loss=np.array(history["val_loss"], dtype=float),
            val_score=np.array(history["val_score"], dtype=float),
            learning_rate=np.array(history["learning_rate"], dtype=float),
            best_epoch=int(best[-1]) if best.size else None,
            estimator_name=type(model).__name__ if name is None else name,
        )
        return display.plot(
            ax=ax,
            show_learning_rate=show_learning_rate,
            loss_kw=loss_kw,
            val_loss_kw=val_loss_kw,
            val_score_kw=val_score_kw,
            best_epoch_kw=best_epoch_kw,
            learning_rate_kw=learning_rate_kw,
        )
