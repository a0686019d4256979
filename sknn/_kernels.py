"""Compiled one-pass optimizer updates, used when numba is installed.

An optimizer step written with NumPy ufuncs makes several passes over vectors
of the parameters' size: nine for Adam (scale ``m``, add the gradient, scale
``v``, square, add, root, add epsilon, divide, update), four for momentum SGD.
Between two steps the matrix products evict those vectors from the caches, so
every pass comes from memory. Each kernel here reads every vector once and
writes the ones it updates once. Measured per step on 235,146 parameters
(the 784-256-128-10 network) after a cache-evicting batch, as in training
(2-core AMD EPYC, OpenBLAS Haswell kernel), NumPy's code -> the kernel, in ms:

==========  ============  ============
optimizer   float32       float64
==========  ============  ============
sgd         0.34 -> 0.21  0.68 -> 0.39
momentum    0.23 -> 0.22  0.65 -> 0.49
adagrad     0.54 -> 0.20  1.13 -> 0.38
adadelta    1.02 -> 0.21  2.91 -> 0.70
rmsprop     0.79 -> 0.31  1.69 -> 0.45
adam        0.91 -> 0.34  1.86 -> 0.52
adamw       1.09 -> 0.50  2.28 -> 0.91
nadam       1.58 -> 0.48  3.04 -> 0.77
adamax      0.84 -> 0.20  1.30 -> 0.60
amsgrad     1.97 -> 0.45  2.16 -> 0.67
==========  ============  ============

On the 1,863,690 parameters of 784-1024-1024-10, Adam went from 8.7 to
2.4 ms (float32) and from 18.8 to 4.3 ms (float64). Whole epochs ran 11-13 %
faster with Adam and 5-8 % with SGD, in paired comparisons. Every stochastic
optimizer of :mod:`sknn.optimizers` has a kernel (Adam's ``amsgrad`` variant
its own), with the arithmetic, operation for operation, of its NumPy code, so
the two agree up to the rounding of fused operations.

Each kernel also takes the weight penalties, ``l2`` (the L2 term's gradient
``l2 * w`` added to the gradient) and ``shrink`` (decoupled weight decay,
``w *= shrink``), applied by :func:`run_penalized` to the weights only: done
with NumPy they cost a pass over three vectors and one over the weights.
With scikit-learn's default ``alpha=1e-4`` and Adam, whole epochs ran 3-6 %
(784-256-128-10) and 3-6.5 % (784-1024-1024-10) faster with the L2 term in
the kernel's pass than added to the gradient, in paired comparisons.

numba is optional (``pip install "sknn[numba]"``): without it, or where
:func:`kernels_apply` does not hold (:func:`run` then says so), the
optimizers run their NumPy code. The
kernels run on the calling thread and release the GIL; they add no thread
pool. Scalars reach them in the arrays' dtype (see :func:`run`): a Python
float in the loop would promote float32 arithmetic to float64 and keep it
from vectorizing.
"""

# SPDX-License-Identifier: BSD-3-Clause

import importlib.util
import sys

import numpy as np

#: Whether numba is installed. It is imported, and the kernels compiled, on
#: the first step that runs one: importing numba takes about half a second,
#: ten times as long as importing sknn without it.
numba_available = importlib.util.find_spec("numba") is not None

_compiled = {}
_FLOAT32, _FLOAT64 = np.dtype(np.float32), np.dtype(np.float64)
_UNCAST_FLOAT64 = (float, bool)  # np.float64 is a float too


