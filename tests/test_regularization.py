"""Regularization, normalization and validation data in the estimators."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import f1_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sknn import MLPClassifier, MLPRegressor
from sknn.layers import BatchNorm, Dropout, GaussianNoise, LayerNorm
from sknn.optimizers import SGD, AdamW

X_CLF, Y_CLF = make_classification(
    n_samples=120, n_features=6, n_informative=4, n_classes=3, random_state=0
)
X_REG, Y_REG = make_regression(n_samples=120, n_features=6, noise=1.0, random_state=0)
Y_REG = Y_REG / Y_REG.std()


@pytest.fixture(autouse=True)
def _quiet_convergence():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def _clf(**params):
    defaults = {"hidden_layer_sizes": (8,), "max_iter": 20, "random_state": 0}
    return MLPClassifier(**{**defaults, **params})


def _layer_types(est):
    return [type(layer) for layer in est._network.layers]


# -- architecture ---------------------------------------------------------------


def test_layers_are_placed_as_documented():
    clf = _clf(
        hidden_layer_sizes=(8, 6),
        normalization=["batch", "layer"],
        dropout=[0.1, 0.2],
        input_dropout=0.05,
        input_noise=0.1,
        activation=["relu", "tanh"],
    ).fit(X_CLF, Y_CLF)
    names = [type(layer).__name__ for layer in clf._network.layers]
    assert names == [
        "GaussianNoise", "Dropout",
        "Dense", "BatchNorm", "ActivationLayer", "Dropout",
        "Dense", "LayerNorm", "ActivationLayer", "Dropout",
        "Dense",
    ]  # fmt: skip
    activations = [
        type(layer.activation).__name__
        for layer in clf._network.layers
        if getattr(layer, "activation", None) is not None
    ]
    assert activations == ["ReLU", "Tanh"]
    rates = [layer.rate for layer in clf._network.layers if isinstance(layer, Dropout)]
    assert rates == [0.05, 0.1, 0.2]


def test_dense_layers_apply_the_activations_that_nothing_separates_from_them():
    clf = _clf(
        hidden_layer_sizes=(8, 6, 4),
        normalization=[None, "batch", None],
        dropout=[0.1, 0.0, 0.0],
        activation=["relu", "relu", "gelu"],
    ).fit(X_CLF, Y_CLF)
    layers = [
        (type(layer).__name__, type(getattr(layer, "activation", None)).__name__)
        for layer in clf._network.layers
    ]
    assert layers == [
        ("Dense", "ReLU"), ("Dropout", "NoneType"),
        ("Dense", "NoneType"), ("BatchNorm", "NoneType"), ("ActivationLayer", "ReLU"),
        ("Dense", "NoneType"), ("ActivationLayer", "GELU"),  # gelu's derivative needs Z
        ("Dense", "NoneType"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "params",
    [
        {"dropout": [0.1]},
        {"normalization": ["batch", "nope"]},
        {"activation": ["relu"]},
        {"dropout": [0.1, 1.5]},
    ],
)
def test_per_layer_lists_are_validated(params):
    with pytest.raises(ValueError):
        _clf(hidden_layer_sizes=(4, 4), **params).fit(X_CLF, Y_CLF)


def test_lbfgs_refuses_randomized_training():
    with pytest.raises(ValueError, match="stochastic solver"):
        _clf(solver="lbfgs", dropout=0.2).fit(X_CLF, Y_CLF)


# -- training versus inference ---------------------------------------------------


@pytest.mark.parametrize(
    "params", [{"dropout": 0.5}, {"input_dropout": 0.3}, {"input_noise": 0.5}]
)
def test_randomized_layers_are_identity_at_predict(params):
    clf = _clf(**params).fit(X_CLF, Y_CLF)
    plain_layers = [
        layer
        for layer in clf._network.layers
        if not isinstance(layer, Dropout | GaussianNoise)
    ]
    A = X_CLF
    for layer in plain_layers:
        A = layer.apply(A)
    assert_allclose(clf.decision_function(X_CLF), A)
    assert_array_equal(clf.predict_proba(X_CLF), clf.predict_proba(X_CLF))


def test_dropout_changes_training_and_is_reproducible():
    a = _clf(dropout=0.3).fit(X_CLF, Y_CLF)
    b = _clf(dropout=0.3).fit(X_CLF, Y_CLF)
    plain = _clf().fit(X_CLF, Y_CLF)
    assert_array_equal(a.coefs_[0], b.coefs_[0])
    assert not np.allclose(a.coefs_[0], plain.coefs_[0])


def test_batch_norm_predicts_with_running_statistics():
    clf = _clf(normalization="batch").fit(X_CLF, Y_CLF)
    bn = next(layer for layer in clf._network.layers if isinstance(layer, BatchNorm))
    Z = X_CLF @ clf.coefs_[0] + clf.intercepts_[0]
    assert not np.allclose(bn.running_var, 1.0)  # statistics were learned
    Z = (Z - bn.running_mean) / np.sqrt(bn.running_var + bn.epsilon)
    A = np.maximum(Z * bn.gamma + bn.beta, 0)
    assert_allclose(
        clf.decision_function(X_CLF), A @ clf.coefs_[1] + clf.intercepts_[1]
    )
    # One sample predicts the same alone as in a batch: no batch statistics.
    assert_allclose(clf.predict_proba(X_CLF[:1]), clf.predict_proba(X_CLF)[:1])


def test_batch_norm_ignores_the_scale_of_sample_weights():
    # alpha=0: the L2 penalty is divided by the total weight, as scikit-learn's.
    sw = np.random.RandomState(5).rand(len(Y_CLF))
    params = dict(normalization="batch", alpha=0.0, batch_size="full")
    normalized = _clf(**params).fit(X_CLF, Y_CLF, sample_weight=sw / sw.sum())
    scaled = _clf(**params).fit(X_CLF, Y_CLF, sample_weight=sw * 0.6)
    assert_allclose(
        normalized.predict_proba(X_CLF), scaled.predict_proba(X_CLF), rtol=1e-6
    )


def test_batch_norm_running_variance_survives_a_trailing_one_row_batch():
    X, y = make_classification(
        n_samples=121, n_features=6, n_informative=4, n_classes=3, random_state=0
    )
    clf = _clf(normalization="batch", batch_size=60).fit(X, y)  # 60 + 60 + 1
    bn = next(layer for layer in clf._network.layers if isinstance(layer, BatchNorm))
    Z = X @ clf.coefs_[0] + clf.intercepts_[0]
    ratio = bn.running_var / Z.var(axis=0, ddof=1)
    assert np.all((ratio > 0.8) & (ratio < 1.25))  # not shrunk by the lone row


def test_normalization_parameters_are_never_decayed():
    clf = _clf(normalization="layer", solver=AdamW(weight_decay=0.5)).fit(X_CLF, Y_CLF)
    ln = next(layer for layer in clf._network.layers if isinstance(layer, LayerNorm))
    n_weights = sum(W.size for W in clf.coefs_)
    assert clf._optimizer.n_decayed_ == n_weights
    assert not np.shares_memory(clf._network.params[:n_weights], ln.gamma)


# -- penalties and constraints ---------------------------------------------------------


def test_l1_penalty_makes_weights_sparse():
    def fraction_near_zero(l1_ratio):
        reg = MLPRegressor(
            hidden_layer_sizes=(16,),
            alpha=5.0,
            l1_ratio=l1_ratio,
            solver="sgd",
            learning_rate_init=0.01,
            max_iter=100,
            random_state=0,
        ).fit(X_REG, Y_REG)
        return np.mean(np.abs(reg.coefs_[0]) < 1e-2)

    # Same strength, the lasso drives far more first-layer weights to ~0.
    assert fraction_near_zero(1.0) > fraction_near_zero(0.0) + 0.4


def test_l1_ratio_zero_is_sklearns_l2():
    a = _clf(alpha=0.1).fit(X_CLF, Y_CLF)
    b = _clf(alpha=0.1, l1_ratio=0.0).fit(X_CLF, Y_CLF)
    assert_array_equal(a.coefs_[0], b.coefs_[0])


def test_elastic_net_loss_includes_both_penalties():
    # The first full-batch epoch's loss is measured at the initial weights:
    # data loss + alpha * (l1_ratio * |W| + (1 - l1_ratio) / 2 * ||W||^2) / n.
    base = dict(batch_size="full", max_iter=1, random_state=0)
    plain = MLPRegressor(hidden_layer_sizes=(5,), alpha=0.0, **base).fit(X_REG, Y_REG)
    both = MLPRegressor(hidden_layer_sizes=(5,), alpha=2.0, l1_ratio=0.25, **base).fit(
        X_REG, Y_REG
    )
    # A step of 1e-300 leaves the initial weights exactly as drawn.
    start = MLPRegressor(
        hidden_layer_sizes=(5,), learning_rate_init=1e-300, **base
    ).fit(X_REG, Y_REG)
    W = np.concatenate([w.ravel() for w in start.coefs_])
    penalty = 2.0 * (0.25 * np.abs(W).sum() + 0.75 / 2 * np.dot(W, W)) / len(X_REG)
    assert both.loss_curve_[0] == pytest.approx(
        plain.loss_curve_[0] + penalty, rel=1e-9
    )


def test_max_norm_holds_for_every_unit():
    clf = _clf(max_norm=0.5, learning_rate_init=0.05).fit(X_CLF, Y_CLF)
    for W in clf.coefs_:
        assert np.all(np.linalg.norm(W, axis=0) <= 0.5 + 1e-12)
    free = _clf(learning_rate_init=0.05).fit(X_CLF, Y_CLF)
    assert np.linalg.norm(free.coefs_[0], axis=0).max() > 0.5


def test_clip_grad_norm_bounds_each_sgd_step():
    base = dict(
        solver="sgd",
        momentum=0.0,
        learning_rate_init=1.0,
        max_iter=1,
        batch_size="full",
        shuffle=False,
    )
    clipped = _clf(clip_grad_norm=1e-3, **base).fit(X_CLF, Y_CLF)
    start = _clf(**{**base, "learning_rate_init": 1e-300}).fit(X_CLF, Y_CLF)
    step = np.concatenate(
        [
            (a - b).ravel()
            for a, b in zip(
                clipped.coefs_ + clipped.intercepts_,
                start.coefs_ + start.intercepts_,
                strict=True,
            )
        ]
    )
    assert np.linalg.norm(step) == pytest.approx(1e-3, rel=1e-6)


class _OwnStepAdamW(AdamW):
    """AdamW with a ``step`` of its own (the documented three-argument one):
    the engine then adds the L2 term's gradient itself."""

    def step(self, params, grads, lr):
        super().step(params, grads, lr)


