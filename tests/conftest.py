"""Test-session settings."""

# SPDX-License-Identifier: BSD-3-Clause

import os

# scikit-learn's estimator checks include check_array_api_input, which skips
# itself unless SciPy's array API support is on; SciPy reads this variable once,
# on import, so it is set here, before any test module imports SciPy.
os.environ.setdefault("SCIPY_ARRAY_API", "1")
