"""Behaviour of MLPClassifier and MLPRegressor that users rely on.

In the spirit of scikit-learn's own ``neural_network/tests/test_mlp.py``:
training works, incremental training equals batch training, continued
training continues, every target type and input container works, dtypes are
kept or forced, bad input is rejected with a clear error, and training that
diverges or is interrupted leaves a usable model.
"""

# SPDX-License-Identifier: BSD-3-Clause

import copy
import inspect
import pickle
import re
import warnings

import numexpr
import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit, logit, softmax
from sklearn import config_context
from sklearn import neural_network as sk
from sklearn.base import clone
from sklearn.datasets import (
    load_digits,
    load_iris,
    make_classification,
    make_multilabel_classification,
    make_regression,
)
from sklearn.exceptions import (
    ConvergenceWarning,
    DataConversionWarning,
    NotFittedError,
)
from sklearn.metrics import make_scorer
from sklearn.model_selection import GridSearchCV
from sklearn.utils._param_validation import InvalidParameterError
from threadpoolctl import threadpool_info, threadpool_limits

from sknn import MLPClassifier, MLPRegressor
from sknn._base import BaseMLP
from sknn.activations import ReLU, Tanh
from sknn.losses import PoissonLoss, SquaredError
from sknn.optimizers import LBFGS, SGD, Adadelta, Adagrad, Adam, Nesterov, RMSprop
from sknn.schedules import Adaptive, InvScaling

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

X_CLF, Y_CLF = make_classification(
    n_samples=120, n_features=8, n_informative=5, n_classes=3, random_state=0
)
Y_BIN = (Y_CLF > 0).astype(int)
X_REG, Y_REG = make_regression(n_samples=120, n_features=8, noise=1.0, random_state=0)
Y_REG = Y_REG / Y_REG.std()

SMALL = {"hidden_layer_sizes": (10,), "random_state": 0}


def _params_of(est):
    return [*est.coefs_, *est.intercepts_]


def assert_same_params(a, b):
    """Bitwise equal weights and biases."""
    for x, y in zip(_params_of(a), _params_of(b), strict=True):
        assert_array_equal(x, y)


def _changed(snapshot, est):
    """Whether any weight or bias of ``est`` differs from ``snapshot``."""
    pairs = zip(snapshot, _params_of(est), strict=True)
    return any(not np.array_equal(a, b) for a, b in pairs)


def _forward(est, X):
    """A ReLU regressor's predictions, computed here from its coefs_."""
    A = np.asarray(X, dtype=float)
    for W, b in zip(est.coefs_[:-1], est.intercepts_[:-1], strict=True):
        A = np.maximum(A @ W + b, 0)
    return (A @ est.coefs_[-1] + est.intercepts_[-1]).ravel()


# ---------------------------------------------------------------------------
# Components written for these tests. They are real components, used by the
# real engine; their extra hyper-parameters are callables, which survive the
# fresh copies the estimators train on.


class StepHookSGD(SGD):
    """SGD that calls ``on_step()`` before each step."""

    def __init__(self, momentum=0.9, nesterov=True, on_step=None):
        super().__init__(momentum=momentum, nesterov=nesterov)
        self.on_step = on_step

    def step(self, params, grads, lr):
        if self.on_step is not None:
            self.on_step()
        super().step(params, grads, lr)


class InterruptingSGD(SGD):
    """SGD whose ``interrupt_at``-th step raises KeyboardInterrupt (Ctrl-C)."""

    def __init__(self, momentum=0.9, nesterov=True, interrupt_at=5):
        super().__init__(momentum=momentum, nesterov=nesterov)
        self.interrupt_at = interrupt_at

    def build(self, n_params, dtype, **kwargs):
        super().build(n_params, dtype, **kwargs)
        self.n_steps_ = 0

    def step(self, params, grads, lr):
        self.n_steps_ += 1
        if self.n_steps_ == self.interrupt_at:
            raise KeyboardInterrupt
        super().step(params, grads, lr)


class InterruptingSquaredError(SquaredError):
    """Squared error whose ``interrupt_at``-th evaluation raises Ctrl-C."""

    def __init__(self, interrupt_at=5):
        self.interrupt_at = interrupt_at

    def value(self, Y, P, sample_weight=None):
        self.n_calls_ = getattr(self, "n_calls_", 0) + 1
        if self.n_calls_ == self.interrupt_at:
            raise KeyboardInterrupt
        return super().value(Y, P, sample_weight)


class HookReLU(ReLU):
    """ReLU that calls ``on_forward()`` on every forward pass."""

    def __init__(self, on_forward=None):
        self.on_forward = on_forward

    def forward(self, Z):
        if self.on_forward is not None:
            self.on_forward()
        return super().forward(Z)


# ---------------------------------------------------------------------------
# The API is scikit-learn's


@pytest.mark.parametrize(
    "ours, theirs",
    [(MLPClassifier, sk.MLPClassifier), (MLPRegressor, sk.MLPRegressor)],
)
def test_constructor_extends_scikit_learns(ours, theirs):
    mine = inspect.signature(ours).parameters
    ref = inspect.signature(theirs).parameters
    for name, p in ref.items():
        assert name in mine, name
        assert mine[name].default == p.default, name
        assert mine[name].kind == p.kind, name
    # sknn's own parameters come after scikit-learn's, keyword-only; they
    # include dtype and n_threads (the parity tests show that their
    # defaults change nothing).
    assert list(mine)[: len(ref)] == list(ref)
    extra = {name: p for name, p in mine.items() if name not in ref}
    assert all(p.kind == p.KEYWORD_ONLY for p in extra.values())
    assert extra["dtype"].default is None
    assert extra["n_threads"].default is None


@pytest.mark.parametrize(
    "Estimator, X, y",
    [(MLPClassifier, X_CLF, Y_CLF), (MLPRegressor, X_REG, Y_REG)],
)
@pytest.mark.parametrize(
    "params",
    [
        {"solver": "adam"},
        {"solver": "sgd", "early_stopping": True},
        {"solver": "lbfgs"},
    ],
)
def test_fitted_attributes(Estimator, X, y, params):
    est = Estimator(max_iter=15, **SMALL, **params).fit(X, y)
    n_hidden = len(SMALL["hidden_layer_sizes"])
    assert est.n_layers_ == n_hidden + 2
    assert len(est.coefs_) == len(est.intercepts_) == n_hidden + 1
    assert est.coefs_[0].shape == (X.shape[1], 10)
    assert est.n_features_in_ == X.shape[1]
    assert 1 <= est.n_iter_ <= 15
    assert np.isfinite(est.loss_)
    assert len(est.loss_curve_) == est.n_iter_
    if params["solver"] == "lbfgs":
        assert est.t_ == 0
    else:  # rows seen: the training part only, with early stopping
        n_train = X.shape[0] - int(np.ceil(0.1 * X.shape[0]) * est.early_stopping)
        assert est.t_ == n_train * est.n_iter_
    if params.get("early_stopping"):
        assert est.best_loss_ is None
        assert len(est.validation_scores_) == est.n_iter_
        assert est.best_validation_score_ == max(est.validation_scores_)
    else:
        assert est.best_loss_ == min(est.loss_curve_)
        assert est.validation_scores_ is None
        assert est.best_validation_score_ is None
    if Estimator is MLPClassifier:
        assert_array_equal(est.classes_, [0, 1, 2])
        assert est.n_outputs_ == 3
        assert est.out_activation_ == "softmax"
    else:
        assert est.n_outputs_ == 1
        assert est.out_activation_ == "identity"
    assert not hasattr(est, "feature_names_in_")


def test_digits_accuracy():
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    clf = MLPClassifier(hidden_layer_sizes=(32,), max_iter=60, random_state=0)
    clf.fit(X[:1000], y[:1000])
    assert clf.score(X[:1000], y[:1000]) > 0.95
    assert clf.score(X[1000:], y[1000:]) > 0.88
    assert clf.score(X[1000:], y[1000:]) == np.mean(clf.predict(X[1000:]) == y[1000:])


@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_regression_fits(solver):
    X, y = make_regression(n_samples=150, n_features=6, noise=0.5, random_state=1)
    reg = MLPRegressor(
        hidden_layer_sizes=(20,),
        solver=solver,
        learning_rate_init=0.01,
        max_iter=300,
        random_state=0,
    ).fit(X, y / y.std())
    assert reg.score(X, y / y.std()) > 0.95


def test_multioutput_regression():
    X, Y = make_regression(n_samples=150, n_features=6, n_targets=3, random_state=2)
    Y = Y / Y.std(axis=0)
    reg = MLPRegressor(hidden_layer_sizes=(20,), solver="lbfgs", max_iter=200)
    reg.set_params(random_state=0).fit(X, Y)
    assert reg.predict(X).shape == (150, 3)
    assert reg.n_outputs_ == 3
    assert reg.score(X, Y) > 0.95


# ---------------------------------------------------------------------------
# Incremental and continued training


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize(
    "Estimator, X, y",
    [(MLPClassifier, X_CLF, Y_CLF), (MLPRegressor, X_REG, Y_REG)],
)
def test_partial_fit_equals_fit(Estimator, X, y, solver, weighted):
    # Without shuffling, n calls of partial_fit are n epochs of fit.
    n_epochs = 6
    sw = np.random.RandomState(0).uniform(0.5, 2.0, len(y)) if weighted else None
    params = dict(
        solver=solver,
        shuffle=False,
        batch_size=32,
        learning_rate_init=0.01,
        n_threads=1,
        **SMALL,
    )
    full = Estimator(max_iter=n_epochs, tol=0.0, **params).fit(X, y, sample_weight=sw)
    assert full.n_iter_ == n_epochs
    inc = Estimator(**params)
    extra = {"classes": np.unique(y)} if Estimator is MLPClassifier else {}
    for _ in range(n_epochs):
        inc.partial_fit(X, y, sample_weight=sw, **extra)
    assert_same_params(inc, full)
    assert inc.loss_curve_ == full.loss_curve_
    assert inc.t_ == full.t_
    assert_array_equal(inc.predict(X), full.predict(X))


def test_partial_fit_needs_classes_on_first_call():
    clf = MLPClassifier(solver="sgd")
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        clf.partial_fit(X_CLF, Y_CLF)
    clf.partial_fit(X_CLF, Y_CLF, classes=[0, 1, 2])
    clf.partial_fit(X_CLF, Y_CLF)  # later calls need not repeat them
    with pytest.raises(ValueError):
        clf.partial_fit(X_CLF, Y_CLF, classes=[0, 1, 2, 3])


def test_partial_fit_classes_seen_later():
    X = np.arange(8, dtype=float).reshape(-1, 1)
    y = np.array(["a", "b", "c", "d"] * 2)
    clf = MLPClassifier(random_state=0, hidden_layer_sizes=(5,))
    clf.partial_fit(X[:3], y[:3], classes=["a", "b", "c", "d"])
    clf.partial_fit(X[3:4], y[3:4])  # "d" was declared, so it is accepted
    assert_array_equal(clf.classes_, ["a", "b", "c", "d"])
    assert clf.predict_proba(X).shape == (8, 4)
    with pytest.raises(ValueError, match="classes"):
        clf.partial_fit(X[:1], ["e"])


def _count_validate_data(monkeypatch, module):
    """Calls of scikit-learn's ``validate_data`` made through ``module``."""
    calls = []
    validate_data = module.validate_data

    def counted(*args, **kwargs):
        calls.append(1)
        return validate_data(*args, **kwargs)

    monkeypatch.setattr(module, "validate_data", counted)
    return calls


def _batches_of_labels(kind):
    rng = np.random.RandomState(1)
    y = {
        "multiclass": Y_CLF,
        "binary": Y_BIN,
        "float labels": Y_CLF.astype(float),
        "strings": np.array(["a", "b", "c"])[Y_CLF],
        "int32 labels": Y_CLF.astype(np.int32),  # classes_ are int64
        "list": Y_CLF.tolist(),
        "float32 X": Y_CLF,
    }[kind]
    rows = [rng.choice(len(X_CLF), 24, replace=False) for _ in range(4)]
    if kind == "list":
        return [(X_CLF[r], [y[i] for i in r]) for r in rows]
    # float32 X: the first batch makes a float64 model, later ones are cast.
    dtypes = [np.float64] + [np.float32 if kind == "float32 X" else np.float64] * 3
    return [(X_CLF[r].astype(dt), y[r]) for r, dt in zip(rows, dtypes, strict=True)]