class _OwnStepSGD(SGD):
    """SGD with a ``step`` of its own, as ``_OwnStepAdamW``."""

    def step(self, params, grads, lr):
        super().step(params, grads, lr)


@pytest.mark.parametrize("sample_weight", [None, "random"])
@pytest.mark.parametrize("solver", ["adamw", "sgd"])
def test_l2_term_trains_alike_in_the_optimizer_step_and_in_the_gradient(
    solver, sample_weight, monkeypatch
):
    """The training loop leaves the L2 term's gradient to the optimizer's
    compiled pass; an optimizer with its own ``step`` gets it in the gradient.
    Both train alike, sample weights included."""
    from sknn.engine import Network

    l2_gradient_asked = []
    loss_and_gradient = Network.loss_and_gradient

    def recording(self, *args, **kwargs):
        l2_gradient_asked.append(kwargs.get("l2_gradient", True))
        return loss_and_gradient(self, *args, **kwargs)

    monkeypatch.setattr(Network, "loss_and_gradient", recording)
    rng = np.random.RandomState(0)
    sw = None if sample_weight is None else rng.uniform(0.5, 2.0, len(X_CLF))
    in_step_solver = AdamW(weight_decay=0.05) if solver == "adamw" else "sgd"
    params = dict(alpha=0.3, batch_size=16, max_iter=4)
    in_step = _clf(solver=in_step_solver, **params).fit(X_CLF, Y_CLF, sample_weight=sw)
    assert l2_gradient_asked and not any(l2_gradient_asked)
    l2_gradient_asked.clear()
    own_step = _OwnStepAdamW(weight_decay=0.05) if solver == "adamw" else _OwnStepSGD()
    in_gradient = _clf(solver=own_step, **params).fit(X_CLF, Y_CLF, sample_weight=sw)
    assert l2_gradient_asked and all(l2_gradient_asked)
    assert_allclose(in_step.loss_curve_, in_gradient.loss_curve_, rtol=1e-10)
    for ours, theirs in zip(in_step.coefs_, in_gradient.coefs_, strict=True):
        assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)
    no_l2 = _clf(solver=in_step_solver, **{**params, "alpha": 0.0}).fit(
        X_CLF, Y_CLF, sample_weight=sw
    )
    assert not np.allclose(no_l2.coefs_[0], in_step.coefs_[0])


