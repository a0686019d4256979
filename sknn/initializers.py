"""Weight and bias initializers.

An initializer draws an array from the fit's random stream. Draws are made in
float64 and cast, so a float32 and a float64 fit with the same
``random_state`` start from the same point, as in scikit-learn.
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from sknn._component import Component


class Initializer(Component):
    """Base class of initializers."""

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


def sklearn_initializer(activation_name):
    """The initializer scikit-learn's MLP uses for a hidden activation."""
    return GlorotUniform(factor=2.0 if activation_name == "logistic" else 6.0)


INITIALIZERS = {
    "glorot_uniform": GlorotUniform,
}
