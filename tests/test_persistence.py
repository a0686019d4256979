"""Saving and loading fitted models: pickle, joblib and skops.

A loaded model predicts bitwise as the saved one did, in a fresh process,
and training it further (``partial_fit``, ``warm_start``) continues exactly
as the uninterrupted model would: the optimizer's moments, the schedule, the
training state, the weight average and the noise stream of dropout travel
with it. Bitwise equality holds at a fixed thread count (``n_threads=1``).
"""

# SPDX-License-Identifier: BSD-3-Clause

import io
import json
import pickle
import subprocess
import sys
import textwrap

import joblib
import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression

from sknn import MLPClassifier, MLPRegressor
from sknn.engine import Network

try:
    import skops.io as sio
    from skops.io.exceptions import UntrustedTypesFoundException
except ImportError:  # sknn's 'skops' extra
    sio = None
needs_skops = pytest.mark.skipif(sio is None, reason="skops is not installed")

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

X_CLF, Y_CLF = make_classification(
    n_samples=80, n_features=6, n_informative=4, n_classes=3, random_state=0
)
X_REG, Y_REG = make_regression(n_samples=80, n_features=6, noise=1.0, random_state=0)
Y_REG = Y_REG / Y_REG.std()
CLASSES = np.unique(Y_CLF)

COMMON = {"hidden_layer_sizes": (8,), "random_state": 0, "n_threads": 1}


def assert_bitwise_equal(a, b):
    """Same dtype, shape and bytes: stricter than ``assert_array_equal``,
    which takes 0.0 for -0.0 and NaN for NaN."""
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape
    assert a.tobytes() == b.tobytes(), f"max difference {np.max(np.abs(a - b))}"


def assert_same_model(a, b):
    """Bitwise equal parameters, statistics (batch norm) and predictions."""
    pairs = zip([*a.coefs_, *a.intercepts_], [*b.coefs_, *b.intercepts_], strict=True)
    for x, y in pairs:
        assert_bitwise_equal(x, y)
    assert_bitwise_equal(a._network.snapshot(), b._network.snapshot())
    X = X_CLF if isinstance(a, MLPClassifier) else X_REG
    for method in ("predict", "predict_proba"):
        if hasattr(a, method):
            assert_bitwise_equal(getattr(a, method)(X), getattr(b, method)(X))


# ---------------------------------------------------------------------------
# Formats


def _skops_round_trip(est):
    data = sio.dumps(est)
    return sio.loads(data, trusted=sio.get_untrusted_types(data=data))


def _joblib_round_trip(est):
    buffer = io.BytesIO()
    joblib.dump(est, buffer)
    buffer.seek(0)
    return joblib.load(buffer)


ROUND_TRIPS = {
    "pickle": lambda est: pickle.loads(pickle.dumps(est)),
    "joblib": _joblib_round_trip,
    "skops": _skops_round_trip,
}
FORMATS = ["pickle", "joblib", pytest.param("skops", marks=needs_skops)]


def _save(est, path, fmt):
    if fmt == "pickle":
        path.write_bytes(pickle.dumps(est))
    elif fmt == "joblib":
        joblib.dump(est, path)
    else:
        sio.dump(est, path)


# ---------------------------------------------------------------------------
# Models, and the exact list of types skops asks to trust for each. Every one
# is sknn's: the estimator, its components (activations, losses, optimizers,
# schedules, layers) and three internal classes whose state is plain data
# (arrays, numbers, lists, strings): the engine's Network and TrainingState
# and the History of epochs. No numpy.dtype: dtypes are stored as strings.

MODELS = {
    "classifier-adam": (
        MLPClassifier,
        {},
        [
            "sknn._mlp.MLPClassifier",
            "sknn._observers.History",
            "sknn.activations.ReLU",
            "sknn.engine.Network",
            "sknn.engine.TrainingState",
            "sknn.layers.Dense",
            "sknn.losses.LogLoss",
            "sknn.optimizers.Adam",
            "sknn.schedules.Constant",
        ],
    ),
    "classifier-sgd-averaged-batchnorm-dropout": (
        MLPClassifier,
        {
            "solver": "sgd",
            "weight_averaging": 0.9,
            "normalization": "batch",
            "dropout": 0.2,
            "batch_size": 20,
            "activation": "tanh",
        },
        [
            "sknn._mlp.MLPClassifier",
            "sknn._observers.History",
            "sknn.activations.Tanh",
            "sknn.engine.Network",
            "sknn.engine.TrainingState",
            "sknn.layers.ActivationLayer",
            "sknn.layers.BatchNorm",
            "sknn.layers.Dense",
            "sknn.layers.Dropout",
            "sknn.losses.LogLoss",
            "sknn.optimizers.SGD",
            "sknn.schedules.Constant",
        ],
    ),
    "regressor-lbfgs": (
        MLPRegressor,
        {"solver": "lbfgs"},
        [
            "sknn._mlp.MLPRegressor",
            "sknn._observers.History",
            "sknn.activations.ReLU",
            "sknn.engine.Network",
            "sknn.layers.Dense",
            "sknn.losses.SquaredError",
        ],
    ),
    "regressor-float32-layernorm-adaptive": (
        MLPRegressor,
        {
            "dtype": "float32",
            "normalization": "layer",
            "input_noise": 0.1,
            "solver": "nesterov",
            "learning_rate": "adaptive",
            "early_stopping": True,
        },
        [
            "sknn._mlp.MLPRegressor",
            "sknn._observers.History",
            "sknn.activations.ReLU",
            "sknn.engine.Network",
            "sknn.engine.TrainingState",
            "sknn.layers.ActivationLayer",
            "sknn.layers.Dense",
            "sknn.layers.GaussianNoise",
            "sknn.layers.LayerNorm",
            "sknn.losses.SquaredError",
            "sknn.optimizers.Nesterov",
            "sknn.schedules.Adaptive",
        ],
    ),
}


