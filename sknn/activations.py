"""Hidden-layer activation functions.

Each activation works in place on a preallocated batch buffer: ``forward``
overwrites the pre-activations ``Z`` with the activations ``A``, and
``backward`` multiplies an incoming gradient by the derivative. The four
activations here express their derivative through the output ``A`` alone
(``derivative_from_output = True``), so the engine keeps one buffer per layer
instead of two. Output links (softmax, logistic, exp) belong to the losses.
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from scipy.special import expit

from sknn._component import Component


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

    def __call__(self, Z):
        """Return the activation of a copy of ``Z``."""
        return self.forward(np.array(Z, dtype=np.result_type(Z, np.float32)))

    def derivative(self, Z):
        """Return the derivative evaluated at ``Z``, elementwise."""
        Z = np.asarray(Z, dtype=np.result_type(Z, np.float32))
        return self.backward(np.ones_like(Z), self(Z), Z.copy())


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
        dA *= 1 - A**2
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
        # scikit-learn has it) and 1 elsewhere.
        np.copyto(dA, 0, where=A == 0)
        return dA


ACTIVATIONS = {
    "identity": Identity,
    "logistic": Logistic,
    "tanh": Tanh,
    "relu": ReLU,
}
