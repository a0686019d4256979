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
