"""Hidden-layer activation functions.

Each activation works in place on a preallocated batch buffer: ``forward``
overwrites the pre-activations ``Z`` with the activations ``A``, and
``backward`` multiplies an incoming gradient by the derivative. Where the
derivative can be expressed exactly through the output ``A``
(``derivative_from_output = True``: identity, logistic, tanh, relu,
leaky_relu, elu, selu, softplus) the engine keeps one buffer per layer and
the dense layer applies the activation itself, through ``forward_biased``
(the bias added in the same call) and ``backward_summed`` (the bias gradient
summed in the same call); gelu and silu need ``Z`` as well, so the engine
keeps a copy of it. Output links (softmax, logistic, exp) belong to the
losses.

The elementwise work stays on NumPy's vectorized ufunc loops: piecewise
functions are built from ``minimum``/``maximum`` and multiplications by
boolean masks rather than ``where=`` or ``np.where``, which run a slow
branchy loop (5 to 20 times slower on random signs), and exponentials are
only ever taken of arguments that cannot overflow. The ReLU, the default and
most used, fuses those calls into one compiled pass each way where numba is
installed (:mod:`sknn._layer_kernels`).
"""

# SPDX-License-Identifier: BSD-3-Clause

import functools
import math

import numpy as np
from scipy.special import expit, ndtr

from sknn import _kernels as kernels
from sknn import _layer_kernels
from sknn._component import Component
from sknn._finite import has_finite_entries


class Activation(Component):
    """Base class of activation functions.

    Subclasses implement ``forward(Z)`` and ``backward(dA, A, Z)``.
    """

    #: ``backward`` needs only ``A``, so ``Z`` may share its buffer.
    derivative_from_output = True

    def forward(self, Z):
        """Apply the activation to ``Z`` in place and return it.

        Parameters
        ----------
        Z : ndarray of shape (n_samples, n_units)
            Pre-activations; overwritten.

        Returns
        -------
        A : ndarray of shape (n_samples, n_units)
            The activations, stored in ``Z``'s memory.
        """
        raise NotImplementedError

    def backward(self, dA, A, Z=None):
        """Multiply ``dA`` in place by the derivative of the activation.

        Parameters
        ----------
        dA : ndarray of shape (n_samples, n_units)
            Gradient of the loss with respect to the activations; overwritten
            with the gradient with respect to the pre-activations.
        A : ndarray of shape (n_samples, n_units)
            The activations returned by ``forward``.
        Z : ndarray of shape (n_samples, n_units), default=None
            The pre-activations, needed only where ``derivative_from_output``
            is False.

        Returns
        -------
        dZ : ndarray of shape (n_samples, n_units)
            ``dA`` scaled by the derivative.
        """
        raise NotImplementedError

    def forward_biased(self, Z, bias):
        """Apply the activation to ``Z + bias``, in place on ``Z``.

        A dense layer's forward pass; activations with a compiled kernel
        make it one pass over ``Z``.

        Parameters
        ----------
        Z : ndarray of shape (n_samples, n_units)
            Pre-activations without the bias; overwritten.
        bias : ndarray of shape (n_units,)
            Added to every row.

        Returns
        -------
        A : ndarray of shape (n_samples, n_units)
            The activations, stored in ``Z``'s memory.
        """
        Z += bias
        return self.forward(Z)

    def forward_biased_checked(self, Z, bias):
        """``forward_biased(Z, bias)``, and whether ``Z`` was finite before.

        A prediction's first dense layer judges its input from its
        pre-activations (see ``sknn.layers.Dense.apply_checked``).
        Activations with a compiled kernel check ``Z`` in their forward
        pass. The parameters are :meth:`forward_biased`'s.

        Returns
        -------
        A : ndarray of shape (n_samples, n_units)
            ``forward_biased``'s result, in ``Z``'s memory.
        finite : bool
            Whether every entry of ``Z`` was finite; may be False for
            finite entries whose row sums overflow.
        """
        finite = has_finite_entries(Z)
        return self.forward_biased(Z, bias), finite

    def backward_summed(self, dA, A, sums):
        """``backward(dA, A)``, and the column sums of its result in ``sums``.

        A dense layer's backward pass, whose bias gradient is those sums; for
        activations with ``derivative_from_output`` only. Activations with a
        compiled kernel make it one pass over ``dA``.

        Parameters
        ----------
        dA : ndarray of shape (n_samples, n_units)
            Gradient with respect to the activations; overwritten with the
            gradient with respect to the pre-activations.
        A : ndarray of shape (n_samples, n_units)
            The activations returned by ``forward``.
        sums : ndarray of shape (n_units,)
            Receives the column sums of the result.

        Returns
        -------
        dZ : ndarray of shape (n_samples, n_units)
            ``dA`` scaled by the derivative.
        """
        dZ = self.backward(dA, A)
        np.add.reduce(dZ, axis=0, out=sums)  # np.sum, without its wrapper
        return dZ

    def __call__(self, Z):
        """Return the activation of a copy of ``Z``."""
        return self.forward(_float_copy(Z))

    def derivative(self, Z):
        """Return the derivative evaluated at ``Z``, elementwise."""
        Z = _float_copy(Z)
        return self.backward(np.ones_like(Z), self(Z), Z)


