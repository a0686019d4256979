"""Learning-rate schedules.

A schedule owns the learning rate. The engine asks it for the first rate
(``start``), for the rate after each epoch (``epoch_end``) and, for schedules
defined in steps (``per_batch = True``), after each batch (``batch_end``); it
also asks what to do when training stops improving (``on_plateau``: stop, or
lower the rate and go on). Counters (epochs, steps) live on the schedule, which
the estimators build fresh for every fit, so ``partial_fit`` calls continue one
schedule.

Epoch-based schedules count the epochs completed, so the ``k``-th epoch
(from 0) trains at ``rate(k)``; step-based ones count optimizer steps the same
way. This is how PyTorch's ``lr_scheduler`` classes count when their
``step()`` is called after each epoch or batch.
"""

# SPDX-License-Identifier: BSD-3-Clause

import math
from numbers import Integral, Real

from sklearn.utils._param_validation import Interval

from sknn._component import (
    BELOW_ONE,
    COUNT,
    NON_NEGATIVE,
    POSITIVE,
    UNIT_INTERVAL,
    Component,
)


class Schedule(Component):
    """Base class of learning-rate schedules; the base keeps the rate fixed.

    Subclasses define ``rate(epoch)`` for closed-form epoch schedules, or
    override the hooks.
    """

    #: Whether the rate changes after every batch rather than every epoch.
    per_batch = False

    def start(self, lr0, *, steps_per_epoch, max_epochs):
        """Reset the counters and return the rate of the first epoch.

        Parameters
        ----------
        lr0 : float
            The estimator's ``learning_rate_init``.
        steps_per_epoch : int
            Batches per epoch.
        max_epochs : int
            The estimator's ``max_iter``.

        Returns
        -------
        lr : float

        Raises
        ------
        ValueError
            If a hyper-parameter is out of its range.
        """
        self._validate_params()
        self.lr0_ = float(lr0)
        self.steps_per_epoch_ = steps_per_epoch
        self.max_epochs_ = max_epochs
        self.epoch_ = 0
        self.step_ = 0
        return self.rate_at_epoch(0)

    def rate_at_epoch(self, epoch):
        """Closed-form rate of epoch ``epoch`` (from 0); constant here."""
        return self.lr0_

    def epoch_end(self, lr, *, t, monitor=None):
        """Rate for the next epoch.

        Parameters
        ----------
        lr : float
            Rate of the epoch that just ended.
        t : int
            Number of training samples seen so far (scikit-learn's ``t_``).
        monitor : float, default=None
            The monitored quantity, lower is better: the training loss, or
            one minus the validation score with early stopping.

        Returns
        -------
        lr : float
        """
        self.epoch_ += 1
        return self.rate_at_epoch(self.epoch_)

    def batch_end(self, lr):
        """Rate for the next batch, for ``per_batch`` schedules."""
        self.step_ += 1
        return lr

    def on_plateau(self, lr):
        """React to ``n_iter_no_change`` epochs without improvement.

        Returns
        -------
        lr : float
            Rate to go on with.
        stop : bool
            Whether training stops.
        message : str
            What happened, for verbose output.
        """
        return lr, True, "Stopping."


class Constant(Schedule):
    """Keep ``learning_rate_init`` throughout.

    Examples
    --------
    >>> from sknn.schedules import Constant
    >>> s = Constant(); s.start(0.1, steps_per_epoch=10, max_epochs=5)
    0.1
    >>> s.epoch_end(0.1, t=1000)
    0.1
    """


class InvScaling(Schedule):
    """Decay as ``lr0 / (t + 1) ** power_t``, ``t`` the samples seen so far.

    scikit-learn's 'invscaling': with ``learning_rate='invscaling'`` it
    applies to the SGD family only ('sgd', 'momentum', 'nesterov'); as an
    instance, to any solver.

    Parameters
    ----------
    power_t : float, default=0.5
        Exponent of the decay.

    Examples
    --------
    >>> from sknn.schedules import InvScaling
    >>> s = InvScaling(power_t=0.5); s.start(0.1, steps_per_epoch=1, max_epochs=5)
    0.1
    >>> s.epoch_end(0.1, t=99)
    0.01
    """

    _parameter_constraints: dict = {
        "power_t": [NON_NEGATIVE],
    }

    def __init__(self, power_t=0.5):
        self.power_t = power_t

    def epoch_end(self, lr, *, t, monitor=None):
        self.epoch_ += 1
        return self.lr0_ / (t + 1) ** self.power_t


