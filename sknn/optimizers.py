"""Optimizers: in-place updates of the flat parameter vector.

An optimizer knows nothing of layers. ``build`` allocates its state for a
parameter vector of a given size, and ``step(params, grads, lr)`` updates the
whole model in a few vectorized passes over preallocated buffers or, where
numba is installed, in one compiled pass (``sknn._kernels``) with the same
arithmetic. The learning rate is passed in by the engine, which takes it
from a schedule. The weight penalties join that pass: the decoupled weight
decay, and the L2 term's gradient, which the training loop hands to
``step(..., l2=)`` instead of adding it to the gradient itself.
``sgd`` and ``adam`` follow scikit-learn's arithmetic exactly.
"""

# SPDX-License-Identifier: BSD-3-Clause

import functools
import math

import numpy as np

from sknn import _kernels as kernels
from sknn._blas import axpy
from sknn._component import (
    BELOW_ONE,
    COUNT,
    NON_NEGATIVE,
    POSITIVE,
    UNIT_INTERVAL,
    Component,
    _class_keeps,
    _declaring_class,
)


def _scaled_square(x, factor, out):
    np.square(x, out=out)
    out *= factor
    return out


# PyTorch's ranges (torch.optim), which contain scikit-learn's for the flat
# parameters the estimators pass to named solvers; except epsilon, positive as
# scikit-learn's flat ``epsilon``: PyTorch's 0 makes a parameter whose
# gradients have all been exactly 0 so far step by 0 / 0 = NaN.
_EPSILON = POSITIVE


class Optimizer(Component):
    """Base class of optimizers.

    Subclasses implement ``_build_state`` and ``_update``; the base applies
    the weight penalties to the leading ``n_decayed`` parameters (the
    network's weights, never its biases or normalization parameters) before
    each update: the L2 term's gradient ``l2 * w`` that ``step`` is given,
    then, when the subclass has a ``weight_decay`` hyper-parameter, the
    decoupled decay ``w -= lr * weight_decay * w``, like PyTorch's AdamW.
    A built-in update applies them in its compiled pass (``_run_kernel``);
    an ``_update`` of one's own receives ``params`` and ``grads`` with the
    penalties already applied.

    Attributes
    ----------
    stochastic : bool
        Whether the optimizer trains on mini-batches (and so supports
        ``partial_fit`` and learning-rate schedules).
    """

    stochastic = True

    #: The methods through which a class's update reaches ``_run_kernel``,
    #: which applies the step's weight penalties in the kernel's pass. Where a
    #: class declares them and an instance's class keeps them all, the
    #: penalties go there; otherwise (a subclass overriding one of them, an
    #: optimizer of one's own) ``step`` applies them with NumPy first.
    _penalties_reach_kernel_through = ()

    def build(self, n_params, dtype, n_decayed=None):
        """Allocate the state for ``n_params`` parameters of type ``dtype``.

        Parameters
        ----------
        n_params : int
            Length of the flat parameter vector.
        dtype : dtype
            Its floating type.
        n_decayed : int, default=None
            How many leading parameters (the weights) weight decay and the L2
            term apply to; None means all of them.
        """
        self._validate_params()
        # The dtype by its string: skops loads one without trusting numpy.dtype.
        self._scratch_spec = (n_params, np.dtype(dtype).str)
        self._scratches = {}
        self.n_decayed_ = n_params if n_decayed is None else n_decayed
        self.t_ = 0
        self._build_state(n_params, dtype)

    def _build_state(self, n_params, dtype):
        pass

    def step(self, params, grads, lr, l2=0.0):
        """Update ``params`` in place from ``grads`` at learning rate ``lr``.

        Parameters
        ----------
        params : ndarray of shape (n_params,)
            The flat parameter vector; updated in place.
        grads : ndarray of shape (n_params,)
            Gradient of the loss at ``params``; may be overwritten.
        lr : float
            Learning rate of this step.
        l2 : float, default=0.0
            Coefficient of an L2 penalty on the leading ``n_decayed_``
            parameters whose gradient, ``l2 * w``, is not in ``grads``: it is
            added here, in the compiled update's pass where one runs.
        """
        self.t_ += 1
        weight_decay = getattr(self, "weight_decay", 0.0)
        shrink = 1.0 - lr * weight_decay if weight_decay else 1.0
        if _penalties_reach_kernel(type(self)):
            self._penalty = (l2, shrink)
        else:
            self._apply_penalty(params, grads, l2, shrink)
            self._penalty = (0.0, 1.0)
        self._update(params, grads, lr)

    def _update(self, params, grads, lr):
        raise NotImplementedError

    def _run_kernel(self, kernel, arrays, *scalars):
        """Run the compiled update ``kernel`` with this step's penalties in its
        pass. Where the kernels do not apply, or ``kernel`` is None, applies
        the penalties with NumPy and returns False: the caller then takes its
        NumPy path."""
        l2, shrink = self._penalty
        if kernel is not None and kernels.run_penalized(
            kernel, arrays, self.n_decayed_, l2, shrink, *scalars
        ):
            return True
        self._apply_penalty(arrays[0], arrays[1], l2, shrink)
        return False

    def _apply_penalty(self, params, grads, l2, shrink):
        """The weights' L2 gradient (of the weights before the decay), then
        the decoupled decay ``w *= shrink``."""
        weights = slice(0, self.n_decayed_)
        if l2:
            axpy(l2, params[weights], grads[weights])
        if shrink != 1.0:
            params[weights] *= shrink

    def _zeros(self, n_params, dtype):
        return np.zeros(n_params, dtype=dtype)

    def _scratch(self, name):
        """A scratch vector of the parameters' size, allocated on first use:
        the NumPy updates need one or two, the compiled kernels none (which
        spares a fit that memory)."""
        vector = self._scratches.get(name)
        if vector is None:
            vector = self._scratches[name] = np.zeros(*self._scratch_spec)
        return vector

    @property
    def _buffer(self):
        return self._scratch("buffer")


