"""Looking inside the networks: ``summary``, ``hidden_activations``, ``MLPEmbedding``.

The summary's counts are checked against the arrays the fitted network holds,
and the summary of an unfitted estimator against the fitted one's. Hidden
activations are checked against forward passes written out here in NumPy
from ``coefs_`` and ``intercepts_`` (and a batch-normalization layer's
running statistics, scale and shift). ``MLPEmbedding``'s cross-fitted
features are checked against folds fitted by hand; the estimator checks for
it are in test_common.py.
"""

# SPDX-License-Identifier: BSD-3-Clause

import sys

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import load_digits, make_classification, make_regression
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.utils import estimator_checks
from threadpoolctl import threadpool_info

import sknn
from sknn import MLPClassifier, MLPEmbedding, MLPRegressor
from sknn.activations import LeakyReLU, ReLU
from sknn.layers import BatchNorm, Dense, LayerNorm

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

_DIGITS_X, _DIGITS_Y = load_digits(return_X_y=True)
X_DIGITS, Y_DIGITS = _DIGITS_X[:240] / 16.0, _DIGITS_Y[:240]
X_CLF, Y_CLF = make_classification(
    n_samples=120, n_features=8, n_informative=5, n_classes=3, random_state=0
)
X_REG, Y_REG = make_regression(
    n_samples=120, n_features=8, n_targets=2, noise=1.0, random_state=0
)
Y_REG = Y_REG / Y_REG.std()

SMALL = {"hidden_layer_sizes": (12, 6), "max_iter": 30, "random_state": 0}


def _relu(Z):
    return np.maximum(Z, 0.0)


# ---------------------------------------------------------------------------
# summary

SUMMARY_CASES = [
    (MLPClassifier(**SMALL), X_CLF, Y_CLF),
    (MLPClassifier(**SMALL), X_CLF, Y_CLF > 0),  # binary: one logistic output
    (MLPRegressor(**SMALL), X_REG, Y_REG),
    (MLPClassifier(normalization="batch", **SMALL), X_DIGITS, Y_DIGITS),
    (MLPRegressor(normalization=["layer", None], **SMALL), X_REG, Y_REG),
    (
        MLPClassifier(
            dropout=[0.3, 0.0],
            input_dropout=0.1,
            input_noise=0.05,
            activation=["tanh", LeakyReLU(negative_slope=0.2)],
            **SMALL,
        ),
        X_CLF,
        Y_CLF,
    ),
    (MLPRegressor(hidden_layer_sizes=(), max_iter=5, random_state=0), X_REG, Y_REG),
    (MLPClassifier(dtype="float32", **SMALL), X_CLF, Y_CLF),
]


def _summary_case_id(case):
    return repr(case[0])


@pytest.fixture(scope="module", params=SUMMARY_CASES, ids=_summary_case_id)
def fitted_case(request):
    estimator, X, y = request.param
    return clone(estimator).fit(X, y)


def test_summary_counts_the_network_parameters(fitted_case):
    est = fitted_case
    frame = est.summary(as_frame=True)
    norm_layers = [
        layer
        for layer in est._network.layers
        if isinstance(layer, BatchNorm | LayerNorm)
    ]
    expected = (
        sum(W.size for W in est.coefs_)
        + sum(b.size for b in est.intercepts_)
        + sum(layer.gamma.size + layer.beta.size for layer in norm_layers)
    )
    assert int(frame["params"].sum()) == expected == est._network.params.size
    assert frame.attrs["total_params"] == expected
    batch_norms = [layer for layer in norm_layers if isinstance(layer, BatchNorm)]
    n_stats = sum(2 * layer.running_mean.size for layer in batch_norms)
    assert frame.attrs["non_trainable"] == n_stats == est._network.stats.size
    # Row by row: the input, then each dense layer with what follows it.
    n_hidden = len(est.coefs_) - 1
    assert list(frame.index) == [
        "input",
        *(f"hidden_{i}" for i in range(n_hidden)),
        "output",
    ]
    assert frame["units"].tolist() == [
        est.n_features_in_,
        *(W.shape[1] for W in est.coefs_),
    ]
    # A normalization layer's parameters count with the dense layer before it.
    row_params = [0]
    for layer in est._network.layers:
        if isinstance(layer, Dense):
            row_params.append(layer.W.size + layer.b.size)
        elif isinstance(layer, BatchNorm | LayerNorm):
            row_params[-1] += layer.gamma.size + layer.beta.size
    assert frame["params"].tolist() == row_params
    assert frame.loc["output", "activation"] == est.out_activation_
    # The string shows the same total.
    assert f"Trained parameters: {expected:,} ({est._network.dtype})" in (est.summary())