def _float_copy(Z):
    Z = np.asarray(Z)
    return Z.astype(np.result_type(Z.dtype, np.float32))


class Identity(Activation):
    """Identity ``f(z) = z``: a network of identity layers is a linear model.

    Examples
    --------
    >>> from sknn.activations import Identity
    >>> Identity()([[-1.0, 2.0]])
    array([[-1.,  2.]])
    """

    def forward(self, Z):
        return Z

    def backward(self, dA, A, Z=None):
        return dA


class Logistic(Activation):
    """Logistic sigmoid ``f(z) = 1 / (1 + exp(-z))``, with ``f' = A (1 - A)``.

    Its derivative is at most 1/4, so gradients shrink through deep stacks of
    logistic layers (the vanishing gradient problem).

    Examples
    --------
    >>> from sknn.activations import Logistic
    >>> Logistic()([[0.0]])
    array([[0.5]])
    """

    def forward(self, Z):
        return expit(Z, out=Z)

    def backward(self, dA, A, Z=None):
        dA *= A
        dA *= 1 - A
        return dA


class Tanh(Activation):
    """Hyperbolic tangent ``f(z) = tanh(z)``, with ``f' = 1 - A**2``.

    Examples
    --------
    >>> from sknn.activations import Tanh
    >>> Tanh()([[0.0]])
    array([[0.]])
    """

    def forward(self, Z):
        return np.tanh(Z, out=Z)

    def backward(self, dA, A, Z=None):
        T = np.square(A)
        np.subtract(1, T, out=T)
        dA *= T
        return dA


class ReLU(Activation):
    """Rectified linear unit ``f(z) = max(z, 0)``.

    Fast to train; a unit whose input stays negative stops learning ("dies").

    Examples
    --------
    >>> from sknn.activations import ReLU
    >>> ReLU()([[-1.0, 2.0]])
    array([[0., 2.]])
    """

    def forward(self, Z):
        return np.maximum(Z, 0, out=Z)

    def backward(self, dA, A, Z=None):
        # The derivative is 0 where the output was clipped (A == 0, as
        # scikit-learn has it) and 1 elsewhere. Multiplying by the mask is
        # several times faster than np.copyto(dA, 0, where=A == 0).
        np.multiply(dA, A > 0, out=dA)
        return dA

    def forward_biased(self, Z, bias):
        if self._keeps(ReLU, "forward") and kernels.run(
            _layer_kernels.bias_relu, (Z, bias)
        ):
            return Z
        return super().forward_biased(Z, bias)

    def forward_biased_checked(self, Z, bias):
        if self._keeps(ReLU, "forward", "forward_biased") and kernels.kernels_apply(
            Z, bias
        ):
            return Z, kernels.compiled(_layer_kernels.bias_relu_checked)(Z, bias)
        return super().forward_biased_checked(Z, bias)

    def backward_summed(self, dA, A, sums):
        if self._keeps(ReLU, "backward") and kernels.run(
            _layer_kernels.relu_backward_sum, (dA, A, sums)
        ):
            return dA
        return super().backward_summed(dA, A, sums)


def _positive_part(T, S, value):
    """Set ``T`` to ``value`` where ``S > 0``, keep it where ``S <= 0``; exact.

    Both products are by 0 or 1 and one of the two terms is 0, so no rounding
    occurs, and unlike ``np.copyto(T, value, where=S > 0)`` the work stays on
    the vectorized loops.
    """
    T *= S <= 0
    if value == 1.0:
        T += S > 0
    else:
        T += np.multiply(S > 0, value, dtype=T.dtype)
    return T


@functools.lru_cache
def _exp_safe(dtype):
    """A bound ``c`` such that ``c * exp(c)`` is finite in ``dtype``."""
    return float(np.floor(np.log(np.finfo(dtype).max))) - 8.0


