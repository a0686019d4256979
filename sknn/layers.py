"""Layers: the pieces a network is a sequence of.

A layer declares its parameters as ``(name, region, shape)`` (``params_spec``)
and its non-trained state, such as batch normalization's running statistics,
the same way (``stats_spec``); the network packs each kind into one flat
vector and hands the layer views into it (``bind``). Training runs
``forward``/``backward`` on preallocated buffers of at most ``capacity`` rows
(a smaller batch uses the leading rows, which stay contiguous); ``apply`` is
the inference path, which allocates its output and handles any number of
rows.

``forward`` receives the fit's random stream (``rng``, for dropout and noise)
and the batch's sample weights (for batch statistics); ``training`` is always
an argument, never a global flag.
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import scipy.sparse as sp

from sknn import _kernels as kernels
from sknn import _layer_kernels
from sknn._finite import has_finite_entries

_UNPICKLED = (
    "_out",
    "_dX",
    "_X",
    "_A",
    "_Z",
    "_Zbatch",
    "_mask",
    "_xhat",
    "_inv_std",
    "_w",
    "_fixed",
)


def _matmul(A, B, out):
    """``np.matmul(A, B, out=out)`` for dense 2-d arrays.

    An inner dimension of 1 makes the product an outer product: a single
    output unit's input gradient (regression on one target, binary
    classification), one input feature, a batch of one row. BLAS runs it as
    a general product, 2-4 times slower than NumPy's broadcast multiply,
    which is itself 4-7 times slower than a compiled loop (its broadcast
    operand has no vectorized path): 200x1 by 1x100 took 50 us with BLAS,
    18-26 with the multiply and 3.5 with the kernel (float64). All three
    compute the same single product per entry, so the same bits.
    """
    if A.shape[1] == 1:
        if out is not None and kernels.run(_layer_kernels.outer, (A, B, out)):
            return out
        return np.multiply(A, B, out=out)
    return np.matmul(A, B, out=out)


class Layer:
    """Base class of layers; the base has no parameters and passes through."""

    def build(self, n_in):
        """Fix the input width and return the output width."""
        self.n_in = n_in
        return n_in

    def params_spec(self):
        """Trained parameters as ``[(name, region, shape)]``.

        Regions group parameters across layers in the flat vector:
        ``"weights"`` (decayed and penalized), then ``"biases"``, then
        ``"norm"`` (normalization scales and shifts).
        """
        return []

    def stats_spec(self):
        """Non-trained state as ``[(name, shape)]``, kept with the parameters."""
        return []

    def bind(self, views):
        """Receive views into the flat vectors: ``{name: array}``.

        Parameters come with their gradient as ``"d" + name``.
        """
        for name, view in views.items():
            setattr(self, name, view)

    def reset(self):
        """Set the parameters that are not drawn at random (scales, shifts)."""

    def reserve(self, capacity, dtype):
        """Allocate the training buffers for batches of up to ``capacity`` rows."""

    def release(self):
        """Drop the training buffers and the references kept for ``backward``."""
        for name in _UNPICKLED:
            self.__dict__.pop(name, None)

    def __getstate__(self):
        # Views into the flat vectors are rebound by the network after
        # unpickling; buffers are rebuilt when training resumes.
        views = {name for name, *_ in self.params_spec() + self.stats_spec()}
        views |= {"d" + name for name, *_ in self.params_spec()}
        drop = views.union(_UNPICKLED)
        return {k: v for k, v in self.__dict__.items() if k not in drop}

    def forward(self, X, *, training, rng=None, sample_weight=None):
        """Training forward pass on the layer's buffers."""
        return X

    def backward(self, dY, *, need_input_grad=True):
        """Gradient with respect to the input; parameter gradients in place."""
        return dY

    def apply(self, X):
        """Inference: a new output array for any number of rows."""
        return X

    def apply_checked(self, X):
        """``apply(X)``, and whether every entry of ``X`` is finite.

        A prediction's input check, made by the first layer that computes
        (see ``sknn.engine.Network.raw_output``). This base checks ``X``
        itself; a dense layer judges it from its product, for less.

        Returns
        -------
        A : ndarray of shape (n_samples, n_out)
            The output.
        finite : bool
            Whether ``X`` has only finite entries. False may also mean
            finite entries whose sums overflow, which the caller's full
            check tells apart.
        """
        return self.apply(X), has_finite_entries(X)