@functools.cache
def _penalties_reach_kernel(cls):
    owner = _declaring_class(cls, "_penalties_reach_kernel_through")
    methods = owner._penalties_reach_kernel_through
    return bool(methods) and _class_keeps(cls, owner, methods)


class SGD(Optimizer):
    """Stochastic gradient descent with momentum.

    ``v = momentum * v - lr * g`` then ``w += v``; with Nesterov's momentum the
    step is ``momentum * v - lr * g``, the gradient step taken from the
    look-ahead point (scikit-learn's formulation). ``momentum=0`` gives plain
    SGD.

    Parameters
    ----------
    momentum : float, default=0.9
        Decay of the velocity, in [0, 1].
    nesterov : bool, default=True
        Whether to use Nesterov's momentum (scikit-learn's default).
    weight_decay : float, default=0.0
        Decoupled weight decay of the weights.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn.optimizers import SGD
    >>> w = np.array([1.0]); opt = SGD(momentum=0.0); opt.build(1, w.dtype)
    >>> opt.step(w, np.array([0.5]), lr=0.1); w
    array([0.95])
    """

    _parameter_constraints: dict = {
        "momentum": [UNIT_INTERVAL],
        "nesterov": ["boolean"],
        "weight_decay": [NON_NEGATIVE],
    }

    def __init__(self, momentum=0.9, nesterov=True, weight_decay=0.0):
        self.momentum = momentum
        self.nesterov = nesterov
        self.weight_decay = weight_decay

    _penalties_reach_kernel_through = ("_update",)

    def _build_state(self, n_params, dtype):
        self.velocity_ = self._zeros(n_params, dtype)

    def _update(self, params, grads, lr):
        velocity = self.velocity_
        arrays = (params, grads, velocity)
        scalars = (self.momentum, lr, bool(self.nesterov))
        if self._run_kernel(kernels.sgd, arrays, *scalars):
            return
        velocity *= self.momentum
        axpy(-lr, grads, velocity)
        if self.nesterov:
            # params += momentum * v - lr * g
            axpy(-lr, grads, params)
            axpy(self.momentum, velocity, params)
        else:
            params += velocity


class Momentum(SGD):
    """SGD with classical (heavy-ball) momentum: ``solver='momentum'``.

    Parameters
    ----------
    momentum : float, default=0.9
        Decay of the velocity, in [0, 1].
    weight_decay : float, default=0.0
        Decoupled weight decay of the weights.

    Examples
    --------
    >>> from sknn.optimizers import Momentum
    >>> Momentum().nesterov
    False
    """

    nesterov = False

    def __init__(self, momentum=0.9, weight_decay=0.0):
        self.momentum = momentum
        self.weight_decay = weight_decay


class Nesterov(Momentum):
    """SGD with Nesterov's momentum: ``solver='nesterov'``.

    The hyper-parameters of :class:`Momentum`; the step is taken from the
    look-ahead point, as with ``SGD(nesterov=True)``.

    Examples
    --------
    >>> from sknn.optimizers import Nesterov
    >>> Nesterov().nesterov
    True
    """

    nesterov = True


