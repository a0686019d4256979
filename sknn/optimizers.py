"""Optimizers: in-place updates of the flat parameter vector.

An optimizer knows nothing of layers. ``build`` allocates its state for a
parameter vector of a given size, and ``step(params, grads, lr)`` updates the
whole model in a few vectorized passes over preallocated buffers. The
learning rate is passed in by the engine, which takes it from a schedule.
``sgd`` and ``adam`` follow scikit-learn's arithmetic exactly.
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from sknn._component import Component


class Optimizer(Component):
    """Base class of optimizers.

    Attributes
    ----------
    stochastic : bool
        Whether the optimizer trains on mini-batches (and so supports
        ``partial_fit`` and learning-rate schedules).
    """

    stochastic = True

    def build(self, n_params, dtype):
        """Allocate the state for ``n_params`` parameters of type ``dtype``."""
        self._buffer = np.zeros(n_params, dtype=dtype)

    def step(self, params, grads, lr):
        """Update ``params`` in place from ``grads`` at learning rate ``lr``.

        Parameters
        ----------
        params : ndarray of shape (n_params,)
            The flat parameter vector; updated in place.
        grads : ndarray of shape (n_params,)
            Gradient of the loss at ``params``; may be overwritten.
        lr : float
            Learning rate of this step.
        """
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent with momentum.

    ``v = momentum * v - lr * g`` then ``w += v``; with Nesterov's momentum the
    step is ``momentum * v - lr * g``, the gradient step taken from the
    look-ahead point. ``momentum=0`` gives plain SGD.

    Parameters
    ----------
    momentum : float, default=0.9
        Decay of the velocity, in [0, 1].
    nesterov : bool, default=True
        Whether to use Nesterov's momentum (scikit-learn's default).

    Examples
    --------
    >>> import numpy as np
    >>> from sknn.optimizers import SGD
    >>> w = np.array([1.0]); opt = SGD(momentum=0.0); opt.build(1, w.dtype)
    >>> opt.step(w, np.array([0.5]), lr=0.1); w
    array([0.95])
    """

    def __init__(self, momentum=0.9, nesterov=True):
        self.momentum = momentum
        self.nesterov = nesterov

    def build(self, n_params, dtype):
        super().build(n_params, dtype)
        self.velocity_ = np.zeros(n_params, dtype=dtype)

    def step(self, params, grads, lr):
        scaled_grad = np.multiply(grads, lr, out=self._buffer)
        velocity = self.velocity_
        velocity *= self.momentum
        velocity -= scaled_grad
        if self.nesterov:
            params += self.momentum * velocity
            params -= scaled_grad
        else:
            params += velocity


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015): momentum plus per-parameter step sizes.

    ``m`` and ``v`` are running means of the gradient and its square; the
    step is ``lr_t * m / (sqrt(v) + epsilon)`` with the bias-corrected rate
    ``lr_t = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)``, which is where
    scikit-learn (and the paper's section 2) put the correction.

    Parameters
    ----------
    beta_1 : float, default=0.9
        Decay of the first moment, in [0, 1).
    beta_2 : float, default=0.999
        Decay of the second moment, in [0, 1).
    epsilon : float, default=1e-8
        Added to the root of the second moment for numerical stability.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn.optimizers import Adam
    >>> w = np.array([1.0]); opt = Adam(); opt.build(1, w.dtype)
    >>> opt.step(w, np.array([0.5]), lr=0.1); w.round(6)  # first step is lr
    array([0.9])
    """

    def __init__(self, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def build(self, n_params, dtype):
        super().build(n_params, dtype)
        self.t_ = 0
        self.m_ = np.zeros(n_params, dtype=dtype)
        self.v_ = np.zeros(n_params, dtype=dtype)

    def step(self, params, grads, lr):
        self.t_ += 1
        m, v, buf = self.m_, self.v_, self._buffer
        m *= self.beta_1
        m += np.multiply(grads, 1 - self.beta_1, out=buf)
        v *= self.beta_2
        np.square(grads, out=buf)
        buf *= 1 - self.beta_2
        v += buf
        lr_t = lr * np.sqrt(1 - self.beta_2**self.t_) / (1 - self.beta_1**self.t_)
        np.sqrt(v, out=buf)
        buf += self.epsilon
        np.divide(m, buf, out=buf)
        buf *= lr_t
        params -= buf


class LBFGS(Optimizer):
    """Limited-memory BFGS on the full batch, through SciPy's L-BFGS-B.

    Converges fast and well on small data sets; it has no mini-batches, so
    no ``partial_fit``, schedule or early stopping.

    Parameters
    ----------
    max_fun : int, default=15000
        Maximum number of loss function calls.

    Examples
    --------
    >>> from sknn import MLPClassifier
    >>> from sknn.optimizers import LBFGS
    >>> clf = MLPClassifier(solver=LBFGS(max_fun=500))
    """

    stochastic = False

    def __init__(self, max_fun=15000):
        self.max_fun = max_fun

    def step(self, params, grads, lr):
        raise TypeError("LBFGS optimizes the full batch; it has no single step.")


SOLVERS = {
    "sgd": SGD,
    "adam": Adam,
    "lbfgs": LBFGS,
}
