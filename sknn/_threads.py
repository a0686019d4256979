"""Thread limits for BLAS and numexpr, applied for the duration of a call."""

# SPDX-License-Identifier: BSD-3-Clause

from contextlib import contextmanager

import numexpr
from threadpoolctl import threadpool_limits


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
        with threadpool_limits(limits=n_threads, user_api="blas"):
            yield
    finally:
        numexpr.set_num_threads(previous)