class Dense(Layer):
    """Affine map ``Z = X @ W + b``, optionally followed by an activation.

    With an activation the layer outputs ``f(X @ W + b)``: the bias add and
    the activation share one call, and so do the activation's derivative and
    the bias gradient, which activations with a compiled kernel (the ReLU)
    turn into one pass each. A separate :class:`ActivationLayer` gives the
    same results.

    Parameters
    ----------
    n_units : int
        Output width.
    activation : sknn.activations.Activation, default=None
        Applied to the affine map; it must compute its derivative from its
        output (``derivative_from_output``). None outputs ``X @ W + b``.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn.activations import ReLU
    >>> from sknn.layers import Dense
    >>> layer = Dense(2); layer.build(3)
    2
    >>> layer.bind({"W": np.ones((3, 2)), "b": np.zeros(2)})
    >>> layer.apply(np.ones((1, 3)))
    array([[3., 3.]])
    >>> relu_layer = Dense(2, activation=ReLU()); _ = relu_layer.build(3)
    >>> relu_layer.bind({"W": -np.ones((3, 2)), "b": np.array([0.0, 4.0])})
    >>> relu_layer.apply(np.ones((1, 3)))
    array([[0., 1.]])
    """

    #: Whether ``backward`` is asked for the gradient of the input; the
    #: network turns it off for its first dense layer.
    input_grad = True

    def __init__(self, n_units, activation=None):
        if activation is not None and not activation.derivative_from_output:
            raise ValueError(
                f"Dense cannot apply {type(activation).__name__}, whose derivative "
                "needs its input; add an ActivationLayer after the Dense layer."
            )
        self.n_units = n_units
        self.activation = activation

    def build(self, n_in):
        self.n_in = n_in
        return self.n_units

    def params_spec(self):
        return [
            ("W", "weights", (self.n_in, self.n_units)),
            ("b", "biases", (self.n_units,)),
        ]

    def reserve(self, capacity, dtype):
        self._out = np.empty((capacity, self.n_units), dtype=dtype)
        if self.input_grad:
            self._dX = np.empty((capacity, self.n_in), dtype=dtype)

    def forward(self, X, *, training, rng=None, sample_weight=None):
        self._X = X
        out = self._out[: X.shape[0]]
        if sp.issparse(X):
            out[...] = X @ self.W
        else:
            _matmul(X, self.W, out)
        if self.activation is None:
            out += self.b
            return out
        self._A = self.activation.forward_biased(out, self.b)
        return self._A

    def backward(self, dY, *, need_input_grad=True):
        if self.activation is None:
            dZ = dY
            np.add.reduce(dZ, axis=0, out=self.db)  # np.sum, without its wrapper
        else:
            dZ = self.activation.backward_summed(dY, self._A, self.db)
        X = self._X
        if sp.issparse(X):
            self.dW[...] = X.T @ dZ
        else:
            _matmul(X.T, dZ, self.dW)
        if not need_input_grad:
            return None
        dX = self._dX[: dZ.shape[0]]
        _matmul(dZ, self.W.T, dX)
        return dX

    def apply(self, X):
        if sp.issparse(X):
            Z = X @ self.W
            if sp.issparse(Z):  # a sparse X times a dense W can stay sparse
                Z = Z.toarray()
        else:
            Z = _matmul(X, self.W, None)
        if self.activation is None:
            Z += self.b
            return Z
        return self.activation.forward_biased(Z, self.b)

    def apply_checked(self, X):
        # A NaN or an infinity in a row of X makes every entry of that row
        # of X @ W NaN or infinite, whatever the weights (inf * 0 is NaN):
        # checking the product, in the ReLU's pass where it has a kernel,
        # costs a fraction of checking X, which has more columns, and is
        # read by the product anyway. NumPy's warnings of the non-finite
        # products are left to the caller's full check, which warns or
        # raises as it would for X.
        if sp.issparse(X):
            return super().apply_checked(X)
        with np.errstate(over="ignore", invalid="ignore"):
            Z = _matmul(X, self.W, None)
        if self.activation is None:
            finite = has_finite_entries(Z)
            Z += self.b
            return Z, finite
        return self.activation.forward_biased_checked(Z, self.b)

    def constrain_norm(self, max_norm):
        """Rescale each unit's incoming weights to a norm of at most ``max_norm``."""
        norms = np.sqrt(np.einsum("ij,ij->j", self.W, self.W))
        too_long = norms > max_norm
        if too_long.any():
            self.W[:, too_long] *= max_norm / norms[too_long]