LABEL_KINDS = [
    "multiclass",
    "binary",
    "float labels",
    "strings",
    "int32 labels",
    "list",
    "float32 X",
]


@pytest.mark.parametrize("kind", LABEL_KINDS)
def test_partial_fit_skips_validation_only_where_it_would_change_nothing(
    kind, monkeypatch
):
    import sknn._mlp

    batches = _batches_of_labels(kind)
    classes = {
        "binary": [0, 1],
        "float labels": [0.0, 1.0, 2.0],
        "strings": ["a", "b", "c"],
    }.get(kind, [0, 1, 2])
    fast, slow = MLPClassifier(**SMALL), MLPClassifier(**SMALL)
    for est in (fast, slow):
        est.partial_fit(*batches[0], classes=classes)
    calls = _count_validate_data(monkeypatch, sknn._mlp)
    for X, y in batches[1:]:
        fast.partial_fit(X, y)
    ready = kind in ("multiclass", "binary", "float labels")
    assert len(calls) == (0 if ready else len(batches) - 1)
    # The same model as with scikit-learn's validation and label binarizer.
    monkeypatch.setattr(MLPClassifier, "_encode_known_labels", lambda *a: None)
    for X, y in batches[1:]:
        slow.partial_fit(X, y)
    assert_same_params(fast, slow)
    assert fast.loss_curve_ == slow.loss_curve_


@pytest.mark.parametrize(
    "kind",
    ["multiclass", "binary", "float labels", "int32 labels", "list", "strings"]
    + ["multilabel", "early stopping", "warm start"],
)
def test_fit_encodes_labels_as_the_binarizer_does(kind, monkeypatch):
    from sklearn.preprocessing import LabelBinarizer

    y = {
        "binary": Y_BIN,
        "float labels": Y_CLF.astype(float),
        "int32 labels": Y_CLF.astype(np.int32),
        "list": Y_CLF.tolist(),
        "strings": np.array(["a", "b", "c"])[Y_CLF],
        "multilabel": np.c_[Y_CLF == 0, Y_CLF > 0].astype(int),
    }.get(kind, Y_CLF)
    params = {**SMALL, "max_iter": 3}
    if kind == "early stopping":
        params["early_stopping"] = True

    def fit(est):
        est.fit(X_CLF, y)
        if kind == "warm start":  # a second fit, with the classes known
            est.set_params(warm_start=True).fit(X_CLF, y)
        return est

    transform = LabelBinarizer.transform
    calls = []

    def counted(self, y):
        calls.append(1)
        return transform(self, y)

    monkeypatch.setattr(LabelBinarizer, "transform", counted)
    fast = fit(MLPClassifier(**params))
    assert bool(calls) == (kind in ("strings", "multilabel"))
    # The same model as with every label through the binarizer.
    monkeypatch.setattr(MLPClassifier, "_known_label_indicators", lambda *a: None)
    slow = fit(MLPClassifier(**params))
    assert_same_params(fast, slow)
    assert fast.loss_curve_ == slow.loss_curve_
    assert_array_equal(fast.predict(X_CLF), slow.predict(X_CLF))


def test_partial_fit_keeps_scikit_learn_errors_for_later_batches():
    clf = MLPClassifier(**SMALL).partial_fit(X_CLF, Y_CLF, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="classes not in"):
        clf.partial_fit(X_CLF[:4], np.array([0, 1, 2, 3]))
    floats = MLPClassifier(**SMALL).partial_fit(
        X_CLF, Y_CLF.astype(float), classes=[0.0, 1, 2]
    )
    with pytest.raises(ValueError, match="Input y contains NaN"):
        floats.partial_fit(X_CLF[:2], np.array([0.0, np.nan]))
    X = X_CLF[:4].copy()
    X[1, 1] = np.inf
    with pytest.raises(ValueError, match="Input X contains infinity"):
        clf.partial_fit(X, Y_CLF[:4])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        clf.partial_fit(X_CLF[:4], Y_CLF[:3])
    with pytest.raises(ValueError, match="X has 5 features"):
        clf.partial_fit(X_CLF[:4, :5], Y_CLF[:4])


@pytest.mark.parametrize("n_outputs", [1, 2])
def test_regressor_partial_fit_skips_validation_only_for_ready_batches(
    n_outputs, monkeypatch
):
    import sknn._mlp

    y = Y_REG if n_outputs == 1 else np.c_[Y_REG, -Y_REG]
    fast, slow = MLPRegressor(**SMALL), MLPRegressor(**SMALL)
    for est in (fast, slow):
        est.partial_fit(X_REG[:30], y[:30])
    calls = _count_validate_data(monkeypatch, sknn._mlp)
    fast.partial_fit(X_REG[30:60], y[30:60])
    assert len(calls) == 0
    fast.partial_fit(X_REG[60:90], y[60:90].tolist())  # a list: validated
    assert len(calls) == 1
    monkeypatch.setattr(MLPRegressor, "_is_ready_target", lambda *a: False)
    slow.partial_fit(X_REG[30:60], y[30:60])
    slow.partial_fit(X_REG[60:90], y[60:90].tolist())
    assert_same_params(fast, slow)


def test_regressor_partial_fit_keeps_scikit_learn_errors_and_warnings():
    reg = MLPRegressor(**SMALL).partial_fit(X_REG, Y_REG)
    y = Y_REG[:4].copy()
    y[2] = np.nan
    with pytest.raises(ValueError, match="Input y contains NaN"):
        reg.partial_fit(X_REG[:4], y)
    with pytest.warns(DataConversionWarning):
        reg.partial_fit(X_REG[:4], Y_REG[:4, np.newaxis])
    with pytest.raises(ValueError):
        reg.partial_fit(X_REG[:4], np.c_[Y_REG[:4], Y_REG[:4]])  # one output
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        reg.partial_fit(X_REG[:4], Y_REG[:5])


@pytest.mark.parametrize("n_outputs", [1, 2])
def test_regressor_partial_fit_target_check_warns_of_nothing(n_outputs):
    y = Y_REG if n_outputs == 1 else np.c_[Y_REG, -Y_REG]
    reg = MLPRegressor(**SMALL).partial_fit(X_REG[:30], y[:30])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        # Finite targets whose sums overflow: scikit-learn accepts them, and
        # the batch trains and diverges with sknn's error alone.
        huge = np.full_like(y[:4], np.finfo(np.float64).max)
        with pytest.raises(ValueError, match="non-finite parameter weights"):
            reg.partial_fit(X_REG[:4], huge)
        # Infinite targets: scikit-learn's error.
        infinite = y[:4].copy()
        infinite[1] = np.inf
        with pytest.raises(ValueError, match="Input y contains infinity"):
            reg.partial_fit(X_REG[:4], infinite)


def test_integer_seed_restarts_the_same_generator_on_every_fit():
    clf = MLPClassifier(max_iter=2, **SMALL).fit(X_CLF, Y_CLF)
    rng = clf._fresh_random_state()
    assert clf._fresh_random_state() is rng
    assert_array_equal(rng.random_sample(5), np.random.RandomState(0).random_sample(5))
    assert clf._fresh_random_state().randint(1000) == np.random.RandomState(0).randint(
        1000
    )
    own = np.random.RandomState(5)
    clf.set_params(random_state=own)
    assert clf._fresh_random_state() is own
    clf.set_params(random_state=None)
    assert clf._fresh_random_state() is np.random.mtrand._rand


@pytest.mark.parametrize(
    "est",
    [
        MLPClassifier(solver="lbfgs"),
        MLPRegressor(solver="lbfgs"),
        MLPClassifier(solver=LBFGS()),
        MLPRegressor(solver=LBFGS(max_fun=100)),
    ],
)
def test_no_partial_fit_for_lbfgs(est):
    assert not hasattr(est, "partial_fit")
    est.set_params(solver="adam")
    assert hasattr(est, "partial_fit")
    est.set_params(solver=SGD())
    assert hasattr(est, "partial_fit")


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_warm_start_continues(solver):
    params = dict(solver=solver, warm_start=True, n_iter_no_change=np.inf, **SMALL)
    est = MLPClassifier(max_iter=5, **params).fit(X_CLF, Y_CLF)
    first = [p.copy() for p in _params_of(est)]
    first_loss = est.loss_
    est.fit(X_CLF, Y_CLF)
    assert est.n_iter_ == 5  # as scikit-learn counts: this call's iterations
    assert est.loss_ < first_loss
    assert _changed(first, est)
    if solver != "lbfgs":
        assert len(est.loss_curve_) == 10
        assert est.t_ == 10 * len(Y_CLF)
    # A cold start from scratch ends elsewhere.
    cold = MLPClassifier(max_iter=5, **{**params, "warm_start": False})
    cold.fit(X_CLF, Y_CLF)
    assert not np.allclose(cold.coefs_[0], est.coefs_[0])


def test_warm_start_with_other_classes_raises():
    clf = MLPClassifier(warm_start=True, max_iter=5, **SMALL).fit(X_CLF, Y_CLF)
    msg = re.escape(
        "warm_start can only be used where `y` has the same classes as in the "
        "previous call to fit. Previously got [0 1 2], `y` has [0 1]"
    )
    with pytest.raises(ValueError, match=msg):
        clf.fit(X_CLF, Y_BIN)


def test_warm_start_with_other_architecture_raises():
    reg = MLPRegressor(warm_start=True, max_iter=3, **SMALL).fit(X_REG, Y_REG)
    reg.set_params(hidden_layer_sizes=(4, 4))
    with pytest.raises(ValueError, match="architecture"):
        reg.fit(X_REG, Y_REG)


def test_warm_start_with_early_stopping_extends_scores():
    params = dict(warm_start=True, early_stopping=True, n_iter_no_change=50, **SMALL)
    reg = MLPRegressor(max_iter=5, **params).fit(X_REG, Y_REG)
    assert len(reg.validation_scores_) == 5
    reg.set_params(max_iter=4).fit(X_REG, Y_REG)
    assert len(reg.validation_scores_) == 9


def test_warm_start_can_switch_early_stopping_on_and_off():
    params = dict(warm_start=True, n_iter_no_change=50, max_iter=3, **SMALL)
    reg = MLPRegressor(**params).fit(X_REG, Y_REG)
    assert reg.validation_scores_ is None

    reg.set_params(early_stopping=True).fit(X_REG, Y_REG)
    assert len(reg.validation_scores_) == 3
    assert reg.best_validation_score_ == max(reg.validation_scores_)
    assert reg.best_loss_ is None
    assert len(reg.loss_curve_) == 6
    scores = list(reg.validation_scores_)

    reg.set_params(early_stopping=False).fit(X_REG, Y_REG)
    assert reg.validation_scores_ is None and reg.best_validation_score_ is None
    assert reg.best_loss_ == min(reg.loss_curve_[-3:])
    # sknn's curves keep one entry per epoch of loss_curve_, NaN where the
    # quantity was not measured (they drifted apart from validation_scores_).
    assert len(reg.validation_loss_curve_) == len(reg.loss_curve_) == 9
    measured = np.isfinite(reg.validation_loss_curve_)
    assert_array_equal(measured, [False] * 3 + [True] * 3 + [False] * 3)
    assert_array_equal(reg.history_["val_score"][3:6], scores)


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_partial_fit_with_early_stopping_raises(Estimator):
    X, y = (X_CLF, Y_CLF) if Estimator is MLPClassifier else (X_REG, Y_REG)
    extra = {"classes": [0, 1, 2]} if Estimator is MLPClassifier else {}
    msg = "partial_fit does not support early_stopping=True"
    with pytest.raises(ValueError, match=msg):
        Estimator(early_stopping=True).partial_fit(X, y, **extra)
    fitted = Estimator(early_stopping=True, max_iter=3, **SMALL).fit(X, y)
    with pytest.raises(ValueError, match=msg):
        fitted.partial_fit(X, y)


