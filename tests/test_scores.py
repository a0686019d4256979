"""The validation scores equal scikit-learn's to the last bit."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import r2_score

from sknn import MLPRegressor
from sknn._scores import r2_score_of_checked


def _targets(case, rng):
    n = 37
    y = rng.normal(size=(n, 3))
    p = y + rng.normal(scale=0.5, size=(n, 3))
    w = None
    if case == "1-d":
        y, p = y[:, 0], p[:, 0]
    elif case == "one column":
        y, p = y[:, :1], p[:, :1]
    elif case == "F-ordered":
        y, p = np.asfortranarray(y), np.asfortranarray(p)
    elif case == "strided":
        y, p = y[::2, ::2], p[::2, ::2]
    elif case == "weights":
        w = rng.uniform(0, 3, size=n)
        w[3] = 0.0
    elif case == "strided weights":
        w = rng.uniform(0, 3, size=2 * n)[::2]
    elif case == "float32":
        y, p = y.astype(np.float32), p.astype(np.float32)
    elif case == "float32, float64 weights":
        y, p = y.astype(np.float32), p.astype(np.float32)
        w = rng.uniform(0, 3, size=n)
    elif case == "constant target":
        y[:, 0] = 2.5  # zero denominator: 0 for an imperfect fit
        p[:, 1] = y[:, 1]  # perfect: 1
        y[:, 2] = 1.0
        p[:, 2] = 1.0  # both: 1
    elif case == "two rows":
        y, p = y[:2], p[:2]
    return y, p, w


CASES = [
    "2-d",
    "1-d",
    "one column",
    "F-ordered",
    "strided",
    "weights",
    "strided weights",
    "float32",
    "float32, float64 weights",
    "constant target",
    "two rows",
]


@pytest.mark.parametrize("case", CASES)
def test_r2_score_of_checked_is_r2_score_to_the_bit(case):
    rng = np.random.default_rng(CASES.index(case))
    y, p, w = _targets(case, rng)
    expected = r2_score(y, p, sample_weight=w)
    got = r2_score_of_checked(y, p, sample_weight=w)
    assert type(got) is float
    assert got == expected


def test_r2_score_of_checked_keeps_the_one_sample_warning():
    with pytest.warns(UndefinedMetricWarning, match="less than two samples"):
        assert np.isnan(r2_score_of_checked(np.array([1.0]), np.array([2.0])))


def test_regressor_validation_scores_are_r2_scores():
    # Early stopping's scores, recomputed with scikit-learn from the same
    # split (the held-out rows of validation_fraction are drawn from the
    # estimator's seeded generator, so X_val makes the split explicit).
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 5))
    y = np.c_[X @ rng.normal(size=5), X[:, 0] ** 2]
    X_val, y_val = X[:60], y[:60]
    w_val = rng.uniform(0.5, 2, size=60)
    est = MLPRegressor(hidden_layer_sizes=(8,), max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # not converged in 3 epochs
        est.fit(X[60:], y[60:], X_val=X_val, y_val=y_val, sample_weight_val=w_val)
    assert est.history_["val_score"][-1] == r2_score(
        y_val, est.predict(X_val), sample_weight=w_val
    )