class ActivationLayer(Layer):
    """Elementwise activation, applied in place on its input buffer.

    Parameters
    ----------
    activation : sknn.activations.Activation
        The function applied.
    """

    def __init__(self, activation):
        self.activation = activation

    def reserve(self, capacity, dtype):
        if not self.activation.derivative_from_output:
            self._Z = np.empty((capacity, self.n_in), dtype=dtype)

    def forward(self, X, *, training, rng=None, sample_weight=None):
        Z = None
        if not self.activation.derivative_from_output:
            Z = self._Z[: X.shape[0]]
            np.copyto(Z, X)
        self._Zbatch = Z
        self._A = self.activation.forward(X)
        return self._A

    def backward(self, dY, *, need_input_grad=True):
        return self.activation.backward(dY, self._A, self._Zbatch)

    def apply(self, X):
        return self.activation.forward(X)


class Dropout(Layer):
    """Inverted dropout: zero each unit with probability ``rate`` in training.

    Kept units are scaled by ``1 / (1 - rate)`` so the expected activation is
    unchanged and inference needs no rescaling: at predict time the layer is
    the identity. Masks come from the fit's random stream. On a sparse input
    only the stored values are dropped (zeros stay zero either way).

    Parameters
    ----------
    rate : float
        Probability of dropping a unit, in [0, 1).

    Examples
    --------
    >>> import numpy as np
    >>> from sknn.layers import Dropout
    >>> layer = Dropout(0.5); _ = layer.build(4)
    >>> layer.reserve(2, np.float64)
    >>> out = layer.forward(np.ones((2, 4)), training=True,
    ...                     rng=np.random.RandomState(0))
    >>> np.unique(out).tolist()
    [0.0, 2.0]
    >>> layer.apply(np.ones((1, 4)))
    array([[1., 1., 1., 1.]])
    """

    def __init__(self, rate):
        self.rate = rate

    def reserve(self, capacity, dtype):
        self._mask = np.empty((capacity, self.n_in), dtype=dtype)
        self._out = np.empty((capacity, self.n_in), dtype=dtype)

    def forward(self, X, *, training, rng=None, sample_weight=None):
        if not training or self.rate == 0:
            self._mask_used = False
            return X
        self._mask_used = True
        keep_scale = 1.0 / (1.0 - self.rate)
        if sp.issparse(X):
            X = X.copy()
            X.data *= (rng.random_sample(X.nnz) >= self.rate) * keep_scale
            self._mask_used = False  # the input layer needs no input gradient
            return X
        n = X.shape[0]
        mask = self._mask[:n]
        np.greater_equal(
            rng.random_sample(X.shape), self.rate, out=mask, casting="unsafe"
        )
        mask *= keep_scale
        return np.multiply(X, mask, out=self._out[:n])

    def backward(self, dY, *, need_input_grad=True):
        if self._mask_used:
            dY *= self._mask[: dY.shape[0]]
        return dY


class GaussianNoise(Layer):
    """Add Gaussian noise of standard deviation ``std`` to the input in training.

    A simple augmentation for tabular inputs; the identity at predict time.
    A sparse input becomes dense (the noise is everywhere).

    Parameters
    ----------
    std : float
        Standard deviation of the noise.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn.layers import GaussianNoise
    >>> layer = GaussianNoise(0.1); _ = layer.build(3); layer.reserve(2, np.float64)
    >>> X = np.zeros((2, 3))
    >>> bool(np.all(layer.forward(X, training=True, rng=np.random.RandomState(0))
    ...             != 0))
    True
    >>> layer.apply(X) is X
    True
    """

    def __init__(self, std):
        self.std = std

    def reserve(self, capacity, dtype):
        self._out = np.empty((capacity, self.n_in), dtype=dtype)

    def forward(self, X, *, training, rng=None, sample_weight=None):
        if not training or self.std == 0:
            return X
        out = self._out[: X.shape[0]]
        out[...] = rng.standard_normal(X.shape)
        out *= self.std
        out += X.toarray() if sp.issparse(X) else X
        return out