# -- class weights ------------------------------------------------------------------


def test_class_weight_equals_sample_weight():
    weights = {0: 3.0, 1: 0.5, 2: 1.0}
    a = _clf(class_weight=weights).fit(X_CLF, Y_CLF)
    sw = np.array([weights[c] for c in Y_CLF])
    b = _clf().fit(X_CLF, Y_CLF, sample_weight=sw)
    assert_allclose(a.coefs_[0], b.coefs_[0])


def test_class_weight_multiplies_sample_weight_and_balanced_uses_counts():
    y = np.r_[np.zeros(90, int), np.ones(30, int)]
    sw = np.random.RandomState(0).rand(120) + 0.5
    a = _clf(class_weight="balanced").fit(X_CLF, y, sample_weight=sw)
    counts = np.array([sw[y == 0].sum(), sw[y == 1].sum()])
    per_class = counts.sum() / (2 * counts)
    b = _clf().fit(X_CLF, y, sample_weight=sw * per_class[y])
    assert_allclose(a.coefs_[0], b.coefs_[0])


def test_class_weight_errors():
    with pytest.raises(ValueError, match="not in y"):
        _clf(class_weight={7: 2.0}).fit(X_CLF, Y_CLF)
    Y = np.c_[Y_CLF == 0, Y_CLF == 1].astype(int)
    with pytest.raises(ValueError, match="multilabel"):
        _clf(class_weight="balanced").fit(X_CLF, Y)


