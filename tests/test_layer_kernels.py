"""The fused batch steps (gather, forward, backward): compiled kernels and
NumPy agree."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import sknn._kernels
from sknn import MLPClassifier, MLPRegressor
from sknn.activations import ACTIVATIONS, GELU, ReLU
from sknn.engine import _batch_rows
from sknn.layers import ActivationLayer, Dense, _matmul
from sknn.losses import BinaryLogLoss, LogLoss, SquaredError

DTYPES = [np.float32, np.float64]


@pytest.mark.parametrize("dtype", DTYPES)
def test_relu_forward_biased_kernel_matches_numpy(dtype, kernel_then_numpy):
    rng = np.random.RandomState(0)
    Z = rng.normal(size=(37, 11)).astype(dtype)
    Z[0, :3] = [np.nan, np.inf, -np.inf]
    bias = rng.normal(size=11).astype(dtype)

    def compute():
        out = Z.copy()
        assert ReLU().forward_biased(out, bias) is out
        return out

    compiled, numpy = kernel_then_numpy(compute)
    assert_array_equal(compiled, numpy)  # NaN where NumPy has NaN
    assert_array_equal(numpy, np.maximum(Z + bias, 0))
    assert np.isnan(compiled[0, 0]) and compiled[0, 1] == np.inf


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bad", [None, np.nan, np.inf, -np.inf], ids=str)
def test_checked_relu_forward_flags_non_finite_pre_activations(
    dtype, bad, kernel_then_numpy
):
    # The check judges Z before the bias: a prediction's first layer tells
    # from it whether its input was finite.
    rng = np.random.RandomState(0)
    Z = rng.normal(size=(37, 11)).astype(dtype)
    if bad is not None:
        Z[36, 10] = Z[5, 0] = bad
    bias = rng.normal(size=11).astype(dtype)
    bias[3] = np.inf  # a bias is not the input: it leaves the flag alone

    def compute():
        out = Z.copy()
        A, finite = ReLU().forward_biased_checked(out, bias)
        assert A is out
        return out, finite

    with np.errstate(invalid="ignore"):
        (compiled, compiled_finite), (numpy, numpy_finite) = kernel_then_numpy(compute)
        assert_array_equal(numpy, np.maximum(Z + bias, 0))
    assert_array_equal(compiled, numpy)
    assert compiled_finite is numpy_finite is (bad is None)


@pytest.mark.parametrize("dtype", DTYPES)
def test_relu_backward_summed_kernel_matches_numpy(dtype, kernel_then_numpy):
    rng = np.random.RandomState(0)
    A = np.maximum(rng.normal(size=(300, 13)), 0).astype(dtype)
    dA = rng.normal(size=(300, 13)).astype(dtype)
    dA[0, :2] = [np.inf, np.nan]
    A[0, :2] = 0.0  # inf and NaN times a zero derivative are NaN, as in NumPy

    def compute():
        out, sums = dA.copy(), np.empty(13, dtype=dtype)
        with np.errstate(invalid="ignore"):
            assert ReLU().backward_summed(out, A, sums) is out
        return out, sums

    (dZ, sums), (dZ_np, sums_np) = kernel_then_numpy(compute)
    assert_array_equal(dZ, dZ_np)
    assert_array_equal(sums, sums_np)  # the same rows, added in the same order
    assert np.isnan(dZ[0, :2]).all()
    assert_allclose(sums[2:], (dA[:, 2:] * (A[:, 2:] > 0)).sum(axis=0), rtol=1e-5)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("transposed", [False, True], ids=["row", "W.T"])
def test_outer_product_kernel_matches_numpy_to_the_bit(
    dtype, transposed, kernel_then_numpy
):
    rng = np.random.RandomState(0)
    A = rng.normal(size=(37, 1)).astype(dtype)
    B = rng.normal(size=(13, 1)).astype(dtype).T if transposed else None
    if B is None:
        B = rng.normal(size=(1, 13)).astype(dtype)
    A[0, 0], B[0, 1], B[0, 2] = np.inf, 0.0, np.nan  # inf * 0 is NaN, as in NumPy

    def compute():
        out = np.empty((37, 13), dtype=dtype)
        with np.errstate(invalid="ignore"):
            assert _matmul(A, B, out) is out
        return out

    compiled, numpy = kernel_then_numpy(compute)
    assert_array_equal(compiled, numpy)
    with np.errstate(invalid="ignore"):
        assert_array_equal(compiled, A @ B)
    assert np.isnan(compiled[0, 1]) and np.isnan(compiled[:, 2]).all()


def _classification_batch(dtype, n=64, n_classes=7, seed=0):
    rng = np.random.RandomState(seed)
    raw = rng.normal(scale=4.0, size=(n, n_classes)).astype(dtype)
    raw[0] = 0.0
    raw[0, :2] = [-60.0, 60.0]  # probabilities clipped to [eps, 1 - eps]
    Y = np.zeros((n, n_classes), dtype=dtype)
    Y[np.arange(n), rng.randint(0, n_classes, n)] = 1.0
    Y[1] = 0.0
    Y[1, 1] = 2.5  # a class weight folded into the target
    Y[0] = 0.0
    Y[0, 0] = 1.0  # the true class's probability is clipped up to eps
    sample_weight = rng.uniform(0.1, 3.0, n).astype(dtype)
    return raw, Y, sample_weight


def _binary_batch(dtype, n=64, n_outputs=3, seed=0):
    """Multilabel 0/1 targets; the first row's probabilities are clipped."""
    rng = np.random.RandomState(seed)
    raw = rng.normal(scale=4.0, size=(n, n_outputs)).astype(dtype)
    raw[0, :2] = [-60.0, 60.0]
    Y = (rng.uniform(size=(n, n_outputs)) < 0.5).astype(dtype)
    Y[0, :2] = [1.0, 0.0]  # the wrong side of both clipped probabilities
    return raw, Y, rng.uniform(0.1, 3.0, n).astype(dtype)