class _Normalization(Layer):
    """Shared parts of batch and layer normalization: scale, shift, buffers."""

    def params_spec(self):
        return [("gamma", "norm", (self.n_in,)), ("beta", "norm", (self.n_in,))]

    def reset(self):
        self.gamma[...] = 1.0
        self.beta[...] = 0.0

    def reserve(self, capacity, dtype):
        self._xhat = np.empty((capacity, self.n_in), dtype=dtype)
        self._out = np.empty((capacity, self.n_in), dtype=dtype)
        self._dX = np.empty((capacity, self.n_in), dtype=dtype)

    def _scale_shift(self, xhat, out):
        np.multiply(xhat, self.gamma, out=out)
        out += self.beta
        return out

    def _backward_affine(self, dY):
        """Parameter gradients, and ``dY * gamma`` (the gradient of x-hat)."""
        xhat = self._xhat[: dY.shape[0]]
        np.sum(dY, axis=0, out=self.dbeta)
        np.einsum("ij,ij->j", dY, xhat, out=self.dgamma)
        dxhat = np.multiply(dY, self.gamma, out=self._dX[: dY.shape[0]])
        return xhat, dxhat


class BatchNorm(_Normalization):
    """Batch normalization (Ioffe and Szegedy, 2015), between dense and activation.

    In training each unit is standardized with the mean and variance of the
    batch (weighted by the sample weights), then scaled by ``gamma`` and
    shifted by ``beta``, both learned (and never weight-decayed). Running
    averages of the batch statistics, ``running = (1 - momentum) * running +
    momentum * batch``, standardize at predict time. The running variance is
    unbiased: PyTorch's ``n / (n - 1)`` without sample weights and, with
    weights ``w`` (``V1 = sum(w)``, ``V2 = sum(w**2)``), the smaller of the
    repetition count's ``V1 / (V1 - 1)`` (integer weights as repeated rows, as
    scikit-learn counts them) and the reliability weights' ``V1**2 / (V1**2 -
    V2)``, which does not change when all the weights are rescaled and stays
    bounded for weights of a small total.

    A batch of effective size at most one (a single row, or a single row of
    nonzero weight) has no variance to estimate: it leaves the running
    statistics alone and is standardized with them instead, an affine map
    that ``backward`` differentiates as such. (PyTorch raises there; a
    trailing one-row batch, ``n_samples % batch_size == 1``, is not the
    user's choice.)

    Parameters
    ----------
    momentum : float, default=0.1
        Weight of each batch in the running statistics.
    epsilon : float, default=1e-5
        Added to the variance.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn.layers import BatchNorm
    >>> layer = BatchNorm(); _ = layer.build(2)
    >>> layer.bind({"gamma": np.ones(2), "beta": np.zeros(2),
    ...             "running_mean": np.zeros(2), "running_var": np.ones(2)})
    >>> layer.reserve(4, np.float64)
    >>> out = layer.forward(np.arange(8.0).reshape(4, 2), training=True)
    >>> out.mean(axis=0).round(6), out.std(axis=0).round(3)
    (array([0., 0.]), array([1., 1.]))
    """

    def __init__(self, momentum=0.1, epsilon=1e-5):
        self.momentum = momentum
        self.epsilon = epsilon

    def stats_spec(self):
        return [("running_mean", (self.n_in,)), ("running_var", (self.n_in,))]

    def reset(self):
        super().reset()
        self.running_mean[...] = 0.0
        self.running_var[...] = 1.0

    def forward(self, X, *, training, rng=None, sample_weight=None):
        if not training:
            return self.apply(X)
        n = X.shape[0]
        if sample_weight is None:
            correction = n / (n - 1) if n > 1 else None
        elif np.count_nonzero(sample_weight) < 2:
            correction = None
        else:
            # scikit-learn's weights are repetitions: V1 / (V1 - 1), which
            # weights of a small total (V1 near 1, or below) make huge or
            # negative. Reliability weights' V1**2 / (V1**2 - V2) ignores
            # the weights' scale. The smaller of the two is the first for
            # integer weights (V2 >= V1), the second for weights below one.
            sw = np.asarray(sample_weight, dtype=np.float64)
            v1 = float(sw.sum())
            spread = v1 * v1 - float(np.dot(sw, sw))
            correction = v1 * v1 / spread if spread > 0 else None
            if correction is not None and v1 > 1:
                correction = min(correction, v1 / (v1 - 1))
        self._fixed = correction is None
        if self._fixed:
            # No batch variance to estimate: standardize with the running
            # statistics, left untouched (zero would collapse them).
            self._w = None
            self._inv_std = 1.0 / np.sqrt(self.running_var + self.epsilon)
            xhat = np.subtract(X, self.running_mean, out=self._xhat[:n])
            xhat *= self._inv_std
            return self._scale_shift(xhat, self._out[:n])
        if sample_weight is None:
            self._w = None
            mean = X.mean(axis=0)
        else:
            self._w = (sample_weight / sample_weight.sum()).astype(X.dtype)
            mean = self._w @ X
        xhat = np.subtract(X, mean, out=self._xhat[:n])
        squares = np.square(xhat, out=self._out[:n])
        var = squares.mean(axis=0) if self._w is None else self._w @ squares
        self._inv_std = 1.0 / np.sqrt(var + self.epsilon)
        xhat *= self._inv_std
        m = self.momentum
        self.running_mean *= 1 - m
        self.running_mean += m * mean
        self.running_var *= 1 - m
        self.running_var += m * var * correction
        return self._scale_shift(xhat, self._out[:n])

    def backward(self, dY, *, need_input_grad=True):
        xhat, dxhat = self._backward_affine(dY)
        if self._fixed:  # fixed statistics: an affine map
            dxhat *= self._inv_std
            return dxhat
        # d/dx of standardizing with weights w (summing to 1):
        # (dxhat - w * sum(dxhat) - w * xhat * sum(dxhat * xhat)) / std
        total = dxhat.sum(axis=0)
        projection = np.einsum("ij,ij->j", dxhat, xhat)
        w = self._w
        if w is None:
            dxhat -= total / dY.shape[0]
            dxhat -= xhat * (projection / dY.shape[0])
        else:
            dxhat -= np.outer(w, total)
            dxhat -= (xhat * projection) * w[:, np.newaxis]
        dxhat *= self._inv_std
        return dxhat

    def apply(self, X):
        X = X.toarray() if sp.issparse(X) else X
        return (X - self.running_mean) / np.sqrt(
            self.running_var + self.epsilon
        ) * self.gamma + self.beta