# ---------------------------------------------------------------------------
# Target types and input containers


def test_multilabel():
    X, Y = make_multilabel_classification(
        n_samples=80, n_features=10, n_classes=4, random_state=0
    )
    clf = MLPClassifier(
        hidden_layer_sizes=(30,), solver="lbfgs", alpha=1e-5, max_iter=300
    )
    clf.set_params(random_state=0).fit(X, Y)
    assert clf.out_activation_ == "logistic"
    assert clf.score(X, Y) > 0.95  # exact match of whole label rows
    pred, proba = clf.predict(X), clf.predict_proba(X)
    assert pred.shape == proba.shape == Y.shape
    assert set(np.unique(pred)) <= {0, 1}
    assert_array_equal(pred, (proba > 0.5).astype(int))
    # Independent labels, not a softmax over them.
    assert not np.allclose(proba.sum(axis=1), 1.0)
    decision = clf.decision_function(X)
    assert decision.shape == Y.shape
    assert_allclose(expit(decision), proba)
    # From the raw outputs: exact where log(proba) rounds to 0.
    assert_allclose(clf.predict_log_proba(X), np.log(proba), atol=1e-15)

    # partial_fit and early stopping (no stratification) work for it too.
    inc = MLPClassifier(hidden_layer_sizes=(30,), solver="sgd", random_state=0)
    inc.set_params(learning_rate_init=0.2, activation="logistic")
    for _ in range(60):
        inc.partial_fit(X, Y, classes=np.arange(4))
    assert inc.score(X, Y) > 0.5
    es = MLPClassifier(early_stopping=True, max_iter=5, **SMALL).fit(X, Y)
    assert es.predict(X).shape == Y.shape


def test_string_labels_equal_integer_labels():
    names = np.array(["bird", "cat", "dog"])  # sorted, so encoded as 0, 1, 2
    params = dict(max_iter=20, n_threads=1, **SMALL)
    by_name = MLPClassifier(**params).fit(X_CLF, names[Y_CLF])
    by_int = MLPClassifier(**params).fit(X_CLF, Y_CLF)
    assert_array_equal(by_name.classes_, names)
    assert_same_params(by_name, by_int)
    assert_array_equal(by_name.predict(X_CLF), names[by_int.predict(X_CLF)])


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize(
    "y", [Y_CLF, Y_BIN, np.c_[Y_BIN, 1 - Y_BIN]], ids=["3", "2", "ml"]
)
def test_validation_accuracy_is_accuracy_score_to_the_bit(y, weighted):
    from sklearn.metrics import accuracy_score

    clf = MLPClassifier(max_iter=2, **SMALL).fit(X_CLF, y)
    rng = np.random.RandomState(0)
    Y = clf._encode_targets(y)
    P = rng.uniform(size=Y.shape).round(1)  # ties, and exactly 0.5
    P[:5] = 0.5
    sw = rng.uniform(0.1, 2.0, size=len(y)) if weighted else None
    expected = accuracy_score(clf._decode_targets(Y), clf._decode(P), sample_weight=sw)
    assert clf._default_score(P, Y, sw) == expected
    assert (clf._correct_predictions(P, Y) is None) == (y.ndim == 2)  # multilabel


def test_string_labels_with_early_stopping():
    y = np.array(["class_a", "class_b", "class_c"], dtype=object)[Y_CLF]
    clf = MLPClassifier(early_stopping=True, max_iter=15, **SMALL).fit(X_CLF, y)
    assert len(clf.validation_scores_) == clf.n_iter_
    assert np.isfinite(clf.validation_scores_).all()
    assert set(clf.predict(X_CLF)) <= set(y)


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_dataframe_input_sets_feature_names(Estimator):
    pd = pytest.importorskip("pandas")
    X, y = (X_CLF, Y_CLF) if Estimator is MLPClassifier else (X_REG, Y_REG)
    columns = [f"f{i}" for i in range(X.shape[1])]
    df = pd.DataFrame(X, columns=columns)
    with warnings.catch_warnings():
        # Early stopping splits the frame; scoring the split must not lose
        # the names (scikit-learn gh-24846).
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = Estimator(early_stopping=True, max_iter=5, **SMALL).fit(df, y)
        from_frame = est.predict(df)
    assert_array_equal(est.feature_names_in_, columns)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        assert_array_equal(from_frame, est.predict(X))
    renamed = df.rename(columns={"f0": "other"})
    with pytest.raises(ValueError, match="feature names"):
        est.predict(renamed)


@pytest.mark.parametrize("container", [sp.csr_matrix, sp.csc_matrix, sp.csr_array])
@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_sparse_equals_dense(solver, container):
    X = X_CLF.copy()
    X[np.abs(X) < 1.0] = 0.0
    params = dict(solver=solver, max_iter=30, learning_rate_init=0.01, **SMALL)
    dense = MLPClassifier(**params).fit(X, Y_CLF)
    sparse = MLPClassifier(**params).fit(container(X), Y_CLF)
    for a, b in zip(_params_of(sparse), _params_of(dense), strict=True):
        assert_allclose(a, b, rtol=1e-8, atol=1e-10)
    assert_array_equal(sparse.predict(container(X)), dense.predict(X))
    # One model, either container: the same probabilities.
    assert_allclose(dense.predict_proba(container(X)), dense.predict_proba(X))