class Adaptive(Schedule):
    """Keep the rate until training stalls, then divide it by 5.

    scikit-learn's 'adaptive': training stops once the rate has fallen to
    1e-6 or below.

    Examples
    --------
    >>> from sknn.schedules import Adaptive
    >>> Adaptive().on_plateau(0.1)[:2]
    (0.02, False)
    """

    def epoch_end(self, lr, *, t, monitor=None):
        self.epoch_ += 1
        return lr  # only plateaus change it

    def on_plateau(self, lr):
        if lr <= 1e-6:
            return lr, True, "Learning rate too small. Stopping."
        lr /= 5.0
        return lr, False, f"Setting learning rate to {lr:f}"


class StepDecay(Schedule):
    """Multiply the rate by ``gamma`` every ``step_size`` epochs.

    ``lr0 * gamma ** (epoch // step_size)``: the classic "halve every 5
    epochs" (``step_size=5, gamma=0.5``) or "divide by 10 every 20".

    Parameters
    ----------
    step_size : int, default=10
        Epochs between decays.
    gamma : float, default=0.5
        Factor of each decay.

    Examples
    --------
    >>> from sknn.schedules import StepDecay
    >>> s = StepDecay(step_size=2, gamma=0.5)
    >>> [s.start(1.0, steps_per_epoch=1, max_epochs=6)] + [
    ...     s.epoch_end(None, t=0) for _ in range(4)]
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    _parameter_constraints: dict = {
        "step_size": [COUNT],
        "gamma": [POSITIVE],
    }

    def __init__(self, step_size=10, gamma=0.5):
        self.step_size = step_size
        self.gamma = gamma

    def rate_at_epoch(self, epoch):
        return self.lr0_ * self.gamma ** (epoch // self.step_size)


class ExponentialDecay(Schedule):
    """Decay as ``lr0 * exp(-decay_rate * epoch)``.

    Parameters
    ----------
    decay_rate : float, default=0.1
        The rate ``k`` of the decay, per epoch.

    Examples
    --------
    >>> from sknn.schedules import ExponentialDecay
    >>> s = ExponentialDecay(decay_rate=0.5); s.start(1.0, steps_per_epoch=1,
    ...                                              max_epochs=5)
    1.0
    >>> round(s.epoch_end(None, t=0), 6)  # exp(-0.5)
    0.606531
    """

    _parameter_constraints: dict = {
        "decay_rate": [NON_NEGATIVE],
    }

    def __init__(self, decay_rate=0.1):
        self.decay_rate = decay_rate

    def rate_at_epoch(self, epoch):
        return self.lr0_ * math.exp(-self.decay_rate * epoch)


class InverseTimeDecay(Schedule):
    """Decay as ``lr0 / (1 + decay_rate * epoch)`` (the "1/t" schedule).

    Parameters
    ----------
    decay_rate : float, default=0.1
        The rate ``k`` of the decay, per epoch.

    Examples
    --------
    >>> from sknn.schedules import InverseTimeDecay
    >>> s = InverseTimeDecay(decay_rate=1.0); s.start(1.0, steps_per_epoch=1,
    ...                                              max_epochs=5)
    1.0
    >>> s.epoch_end(None, t=0)
    0.5
    """

    _parameter_constraints: dict = {
        "decay_rate": [NON_NEGATIVE],
    }

    def __init__(self, decay_rate=0.1):
        self.decay_rate = decay_rate

    def rate_at_epoch(self, epoch):
        return self.lr0_ / (1.0 + self.decay_rate * epoch)


class CosineAnnealing(Schedule):
    """Cosine annealing (Loshchilov and Hutter, 2017), optionally restarting.

    Within a period of ``T`` epochs the rate falls from ``lr0`` to ``eta_min``
    along half a cosine. Without restarts, ``T`` is ``T_max`` (default: the
    estimator's ``max_iter``) and the rate stays at ``eta_min`` after it; with
    ``warm_restarts=True`` it jumps back to ``lr0`` after each period, the
    periods growing by ``T_mult``.

    Parameters
    ----------
    T_max : int, default=None
        Length in epochs of the (first) period; None means ``max_iter``.
    eta_min : float, default=0.0
        The lowest rate.
    warm_restarts : bool, default=False
        Restart at ``lr0`` after each period (SGDR).
    T_mult : int, default=1
        Growth factor of the periods between restarts.

    Examples
    --------
    >>> from sknn.schedules import CosineAnnealing
    >>> s = CosineAnnealing(T_max=2); s.start(1.0, steps_per_epoch=1, max_epochs=4)
    1.0
    >>> [round(s.epoch_end(None, t=0), 6) for _ in range(3)]
    [0.5, 0.0, 0.0]
    """

    _parameter_constraints: dict = {
        "T_max": [None, COUNT],
        "eta_min": [NON_NEGATIVE],
        "warm_restarts": ["boolean"],
        # PyTorch's CosineAnnealingWarmRestarts: periods that do not grow
        # would have the restarts never catch up with the epochs.
        "T_mult": [COUNT],
    }

    def __init__(self, T_max=None, eta_min=0.0, warm_restarts=False, T_mult=1):
        self.T_max = T_max
        self.eta_min = eta_min
        self.warm_restarts = warm_restarts
        self.T_mult = T_mult

    def rate_at_epoch(self, epoch):
        period = self.T_max if self.T_max is not None else self.max_epochs_
        if self.warm_restarts:
            while epoch >= period:
                epoch -= period
                period *= self.T_mult
        else:
            epoch = min(epoch, period)
        cosine = (1.0 + math.cos(math.pi * epoch / period)) / 2.0
        return self.eta_min + (self.lr0_ - self.eta_min) * cosine


class _PerBatchSchedule(Schedule):
    """A schedule defined in optimizer steps: ``rate_at_step(step)``."""

    per_batch = True

    def start(self, lr0, *, steps_per_epoch, max_epochs):
        super().start(lr0, steps_per_epoch=steps_per_epoch, max_epochs=max_epochs)
        return self.rate_at_step(0)

    def rate_at_step(self, step):
        raise NotImplementedError

    def epoch_end(self, lr, *, t, monitor=None):
        self.epoch_ += 1
        return lr

    def batch_end(self, lr):
        self.step_ += 1
        return self.rate_at_step(self.step_)


class CyclicLR(_PerBatchSchedule):
    """Triangular cyclical learning rate (Smith, 2017), stepped every batch.

    The rate climbs linearly from ``learning_rate_init`` to ``max_lr`` over
    ``step_size_up`` batches, comes back down over as many, and repeats.

    Parameters
    ----------
    max_lr : float, default=None
        The peak; None means 10 times ``learning_rate_init``.
    step_size_up : int, default=2000
        Batches in each half cycle.

    Examples
    --------
    >>> from sknn.schedules import CyclicLR
    >>> s = CyclicLR(max_lr=3.0, step_size_up=2)
    >>> [s.start(1.0, steps_per_epoch=10, max_epochs=1)] + [
    ...     s.batch_end(None) for _ in range(5)]
    [1.0, 2.0, 3.0, 2.0, 1.0, 2.0]
    """

    _parameter_constraints: dict = {
        "max_lr": [None, POSITIVE],
        "step_size_up": [COUNT],
    }

    def __init__(self, max_lr=None, step_size_up=2000):
        self.max_lr = max_lr
        self.step_size_up = step_size_up

    def rate_at_step(self, step):
        max_lr = 10.0 * self.lr0_ if self.max_lr is None else self.max_lr
        cycle = math.floor(1 + step / (2 * self.step_size_up))
        x = abs(step / self.step_size_up - 2 * cycle + 1)
        return self.lr0_ + (max_lr - self.lr0_) * max(0.0, 1.0 - x)


class OneCycle(_PerBatchSchedule):
    """The one-cycle policy (Smith and Topin, 2019), stepped every batch.

    Over the whole run (``max_iter`` epochs), the rate rises along a cosine
    from ``max_lr / div_factor`` to ``max_lr`` during the first ``pct_start``
    of the steps, then falls along a cosine to
    ``max_lr / (div_factor * final_div_factor)``, as PyTorch's ``OneCycleLR``
    (without its momentum cycling). Past the planned steps the rate stays at
    its final value.

    Parameters
    ----------
    max_lr : float, default=None
        The peak; None means ``learning_rate_init``.
    pct_start : float, default=0.3
        Share of the steps spent rising.
    div_factor : float, default=25.0
        The initial rate is ``max_lr / div_factor``.
    final_div_factor : float, default=1e4
        The final rate is the initial one divided by this.

    Examples
    --------
    >>> from sknn.schedules import OneCycle
    >>> s = OneCycle(pct_start=0.4, div_factor=10.0, final_div_factor=10.0)
    >>> lrs = [s.start(1.0, steps_per_epoch=5, max_epochs=1)] + [
    ...     s.batch_end(None) for _ in range(4)]
    >>> [round(lr, 4) for lr in lrs]
    [0.1, 1.0, 0.7525, 0.2575, 0.01]
    """

    _parameter_constraints: dict = {
        "max_lr": [None, POSITIVE],
        "pct_start": [UNIT_INTERVAL],
        "div_factor": [POSITIVE],
        "final_div_factor": [POSITIVE],
    }

    def __init__(
        self, max_lr=None, pct_start=0.3, div_factor=25.0, final_div_factor=1e4
    ):
        self.max_lr = max_lr
        self.pct_start = pct_start
        self.div_factor = div_factor
        self.final_div_factor = final_div_factor

    def rate_at_step(self, step):
        peak = self.lr0_ if self.max_lr is None else self.max_lr
        initial = peak / self.div_factor
        final = initial / self.final_div_factor
        total = self.steps_per_epoch_ * self.max_epochs_
        step = min(step, total - 1)
        # The rise ends at max_lr on step end_up, as PyTorch's phases do.
        end_up = float(self.pct_start * total) - 1
        if step <= end_up:
            # A one-step rise (pct_start * total == 1, where PyTorch divides
            # by zero) is that end: it starts at the peak.
            pct = step / end_up if end_up > 0 else 1.0
            start_rate, end_rate = initial, peak
        else:
            start_rate, end_rate = peak, final
            pct = (step - end_up) / (total - 1 - end_up)
        return end_rate + (start_rate - end_rate) / 2.0 * (math.cos(math.pi * pct) + 1)


class ReduceOnPlateau(Schedule):
    """Multiply the rate by ``factor`` when the monitored value stalls.

    The monitored value is the training loss, or one minus the validation
    score with early stopping. After more than ``patience`` epochs without a
    relative improvement of ``threshold``, the rate is multiplied by
    ``factor``, never below ``min_lr``, as PyTorch's ``ReduceLROnPlateau``
    does in its default 'min'/'rel' mode. The estimator's own
    ``n_iter_no_change`` still stops training; give it more patience than
    this schedule.

    Parameters
    ----------
    factor : float, default=0.1
        Multiplier of each reduction.
    patience : int, default=10
        Epochs without improvement tolerated.
    min_lr : float, default=0.0
        Floor of the rate.
    threshold : float, default=1e-4
        Relative improvement that counts.

    Examples
    --------
    >>> from sknn.schedules import ReduceOnPlateau
    >>> s = ReduceOnPlateau(factor=0.5, patience=1)
    >>> lr = s.start(1.0, steps_per_epoch=1, max_epochs=9)
    >>> [lr := s.epoch_end(lr, t=0, monitor=m) for m in [1.0, 1.0, 1.0, 0.5]]
    [1.0, 1.0, 0.5, 0.5]
    """

    _parameter_constraints: dict = {
        "factor": [BELOW_ONE],
        "patience": [Interval(Integral, 0, None, closed="left")],
        "min_lr": [NON_NEGATIVE],
        "threshold": [NON_NEGATIVE],
    }

    def __init__(self, factor=0.1, patience=10, min_lr=0.0, threshold=1e-4):
        self.factor = factor
        self.patience = patience
        self.min_lr = min_lr
        self.threshold = threshold

    def start(self, lr0, *, steps_per_epoch, max_epochs):
        self.best_ = math.inf
        self.bad_epochs_ = 0
        return super().start(
            lr0, steps_per_epoch=steps_per_epoch, max_epochs=max_epochs
        )

    def epoch_end(self, lr, *, t, monitor=None):
        self.epoch_ += 1
        if monitor is None or not math.isfinite(monitor):
            return lr
        if monitor < self.best_ * (1.0 - self.threshold):
            self.best_ = monitor
            self.bad_epochs_ = 0
        else:
            self.bad_epochs_ += 1
        if self.bad_epochs_ > self.patience:
            self.bad_epochs_ = 0
            reduced = max(lr * self.factor, self.min_lr)
            if lr - reduced > 1e-8:
                return reduced
        return lr


class LinearWarmup(Schedule):
    """Linear warm-up in front of any schedule.

    During the first ``warmup_epochs`` epochs the wrapped schedule's rate is
    scaled by a factor growing linearly from ``start_factor`` to 1 (PyTorch's
    ``LinearLR`` chained with the schedule); afterwards the wrapped schedule
    runs unchanged.

    Parameters
    ----------
    schedule : Schedule, default=None
        The schedule warmed up; None means ``Constant()``.
    warmup_epochs : int, default=5
        Length of the warm-up.
    start_factor : float, default=0.1
        Scale of the first epoch's rate.

    Examples
    --------
    >>> from sknn.schedules import CosineAnnealing, LinearWarmup
    >>> s = LinearWarmup(warmup_epochs=2, start_factor=0.5)
    >>> [s.start(1.0, steps_per_epoch=1, max_epochs=4)] + [
    ...     s.epoch_end(None, t=0) for _ in range(2)]
    [0.5, 0.75, 1.0]
    >>> LinearWarmup(CosineAnnealing(T_max=10)).get_params()["schedule__T_max"]
    10
    """

    _parameter_constraints: dict = {
        "schedule": [None, Schedule],
        "warmup_epochs": [Interval(Integral, 0, None, closed="left")],
        "start_factor": [Interval(Real, 0, 1, closed="right")],
    }

    def __init__(self, schedule=None, warmup_epochs=5, start_factor=0.1):
        self.schedule = schedule
        self.warmup_epochs = warmup_epochs
        self.start_factor = start_factor

    @property
    def per_batch(self):
        return self._inner().per_batch

    def _inner(self):
        if getattr(self, "inner_", None) is None:
            self.inner_ = Constant() if self.schedule is None else self.schedule.fresh()
        return self.inner_

    def _factor(self):
        if self.epoch_ >= self.warmup_epochs:
            return 1.0
        progress = self.epoch_ / self.warmup_epochs
        return self.start_factor + (1.0 - self.start_factor) * progress

    def start(self, lr0, *, steps_per_epoch, max_epochs):
        self._validate_params()
        self.inner_ = None
        self.epoch_ = 0
        self.inner_lr_ = self._inner().start(
            lr0, steps_per_epoch=steps_per_epoch, max_epochs=max_epochs
        )
        return self.inner_lr_ * self._factor()

    def epoch_end(self, lr, *, t, monitor=None):
        self.epoch_ += 1
        self.inner_lr_ = self.inner_.epoch_end(self.inner_lr_, t=t, monitor=monitor)
        return self.inner_lr_ * self._factor()

    def batch_end(self, lr):
        self.inner_lr_ = self.inner_.batch_end(self.inner_lr_)
        return self.inner_lr_ * self._factor()

    def on_plateau(self, lr):
        inner_lr, stop, message = self.inner_.on_plateau(self.inner_lr_)
        self.inner_lr_ = inner_lr
        return inner_lr * self._factor(), stop, message


SCHEDULES = {
    "constant": Constant,
    "invscaling": InvScaling,
    "adaptive": Adaptive,
    "step": StepDecay,
    "exponential": ExponentialDecay,
    "inverse_time": InverseTimeDecay,
    "cosine": CosineAnnealing,
    "cyclic": CyclicLR,
    "one_cycle": OneCycle,
    "plateau": ReduceOnPlateau,
    "warmup": LinearWarmup,
}

#: Names whose schedule scikit-learn applies to the ``sgd`` solver only.
SGD_ONLY_SCHEDULES = ("invscaling", "adaptive")
