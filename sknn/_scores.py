"""Validation scores without scikit-learn's per-call input checks.

Early stopping and ``X_val`` score the network on held-out data after every
epoch. scikit-learn's ``r2_score`` spends about 0.8 ms a call validating its
inputs (parameter validation, array namespaces, ``check_array`` twice),
a fifth of an epoch on a few thousand rows; the arithmetic takes
microseconds. The validation arrays are already checked, so the score is
computed here, with scikit-learn's operations in its order, which gives the
same value to the last bit (the tests hold the two equal).
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from sklearn.metrics import r2_score


def r2_score_of_checked(y_true, y_pred, sample_weight=None):
    """``r2_score(y_true, y_pred, sample_weight=sample_weight)`` of checked
    arrays: finite floats, consistent lengths, non-negative weights.

    Parameters
    ----------
    y_true : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        True targets.
    y_pred : ndarray of the same shape
        Predictions.
    sample_weight : ndarray of shape (n_samples,), default=None
        Weights of the samples.

    Returns
    -------
    score : float
        The coefficient of determination, averaged over outputs.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn._scores import r2_score_of_checked
    >>> r2_score_of_checked(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 4.0]))
    0.5
    """
    if y_true.shape[0] < 2:
        # Undefined: scikit-learn's warning and NaN.
        return r2_score(y_true, y_pred, sample_weight=sample_weight)
    floats = [y_true, y_pred] + ([] if sample_weight is None else [sample_weight])
    dtype = np.result_type(*floats)
    y_true = y_true.astype(dtype, copy=False).reshape(y_true.shape[0], -1)
    y_pred = y_pred.astype(dtype, copy=False).reshape(y_pred.shape[0], -1)
    if sample_weight is None:
        weight = 1.0
    else:
        sample_weight = np.ascontiguousarray(sample_weight, dtype=dtype)
        weight = sample_weight[:, np.newaxis]
    # scikit-learn's expressions, operand for operand: the sums' order, and
    # so their rounding, follows the arrays' layout.
    numerator = np.sum(weight * (y_true - y_pred) ** 2, axis=0)
    mean = np.average(y_true, axis=0, weights=sample_weight)
    denominator = np.sum(weight * (y_true - mean) ** 2, axis=0)
    # A perfect fit scores 1, an imperfect fit of a constant target 0.
    scores = np.ones(y_true.shape[1], dtype=numerator.dtype)
    nonzero_numerator, nonzero_denominator = numerator != 0, denominator != 0
    valid = nonzero_numerator & nonzero_denominator
    scores[valid] = 1 - (numerator[valid] / denominator[valid])
    scores[nonzero_numerator & ~nonzero_denominator] = 0.0
    return float(np.average(scores))
