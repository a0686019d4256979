"""Thread limits for BLAS and numexpr, applied for the duration of a call.

The limits are process-wide, while calls may overlap: fits in joblib's
threads, predictions served from several threads. Each limit is shared by the
calls inside it, and the original thread counts come back when the last of
them ends. Restored call by call instead, a call ending while another runs
put back the other's limit, which then outlived both: after two overlapping
fits, SciPy's BLAS stayed on one thread for the rest of the process.

Every change of a limit is made with the calling thread in control of
OpenBLAS (:func:`_blas_control`): threadpoolctl 3.8 lets only one thread,
the first to set a limit, change the count of an OpenBLAS built with
pthreads, and silently ignores the others. Without it, a fit with
``n_threads=1`` in a joblib worker thread ran on all of OpenBLAS's threads
whenever another thread had set a limit first.
"""

# SPDX-License-Identifier: BSD-3-Clause

import functools
import os
import threading
from contextlib import contextmanager

import numexpr
import threadpoolctl
from threadpoolctl import ThreadpoolController

# threadpoolctl 3.8 and later: who may change OpenBLAS's (pthreads) limits.
_clear_blas_control = getattr(
    getattr(threadpoolctl, "OpenBLASController", None),
    "clear_controlling_thread",
    None,
)


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
def _blas_control():
    """Let this thread change OpenBLAS's thread count inside the block.

    threadpoolctl (3.8 and later) gives control of an OpenBLAS with a
    process-wide pool (pthreads) to the first thread that sets a limit, and
    silently ignores the limits other threads set until it lets go, which a
    limit set outside ``with threadpool_limits(...)`` never does. sknn's
    calls share their limits among themselves (:func:`_shared_limit`),
    whichever thread makes them, so this thread takes control for the change
    and gives it up after, leaving no thread in control: a later
    ``threadpool_limits`` in any thread then takes effect too.
    """
    if _clear_blas_control is None:  # threadpoolctl before 3.8
        yield
        return
    _clear_blas_control(force=True)
    try:
        yield
    finally:
        _clear_blas_control()  # ours now: given up without force


_shared_limits_lock = threading.Lock()
# name -> (restore the original, [(apply, thread id) of each call inside])
_shared_limits = {}


def _after_fork_in_child():
    """Keep only the forking thread's calls: the child has no other thread.

    A lock held by another thread at the fork would stay held forever, and
    that thread's calls would never leave to restore the original limits.
    """
    global _shared_limits_lock
    _shared_limits_lock = threading.Lock()
    me = threading.get_ident()
    for name, (original, inside) in list(_shared_limits.items()):
        mine = [entry for entry in inside if entry[1] == me]
        if not mine:
            del _shared_limits[name]
            with _blas_control():
                original()
            continue
        if mine[-1] is not inside[-1]:
            with _blas_control():
                mine[-1][0]()
        inside[:] = mine


os.register_at_fork(after_in_child=_after_fork_in_child)


@contextmanager
def _shared_limit(name, apply):
    """Run the block under ``apply()``, shared with overlapping calls.

    ``apply`` sets the limit and returns a function that restores what it
    found. The limit of the latest call to enter holds; when it leaves, the
    latest call still inside gets its limit back (so nested calls unwind as
    a stack), and when the last one leaves, the original comes back.
    """
    with _shared_limits_lock, _blas_control():
        restore = apply()
        original, inside = _shared_limits.setdefault(name, (restore, []))
        entry = (apply, threading.get_ident())  # told apart by identity
        inside.append(entry)
    try:
        yield
    finally:
        with _shared_limits_lock, _blas_control():
            latest = inside[-1] is entry
            del inside[next(i for i, e in enumerate(inside) if e is entry)]
            if not inside:
                del _shared_limits[name]
                original()
            elif latest:
                reapply, _ = inside[-1]
                reapply()  # its restore function is not needed


def _limit_blas_and_numexpr(n_threads):
    # BLAS first: had it failed after numexpr was set, nothing would restore
    # numexpr's count.
    blas = _thread_pools().limit(limits=n_threads, user_api="blas")
    # Above its maximum (NUMEXPR_MAX_THREADS, 64 by default) numexpr prints an
    # error and keeps its count; BLAS caps a large limit at its own size.
    previous_numexpr = numexpr.set_num_threads(min(n_threads, numexpr.MAX_THREADS))

    def restore():
        blas.restore_original_limits()
        numexpr.set_num_threads(previous_numexpr)

    return restore


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
    n_threads = int(n_threads)  # threadpoolctl refuses NumPy integers
    with _shared_limit("blas+numexpr", lambda: _limit_blas_and_numexpr(n_threads)):
        yield


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
    apply = lambda: scipy_blas.limit(limits=1).restore_original_limits  # noqa: E731
    with _shared_limit("scipy blas", apply):
        yield
