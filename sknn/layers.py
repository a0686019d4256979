"""Layers: the pieces a network is a sequence of.

A layer declares the shapes of its parameters by region, gets views into the
network's flat parameter and gradient vectors (``bind``), and runs
``forward``/``backward`` on preallocated buffers of at most ``capacity``
rows; a smaller batch uses the leading rows, which stay contiguous.
``apply`` is the inference path, which allocates its output and so handles any
number of rows.
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import scipy.sparse as sp

_BUFFERS = ("_out", "_dX", "_X", "_A", "_Z")
_UNPICKLED = _BUFFERS + ("W", "b", "dW", "db")


class Layer:
    """Base class of layers; the base has no parameters."""

    def build(self, n_in):
        """Fix the input width and return the output width."""
        self.n_in = n_in
        return n_in

    def param_shapes(self):
        """Shapes of the parameters, as ``{region: shape}``.

        Regions group parameters across layers in the flat vector:
        ``"weights"`` (decayed and penalized), then ``"biases"``.
        """
        return {}

    def bind(self, params, grads):
        """Receive views into the flat vectors, keyed like ``param_shapes``."""

    def reserve(self, capacity, dtype):
        """Allocate the training buffers for batches of up to ``capacity`` rows."""

    def release(self):
        """Drop the training buffers and the references kept for ``backward``."""
        for name in _BUFFERS:
            self.__dict__.pop(name, None)

    def __getstate__(self):
        # Parameter views are rebound by the network after unpickling.
        return {k: v for k, v in self.__dict__.items() if k not in _UNPICKLED}

    def forward(self, X, *, training):
        raise NotImplementedError

    def backward(self, dY, *, need_input_grad=True):
        raise NotImplementedError

    def apply(self, X):
        """Inference: a new output array for any number of rows."""
        raise NotImplementedError


class Dense(Layer):
    """Affine map ``Z = X @ W + b``.

    Parameters
    ----------
    n_units : int
        Output width.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn.layers import Dense
    >>> layer = Dense(2); layer.build(3)
    2
    >>> W, b = np.ones((3, 2)), np.zeros(2)
    >>> layer.bind({"weights": W, "biases": b}, {"weights": None, "biases": None})
    >>> layer.apply(np.ones((1, 3)))
    array([[3., 3.]])
    """

    def __init__(self, n_units):
        self.n_units = n_units

    def build(self, n_in):
        self.n_in = n_in
        return self.n_units

    def param_shapes(self):
        return {"weights": (self.n_in, self.n_units), "biases": (self.n_units,)}

    def bind(self, params, grads):
        self.W, self.b = params["weights"], params["biases"]
        self.dW, self.db = grads["weights"], grads["biases"]

    def reserve(self, capacity, dtype):
        self._out = np.empty((capacity, self.n_units), dtype=dtype)
        self._dX = np.empty((capacity, self.n_in), dtype=dtype)

    def forward(self, X, *, training):
        self._X = X
        out = self._out[: X.shape[0]]
        if sp.issparse(X):
            out[...] = X @ self.W
        else:
            np.matmul(X, self.W, out=out)
        out += self.b
        return out

    def backward(self, dY, *, need_input_grad=True):
        X = self._X
        if sp.issparse(X):
            self.dW[...] = X.T @ dY
        else:
            np.matmul(X.T, dY, out=self.dW)
        np.sum(dY, axis=0, out=self.db)
        if not need_input_grad:
            return None
        dX = self._dX[: dY.shape[0]]
        np.matmul(dY, self.W.T, out=dX)
        return dX

    def apply(self, X):
        Z = X @ self.W
        if sp.issparse(Z):  # a sparse X times a dense W can stay sparse
            Z = Z.toarray()
        Z += self.b
        return Z


class ActivationLayer(Layer):
    """Elementwise activation, applied in place on its input buffer.

    Parameters
    ----------
    activation : sknn.activations.Activation
        The function applied.
    """

    def __init__(self, activation):
        self.activation = activation

    def forward(self, X, *, training):
        if not self.activation.derivative_from_output:
            self._Z = X.copy()
        self._A = self.activation.forward(X)
        return self._A

    def backward(self, dY, *, need_input_grad=True):
        Z = getattr(self, "_Z", None)
        return self.activation.backward(dY, self._A, Z)

    def apply(self, X):
        return self.activation.forward(X)