class LeakyReLU(Activation):
    """Leaky rectified linear unit ``f(z) = z if z > 0 else negative_slope * z``.

    The small slope for negative inputs keeps a gradient flowing through units
    whose input stays negative, the usual fix for "dying" ReLU units. The
    derivative is 1 for ``z > 0`` and ``negative_slope`` for ``z <= 0`` (the
    value at 0 is PyTorch's). For ``negative_slope >= 0`` the sign of the
    output is the sign of the input, so the derivative is read from ``A``;
    a negative slope needs ``Z``.

    Parameters
    ----------
    negative_slope : float, default=0.01
        Slope for negative inputs. 0 gives the ReLU, 1 the identity.

    Examples
    --------
    >>> from sknn.activations import LeakyReLU
    >>> LeakyReLU()([[-1.0, 2.0]])
    array([[-0.01,  2.  ]])
    >>> LeakyReLU(negative_slope=0.2).derivative([[-1.0, 2.0]])
    array([[0.2, 1. ]])
    """

    def __init__(self, negative_slope=0.01):
        self.negative_slope = negative_slope

    @property
    def derivative_from_output(self):
        return self.negative_slope >= 0

    def forward(self, Z):
        slope = float(self.negative_slope)
        # max(z, slope * z) for a slope up to 1, min(z, slope * z) above.
        if slope <= 1.0:
            return np.maximum(Z, Z * slope, out=Z)
        return np.minimum(Z, Z * slope, out=Z)

    def backward(self, dA, A, Z=None):
        S = A if self.derivative_from_output else Z
        T = np.multiply(S <= 0, float(self.negative_slope), dtype=dA.dtype)
        T += S > 0
        dA *= T
        return dA


class ELU(Activation):
    """Exponential linear unit ``f(z) = z if z > 0 else alpha * (exp(z) - 1)``.

    Smooth for ``alpha=1``, negative outputs pull the mean activation towards
    zero (Clevert et al., 2016), and units never die as ReLU units can. For
    ``z <= 0`` the derivative ``alpha * exp(z)`` equals ``A + alpha``, and
    ``A <= 0`` exactly where ``z <= 0`` when ``alpha >= 0``, so the derivative
    is read from ``A``. Far in the negative tail this loses relative (not
    absolute) precision: its absolute error is a few ulp of ``alpha``.

    Parameters
    ----------
    alpha : float, default=1.0
        The output tends to ``-alpha`` as ``z -> -inf``. A negative ``alpha``
        is allowed and makes ``backward`` need ``Z``.

    Examples
    --------
    >>> from sknn.activations import ELU
    >>> ELU()([[-30.0, 0.0, 2.0]])
    array([[-1.,  0.,  2.]])
    >>> ELU(alpha=0.5).derivative([[0.0, 2.0]])
    array([[0.5, 1. ]])
    """

    def __init__(self, alpha=1.0):
        self.alpha = alpha

    @property
    def derivative_from_output(self):
        return self.alpha >= 0

    def forward(self, Z):
        # expm1 sees only min(z, 0), so it cannot overflow.
        T = np.minimum(Z, 0)
        np.expm1(T, out=T)
        T *= float(self.alpha)
        np.maximum(Z, 0, out=Z)
        Z += T
        return Z

    def backward(self, dA, A, Z=None):
        alpha = float(self.alpha)
        if self.derivative_from_output:
            S = A
            T = np.minimum(A, 0)
            T += alpha
        else:
            S = Z
            T = np.minimum(Z, 0)
            np.exp(T, out=T)
            T *= alpha
        dA *= _positive_part(T, S, 1.0)
        return dA


class SELU(Activation):
    """Scaled ELU ``f(z) = scale * (z if z > 0 else alpha * (exp(z) - 1))``.

    With ``alpha ~ 1.6733`` and ``scale ~ 1.0507`` (Klambauer et al., 2017,
    the constants PyTorch uses), a stack of SELU layers keeps activations
    near zero mean and unit variance by itself: a *self-normalizing* network.
    That needs standardized inputs, weights initialized with ``lecun_normal``
    and no ordinary dropout. The derivative is ``scale`` for ``z > 0`` and
    ``A + scale * alpha`` for ``z <= 0``, read from ``A`` as for :class:`ELU`.

    Examples
    --------
    >>> from sknn.activations import SELU
    >>> A = SELU()([[-50.0, 0.0, 1.0]])
    >>> A.round(4)
    array([[-1.7581,  0.    ,  1.0507]])
    """

    alpha = 1.6732632423543772848170429916717
    scale = 1.0507009873554804934193349852946

    def forward(self, Z):
        T = np.minimum(Z, 0)
        np.expm1(T, out=T)
        T *= self.alpha * self.scale
        np.maximum(Z, 0, out=Z)
        Z *= self.scale
        Z += T
        return Z

    def backward(self, dA, A, Z=None):
        T = np.minimum(A, 0)
        T += self.alpha * self.scale
        dA *= _positive_part(T, A, self.scale)
        return dA