def adam(params, grads, m, v, v_max, l2, shrink, beta_1, keep_grad, beta_2,
         keep_square, step_size, root_scale, epsilon, amsgrad):  # fmt: skip
    """``m = beta_1 m + keep_grad g``, ``v = beta_2 v + keep_square g^2``,
    ``params -= step_size * m / (root_scale * sqrt(v) + epsilon)``; with
    ``amsgrad``, ``v_max = max(v_max, v)`` takes ``v``'s place in the step
    (``v_max`` may be empty otherwise)."""
    for i in range(params.shape[0]):
        w = params[i]
        g = grads[i] + l2 * w
        m_i = beta_1 * m[i] + keep_grad * g
        v_i = beta_2 * v[i] + keep_square * (g * g)
        m[i] = m_i
        v[i] = v_i
        if amsgrad:
            v_i = np.maximum(v_max[i], v_i)
            v_max[i] = v_i
        params[i] = w * shrink - step_size * (
            m_i / (root_scale * np.sqrt(v_i) + epsilon)
        )


def sgd(params, grads, velocity, l2, shrink, momentum, lr, nesterov):
    """``v = momentum v - lr g``, then ``params += momentum v - lr g``
    (Nesterov, as scikit-learn has it) or ``params += v``."""
    for i in range(params.shape[0]):
        w = params[i]
        step = lr * (grads[i] + l2 * w)
        v_i = momentum * velocity[i] - step
        velocity[i] = v_i
        if nesterov:
            params[i] = w * shrink + (momentum * v_i - step)
        else:
            params[i] = w * shrink + v_i


def adagrad(params, grads, sum_squares, l2, shrink, lr, epsilon):
    """``s += g^2``, ``params -= lr * g / (sqrt(s) + epsilon)``."""
    for i in range(params.shape[0]):
        w = params[i]
        g = grads[i] + l2 * w
        s = sum_squares[i] + g * g
        sum_squares[i] = s
        params[i] = w * shrink - lr * (g / (np.sqrt(s) + epsilon))


def adadelta(params, grads, square_avg, delta_avg, l2, shrink, rho, keep, lr,
             epsilon):  # fmt: skip
    """AdaDelta: the step ``d = sqrt(D + eps) / sqrt(S + eps) * g`` from the
    decaying averages ``S`` of ``g^2`` and ``D`` of ``d^2``."""
    for i in range(params.shape[0]):
        w = params[i]
        g = grads[i] + l2 * w
        s = rho * square_avg[i] + (g * g) * keep
        square_avg[i] = s
        d = np.sqrt(delta_avg[i] + epsilon) / np.sqrt(s + epsilon) * g
        delta_avg[i] = rho * delta_avg[i] + (d * d) * keep
        params[i] = w * shrink - d * lr


def rmsprop(params, grads, square_avg, grad_avg, velocity, l2, shrink, rho, keep,
            lr, epsilon, momentum, centered, with_momentum):  # fmt: skip
    """RMSprop, optionally centered (``grad_avg``) and with momentum
    (``velocity``); the unused state vectors may be empty."""
    for i in range(params.shape[0]):
        w = params[i]
        g = grads[i] + l2 * w
        s = rho * square_avg[i] + (g * g) * keep
        square_avg[i] = s
        if centered:
            a = rho * grad_avg[i] + g * keep
            grad_avg[i] = a
            s = s - a * a
        step = g / (np.sqrt(s) + epsilon)
        if with_momentum:
            step = momentum * velocity[i] + step
            velocity[i] = step
        params[i] = w * shrink - step * lr


def nadam(params, grads, m, v, l2, shrink, beta_1, keep_grad, beta_2, keep_square,
          root_scale, epsilon, gain_grad, gain_m):  # fmt: skip
    """Nadam: Adam's moments, then
    ``params -= (gain_grad g + gain_m m) / (root_scale * sqrt(v) + epsilon)``."""
    for i in range(params.shape[0]):
        w = params[i]
        g = grads[i] + l2 * w
        m_i = beta_1 * m[i] + g * keep_grad
        v_i = beta_2 * v[i] + (g * g) * keep_square
        m[i] = m_i
        v[i] = v_i
        params[i] = w * shrink - (g * gain_grad + m_i * gain_m) / (
            np.sqrt(v_i) * root_scale + epsilon
        )