# ---------------------------------------------------------------------------
# dtypes


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_float32_input_keeps_float32(Estimator):
    X, y = (X_CLF, Y_CLF) if Estimator is MLPClassifier else (X_REG, Y_REG)
    X32 = X.astype(np.float32)
    est = Estimator(max_iter=20, **SMALL).fit(X32, y)
    assert all(p.dtype == np.float32 for p in _params_of(est))
    if Estimator is MLPClassifier:
        assert est.predict_proba(X32).dtype == np.float32
        assert est.decision_function(X32).dtype == np.float32
        assert est.predict_log_proba(X32).dtype == np.float32
        # float64 inputs to a float32 model are computed in float64.
        assert est.predict_proba(X).dtype == np.float64
        assert_allclose(est.predict_proba(X), est.predict_proba(X32), rtol=1e-4)
    else:
        assert est.predict(X32).dtype == np.float32
    # The float32 fit follows the float64 one closely.
    est64 = Estimator(max_iter=20, **SMALL).fit(X, y)
    assert all(p.dtype == np.float64 for p in _params_of(est64))
    for a, b in zip(_params_of(est), _params_of(est64), strict=True):
        assert_allclose(a, b, rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("dtype", ["float64", np.float64])
def test_dtype_float64_forces_float64(dtype):
    X32 = X_CLF.astype(np.float32)
    params = dict(max_iter=10, n_threads=1, **SMALL)
    forced = MLPClassifier(dtype=dtype, **params).fit(X32, Y_CLF)
    assert all(p.dtype == np.float64 for p in _params_of(forced))
    assert forced.predict_proba(X32).dtype == np.float64
    # Exactly a float64 fit of the same (float32-valued) data.
    plain = MLPClassifier(**params).fit(X32.astype(np.float64), Y_CLF)
    assert_same_params(forced, plain)


@pytest.mark.parametrize("dtype", ["float32", np.float32])
@pytest.mark.parametrize("sparse", [False, True])
def test_dtype_float32_forces_float32(dtype, sparse):
    X = sp.csr_matrix(X_REG) if sparse else X_REG
    params = dict(max_iter=10, n_threads=1, **SMALL)
    forced = MLPRegressor(dtype=dtype, **params).fit(X, Y_REG)
    assert all(p.dtype == np.float32 for p in _params_of(forced))
    # Exactly a fit of the data cast to float32.
    plain = MLPRegressor(**params).fit(X.astype(np.float32), Y_REG)
    assert_same_params(forced, plain)
    assert forced.predict(X.astype(np.float32)).dtype == np.float32


@pytest.mark.parametrize(
    "model_dtype, input_dtype, atol",
    [
        # float64 arithmetic: measured 7.8e-16 under Haswell and SkylakeX.
        ("float64", "float64", 1e-14),
        ("float32", "float64", 1e-14),
        # float32 arithmetic: measured 3.6e-7.
        ("float32", "float32", 5e-6),
    ],
)
def test_predictions_in_chunks_match_one_pass_to_rounding(
    model_dtype, input_dtype, atol
):
    # A row's output depends on its batch only through BLAS's order of sums
    # (_raw_output's docstring): no statistic of the batch enters it.
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(input_dtype)
    clf = MLPClassifier(max_iter=20, random_state=0, dtype=model_dtype).fit(X, y)
    one_pass = clf.predict_proba(X)
    for size in (1, 7, 64, 500):
        chunks = [clf.predict_proba(X[i : i + size]) for i in range(0, len(X), size)]
        assert_allclose(np.vstack(chunks), one_pass, rtol=0, atol=atol)
        assert_array_equal(np.vstack(chunks).argmax(axis=1), one_pass.argmax(axis=1))


def test_warm_start_keeps_the_first_fits_dtype():
    reg = MLPRegressor(warm_start=True, max_iter=3, **SMALL).fit(X_REG, Y_REG)
    reg.fit(X_REG.astype(np.float32), Y_REG)
    assert all(p.dtype == np.float64 for p in _params_of(reg))


# ---------------------------------------------------------------------------
# Regularization, verbosity, reproducibility


def test_alpha_shrinks_weights():
    norms = []
    for alpha in [1e-4, 0.1, 1.0, 10.0]:
        reg = MLPRegressor(solver="lbfgs", alpha=alpha, max_iter=200, **SMALL)
        reg.fit(X_REG, Y_REG)
        norms.append(sum(float(np.sum(W**2)) for W in reg.coefs_))
    assert (np.diff(norms) < 0).all(), norms


def _printed_iterations(out):
    return [
        float(m.group(1))
        for m in re.finditer(r"^Iteration \d+, loss = ([-\d.eE+]+)$", out, re.M)
    ]


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_verbose_prints_iterations(solver, capsys):
    reg = MLPRegressor(solver=solver, max_iter=7, verbose=True, **SMALL)
    reg.fit(X_REG, Y_REG)
    losses = _printed_iterations(capsys.readouterr().out)
    assert len(losses) == reg.n_iter_ > 0
    assert_allclose(losses, reg.loss_curve_, atol=1e-8)
    if solver != "lbfgs":
        reg.partial_fit(X_REG, Y_REG)
        assert len(_printed_iterations(capsys.readouterr().out)) == 1


def test_verbose_prints_validation_scores(capsys):
    clf = MLPClassifier(early_stopping=True, max_iter=4, verbose=1, **SMALL)
    clf.fit(X_CLF, Y_CLF)
    out = capsys.readouterr().out
    scores = [float(s) for s in re.findall(r"^Validation score: (\S+)$", out, re.M)]
    assert_allclose(scores, clf.validation_scores_, atol=1e-6)
    assert len(scores) == 4


def test_not_verbose_prints_nothing(capsys):
    MLPRegressor(solver="lbfgs", max_iter=5, **SMALL).fit(X_REG, Y_REG)
    MLPRegressor(solver="sgd", max_iter=5, **SMALL).fit(X_REG, Y_REG)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_same_random_state_same_model(solver):
    params = dict(solver=solver, max_iter=10, n_threads=1, hidden_layer_sizes=(8, 6))
    a = MLPClassifier(random_state=3, **params).fit(X_CLF, Y_CLF)
    b = MLPClassifier(random_state=3, **params).fit(X_CLF, Y_CLF)
    assert_same_params(a, b)
    assert a.loss_curve_ == b.loss_curve_
    c = MLPClassifier(random_state=4, **params).fit(X_CLF, Y_CLF)
    assert not np.allclose(a.coefs_[0], c.coefs_[0])
    # A RandomState instance is a seed like any other.
    d = MLPClassifier(random_state=np.random.RandomState(3), **params)
    assert_same_params(d.fit(X_CLF, Y_CLF), a)


def test_shuffle_changes_training():
    params = dict(solver="sgd", batch_size=10, max_iter=2, **SMALL)
    shuffled = MLPRegressor(shuffle=True, **params).fit(X_REG, Y_REG)
    ordered = MLPRegressor(shuffle=False, **params).fit(X_REG, Y_REG)
    assert not np.allclose(shuffled.coefs_[0], ordered.coefs_[0])


# ---------------------------------------------------------------------------
# Predictions


def test_decision_function_binary():
    clf = MLPClassifier(max_iter=10, **SMALL).fit(X_CLF, Y_BIN)
    decision = clf.decision_function(X_CLF)
    proba = clf.predict_proba(X_CLF)
    assert decision.shape == (len(Y_BIN),)
    assert proba.shape == (len(Y_BIN), 2)
    assert 0.01 < proba.min() and proba.max() < 0.99, "precondition"
    assert_allclose(decision, logit(proba[:, 1]), rtol=1e-9, atol=1e-12)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert_array_equal(clf.predict(X_CLF), (decision > 0).astype(int))
    assert_allclose(clf.predict_log_proba(X_CLF), np.log(proba))


def test_decision_function_multiclass():
    clf = MLPClassifier(max_iter=30, **SMALL).fit(X_CLF, Y_CLF)
    decision = clf.decision_function(X_CLF)
    proba = clf.predict_proba(X_CLF)
    assert decision.shape == proba.shape == (len(Y_CLF), 3)
    assert_allclose(softmax(decision, axis=1), proba, rtol=1e-12)
    assert_array_equal(clf.predict(X_CLF), clf.classes_[decision.argmax(axis=1)])
    assert_allclose(clf.predict_log_proba(X_CLF), np.log(proba))


def test_regressor_has_no_classifier_methods():
    reg = MLPRegressor(max_iter=3, **SMALL).fit(X_REG, Y_REG)
    for name in ("decision_function", "predict_proba", "predict_log_proba"):
        assert not hasattr(reg, name), name
        assert not hasattr(MLPRegressor, name), name
    assert hasattr(MLPClassifier, "decision_function")


def test_assigned_coefs_are_used():
    a = MLPRegressor(max_iter=10, **SMALL).fit(X_REG, Y_REG)
    b = MLPRegressor(max_iter=10, hidden_layer_sizes=(10,), random_state=1)
    b.fit(X_REG, Y_REG)
    assert not np.allclose(a.predict(X_REG), b.predict(X_REG))
    b.coefs_ = [W.copy() for W in a.coefs_]
    b.intercepts_ = [v.copy() for v in a.intercepts_]
    assert_allclose(b.predict(X_REG), a.predict(X_REG), rtol=1e-12)
    # In-place edits count too.
    b.coefs_[-1][...] = 0.0
    b.intercepts_[-1][...] = 3.5
    assert_allclose(b.predict(X_REG), 3.5)


def test_training_continues_from_assigned_coefs():
    params = dict(solver="sgd", shuffle=False, max_iter=4, n_threads=1)
    a = MLPRegressor(warm_start=True, **params, **SMALL).fit(X_REG, Y_REG)
    b = MLPRegressor(warm_start=True, hidden_layer_sizes=(10,), random_state=9)
    b.set_params(**params).fit(X_REG, Y_REG)
    b.coefs_ = [W.copy() for W in a.coefs_]
    b.intercepts_ = [v.copy() for v in a.intercepts_]
    a.fit(X_REG, Y_REG)
    b.fit(X_REG, Y_REG)
    assert_same_params(a, b)
    assert_allclose(b.predict(X_REG), _forward(b, X_REG), rtol=1e-10)


# ---------------------------------------------------------------------------
# Components as parameters


@pytest.mark.parametrize(
    "instance, named, flat",
    [
        (
            {"solver": Adam(beta_2=0.99), "beta_2": 0.5, "beta_1": 0.2},
            {"solver": "adam", "beta_2": 0.99},
            {"solver": "adam", "beta_2": 0.5, "beta_1": 0.2},
        ),
        (
            {"solver": SGD(momentum=0.5, nesterov=False), "momentum": 0.1},
            {"solver": "sgd", "momentum": 0.5, "nesterovs_momentum": False},
            {"solver": "sgd", "momentum": 0.1},
        ),
        (
            {"solver": "sgd", "learning_rate": InvScaling(power_t=0.3), "power_t": 0.9},
            {"solver": "sgd", "learning_rate": "invscaling", "power_t": 0.3},
            {"solver": "sgd", "learning_rate": "invscaling", "power_t": 0.9},
        ),
        (
            {"solver": LBFGS(max_fun=8), "max_fun": 15000},
            {"solver": "lbfgs", "max_fun": 8},
            {"solver": "lbfgs", "max_fun": 15000},
        ),
        (
            {"solver": "sgd", "learning_rate": Adaptive(), "tol": 0.05},
            {"solver": "sgd", "learning_rate": "adaptive", "tol": 0.05},
            None,
        ),
        ({"activation": Tanh()}, {"activation": "tanh"}, None),
    ],
    ids=["adam", "sgd", "invscaling", "lbfgs", "adaptive", "tanh"],
)
def test_instance_equals_name_and_ignores_flat_parameters(instance, named, flat):
    # An instance trains like the name configured with its hyper-parameters,
    # and unlike the name configured with the flat parameters it ignores.
    params = dict(max_iter=15, learning_rate_init=0.05, n_threads=1, **SMALL)
    a = MLPClassifier(**params, **instance).fit(X_CLF, Y_CLF)
    b = MLPClassifier(**params, **named).fit(X_CLF, Y_CLF)
    assert_same_params(a, b)
    assert a.n_iter_ == b.n_iter_
    if flat is not None:
        c = MLPClassifier(**params, **flat).fit(X_CLF, Y_CLF)
        assert not np.allclose(a.coefs_[0], c.coefs_[0])


@pytest.mark.parametrize(
    "name, equivalent",
    [
        ("rmsprop", lambda: RMSprop(momentum=0.5, epsilon=1e-3)),
        ("adadelta", lambda: Adadelta(epsilon=1e-3)),
        ("adagrad", lambda: Adagrad(epsilon=1e-3)),
        ("nesterov", lambda: Nesterov(momentum=0.5)),
    ],
)
def test_flat_parameters_reach_every_named_solver_that_has_them(name, equivalent):
    # The docs promise that momentum and epsilon configure every named solver
    # whose class has a parameter of that name, not only sgd and adam.
    params = dict(max_iter=10, learning_rate_init=0.05, n_threads=1, **SMALL)
    named = MLPClassifier(solver=name, momentum=0.5, epsilon=1e-3, **params)
    instance = MLPClassifier(solver=equivalent(), **params)
    assert_same_params(named.fit(X_CLF, Y_CLF), instance.fit(X_CLF, Y_CLF))


def test_poisson_instance_equals_name():
    y = np.random.RandomState(0).poisson(np.exp(0.3 * X_REG[:, 0])).astype(float)
    params = dict(max_iter=10, n_threads=1, **SMALL)
    a = MLPRegressor(loss=PoissonLoss(), **params).fit(X_REG, y)
    b = MLPRegressor(loss="poisson", **params).fit(X_REG, y)
    assert a.out_activation_ == "exp"
    assert_same_params(a, b)
    assert (a.predict(X_REG) > 0).all()


def test_schedule_instance_applies_to_adam():
    params = dict(solver="adam", max_iter=10, learning_rate_init=0.05, **SMALL)
    params["n_threads"] = 1
    constant = MLPClassifier(**params).fit(X_CLF, Y_CLF)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        decayed = MLPClassifier(learning_rate=InvScaling(), **params)
        decayed.fit(X_CLF, Y_CLF)
    assert not np.allclose(decayed.coefs_[0], constant.coefs_[0])
    # By name, the schedule is sgd-only: Adam warns and trains at a constant rate.
    with pytest.warns(UserWarning, match="SGD solvers only"):
        named = MLPClassifier(learning_rate="invscaling", **params)
        named.fit(X_CLF, Y_CLF)
    assert_same_params(named, constant)


def _state(component):
    return {k: copy.deepcopy(v) for k, v in vars(component).items()}


@pytest.mark.parametrize("solver", [SGD(momentum=0.7), Adam(beta_1=0.8), LBFGS()])
def test_user_components_are_not_mutated(solver):
    activation, schedule, loss = Tanh(), InvScaling(power_t=0.2), PoissonLoss()
    components = [solver, activation, schedule, loss]
    before = [_state(c) for c in components]
    y = np.abs(Y_REG)
    reg = MLPRegressor(
        solver=solver, activation=activation, learning_rate=schedule, loss=loss
    )
    reg.set_params(max_iter=5, **SMALL).fit(X_REG, y)
    if solver.stochastic:
        reg.partial_fit(X_REG, y)
    for component, state in zip(components, before, strict=True):
        after = _state(component)
        assert after.keys() == state.keys(), component
        for key in state:
            assert_array_equal(after[key], state[key])
    assert reg.solver is solver


def test_nested_parameters_and_clone():
    clf = MLPClassifier(solver=Adam(beta_2=0.99))
    params = clf.get_params(deep=True)
    assert params["solver__beta_2"] == 0.99
    clf.set_params(solver__beta_2=0.9, solver__epsilon=1e-7)
    assert clf.solver.beta_2 == 0.9 and clf.solver.epsilon == 1e-7
    twin = clone(clf)
    assert twin.solver is not clf.solver
    assert twin.solver.get_params() == clf.solver.get_params()
    with pytest.raises(ValueError, match="Invalid parameter"):
        clf.set_params(solver__momentum=0.5)


def test_grid_search_over_nested_solver_parameter():
    solver = Adam()
    clf = MLPClassifier(solver=solver, max_iter=15, learning_rate_init=0.05, **SMALL)
    grid = {"solver__beta_2": [0.5, 0.999]}
    search = GridSearchCV(clf, grid, cv=2).fit(X_CLF, Y_CLF)
    best = search.best_estimator_
    assert best.solver.beta_2 == search.best_params_["solver__beta_2"]
    assert [p["solver__beta_2"] for p in search.cv_results_["params"]] == [0.5, 0.999]
    # The searched values really trained different models ...
    fits = [
        clone(clf).set_params(solver__beta_2=b).fit(X_CLF, Y_CLF)
        for b in grid["solver__beta_2"]
    ]
    assert not np.allclose(fits[0].coefs_[0], fits[1].coefs_[0])
    # ... the refit best equals a plain fit with the chosen value ...
    chosen = fits[grid["solver__beta_2"].index(best.solver.beta_2)]
    for a, b in zip(_params_of(best), _params_of(chosen), strict=True):
        assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    # ... and the user's estimator and component were left alone.
    assert clf.solver is solver and solver.beta_2 == 0.999
    assert not hasattr(clf, "coefs_")


# ---------------------------------------------------------------------------
# Threads


def _thread_counts(skip_scipy_own_blas=False):
    blas = [
        i["num_threads"]
        for i in threadpool_info()
        if i["user_api"] == "blas"
        and not (skip_scipy_own_blas and "scipy.libs" in i["filepath"])
    ]
    return blas, numexpr.get_num_threads()


def test_n_threads_caps_blas_and_numexpr_and_restores_them():
    if not _thread_counts()[0]:
        pytest.skip("threadpoolctl finds no BLAS library to limit")
    seen = []
    activation = HookReLU(on_forward=lambda: seen.append(_thread_counts()))
    previous_numexpr = numexpr.set_num_threads(3)
    try:
        with threadpool_limits(limits=2, user_api="blas"):
            before = _thread_counts()
            reg = MLPRegressor(activation=activation, n_threads=1, max_iter=3)
            reg.set_params(hidden_layer_sizes=(10,), random_state=0)
            reg.fit(X_REG, Y_REG)
            assert seen, "the hook ran during fit"
            assert all(s == ([1] * len(before[0]), 1) for s in seen), seen
            assert _thread_counts() == before
            seen.clear()
            capped = reg.predict(X_REG)
            assert seen == [([1] * len(before[0]), 1)]
            assert _thread_counts() == before
            assert before[1] == 3
    finally:
        numexpr.set_num_threads(previous_numexpr)
    free = clone(reg).set_params(n_threads=None, activation="relu").fit(X_REG, Y_REG)
    assert_allclose(free.predict(X_REG), capped, rtol=1e-10)
    for a, b in zip(_params_of(free), _params_of(reg), strict=True):
        assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_n_threads_above_numexprs_maximum_caps_numexpr_there(capfd):
    seen = []
    activation = HookReLU(on_forward=lambda: seen.append(numexpr.get_num_threads()))
    before = numexpr.get_num_threads()
    reg = MLPRegressor(activation=activation, max_iter=2, **SMALL)
    reg.set_params(n_threads=numexpr.MAX_THREADS + 1).fit(X_REG, Y_REG)
    reg.predict(X_REG)
    assert seen and set(seen) == {numexpr.MAX_THREADS}
    assert numexpr.get_num_threads() == before
    assert "rror" not in capfd.readouterr().out  # numexpr prints "Error. ..."


def test_n_threads_none_leaves_threads_alone():
    # ... NumPy's BLAS and numexpr, that is: SciPy's own BLAS, which serves
    # only memory-bound updates during training, runs on one thread there.
    seen = []
    activation = HookReLU(
        on_forward=lambda: seen.append(_thread_counts(skip_scipy_own_blas=True))
    )
    before = _thread_counts()
    reg = MLPRegressor(activation=activation, max_iter=2, **SMALL)
    reg.fit(X_REG, Y_REG).predict(X_REG)
    assert seen and all(s == _thread_counts(skip_scipy_own_blas=True) for s in seen)
    assert _thread_counts() == before


def test_training_runs_scipys_own_blas_on_one_thread():
    scipy_own = [i for i in threadpool_info() if "scipy.libs" in i["filepath"]]
    if not scipy_own or scipy_own[0]["num_threads"] == 1:
        pytest.skip("SciPy ships no BLAS of its own, or it runs one thread anyway")
    seen = []

    def record():
        seen.extend(
            i["num_threads"] for i in threadpool_info() if "scipy.libs" in i["filepath"]
        )

    reg = MLPRegressor(activation=HookReLU(on_forward=record), max_iter=2, **SMALL)
    reg.fit(X_REG, Y_REG)
    assert seen and set(seen) == {1}
    after = [i for i in threadpool_info() if "scipy.libs" in i["filepath"]]
    assert after[0]["num_threads"] == scipy_own[0]["num_threads"]


# ---------------------------------------------------------------------------
# Pickling and copies


def test_pickle_round_trip_then_partial_fit():
    params = dict(solver="sgd", shuffle=False, max_iter=5, n_threads=1, **SMALL)
    est = MLPRegressor(**params).fit(X_REG, Y_REG)
    loaded = pickle.loads(pickle.dumps(est))
    assert_array_equal(loaded.predict(X_REG), est.predict(X_REG))
    assert_same_params(loaded, est)
    before = [p.copy() for p in _params_of(loaded)]
    for _ in range(3):
        est.partial_fit(X_REG, Y_REG)
        loaded.partial_fit(X_REG, Y_REG)
    assert_same_params(loaded, est)
    assert _changed(before, loaded)
    # The exposed coefs_ are what the model predicts with.
    assert_allclose(loaded.predict(X_REG), _forward(loaded, X_REG), rtol=1e-10)
    assert loaded.loss_curve_ == est.loss_curve_


def test_pickle_round_trip_then_warm_start():
    params = dict(solver="adam", max_iter=5, n_threads=1, warm_start=True, **SMALL)
    est = MLPRegressor(**params).fit(X_REG, Y_REG)
    loaded = pickle.loads(pickle.dumps(est))
    est.fit(X_REG, Y_REG)
    loaded.fit(X_REG, Y_REG)
    assert_same_params(loaded, est)
    assert len(loaded.loss_curve_) == 10
    assert_allclose(loaded.predict(X_REG), _forward(loaded, X_REG), rtol=1e-10)


def test_pickled_model_learns_new_target():
    # scikit-learn #19626: a loaded model must keep training its own weights.
    est = MLPRegressor(hidden_layer_sizes=(20,), random_state=0, max_iter=200)
    est.set_params(learning_rate_init=0.01).fit([[2.0]], [4.0])
    pretrained = est.predict([[2.0]])
    loaded = pickle.loads(pickle.dumps(est))
    for _ in range(200):
        loaded.partial_fit([[2.0]], [1.0])
    assert_allclose(loaded.predict([[2.0]]), [1.0], rtol=1e-3)
    assert_array_equal(est.predict([[2.0]]), pretrained)  # the original is intact


def test_deepcopy_is_independent():
    est = MLPRegressor(solver="sgd", max_iter=5, **SMALL).fit(X_REG, Y_REG)
    snapshot = [p.copy() for p in _params_of(est)]
    twin = copy.deepcopy(est)
    twin.partial_fit(X_REG, Y_REG)
    for a, b in zip(_params_of(est), snapshot, strict=True):
        assert_array_equal(a, b)
    assert not np.array_equal(twin.coefs_[0], est.coefs_[0])


# ---------------------------------------------------------------------------
# Bad input


def test_not_fitted():
    clf, reg = MLPClassifier(), MLPRegressor()
    for method in ("predict", "predict_proba", "predict_log_proba"):
        with pytest.raises(NotFittedError):
            getattr(clf, method)(X_CLF)
    with pytest.raises(NotFittedError):
        clf.decision_function(X_CLF)
    with pytest.raises(NotFittedError):
        reg.predict(X_REG)


def _prediction_inputs():
    X = X_CLF[:7]
    read_only = X.copy()
    read_only.flags.writeable = False
    return {
        "C-ordered": X.copy(),
        "F-ordered": np.asfortranarray(X),
        "strided": X_CLF[:14:2],
        "read-only": read_only,
        "float32": X.astype(np.float32),
        "int": np.round(X).astype(int),
        "list": X.tolist(),
        "csr": sp.csr_matrix(X),
        "one row": X[:1].copy(),
        "huge finite": np.full((3, 8), 1e308),  # its sum overflows
    }


@pytest.mark.parametrize("name", sorted(_prediction_inputs()))
@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_prediction_skips_validate_data_only_for_arrays_it_would_return(
    Estimator, name, monkeypatch
):
    import sknn._base

    y = Y_CLF if Estimator is MLPClassifier else Y_REG
    est = Estimator(max_iter=2, **SMALL).fit(X_CLF, y)
    X = _prediction_inputs()[name]
    calls = []

    def validate_data(*args, **kwargs):
        calls.append(name)
        return sklearn_validate_data(*args, **kwargs)

    sklearn_validate_data = sknn._base.validate_data
    monkeypatch.setattr(sknn._base, "validate_data", validate_data)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no warning either way
        with np.errstate(over="ignore", invalid="ignore"):
            fast = est.predict(X)
    skipped = name in {"C-ordered", "F-ordered", "strided", "read-only", "one row"}
    if name == "huge finite":
        # Judged from the first layer's product, which may or may not
        # overflow; only where it does is scikit-learn's check needed.
        with np.errstate(over="ignore", invalid="ignore"):
            skipped = np.isfinite(X @ est.coefs_[0]).all()
    assert calls == ([] if skipped else [name])
    # The same predictions as after scikit-learn's validation of the input.
    monkeypatch.setattr(
        BaseMLP, "_is_ready_input", lambda self, X, dtype, check_finite=True: False
    )
    with np.errstate(over="ignore", invalid="ignore"):
        assert_array_equal(est.predict(X), fast)


def test_prediction_keeps_scikit_learn_errors_and_warnings():
    pd = pytest.importorskip("pandas")
    clf = MLPClassifier(max_iter=2, **SMALL).fit(X_CLF, Y_CLF)
    with pytest.raises(ValueError, match="0 sample"):
        clf.predict(X_CLF[:0])
    with pytest.raises(ValueError, match="Expected 2D array"):
        clf.predict(X_CLF[0])
    with pytest.raises(ValueError, match="Complex data"):
        clf.predict(X_CLF + 0j)
    X = X_CLF.copy()
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        clf.predict(X)
    with config_context(assume_finite=True):  # scikit-learn skips the check too
        assert np.isnan(clf.predict_proba(X)[0]).all()
    frame = pd.DataFrame(X_CLF, columns=[f"f{i}" for i in range(8)])
    named = MLPClassifier(max_iter=2, **SMALL).fit(frame, Y_CLF)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        named.predict(X_CLF)
    assert_array_equal(named.predict(frame), clf.predict(X_CLF))


@pytest.mark.parametrize("layout", ["C", "F", "strided", "float32"])
@pytest.mark.parametrize(
    "bad", [[np.nan], [np.inf], [-np.inf], [np.inf, -np.inf]], ids=str
)
def test_prediction_rejects_non_finite_entries_in_any_layout(layout, bad):
    # The fast path judges finiteness from row sums computed by BLAS; a NaN
    # or an infinity anywhere, or infinities that cancel, must still raise.
    dtype = "float32" if layout == "float32" else "float64"
    clf = MLPClassifier(max_iter=2, dtype=dtype, **SMALL).fit(X_CLF, Y_CLF)
    X = X_CLF[:10].astype(dtype)
    X[6, : len(bad)] = bad
    X = {
        "F": np.asfortranarray(X),
        "strided": np.repeat(X, 2, axis=0)[::2],
    }.get(layout, X)
    with warnings.catch_warnings():
        # scikit-learn's own check warns of inf - inf in its sum, as it does
        # for its own estimators; sknn's check adds no warning.
        warnings.simplefilter("error", RuntimeWarning)
        warnings.filterwarnings("ignore", "invalid value encountered in reduce")
        with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
            clf.predict(X)


@pytest.mark.parametrize("n_rows", [50, 40_000], ids=["isfinite", "row sums"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_has_finite_entries_matches_isfinite(dtype, n_rows):
    from sknn._finite import SMALL, has_finite_entries

    assert (n_rows * 7 < SMALL) == (n_rows == 50)  # one test per method
    warnings.simplefilter("error", RuntimeWarning)  # it warns of nothing
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_rows, 7)).astype(dtype)
    assert has_finite_entries(X)
    assert has_finite_entries(np.asfortranarray(X))
    for value in (np.nan, np.inf, -np.inf):
        for i, j in [(0, 0), (n_rows - 1, 6), (17, 3)]:
            Y = X.copy()
            Y[i, j] = value
            assert not has_finite_entries(Y)
            assert not has_finite_entries(np.asfortranarray(Y))
            assert not has_finite_entries(Y[::-1, ::2] if j % 2 == 0 else Y[:, 1::2])
            assert not has_finite_entries(sp.csr_matrix(Y))
    # Row sums that overflow from finite entries are left to the full check.
    huge = np.full((n_rows, 7), np.finfo(dtype).max, dtype=dtype)
    assert has_finite_entries(huge) == (n_rows == 50)
    # Row sums that are finite, but whose total overflows, still pass.
    rows = np.zeros((n_rows, 2), dtype=dtype)
    rows[:, 0] = np.finfo(dtype).max / 2
    assert has_finite_entries(rows)


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"activation": "tanh"},
        {"hidden_layer_sizes": ()},
        {"input_dropout": 0.2},
        {"normalization": "batch"},
        {"hidden_layer_sizes": (600,)},  # 400 x 600 products: the row-sum check
    ],
    ids=["relu", "tanh", "no hidden layer", "input dropout", "batch norm", "wide"],
)
def test_prediction_judges_its_input_from_the_first_product(settings, kernels):
    # The first layer that computes checks X from X @ W: a NaN or an
    # infinity must raise even where every weight of its feature is 0
    # (inf * 0 is NaN), and finite inputs predict as after scikit-learn's
    # validation.
    clf = MLPClassifier(max_iter=2, **{**SMALL, **settings}).fit(X_CLF, Y_CLF)
    clf.coefs_[0][3] = 0.0
    X = np.tile(X_CLF, (4, 1))[:400]
    for bad in (np.nan, np.inf, -np.inf):
        X_bad = X.copy()
        X_bad[57, 3] = bad
        with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
            clf.predict_proba(X_bad)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        proba = clf.predict_proba(X)
    clf._is_ready_input = lambda X, dtype, check_finite=True: False
    assert_array_equal(clf.predict_proba(X), proba)