class Softplus(Activation):
    """Softplus ``f(z) = log(1 + exp(beta * z)) / beta``, a smooth ReLU.

    As in PyTorch, the function is taken as linear, ``f(z) = z``, where
    ``beta * z > threshold`` (the two differ by less than
    ``exp(-threshold) / beta``). The derivative ``sigmoid(beta * z)`` equals
    ``1 - exp(-beta * A)``, which is exact and well conditioned, so it is read
    from ``A``; it is 1 on the linear piece. Computed as
    ``max(z, 0) + log1p(exp(-|beta z|)) / beta``, which never overflows.

    Use it where a strictly positive, smooth output is wanted; it trains more
    slowly than ReLU.

    Parameters
    ----------
    beta : float, default=1.0
        Sharpness, > 0: larger values approach the ReLU.
    threshold : float, default=20.0
        Above ``beta * z = threshold`` the function is the identity.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn.activations import Softplus
    >>> A = Softplus()([[0.0, 30.0]])
    >>> bool(np.isclose(A[0, 0], np.log(2))), A[0, 1]
    (True, np.float64(30.0))
    """

    def __init__(self, beta=1.0, threshold=20.0):
        self.beta = beta
        self.threshold = threshold

    def forward(self, Z):
        beta = float(self.beta)
        T = np.multiply(Z, beta)
        curved = T <= float(self.threshold)
        np.abs(T, out=T)
        np.negative(T, out=T)
        np.exp(T, out=T)
        np.log1p(T, out=T)
        if beta != 1.0:
            T /= beta
        T *= curved
        np.maximum(Z, 0, out=Z)
        Z += T
        return Z

    def backward(self, dA, A, Z=None):
        beta, threshold = float(self.beta), float(self.threshold)
        T = np.multiply(A, -beta)
        # The curved piece ends at z = threshold / beta with the value
        # f(z) = z + log1p(exp(-threshold)) / beta: A above that is linear.
        linear = T < -(threshold + math.log1p(math.exp(-threshold)))
        np.expm1(T, out=T)
        np.negative(T, out=T)
        # The derivative is below 1 on the curved piece: max() sets exactly 1
        # on the linear one.
        np.maximum(T, linear, out=T)
        dA *= T
        return dA


