"""Run a benchmark script without the OpenBLAS tuning variables.

``OPENBLAS_CORETYPE`` and ``OPENBLAS_L2_SIZE`` may be set on the development
machines and slow NumPy's OpenBLAS. OpenBLAS reads them once, when NumPy loads
it, so a script calls ``reexec_without_blas_env()`` before importing NumPy:
the script restarts without them, for its own process only, and records what
it removed in ``$SKNN_BENCH_UNSET_BLAS_ENV``. This module imports nothing
that loads BLAS.
"""

# SPDX-License-Identifier: BSD-3-Clause

import os
import sys

BLAS_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
UNSET_RECORD = "SKNN_BENCH_UNSET_BLAS_ENV"


def reexec_without_blas_env():
    """Restart this script without the OpenBLAS tuning variables, if set.

    Does nothing with ``--keep-blas-env`` on the command line, or once NumPy
    is loaded (too late to matter).
    """
    if "--keep-blas-env" in sys.argv or "numpy" in sys.modules:
        return
    found = {k: os.environ[k] for k in BLAS_ENV if k in os.environ}
    if not found:
        return
    env = {k: v for k, v in os.environ.items() if k not in BLAS_ENV}
    env[UNSET_RECORD] = " ".join(f"{k}={v}" for k, v in found.items())
    os.execve(sys.executable, [sys.executable, *sys.argv], env)