def _fitted(name):
    cls, params, _ = MODELS[name]
    est = cls(max_iter=5, **COMMON, **params)
    if cls is MLPClassifier:
        return est.fit(X_CLF, Y_CLF)
    return est.fit(X_REG, Y_REG)


def _predictions(est):
    X = X_CLF if isinstance(est, MLPClassifier) else X_REG
    outputs = [est.predict(X)]
    if hasattr(est, "predict_proba"):
        outputs.append(est.predict_proba(X))
    return outputs


@needs_skops
@pytest.mark.parametrize("name", MODELS)
def test_skops_untrusted_types_are_exactly_sknn_types(name):
    data = sio.dumps(_fitted(name))
    untrusted = sio.get_untrusted_types(data=data)
    assert untrusted == MODELS[name][2]
    assert "numpy.dtype" not in untrusted


@needs_skops
@pytest.mark.parametrize("name", MODELS)
def test_skops_loads_with_exactly_the_listed_types(name):
    est = _fitted(name)
    data = sio.dumps(est)
    trusted = MODELS[name][2]
    loaded = sio.loads(data, trusted=trusted)
    assert type(loaded) is type(est)
    assert_same_model(loaded, est)
    # The dtypes come back as dtypes, whatever the file stores.
    assert loaded._network.dtype == est._network.dtype
    assert isinstance(loaded._network.dtype, np.dtype)
    if hasattr(est, "_optimizer"):  # its scratch size and dtype (a string)
        assert loaded._optimizer._scratch_spec == est._optimizer._scratch_spec
    # Each listed type is needed: without it, loading refuses.
    for left_out in trusted:
        with pytest.raises(UntrustedTypesFoundException, match=left_out):
            sio.loads(data, trusted=[t for t in trusted if t != left_out])


@needs_skops
@pytest.mark.parametrize(
    "name", ["classifier-adam", "regressor-float32-layernorm-adaptive"]
)
def test_skops_loaded_model_keeps_training(name):
    est = _fitted(name)
    loaded = sio.loads(sio.dumps(est), trusted=MODELS[name][2])
    X, y = (X_CLF, Y_CLF) if isinstance(est, MLPClassifier) else (X_REG, Y_REG)
    for model in (est, loaded):
        model.set_params(warm_start=True, max_iter=3).fit(X, y)
        if not model.early_stopping:
            model.partial_fit(X, y)
    assert_same_model(loaded, est)
    assert loaded.loss_curve_ == est.loss_curve_


@pytest.fixture(scope="module")
def fresh_process_predictions(tmp_path_factory):
    """Every model saved in every format, loaded and predicted by one fresh
    interpreter: ``{(name, fmt): [predictions, ...]}``, with the original
    model's predictions alongside."""
    directory = tmp_path_factory.mktemp("saved")
    jobs, expected = [], {}
    for name in MODELS:
        est = _fitted(name)
        X = X_CLF if isinstance(est, MLPClassifier) else X_REG
        np.save(directory / f"{name}-X.npy", X)
        for fmt in ROUND_TRIPS if sio is not None else ["pickle", "joblib"]:
            path = directory / f"{name}.{fmt}"
            _save(est, path, fmt)
            jobs.append(
                {
                    "path": str(path),
                    "fmt": fmt,
                    "X": str(directory / f"{name}-X.npy"),
                    "out": str(directory / f"{name}-{fmt}-out.npz"),
                    "trusted": MODELS[name][2],
                }
            )
            expected[name, fmt] = _predictions(est)
    script = textwrap.dedent(
        """
        import json, pickle, sys
        import joblib
        import numpy as np

        for job in json.loads(sys.argv[1]):
            if job["fmt"] == "pickle":
                with open(job["path"], "rb") as f:
                    est = pickle.load(f)
            elif job["fmt"] == "joblib":
                est = joblib.load(job["path"])
            else:  # exactly the listed types, as the user would trust them
                import skops.io as sio

                est = sio.load(job["path"], trusted=job["trusted"])
            X = np.load(job["X"])
            outputs = [est.predict(X)]
            if hasattr(est, "predict_proba"):
                outputs.append(est.predict_proba(X))
            np.savez(job["out"], *outputs)
        """
    )
    subprocess.run(
        [sys.executable, "-c", script, json.dumps(jobs)], check=True, timeout=120
    )
    loaded = {}
    for job, key in zip(jobs, expected, strict=True):
        with np.load(job["out"]) as saved:
            loaded[key] = [saved[f"arr_{i}"] for i in range(len(saved.files))]
    return expected, loaded


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", MODELS)
def test_predictions_are_bitwise_equal_in_a_fresh_process(
    fresh_process_predictions, name, fmt
):
    expected, loaded = fresh_process_predictions
    assert len(loaded[name, fmt]) == len(expected[name, fmt])
    for a, b in zip(loaded[name, fmt], expected[name, fmt], strict=True):
        assert_bitwise_equal(a, b)