def test_unfitted_summary_describes_the_network_its_parameters_build(fitted_case):
    est = fitted_case
    unfitted = clone(est)
    sizes = dict(n_features=est.n_features_in_, n_outputs=est.n_outputs_)
    fitted_frame = est.summary(as_frame=True)
    planned = unfitted.summary(as_frame=True, **sizes)
    pd = pytest.importorskip("pandas")
    pd.testing.assert_frame_equal(planned, fitted_frame)
    assert planned.attrs["total_params"] == fitted_frame.attrs["total_params"]
    assert planned.attrs["non_trainable"] == fitted_frame.attrs["non_trainable"]
    assert not planned.attrs["fitted"] and fitted_frame.attrs["fitted"]
    # The strings differ in their first line and the dtype of the total only.
    fitted_text = est.summary().replace(f" ({est._network.dtype})", "")
    planned_text = unfitted.summary(**sizes)
    if est.dtype is not None:
        planned_text = planned_text.replace(f" ({est.dtype})", "")
    assert planned_text.splitlines()[1:] == fitted_text.splitlines()[1:]
    assert "(not fitted)" in planned_text.splitlines()[0]
    # Given the fitted sizes, a fitted estimator accepts them.
    assert est.summary(**sizes) == est.summary()


def test_summary_string():
    clf = MLPClassifier(
        hidden_layer_sizes=(5, 3),
        activation=["tanh", LeakyReLU(negative_slope=0.2)],
        normalization=[None, "batch"],
        dropout=[0.5, 0.0],
        input_noise=0.1,
    )
    lines = clf.summary(n_features=4, n_outputs=1).splitlines()
    assert lines[0] == (
        "MLPClassifier (not fitted): 4 features, 2 hidden layers, 1 output"
    )
    assert lines[1].split() == [
        "layer",
        "type",
        "units",
        "activation",
        "normalization",
        "dropout",
        "params",
    ]
    rows = [line.split("  ") for line in lines[2:6]]
    cells = [[c.strip() for c in row if c.strip()] for row in rows]
    assert cells == [
        ["input", "Input (noise std=0.1)", "4", "-", "-", "-", "0"],
        ["hidden_0", "Dense", "5", "tanh", "-", "0.5", "25"],
        ["hidden_1", "Dense", "3", "LeakyReLU(negative_slope=0.2)", "batch", "-", "24"],
        ["output", "Dense", "1", "logistic", "-", "-", "4"],
    ]
    assert lines[6:] == [
        "Trained parameters: 53",
        "Running statistics (not trained): 6",
    ]


def test_summary_of_a_wide_network_formats_its_counts():
    reg = MLPRegressor(hidden_layer_sizes=(1000,), dtype="float32")
    text = reg.summary(n_features=784, n_outputs=3)
    assert "785,000" in text  # 784 * 1000 weights + 1000 biases
    assert text.splitlines()[-1] == "Trained parameters: 788,003 (float32)"


