"""Layers: finite-difference gradients, training versus inference behaviour."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sknn.activations import ReLU, Tanh
from sknn.engine import Network
from sknn.initializers import GlorotUniform
from sknn.layers import (
    ActivationLayer,
    BatchNorm,
    Dense,
    Dropout,
    GaussianNoise,
    LayerNorm,
    _matmul,
)
from sknn.losses import SquaredError


def _bound(layer, n_in, rng):
    """Build ``layer`` on ``n_in`` inputs with random parameters and statistics."""
    n_out = layer.build(n_in)
    views = {}
    for name, _, shape in layer.params_spec():
        views[name] = rng.randn(*shape)
        views["d" + name] = np.zeros(shape)
    for name, shape in layer.stats_spec():
        views[name] = rng.rand(*shape) + 0.5
    layer.bind(views)
    return n_out


def _objective(layer, X, G, seed, sample_weight=None):
    """<G, forward(X)> with a fresh copy of the random stream."""
    layer.reserve(X.shape[0], X.dtype)
    out = layer.forward(
        X.copy(),
        training=True,
        rng=np.random.RandomState(seed),
        sample_weight=sample_weight,
    )
    return float(np.sum(G * out))


def _numeric_gradient(f, x, eps=1e-6):
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        saved = flat[i]
        flat[i] = saved + eps
        up = f()
        flat[i] = saved - eps
        down = f()
        flat[i] = saved
        gflat[i] = (up - down) / (2 * eps)
    return grad


LAYERS = {
    "dense": lambda: Dense(3),
    "dense_relu": lambda: Dense(3, activation=ReLU()),
    "dense_tanh": lambda: Dense(3, activation=Tanh()),
    "batch_norm": lambda: BatchNorm(),
    "layer_norm": lambda: LayerNorm(),
    "dropout": lambda: Dropout(0.4),
    "noise": lambda: GaussianNoise(0.3),
    "tanh": lambda: ActivationLayer(Tanh()),
}


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_gradients_match_finite_differences(name, weighted):
    _check_gradients(LAYERS[name](), n_rows=6, n_in=4, weighted=weighted)


# Each is an outer product (an inner dimension of 1) somewhere: the forward
# product, the input gradient, the weight gradient.
@pytest.mark.parametrize(
    "n_rows, n_in, n_units",
    [(6, 1, 3), (6, 4, 1), (1, 4, 3)],
    ids=["one input", "one unit", "one row"],
)
def test_rank_one_dense_gradients_match_finite_differences(n_rows, n_in, n_units):
    _check_gradients(Dense(n_units), n_rows=n_rows, n_in=n_in, weighted=False)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "shapes", [((5, 1), (1, 4)), ((1, 1), (1, 3)), ((5, 2), (2, 4))]
)
def test_dense_products_are_numpys_to_the_bit(shapes, dtype):
    rng = np.random.RandomState(0)
    A, B = (rng.randn(*shape).astype(dtype) for shape in shapes)
    out = np.empty((A.shape[0], B.shape[1]), dtype=dtype)
    assert _matmul(A, B, out) is out
    np.testing.assert_array_equal(out, A @ B)
    np.testing.assert_array_equal(_matmul(A, B.T.copy().T, None), A @ B)


def _check_gradients(layer, n_rows, n_in, weighted, sample_weight=None):
    rng = np.random.RandomState(0)
    n_out = _bound(layer, n_in, rng)
    X = rng.randn(n_rows, n_in)
    G = rng.randn(n_rows, n_out)  # the upstream gradient dL/dY
    sw = rng.rand(n_rows) + 0.1 if weighted else sample_weight
    seed = 3

    _objective(layer, X, G, seed, sw)
    dX = layer.backward(G.copy())
    assert_allclose(
        dX,
        _numeric_gradient(lambda: _objective(layer, X, G, seed, sw), X),
        rtol=1e-6,
        atol=1e-8,
    )
    for param, *_ in layer.params_spec():
        _objective(layer, X, G, seed, sw)
        layer.backward(G.copy())
        analytic = getattr(layer, "d" + param).copy()
        numeric = _numeric_gradient(
            lambda: _objective(layer, X, G, seed, sw), getattr(layer, param)
        )
        assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


def test_batch_norm_standardizes_with_weighted_statistics():
    rng = np.random.RandomState(0)
    layer = BatchNorm()
    _bound(layer, 3, rng)
    layer.gamma[...], layer.beta[...] = 1.0, 0.0
    X = rng.randn(8, 3) * 5 + 2
    sw = np.r_[np.full(4, 3.0), np.full(4, 1.0)]
    layer.reserve(8, X.dtype)
    out = layer.forward(X, training=True, sample_weight=sw)
    w = sw / sw.sum()
    assert_allclose(w @ out, 0.0, atol=1e-12)
    assert_allclose(w @ out**2, 1.0, rtol=1e-4)  # up to epsilon


def test_batch_norm_predicts_with_running_statistics():
    rng = np.random.RandomState(0)
    layer = BatchNorm(momentum=0.5)
    _bound(layer, 2, rng)
    layer.running_mean[...], layer.running_var[...] = 0.0, 1.0
    X = rng.randn(10, 2) * 3 + 1
    layer.reserve(10, X.dtype)
    layer.forward(X, training=True)
    expected_mean = 0.5 * X.mean(axis=0)
    expected_var = 0.5 + 0.5 * X.var(axis=0, ddof=1)
    assert_allclose(layer.running_mean, expected_mean)
    assert_allclose(layer.running_var, expected_var)
    X_new = rng.randn(3, 2)
    expected = (X_new - expected_mean) / np.sqrt(expected_var + 1e-5)
    assert_allclose(layer.apply(X_new), expected * layer.gamma + layer.beta)
    # Inference does not touch the statistics.
    assert_allclose(layer.running_mean, expected_mean)


def _running_statistics(X, sample_weight):
    """A fresh batch norm's running mean and variance after one batch."""
    layer = BatchNorm(momentum=0.5)
    _bound(layer, X.shape[1], np.random.RandomState(1))
    layer.running_mean[...], layer.running_var[...] = 0.0, 1.0
    layer.reserve(X.shape[0], X.dtype)
    layer.forward(X, training=True, sample_weight=sample_weight)
    return layer.running_mean.copy(), layer.running_var.copy()


