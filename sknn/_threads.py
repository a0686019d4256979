"""Thread limits for BLAS and numexpr, applied for the duration of a call."""

# SPDX-License-Identifier: BSD-3-Clause

import functools
from contextlib import contextmanager

import numexpr
from threadpoolctl import ThreadpoolController


@functools.cache
def _blas_controller():
    # Finding the loaded thread pools scans every shared library of the
    # process (~1-5 ms); a limit on a found controller costs ~30 us. Done once:
    # the BLAS libraries sknn computes with (NumPy's, SciPy's) are loaded by
    # the time sknn is imported.
    return ThreadpoolController().select(user_api="blas")


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
        with _blas_controller().limit(limits=n_threads):
            yield
    finally:
        numexpr.set_num_threads(previous)