def test_summary_errors():
    clf = MLPClassifier(hidden_layer_sizes=(4,))
    with pytest.raises(NotFittedError, match="pass n_features and n_outputs"):
        clf.summary()
    with pytest.raises(NotFittedError):
        clf.summary(n_features=3)
    for bad in [0, 2.5, True]:
        with pytest.raises(ValueError, match="n_features must be a positive"):
            clf.summary(n_features=bad, n_outputs=2)
    with pytest.raises(ValueError, match="one valid entry per hidden layer"):
        clf.set_params(dropout=[0.1, 0.2]).summary(n_features=3, n_outputs=2)
    with pytest.raises(ValueError, match="alpha"):  # the estimator's validation
        MLPClassifier(alpha=-1.0).summary(n_features=3, n_outputs=2)
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5).fit(X_CLF, Y_CLF)
    with pytest.raises(ValueError, match="fitted with n_features=8"):
        clf.summary(n_features=9)
    with pytest.raises(ValueError, match="fitted with n_outputs=3"):
        clf.summary(n_outputs=1)


def test_summary_as_frame_needs_pandas(monkeypatch):
    clf = MLPClassifier(hidden_layer_sizes=(4,))
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas fails
    with pytest.raises(ImportError, match="pip install pandas"):
        clf.summary(as_frame=True, n_features=3, n_outputs=2)
    assert "Trained parameters: 26" in clf.summary(n_features=3, n_outputs=2)


def test_summary_reads_but_does_not_change_the_estimator():
    clf = MLPClassifier(normalization="batch", **SMALL).fit(X_CLF, Y_CLF)
    params = clf._network.params.copy()
    stats = clf._network.stats.copy()
    proba = clf.predict_proba(X_CLF)
    clf.summary(), clf.summary(as_frame=True)
    assert_array_equal(clf._network.params, params)
    assert_array_equal(clf._network.stats, stats)
    assert_array_equal(clf.predict_proba(X_CLF), proba)


# ---------------------------------------------------------------------------
# hidden_activations


def _dense_forward(est, X, activation, n_layers):
    A = X
    for W, b in zip(est.coefs_[:n_layers], est.intercepts_[:n_layers], strict=True):
        A = activation(A @ W + b)
    return A


@pytest.mark.parametrize("name, activation", [("relu", _relu), ("tanh", np.tanh)])
def test_hidden_activations_are_the_forward_pass(name, activation):
    clf = MLPClassifier(activation=name, hidden_layer_sizes=(20, 10, 5), max_iter=40)
    clf.set_params(random_state=0).fit(X_DIGITS, Y_DIGITS)
    X = X_DIGITS[:50]
    for layer in range(3):
        expected = _dense_forward(clf, X, activation, layer + 1)
        assert_allclose(
            clf.hidden_activations(X, layer=layer), expected, rtol=1e-12, atol=1e-14
        )
        assert_array_equal(
            clf.hidden_activations(X, layer=layer - 3),
            clf.hidden_activations(X, layer=layer),
        )
    assert clf.hidden_activations(X).shape == (50, 5)
    # The output layer on top of the last hidden one is decision_function.
    raw = clf.hidden_activations(X) @ clf.coefs_[-1] + clf.intercepts_[-1]
    assert_allclose(raw, clf.decision_function(X), rtol=1e-12, atol=1e-12)


def test_hidden_activations_with_batch_norm_use_the_running_statistics():
    clf = MLPClassifier(normalization="batch", activation="tanh", **SMALL)
    clf.fit(X_DIGITS, Y_DIGITS)
    batch_norms = [
        layer for layer in clf._network.layers if isinstance(layer, BatchNorm)
    ]
    assert len(batch_norms) == 2
    # Training moved the statistics and the scale away from their start.
    assert not np.allclose(batch_norms[0].running_mean, 0.0)
    assert not np.allclose(batch_norms[0].gamma, 1.0)
    X = X_DIGITS[:40]
    A = X
    for i, bn in enumerate(batch_norms):
        Z = A @ clf.coefs_[i] + clf.intercepts_[i]
        Z_hat = (Z - bn.running_mean) / np.sqrt(bn.running_var + bn.epsilon)
        A = np.tanh(Z_hat * bn.gamma + bn.beta)
        assert_allclose(clf.hidden_activations(X, layer=i), A, rtol=1e-12, atol=1e-14)
    # Batch statistics would give other values: the running ones are used.
    Z = X @ clf.coefs_[0] + clf.intercepts_[0]
    batch = np.tanh(
        (Z - Z.mean(0)) / np.sqrt(Z.var(0) + 1e-5) * batch_norms[0].gamma
        + batch_norms[0].beta
    )
    assert not np.allclose(clf.hidden_activations(X, layer=0), batch)


