"""MLP benchmarks: sknn against scikit-learn, parametrized by ``impl``."""

import numpy as np
from threadpoolctl import threadpool_info

from . import BLAS_ENV_TOO_LATE, UNSET_BLAS_ENV
from .common import Benchmark, Estimator, ProbaPredictor, estimator_class
from .datasets import (
    _digits_dataset,
    _synth_regression_dataset,
    image_classification_dataset,
)

IMPLS = ["sknn", "sklearn"]
DTYPES = ["float32", "float64"]


def _fixed_epochs(n_epochs):
    """Settings under which every fit runs exactly ``n_epochs`` epochs."""
    return dict(
        max_iter=n_epochs, tol=0.0, n_iter_no_change=n_epochs, early_stopping=False
    )


class MLPClassifierBenchmark(ProbaPredictor, Estimator, Benchmark):
    """The small net of the side-by-side script on a Fashion-MNIST subset.

    784-256-128-10, ReLU, Adam, batch 256, a fixed 3 epochs (so ``time_fit`` is
    3 epochs of work for every implementation and ``track_n_iter`` is 3), on
    6000 training rows (all 60000 with the ``large_scale`` profile) and 2000
    test rows. Digits stand in when Fashion-MNIST is not on disk.
    """

    param_names = ["impl", "dtype"]
    params = (IMPLS, DTYPES)

    def setup_cache(self):
        super().setup_cache()

    def make_data(self, params):
        _, dtype = params
        if Benchmark.data_size == "large":
            return image_classification_dataset(60000, 10000, np.dtype(dtype))
        return image_classification_dataset(6000, 2000, np.dtype(dtype))

    def make_estimator(self, params):
        impl, _ = params
        return estimator_class(impl)(
            hidden_layer_sizes=(256, 128),
            solver="adam",
            learning_rate_init=1e-3,
            batch_size=256,
            random_state=0,
            **_fixed_epochs(3),
        )


class MLPClassifierDigitsBenchmark(ProbaPredictor, Estimator, Benchmark):
    """Small data, where per-batch Python overhead dominates.

    Digits (1437 training rows), 64-100-10, batch 32, Adam, and scikit-learn's
    default stopping rule (``tol=1e-4``, 10 epochs without improvement,
    ``max_iter=200``): ``time_fit`` is the time to convergence and
    ``track_n_iter`` shows whether both implementations converge alike.
    """

    param_names = ["impl", "dtype"]
    params = (IMPLS, DTYPES)

    def setup_cache(self):
        super().setup_cache()

    def make_data(self, params):
        _, dtype = params
        return _digits_dataset(dtype=np.dtype(dtype))

    def make_estimator(self, params):
        impl, _ = params
        return estimator_class(impl)(
            hidden_layer_sizes=(100,), batch_size=32, max_iter=200, random_state=0
        )


class MLPClassifierPartialFitBenchmark:
    """Online learning: one ``partial_fit`` call on a batch of 32 digits.

    64-100-10, Adam; the model has seen one batch (and the classes) in
    ``setup``. A call's update on 32 rows takes well under a millisecond, so
    this measures what each call pays around it (input and label checks,
    re-seeding the generator, buffers).
    """

    param_names = ["impl", "dtype"]
    params = (IMPLS, DTYPES)

    def setup(self, impl, dtype):
        X_train, _, y_train, _ = _digits_dataset(dtype=np.dtype(dtype))
        self.X, self.y = X_train[:32], y_train[:32]
        self.estimator = estimator_class(impl)(
            hidden_layer_sizes=(100,), random_state=0
        )
        self.estimator.partial_fit(self.X, self.y, classes=np.arange(10))

    def time_partial_fit(self, impl, dtype):
        self.estimator.partial_fit(self.X, self.y)


class MLPRegressorBenchmark(Estimator, Benchmark):
    """Regression: 4500 synthetic rows x 100 features, 100-100-1, 20 epochs."""

    param_names = ["impl", "dtype"]
    params = (IMPLS, DTYPES)

    def setup_cache(self):
        super().setup_cache()

    def make_data(self, params):
        _, dtype = params
        n_samples = 50000 if Benchmark.data_size == "large" else 5000
        return _synth_regression_dataset(n_samples=n_samples, dtype=np.dtype(dtype))

    def make_estimator(self, params):
        impl, _ = params
        return estimator_class(impl, "regressor")(
            hidden_layer_sizes=(100,),
            batch_size=200,
            random_state=0,
            **_fixed_epochs(20),
        )

    def time_predict(self, *params):
        self.estimator.predict(self.X_val)