# -- weight averaging ----------------------------------------------------------


def test_weight_averaging_predicts_with_the_average():
    avg = _clf(weight_averaging=0.9, batch_size=30, max_iter=5).fit(X_CLF, Y_CLF)
    plain = _clf(batch_size=30, max_iter=5).fit(X_CLF, Y_CLF)
    # Averaging does not change the training trajectory...
    assert_allclose(avg._state.train_params, plain._network.params)
    # ...but predictions use the average, which coefs_ hold.
    assert not np.allclose(avg._network.params, plain._network.params)
    assert_allclose(avg._network.params, avg._state.averaged)
    assert np.shares_memory(avg.coefs_[0], avg._network.params)


def test_weight_averaging_is_the_exponential_average_of_the_steps():
    # Record the raw parameters after each step through partial_fit with one
    # batch per epoch, and average them by hand.
    base = dict(batch_size="full", shuffle=False, random_state=0)
    plain = _clf(**base)
    trajectory = []
    for _ in range(4):
        plain.partial_fit(X_CLF, Y_CLF, classes=[0, 1, 2])
        trajectory.append(plain._network.params.copy())
    avg = _clf(weight_averaging=0.5, **base)
    for _ in range(4):
        avg.partial_fit(X_CLF, Y_CLF, classes=[0, 1, 2])
    start = _clf(**base, learning_rate_init=1e-300)
    start.partial_fit(X_CLF, Y_CLF, classes=[0, 1, 2])
    expected = start._network.params.copy()
    for params in trajectory:
        expected = 0.5 * expected + 0.5 * params
    assert_allclose(avg._network.params, expected)


