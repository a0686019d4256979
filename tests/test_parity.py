"""Parity with scikit-learn's MLP.

With the same parameters, the same ``random_state`` and float64 data, a short
run of sknn reproduces scikit-learn's: the same weights (to rtol 1e-6, plus a
tiny atol for weights near zero), losses, epoch counts, validation scores and
predictions. The runs are kept short (at most 20 epochs or iterations) because
training amplifies rounding differences: after a few hundred L-BFGS
iterations two correct implementations end far apart.
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import neural_network as sk
from sklearn.base import is_classifier
from sklearn.datasets import (
    make_classification,
    make_multilabel_classification,
    make_regression,
)

import sknn

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

RTOL = 1e-6
ATOL = 1e-9  # for weights and probabilities that are nearly zero
MAX_ITER = 20
HIDDEN = (7, 5)

SOLVERS = ["sgd", "adam", "lbfgs"]
ACTIVATIONS = ["identity", "logistic", "tanh", "relu"]
TASKS = ["multiclass", "binary", "multilabel", "regression", "multioutput", "poisson"]


def _make_data():
    X, y = make_classification(
        n_samples=120, n_features=8, n_informative=5, n_classes=3, random_state=0
    )
    X_ml, Y_ml = make_multilabel_classification(
        n_samples=120, n_features=8, n_classes=3, random_state=0
    )
    X_ml = X_ml / X_ml.max()
    X_reg, y_reg = make_regression(
        n_samples=120, n_features=8, n_targets=2, noise=1.0, random_state=0
    )
    y_reg = y_reg / y_reg.std(axis=0)
    rng = np.random.RandomState(0)
    counts = rng.poisson(np.exp(0.4 * X_reg[:, 0] - 0.3 * X_reg[:, 1])).astype(float)
    return {
        "multiclass": ("clf", X, y),
        "binary": ("clf", X, (y > 0).astype(int)),
        "multilabel": ("clf", X_ml, Y_ml),
        "regression": ("reg", X_reg, y_reg[:, 0]),
        "multioutput": ("reg", X_reg, y_reg),
        "poisson": ("reg", X_reg, counts),
    }


DATA = _make_data()


@pytest.fixture(autouse=True)
def _scikit_learns_validation_split(monkeypatch):
    # sknn stratifies the early-stopping split of multiclass targets, which
    # scikit-learn's MLP leaves unstratified (it stratifies binary targets
    # only): with that one difference, the split, and so everything after
    # it, could not match. Parity is checked with scikit-learn's split; the
    # stratified one is tested in test_mlp.py.
    monkeypatch.setattr(sknn.MLPClassifier, "_stratified_target_types", ("binary",))


def _pair(task, **params):
    """A scikit-learn and an sknn estimator with the same parameters."""
    kind, X, y = DATA[task]
    params = {
        "hidden_layer_sizes": HIDDEN,
        "max_iter": MAX_ITER,
        "random_state": 0,
        **params,
    }
    if kind == "clf":
        return sk.MLPClassifier(**params), sknn.MLPClassifier(**params), X, y
    if task == "poisson":
        params["loss"] = "poisson"
    return sk.MLPRegressor(**params), sknn.MLPRegressor(**params), X, y


def _assert_close(actual, desired, what):
    assert_allclose(actual, desired, rtol=RTOL, atol=ATOL, err_msg=what)


def assert_same_model(ref, est, X):
    """``est`` (sknn) has fitted what ``ref`` (scikit-learn) has fitted."""
    assert est.n_iter_ == ref.n_iter_
    assert est.n_layers_ == ref.n_layers_
    assert est.n_outputs_ == ref.n_outputs_
    assert est.out_activation_ == ref.out_activation_
    assert est.n_features_in_ == ref.n_features_in_
    for name in ("coefs_", "intercepts_"):
        mine, theirs = getattr(est, name), getattr(ref, name)
        assert len(mine) == len(theirs)
        for i, (a, b) in enumerate(zip(mine, theirs, strict=True)):
            assert a.dtype == b.dtype == np.float64
            assert a.shape == b.shape
            _assert_close(a, b, f"{name}[{i}]")
    _assert_close(est.loss_, ref.loss_, "loss_")
    assert est.t_ == ref.t_
    # The stochastic solvers' bookkeeping; scikit-learn's L-BFGS sets none of
    # these, so compare whatever the reference has.
    for name in ("loss_curve_", "validation_scores_"):
        if hasattr(ref, name):
            theirs = getattr(ref, name)
            if theirs is None:
                assert getattr(est, name) is None, name
            else:
                assert len(getattr(est, name)) == len(theirs), name
                _assert_close(getattr(est, name), theirs, name)
    for name in ("best_loss_", "best_validation_score_"):
        if hasattr(ref, name):
            theirs = getattr(ref, name)
            if theirs is None:
                assert getattr(est, name) is None, name
            else:
                _assert_close(getattr(est, name), theirs, name)

    if is_classifier(ref):
        assert_array_equal(est.classes_, ref.classes_)
        assert_array_equal(est.predict(X), ref.predict(X))
        _assert_close(est.predict_proba(X), ref.predict_proba(X), "predict_proba")
    else:
        _assert_close(est.predict(X), ref.predict(X), "predict")


def _fit_pair(task, sample_weight=None, X=None, **params):
    ref, est, X_task, y = _pair(task, **params)
    X = X_task if X is None else X
    ref.fit(X, y, sample_weight=sample_weight)
    est.fit(X, y, sample_weight=sample_weight)
    return ref, est, X


def _assert_lbfgs_curve(est):
    """sknn records a loss curve for L-BFGS too, one loss per iteration."""
    assert len(est.loss_curve_) == est.n_iter_
    assert est.loss_curve_[-1] == pytest.approx(est.loss_, rel=1e-12)
    assert est.best_loss_ == min(est.loss_curve_)


# ---------------------------------------------------------------------------
# The grid: solver x activation x early stopping x target type


@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_parity_solver_activation(solver, activation, early_stopping, task):
    # learning_rate_init 0.01 rather than 0.001 only so that 20 epochs move
    # the weights far from their initialization; everything else is default.
    # scikit-learn ignores early_stopping with L-BFGS (no split, no scores),
    # and so must sknn: the lbfgs runs with early_stopping=True must still
    # match a plain fit.
    ref, est, X = _fit_pair(
        task,
        solver=solver,
        activation=activation,
        early_stopping=early_stopping,
        learning_rate_init=0.01,
    )
    assert_same_model(ref, est, X)
    if solver == "lbfgs":
        _assert_lbfgs_curve(est)
        assert est.validation_scores_ is None
    elif early_stopping:
        assert len(est.validation_scores_) == est.n_iter_


@pytest.mark.parametrize("task", ["multiclass", "regression"])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_parity_early_stopping_stops_and_restores(solver, task):
    # A run that stops before max_iter, where the restored best weights are
    # not the last epoch's.
    ref, est, X = _fit_pair(
        task,
        solver=solver,
        early_stopping=True,
        n_iter_no_change=2,
        tol=0.0,
        learning_rate_init=0.2,
        batch_size=16,
    )
    assert ref.n_iter_ < MAX_ITER, "precondition: scikit-learn stops early"
    assert ref.validation_scores_[-1] < ref.best_validation_score_
    assert_same_model(ref, est, X)


@pytest.mark.parametrize("task", ["multiclass", "regression"])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_parity_converges_on_training_loss(solver, task):
    # Stops on n_iter_no_change epochs without a tol improvement of the loss.
    ref, est, X = _fit_pair(
        task, solver=solver, n_iter_no_change=2, tol=0.05, learning_rate_init=0.01
    )
    assert ref.n_iter_ < MAX_ITER, "precondition: scikit-learn converges"
    assert_same_model(ref, est, X)


# ---------------------------------------------------------------------------
# Sample weights


@pytest.mark.parametrize(
    "solver, early_stopping",
    [("sgd", False), ("adam", False), ("lbfgs", False), ("adam", True)],
)
@pytest.mark.parametrize("task", ["multiclass", "binary", "regression", "poisson"])
def test_parity_sample_weight(task, solver, early_stopping):
    n_samples = DATA[task][1].shape[0]
    sample_weight = np.random.RandomState(1).uniform(0.2, 3.0, n_samples)
    ref, est, X = _fit_pair(
        task,
        sample_weight=sample_weight,
        solver=solver,
        early_stopping=early_stopping,
        learning_rate_init=0.01,
        batch_size=32,
    )
    assert_same_model(ref, est, X)
    # The weights must matter, or this test would not test them.
    unweighted = sknn.MLPClassifier if is_classifier(ref) else sknn.MLPRegressor
    plain = unweighted(**est.get_params()).fit(X, DATA[task][2])
    assert not np.allclose(plain.coefs_[0], est.coefs_[0], rtol=1e-3)


# ---------------------------------------------------------------------------
# Learning-rate schedules and the flat optimizer parameters


@pytest.mark.parametrize("task", ["multiclass", "regression"])
def test_parity_invscaling_sgd(task):
    ref, est, X = _fit_pair(
        task,
        solver="sgd",
        learning_rate="invscaling",
        learning_rate_init=0.5,
        power_t=0.3,
        batch_size=32,
    )
    assert ref._optimizer.learning_rate < 0.5, "precondition: the rate decayed"
    assert_same_model(ref, est, X)


@pytest.mark.parametrize("task", ["multiclass", "regression"])
def test_parity_adaptive_sgd(task):
    # A large tol makes every epoch count as "no improvement", so the adaptive
    # schedule divides the rate by 5 every n_iter_no_change + 1 epochs.
    ref, est, X = _fit_pair(
        task,
        solver="sgd",
        learning_rate="adaptive",
        learning_rate_init=0.05,
        tol=0.05,
        n_iter_no_change=2,
        batch_size=32,
    )
    assert ref._optimizer.learning_rate < 0.05, "precondition: the rate dropped"
    assert ref.n_iter_ > 3, "precondition: training went on at a lower rate"
    assert_same_model(ref, est, X)


@pytest.mark.parametrize("learning_rate", ["invscaling", "adaptive"])
def test_parity_adam_ignores_sgd_schedules(learning_rate):
    # scikit-learn silently trains Adam at a constant rate whatever
    # learning_rate says; sknn does the same, but says so.
    # tol and n_iter_no_change make the run plateau, where 'adaptive' would
    # lower the rate for sgd but stops Adam.
    ref, est, X, y = _pair(
        "multiclass",
        solver="adam",
        learning_rate=learning_rate,
        learning_rate_init=0.01,
        tol=0.05,
        n_iter_no_change=2,
    )
    ref.fit(X, y)
    assert ref.n_iter_ < MAX_ITER, "precondition: training plateaued"
    with pytest.warns(UserWarning, match="SGD solvers only"):
        est.fit(X, y)
    assert_same_model(ref, est, X)


@pytest.mark.parametrize(
    "params",
    [
        {"solver": "sgd", "momentum": 0.0},
        {"solver": "sgd", "momentum": 0.5, "nesterovs_momentum": False},
        {"solver": "adam", "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-6},
    ],
    ids=["sgd-no-momentum", "sgd-classic-momentum", "adam-betas"],
)
def test_parity_optimizer_parameters(params):
    ref, est, X = _fit_pair(
        "multiclass", learning_rate_init=0.02, batch_size=32, **params
    )
    assert_same_model(ref, est, X)


# ---------------------------------------------------------------------------
# Batching, shuffling, regularization


@pytest.mark.parametrize("task", ["multiclass", "regression"])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_parity_no_shuffle(solver, task):
    ref, est, X = _fit_pair(
        task, solver=solver, shuffle=False, batch_size=25, learning_rate_init=0.01
    )
    assert_same_model(ref, est, X)


@pytest.mark.parametrize("batch_size", [1, 17, 120])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_parity_batch_size(solver, batch_size):
    # 17 leaves a short last batch; 120 is the whole data set; 1 is pure SGD.
    max_iter = 3 if batch_size == 1 else MAX_ITER
    ref, est, X = _fit_pair(
        "multiclass",
        solver=solver,
        batch_size=batch_size,
        max_iter=max_iter,
        learning_rate_init=0.005,
    )
    assert_same_model(ref, est, X)


def test_parity_batch_size_larger_than_data_is_clipped():
    ref, est, X, y = _pair("regression", solver="adam", batch_size=1000)
    with pytest.warns(UserWarning, match="batch_size"):
        ref.fit(X, y)
    with pytest.warns(UserWarning, match="batch_size"):
        est.fit(X, y)
    assert_same_model(ref, est, X)


@pytest.mark.parametrize("alpha", [0.0, 0.01, 1.0])
@pytest.mark.parametrize("solver", SOLVERS)
def test_parity_alpha(solver, alpha):
    ref, est, X = _fit_pair(
        "multiclass",
        solver=solver,
        alpha=alpha,
        learning_rate_init=0.01,
        batch_size=32,
    )
    assert_same_model(ref, est, X)


# ---------------------------------------------------------------------------
# Sparse input


def _sparse_data():
    X = DATA["multiclass"][1].copy()
    X[np.abs(X) < 1.0] = 0.0  # about two thirds zeros
    return X


@pytest.mark.parametrize("container", [sp.csr_matrix, sp.csc_matrix, sp.csr_array])
@pytest.mark.parametrize("solver", SOLVERS)
def test_parity_sparse_input(solver, container):
    X_dense = _sparse_data()
    X = container(X_dense)
    ref, est, _ = _fit_pair(
        "multiclass", X=X, solver=solver, learning_rate_init=0.01, batch_size=32
    )
    assert_same_model(ref, est, X)
    # ... and the dense twin predicts the same.
    _assert_close(est.predict_proba(X_dense), ref.predict_proba(X), "dense twin")


# ---------------------------------------------------------------------------
# Continued training: warm start and partial_fit


@pytest.mark.parametrize("task", ["multiclass", "regression"])
@pytest.mark.parametrize("solver", SOLVERS)
def test_parity_warm_start(solver, task):
    ref, est, X = _fit_pair(
        task, solver=solver, warm_start=True, max_iter=8, learning_rate_init=0.01
    )
    y = DATA[task][2]
    ref.set_params(max_iter=6).fit(X, y)
    est.set_params(max_iter=6).fit(X, y)
    assert_same_model(ref, est, X)
    if solver != "lbfgs":
        assert len(est.loss_curve_) == 14


@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("task", ["multiclass", "multilabel", "regression"])
def test_parity_partial_fit(task, solver):
    ref, est, X, y = _pair(task, solver=solver, learning_rate_init=0.01, batch_size=32)
    extra = {}
    if task == "multiclass":
        extra["classes"] = np.unique(y)
    elif task == "multilabel":  # the classes of an indicator matrix: its columns
        extra["classes"] = np.arange(y.shape[1])
    for start in (0, 40, 80, 0, 60):
        rows = slice(start, start + 60)
        ref.partial_fit(X[rows], y[rows], **extra)
        est.partial_fit(X[rows], y[rows], **extra)
    assert_same_model(ref, est, X)