def test_mixed_type_labels_raise_type_error():
    y = np.array(["a", 1] * 60, dtype=object)
    with pytest.raises(TypeError, match="strings or all be numbers"):
        MLPClassifier(max_iter=2).fit(X_CLF, y)


@pytest.mark.parametrize("classes", [["a", 1], ["a", "b"]], ids=["mixed", "strings"])
def test_mixed_type_labels_in_partial_fit_raise_clear_type_error(classes):
    # The first call validates classes and y before anything sorts them.
    y = np.array(["a", 1] * 60, dtype=object)
    classes = np.array(classes, dtype=object)
    with pytest.raises(TypeError, match="strings or all be numbers"):
        MLPClassifier().partial_fit(X_CLF, y, classes=classes)


def test_regressor_rejects_string_targets():
    y = np.array(["low", "high"] * 60)
    with pytest.raises(ValueError, match="numeric targets"):
        MLPRegressor(max_iter=2).fit(X_REG, y)


@pytest.mark.parametrize("value, msg", [(np.nan, "NaN"), (np.inf, "infinity")])
@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_non_finite_X_rejected(Estimator, value, msg):
    X = X_CLF.copy()
    X[3, 2] = value
    y = Y_CLF if Estimator is MLPClassifier else Y_REG
    with pytest.raises(ValueError, match=f"Input X contains {msg}"):
        Estimator().fit(X, y)
    est = Estimator(max_iter=2, **SMALL).fit(X_CLF, y)
    with pytest.raises(ValueError, match=f"Input X contains {msg}"):
        est.predict(X)