class Adagrad(Optimizer):
    """AdaGrad (Duchi et al., 2011): steps shrink with accumulated squares.

    ``s += g**2``, ``w -= lr * g / (sqrt(s) + epsilon)``. Suits sparse
    features; the rate only ever decreases.

    Parameters
    ----------
    epsilon : float, default=1e-10
        Added to the root for numerical stability.
    initial_accumulator_value : float, default=0.0
        Starting value of ``s``.
    weight_decay : float, default=0.0
        Decoupled weight decay of the weights.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn.optimizers import Adagrad
    >>> w = np.array([1.0]); opt = Adagrad(); opt.build(1, w.dtype)
    >>> opt.step(w, np.array([0.5]), lr=0.1); w.round(6)
    array([0.9])
    """

    _parameter_constraints: dict = {
        "epsilon": [_EPSILON],
        "initial_accumulator_value": [NON_NEGATIVE],
        "weight_decay": [NON_NEGATIVE],
    }

    def __init__(self, epsilon=1e-10, initial_accumulator_value=0.0, weight_decay=0.0):
        self.epsilon = epsilon
        self.initial_accumulator_value = initial_accumulator_value
        self.weight_decay = weight_decay

    _penalties_reach_kernel_through = ("_update",)

    def _build_state(self, n_params, dtype):
        self.sum_squares_ = np.full(n_params, self.initial_accumulator_value, dtype)

    def _update(self, params, grads, lr):
        arrays = (params, grads, self.sum_squares_)
        if self._run_kernel(kernels.adagrad, arrays, lr, self.epsilon):
            return
        buf = self._buffer
        self.sum_squares_ += np.square(grads, out=buf)
        np.sqrt(self.sum_squares_, out=buf)
        buf += self.epsilon
        np.divide(grads, buf, out=buf)
        buf *= lr
        params -= buf


class Adadelta(Optimizer):
    """AdaDelta (Zeiler, 2012): AdaGrad with decaying averages and unit steps.

    ``s = rho s + (1 - rho) g**2``, ``d = sqrt(u + eps) / sqrt(s + eps) * g``,
    ``u = rho u + (1 - rho) d**2``, ``w -= lr * d``. The step has the units of
    the weights, so ``learning_rate_init`` is a multiplier: 1.0 is the
    paper's method.

    Parameters
    ----------
    rho : float, default=0.9
        Decay of the running averages.
    epsilon : float, default=1e-6
        Added inside both roots.
    weight_decay : float, default=0.0
        Decoupled weight decay of the weights.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn.optimizers import Adadelta
    >>> w = np.array([1.0]); opt = Adadelta(); opt.build(1, w.dtype)
    >>> opt.step(w, np.array([0.5]), lr=1.0); bool(w[0] < 1.0)
    True
    """

    _parameter_constraints: dict = {
        "rho": [UNIT_INTERVAL],
        "epsilon": [_EPSILON],
        "weight_decay": [NON_NEGATIVE],
    }

    def __init__(self, rho=0.9, epsilon=1e-6, weight_decay=0.0):
        self.rho = rho
        self.epsilon = epsilon
        self.weight_decay = weight_decay

    _penalties_reach_kernel_through = ("_update",)

    def _build_state(self, n_params, dtype):
        self.square_avg_ = self._zeros(n_params, dtype)
        self.delta_avg_ = self._zeros(n_params, dtype)

    def _update(self, params, grads, lr):
        rho, eps = self.rho, self.epsilon
        arrays = (params, grads, self.square_avg_, self.delta_avg_)
        if self._run_kernel(kernels.adadelta, arrays, rho, 1 - rho, lr, eps):
            return
        buf, delta = self._buffer, self._scratch("delta")
        self.square_avg_ *= rho
        self.square_avg_ += _scaled_square(grads, 1 - rho, out=buf)
        np.add(self.delta_avg_, eps, out=delta)
        np.sqrt(delta, out=delta)
        np.add(self.square_avg_, eps, out=buf)
        np.sqrt(buf, out=buf)
        delta /= buf
        delta *= grads
        self.delta_avg_ *= rho
        self.delta_avg_ += _scaled_square(delta, 1 - rho, out=buf)
        delta *= lr
        params -= delta