def test_hidden_activations_with_layer_norm():
    reg = MLPRegressor(normalization="layer", **SMALL).fit(X_REG, Y_REG)
    ln = next(layer for layer in reg._network.layers if isinstance(layer, LayerNorm))
    Z = X_REG @ reg.coefs_[0] + reg.intercepts_[0]
    Z_hat = (Z - Z.mean(1, keepdims=True)) / np.sqrt(Z.var(1, keepdims=True) + 1e-5)
    expected = _relu(Z_hat * ln.gamma + ln.beta)
    assert_allclose(reg.hidden_activations(X_REG, layer=0), expected, rtol=1e-12)


def test_hidden_activations_leave_dropout_and_noise_out():
    clf = MLPClassifier(dropout=0.5, input_dropout=0.2, input_noise=0.3, **SMALL)
    clf.fit(X_CLF, Y_CLF)
    first = clf.hidden_activations(X_CLF, layer=0)
    assert_array_equal(clf.hidden_activations(X_CLF, layer=0), first)
    assert_allclose(first, _dense_forward(clf, X_CLF, _relu, 1), rtol=1e-12)
    assert_allclose(
        clf.hidden_activations(X_CLF), _dense_forward(clf, X_CLF, _relu, 2), rtol=1e-12
    )


def test_hidden_activations_compute_in_predicts_dtype():
    X32 = X_CLF.astype(np.float32)
    follows = MLPClassifier(**SMALL).fit(X32, Y_CLF)  # a float32 network
    assert follows.hidden_activations(X32).dtype == np.float32
    assert follows.hidden_activations(X_CLF).dtype == np.float64
    forced = MLPClassifier(dtype="float32", **SMALL).fit(X_CLF, Y_CLF)
    assert forced.hidden_activations(X32).dtype == np.float32
    assert forced.hidden_activations(X_CLF).dtype == np.float64
    assert forced.hidden_activations(X_CLF.tolist()).dtype == np.float64
    wide = MLPClassifier(**SMALL).fit(X_CLF, Y_CLF)  # a float64 network
    assert wide.hidden_activations(X32).dtype == np.float64
    for est in (follows, forced, wide):
        for X in (X32, X_CLF):
            assert est.hidden_activations(X).dtype == est.decision_function(X).dtype
    assert_allclose(
        forced.hidden_activations(X32),
        _dense_forward(forced, X32, _relu, 2),
        rtol=1e-5,
        atol=1e-6,
    )


def test_hidden_activations_validate_like_predict():
    clf = MLPClassifier(**SMALL).fit(X_CLF, Y_CLF)
    dense = clf.hidden_activations(X_CLF)
    for container in (sp.csr_matrix, sp.csc_matrix, sp.coo_matrix, sp.csr_array):
        assert_allclose(clf.hidden_activations(container(X_CLF)), dense, rtol=1e-12)
    assert_allclose(clf.hidden_activations(X_CLF.tolist()), dense, rtol=1e-12)
    assert_allclose(clf.hidden_activations(np.asfortranarray(X_CLF)), dense)
    for bad in (X_CLF[:, :5], X_CLF[0], np.empty((0, 8))):
        with pytest.raises(ValueError) as hidden_error:
            clf.hidden_activations(bad)
        with pytest.raises(ValueError) as predict_error:
            clf.predict(bad)
        assert str(hidden_error.value) == str(predict_error.value)
    with_nan = X_CLF.copy()
    with_nan[3, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        clf.hidden_activations(with_nan)


def test_hidden_activations_check_feature_names():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X_CLF, columns=[f"f{i}" for i in range(8)])
    clf = MLPClassifier(**SMALL).fit(frame, Y_CLF)
    unnamed = MLPClassifier(**SMALL).fit(X_CLF, Y_CLF)
    assert_array_equal(clf.hidden_activations(frame), unnamed.hidden_activations(X_CLF))
    with pytest.warns(UserWarning, match="feature names"):
        clf.hidden_activations(X_CLF)
    with pytest.raises(ValueError, match="feature names should match"):
        clf.hidden_activations(frame.rename(columns={"f0": "other"}))