class LayerNorm(_Normalization):
    """Layer normalization (Ba et al., 2016): standardize each sample's units.

    Statistics are taken over the units of one sample, so training and
    prediction compute the same thing and the batch size does not matter.
    Learned ``gamma`` and ``beta``, never weight-decayed.

    Parameters
    ----------
    epsilon : float, default=1e-5
        Added to the variance.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn.layers import LayerNorm
    >>> layer = LayerNorm(); _ = layer.build(3)
    >>> layer.bind({"gamma": np.ones(3), "beta": np.zeros(3)})
    >>> layer.apply(np.array([[1.0, 2.0, 3.0]])).round(4)
    array([[-1.2247,  0.    ,  1.2247]])
    """

    def __init__(self, epsilon=1e-5):
        self.epsilon = epsilon

    def _standardize(self, X, out):
        np.subtract(X, X.mean(axis=1, keepdims=True), out=out)
        var = np.einsum("ij,ij->i", out, out) / X.shape[1]
        inv_std = (1.0 / np.sqrt(var + self.epsilon))[:, np.newaxis]
        out *= inv_std
        return out, inv_std

    def forward(self, X, *, training, rng=None, sample_weight=None):
        n = X.shape[0]
        xhat, self._inv_std = self._standardize(X, self._xhat[:n])
        return self._scale_shift(xhat, self._out[:n])

    def backward(self, dY, *, need_input_grad=True):
        xhat, dxhat = self._backward_affine(dY)
        width = dY.shape[1]
        dxhat -= dxhat.sum(axis=1, keepdims=True) / width
        dxhat -= xhat * (np.einsum("ij,ij->i", dxhat, xhat)[:, np.newaxis] / width)
        dxhat *= self._inv_std
        return dxhat

    def apply(self, X):
        X = X.toarray() if sp.issparse(X) else np.asarray(X)
        xhat, _ = self._standardize(X, np.empty_like(X))
        return xhat * self.gamma + self.beta


#: Normalization layers by the name the estimators take.
NORMALIZATIONS = {"batch": BatchNorm, "layer": LayerNorm}