class RMSprop(Optimizer):
    """RMSprop (Hinton, 2012): divide by a decaying root mean square.

    ``s = rho s + (1 - rho) g**2``, ``w -= lr * g / (sqrt(s) + eps)``; the
    centered variant subtracts the squared mean gradient from ``s``, and
    ``momentum > 0`` accumulates the scaled steps, as PyTorch does.

    Parameters
    ----------
    rho : float, default=0.99
        Decay of the running average of squared gradients.
    epsilon : float, default=1e-8
        Added to the root.
    momentum : float, default=0.0
        Momentum of the scaled steps.
    centered : bool, default=False
        Normalize by the estimated variance instead of the second moment.
    weight_decay : float, default=0.0
        Decoupled weight decay of the weights.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn.optimizers import RMSprop
    >>> w = np.array([1.0]); opt = RMSprop(rho=0.0); opt.build(1, w.dtype)
    >>> opt.step(w, np.array([0.5]), lr=0.1); w.round(6)
    array([0.9])
    """

    _parameter_constraints: dict = {
        # rho = 1 never updates the mean square from 0: steps of g / epsilon.
        "rho": [BELOW_ONE],
        "epsilon": [_EPSILON],
        "momentum": [UNIT_INTERVAL],
        "centered": ["boolean"],
        "weight_decay": [NON_NEGATIVE],
    }

    def __init__(
        self, rho=0.99, epsilon=1e-8, momentum=0.0, centered=False, weight_decay=0.0
    ):
        self.rho = rho
        self.epsilon = epsilon
        self.momentum = momentum
        self.centered = centered
        self.weight_decay = weight_decay

    _penalties_reach_kernel_through = ("_update",)

    def _build_state(self, n_params, dtype):
        self.square_avg_ = self._zeros(n_params, dtype)
        if self.centered:
            self.grad_avg_ = self._zeros(n_params, dtype)
        if self.momentum:
            self.velocity_ = self._zeros(n_params, dtype)

    def _update(self, params, grads, lr):
        rho = self.rho
        unused = params[:0]
        arrays = (
            params,
            grads,
            self.square_avg_,
            self.grad_avg_ if self.centered else unused,
            self.velocity_ if self.momentum else unused,
        )
        switches = (bool(self.centered), bool(self.momentum))
        scalars = (rho, 1 - rho, lr, self.epsilon, self.momentum, *switches)
        if self._run_kernel(kernels.rmsprop, arrays, *scalars):
            return
        buf = self._buffer
        self.square_avg_ *= rho
        self.square_avg_ += _scaled_square(grads, 1 - rho, out=buf)
        if self.centered:
            self.grad_avg_ *= rho
            self.grad_avg_ += np.multiply(grads, 1 - rho, out=buf)
            np.square(self.grad_avg_, out=buf)
            np.subtract(self.square_avg_, buf, out=buf)
        else:
            np.copyto(buf, self.square_avg_)
        np.sqrt(buf, out=buf)
        buf += self.epsilon
        np.divide(grads, buf, out=buf)
        if self.momentum:
            self.velocity_ *= self.momentum
            self.velocity_ += buf
            np.multiply(self.velocity_, lr, out=buf)
        else:
            buf *= lr
        params -= buf


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015): momentum plus per-parameter step sizes.

    ``m`` and ``v`` are running means of the gradient and its square; the
    step is ``lr_t * m / (sqrt(v) + epsilon)`` with the bias-corrected rate
    ``lr_t = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)``, where scikit-learn
    (and the paper's section 2) put the correction. With ``amsgrad=True``
    the running maximum of ``v`` is used instead (Reddi et al., 2018).

    Parameters
    ----------
    beta_1 : float, default=0.9
        Decay of the first moment, in [0, 1).
    beta_2 : float, default=0.999
        Decay of the second moment, in [0, 1).
    epsilon : float, default=1e-8
        Added to the root of the second moment for numerical stability.
    amsgrad : bool, default=False
        Use the maximum of past second moments.
    weight_decay : float, default=0.0
        Decoupled weight decay of the weights.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn.optimizers import Adam
    >>> w = np.array([1.0]); opt = Adam(); opt.build(1, w.dtype)
    >>> opt.step(w, np.array([0.5]), lr=0.1); w.round(6)  # first step is lr
    array([0.9])
    """

    _parameter_constraints: dict = {
        "beta_1": [BELOW_ONE],
        "beta_2": [BELOW_ONE],
        "epsilon": [_EPSILON],
        "amsgrad": ["boolean"],
        "weight_decay": [NON_NEGATIVE],
    }

    def __init__(
        self, beta_1=0.9, beta_2=0.999, epsilon=1e-8, amsgrad=False, weight_decay=0.0
    ):
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = amsgrad
        self.weight_decay = weight_decay

    _penalties_reach_kernel_through = ("_update", "_adam_update")

    def _build_state(self, n_params, dtype):
        self.m_ = self._zeros(n_params, dtype)
        self.v_ = self._zeros(n_params, dtype)
        if self.amsgrad:
            self.v_max_ = self._zeros(n_params, dtype)

    def _moments(self, grads):
        m, v, buf = self.m_, self.v_, self._buffer
        m *= self.beta_1
        axpy(1 - self.beta_1, grads, m)
        v *= self.beta_2
        axpy(1 - self.beta_2, np.square(grads, out=buf), v)
        if self.amsgrad:
            np.maximum(self.v_max_, v, out=self.v_max_)
            return m, self.v_max_
        return m, v

    def _update(self, params, grads, lr):
        t = self.t_
        lr_t = lr * math.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)
        self._adam_update(params, grads, lr_t, root_scale=1.0)

    def _adam_update(self, params, grads, step_size, root_scale):
        """Update the moments, then ``params -= step_size * m / (root_scale *
        sqrt(v) + epsilon)``: in one compiled pass where the kernels apply."""
        v_max = self.v_max_ if self.amsgrad else params[:0]
        arrays = (params, grads, self.m_, self.v_, v_max)
        b1, b2 = self.beta_1, self.beta_2
        scalars = (b1, 1 - b1, b2, 1 - b2, step_size, root_scale, self.epsilon)
        # The kernel does _moments' work too: a subclass overriding it keeps NumPy.
        kernel = kernels.adam if self._keeps(Adam, "_moments") else None
        if self._run_kernel(kernel, arrays, *scalars, bool(self.amsgrad)):
            return
        m, v = self._moments(grads)
        buf = self._buffer
        np.sqrt(v, out=buf)
        if root_scale != 1.0:
            buf *= root_scale
        buf += self.epsilon
        np.divide(m, buf, out=buf)
        axpy(-step_size, buf, params)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter, 2019).

    PyTorch's ``AdamW`` exactly, default decay included: ``w *= 1 - lr * wd``,
    then ``w -= lr / (1 - beta_1**t) * m / (sqrt(v / (1 - beta_2**t)) + eps)``
    (epsilon added after the bias correction).

    Parameters
    ----------
    beta_1 : float, default=0.9
        Decay of the first moment.
    beta_2 : float, default=0.999
        Decay of the second moment.
    epsilon : float, default=1e-8
        Added to the bias-corrected root.
    amsgrad : bool, default=False
        Use the maximum of past second moments.
    weight_decay : float, default=0.01
        Decoupled weight decay of the weights.

    Examples
    --------
    >>> from sknn.optimizers import AdamW
    >>> AdamW().weight_decay
    0.01
    """

    def __init__(
        self, beta_1=0.9, beta_2=0.999, epsilon=1e-8, amsgrad=False, weight_decay=0.01
    ):
        super().__init__(beta_1, beta_2, epsilon, amsgrad, weight_decay)

    _penalties_reach_kernel_through = ("_update", "_adam_update")

    def _update(self, params, grads, lr):
        t = self.t_
        self._adam_update(
            params,
            grads,
            lr / (1 - self.beta_1**t),
            root_scale=1 / math.sqrt(1 - self.beta_2**t),
        )


class Nadam(Optimizer):
    """Nadam (Dozat, 2016): Adam with Nesterov momentum, as PyTorch's NAdam.

    The momentum coefficient warms up as
    ``mu_t = beta_1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))``, and the
    step mixes the current gradient and the look-ahead first moment.

    Parameters
    ----------
    beta_1 : float, default=0.9
        Decay of the first moment.
    beta_2 : float, default=0.999
        Decay of the second moment.
    epsilon : float, default=1e-8
        Added to the bias-corrected root.
    momentum_decay : float, default=0.004
        Speed of the momentum warm-up.
    weight_decay : float, default=0.0
        Decoupled weight decay of the weights.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn.optimizers import Nadam
    >>> w = np.array([1.0]); opt = Nadam(); opt.build(1, w.dtype)
    >>> opt.step(w, np.array([0.5]), lr=0.1); bool(w[0] < 1.0)
    True
    """

    _parameter_constraints: dict = {
        "beta_1": [BELOW_ONE],
        "beta_2": [BELOW_ONE],
        "epsilon": [_EPSILON],
        "momentum_decay": [NON_NEGATIVE],
        "weight_decay": [NON_NEGATIVE],
    }

    def __init__(
        self,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        momentum_decay=0.004,
        weight_decay=0.0,
    ):
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.momentum_decay = momentum_decay
        self.weight_decay = weight_decay

    _penalties_reach_kernel_through = ("_update",)

    def _build_state(self, n_params, dtype):
        self.m_ = self._zeros(n_params, dtype)
        self.v_ = self._zeros(n_params, dtype)
        self.mu_product_ = 1.0

    def _mu(self, t):
        return self.beta_1 * (1.0 - 0.5 * 0.96 ** (t * self.momentum_decay))

    def _update(self, params, grads, lr):
        t, m, v = self.t_, self.m_, self.v_
        mu, mu_next = self._mu(t), self._mu(t + 1)
        self.mu_product_ *= mu
        # w -= lr (1 - mu) / (1 - prod mu) g / d + lr mu' / (1 - prod mu mu') m / d
        gain_grad = lr * (1.0 - mu) / (1.0 - self.mu_product_)
        gain_m = lr * mu_next / (1.0 - self.mu_product_ * mu_next)
        root_scale = 1 / math.sqrt(1 - self.beta_2**t)
        b1, b2 = self.beta_1, self.beta_2
        scalars = (b1, 1 - b1, b2, 1 - b2, root_scale, self.epsilon, gain_grad, gain_m)
        if self._run_kernel(kernels.nadam, (params, grads, m, v), *scalars):
            return
        buf = self._buffer
        m *= self.beta_1
        m += np.multiply(grads, 1 - self.beta_1, out=buf)
        v *= self.beta_2
        v += _scaled_square(grads, 1 - self.beta_2, out=buf)
        np.sqrt(v, out=buf)
        buf *= root_scale
        buf += self.epsilon
        params -= np.divide(grads * gain_grad + m * gain_m, buf, out=buf)


class Adamax(Optimizer):
    """Adamax (Kingma and Ba, 2015, section 7): Adam with the infinity norm.

    ``u = max(beta_2 u, |g| + eps)``, ``w -= lr / (1 - beta_1**t) * m / u``,
    as PyTorch computes it.

    Parameters
    ----------
    beta_1 : float, default=0.9
        Decay of the first moment.
    beta_2 : float, default=0.999
        Decay of the infinity norm.
    epsilon : float, default=1e-8
        Added to ``|g|`` for numerical stability.
    weight_decay : float, default=0.0
        Decoupled weight decay of the weights.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn.optimizers import Adamax
    >>> w = np.array([1.0]); opt = Adamax(); opt.build(1, w.dtype)
    >>> opt.step(w, np.array([0.5]), lr=0.1); w.round(6)
    array([0.9])
    """

    _parameter_constraints: dict = {
        "beta_1": [BELOW_ONE],
        "beta_2": [BELOW_ONE],
        "epsilon": [_EPSILON],
        "weight_decay": [NON_NEGATIVE],
    }

    def __init__(self, beta_1=0.9, beta_2=0.999, epsilon=1e-8, weight_decay=0.0):
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.weight_decay = weight_decay

    _penalties_reach_kernel_through = ("_update",)

    def _build_state(self, n_params, dtype):
        self.m_ = self._zeros(n_params, dtype)
        self.u_ = self._zeros(n_params, dtype)

    def _update(self, params, grads, lr):
        m, u = self.m_, self.u_
        step_size = lr / (1 - self.beta_1**self.t_)
        b1 = self.beta_1
        scalars = (b1, 1 - b1, self.beta_2, self.epsilon, step_size)
        if self._run_kernel(kernels.adamax, (params, grads, m, u), *scalars):
            return
        buf = self._buffer
        m *= self.beta_1
        m += np.multiply(grads, 1 - self.beta_1, out=buf)
        u *= self.beta_2
        np.abs(grads, out=buf)
        buf += self.epsilon
        np.maximum(u, buf, out=u)
        np.divide(m, u, out=buf)
        buf *= step_size
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

    _parameter_constraints: dict = {
        "max_fun": [COUNT],
    }

    stochastic = False

    def __init__(self, max_fun=15000):
        self.max_fun = max_fun

    def step(self, params, grads, lr):
        raise TypeError("LBFGS optimizes the full batch; it has no single step.")


SOLVERS = {
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "adagrad": Adagrad,
    "adadelta": Adadelta,
    "rmsprop": RMSprop,
    "adam": Adam,
    "adamw": AdamW,
    "nadam": Nadam,
    "adamax": Adamax,
    "lbfgs": LBFGS,
}