def test_non_finite_y_rejected():
    y = Y_REG.copy()
    y[5] = np.nan
    with pytest.raises(ValueError, match="Input y contains NaN"):
        MLPRegressor().fit(X_REG, y)


def test_wrong_number_of_features():
    clf = MLPClassifier(max_iter=2, **SMALL).fit(X_CLF, Y_CLF)
    msg = "X has 5 features, but MLPClassifier is expecting 8 features as input"
    with pytest.raises(ValueError, match=msg):
        clf.predict(X_CLF[:, :5])
    with pytest.raises(ValueError, match=msg):
        clf.decision_function(X_CLF[:, :5])


def test_inconsistent_sample_counts():
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        MLPRegressor().fit(X_REG, Y_REG[:-1])
    with pytest.raises(ValueError):
        MLPRegressor().fit(X_REG, Y_REG, sample_weight=np.ones(5))


def test_negative_sample_weight():
    sw = np.ones(len(Y_REG))
    sw[7] = -1.0
    with pytest.raises(ValueError, match="Negative values in data passed to"):
        MLPRegressor().fit(X_REG, Y_REG, sample_weight=sw)
    with pytest.raises(ValueError, match="Negative values in data passed to"):
        MLPRegressor().partial_fit(X_REG, Y_REG, sample_weight=sw)


@pytest.mark.parametrize("sizes", [0, -3, (5, 0), (-1,), [3, -2]])
def test_hidden_layer_sizes_must_be_positive(sizes):
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        MLPRegressor(hidden_layer_sizes=sizes).fit(X_REG, Y_REG)


@pytest.mark.parametrize(
    "params",
    [
        {"solver": "foo"},
        {"activation": "softsign"},
        {"learning_rate": "no-such-schedule"},
        {"learning_rate_init": -1},
        {"learning_rate_init": 0.0},
        {"alpha": -0.1},
        {"batch_size": 0},
        {"max_iter": 0},
        {"momentum": 1.5},
        {"beta_1": 1.0},
        {"validation_fraction": 1.0},
        {"n_iter_no_change": 0},
        {"dtype": "float16"},
        {"n_threads": 0},
        {"solver": SGD},  # the class, not an instance
    ],
    ids=str,
)
@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_invalid_parameters(Estimator, params):
    X, y = (X_CLF, Y_CLF) if Estimator is MLPClassifier else (X_REG, Y_REG)
    name = next(iter(params))
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter") as info:
        Estimator(**params).fit(X, y)
    assert isinstance(info.value, ValueError)


def test_invalid_regression_loss():
    with pytest.raises(InvalidParameterError, match="'loss' parameter"):
        MLPRegressor(loss="huber").fit(X_REG, Y_REG)
    with pytest.raises(InvalidParameterError, match="'loss' parameter"):
        MLPRegressor(loss="log_loss").fit(X_REG, Y_REG)


def test_poisson_rejects_negative_targets():
    with pytest.raises(ValueError, match="non-negative"):
        MLPRegressor(loss="poisson").fit(X_REG, Y_REG)
    with pytest.raises(ValueError, match="non-negative"):
        MLPRegressor(loss=PoissonLoss()).partial_fit(X_REG, Y_REG)


def test_validation_set_too_small():
    with pytest.raises(ValueError, match="The validation set is too small"):
        MLPRegressor(early_stopping=True).fit(X_REG[:10], Y_REG[:10])


def test_early_stopping_split_is_stratified():
    X = [[1, 2], [2, 3], [3, 4], [4, 5]]
    with pytest.raises(ValueError, match="least populated class"):
        MLPClassifier(early_stopping=True).fit(X, [0, 0, 0, 1])