def adamax(params, grads, m, u, l2, shrink, beta_1, keep_grad, beta_2, epsilon,
           step_size):  # fmt: skip
    """Adamax: ``u = max(beta_2 u, |g| + epsilon)``,
    ``params -= step_size * m / u``."""
    for i in range(params.shape[0]):
        w = params[i]
        g = grads[i] + l2 * w
        m_i = beta_1 * m[i] + g * keep_grad
        u_i = np.maximum(u[i] * beta_2, np.abs(g) + epsilon)
        m[i] = m_i
        u[i] = u_i
        params[i] = w * shrink - (m_i / u_i) * step_size


def compiled(kernel):
    """``kernel`` compiled (or loaded from numba's cache) on first use; None
    without numba.

    :func:`run` calls it after checking its arrays; callers whose arrays
    :func:`kernels_apply` does not describe (an integer index beside float
    data, say) check them themselves.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn._layer_kernels import gather_rows
    >>> X, out = np.arange(6.0).reshape(3, 2), np.empty((2, 2))
    >>> compiled(gather_rows)(X, np.array([2, 0]), out)  # numba is here
    >>> out
    array([[4., 5.],
           [0., 1.]])
    """
    if not numba_available:
        return None
    kernel_compiled = _compiled.get(kernel)
    if kernel_compiled is None:
        import numba

        # error_model="numpy": a division by zero gives inf as in NumPy,
        # instead of a Python exception whose check keeps the loop from being
        # vectorized.
        options = dict(cache=True, nogil=True, error_model="numpy")
        # Helpers are inlined into each kernel's code: called, the softmax
        # row of the loss kernel ran 10-28 % slower.
        helper_jit = numba.njit(inline="always", **options)
        _compile_helpers(sys.modules[kernel.__module__], helper_jit)
        kernel_compiled = _compiled[kernel] = numba.njit(**options)(kernel)
    return kernel_compiled


def _compile_helpers(module, jit):
    """Replace the functions ``module.HELPERS`` names by their compiled form.

    A compiled kernel can only call compiled functions, and the kernels'
    modules import no numba, so the functions that several kernels share
    are compiled here, before the first kernel that may call them. Compiled,
    they still run from Python.
    """
    for name in getattr(module, "HELPERS", ()):
        helper = getattr(module, name)
        if not hasattr(helper, "py_func"):  # not compiled yet
            setattr(module, name, jit(helper))


def kernels_apply(*arrays):
    """Whether the compiled kernels can run on ``arrays``.

    numba is installed, and the arrays are C-contiguous, writeable and all
    of one float dtype. Their shapes are the kernel's: 1-d for the optimizer
    updates here, as :mod:`sknn._layer_kernels` documents for its own.

    Examples
    --------
    >>> import numpy as np
    >>> kernels_apply(np.zeros(3), np.zeros(3, dtype=np.float32))
    False
    """
    if not numba_available:
        return False
    dtype = arrays[0].dtype
    if dtype != _FLOAT32 and dtype != _FLOAT64:
        return False
    # A plain loop: this runs several times per batch, and all() over a
    # generator cost as much as a small kernel.
    for a in arrays:
        flags = a.flags
        if a.dtype != dtype or not (flags.c_contiguous and flags.writeable):
            return False
    return True


