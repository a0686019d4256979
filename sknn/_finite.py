"""The cheapest check we measured that every entry of an array is finite.

Prediction and ``partial_fit`` check their input on every call, as
scikit-learn does. :func:`has_finite_entries` serves the estimators' fast
paths (``sknn._base``), and the dense layers and activations that judge a
prediction's input from the products computed from it
(``Dense.apply_checked``): BLAS row sums for large arrays, ``np.isfinite``
for small ones.
"""

# SPDX-License-Identifier: BSD-3-Clause

import math

import numpy as np
import scipy.sparse as sp

#: Below this many entries, :func:`has_finite_entries` uses ``np.isfinite``.
SMALL = 200_000


def has_finite_entries(X):
    """Whether every entry of the 2-d float array ``X`` is finite.

    Judged from the row sums, a product with a vector of ones: a NaN or an
    infinity makes its row's sum NaN or infinite (no BLAS skips a factor
    of one), and BLAS computes them in about half the time of ``np.sum``
    (3.7 vs 5.8 ms on 10,000 x 784 float64, 1.5 vs 3.5 ms float32, two
    threads): vectorized, multi-threaded, where NumPy's pairwise sum runs on
    one thread. Row sums that overflow from finite entries return False,
    and the caller's full check decides; the check itself warns of nothing
    (scikit-learn's, where it runs, warns as it does).

    Below ``SMALL`` entries ``np.isfinite`` is faster: a call on one row of
    50 features took 5 us against 15 for the product (its vector of ones,
    its error state), and it stays ahead up to about 10^5 entries (40 vs 72
    us on 100 x 784; 490 vs 260 us on 1,000 x 784). Sparse matrices are
    judged from their stored values.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        A float array of any memory layout.

    Returns
    -------
    finite : bool
        True when every entry is finite; False may also mean finite
        entries whose row sums overflow.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn._finite import has_finite_entries
    >>> has_finite_entries(np.array([[1.0, 2.0], [3.0, 4.0]]))
    True
    >>> has_finite_entries(np.array([[1.0, np.nan], [3.0, 4.0]]))
    False
    """
    if sp.issparse(X):
        return bool(np.isfinite(X.data).all())
    if X.size < SMALL:
        return bool(np.isfinite(X).all())
    with np.errstate(over="ignore", invalid="ignore"):
        row_sums = X @ np.ones(X.shape[1], dtype=X.dtype)
        return math.isfinite(row_sums.sum()) or bool(np.isfinite(row_sums).all())