def test_hidden_activations_layer_errors():
    clf = MLPClassifier(**SMALL)
    with pytest.raises(NotFittedError):
        clf.hidden_activations(X_CLF)
    clf.fit(X_CLF, Y_CLF)
    for layer in (2, -3, 10):
        with pytest.raises(ValueError, match="valid layers are -2 to 1"):
            clf.hidden_activations(X_CLF, layer=layer)
    for layer in (0.5, "0", None, True):
        with pytest.raises(ValueError, match="layer must be an integer"):
            clf.hidden_activations(X_CLF, layer=layer)
    assert clf.hidden_activations(X_CLF, layer=np.int64(1)).shape == (120, 6)
    flat = MLPRegressor(hidden_layer_sizes=(), max_iter=5).fit(X_REG, Y_REG)
    with pytest.raises(ValueError, match="no hidden layers"):
        flat.hidden_activations(X_REG)


class _ThreadCountingReLU(ReLU):
    """ReLU that records the thread counts of its forward passes."""

    def __init__(self, seen=None):
        self.seen = seen

    def forward(self, Z):
        if self.seen is not None:
            blas = [
                i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"
            ]
            self.seen.append(blas)
        return super().forward(Z)


def test_hidden_activations_respect_n_threads():
    if not [i for i in threadpool_info() if i["user_api"] == "blas"]:
        pytest.skip("threadpoolctl finds no BLAS library to limit")
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, n_threads=1).fit(
        X_CLF, Y_CLF
    )
    seen = []
    # The network holds its own copy of the activation: hook that one.
    network_relu = _ThreadCountingReLU(seen)
    for layer in clf._network.layers:
        if getattr(layer, "activation", None) is not None:
            layer.activation = network_relu
    clf.hidden_activations(X_CLF)
    assert seen and all(set(counts) == {1} for counts in seen), seen


def test_estimators_have_no_transform():
    # A transform would make them transformers to scikit-learn's checks.
    for est in (MLPClassifier(), MLPRegressor()):
        assert not hasattr(est, "transform")
        assert not hasattr(est, "fit_transform")


# ---------------------------------------------------------------------------
# MLPEmbedding


def test_embedding_transforms_into_the_hidden_activations():
    net = MLPClassifier(**SMALL)
    embedding = MLPEmbedding(net, layer=0).fit(X_DIGITS, Y_DIGITS)
    assert not hasattr(net, "coefs_")  # a clone was fitted
    assert embedding.estimator_ is not net
    expected = clone(net).fit(X_DIGITS, Y_DIGITS)
    assert_array_equal(embedding.estimator_.coefs_[0], expected.coefs_[0])
    out = embedding.transform(X_DIGITS[:30])
    assert_array_equal(out, expected.hidden_activations(X_DIGITS[:30], layer=0))
    assert out.shape == (30, 12)
    assert embedding.n_features_in_ == 64
    assert_array_equal(
        embedding.get_feature_names_out(), [f"mlpembedding{i}" for i in range(12)]
    )
    # In sample by default: fit_transform is fit, then transform.
    assert_array_equal(
        clone(embedding).fit_transform(X_DIGITS, Y_DIGITS),
        embedding.transform(X_DIGITS),
    )
    assert MLPEmbedding(net).fit(X_DIGITS, Y_DIGITS).transform(X_DIGITS).shape == (
        240,
        6,
    )


def test_embedding_default_estimator_is_a_classifier():
    embedding = MLPEmbedding().fit(X_CLF, Y_CLF)
    assert type(embedding.estimator_) is MLPClassifier
    assert embedding.estimator_.get_params() == MLPClassifier().get_params()
    assert embedding.transform(X_CLF).shape == (120, 100)


