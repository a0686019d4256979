"""Local data sets for the benchmarks, cached on disk; nothing is downloaded.

Fashion-MNIST is read by ``sknn.datasets.load_fashion_mnist`` from local IDX
files when they are present (``$SKNN_DATA`` or Debian's
``dataset-fashion-mnist``); otherwise the classification benchmarks fall back
to scikit-learn's bundled digits. Results are memoized by joblib under
``asv_benchmarks/cache/joblib``.
"""

import sys

import numpy as np
from joblib import Memory
from sklearn.datasets import load_digits, make_regression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from .common import CACHE_DIR

M = Memory(location=str(CACHE_DIR / "joblib"), verbose=0)


@M.cache
def _fashion_mnist_dataset(n_train=10000, n_test=2000, dtype=np.float32):
    from sknn.datasets import load_fashion_mnist

    data = load_fashion_mnist()  # float32 in [0, 1]
    # The files' order is already shuffled, with balanced classes.
    X = data.X_train[:n_train].astype(dtype)
    X_val = data.X_test[:n_test].astype(dtype)
    y = data.y_train[:n_train].astype(np.int64)
    y_val = data.y_test[:n_test].astype(np.int64)
    return X, X_val, y, y_val


@M.cache
def _digits_dataset(n_samples=None, dtype=np.float32):
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(dtype)[:n_samples]
    y = y[:n_samples]
    return tuple(train_test_split(X, y, test_size=0.2, random_state=0, stratify=y))


@M.cache
def _synth_regression_dataset(n_samples=5000, n_features=100, dtype=np.float32):
    X, y = make_regression(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=n_features // 10,
        noise=10,
        random_state=0,
    )
    X = StandardScaler().fit_transform(X).astype(dtype)
    y = ((y - y.mean()) / y.std()).astype(dtype)
    return tuple(train_test_split(X, y, test_size=0.1, random_state=0))


def image_classification_dataset(n_train, n_test, dtype):
    """Fashion-MNIST subset when present, else digits (with a note on stderr)."""
    try:
        return _fashion_mnist_dataset(n_train, n_test, dtype)
    except OSError as exc:
        print(f"Fashion-MNIST not found ({exc}); using digits", file=sys.stderr)
        return _digits_dataset(dtype=dtype)