def _regression_batch(dtype, n=64, n_outputs=3, seed=0):
    rng = np.random.RandomState(seed)
    raw = rng.normal(size=(n, n_outputs)).astype(dtype)
    Y = rng.normal(size=(n, n_outputs)).astype(dtype)
    return raw, Y, rng.uniform(0.1, 3.0, n).astype(dtype)


#: The losses with a compiled value_and_delta, and a batch for each.
LOSS_KERNELS = {
    "log_loss": (LogLoss, _classification_batch),
    "binary_log_loss": (BinaryLogLoss, _binary_batch),
    "squared_error": (SquaredError, _regression_batch),
}


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
# float32: the kernels add the loss in float64, NumPy in float32.
@pytest.mark.parametrize(
    "dtype, rtol", [(np.float32, 1e-5), (np.float64, 1e-14)], ids=["f32", "f64"]
)
@pytest.mark.parametrize("name", sorted(LOSS_KERNELS))
def test_loss_kernels_match_numpy(name, dtype, rtol, weighted, kernel_then_numpy):
    make_loss, make_batch = LOSS_KERNELS[name]
    raw, Y, sample_weight = make_batch(dtype)
    if not weighted:
        sample_weight = None

    def compute():
        out = raw.copy()
        loss, delta = make_loss().value_and_delta(out, Y, sample_weight)
        assert delta is out and delta.dtype == dtype
        return loss, delta

    (loss, delta), (loss_np, delta_np) = kernel_then_numpy(compute)
    assert loss == pytest.approx(loss_np, rel=rtol)
    assert_allclose(delta, delta_np, rtol=rtol, atol=rtol * np.abs(delta_np).max())
    if dtype == np.float64:  # and the loss is scikit-learn's
        assert loss == pytest.approx(make_loss().loss(Y, raw, sample_weight), rel=1e-12)


@pytest.mark.parametrize(
    "dtype, rtol", [(np.float32, 1e-6), (np.float64, 1e-15)], ids=["f32", "f64"]
)
def test_softmax_link_kernel_matches_numpy(dtype, rtol, kernel_then_numpy):
    raw, _, _ = _classification_batch(dtype)
    raw[1] = [1000.0, -1000.0, 0, 0, 0, 0, 0]  # exp overflows without the shift
    raw[2, 3] = np.nan  # a NaN row stays NaN
    raw[3, 0] = np.inf  # as NumPy: inf - inf is NaN

    def compute():
        out = raw.copy()
        with np.errstate(invalid="ignore"):
            assert LogLoss().link(out) is out
        return out

    compiled, numpy = kernel_then_numpy(compute)
    # Rows are summed in order, NumPy's sum pairs them: equal up to rounding.
    assert_allclose(compiled, numpy, rtol=rtol, atol=0)
    assert_array_equal(np.isnan(compiled), np.isnan(numpy))
    assert np.isnan(compiled[2]).all() and np.isnan(compiled[3]).any()
    finite = ~np.isnan(compiled).any(axis=1)
    assert_allclose(compiled[finite].sum(axis=1), 1.0, rtol=10 * rtol)
    assert compiled[1, 0] == 1.0 and compiled[1, 1] == 0.0


