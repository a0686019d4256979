"""Tests for sknn.activations and sknn.initializers.

Expected values never come from the code under test: activations are checked
against formulas written out here with the standard library's ``math``,
against finite differences and, where it is installed, against PyTorch;
initializers against the variances their papers state, with tolerances
derived from the sampling error of the statistic. Activation tests are
generated from ``ACTIVATIONS``, so a newly registered activation is checked
(and must be given a reference formula here) the moment it is registered.
"""

import math
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import stats

from sknn.activations import (
    ACTIVATIONS,
    ELU,
    GELU,
    SELU,
    LeakyReLU,
    Softplus,
    Tanh,
)
from sknn.engine import Network
from sknn.initializers import (
    INITIALIZERS,
    Constant,
    GlorotUniform,
    HeNormal,
    LeCunNormal,
    Orthogonal,
    Zeros,
    auto_bias_initializer,
    sklearn_initializer,
)
from sknn.losses import SquaredError

# ---------------------------------------------------------------------------
# Activations

# Configured variants beyond the registry's defaults, each taking another
# branch of the code (a slope above 1, a derivative that needs Z, ...).
VARIANTS = {
    "leaky_relu(0.2)": lambda: LeakyReLU(negative_slope=0.2),
    "leaky_relu(1.5)": lambda: LeakyReLU(negative_slope=1.5),
    "leaky_relu(-0.3)": lambda: LeakyReLU(negative_slope=-0.3),
    "elu(0.5)": lambda: ELU(alpha=0.5),
    "elu(-0.5)": lambda: ELU(alpha=-0.5),
    "softplus(2,10)": lambda: Softplus(beta=2.0, threshold=10.0),
    "gelu(tanh)": lambda: GELU(approximate="tanh"),
}
CASES = [*ACTIVATIONS, *VARIANTS]


def _make(case):
    return ACTIVATIONS[case]() if case in ACTIVATIONS else VARIANTS[case]()


# SELU's constants as Klambauer et al. (2017) print them (and PyTorch uses).
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


def _sigmoid(z):
    if z >= 0:
        return 1 / (1 + math.exp(-z))
    return math.exp(z) / (1 + math.exp(z))


def _leaky(s):
    return (lambda z: z if z > 0 else s * z), (lambda z: 1.0 if z > 0 else s)


def _elu(a, scale=1.0):
    return (
        lambda z: scale * (z if z > 0 else a * math.expm1(z)),
        lambda z: scale * (1.0 if z > 0 else a * math.exp(z)),
    )


def _softplus(b, t):
    return (
        lambda z: z if b * z > t else math.log1p(math.exp(b * z)) / b,
        lambda z: 1.0 if b * z > t else _sigmoid(b * z),
    )


def _gelu_exact():
    def cdf(z):
        return 0.5 * math.erfc(-z / math.sqrt(2))

    def pdf(z):
        return math.exp(-z * z / 2) / math.sqrt(2 * math.pi)

    return (lambda z: z * cdf(z)), (lambda z: cdf(z) + z * pdf(z))


def _gelu_tanh():
    def t(z):
        return math.tanh(SQRT_2_OVER_PI * (z + 0.044715 * z**3))

    def df(z):
        du = SQRT_2_OVER_PI * (1 + 3 * 0.044715 * z**2)
        return 0.5 * (1 + t(z)) + 0.5 * z * (1 - t(z) ** 2) * du

    return (lambda z: 0.5 * z * (1 + t(z))), df


#: (f, f') per case, scalar functions of a Python float.
REFERENCE = {
    "identity": (lambda z: z, lambda z: 1.0),
    "logistic": (_sigmoid, lambda z: _sigmoid(z) * (1 - _sigmoid(z))),
    "tanh": (math.tanh, lambda z: 1 - math.tanh(z) ** 2),
    "relu": _leaky(0.0),
    "leaky_relu": _leaky(0.01),
    "elu": _elu(1.0),
    "selu": _elu(SELU_ALPHA, SELU_SCALE),
    "softplus": _softplus(1.0, 20.0),
    "gelu": _gelu_exact(),
    "silu": (
        lambda z: z * _sigmoid(z),
        lambda z: _sigmoid(z) * (1 + z * (1 - _sigmoid(z))),
    ),
    "leaky_relu(0.2)": _leaky(0.2),
    "leaky_relu(1.5)": _leaky(1.5),
    "leaky_relu(-0.3)": _leaky(-0.3),
    "elu(0.5)": _elu(0.5),
    "elu(-0.5)": _elu(-0.5),
    "softplus(2,10)": _softplus(2.0, 10.0),
    "gelu(tanh)": _gelu_tanh(),
}


