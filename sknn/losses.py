"""Training losses, each owning the output link of the network.

A loss pairs an output link (softmax, logistic, exp or identity) with its
canonical loss, so the gradient with respect to the raw network output is
``P - Y`` (times the sample weights, over their sum): no Jacobian is ever
formed, and ``value_and_delta`` computes the link, the loss and its gradient
in place on the output buffer (for the log losses and the squared error, in
one compiled pass where numba is installed). Values follow scikit-learn's MLP
exactly, including the clipping of probabilities to ``[eps, 1 - eps]`` in the
log losses.
"""

# SPDX-License-Identifier: BSD-3-Clause

import functools

import numpy as np
from scipy.special import expit, xlogy

from sknn import _kernels as kernels
from sknn import _layer_kernels
from sknn._component import Component, _class_keeps, _declaring_class


class Loss(Component):
    """Base class of losses.

    Attributes
    ----------
    out_activation : str
        Name of the output link, reported as the estimator's
        ``out_activation_``.
    """

    out_activation = None

    #: The kernel of ``sknn._layer_kernels`` that computes
    #: ``value_and_delta`` in one pass: its name and its switches. It runs for
    #: the declaring class and subclasses that keep its ``link``, ``value``
    #: and ``delta``: an override of one of them gets the composed
    #: computation, never a kernel that bypasses it.
    _fused_kernel = None

    def link(self, raw):
        """Turn raw outputs into predictions, in place.

        Parameters
        ----------
        raw : ndarray of shape (n_samples, n_outputs)
            Output of the last dense layer; overwritten.

        Returns
        -------
        P : ndarray of shape (n_samples, n_outputs)
            Predictions, in ``raw``'s memory.
        """
        raise NotImplementedError

    def predict_link(self, raw):
        """``link`` for predictions, in place: it never overflows.

        The same as ``link`` but for links that can overflow, which
        saturate at the dtype's largest value instead (training keeps
        ``link``, whose overflow the divergence checks catch).
        """
        return self.link(raw)

    def value(self, Y, P, sample_weight=None):
        """Weighted mean loss of predictions ``P`` against targets ``Y``.

        Parameters
        ----------
        Y : ndarray of shape (n_samples, n_outputs)
            Encoded targets.
        P : ndarray of shape (n_samples, n_outputs)
            Predictions, as returned by ``link``.
        sample_weight : ndarray of shape (n_samples,), default=None
            Weights of the samples; the mean is taken over their sum.

        Returns
        -------
        loss : float
        """
        raise NotImplementedError

    def delta(self, Y, P):
        """Overwrite predictions ``P`` with ``P - Y``, the unweighted gradient.

        For every loss here this is the derivative of the per-sample loss
        with respect to the raw output, the link included.
        """
        P -= Y
        return P

    def objective_scale(self, n_outputs):
        """Factor between the loss whose gradient is followed and ``value``.

        ``gradient`` is exactly the derivative of
        ``objective_scale(n_outputs) * value``. It is 1 for every loss but the
        squared error, which scikit-learn reports as a mean over outputs but
        differentiates as a sum over them.
        """
        return 1.0

    def check_targets(self, Y):
        """Raise ``ValueError`` for targets outside the loss's domain."""

    def value_and_delta(self, raw, Y, sample_weight=None):
        """The weighted mean loss of ``raw`` and its gradient, in ``raw``.

        ``link``, ``value`` and ``delta`` in one call, the delta scaled by
        each sample's share of the total weight (``1 / n_samples`` without
        weights): the gradient of the mean loss with respect to the raw
        outputs, as training needs both. Losses with a compiled kernel make
        it one pass.

        Parameters
        ----------
        raw : ndarray of shape (n_samples, n_outputs)
            Output of the last dense layer; overwritten with the gradient.
        Y : ndarray of shape (n_samples, n_outputs)
            Encoded targets, in ``raw``'s dtype.
        sample_weight : ndarray of shape (n_samples,), default=None
            Weights of the samples.

        Returns
        -------
        loss : float
        delta : ndarray of shape (n_samples, n_outputs)
            The gradient, in ``raw``'s memory.
        """
        kernel = _fused_kernel_of(type(self))
        if kernel is not None:
            fused = _run_loss_kernel(*kernel, raw, Y, sample_weight)
            if fused is not None:
                return fused
        P = self.link(raw)
        loss = self.value(Y, P, sample_weight)
        delta = self.delta(Y, P)
        if sample_weight is None:
            delta *= 1.0 / delta.shape[0]
        else:
            delta *= (sample_weight / sample_weight.sum())[:, np.newaxis]
        return loss, delta

    def loss(self, Y, raw, sample_weight=None):
        """Loss of raw outputs ``raw`` (not modified) against targets ``Y``."""
        return self.value(Y, self.link(np.array(raw, dtype=float)), sample_weight)

    def gradient(self, Y, raw, sample_weight=None):
        """Gradient of the objective with respect to the raw outputs.

        Parameters
        ----------
        Y : ndarray of shape (n_samples, n_outputs)
            Encoded targets.
        raw : ndarray of shape (n_samples, n_outputs)
            Raw network outputs; not modified.
        sample_weight : ndarray of shape (n_samples,), default=None
            Weights of the samples.

        Returns
        -------
        grad : ndarray of shape (n_samples, n_outputs)
        """
        raw = np.array(raw, dtype=float)
        return self.value_and_delta(raw, np.asarray(Y, dtype=float), sample_weight)[1]


def _log_clipped(P):
    """``log(clip(P, eps, 1 - eps))`` in a new array, as scikit-learn clips."""
    eps = _machine_epsilon(P.dtype)
    out = np.maximum(P, eps)
    np.minimum(out, 1 - eps, out=out)
    return np.log(out, out=out)