def run(kernel, arrays, *scalars):
    """Run ``kernel`` on ``arrays`` if the kernels apply to them.

    The scalars are cast to the arrays' dtype; booleans (the kernels'
    switches) are passed as they are. Where :func:`kernels_apply` does not
    hold, nothing runs and the caller takes its NumPy path.

    Parameters
    ----------
    kernel : callable
        One of this module's kernels or of :mod:`sknn._layer_kernels`, in
        its Python form; its compiled version runs.
    arrays : tuple of ndarray
        The kernel's arrays, in its order: for an optimizer update the
        parameters, their gradient and the state vectors, updated in place,
        the gradient excepted.
    *scalars : float or bool
        The kernel's remaining arguments.

    Returns
    -------
    ran : bool
        Whether the kernel ran.

    Examples
    --------
    The first step of PyTorch's Adam at lr 0.1 moves each parameter by 0.1:

    >>> import numpy as np
    >>> p, g = np.array([1.0]), np.array([0.5])
    >>> m, v = np.zeros(1), np.zeros(1)
    >>> beta_1, beta_2 = 0.9, 0.999
    >>> no_penalty = (0.0, 1.0)  # l2, shrink: see run_penalized
    >>> run(adam, (p, g, m, v, np.empty(0)), *no_penalty, beta_1, 1 - beta_1,
    ...     beta_2, 1 - beta_2, 0.1 / (1 - beta_1), 1 / np.sqrt(1 - beta_2), 0.0,
    ...     False)  # numba is here
    True
    >>> p.round(6), m
    (array([0.9]), array([0.05]))
    """
    if not kernels_apply(*arrays):
        return False
    compiled(kernel)(*arrays, *_cast(arrays[0].dtype, scalars))
    return True


def run_penalized(kernel, arrays, n_penalized, l2, shrink, *scalars):
    """Run an optimizer ``kernel`` with the weight penalties in its pass.

    The leading ``n_penalized`` entries (the network's weights) get the L2
    penalty's gradient ``l2 * w`` added to their gradient and are multiplied
    by ``shrink`` (decoupled weight decay) before the update, as the kernels'
    ``l2`` and ``shrink`` arguments do; the others get neither. Done in the
    kernel's pass, this spares the two passes over the weights that adding
    the term and shrinking them with NumPy take. Without penalties, or when
    they cover the whole vector, the kernel runs once; else once per part.

    Parameters
    ----------
    kernel : callable
        An optimizer kernel of this module, in its Python form.
    arrays : tuple of ndarray
        Its 1-d arrays, the parameters first; empty ones (unused state) stay
        empty in both parts.
    n_penalized : int
        How many leading parameters the penalties apply to.
    l2 : float
        Coefficient of the L2 term.
    shrink : float
        Factor of the decoupled weight decay (1 for none).
    *scalars : float or bool
        The kernel's remaining arguments.

    Returns
    -------
    ran : bool
        Whether the kernel ran; if not, nothing was applied.

    Examples
    --------
    Plain SGD at lr 0.1 with an L2 term on the first parameter only:

    >>> import numpy as np
    >>> p, g = np.array([1.0, 1.0]), np.array([0.5, 0.5])
    >>> run_penalized(sgd, (p, g, np.zeros(2)), 1, 2.0, 1.0, 0.0, 0.1, False)
    True
    >>> p  # 1 - 0.1 * (0.5 + 2.0 * 1), 1 - 0.1 * 0.5
    array([0.75, 0.95])
    """
    if not kernels_apply(*arrays):
        return False
    function, dtype = compiled(kernel), arrays[0].dtype
    scalars = _cast(dtype, scalars)
    if n_penalized <= 0 or (l2 == 0 and shrink == 1):
        function(*arrays, *_cast(dtype, (0.0, 1.0)), *scalars)
    elif n_penalized >= arrays[0].shape[0]:
        function(*arrays, *_cast(dtype, (l2, shrink)), *scalars)
    else:
        head = [a[:n_penalized] for a in arrays]
        tail = [a[n_penalized:] for a in arrays]
        function(*head, *_cast(dtype, (l2, shrink)), *scalars)
        function(*tail, *_cast(dtype, (0.0, 1.0)), *scalars)
    return True


def _cast(dtype, scalars):
    """The scalars in ``dtype``, booleans as they are. numba types a Python
    float as float64 already, so float64 kernels take those uncast (each
    NumPy scalar made costs about a quarter microsecond, per call)."""
    if dtype == _FLOAT64:
        return [s if isinstance(s, _UNCAST_FLOAT64) else float(s) for s in scalars]
    cast = dtype.type
    return [s if isinstance(s, bool) else cast(s) for s in scalars]