@pytest.mark.parametrize("scale", [1 / 7.3, 0.0052, 0.9])
def test_batch_norm_running_variance_ignores_the_scale_of_small_weights(scale):
    # Weights below one: the reliability correction, whatever their scale
    # (the repetition count's V1 / (V1 - 1) would be huge near V1 = 1).
    rng = np.random.RandomState(0)
    X = rng.randn(12, 3) * 2 + 1
    sw = rng.rand(12) * 0.5 + 0.05
    mean, var = _running_statistics(X, sw)
    w = sw / sw.sum()
    biased = w @ (X - w @ X) ** 2
    assert_allclose(var, 0.5 + 0.5 * biased / (1 - w @ w))
    assert_allclose(_running_statistics(X, sw * scale), (mean, var), rtol=1e-12)


def test_batch_norm_counts_integer_weights_as_repetitions():
    # scikit-learn's sample weights: a weight of 2 is the row twice.
    rng = np.random.RandomState(0)
    X = rng.randn(8, 3)
    counts = np.array([1, 2, 0, 3, 1, 1, 2, 1])
    weighted = _running_statistics(X, counts.astype(float))
    repeated = _running_statistics(np.repeat(X, counts, axis=0), None)
    assert_allclose(weighted, repeated, rtol=1e-12)


ONE_EFFECTIVE_ROW = {
    "one row": (1, None),
    "one weighted row": (1, np.array([0.3])),
    "one nonzero weight": (5, np.array([0.0, 0.0, 0.1, 0.0, 0.0])),
    "one nonzero float32 weight": (5, np.array([0, 0, 0.1, 0, 0], np.float32)),
}


@pytest.mark.parametrize("case", sorted(ONE_EFFECTIVE_ROW))
def test_batch_norm_standardizes_one_effective_row_with_running_statistics(case):
    # No variance to estimate: updating with it would shrink the running
    # variance towards zero (to ~1e-153 with batch_size=1).
    n_rows, sw = ONE_EFFECTIVE_ROW[case]
    rng = np.random.RandomState(0)
    layer = BatchNorm()
    _bound(layer, 3, rng)
    mean, var = layer.running_mean.copy(), layer.running_var.copy()
    X = rng.randn(n_rows, 3) * 3 + 1
    layer.reserve(n_rows, X.dtype)
    out = layer.forward(X, training=True, sample_weight=sw)
    assert_array_equal(layer.running_mean, mean)
    assert_array_equal(layer.running_var, var)
    assert_allclose(out, layer.apply(X))