def test_embedding_in_a_pipeline():
    net = MLPClassifier(hidden_layer_sizes=(32,), max_iter=100, random_state=0)
    pipe = make_pipeline(MLPEmbedding(net, cv=3), LogisticRegression(max_iter=500))
    pipe.fit(X_DIGITS, Y_DIGITS)
    assert pipe.score(X_DIGITS, Y_DIGITS) > 0.9
    assert pipe.predict(X_DIGITS[:5]).shape == (5,)
    assert_array_equal(
        pipe[:-1].get_feature_names_out(), [f"mlpembedding{i}" for i in range(32)]
    )


def test_embedding_set_output_and_feature_names():
    pd = pytest.importorskip("pandas")
    columns = [f"pixel{i}" for i in range(64)]
    frame = pd.DataFrame(X_DIGITS, columns=columns)
    embedding = MLPEmbedding(MLPClassifier(**SMALL)).set_output(transform="pandas")
    out = embedding.fit_transform(frame, Y_DIGITS)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == [f"mlpembedding{i}" for i in range(6)]
    assert_array_equal(out.index, frame.index)
    assert_array_equal(embedding.feature_names_in_, columns)
    assert_allclose(out.to_numpy(), embedding.transform(frame).to_numpy())
    with pytest.raises(ValueError, match="input_features is not equal"):
        embedding.get_feature_names_out(["a"] * 64)
    with pytest.raises(ValueError, match="feature names should match"):
        embedding.transform(frame.rename(columns={"pixel0": "x"}))


#: scikit-learn's checks of feature names and set_output, which its
#: parametrize_with_checks does not run (its own test suite does).
OUTPUT_CHECKS = [
    "check_set_output_transform",
    "check_set_output_transform_pandas",
    "check_global_output_transform_pandas",
    "check_transformer_get_feature_names_out",
    "check_transformer_get_feature_names_out_pandas",
    "check_dataframe_column_names_consistency",
]


# The checks fit on arrays and transform frames, or the other way round.
@pytest.mark.filterwarnings("ignore:X (does not have valid|has) feature names")
@pytest.mark.parametrize("check_name", OUTPUT_CHECKS)
@pytest.mark.parametrize("cv", [None, 3])
def test_embedding_passes_scikit_learns_output_checks(check_name, cv):
    pytest.importorskip("pandas")
    embedding = MLPEmbedding(MLPClassifier(max_iter=50, random_state=0), cv=cv)
    getattr(estimator_checks, check_name)("MLPEmbedding", embedding)


@pytest.mark.parametrize(
    "estimator, X, y, splitter",
    [
        (MLPClassifier(**SMALL), X_DIGITS, Y_DIGITS, StratifiedKFold(3)),
        (MLPRegressor(**SMALL), X_REG, Y_REG, KFold(3)),
    ],
    ids=["classifier", "regressor"],
)
def test_embedding_cross_fits_like_target_encoder(estimator, X, y, splitter):
    embedding = MLPEmbedding(estimator, cv=3)
    out = embedding.fit_transform(X, y)
    expected = np.empty_like(out)
    for train, test in splitter.split(X, y):
        fold = clone(estimator).fit(X[train], y[train])
        expected[test] = fold.hidden_activations(X[test])
    assert_array_equal(out, expected)
    # estimator_ is fitted on all the data, and transform uses it.
    full = clone(estimator).fit(X, y)
    for mine, theirs in zip(embedding.estimator_.coefs_, full.coefs_, strict=True):
        assert_array_equal(mine, theirs)
    in_sample = embedding.transform(X)
    assert_array_equal(in_sample, full.hidden_activations(X))
    assert not np.allclose(out, in_sample)
    # fit ignores cv.
    assert_array_equal(clone(embedding).fit(X, y).transform(X), in_sample)