@pytest.mark.parametrize("stratified", [True, False])
def test_multiclass_early_stopping_split_is_stratified(monkeypatch, stratified):
    # 3 classes of 60, 30 and 10 rows: a 20 % stratified split holds exactly
    # 12, 6 and 2 of them; scikit-learn's plain split, at this seed, does not.
    # The scorer sees the validation rows.
    X = np.random.RandomState(0).normal(size=(100, 4))
    y = np.repeat([0, 1, 2], [60, 30, 10])
    seen = []

    def recording_scorer(estimator, X_val, y_val):
        seen.append(np.bincount(y_val, minlength=3).tolist())
        return estimator.score(X_val, y_val)

    if not stratified:
        monkeypatch.setattr(MLPClassifier, "_stratified_target_types", ("binary",))
    clf = MLPClassifier(
        early_stopping=True,
        validation_fraction=0.2,
        scoring=recording_scorer,
        max_iter=2,
        **SMALL,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert len(seen) == 2 and seen[0] == seen[1]
    assert (seen[0] == [12, 6, 2]) == stratified


def test_multiclass_class_too_rare_to_stratify_falls_back_to_a_plain_split():
    X = np.random.RandomState(0).normal(size=(40, 4))
    y = np.r_[np.zeros(20), np.ones(19), [2]].astype(int)  # class 2: one row
    clf = MLPClassifier(early_stopping=True, max_iter=3, **SMALL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert len(clf.validation_scores_) == 3
    assert_array_equal(clf.classes_, [0, 1, 2])


# ---------------------------------------------------------------------------
# Divergence and interruption


def test_diverging_fit_raises_and_keeps_last_good_epoch():
    # A warm start first trains a few good epochs, then a learning rate far too
    # large for the unscaled targets blows the weights up in the next epoch.
    steps = []
    solver = StepHookSGD(on_step=lambda: steps.append(1))
    params = dict(solver=solver, batch_size=10, warm_start=True, n_threads=1)
    reg = MLPRegressor(max_iter=3, **params, **SMALL).fit(X_REG, Y_REG)
    good = [p.copy() for p in _params_of(reg)]
    steps.clear()
    reg.set_params(learning_rate_init=1000.0)
    with pytest.raises(ValueError, match="non-finite parameter weights") as info:
        with warnings.catch_warnings():
            # The error alone: no NumPy overflow warnings before it.
            warnings.simplefilter("error", RuntimeWarning)
            reg.fit(X_REG, Y_REG * 1e6)
    message = str(info.value)
    assert "learning_rate_init" in message and "scale" in message
    # Stopped within the first epoch of this fit ...
    assert reg.n_iter_ == 0
    assert 0 < len(steps) <= len(Y_REG) // 10
    # ... and kept the weights of the last good one.
    for a, b in zip(_params_of(reg), good, strict=True):
        assert_array_equal(a, b)
    assert len(reg.loss_curve_) == 3 and np.isfinite(reg.loss_curve_).all()
    assert np.isfinite(reg.predict(X_REG)).all()


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_nonfinite_params_raise_scikit_learns_message(solver):
    # scikit-learn's test_nonfinite_params, with its message matched exactly.
    rng = np.random.RandomState(0)
    X = np.finfo(np.float64).max * rng.uniform(size=(10, 2))
    y = rng.standard_normal(size=10)
    message = (
        "Solver produced non-finite parameter weights. The input data may contain "
        "large values and need to be preprocessed."
    )
    with pytest.raises(ValueError) as info:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            MLPRegressor(solver=solver).fit(X, y)
    assert str(info.value).startswith(message)


def test_diverging_fit_from_scratch_keeps_finite_weights():
    reg = MLPRegressor(solver="sgd", learning_rate_init=100.0, **SMALL)
    diverged = "^(Training diverged|Solver produced non-finite parameter weights)"
    with pytest.raises(ValueError, match=diverged):
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            reg.fit(X_REG, Y_REG * 1e6)
    assert all(np.isfinite(p).all() for p in _params_of(reg))
    assert np.isfinite(reg.predict(X_REG)).all()


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_huge_inputs_never_leave_a_nan_model(solver):
    # Inputs near the float64 maximum overflow at once (scikit-learn's
    # test_nonfinite_params). The stochastic solvers raise scikit-learn's
    # error. L-BFGS never sees a finite loss, so it cannot step: scikit-learn
    # returns the initial weights as a fitted model without a word, sknn
    # raises.
    rng = np.random.RandomState(0)
    X = np.finfo(np.float64).max * rng.uniform(size=(10, 2))
    y = rng.standard_normal(size=10)
    reg = MLPRegressor(solver=solver)
    message = {
        "lbfgs": "^L-BFGS found no finite training loss",
        "sgd": "^Solver produced non-finite",
        "adam": "^Solver produced non-finite",
    }[solver]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no overflow warnings
        with pytest.raises(ValueError, match=message):
            reg.fit(X, y)
    assert all(np.isfinite(p).all() for p in _params_of(reg))


def test_exploding_loss_counts_as_divergence():
    # A linear network with a step size past the stability limit: the loss
    # grows geometrically, still finite, until it passes 1e4 x the first
    # epoch's, which stops the fit.
    X, y = make_regression(n_samples=100, n_features=5, noise=1, random_state=0)
    y = y / y.std()
    params = dict(
        hidden_layer_sizes=(10,),
        activation="identity",
        solver="sgd",
        momentum=0.0,
        learning_rate_init=0.5,
        batch_size=100,
        max_iter=40,
        random_state=0,
        n_threads=1,
    )
    reg = MLPRegressor(**params)
    with pytest.raises(ValueError, match="^Training diverged: the training loss grew"):
        reg.fit(X, y)
    n_good = reg.n_iter_
    assert 1 < n_good < 40
    curve = reg.loss_curve_
    assert len(curve) == n_good and np.isfinite(curve).all()
    assert curve[-1] > curve[0]  # it was diverging, not converging
    assert max(curve) <= 1e4 * max(curve[0], 1.0)
    # The kept weights are exactly those of a run that stops after n_good epochs.
    twin = MLPRegressor(**{**params, "max_iter": n_good}).fit(X, y)
    assert_same_params(reg, twin)
    assert twin.loss_curve_ == curve


@pytest.mark.parametrize("how", ["partial_fit", "warm_start"])
def test_a_new_calls_larger_loss_is_not_divergence(how):
    # Targets 1e4 times larger than the first call's give a first loss far
    # above the earlier call's; only a growth within the call is divergence.
    rng = np.random.RandomState(0)
    X1, X2 = rng.randn(50, 3), rng.randn(50, 3)
    y1, y2 = 0.1 * X1[:, 0], 300 + 50 * X2[:, 0]
    reg = MLPRegressor(
        hidden_layer_sizes=(10,), random_state=0, max_iter=5, warm_start=True
    )
    if how == "partial_fit":
        reg.partial_fit(X1, y1).partial_fit(X2, y2)
    else:
        reg.fit(X1, y1).fit(X2, y2)
    assert reg.loss_curve_[-1] > 1e4 * reg.loss_curve_[0]
    assert np.isfinite(reg.predict(X2)).all()


def test_diverging_fit_with_early_stopping_restores_best_weights():
    X, y = load_iris(return_X_y=True)
    params = dict(
        hidden_layer_sizes=(10,),
        activation="identity",
        solver="sgd",
        learning_rate_init=0.1,
        early_stopping=True,
        random_state=0,
        n_threads=1,
    )
    reg = MLPRegressor(max_iter=20, **params)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert reg.fit(X, y) is reg
    ours = [w for w in caught if "diverged" in str(w.message)]
    assert len(ours) == 1 and ours[0].category is RuntimeWarning
    assert reg.n_iter_ < 20  # stopped at the divergence
    scores = reg.validation_scores_
    assert isinstance(scores[-1], float) and np.isnan(scores[-1])
    assert len(scores) == reg.n_iter_
    best_epoch = int(np.nanargmax(scores)) + 1
    assert reg.best_validation_score_ == scores[best_epoch - 1]
    assert all(np.isfinite(p).all() for p in _params_of(reg))
    assert np.isfinite(reg.predict(X)).all()
    # Exactly the weights of the best epoch: a run stopping there ends on them.
    twin = MLPRegressor(max_iter=best_epoch, **params).fit(X, y)
    assert_same_params(reg, twin)


@pytest.mark.parametrize("early_stopping", [False, True])
def test_ctrl_c_keeps_weights_reached(early_stopping):
    params = dict(shuffle=False, batch_size=40, n_threads=1, **SMALL)
    reg = MLPRegressor(solver=InterruptingSGD(interrupt_at=5), max_iter=50, **params)
    if early_stopping:
        # 80 training rows, 2 steps an epoch: Ctrl-C starts epoch 3, and the
        # best of the two finished epochs is restored, as scikit-learn does.
        reg.set_params(early_stopping=True, validation_fraction=1 / 3)
    with pytest.warns(UserWarning, match="Training interrupted by user."):
        assert reg.fit(X_REG, Y_REG) is reg
    assert all(np.isfinite(p).all() for p in _params_of(reg))
    assert np.isfinite(reg.predict(X_REG)).all()
    if early_stopping:
        assert reg.n_iter_ == 2
        twin = clone(reg).set_params(solver=SGD(), max_iter=2).fit(X_REG, Y_REG)
    else:
        # 120 rows, 3 steps an epoch: Ctrl-C comes at the second batch of
        # epoch 2, so the weights are one epoch plus one step on batch one.
        assert reg.n_iter_ == 1
        twin = MLPRegressor(solver=SGD(), max_iter=1, **params).fit(X_REG, Y_REG)
        twin.partial_fit(X_REG[:40], Y_REG[:40])
    assert_same_params(reg, twin)
    # The model can go on training.
    reg.set_params(solver="sgd", warm_start=True, max_iter=2).fit(X_REG, Y_REG)
    assert reg.n_iter_ == 2


def test_ctrl_c_during_lbfgs():
    loss = InterruptingSquaredError(interrupt_at=8)
    reg = MLPRegressor(solver="lbfgs", loss=loss, max_iter=100, **SMALL)
    with pytest.warns(UserWarning, match="Training interrupted by user."):
        reg.fit(X_REG, Y_REG)
    assert 0 < reg.n_iter_ < 8
    assert len(reg.loss_curve_) == reg.n_iter_
    assert all(np.isfinite(p).all() for p in _params_of(reg))
    assert np.isfinite(reg.predict(X_REG)).all()
    # Training got somewhere before the interruption.
    start = MLPRegressor(solver="lbfgs", max_iter=1, **SMALL).fit(X_REG, Y_REG)
    assert reg.loss_curve_[-1] < start.loss_curve_[0]


def test_max_iter_warns_convergence():
    with pytest.warns(ConvergenceWarning, match="Maximum iterations \\(3\\)"):
        MLPClassifier(solver="sgd", max_iter=3, **SMALL).fit(X_CLF, Y_CLF)
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        MLPClassifier(solver="lbfgs", max_iter=3, **SMALL).fit(X_CLF, Y_CLF)


# -- decoding predictions into labels -------------------------------------------------


@pytest.mark.parametrize(
    "labels",
    [
        np.array([0, 1, 2]),
        np.array(["cat", "dog", "emu"]),
        np.array([3, 7]),
        np.array(["no", "yes"]),
    ],
    ids=["multiclass", "multiclass str", "binary", "binary str"],
)
@pytest.mark.parametrize("fit", ["fit", "partial_fit"])
def test_labels_are_the_label_binarizers_inverse_transform(labels, fit):
    """``predict`` decodes multiclass and binary outputs itself; the labels are
    ``LabelBinarizer.inverse_transform``'s, ties, 0.5 and NaN included."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 4))
    y = labels[np.arange(30) % len(labels)]
    clf = MLPClassifier(hidden_layer_sizes=(5,), max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if fit == "fit":
            clf.fit(X, y)
        else:
            clf.partial_fit(X, y, classes=labels)
    n_outputs = clf.n_outputs_
    P = rng.uniform(size=(50, n_outputs))
    P[0] = 0.5  # the binary threshold, and a tie between classes
    P[1, 0] = np.nan
    P[2] = P[2, ::-1] if n_outputs > 1 else P[2]
    expected = clf._label_binarizer.inverse_transform(
        P.ravel() if n_outputs == 1 else P
    )
    decoded = clf._decode(P)
    assert_array_equal(decoded, expected)
    assert decoded.dtype == expected.dtype and decoded.shape == (50,)
    assert_array_equal(
        clf.predict(X), clf._decode(clf.predict_proba(X)[:, -n_outputs:])
    )


def test_multilabel_labels_go_through_the_label_binarizer():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 4))
    Y = (rng.uniform(size=(30, 3)) > 0.5).astype(int)
    clf = MLPClassifier(hidden_layer_sizes=(5,), max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, Y)
    P = rng.uniform(size=(10, 3))
    assert_array_equal(clf._decode(P), clf._label_binarizer.inverse_transform(P))
    assert clf.predict(X).shape == (30, 3)


# -- settings a fit cannot honour are refused -------------------------------------


@pytest.mark.parametrize(
    "change, match",
    [
        ({"normalization": "layer"}, "built with normalization="),
        ({"dtype": "float32"}, "continue the float64 network"),
    ],
    ids=["normalization", "dtype"],
)
@pytest.mark.parametrize("how", ["warm_start", "partial_fit"])
def test_continued_fits_refuse_a_network_of_other_parameters(change, match, how):
    # Normalization adds parameters, a dtype would convert them: a continued
    # fit cannot honour either, and says so instead of ignoring it.
    clf = MLPClassifier(max_iter=3, warm_start=True, **SMALL).fit(X_CLF, Y_CLF)
    before = [p.copy() for p in _params_of(clf)]
    clf.set_params(**change)
    with pytest.raises(ValueError, match=match):
        if how == "warm_start":
            clf.fit(X_CLF, Y_CLF)
        else:
            clf.partial_fit(X_CLF, Y_CLF)
    for a, b in zip(_params_of(clf), before, strict=True):
        assert_array_equal(a, b)
    clf.set_params(warm_start=False).fit(X_CLF, Y_CLF)  # a new network


def test_warm_start_applies_a_new_activation_as_scikit_learn_does():
    params = dict(hidden_layer_sizes=(10,), max_iter=5, warm_start=True)
    ours = MLPClassifier(random_state=0, **params).fit(X_CLF, Y_CLF)
    theirs = sk.MLPClassifier(random_state=0, **params).fit(X_CLF, Y_CLF)
    for est in (ours, theirs):
        est.set_params(activation="tanh").fit(X_CLF, Y_CLF)
    for a, b in zip(ours.coefs_, theirs.coefs_, strict=True):
        assert_allclose(a, b, rtol=1e-10)
    assert_allclose(ours.predict_proba(X_CLF), theirs.predict_proba(X_CLF))


@pytest.mark.parametrize(
    "change",
    [{"dropout": 0.0}, {"input_dropout": 0.0}, {"input_noise": 0.0}],
    ids=lambda change: next(iter(change)),
)
def test_continued_fits_apply_new_noise_settings(change):
    # Turning dropout or noise off keeps the weights and trains without it
    # (this switch to L-BFGS, which needs it off, used to crash).
    noisy = {"dropout": 0.3, "input_dropout": 0.2, "input_noise": 0.1}
    name = next(iter(change))
    clf = MLPClassifier(max_iter=3, warm_start=True, **{name: noisy[name]}, **SMALL)
    clf.fit(X_CLF, Y_CLF)
    clf.set_params(solver="lbfgs", **change).fit(X_CLF, Y_CLF)
    plain = MLPClassifier(max_iter=3, warm_start=True, **{name: noisy[name]}, **SMALL)
    plain.fit(X_CLF, Y_CLF)
    twin = MLPClassifier(solver="lbfgs", max_iter=3, warm_start=True, **SMALL)
    twin.fit(X_CLF, Y_CLF)  # the same shapes, then the first fit's weights
    twin.coefs_ = [c.copy() for c in plain.coefs_]
    twin.intercepts_ = [c.copy() for c in plain.intercepts_]
    twin.fit(X_CLF, Y_CLF)
    assert_same_params(clf, twin)


@pytest.mark.parametrize(
    "first, second",
    [
        ({"dropout": 0.0}, {"dropout": 0}),
        ({"dropout": 0.2}, {"dropout": np.float64(0.2)}),
        ({"activation": "relu"}, {"activation": ReLU()}),
        ({}, {"dtype": "float64"}),
        ({"dtype": "float32"}, {"dtype": np.float32}),
    ],
)
def test_equal_settings_spelled_otherwise_continue_the_network(first, second):
    clf = MLPClassifier(max_iter=2, warm_start=True, **first, **SMALL)
    clf.fit(X_CLF, Y_CLF)
    network = clf._network
    clf.set_params(**second).fit(X_CLF, Y_CLF)
    assert clf._network is network and len(clf.loss_curve_) == 4


@pytest.mark.parametrize("params", [{"max_norm": 1.0}, {"clip_grad_norm": 1.0}])
def test_lbfgs_refuses_per_step_constraints(params):
    with pytest.raises(ValueError, match="need a stochastic solver"):
        MLPClassifier(solver="lbfgs", **params, **SMALL).fit(X_CLF, Y_CLF)
    # Refused before anything is built: a fitted model stays as it was.
    clf = MLPClassifier(max_iter=3, **SMALL).fit(X_CLF, Y_CLF)
    before = [p.copy() for p in _params_of(clf)]
    with pytest.raises(ValueError, match="need a stochastic solver"):
        clf.set_params(solver="lbfgs", **params).fit(X_CLF, Y_CLF)
    for a, b in zip(_params_of(clf), before, strict=True):
        assert_array_equal(a, b)
    assert clf.n_iter_ == 3


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_early_stopping_split_with_zero_weight_part(Estimator):
    # One sample of positive weight: whichever part of the split it falls in,
    # the other part weighs nothing, which scores and trains nothing.
    X, y = (X_CLF, Y_CLF) if Estimator is MLPClassifier else (X_REG, Y_REG)
    sample_weight = np.zeros(len(y))
    sample_weight[7] = 1.0
    est = Estimator(early_stopping=True, max_iter=3, **SMALL)
    with pytest.raises(ValueError, match="weights of the (training|validation) part"):
        est.fit(X, y, sample_weight=sample_weight)
    sample_weight[::2] = 1.0  # both parts weigh something
    est.fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("weight", [-1.0, np.inf, np.nan])
def test_class_weight_must_be_finite_and_non_negative(weight):
    clf = MLPClassifier(class_weight={0: weight}, max_iter=3, **SMALL)
    with pytest.raises(ValueError, match="finite, non-negative"):
        clf.fit(X_CLF, Y_CLF)


def test_partial_fit_refuses_balanced_class_weight():
    clf = MLPClassifier(class_weight="balanced", **SMALL)
    assert not hasattr(clf, "partial_fit")
    with pytest.raises(AttributeError) as info:
        clf.partial_fit(X_CLF, Y_CLF, classes=[0, 1, 2])
    assert "not available with class_weight=" in str(info.value.__cause__)
    # fit computes them from all the data.
    clf.fit(X_CLF, Y_CLF)


def test_batch_norm_refuses_batches_of_one():
    clf = MLPClassifier(normalization="batch", batch_size=1, max_iter=2, **SMALL)
    with pytest.raises(ValueError, match="batch_size=1"):
        clf.fit(X_CLF, Y_CLF)
    assert not hasattr(clf, "coefs_")
    clf.set_params(normalization=["layer"]).fit(X_CLF, Y_CLF)
    clf.set_params(normalization="batch", solver="lbfgs").fit(X_CLF, Y_CLF)


@pytest.mark.parametrize(
    "case",
    ["2 outputs for 1", "1 output for 2", "1-d for multilabel", "2-d for multiclass"],
)
def test_y_val_must_match_the_training_targets(case):
    rng = np.random.RandomState(0)
    if case == "2 outputs for 1":
        est, y, y_val = MLPRegressor(**SMALL), Y_REG, rng.randn(30, 2)
        match = "y_val has 2 output"
    elif case == "1 output for 2":
        est, y, y_val = MLPRegressor(**SMALL), np.c_[Y_REG, Y_REG], rng.randn(30)
        match = "y_val has 1 output"
    elif case == "1-d for multilabel":
        y = rng.randint(0, 2, size=(len(Y_CLF), 3))
        est, y_val, match = MLPClassifier(**SMALL), Y_CLF[:30], "2-d label indicator"
    else:
        est, y = MLPClassifier(**SMALL), Y_CLF
        y_val, match = rng.randint(0, 2, size=(30, 3)), "one label per sample"
    X = X_REG if isinstance(est, MLPRegressor) else X_CLF
    with pytest.raises(ValueError, match=match):
        est.fit(X, y, X_val=X[:30], y_val=y_val)


def test_poisson_y_val_must_be_non_negative():
    y = np.abs(Y_REG)
    reg = MLPRegressor(loss="poisson", **SMALL)
    with pytest.raises(ValueError, match="y_val: The Poisson loss"):
        reg.fit(X_REG, y, X_val=X_REG[:30], y_val=-y[:30])


def test_sample_weight_val_needs_validation_data():
    with pytest.raises(ValueError, match="sample_weight_val only with them"):
        MLPRegressor(**SMALL).fit(X_REG, Y_REG, sample_weight_val=np.ones(30))


def test_partial_fit_draws_new_dropout_masks_on_every_call():
    # One-row calls with an integer seed: were every call's masks the first
    # call's, the units it drops would never train.
    clf = MLPClassifier((10,), dropout=0.5, alpha=0.0, random_state=0)
    clf.partial_fit(X_CLF[:1], Y_CLF[:1], classes=[0, 1, 2])
    first = clf.coefs_[0].copy()
    for i in np.random.RandomState(1).randint(0, len(Y_CLF), 100):
        clf.partial_fit(X_CLF[i : i + 1], Y_CLF[i : i + 1])
    moved = np.abs(clf.coefs_[0] - first).max(axis=0)
    assert (moved > 0).all()
    # Still reproducible: the same calls give the same model.
    twin = MLPClassifier((10,), dropout=0.5, alpha=0.0, random_state=0)
    twin.partial_fit(X_CLF[:1], Y_CLF[:1], classes=[0, 1, 2])
    for i in np.random.RandomState(1).randint(0, len(Y_CLF), 100):
        twin.partial_fit(X_CLF[i : i + 1], Y_CLF[i : i + 1])
    assert_same_params(clf, twin)


def test_scorer_gets_sample_weights_only_if_it_takes_them():
    seen = []

    def plain(estimator, X, y):
        return float((estimator.predict(X) == y).mean())

    def weighted(estimator, X, y, sample_weight=None):
        seen.append(sample_weight)
        return plain(estimator, X, y)

    params = dict(max_iter=3, early_stopping=True, class_weight="balanced", **SMALL)
    MLPClassifier(scoring=plain, **params).fit(X_CLF, Y_CLF)
    MLPClassifier(scoring=weighted, **params).fit(X_CLF, Y_CLF)
    assert len(seen) == 3 and all(w is not None for w in seen)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.UndefinedMetricWarning")
def test_nan_validation_scores_warn_and_keep_the_trained_weights():
    # R² of a single validation row is undefined (NaN): no epoch can be
    # judged best, and restoring the weights before training would undo it.
    X, y = X_REG, Y_REG
    reg = MLPRegressor(max_iter=5, early_stopping=True, **SMALL)
    with pytest.warns(RuntimeWarning, match="validation score is NaN"):
        reg.fit(X, y, X_val=X[:1], y_val=y[:1])
    plain = MLPRegressor(max_iter=5, **SMALL).fit(X, y)
    assert np.isnan(reg.validation_scores_).all()
    assert_same_params(reg, plain)


def test_n_threads_may_be_a_numpy_integer():
    before = _thread_counts()
    clf = MLPClassifier(max_iter=2, n_threads=np.int64(1), **SMALL).fit(X_CLF, Y_CLF)
    clf.predict(X_CLF)
    assert _thread_counts() == before


def test_new_coefs_on_a_shallow_copy_leave_the_original_alone():
    clf = MLPClassifier(max_iter=3, **SMALL).fit(X_CLF, Y_CLF)
    before = clf.predict_proba(X_CLF[:5])
    other = copy.copy(clf)
    other.coefs_ = [np.zeros_like(c) for c in other.coefs_]
    assert not np.allclose(other.predict_proba(X_CLF[:5]), before)
    assert_array_equal(clf.predict_proba(X_CLF[:5]), before)


def test_no_hidden_layers_take_an_empty_activation_list():
    a = MLPClassifier(hidden_layer_sizes=(), activation=[], max_iter=3, random_state=0)
    b = MLPClassifier(hidden_layer_sizes=(), max_iter=3, random_state=0)
    assert_same_params(a.fit(X_CLF, Y_CLF), b.fit(X_CLF, Y_CLF))


@pytest.mark.parametrize("how", ["partial_fit", "warm_start"])
def test_a_refused_continued_fit_keeps_the_old_network(how):
    # The call is refused (partial_fit with early stopping; a split too small
    # to hold out anything) after a new activation was set: nothing changes.
    reg = MLPRegressor(warm_start=True, max_iter=3, **SMALL).fit(X_REG, Y_REG)
    before = reg.predict(X_REG)
    reg.set_params(activation="tanh", early_stopping=True)
    with pytest.raises(ValueError):
        if how == "partial_fit":
            reg.partial_fit(X_REG, Y_REG)
        else:
            reg.fit(X_REG[:2], Y_REG[:2])
    reg.set_params(activation="relu", early_stopping=False)
    assert_array_equal(reg.predict(X_REG), before)


def test_scorer_objects_pass_weights_only_to_metrics_that_take_them():
    def accuracy(y_true, y_pred):
        return float((y_true == y_pred).mean())

    params = dict(max_iter=3, early_stopping=True, **SMALL)
    scorer = make_scorer(accuracy)
    MLPClassifier(scoring=scorer, class_weight="balanced", **params).fit(X_CLF, Y_CLF)
    weights = np.linspace(0.5, 1.5, len(Y_REG))
    reg = MLPRegressor(scoring="neg_max_error", **params)
    reg.fit(X_REG, Y_REG, sample_weight=weights)
    assert len(reg.validation_scores_) == 3


def test_settings_recorded_in_an_older_form_are_taken_as_built():
    reg = MLPRegressor(warm_start=True, max_iter=2, **SMALL).fit(X_REG, Y_REG)
    reg._network_parameters = {"activation": "'relu'", "dtype": "None"}
    reg.partial_fit(X_REG, Y_REG)
    assert set(reg._network_parameters) == {
        "activation",
        "dropout",
        "input_dropout",
        "input_noise",
        "normalization",
    }


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_huge_inputs_at_predict_give_finite_probabilities_and_logs(dtype):
    # Inputs far out of the training range push the raw outputs to ~1e30:
    # probabilities round to 0 and 1, their logs are log-softmax and
    # log-sigmoid values, with no RuntimeWarning on the way.
    X_huge = (X_CLF[:10] * 1e30).astype(dtype)
    multi = MLPClassifier(max_iter=20, **SMALL).fit(X_CLF.astype(dtype), Y_CLF)
    binary = MLPClassifier(max_iter=20, **SMALL).fit(X_CLF.astype(dtype), Y_BIN)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        for clf in (multi, binary):
            proba = clf.predict_proba(X_huge)
            log_proba = clf.predict_log_proba(X_huge)
            assert proba.dtype == log_proba.dtype == dtype
            assert np.isfinite(log_proba).all() and (proba > 0).all()
            assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
            assert_array_equal(log_proba, np.log(proba))
            # The smallest probability is the dtype's smallest normal number.
            assert proba.min() == np.finfo(dtype).tiny
            assert (log_proba.max(axis=1) == 0).all()


def test_binary_probabilities_keep_the_small_class_exactly():
    # 1 - p rounds to 0 for p near 1; expit(-raw) does not.
    clf = MLPClassifier(max_iter=50, **SMALL).fit(X_CLF * 30, Y_BIN)
    raw = clf.decision_function(X_CLF * 30)
    proba = clf.predict_proba(X_CLF * 30)
    assert_allclose(proba[:, 0], np.maximum(expit(-raw), np.finfo(float).tiny))
    assert_allclose(np.exp(clf.predict_log_proba(X_CLF * 30)), proba, rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_poisson_predictions_saturate_instead_of_overflowing(dtype):
    y = np.abs(Y_REG)
    reg = MLPRegressor(loss="poisson", max_iter=20, **SMALL).fit(X_REG.astype(dtype), y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        predicted = reg.predict((X_REG[:20] * 1e30).astype(dtype))
    assert predicted.dtype == dtype and np.isfinite(predicted).all()
    assert predicted.max() == np.finfo(dtype).max  # saturated, not inf


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_a_classifier_fitted_on_one_class_is_a_constant_model(solver):
    # As code that works with scikit-learn expects of a CV fold with one class:
    # predict_proba has one column per entry of classes_.
    clf = MLPClassifier(solver=solver, max_iter=5, **SMALL)
    clf.fit(X_CLF[:30], ["only"] * 30)
    assert_array_equal(clf.classes_, ["only"])
    X_new = X_CLF[30:40] * 100  # whatever the network outputs
    assert_array_equal(clf.predict(X_new), ["only"] * 10)
    assert_array_equal(clf.predict_proba(X_new), np.ones((10, 1)))
    assert_array_equal(clf.predict_log_proba(X_new), np.zeros((10, 1)))
    assert clf.score(X_new, ["only"] * 10) == 1.0


@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize(
    "where", ["sample_weight", "X_val", "y_val", "sample_weight_val"]
)
@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_non_finite_weights_and_validation_data_are_refused(Estimator, where, bad):
    X, y = (X_CLF, Y_CLF) if Estimator is MLPClassifier else (X_REG, Y_REG)
    data = {
        "sample_weight": np.ones(len(X)),
        "X_val": X[:20].copy(),
        "y_val": y[:20].astype(float),
        "sample_weight_val": np.ones(20),
    }
    data[where][3] = bad
    with pytest.raises(ValueError, match=r"NaN|infinity|inf"):
        Estimator(max_iter=2, **SMALL).fit(X, y, **data)