def _reference(case, Z):
    if case not in REFERENCE:
        pytest.fail(f"add reference formulas for {case!r} to REFERENCE")
    f, df = REFERENCE[case]
    return np.vectorize(f)(Z), np.vectorize(df)(Z)


def _forward(act, Z):
    return act.forward(np.array(Z))


def _backward(act, dA, A, Z):
    """``backward`` on copies, given Z only if the activation says it needs it."""
    return act.backward(
        np.array(dA), A.copy(), None if act.derivative_from_output else Z.copy()
    )


def _away_from_kinks(shape, seed=0):
    """Values in [-4, -0.05] U [0.05, 4]."""
    rng = np.random.RandomState(seed)
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.05, 4.0, size=shape)


# Includes 0 (the derivative's value there is PyTorch's convention), the tails
# and, for softplus(2, 10), the last point of the curved piece (z = 5).
GRID = np.concatenate([np.arange(-300, 301) / 10, [-40.0, 40.0]]).reshape(-1, 9)


@pytest.mark.parametrize("case", CASES)
def test_values_and_derivatives_match_reference_formulas(case):
    act = _make(case)
    f, df = _reference(case, GRID)
    A = _forward(act, GRID)
    # The absolute floor covers values that are a tiny difference of O(1)
    # terms, on either side: A + alpha in ELU's tail, 1 + tanh(u) in GELU's
    # tanh form.
    assert_allclose(A, f, rtol=1e-13, atol=1e-14)
    dZ = _backward(act, np.ones_like(GRID), A, GRID)
    assert_allclose(dZ, df, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("case", CASES)
def test_backward_matches_finite_differences(case):
    act = _make(case)
    Z = _away_from_kinks((7, 5))
    dA = np.random.RandomState(1).normal(size=Z.shape)
    eps = 1e-6
    numerical = (_forward(act, Z + eps) - _forward(act, Z - eps)) / (2 * eps)
    A = _forward(act, Z)
    A_before, Z_before = A.copy(), Z.copy()
    Z_arg = None if act.derivative_from_output else Z
    dZ = act.backward(dA.copy(), A, Z_arg)
    assert_allclose(dZ, dA * numerical, rtol=1e-7, atol=1e-9)
    # backward reads A and Z, which the engine may still hold; it never
    # writes them.
    assert_array_equal(A, A_before)
    assert_array_equal(Z, Z_before)


@pytest.mark.parametrize("case", CASES)
def test_forward_and_backward_work_in_place(case):
    act = _make(case)
    Z = _away_from_kinks((6, 5))
    expected_A, expected_d = _reference(case, Z)
    # The engine runs on the leading rows of a larger buffer.
    buffer = np.full((9, 5), 7.0)
    rows = buffer[:6]
    rows[...] = Z
    A = act.forward(rows)
    assert np.shares_memory(A, rows)
    assert_allclose(rows, expected_A, rtol=1e-13)
    assert_array_equal(buffer[6:], 7.0)

    grad_buffer = np.full((9, 5), 3.0)
    dA = grad_buffer[:6]
    dA[...] = 1.0
    dZ = act.backward(dA, A, Z.copy())
    assert np.shares_memory(dZ, dA)
    assert_allclose(dA, expected_d, rtol=1e-12, atol=1e-14)
    assert_array_equal(grad_buffer[6:], 3.0)


@pytest.mark.parametrize("case", CASES)
def test_float32_stays_float32(case):
    act = _make(case)
    Z64 = _away_from_kinks((6, 5))
    dA64 = np.random.RandomState(2).normal(size=Z64.shape)
    A64 = _forward(act, Z64)
    dZ64 = _backward(act, dA64, A64, Z64)

    Z32, dA32 = Z64.astype(np.float32), dA64.astype(np.float32)
    A32 = _forward(act, Z32)
    dZ32 = _backward(act, dA32, A32, Z32)
    assert A32.dtype == np.float32
    assert dZ32.dtype == np.float32
    assert act(Z32).dtype == np.float32
    assert act.derivative(Z32).dtype == np.float32
    assert_allclose(A32, A64, rtol=2e-6, atol=1e-6)
    assert_allclose(dZ32, dZ64, rtol=2e-6, atol=1e-6)


EXTREMES = [-1e4, -1e3, -120.0, -90.0, -50.0, 0.0, 50.0, 90.0, 120.0, 1e3, 1e4]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", CASES)
def test_extreme_inputs_raise_no_warning(case, dtype):
    act = _make(case)
    Z = np.array([EXTREMES], dtype=dtype)
    with warnings.catch_warnings(), np.errstate(all="warn", under="ignore"):
        warnings.simplefilter("error")
        A = _forward(act, Z)
        dZ = _backward(act, np.ones_like(Z), A, Z)
    assert A.dtype == dZ.dtype == dtype
    assert np.all(np.isfinite(A)) and np.all(np.isfinite(dZ))
    # The limits are right too. The absolute floors allow for SiLU's clipping
    # far in the negative tail (values below 1e-33) and for derivatives read
    # from A as A + alpha (ELU, SELU), exact to a few ulp of alpha.
    f, df = _reference(case, np.array([EXTREMES]))
    assert_allclose(A, f, rtol=1e-6, atol=1e-30)
    assert_allclose(dZ, df, rtol=1e-6, atol=4 * np.finfo(dtype).eps)


@pytest.mark.parametrize("case", CASES)
def test_infinite_inputs_give_the_limits(case):
    act = _make(case)
    Z = np.array([[-np.inf, np.inf]])
    with warnings.catch_warnings(), np.errstate(all="warn", under="ignore"):
        warnings.simplefilter("error")
        A = _forward(act, Z)
        dZ = _backward(act, np.ones_like(Z), A, Z)
    f, df = _reference(case, np.array([[-1e7, 1e7]]))
    # Where f grows without bound, f(+-inf) is an infinity of the same sign.
    unbounded = np.abs(f) > 100
    assert_array_equal(A[unbounded], np.copysign(np.inf, f[unbounded]))
    assert_allclose(A[~unbounded], f[~unbounded], atol=1e-15)
    assert_allclose(dZ, df, atol=1e-15)


def test_which_activations_need_z():
    needs_z = {
        name for name, cls in ACTIVATIONS.items() if not cls().derivative_from_output
    }
    assert needs_z == {"gelu", "silu"}
    # A negative slope or alpha maps negative and positive inputs to outputs
    # of the same sign, so the derivative can only be read from Z.
    assert LeakyReLU(negative_slope=0.0).derivative_from_output
    assert not LeakyReLU(negative_slope=-0.1).derivative_from_output
    assert ELU(alpha=0.0).derivative_from_output
    assert not ELU(alpha=-1.0).derivative_from_output
    assert not GELU(approximate="tanh").derivative_from_output


def test_gelu_rejects_unknown_approximation():
    with pytest.raises(ValueError, match="'none' or 'tanh'"):
        GELU(approximate="erf")(np.zeros((1, 1)))


def test_selu_constants_solve_the_fixed_point_equations():
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 40
    # Klambauer et al. (2017), eq. (14): the alpha and lambda that make
    # (mean, variance) = (0, 1) a fixed point for weights with sum 0 and
    # squared sum 1.
    e, pi, erfc, sqrt = mpmath.e, mpmath.pi, mpmath.erfc, mpmath.sqrt
    c = erfc(1 / sqrt(2))
    alpha = -sqrt(2 / pi) / (c * mpmath.exp(0.5) - 1)
    scale = (
        (1 - c * sqrt(e))
        * sqrt(2 * pi)
        * (
            2 * erfc(sqrt(2)) * e**2
            + pi * c**2 * e
            - 2 * (2 + pi) * c * sqrt(e)
            + pi
            + 2
        )
        ** -0.5
    )
    assert SELU.alpha == pytest.approx(float(alpha), rel=1e-15)
    assert SELU.scale == pytest.approx(float(scale), rel=1e-15)


def test_selu_with_lecun_normal_is_self_normalizing():
    rng = np.random.RandomState(0)
    width, depth = 128, 16
    X = rng.normal(size=(1000, width))

    def propagate(init):
        A = X.copy()
        for _ in range(depth):
            W = init((width, width), fan_in=width, fan_out=width, rng=rng)
            A = SELU().forward(A @ W)
        return A.mean(), A.var()

    mean, var = propagate(LeCunNormal())
    assert abs(mean) < 0.1
    assert 0.8 < var < 1.2
    # He's variance, twice LeCun's, lets the activations grow.
    _, var_he = propagate(HeNormal())
    assert var_he > 2


TORCH_FUNCTIONS = {
    "identity": lambda F, x: x,
    "logistic": lambda F, x: F.sigmoid(x),
    "tanh": lambda F, x: F.tanh(x),
    "relu": lambda F, x: F.relu(x),
    "leaky_relu": lambda F, x: F.leaky_relu(x),
    "elu": lambda F, x: F.elu(x),
    "selu": lambda F, x: F.selu(x),
    "softplus": lambda F, x: F.softplus(x),
    "gelu": lambda F, x: F.gelu(x),
    "silu": lambda F, x: F.silu(x),
    "leaky_relu(0.2)": lambda F, x: F.leaky_relu(x, 0.2),
    "leaky_relu(1.5)": lambda F, x: F.leaky_relu(x, 1.5),
    "leaky_relu(-0.3)": lambda F, x: F.leaky_relu(x, -0.3),
    "elu(0.5)": lambda F, x: F.elu(x, alpha=0.5),
    "elu(-0.5)": lambda F, x: F.elu(x, alpha=-0.5),
    "softplus(2,10)": lambda F, x: F.softplus(x, beta=2.0, threshold=10.0),
    "gelu(tanh)": lambda F, x: F.gelu(x, approximate="tanh"),
}


@pytest.mark.parametrize("case", [c for c in CASES if c in TORCH_FUNCTIONS])
def test_matches_torch_values_and_autograd(case):
    torch = pytest.importorskip("torch")
    act = _make(case)
    x = torch.tensor(GRID, dtype=torch.float64, requires_grad=True)
    y = TORCH_FUNCTIONS[case](torch.nn.functional, x)
    y.sum().backward()
    A = _forward(act, GRID)
    # The absolute floor is for values that both sides compute as a tiny
    # difference of O(1) terms (A + alpha in ELU's tail, 1 + tanh(u)).
    assert_allclose(A, y.detach().numpy(), rtol=1e-10, atol=1e-14)
    dZ = _backward(act, np.ones_like(GRID), A, GRID)
    assert_allclose(dZ, x.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_softplus_derivative_from_output_is_exact_off_its_threshold():
    # f' is read from A; only within exp(-threshold) / beta above the
    # threshold, where the linear and the curved piece share outputs, can
    # it be off, and then by less than exp(-threshold).
    act = Softplus(beta=2.0, threshold=10.0)
    z = np.array([[4.9, 5.0, 5.0 + 1e-4, 5.1, 6.0]])
    A = _forward(act, z)
    dZ = act.backward(np.ones_like(z), A)
    assert_allclose(A, [[*(np.log1p(np.exp(2 * z[0, :2])) / 2), *z[0, 2:]]])
    assert_allclose(dZ[0, :2], 1 / (1 + np.exp(-2 * z[0, :2])), rtol=1e-14)
    assert_array_equal(dZ[0, 2:], 1.0)


# ---------------------------------------------------------------------------
# Initializers

FAN_IN, FAN_OUT = 500, 400

# name -> (law, parameter from the fans): the uniform laws by their bound b
# (variance b**2 / 3), the normal laws by their standard deviation.
LAWS = {
    "glorot_uniform": ("uniform", lambda fi, fo: math.sqrt(6 / (fi + fo))),
    "he_uniform": ("uniform", lambda fi, fo: math.sqrt(6 / fi)),
    "glorot_normal": ("normal", lambda fi, fo: math.sqrt(2 / (fi + fo))),
    "he_normal": ("normal", lambda fi, fo: math.sqrt(2 / fi)),
    "lecun_normal": ("normal", lambda fi, fo: math.sqrt(1 / fi)),
}
RANDOM = [name for name in INITIALIZERS if name not in ("zeros", "constant")]


def _draw(init, shape, seed=0, dtype=np.float64, fans=(FAN_IN, FAN_OUT)):
    rng = np.random.RandomState(seed)
    return init(shape, fan_in=fans[0], fan_out=fans[1], rng=rng, dtype=dtype)


@pytest.mark.parametrize("name", INITIALIZERS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_initializer_shape_dtype_and_seed(name, dtype):
    init = INITIALIZERS[name]()
    W = _draw(init, (6, 4), seed=3, dtype=dtype, fans=(6, 4))
    assert W.shape == (6, 4)
    assert W.dtype == dtype
    assert_array_equal(W, _draw(init, (6, 4), seed=3, dtype=dtype, fans=(6, 4)))
    # Drawn in float64, then cast: float32 and float64 fits start alike.
    W64 = _draw(init, (6, 4), seed=3, fans=(6, 4))
    assert_array_equal(W, W64.astype(dtype))
    if name in RANDOM:
        other = _draw(init, (6, 4), seed=4, dtype=dtype, fans=(6, 4))
        assert not np.array_equal(W, other)


@pytest.mark.parametrize("name", INITIALIZERS)
def test_initializer_uses_only_the_given_rng(name):
    init = INITIALIZERS[name]()
    # The legacy global stream is exactly what must stay untouched.
    np.random.seed(0)  # noqa: NPY002
    global_state = np.random.get_state()[1].copy()  # noqa: NPY002
    rng = np.random.RandomState(5)
    init((5, 3), fan_in=5, fan_out=3, rng=rng)
    assert_array_equal(np.random.get_state()[1], global_state)  # noqa: NPY002
    # The constant laws leave the stream alone (so they shift no later draw).
    consumed = rng.random_sample() != np.random.RandomState(5).random_sample()
    assert consumed == (name in RANDOM)


@pytest.mark.parametrize("shape", [(FAN_IN, FAN_OUT), (200_000,)], ids=["W", "b"])
@pytest.mark.parametrize("name", LAWS)
def test_initializer_has_the_papers_variance(name, shape):
    law, param = LAWS[name]
    p = param(FAN_IN, FAN_OUT)
    W = _draw(INITIALIZERS[name](), shape).ravel()
    n = W.size
    if law == "uniform":
        var, fourth = p**2 / 3, p**4 / 5
        assert np.abs(W).max() <= p
        assert np.abs(W).max() > 0.999 * p
        assert stats.kstest(W, "uniform", args=(-p, 2 * p)).pvalue > 1e-4
    else:
        var, fourth = p**2, 3 * p**4
        # Not truncated: the KS test tells a normal from one cut at 2 sd.
        assert stats.kstest(W, "norm", args=(0, p)).pvalue > 1e-4
    # With the mean known to be 0, mean(W**2) estimates the variance with
    # standard error sqrt((E[W**4] - var**2) / n).
    assert abs(W.mean()) < 6 * math.sqrt(var / n)
    assert abs(np.mean(W**2) - var) < 6 * math.sqrt((fourth - var**2) / n)


@pytest.mark.parametrize("gain", [1.0, 2.0])
@pytest.mark.parametrize("shape", [(300, 120), (120, 300), (64, 64)])
def test_orthogonal_is_orthogonal(shape, gain):
    W = _draw(Orthogonal(gain=gain), shape, fans=shape)
    small = min(shape)
    gram = W.T @ W if shape[0] >= shape[1] else W @ W.T
    assert_allclose(gram, gain**2 * np.eye(small), atol=1e-12)
    W32 = _draw(Orthogonal(gain=gain), shape, dtype=np.float32, fans=shape)
    gram32 = W32.T @ W32 if shape[0] >= shape[1] else W32 @ W32.T
    assert_allclose(gram32, gain**2 * np.eye(small), atol=1e-5 * gain**2)


def test_orthogonal_is_uniform_over_orthogonal_matrices():
    # Under the Haar law every entry of a tall (n, m) draw has mean 0 and
    # variance 1 / n. A QR without the sign correction fails this: its
    # diagonal keeps the sign LAPACK gives R's.
    n, m, n_draws = 6, 4, 400
    draws = np.array(
        [_draw(Orthogonal(), (n, m), seed=s, fans=(n, m)) for s in range(n_draws)]
    )
    assert np.all(np.abs(draws.mean(axis=0)) < 6 * math.sqrt(1 / n / n_draws))
    assert_allclose((draws**2).mean(axis=0), 1 / n, rtol=0.25)


def test_orthogonal_rejects_a_bias_shape():
    with pytest.raises(ValueError, match="2-d weight matrices"):
        _draw(Orthogonal(), (FAN_OUT,))


@pytest.mark.parametrize("name", INITIALIZERS)
def test_auto_bias_initializer_draws_every_initializers_biases(name):
    # bias_init='auto' draws biases like the weights (scikit-learn), except
    # from an initializer of 2-d weights only, which it pairs with zeros.
    init = INITIALIZERS[name]()
    bias_init = auto_bias_initializer(init)
    assert bias_init is (init if name != "orthogonal" else bias_init)
    b = _draw(bias_init, (FAN_OUT,))
    assert b.shape == (FAN_OUT,)
    if name == "orthogonal":
        assert isinstance(bias_init, Zeros) and not b.any()


def test_orthogonal_weights_train_with_auto_biases():
    # Raised "Orthogonal initializes 2-d weight matrices" with bias_init='auto'.
    from sknn import MLPClassifier

    rng = np.random.RandomState(0)
    X = rng.randn(40, 5)
    y = (X[:, 0] > 0).astype(int)
    # One step at a negligible rate leaves the starting point in place.
    clf = MLPClassifier(
        (4,),
        weight_init="orthogonal",
        solver="sgd",
        momentum=0.0,
        learning_rate_init=1e-12,
        max_iter=1,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning
        clf.fit(X, y)
    for W in clf.coefs_:
        gram = W.T @ W if W.shape[0] >= W.shape[1] else W @ W.T
        assert_allclose(gram, np.eye(min(W.shape)), atol=1e-9)
    for b in clf.intercepts_:
        assert np.abs(b).max() < 1e-9


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_zeros_and_constant_are_exact(dtype):
    for shape in [(5, 3), (3,)]:
        Z = _draw(Zeros(), shape, dtype=dtype)
        assert Z.dtype == dtype and not Z.any()
        C = _draw(Constant(), shape, dtype=dtype)
        assert C.dtype == dtype
        assert_array_equal(C, np.full(shape, 0.1, dtype=dtype))
        assert_array_equal(_draw(Constant(value=-2.5), shape, dtype=dtype), -2.5)


def test_sklearn_initializer_is_glorot_for_every_activation():
    for name in ACTIVATIONS:
        init = sklearn_initializer(name)
        assert type(init) is GlorotUniform
        assert init.factor == (2.0 if name == "logistic" else 6.0)


def _train_tiny_mlp(weight_init, n_steps=25, lr=0.5):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 4))
    Y = rng.normal(size=(30, 2))
    net = Network(4, [5], 2, [Tanh()], SquaredError(), np.float64)
    net.initialize(np.random.RandomState(1), weight_init, Zeros())
    for _ in range(n_steps):
        net.loss_and_gradient(X, Y)
        net.params -= lr * net.grads
    return net


@pytest.mark.parametrize("weight_init", [Constant(value=0.1), Constant(value=-0.3)])
def test_constant_weights_never_break_the_symmetry(weight_init):
    net = _train_tiny_mlp(weight_init)
    W1, b1 = net.coefs[0], net.intercepts[0]
    W2 = net.coefs[1]
    # Training moved the weights, but every hidden unit kept the same
    # incoming weights, bias and outgoing weights: they are one unit, copied.
    assert np.abs(W1 - weight_init.value).max() > 1e-3
    assert_allclose(W1, np.repeat(W1[:, :1], 5, axis=1), rtol=1e-12, atol=1e-15)
    assert_allclose(b1, np.full(5, b1[0]), rtol=1e-12, atol=1e-15)
    assert_allclose(W2, np.repeat(W2[:1], 5, axis=0), rtol=1e-12, atol=1e-15)


def test_zero_weights_do_not_train_the_hidden_layer():
    net = _train_tiny_mlp(Zeros())
    # tanh(0) = 0 and zero outgoing weights: every hidden gradient is 0, so
    # only the output bias learns.
    assert not net.coefs[0].any() and not net.coefs[1].any()
    assert not net.intercepts[0].any()
    assert net.intercepts[1].any()


def test_random_weights_break_the_symmetry():
    net = _train_tiny_mlp(GlorotUniform())
    W1 = net.coefs[0]
    spread = W1.max(axis=1) - W1.min(axis=1)
    assert np.all(spread > 1e-2)