@pytest.mark.parametrize("name", sorted(LOSS_KERNELS))
def test_value_and_delta_is_the_gradient_of_the_mean_loss(name):
    make_loss, make_batch = LOSS_KERNELS[name]
    raw, Y, sample_weight = make_batch(np.float64, 5, 3)
    raw[0] = [1.0, -1.0, 0.5]  # no clipping, so the loss is smooth
    if name == "log_loss":
        Y[:2] = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]  # one-hot: P - Y is exact
    loss = make_loss()
    scale = loss.objective_scale(Y.shape[1])  # the squared error's mean over outputs
    _, delta = loss.value_and_delta(raw.copy(), Y, sample_weight)
    numerical = np.zeros_like(raw)
    for index in np.ndindex(raw.shape):
        shifted = [raw.copy(), raw.copy()]
        shifted[0][index] += 1e-6
        shifted[1][index] -= 1e-6
        up, down = (loss.value_and_delta(r, Y, sample_weight)[0] for r in shifted)
        numerical[index] = scale * (up - down) / 2e-6
    assert_allclose(delta, numerical, rtol=1e-6, atol=1e-9)


#: The activations a dense layer applies itself (gelu and silu keep a layer).
FUSED = sorted(n for n, cls in ACTIVATIONS.items() if cls.derivative_from_output)


def test_relu_and_most_activations_are_fused():
    assert {"relu", "tanh", "logistic", "identity"} <= set(FUSED) < set(ACTIVATIONS)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", FUSED)
def test_dense_with_activation_equals_dense_then_activation_layer(name, dtype, kernels):
    activation = ACTIVATIONS[name]()
    rng = np.random.RandomState(0)
    X = rng.normal(size=(9, 4)).astype(dtype)
    dY = rng.normal(size=(9, 3)).astype(dtype)
    W, b = rng.normal(size=(4, 3)).astype(dtype), rng.normal(size=3).astype(dtype)

    fused = Dense(3, activation=activation)
    plain, separate = Dense(3), ActivationLayer(activation)
    for dense in (fused, plain):
        dense.build(4)
        dense.bind({"W": W, "b": b, "dW": np.empty_like(W), "db": np.empty_like(b)})
        dense.reserve(9, dtype)
    separate.build(3)
    separate.reserve(9, dtype)

    out_fused = fused.forward(X, training=True).copy()
    out_plain = separate.forward(plain.forward(X, training=True), training=True)
    dX_fused = fused.backward(dY.copy()).copy()
    dX_plain = plain.backward(separate.backward(dY.copy()))
    rtol = 1e-6 if dtype == np.float32 else 1e-14
    assert_allclose(out_fused, out_plain, rtol=rtol)
    assert_allclose(fused.dW, plain.dW, rtol=rtol, atol=rtol)
    assert_allclose(fused.db, plain.db, rtol=rtol, atol=rtol)
    assert_allclose(dX_fused, dX_plain, rtol=rtol, atol=rtol)
    assert_allclose(fused.apply(X), out_plain, rtol=rtol)


def test_dense_refuses_an_activation_whose_derivative_needs_its_input():
    with pytest.raises(ValueError, match="GELU.*ActivationLayer"):
        Dense(3, activation=GELU())


class CountingReLU(ReLU):
    """A ReLU whose forward and backward count their calls."""

    def forward(self, Z):
        self.n_forward_ = getattr(self, "n_forward_", 0) + 1
        return super().forward(Z)

    def backward(self, dA, A, Z=None):
        self.n_backward_ = getattr(self, "n_backward_", 0) + 1
        return super().backward(dA, A, Z)


class CountingLogLoss(LogLoss):
    """A log loss whose value counts its calls."""

    def value(self, Y, P, sample_weight=None):
        self.n_value_ = getattr(self, "n_value_", 0) + 1
        return super().value(Y, P, sample_weight)


class CountingBinaryLogLoss(BinaryLogLoss):
    """A binary log loss whose link counts its calls."""

    def link(self, raw):
        self.n_link_ = getattr(self, "n_link_", 0) + 1
        return super().link(raw)


class CountingSquaredError(SquaredError):
    """A squared error whose delta counts its calls."""

    def delta(self, Y, P):
        self.n_delta_ = getattr(self, "n_delta_", 0) + 1
        return super().delta(Y, P)


def test_kernels_never_bypass_a_subclass_override():
    relu, loss = CountingReLU(), CountingLogLoss()
    Z, bias = np.ones((4, 3)), np.zeros(3)
    relu.forward_biased(Z, bias)
    relu.forward_biased_checked(Z, bias)
    relu.backward_summed(np.ones((4, 3)), Z, np.empty(3))
    loss.value_and_delta(np.zeros((4, 3)), np.eye(4, 3))
    assert (relu.n_forward_, relu.n_backward_, loss.n_value_) == (2, 1, 1)
    binary, squared = CountingBinaryLogLoss(), CountingSquaredError()
    binary.value_and_delta(np.zeros((4, 1)), np.ones((4, 1)))
    squared.value_and_delta(np.zeros((4, 2)), np.ones((4, 2)))
    assert (binary.n_link_, squared.n_delta_) == (1, 1)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("task", ["binary", "regression"])
