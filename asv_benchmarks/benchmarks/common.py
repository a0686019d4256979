"""Base classes shared by the benchmarks, in the style of scikit-learn's suite.

A benchmark class combines ``Benchmark`` (timing settings from ``config.json``),
``Estimator`` (fit once per parameter set in ``setup_cache``; ``time_fit``,
``peakmem_fit``, ``track_test_score``, ``track_n_iter``) and ``Predictor``
(``time_predict``, ``time_predict_proba``), and defines ``params`` (``impl``
first: ``"sknn"`` or ``"sklearn"``), ``make_data`` and ``make_estimator``.
"""

import itertools
import json
import pickle
import timeit
import warnings
from abc import ABC, abstractmethod
from pathlib import Path

from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

BENCHMARKS_DIR = Path(__file__).resolve().parent
CACHE_DIR = BENCHMARKS_DIR.parent / "cache"


def get_from_config():
    """``(profile, n_threads)`` from ``config.json`` (``//`` comment lines allowed)."""
    with open(BENCHMARKS_DIR / "config.json") as f:
        text = "".join(line for line in f if not line.lstrip().startswith("//"))
    config = json.loads(text)
    return config["profile"], config["n_threads"]


PROFILE, N_THREADS = get_from_config()


def estimator_class(impl, kind="classifier"):
    """The MLP estimator class of ``impl`` (``"sknn"`` or ``"sklearn"``)."""
    if impl == "sknn":
        from sknn import MLPClassifier, MLPRegressor
    elif impl == "sklearn":
        from sklearn.neural_network import MLPClassifier, MLPRegressor
    else:
        raise ValueError(f"unknown impl {impl!r}")
    return MLPClassifier if kind == "classifier" else MLPRegressor


def fit_quietly(estimator, X, y):
    """Fit without the ConvergenceWarning of a capped number of epochs."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


def _cache_path(benchmark, kind, params):
    name = "_".join(map(str, params))
    return CACHE_DIR / "tmp" / f"{type(benchmark).__name__}_{kind}_{name}.pkl"


class Benchmark(ABC):
    """Timing settings of every benchmark."""

    timer = timeit.default_timer  # wall time
    processes = 1
    timeout = 600
    number = 1  # a fit is long enough to time one call at a time

    profile = PROFILE
    if PROFILE == "fast":
        warmup_time = 0
        repeat = 1
        min_run_count = 1
        data_size = "small"
    elif PROFILE == "regular":
        warmup_time = 0
        repeat = (3, 10, 60)
        data_size = "small"
    elif PROFILE == "large_scale":
        warmup_time = 0
        repeat = 3
        data_size = "large"
    else:
        raise ValueError(f"unknown profile {PROFILE!r} in config.json")

    @property
    @abstractmethod
    def params(self):
        pass


class Estimator(ABC):
    """Fit benchmarks; every parameter set is fitted once in ``setup_cache``.

    Subclasses define ``setup_cache`` as ``super().setup_cache()`` (asv keys the
    cache by where the method is defined, so each class needs its own).
    """

    @abstractmethod
    def make_data(self, params):
        """``(X, X_val, y, y_val)`` for a parameter set."""

    @abstractmethod
    def make_estimator(self, params):
        """An unfitted estimator for a parameter set."""

    def skip(self, params):
        return False

    def setup_cache(self):
        (CACHE_DIR / "tmp").mkdir(parents=True, exist_ok=True)
        for params in itertools.product(*self.params):
            if self.skip(params):
                continue
            data = self.make_data(params)
            with open(_cache_path(self, "data", params), "wb") as f:
                pickle.dump(data, f)
            X, _, y, _ = data
            with threadpool_limits(limits=N_THREADS):
                estimator = fit_quietly(self.make_estimator(params), X, y)
            with open(_cache_path(self, "estimator", params), "wb") as f:
                pickle.dump(estimator, f)

    def setup(self, *params):
        if self.skip(params):
            raise NotImplementedError("skipped parameter combination")
        with open(_cache_path(self, "data", params), "rb") as f:
            self.X, self.X_val, self.y, self.y_val = pickle.load(f)
        with open(_cache_path(self, "estimator", params), "rb") as f:
            self.estimator = pickle.load(f)
        self._limits = threadpool_limits(limits=N_THREADS)
        self._warm_up()

    def _warm_up(self):
        """Fit a copy on a few rows and predict one row.

        The first call in a process imports numba and loads sknn's compiled
        kernels from their cache (about half a second); this keeps that out
        of the timings, which ``--quick`` takes from a single call.
        """
        warm = clone(self.estimator).set_params(max_iter=1)
        fit_quietly(warm, self.X[:64], self.y[:64])
        warm.predict(self.X_val[:1])

    def teardown(self, *params):
        limits = getattr(self, "_limits", None)
        if limits is not None:
            limits.restore_original_limits()

    def time_fit(self, *params):
        fit_quietly(self.estimator, self.X, self.y)

    def peakmem_fit(self, *params):
        fit_quietly(self.estimator, self.X, self.y)

    def track_test_score(self, *params):
        """Accuracy (classifiers) or R^2 (regressors) on the held-out rows."""
        return float(self.estimator.score(self.X_val, self.y_val))

    track_test_score.unit = "score"

    def track_n_iter(self, *params):
        """Epochs the fit of ``setup_cache`` ran (``n_iter_``)."""
        return float(self.estimator.n_iter_)

    track_n_iter.unit = "epochs"


class Predictor(ABC):
    """Prediction benchmarks on the held-out rows."""

    @property
    @abstractmethod
    def params(self):  # abstract, so that asv does not collect the mixin itself
        pass

    def time_predict(self, *params):
        self.estimator.predict(self.X_val)

    def time_predict_one_row(self, *params):
        # Serving latency: input validation costs more than the network here.
        self.estimator.predict(self.X_val[:1])


class ProbaPredictor(Predictor):
    def time_predict_proba(self, *params):
        self.estimator.predict_proba(self.X_val)