class GELU(Activation):
    """Gaussian error linear unit ``f(z) = z * Phi(z)`` (Hendrycks & Gimpel).

    ``Phi`` is the standard normal CDF, ``0.5 * (1 + erf(z / sqrt(2)))``; the
    derivative is ``Phi(z) + z * phi(z)`` with ``phi`` the normal density.
    ``Phi`` is evaluated by :func:`scipy.special.ndtr`, the erf form computed
    through ``erfc`` in the tails, so it does not cancel for negative ``z``.
    ``approximate="tanh"`` uses
    ``0.5 * z * (1 + tanh(sqrt(2 / pi) * (z + 0.044715 * z**3)))`` instead,
    PyTorch's formulas for both value and derivative; it runs on NumPy's
    vectorized ``tanh`` and is several times faster than the SciPy special
    function of the exact form. Both need ``Z`` in ``backward``.

    The smooth, non-monotonic ReLU of transformer models (BERT, GPT).

    Parameters
    ----------
    approximate : {"none", "tanh"}, default="none"
        Which form to compute, as PyTorch's ``approximate`` argument.

    Examples
    --------
    >>> from sknn.activations import GELU
    >>> GELU()([[-1.0, 0.0, 1.0]]).round(4)
    array([[-0.1587,  0.    ,  0.8413]])
    >>> GELU(approximate="tanh")([[-1.0, 0.0, 1.0]]).round(4)
    array([[-0.1588,  0.    ,  0.8412]])
    """

    derivative_from_output = False

    #: Beyond this |z| the tanh form has saturated (tanh(u) = +-1 from
    #: |u| = 19.1 in float64); clipping there keeps z**3 finite.
    _TANH_CLIP = 10.0
    #: Beyond this |z| the normal density is 0 in float64.
    _PDF_CLIP = 40.0

    def __init__(self, approximate="none"):
        self.approximate = approximate

    def _tanh_form(self):
        if self.approximate == "tanh":
            return True
        if self.approximate == "none":
            return False
        raise ValueError(
            f"GELU's approximate must be 'none' or 'tanh', got {self.approximate!r}."
        )

    def forward(self, Z):
        if not self._tanh_form():
            T = ndtr(Z)
            # Phi is 0 below -_PDF_CLIP: clipping there changes no finite
            # value and gives 0 rather than nan at -inf.
            np.maximum(Z, -self._PDF_CLIP, out=Z)
            Z *= T
            return Z
        T = np.clip(Z, -self._TANH_CLIP, self._TANH_CLIP)
        U = np.square(T)
        U *= _KAPPA
        U += 1
        U *= T
        U *= _SQRT_2_OVER_PI
        np.tanh(U, out=U)
        U += 1
        U *= 0.5
        np.maximum(Z, -self._TANH_CLIP, out=Z)  # as above; U is 0 there
        Z *= U
        return Z

    def backward(self, dA, A, Z=None):
        if not self._tanh_form():
            T = np.clip(Z, -self._PDF_CLIP, self._PDF_CLIP)
            U = np.abs(T)
            # Below eps, Phi(z) = 0.5 + z phi(0) is 0.5 to working precision,
            # and A = z Phi(z) may have lost digits (subnormal z).
            zero = U < np.finfo(T.dtype).eps
            np.square(T, out=U)
            U *= -0.5
            np.exp(U, out=U)
            U *= T
            U *= _INV_SQRT_2PI  # z phi(z)
            # Phi(z) = A / z to within an ulp, which spares a second call of
            # the (slow) SciPy special function. Near 0 the quotient is
            # A / (1 + z), about 0.5 z, and 0.5 is added below; past the clip
            # A / z is >= 1 and Phi is exactly 1, restored by the minimum.
            T += zero
            np.divide(A, T, out=T)
            np.minimum(T, 1, out=T)
            T += U
            np.multiply(zero, 0.5, out=U)
            T += U
            dA *= T
            return dA
        T = np.clip(Z, -self._TANH_CLIP, self._TANH_CLIP)
        W = np.square(T)
        W *= _KAPPA
        W += 1  # 1 + k z**2
        V = np.multiply(W, T)
        V *= _SQRT_2_OVER_PI
        np.tanh(V, out=V)  # t = tanh(u)
        W *= 3
        W -= 2  # 1 + 3 k z**2
        W *= T
        W *= 0.5 * _SQRT_2_OVER_PI
        np.square(V, out=T)
        np.subtract(1, T, out=T)
        W *= T  # 0.5 z (1 - t**2) du/dz
        V += 1
        V *= 0.5
        V += W
        dA *= V
        return dA


_KAPPA = 0.044715
_SQRT_2_OVER_PI = float(np.sqrt(2 / np.pi))
_INV_SQRT_2PI = float(1 / np.sqrt(2 * np.pi))


class SiLU(Activation):
    """Sigmoid linear unit, or swish: ``f(z) = z * sigmoid(z)``.

    Smooth and non-monotonic like GELU, and cheaper; found by the search of
    Ramachandran et al. (2017) to match or beat ReLU in deep networks. The
    derivative ``s * (1 + z * (1 - s))`` with ``s = sigmoid(z)`` needs ``Z``.
    Computed as ``z / (1 + exp(-z))`` on NumPy's vectorized ``exp``, with
    ``z`` clipped from below where the output is already below 1e-33 in
    magnitude (float32; 1e-300 in float64), so ``exp`` cannot overflow.

    Examples
    --------
    >>> from sknn.activations import SiLU
    >>> SiLU()([[-1.0, 0.0, 1.0]]).round(4)
    array([[-0.2689,  0.    ,  0.7311]])
    """

    derivative_from_output = False

    def forward(self, Z):
        np.maximum(Z, -_exp_safe(Z.dtype), out=Z)
        T = np.negative(Z)
        np.exp(T, out=T)
        T += 1
        return np.divide(Z, T, out=Z)

    def backward(self, dA, A, Z=None):
        # With E = exp(-z): s = 1 / (1 + E) and 1 - s = E / (1 + E), so
        # f' = (1 + z E / (1 + E)) / (1 + E), without cancellation.
        # Clipping changes no visible value (f' is 1 or 0 to working
        # precision beyond the bounds) and keeps z * E finite.
        bound = _exp_safe(Z.dtype)
        T = np.clip(Z, -bound, bound)
        E = np.negative(T)
        np.exp(E, out=E)
        T *= E
        E += 1
        T /= E
        T += 1
        T /= E
        dA *= T
        return dA


ACTIVATIONS = {
    "identity": Identity,
    "logistic": Logistic,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "elu": ELU,
    "selu": SELU,
    "softplus": Softplus,
    "gelu": GELU,
    "silu": SiLU,
}