def test_binary_and_regression_fits_alike_with_and_without_kernels(task, monkeypatch):
    pytest.importorskip("numba")
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 5))
    if task == "binary":
        y, estimator = (X[:, 0] > 0).astype(int), MLPClassifier
    else:
        y, estimator = X @ rng.normal(size=5), MLPRegressor

    def make():
        return estimator(hidden_layer_sizes=(8,), max_iter=10, random_state=0)

    monkeypatch.setattr(sknn._kernels, "_compiled", {})
    compiled = make().fit(X, y)
    assert "elementwise_loss" in {k.__name__ for k in sknn._kernels._compiled}
    monkeypatch.setattr(sknn._kernels, "numba_available", False)
    numpy = make().fit(X, y)
    assert_allclose(compiled.loss_curve_, numpy.loss_curve_, rtol=1e-12)
    for ours, theirs in zip(compiled.coefs_, numpy.coefs_, strict=True):
        assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_estimator_trains_through_the_fused_layers_alike_with_and_without_kernels(
    monkeypatch,
):
    pytest.importorskip("numba")
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(150, 6)), rng.randint(0, 4, 150)

    def fit():
        clf = MLPClassifier(hidden_layer_sizes=(16, 8), max_iter=15, random_state=0)
        return clf.fit(X, y)

    monkeypatch.setattr(sknn._kernels, "_compiled", {})
    compiled = fit()
    assert {k.__name__ for k in sknn._kernels._compiled} >= {
        "bias_relu",
        "relu_backward_sum",
        "softmax_log_loss",
    }
    monkeypatch.setattr(sknn._kernels, "numba_available", False)
    numpy = fit()
    assert_allclose(compiled.loss_curve_, numpy.loss_curve_, rtol=1e-12)
    for ours, theirs in zip(compiled.coefs_, numpy.coefs_, strict=True):
        assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("n_rows", [1, 4, 37])
@pytest.mark.parametrize("dtype", DTYPES)
def test_batch_gather_kernel_copies_the_rows_np_take_copies(
    dtype, n_rows, kernel_then_numpy
):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 9)).astype(dtype)
    X.flags.writeable = False  # training data may be read-only
    rows = rng.permutation(50)[:n_rows]
    out = np.full((40, 9), np.nan, dtype=dtype)

    def compute():
        gathered = _batch_rows(X, rows, out)
        assert np.shares_memory(gathered, out) and gathered.shape == (n_rows, 9)
        return gathered.copy()

    compiled, numpy = kernel_then_numpy(compute)
    assert_array_equal(compiled, X[rows])
    assert_array_equal(numpy, X[rows])


@pytest.mark.parametrize("dtype", DTYPES)
def test_class_indicators_are_gathered_as_floats(dtype, kernel_then_numpy):
    """Boolean targets gathered into the float batch buffer (the kernel
    converts them; without numba, ``Y[rows].astype``)."""
    rng = np.random.RandomState(0)
    Y = np.eye(4, dtype=bool)[rng.randint(0, 4, 50)]
    rows = rng.permutation(50)[:37]
    out = np.full((40, 4), np.nan, dtype=dtype)

    def compute():
        gathered = _batch_rows(Y, rows, out)
        assert gathered.dtype == dtype and gathered.shape == (37, 4)
        return gathered.copy()

    compiled, numpy = kernel_then_numpy(compute)
    assert_array_equal(compiled, Y[rows].astype(dtype))
    assert_array_equal(numpy, Y[rows].astype(dtype))


@pytest.mark.parametrize(
    "X, rows",
    [
        (np.asfortranarray(np.arange(60.0).reshape(12, 5)), np.arange(12)[::-3]),
        (np.arange(60.0).reshape(12, 5), np.arange(12, dtype=np.int32)[::-3]),
        (np.arange(60.0).reshape(12, 5), slice(2, 6)),
        (np.arange(60.0).reshape(12, 5).astype(np.float32), np.arange(12)[::-3]),
    ],
    ids=["F-ordered X", "int32 rows", "slice", "other float dtype"],
)
def test_batch_gather_falls_back_where_the_kernel_does_not_apply(X, rows, monkeypatch):
    monkeypatch.setattr(sknn._kernels, "_compiled", {})
    gathered = _batch_rows(X, rows, np.empty((12, 5)))
    assert_array_equal(gathered, X[rows])
    assert not sknn._kernels._compiled  # no kernel ran
