"""Weight and bias initializers.

An initializer draws an array from the fit's random stream. Draws are made in
float64 and cast, so a float32 and a float64 fit with the same
``random_state`` start from the same point, as in scikit-learn.

Which to use: ``glorot_*`` for tanh and logistic units, ``he_*`` for the ReLU
family (relu, leaky_relu, elu, gelu, silu), ``lecun_normal`` for selu (a
self-normalizing network), ``orthogonal`` for deep or narrow stacks. The
normal laws are not truncated, as in PyTorch (Keras truncates at two standard
deviations and rescales). ``zeros`` and ``constant`` are for biases: as
weights they make every unit of a layer compute the same function.
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from sknn._component import Component


class Initializer(Component):
    """Base class of initializers."""

    #: Whether the initializer draws 1-d (bias) arrays too; ``bias_init='auto'``
    #: pairs one that does not with zeros (:func:`auto_bias_initializer`).
    draws_biases = True

    def __call__(self, shape, *, fan_in, fan_out, rng, dtype=np.float64):
        """Draw an array.

        Parameters
        ----------
        shape : tuple of int
            Shape of the array: ``(fan_in, fan_out)`` for weights,
            ``(fan_out,)`` for biases.
        fan_in, fan_out : int
            Units feeding into and out of the layer.
        rng : numpy.random.RandomState
            The fit's random stream.
        dtype : dtype, default=np.float64
            Type of the returned array.

        Returns
        -------
        values : ndarray of shape ``shape``
        """
        raise NotImplementedError


class GlorotUniform(Initializer):
    """Uniform on ``[-b, b]`` with ``b = sqrt(factor / (fan_in + fan_out))``.

    ``factor=6`` is Glorot and Bengio's (2010) rule, keeping the activation
    variance constant through tanh-like layers; scikit-learn's MLP uses
    ``factor=2`` for logistic layers and draws the biases from the same law.

    Parameters
    ----------
    factor : float, default=6.0
        Numerator of the bound.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn.initializers import GlorotUniform
    >>> W = GlorotUniform()((3, 2), fan_in=3, fan_out=2,
    ...                     rng=np.random.RandomState(0))
    >>> bool(np.all(np.abs(W) <= np.sqrt(6 / 5)))
    True
    """

    def __init__(self, factor=6.0):
        self.factor = factor

    def __call__(self, shape, *, fan_in, fan_out, rng, dtype=np.float64):
        bound = np.sqrt(self.factor / (fan_in + fan_out))
        return rng.uniform(-bound, bound, shape).astype(dtype, copy=False)


class GlorotNormal(Initializer):
    """Normal with mean 0 and standard deviation ``sqrt(2 / (fan_in + fan_out))``.

    Glorot and Bengio's (2010) variance, balancing the forward and backward
    passes for tanh-like units, as PyTorch's ``xavier_normal_`` (not
    truncated).

    Examples
    --------
    >>> import numpy as np
    >>> from sknn.initializers import GlorotNormal
    >>> W = GlorotNormal()((300, 200), fan_in=300, fan_out=200,
    ...                    rng=np.random.RandomState(0))
    >>> round(float(W.std() ** 2 * (300 + 200) / 2), 1)
    1.0
    """

    def __call__(self, shape, *, fan_in, fan_out, rng, dtype=np.float64):
        std = np.sqrt(2.0 / (fan_in + fan_out))
        return rng.normal(0.0, std, shape).astype(dtype, copy=False)


class HeUniform(Initializer):
    """Uniform on ``[-b, b]`` with ``b = sqrt(6 / fan_in)``: variance ``2 / fan_in``.

    He et al. (2015): a ReLU zeroes half its inputs, so doubling LeCun's
    variance ``1 / fan_in`` keeps the activations' scale through deep ReLU
    stacks. As PyTorch's ``kaiming_uniform_(nonlinearity="relu")``.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn.initializers import HeUniform
    >>> W = HeUniform()((6, 4), fan_in=6, fan_out=4,
    ...                 rng=np.random.RandomState(0))
    >>> bool(np.all(np.abs(W) <= 1.0))
    True
    """

    def __call__(self, shape, *, fan_in, fan_out, rng, dtype=np.float64):
        bound = np.sqrt(6.0 / fan_in)
        return rng.uniform(-bound, bound, shape).astype(dtype, copy=False)


class HeNormal(Initializer):
    """Normal with mean 0 and standard deviation ``sqrt(2 / fan_in)``.

    He et al. (2015), for the ReLU family; as PyTorch's
    ``kaiming_normal_(nonlinearity="relu")`` (not truncated).

    Examples
    --------
    >>> import numpy as np
    >>> from sknn.initializers import HeNormal
    >>> W = HeNormal()((500, 400), fan_in=500, fan_out=400,
    ...                rng=np.random.RandomState(0))
    >>> round(float(W.std() ** 2 * 500 / 2), 1)
    1.0
    """

    def __call__(self, shape, *, fan_in, fan_out, rng, dtype=np.float64):
        std = np.sqrt(2.0 / fan_in)
        return rng.normal(0.0, std, shape).astype(dtype, copy=False)


class LeCunNormal(Initializer):
    """Normal with mean 0 and standard deviation ``sqrt(1 / fan_in)``.

    LeCun et al. (1998); the initialization of self-normalizing networks
    (``selu`` units, Klambauer et al., 2017), whose fixed point of mean 0 and
    variance 1 assumes weights of variance ``1 / fan_in``. Not truncated.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn.initializers import LeCunNormal
    >>> W = LeCunNormal()((500, 400), fan_in=500, fan_out=400,
    ...                   rng=np.random.RandomState(0))
    >>> round(float(W.std() ** 2 * 500), 1)
    1.0
    """

    def __call__(self, shape, *, fan_in, fan_out, rng, dtype=np.float64):
        std = np.sqrt(1.0 / fan_in)
        return rng.normal(0.0, std, shape).astype(dtype, copy=False)


class Orthogonal(Initializer):
    """A random orthogonal matrix times ``gain`` (Saxe et al., 2014).

    The Q factor of the QR decomposition of a standard normal matrix, with
    the signs of its columns fixed so that R has a positive diagonal, which
    makes the draw uniform (Haar) over orthogonal matrices, as PyTorch's
    ``orthogonal_``. A tall ``(fan_in, fan_out)`` matrix gets orthonormal
    columns (``W.T @ W = gain**2 I``), a wide one orthonormal rows
    (``W @ W.T = gain**2 I``). All singular values equal ``gain``, so the
    linear part of a deep stack neither explodes nor vanishes at the start.

    Only 2-d (weight) shapes: a bias shape raises ``ValueError``; initialize
    the biases with ``zeros`` or ``constant`` (``bias_init='auto'`` takes
    zeros, see :func:`auto_bias_initializer`).

    Parameters
    ----------
    gain : float, default=1.0
        Scale of the matrix (PyTorch's ``calculate_gain``: sqrt(2) for ReLU).

    Examples
    --------
    >>> import numpy as np
    >>> from sknn.initializers import Orthogonal
    >>> W = Orthogonal()((4, 3), fan_in=4, fan_out=3,
    ...                  rng=np.random.RandomState(0))
    >>> np.allclose(W.T @ W, np.eye(3))
    True
    """

    draws_biases = False

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, *, fan_in, fan_out, rng, dtype=np.float64):
        shape = tuple(shape)
        if len(shape) != 2:
            raise ValueError(
                f"Orthogonal initializes 2-d weight matrices, got shape {shape}; "
                "initialize biases with 'zeros' or 'constant'."
            )
        M = rng.normal(0.0, 1.0, shape)
        wide = shape[0] < shape[1]
        if wide:
            M = M.T
        Q, R = np.linalg.qr(M)
        Q *= np.copysign(1.0, np.diagonal(R))
        if wide:
            Q = Q.T
        Q *= self.gain
        return Q.astype(dtype, copy=False)


class Zeros(Initializer):
    """All zeros, without drawing from ``rng``.

    The usual bias initialization. As a weight initializer it fails: every
    unit of a layer then computes the same function of its inputs and
    receives the same gradient, so the units stay identical through training
    (the symmetry is never broken); with zero weights feeding a layer, most
    gradients are even exactly zero.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn.initializers import Zeros
    >>> Zeros()((3,), fan_in=2, fan_out=3, rng=np.random.RandomState(0))
    array([0., 0., 0.])
    """

    def __call__(self, shape, *, fan_in, fan_out, rng, dtype=np.float64):
        return np.zeros(shape, dtype=dtype)


class Constant(Initializer):
    """Every entry equal to ``value``, without drawing from ``rng``.

    For biases, e.g. a small positive value so that ReLU units start active.
    As a weight initializer it fails, like :class:`Zeros`: all units of a
    layer compute the same function and receive the same gradient, so they
    stay identical through training (the symmetry is never broken).

    Parameters
    ----------
    value : float, default=0.1
        The value of every entry.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn.initializers import Constant
    >>> Constant()((3,), fan_in=2, fan_out=3, rng=np.random.RandomState(0))
    array([0.1, 0.1, 0.1])
    """

    def __init__(self, value=0.1):
        self.value = value

    def __call__(self, shape, *, fan_in, fan_out, rng, dtype=np.float64):
        return np.full(shape, self.value, dtype=dtype)


def auto_bias_initializer(weight_init):
    """The bias initializer that ``bias_init='auto'`` pairs with ``weight_init``.

    ``weight_init`` itself, as scikit-learn draws the biases from the weights'
    law, unless it only initializes 2-d weights (``draws_biases = False``, as
    :class:`Orthogonal`): then zeros, the biases PyTorch users pair with
    ``orthogonal_``.

    Parameters
    ----------
    weight_init : Initializer
        The weight initializer of a layer.

    Returns
    -------
    bias_init : Initializer

    Examples
    --------
    >>> from sknn.initializers import GlorotUniform, Orthogonal, auto_bias_initializer
    >>> auto_bias_initializer(Orthogonal())
    Zeros()
    >>> auto_bias_initializer(GlorotUniform(factor=2.0))
    GlorotUniform(factor=2.0)
    """
    return weight_init if weight_init.draws_biases else Zeros()


def sklearn_initializer(activation_name):
    """The initializer scikit-learn's MLP uses for a hidden activation."""
    return GlorotUniform(factor=2.0 if activation_name == "logistic" else 6.0)


INITIALIZERS = {
    "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal,
    "he_uniform": HeUniform,
    "he_normal": HeNormal,
    "lecun_normal": LeCunNormal,
    "orthogonal": Orthogonal,
    "zeros": Zeros,
    "constant": Constant,
}
