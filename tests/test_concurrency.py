"""Estimators used from several threads at once give the serial results.

joblib's threading backend (``prefer="threads"``, or a dask cluster's
threaded workers) fits several estimators in one process, and services
predict with one fitted model from many threads.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest
from joblib import Parallel, delayed
from numpy.testing import assert_array_equal
from sklearn.datasets import load_digits

from sknn import MLPClassifier, MLPRegressor

X, Y = load_digits(return_X_y=True)
X = X[:400] / 16.0
Y = Y[:400]


# Not converged in a few epochs. (warnings.catch_warnings is not thread-safe:
# the filter is set for the whole test instead.)
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _fit(estimator, X, y):
    return estimator.fit(X, y)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_concurrent_predictions_match_serial_ones(dtype):
    clf = _fit(MLPClassifier(max_iter=3, random_state=0, dtype=dtype), X, Y)
    # Many small calls (the fast path) and a few large ones, interleaved.
    inputs = [X[i::9].astype(dtype) for i in range(9)] + [X[:1].astype(dtype), X]
    serial = [clf.predict_proba(x) for x in inputs]
    with ThreadPoolExecutor(4) as pool:
        for _ in range(20):
            for got, expected in zip(
                pool.map(clf.predict_proba, inputs), serial, strict=True
            ):
                assert_array_equal(got, expected)


@pytest.mark.parametrize("n_threads", [None, 1])
def test_fits_in_threads_match_serial_fits(n_threads):
    def estimators():
        return [
            MLPClassifier(max_iter=3, random_state=seed, n_threads=n_threads)
            for seed in range(3)
        ] + [
            MLPRegressor(
                max_iter=3, random_state=0, early_stopping=True, n_threads=n_threads
            )
        ]

    targets = [Y, Y, Y, Y / 9.0]
    serial = [_fit(est, X, y) for est, y in zip(estimators(), targets, strict=True)]
    threaded = Parallel(n_jobs=2, prefer="threads")(
        delayed(_fit)(est, X, y) for est, y in zip(estimators(), targets, strict=True)
    )
    for a, b in zip(threaded, serial, strict=True):
        for p, q in zip(
            a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True
        ):
            assert_array_equal(p, q)
        assert a.loss_curve_ == b.loss_curve_
