"""Learning-rate schedules.

A schedule owns the learning rate: it gives the rate to start from, updates
it after each epoch, and decides what happens when training stops improving
(stop, or lower the rate and go on). The engine owns the loop and asks.
"""

# SPDX-License-Identifier: BSD-3-Clause

from sknn._component import Component


class Schedule(Component):
    """Base class of learning-rate schedules; the base keeps the rate fixed."""

    def initial_rate(self, lr0):
        """Rate of the first epoch, from the estimator's ``learning_rate_init``."""
        return float(lr0)

    def epoch_end(self, lr, *, lr0, t):
        """Rate for the next epoch.

        Parameters
        ----------
        lr : float
            Rate of the epoch that just ended.
        lr0 : float
            The initial rate.
        t : int
            Number of training samples seen so far (scikit-learn's ``t_``).

        Returns
        -------
        lr : float
        """
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
    >>> Constant().epoch_end(0.1, lr0=0.1, t=1000)
    0.1
    """


class InvScaling(Schedule):
    """Decay as ``lr0 / (t + 1) ** power_t``, ``t`` the samples seen so far.

    Parameters
    ----------
    power_t : float, default=0.5
        Exponent of the decay.

    Examples
    --------
    >>> from sknn.schedules import InvScaling
    >>> InvScaling(power_t=0.5).epoch_end(0.1, lr0=0.1, t=99)
    0.01
    """

    def __init__(self, power_t=0.5):
        self.power_t = power_t

    def epoch_end(self, lr, *, lr0, t):
        return float(lr0) / (t + 1) ** self.power_t


class Adaptive(Schedule):
    """Keep the rate until training stalls, then divide it by 5.

    Training stops once the rate has fallen to 1e-6 or below.

    Examples
    --------
    >>> from sknn.schedules import Adaptive
    >>> Adaptive().on_plateau(0.1)[:2]
    (0.02, False)
    """

    def on_plateau(self, lr):
        if lr <= 1e-6:
            return lr, True, "Learning rate too small. Stopping."
        lr /= 5.0
        return lr, False, f"Setting learning rate to {lr:f}"


SCHEDULES = {
    "constant": Constant,
    "invscaling": InvScaling,
    "adaptive": Adaptive,
}

#: Names whose schedule scikit-learn applies to the ``sgd`` solver only.
SGD_ONLY_SCHEDULES = ("invscaling", "adaptive")