class MLPRegressorEarlyStoppingBenchmark(MLPRegressorBenchmark):
    """Small regression with early stopping: 2000 synthetic rows x 20 features,
    20-100-1, scikit-learn's defaults, a fixed 30 epochs, each scored on the
    held-out 10 %: on data this small, the validation score is a large part
    of an epoch."""

    def setup_cache(self):
        super().setup_cache()

    def make_data(self, params):
        _, dtype = params
        return _synth_regression_dataset(
            n_samples=2000, n_features=20, dtype=np.dtype(dtype)
        )

    def make_estimator(self, params):
        impl, _ = params
        # tol=0 and n_iter_no_change=max_iter: early stopping scores every
        # epoch but never stops before the 30th.
        return estimator_class(impl, "regressor")(
            early_stopping=True, max_iter=30, tol=0.0, n_iter_no_change=30,
            random_state=0,
        )  # fmt: skip


def _blas_kernel():
    """What threadpoolctl sees of NumPy's BLAS, as one string."""
    blas = [i for i in threadpool_info() if i["user_api"] == "blas"]
    if not blas:
        return "no-blas"
    # NumPy's own BLAS, the one sknn's GEMMs use (SciPy may load another).
    info = next((i for i in blas if "numpy" in i["filepath"]), blas[0])
    label = (
        f"{info['internal_api']}-{info.get('version')}-{info.get('architecture', '?')}"
    )
    if UNSET_BLAS_ENV:
        label += "-unset:" + ",".join(sorted(UNSET_BLAS_ENV))
    if BLAS_ENV_TOO_LATE:
        label += "-TOO-LATE"
    return label


class BLASInfo:
    """Which BLAS kernel and how many threads the benchmarks ran with.

    The kernel (e.g. ``openblas-0.3.31-SkylakeX``, plus the OpenBLAS variables
    removed from the benchmark process) is the parameter; the value is the
    thread count of NumPy's BLAS.
    """

    param_names = ["blas_kernel"]
    params = [[_blas_kernel()]]

    def track_blas_threads(self, kernel):
        from .common import N_THREADS

        if N_THREADS:
            return float(N_THREADS)
        blas = [i for i in threadpool_info() if i["user_api"] == "blas"]
        info = next((i for i in blas if "numpy" in i["filepath"]), None)
        return float(info["num_threads"]) if info else 0.0

    track_blas_threads.unit = "threads"


class OptimizerStepBenchmark:
    """One optimizer step on the flat parameter vector of the small network.

    235,146 parameters (784-256-128-10), float32 and float64, a fixed random
    gradient. The step is a handful of vectorized passes over the whole
    vector (no loop over layers), so its time should stay within a small
    multiple of one pass, ``baseline`` (``params -= grads``). SciPy's own BLAS
    (the ``axpy`` updates) runs on one thread, as during training.
    """

    param_names = ["solver", "dtype"]
    params = (
        [
            "baseline",
            "sgd",
            "momentum",
            "nesterov",
            "adagrad",
            "adadelta",
            "rmsprop",
            "adam",
            "adamw",
            "nadam",
            "adamax",
        ],
        DTYPES,
    )
    n_params = 235_146

    def setup(self, solver, dtype):
        from sknn._threads import single_threaded_scipy_blas
        from sknn.optimizers import SOLVERS

        rng = np.random.default_rng(0)
        self.params = rng.standard_normal(self.n_params).astype(dtype)
        self.grads = rng.standard_normal(self.n_params).astype(dtype) * 1e-3
        self.optimizer = None
        if solver != "baseline":
            self.optimizer = SOLVERS[solver]()
            self.optimizer.build(self.n_params, np.dtype(dtype))
            self.optimizer.step(self.params, self.grads.copy(), 1e-3)  # warm up
        self._blas = single_threaded_scipy_blas()
        self._blas.__enter__()

    def teardown(self, solver, dtype):
        self._blas.__exit__(None, None, None)

    def time_step(self, solver, dtype):
        if self.optimizer is None:
            self.params -= self.grads
        else:
            self.optimizer.step(self.params, self.grads, 1e-3)