@pytest.mark.parametrize("case", sorted(ONE_EFFECTIVE_ROW))
def test_batch_norm_of_one_effective_row_differentiates_an_affine_map(case):
    n_rows, sw = ONE_EFFECTIVE_ROW[case]
    _check_gradients(BatchNorm(), n_rows, n_in=3, weighted=False, sample_weight=sw)


def test_layer_norm_is_the_same_in_training_and_inference():
    rng = np.random.RandomState(0)
    layer = LayerNorm()
    _bound(layer, 5, rng)
    X = rng.randn(4, 5)
    layer.reserve(4, X.dtype)
    assert_allclose(layer.forward(X, training=True), layer.apply(X))


def test_dropout_rescales_in_training_and_is_identity_at_predict():
    rng = np.random.RandomState(0)
    layer = Dropout(0.25)
    layer.build(1000)
    X = np.ones((50, 1000))
    layer.reserve(50, X.dtype)
    out = layer.forward(X, training=True, rng=rng)
    kept = out != 0
    assert_allclose(out[kept], 1 / 0.75)
    assert abs(kept.mean() - 0.75) < 0.01  # 50,000 Bernoulli draws
    assert layer.apply(X) is X
    assert layer.forward(X, training=False, rng=rng) is X


def test_gaussian_noise_has_the_requested_spread_in_training_only():
    layer = GaussianNoise(0.5)
    layer.build(200)
    X = np.zeros((100, 200))
    layer.reserve(100, X.dtype)
    noise = layer.forward(X, training=True, rng=np.random.RandomState(0))
    assert abs(noise.std() - 0.5) < 0.01
    assert layer.apply(X) is X


def test_max_norm_caps_each_units_incoming_weights():
    layer = Dense(3)
    layer.build(4)
    W = np.array([[3.0, 0.1, 0], [4.0, 0.1, 0], [0, 0.1, 2], [0, 0.1, 0]])
    layer.bind({"W": W.copy(), "b": np.zeros(3)})
    layer.constrain_norm(2.0)
    assert_allclose(np.linalg.norm(layer.W, axis=0), [2.0, 0.2, 2.0])
    assert_allclose(layer.W[:, 0], W[:, 0] * 2 / 5)


def test_network_gradient_with_every_layer_kind():
    rng = np.random.RandomState(0)
    network = Network(
        5,
        [6, 4],
        1,
        [Tanh(), Tanh()],
        SquaredError(),
        np.float64,
        normalization=["batch", "layer"],
        dropout=[0.3, 0.2],
        input_dropout=0.1,
        input_noise=0.2,
    )
    network.initialize(rng, GlorotUniform(), GlorotUniform())
    network.params[...] += 0.1 * rng.randn(network.params.size)  # scales != 1
    X, Y = rng.randn(7, 5), rng.randn(7, 1)  # one output: objective_scale 1
    sw = rng.rand(7) + 0.5

    def loss():
        return network.loss_and_gradient(
            X, Y, sw, alpha=0.1, l1_ratio=0.3, rng=np.random.RandomState(1)
        )

    loss()
    analytic = network.grads.copy()
    numeric = _numeric_gradient(loss, network.params)
    assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


def test_normalization_parameters_live_after_weights_and_biases():
    network = Network(
        3, [4], 1, [Tanh()], SquaredError(), np.float64, normalization="batch"
    )
    network.initialize(np.random.RandomState(0), GlorotUniform(), GlorotUniform())
    bn = network.layers[1]
    n_weights = 3 * 4 + 4 * 1
    n_biases = 4 + 1
    assert network.n_weights == n_weights
    assert np.shares_memory(network.params[n_weights + n_biases :], bn.gamma)
    assert_allclose(bn.gamma, 1.0)
    assert_allclose(bn.beta, 0.0)
    assert network.stats.size == 8  # running mean and variance