# ---------------------------------------------------------------------------
# Training on after loading

VARIANTS = {
    "plain": {},
    "averaged": {"weight_averaging": 0.9},
    "batchnorm": {"normalization": "batch"},
    "dropout": {"dropout": 0.3, "input_dropout": 0.1},
    "all": {"weight_averaging": 0.9, "normalization": "batch", "dropout": 0.3},
}


def _continuation(solver, variant, how):
    """A model maker and its step: ``partial_fit`` or a warm-started ``fit``
    (the first step builds the model either way)."""
    params = dict(COMMON, solver=solver, batch_size=20, **VARIANTS[variant])
    if how == "warm_start":
        params.update(warm_start=True, max_iter=3)

    def make():
        return MLPClassifier(**params)

    def step(est):
        if how == "warm_start":
            return est.fit(X_CLF, Y_CLF)
        return est.partial_fit(X_CLF, Y_CLF, classes=CLASSES)

    return make, step


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("how", ["partial_fit", "warm_start"])
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_training_after_loading_continues_exactly(solver, variant, how, fmt):
    make, step = _continuation(solver, variant, how)
    uninterrupted = make()
    for _ in range(4):
        step(uninterrupted)
    # Stopped after two calls: the noise stream of dropout, which a
    # continued call starts, is under way.
    resumed = step(step(make()))
    resumed = ROUND_TRIPS[fmt](resumed)
    step(step(resumed))
    assert_same_model(resumed, uninterrupted)
    assert resumed.loss_curve_ == uninterrupted.loss_curve_
    assert (resumed.n_iter_, resumed.t_) == (uninterrupted.n_iter_, uninterrupted.t_)
    assert resumed._optimizer.t_ == uninterrupted._optimizer.t_
    assert_same_rng_state(
        resumed._noise_random_state, uninterrupted._noise_random_state
    )


def assert_same_rng_state(a, b):
    """Two ``RandomState`` at the same point of the same stream."""
    name_a, key_a, *rest_a = a.get_state()
    name_b, key_b, *rest_b = b.get_state()
    assert name_a == name_b and rest_a == rest_b
    assert_bitwise_equal(key_a, key_b)


@pytest.mark.parametrize("how", ["partial_fit", "warm_start"])
def test_dropout_continuation_depends_on_the_carried_noise_stream(how):
    # The check above can fail: a loaded model whose dropout stream started
    # over (as if it had not been saved) trains differently.
    make, step = _continuation("adam", "dropout", how)
    uninterrupted = make()
    for _ in range(4):
        step(uninterrupted)
    restarted = pickle.loads(pickle.dumps(step(step(make()))))
    restarted._noise_random_state = None
    step(step(restarted))
    assert not np.array_equal(restarted.coefs_[0], uninterrupted.coefs_[0])


# ---------------------------------------------------------------------------
# Pickles of an earlier sknn


def _old_network_getstate(self):
    state = self.__dict__.copy()
    for name in ("grads", "coefs", "intercepts", "_scratch", "_capacity"):
        state.pop(name, None)
    return state  # the dtype itself, as sknn stored it before


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_pickles_storing_numpy_dtypes_still_load(monkeypatch, dtype):
    make, step = _continuation("adam", "all", "partial_fit")
    est = step(step(make().set_params(dtype=dtype)))
    # What an earlier sknn held and pickled: numpy dtypes.
    n_params, dtype_str = est._optimizer._scratch_spec
    est._optimizer._scratch_spec = (n_params, np.dtype(dtype_str))
    with monkeypatch.context() as m:
        m.setattr(Network, "__getstate__", _old_network_getstate)
        assert isinstance(est._network.__getstate__()["dtype"], np.dtype)
        data = pickle.dumps(est)
    loaded = pickle.loads(data)
    assert isinstance(loaded._network.dtype, np.dtype)
    assert_same_model(loaded, est)
    step(step(est))
    step(step(loaded))
    assert_same_model(loaded, est)


def test_pickling_leaves_the_model_alone():
    est = _fitted("classifier-adam")
    optimizer, spec = est._optimizer, est._optimizer._scratch_spec
    pickle.dumps(est)
    assert est._optimizer is optimizer and est._optimizer._scratch_spec == spec
    assert isinstance(est._network.dtype, np.dtype)