def test_weight_averaging_continues_from_raw_weights():
    a = _clf(weight_averaging=0.9, batch_size=30, warm_start=True, max_iter=2)
    a.fit(X_CLF, Y_CLF).fit(X_CLF, Y_CLF)
    plain = _clf(batch_size=30, warm_start=True, max_iter=2)
    plain.fit(X_CLF, Y_CLF).fit(X_CLF, Y_CLF)
    assert_allclose(a._state.train_params, plain._network.params)


def _with_a_new_average(est, params):
    """``est`` set to train on from ``params`` with no average kept."""
    est._network.params[...] = params
    est._state.train_params = est._state.averaged = est._state.handed_over = None
    return est


def test_weight_averaging_keeps_edited_weights():
    # Edited coefs_ (which hold the average) are what the next call trains
    # from, as without averaging; they start a new average.
    params = dict(weight_averaging=0.9, batch_size=30, warm_start=True, max_iter=2)
    avg = _clf(**params).fit(X_CLF, Y_CLF)
    avg.coefs_ = [c * 0.5 for c in avg.coefs_]
    edited = avg._sync_network().params.copy()
    avg.partial_fit(X_CLF, Y_CLF)
    twin = _with_a_new_average(_clf(**params).fit(X_CLF, Y_CLF), edited)
    twin.partial_fit(X_CLF, Y_CLF)
    assert_allclose(avg._network.params, twin._network.params)


def test_weight_averaging_resumed_after_a_pause_starts_from_current_weights():
    params = dict(batch_size=30, warm_start=True, max_iter=3)
    paused = _clf(weight_averaging=0.9, **params).fit(X_CLF, Y_CLF)
    paused.set_params(weight_averaging=None).fit(X_CLF, Y_CLF)
    current = paused._network.params.copy()
    paused.set_params(weight_averaging=0.9, max_iter=1).fit(X_CLF, Y_CLF)
    # Trained one epoch from the weights the pause left, not from the raw
    # weights of the first fit.
    fresh = _clf(weight_averaging=0.9, **{**params, "max_iter": 1})
    _with_a_new_average(fresh.fit(X_CLF, Y_CLF), current).fit(X_CLF, Y_CLF)
    assert_allclose(paused._network.params, fresh._network.params)


# -- validation data, early stopping and scoring ---------------------------------------


def test_validation_data_is_recorded_without_early_stopping():
    X_val, y_val = X_CLF[:40], Y_CLF[:40]
    clf = _clf().fit(X_CLF[40:], Y_CLF[40:], X_val=X_val, y_val=y_val)
    # In history_: validation_scores_ is early stopping's, None without it.
    assert clf.validation_scores_ is None and clf.best_validation_score_ is None
    scores = clf.history_["val_score"]
    assert len(scores) == len(clf.validation_loss_curve_) == 20
    assert np.isfinite(scores).all() and np.isfinite(clf.validation_loss_curve_).all()
    clf_ref = _clf().fit(X_CLF[40:], Y_CLF[40:])
    assert_array_equal(clf.coefs_[0], clf_ref.coefs_[0])  # nothing else changed
    assert scores[-1] == pytest.approx(clf.score(X_val, y_val))