@functools.cache
def _machine_epsilon(dtype):
    """``np.finfo(dtype).eps``, which costs a microsecond a batch uncached."""
    return float(np.finfo(dtype).eps)


@functools.cache
def _fused_kernel_of(cls):
    """``(kernel, switches)`` computing ``cls``'s ``value_and_delta``: the
    kernel its declaring class names, while ``cls`` keeps that class's
    ``link``, ``value`` and ``delta``; else None."""
    owner = _declaring_class(cls, "_fused_kernel")
    if owner._fused_kernel is None:
        return None
    if not _class_keeps(cls, owner, ("link", "value", "delta")):
        return None
    name, *switches = owner._fused_kernel
    return getattr(_layer_kernels, name), switches


def _run_loss_kernel(kernel, switches, raw, Y, sample_weight):
    """``(loss, delta)`` from a loss kernel of ``sknn._layer_kernels``, or
    None where the kernels do not apply."""
    dtype = raw.dtype
    if sample_weight is None:
        row_scale = np.empty(0, dtype=dtype)
    else:
        row_scale = (sample_weight / sample_weight.sum()).astype(dtype)
    loss = np.empty(1, dtype=dtype)
    scale, eps = 1.0 / raw.shape[0], _machine_epsilon(dtype)
    if kernels.run(kernel, (raw, Y, row_scale, loss), scale, eps, *switches):
        return float(loss[0]), raw
    return None


def _weighted_total(per_entry, sample_weight):
    """Sum over outputs of the (weighted) mean over samples, on the fast paths.

    Equal to ``np.average(per_entry, weights=sample_weight, axis=0).sum()``
    up to rounding; ``np.average`` costs more than the loss on small batches.
    """
    if sample_weight is None:
        return float(per_entry.sum()) / per_entry.shape[0]
    return float(sample_weight @ per_entry.sum(axis=1)) / float(sample_weight.sum())


class LogLoss(Loss):
    """Categorical cross-entropy with a softmax output, for multiclass targets.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn.losses import LogLoss
    >>> Y = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> round(LogLoss().loss(Y, np.zeros((2, 2))), 6)  # ln(2)
    0.693147
    """

    out_activation = "softmax"
    _fused_kernel = ("softmax_log_loss",)

    def link(self, raw):
        if kernels.run(_layer_kernels.softmax, (raw,)):
            return raw
        raw -= raw.max(axis=1, keepdims=True)
        np.exp(raw, out=raw)
        raw /= raw.sum(axis=1, keepdims=True)
        return raw

    def value(self, Y, P, sample_weight=None):
        # Y * log(P) is xlogy(Y, P): the clipped log is finite, and Y holds
        # class indicators, 0 or 1 (class weights come in as sample weights).
        log_P = _log_clipped(P)
        log_P *= Y
        return -_weighted_total(log_P, sample_weight)


class BinaryLogLoss(Loss):
    """Binary cross-entropy with a logistic output, for binary and multilabel.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn.losses import BinaryLogLoss
    >>> round(BinaryLogLoss().loss(np.array([[1.0]]), np.zeros((1, 1))), 6)
    0.693147
    """

    out_activation = "logistic"
    _fused_kernel = ("elementwise_loss", True)  # logistic

    def link(self, raw):
        return expit(raw, out=raw)

    def value(self, Y, P, sample_weight=None):
        log_P = _log_clipped(P)
        log_not_P = _log_clipped(1 - P)
        log_P *= Y
        log_not_P *= 1 - Y
        log_P += log_not_P
        return -_weighted_total(log_P, sample_weight)


class SquaredError(Loss):
    """Half the squared error with an identity output, for regression.

    Reported as a mean over outputs, as scikit-learn does; see
    ``objective_scale``.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn.losses import SquaredError
    >>> SquaredError().loss(np.array([[1.0]]), np.array([[3.0]]))
    2.0
    """

    out_activation = "identity"
    _fused_kernel = ("elementwise_loss", False)  # identity

    def link(self, raw):
        return raw

    def value(self, Y, P, sample_weight=None):
        sq = (Y - P) ** 2
        return float(0.5 * np.average(sq, weights=sample_weight, axis=0).mean())

    def objective_scale(self, n_outputs):
        return float(n_outputs)


class PoissonLoss(Loss):
    """Half the Poisson deviance with an exponential output, for counts.

    Targets must be non-negative.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn.losses import PoissonLoss
    >>> PoissonLoss().loss(np.array([[1.0]]), np.zeros((1, 1)))
    0.0
    """

    out_activation = "exp"

    def link(self, raw):
        return np.exp(raw, out=raw)

    def predict_link(self, raw):
        """``exp(raw)``, saturating at the dtype's largest finite value.

        >>> import numpy as np
        >>> from sknn.losses import PoissonLoss
        >>> PoissonLoss().predict_link(np.array([[0.0, 1e4]]))
        array([[1.00000000e+000, 1.79769313e+308]])
        """
        with np.errstate(over="ignore"):
            P = np.exp(raw, out=raw)
        return np.minimum(P, np.finfo(P.dtype).max, out=P)

    def value(self, Y, P, sample_weight=None):
        per_sample = xlogy(Y, Y / P) - Y + P
        return float(np.average(per_sample, weights=sample_weight, axis=0).sum())

    def check_targets(self, Y):
        if np.any(Y < 0):
            raise ValueError(
                "The Poisson loss requires non-negative targets; y has negative values."
            )


LOSSES = {
    "squared_error": SquaredError,
    "poisson": PoissonLoss,
    "log_loss": LogLoss,
    "binary_log_loss": BinaryLogLoss,
}

#: Losses a regressor may be given by name.
REGRESSION_LOSSES = ("squared_error", "poisson")
