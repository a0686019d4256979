"""Test-session settings."""

# SPDX-License-Identifier: BSD-3-Clause

import os

import pytest

# scikit-learn's estimator checks include check_array_api_input, which skips
# itself unless SciPy's array API support is on; SciPy reads this variable once,
# on import, so it is set here, before any test module imports SciPy.
os.environ.setdefault("SCIPY_ARRAY_API", "1")


@pytest.fixture(params=["kernels", "numpy"])
def kernels(request, monkeypatch):
    """Run a test with the compiled kernels (if numba is here) and without."""
    import sknn._kernels  # here, not above: SciPy must see SCIPY_ARRAY_API first

    if request.param == "numpy":
        monkeypatch.setattr(sknn._kernels, "numba_available", False)
    return request.param


@pytest.fixture
def kernel_then_numpy(monkeypatch):
    """``kernel_then_numpy(compute)``: ``compute()`` with the compiled kernels,
    then with NumPy, as a pair. The first run must have run exactly one kernel
    (an empty table of compiled kernels shows which); skips without numba."""
    import sknn._kernels

    pytest.importorskip("numba")

    def both(compute):
        monkeypatch.setattr(sknn._kernels, "_compiled", {})
        compiled = compute()
        assert len(sknn._kernels._compiled) == 1
        monkeypatch.setattr(sknn._kernels, "numba_available", False)
        return compiled, compute()

    return both