def test_validation_data_replaces_the_split_under_early_stopping():
    X_val, y_val = X_CLF[:40], Y_CLF[:40]
    clf = _clf(early_stopping=True, max_iter=200).fit(
        X_CLF[40:], Y_CLF[40:], X_val=X_val, y_val=y_val
    )
    assert clf.best_validation_score_ == pytest.approx(clf.score(X_val, y_val))
    assert clf.best_validation_score_ == max(clf.validation_scores_)


def test_scoring_loss_monitors_the_validation_loss():
    X_val, y_val = X_REG[:40], Y_REG[:40]
    reg = MLPRegressor(
        hidden_layer_sizes=(8,),
        scoring="loss",
        early_stopping=True,
        max_iter=50,
        random_state=0,
    ).fit(X_REG[40:], Y_REG[40:], X_val=X_val, y_val=y_val)
    assert_allclose(reg.validation_scores_, -np.array(reg.validation_loss_curve_))
    best = np.argmax(reg.validation_scores_)
    half_mse = 0.5 * np.mean((reg.predict(X_val) - y_val) ** 2)
    assert half_mse == pytest.approx(reg.validation_loss_curve_[best], rel=1e-6)


def test_any_scorer_can_drive_early_stopping():
    X_val, y_val = X_CLF[:40], Y_CLF[:40]
    clf = _clf(scoring="f1_macro", early_stopping=True, max_iter=100).fit(
        X_CLF[40:], Y_CLF[40:], X_val=X_val, y_val=y_val
    )
    assert clf.best_validation_score_ == pytest.approx(
        f1_score(y_val, clf.predict(X_val), average="macro")
    )


def test_partial_fit_records_validation_across_calls():
    clf = MLPClassifier((8,), random_state=0)
    for _ in range(3):
        clf.partial_fit(
            X_CLF[40:],
            Y_CLF[40:],
            classes=[0, 1, 2],
            X_val=X_CLF[:40],
            y_val=Y_CLF[:40],
        )
    scores = clf.history_["val_score"]
    assert len(scores) == len(clf.validation_loss_curve_) == 3
    assert scores[-1] == pytest.approx(clf.score(X_CLF[:40], Y_CLF[:40]))
    assert_array_equal(clf.history_["call"], [0, 1, 2])
    # Early stopping's attributes: partial_fit never stops early.
    assert clf.validation_scores_ is None and clf.best_validation_score_ is None


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"X_val": X_CLF[:5]}, "together"),
        ({"X_val": X_CLF[:5], "y_val": Y_CLF[:4]}, "different numbers"),
        ({"X_val": X_CLF[:5, :3], "y_val": Y_CLF[:5]}, "features"),
        ({"X_val": X_CLF[:3], "y_val": ["z", "z", "z"]}, "not seen"),
    ],
)
def test_bad_validation_data(kwargs, match):
    with pytest.raises(ValueError, match=match):
        _clf().fit(X_CLF, Y_CLF, **kwargs)


def test_validation_data_through_a_pipeline():
    import sklearn

    with sklearn.config_context(enable_metadata_routing=True):
        model = Pipeline(
            [
                ("scale", StandardScaler()),
                (
                    "mlp",
                    _clf(early_stopping=True).set_fit_request(X_val=True, y_val=True),
                ),
            ],
            transform_input=["X_val"],
        )
        model.fit(
            X_CLF[40:] * 100, Y_CLF[40:], X_val=X_CLF[:40] * 100, y_val=Y_CLF[:40]
        )
    mlp = model.named_steps["mlp"]
    # The network saw the scaled validation inputs: its score equals the
    # pipeline's on the raw ones.
    assert mlp.best_validation_score_ == pytest.approx(
        model.score(X_CLF[:40] * 100, Y_CLF[:40])
    )