def test_embedding_cv_splitters():
    net = MLPClassifier(hidden_layer_sizes=(5,), max_iter=10, random_state=0)
    shuffled = StratifiedKFold(3, shuffle=True, random_state=1)
    out = MLPEmbedding(net, cv=shuffled).fit_transform(X_CLF, Y_CLF)
    listed = list(shuffled.split(X_CLF, Y_CLF))
    assert_array_equal(MLPEmbedding(net, cv=listed).fit_transform(X_CLF, Y_CLF), out)
    halves = np.arange(60), np.arange(60, 120)
    overlapping = [(halves[1], np.arange(70)), (halves[0], np.arange(60, 120))]
    with pytest.raises(ValueError, match="cover every sample exactly once"):
        MLPEmbedding(net, cv=overlapping).fit_transform(X_CLF, Y_CLF)
    missing = [(halves[0], halves[1])]
    with pytest.raises(ValueError, match="cover every sample exactly once"):
        MLPEmbedding(net, cv=missing).fit_transform(X_CLF, Y_CLF)
    with pytest.raises(ValueError, match="cv"):
        MLPEmbedding(net, cv=1).fit(X_CLF, Y_CLF)


def test_embedding_passes_sample_weight_on():
    weights = np.random.RandomState(0).randint(0, 3, size=len(Y_CLF)).astype(float)
    net = MLPClassifier(**SMALL)
    embedding = MLPEmbedding(net).fit(X_CLF, Y_CLF, sample_weight=weights)
    weighted = clone(net).fit(X_CLF, Y_CLF, sample_weight=weights)
    assert_array_equal(embedding.transform(X_CLF), weighted.hidden_activations(X_CLF))
    assert not np.allclose(
        embedding.transform(X_CLF),
        clone(net).fit(X_CLF, Y_CLF).hidden_activations(X_CLF),
    )
    crossed = MLPEmbedding(net, cv=KFold(2)).fit_transform(
        X_CLF, Y_CLF, sample_weight=weights
    )
    train, test = next(iter(KFold(2).split(X_CLF)))
    fold = clone(net).fit(X_CLF[train], Y_CLF[train], sample_weight=weights[train])
    assert_array_equal(crossed[test], fold.hidden_activations(X_CLF[test]))


def test_embedding_errors():
    net = MLPClassifier(**SMALL)
    embedding = MLPEmbedding(net, layer=2)
    with pytest.raises(ValueError, match="valid layers are -2 to 1"):
        embedding.fit(X_CLF, Y_CLF)
    assert not hasattr(embedding, "estimator_")  # it failed before training
    with pytest.raises(ValueError, match="requires y to be passed"):
        MLPEmbedding(net).fit(X_CLF, None)
    with pytest.raises(ValueError, match="estimator"):
        MLPEmbedding(LogisticRegression()).fit(X_CLF, Y_CLF)
    with pytest.raises(NotFittedError):
        MLPEmbedding(net).transform(X_CLF)
    with pytest.raises(ValueError, match="no hidden layers"):
        MLPEmbedding(MLPClassifier(hidden_layer_sizes=())).fit(X_CLF, Y_CLF)


def test_embedding_keeps_float32_and_sparse_input():
    X32 = X_CLF.astype(np.float32)
    embedding = MLPEmbedding(MLPClassifier(**SMALL)).fit(X32, Y_CLF)
    assert embedding.transform(X32).dtype == np.float32
    assert embedding.transform(X_CLF).dtype == np.float64  # as predict computes
    ints = MLPEmbedding(MLPClassifier(**SMALL)).fit(X_DIGITS.round(), Y_DIGITS)
    assert ints.transform(X_DIGITS.round().astype(int)).dtype == np.float64
    sparse = MLPEmbedding(MLPClassifier(**SMALL)).fit(sp.csr_matrix(X_DIGITS), Y_DIGITS)
    assert_allclose(
        sparse.transform(sp.csc_matrix(X_DIGITS)),
        sparse.transform(X_DIGITS),
        rtol=1e-12,
        atol=1e-14,
    )


def test_embedding_is_exported():
    assert "MLPEmbedding" in sknn.__all__
    assert sknn.MLPEmbedding is MLPEmbedding
