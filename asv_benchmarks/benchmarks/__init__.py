"""asv benchmarks of sknn against scikit-learn.

OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, when set, slow NumPy's OpenBLAS on the
development machines. OpenBLAS reads them once, when NumPy loads it, and asv's
runner has loaded NumPy (through pympler) before it imports this package. So
when they are set, this package restarts the benchmark process without them
(``os.execve`` of the same command line, which asv's default ``spawn`` launch
method allows: every discovery, ``setup_cache`` and benchmark run is a process
of its own). Only that process changes, never the caller's shell, the tests or
CI. The restarted process records what was removed in ``UNSET_BLAS_ENV``;
``BLASInfo`` reports the kernel threadpoolctl sees. Under the ``forkserver``
launch method a restart is impossible: ``BLAS_ENV_TOO_LATE`` is then True and
``BLASInfo`` says so.
"""

import os
import sys

_BLAS_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
_RECORD = "SKNN_BENCH_UNSET_BLAS_ENV"


def _clean_blas_env():
    found = {k: os.environ[k] for k in _BLAS_ENV if k in os.environ}
    if not found:
        return False
    if "numpy" not in sys.modules:
        for name in found:
            del os.environ[name]
        os.environ[_RECORD] = " ".join(f"{k}={v}" for k, v in found.items())
        return False
    if len(sys.argv) > 1 and sys.argv[1] == "run_server":
        return True  # a fork server: its socket would not survive a restart
    env = {k: v for k, v in os.environ.items() if k not in _BLAS_ENV}
    env[_RECORD] = " ".join(f"{k}={v}" for k, v in found.items())
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, [sys.executable, *sys.argv], env)


#: True when NumPy had already loaded OpenBLAS with the variables set.
BLAS_ENV_TOO_LATE = _clean_blas_env()

#: Variables removed from the environment of the benchmark process.
UNSET_BLAS_ENV = dict(
    item.split("=", 1) for item in os.environ.get(_RECORD, "").split() if "=" in item
)
