"""Thread limits for BLAS and numexpr, applied for the duration of a call."""

# SPDX-License-Identifier: BSD-3-Clause

import functools
import os
from contextlib import contextmanager

import numexpr
from threadpoolctl import ThreadpoolController


@functools.cache
def _thread_pools():
    # Finding the loaded thread pools scans every shared library of the
    # process (~1-10 ms); a limit on a found controller costs ~30 us. Done once:
    # the BLAS libraries sknn computes with (NumPy's, SciPy's) are loaded by
    # the time sknn is imported.
    return ThreadpoolController()


@functools.cache
def _scipy_own_blas():
    """threadpoolctl's controller of SciPy's own BLAS, or None if it has none."""
    scipy_blas = [
        lib.filepath
        for lib in _thread_pools().lib_controllers
        if lib.user_api == "blas"
        and os.path.basename(os.path.dirname(lib.filepath)) == "scipy.libs"
    ]
    return _thread_pools().select(filepath=scipy_blas) if scipy_blas else None


@contextmanager
def limit_threads(n_threads):
    """Cap BLAS and numexpr at ``n_threads`` inside the block, then restore.

    ``None`` leaves both as the environment set them.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn._threads import limit_threads
    >>> with limit_threads(1):
    ...     _ = np.ones((4, 4)) @ np.ones((4, 4))
    """
    if n_threads is None:
        yield
        return
    previous = numexpr.set_num_threads(n_threads)
    try:
        with _thread_pools().limit(limits=n_threads, user_api="blas"):
            yield
    finally:
        numexpr.set_num_threads(previous)


@contextmanager
def single_threaded_scipy_blas():
    """Run SciPy's own BLAS, if it ships one apart from NumPy's, on one thread.

    SciPy's BLAS serves L-BFGS-B's internal products and the optimizers'
    ``axpy`` updates (``sknn._blas``): small or memory-bound work, where
    threads only add synchronization. Worse, its idle worker threads spin on
    the cores that NumPy's BLAS needs next: with both pools multi-threaded,
    Adam epochs ran 5 times slower on 2 cores, and L-BFGS fits 3-10 times
    slower. NumPy's BLAS, which the network's matrix products use, keeps its
    threads. Also a decorator.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn._blas import axpy
    >>> from sknn._threads import single_threaded_scipy_blas
    >>> y = np.zeros(3)
    >>> with single_threaded_scipy_blas():
    ...     axpy(2.0, np.ones(3), y)
    >>> y
    array([2., 2., 2.])
    """
    scipy_blas = _scipy_own_blas()
    if scipy_blas is None:
        yield
        return
    with scipy_blas.limit(limits=1):
        yield
