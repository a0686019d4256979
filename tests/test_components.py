"""Tests for the components: activations, losses, initializers, optimizers,
schedules and their shared ``Component`` protocol.

Everything is generated from the registries, so a newly registered component
is tested the moment it is added. Reference values come from formulas written
here or from scikit-learn's own optimizers, never from the code under test.
"""

import inspect

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import erf, expit, logsumexp, softmax, xlogy
from sklearn.base import clone
from sklearn.neural_network._stochastic_optimizers import (
    AdamOptimizer,
    SGDOptimizer,
)

from sknn import MLPClassifier, MLPRegressor
from sknn._component import Component, resolve
from sknn.activations import (
    ACTIVATIONS,
    ELU,
    GELU,
    SELU,
    Identity,
    LeakyReLU,
    Logistic,
    ReLU,
    SiLU,
    Softplus,
    Tanh,
)
from sknn.initializers import INITIALIZERS, GlorotUniform, sklearn_initializer
from sknn.losses import LOSSES, BinaryLogLoss, LogLoss, PoissonLoss, SquaredError
from sknn.optimizers import LBFGS, SGD, SOLVERS, Adam, Optimizer
from sknn.schedules import (
    SCHEDULES,
    Adaptive,
    Constant,
    CosineAnnealing,
    InvScaling,
    LinearWarmup,
    Schedule,
    StepDecay,
)

REGISTRIES = {
    "activation": ACTIVATIONS,
    "loss": LOSSES,
    "solver": SOLVERS,
    "schedule": SCHEDULES,
    "initializer": INITIALIZERS,
}

ALL_COMPONENTS = [
    pytest.param(cls, id=f"{kind}-{name}")
    for kind, registry in REGISTRIES.items()
    for name, cls in registry.items()
]

# Estimator parameter through which each family reaches the estimators.
ESTIMATOR_PARAMS = {
    "activation": (MLPClassifier, "activation"),
    "solver": (MLPClassifier, "solver"),
    "schedule": (MLPClassifier, "learning_rate"),
    "loss": (MLPRegressor, "loss"),
}

ESTIMATOR_COMPONENTS = [
    pytest.param(cls, *ESTIMATOR_PARAMS[kind], id=f"{kind}-{name}")
    for kind, registry in REGISTRIES.items()
    if kind in ESTIMATOR_PARAMS
    for name, cls in registry.items()
]


def _init_defaults(cls):
    """Hyper-parameter defaults, read from the ``__init__`` signature."""
    if cls.__init__ is object.__init__:
        return {}
    return {
        p.name: p.default
        for p in inspect.signature(cls.__init__).parameters.values()
        if p.name != "self"
    }


def _other_value(value):
    """A value of the same kind as ``value`` but different from it."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value / 2 if value else 0.5
    if isinstance(value, str):
        return value + "_other"
    if value is None:  # "use the default": any setting will do for the protocol
        return 3
    pytest.fail(f"no alternative value known for default {value!r}")


def _non_default_params(cls):
    return {name: _other_value(v) for name, v in _init_defaults(cls).items()}


# ---------------------------------------------------------------------------
# The Component protocol, for every registered class


@pytest.mark.parametrize("cls", ALL_COMPONENTS)
def test_get_params_are_the_init_defaults(cls):
    component = cls()
    assert isinstance(component, Component)
    assert component.get_params() == _init_defaults(cls)
    assert component.get_params(deep=False) == _init_defaults(cls)


@pytest.mark.parametrize("cls", ALL_COMPONENTS)
def test_set_params_round_trip(cls):
    component = cls()
    new = _non_default_params(cls)
    assert component.set_params(**new) is component
    assert component.get_params() == new
    assert cls(**new).get_params() == new


def test_param_names_follow_the_class_and_its_current_init():
    class Scaled(Component):
        def __init__(self, scale=1.0):
            self.scale = scale

    class Shifted(Scaled):
        def __init__(self, scale=1.0, shift=0.0):
            super().__init__(scale)
            self.shift = shift

    assert Scaled().get_params() == {"scale": 1.0}
    assert Shifted().get_params() == {"scale": 1.0, "shift": 0.0}
    names = Scaled._get_param_names()
    names.append("mutated")  # the cached names are not the caller's list
    assert Scaled._get_param_names() == ["scale"]

    def init(self, scale=1.0, offset=2.0):
        self.scale, self.offset = scale, offset

    Scaled.__init__ = init  # a redefined __init__ is read again
    assert Scaled().get_params() == {"offset": 2.0, "scale": 1.0}

    class Loose(Component):
        def __init__(self, **kwargs):
            pass

    for _ in range(2):  # the error is not cached away
        with pytest.raises(TypeError, match="explicitly"):
            Loose().get_params()


@pytest.mark.parametrize("cls", ALL_COMPONENTS)
def test_set_params_rejects_unknown_names(cls):
    with pytest.raises(ValueError, match="not_a_param"):
        cls().set_params(not_a_param=1)


def _use(component):
    """Give a component the state that training gives it."""
    if isinstance(component, Optimizer):
        component.build(5, np.float64)
        if component.stochastic:
            component.step(np.ones(5), np.ones(5), 0.1)
    elif isinstance(component, Schedule):
        _drive(component)


@pytest.mark.parametrize("cls", ALL_COMPONENTS)
def test_fresh_is_an_equal_unbuilt_copy(cls):
    component = cls()
    _use(component)
    copy = component.fresh()
    assert type(copy) is cls
    assert copy is not component
    assert copy.get_params() == _init_defaults(cls)
    # Unbuilt: the copy holds its hyper-parameters and nothing else.
    assert set(vars(copy)) == set(_init_defaults(cls))
    if isinstance(component, Optimizer | Schedule):
        assert set(vars(component)) > set(vars(copy))


@pytest.mark.parametrize("cls", ALL_COMPONENTS)
def test_fresh_keeps_non_default_params(cls):
    new = _non_default_params(cls)
    copy = cls(**new).fresh()
    assert copy.get_params() == new
    assert set(vars(copy)) == set(new)


@pytest.mark.parametrize("cls", ALL_COMPONENTS)
def test_repr_shows_only_non_default_params(cls):
    assert repr(cls()) == f"{cls.__name__}()"
    for name, value in _non_default_params(cls).items():
        assert repr(cls(**{name: value})) == f"{cls.__name__}({name}={value!r})"


@pytest.mark.parametrize("cls", ALL_COMPONENTS)
def test_sklearn_clone_of_component(cls):
    new = _non_default_params(cls)
    component = cls(**new)
    copy = clone(component)
    assert type(copy) is cls
    assert copy is not component
    assert copy.get_params() == new


@pytest.mark.parametrize("cls, estimator_cls, param", ESTIMATOR_COMPONENTS)
def test_estimator_holding_component_clones_and_sets_nested_params(
    cls, estimator_cls, param
):
    new = _non_default_params(cls)
    component = cls(**new)
    estimator = estimator_cls(**{param: component})

    cloned = clone(estimator)
    held = cloned.get_params()[param]
    assert type(held) is cls
    assert held is not component
    assert held.get_params() == new

    deep = estimator.get_params(deep=True)
    for name, value in new.items():
        assert deep[f"{param}__{name}"] == value
        other = _other_value(value)
        estimator.set_params(**{f"{param}__{name}": other})
        assert getattr(estimator.get_params()[param], name) == other
        assert estimator.get_params(deep=True)[f"{param}__{name}"] == other


def test_adam_beta_2_through_an_estimator():
    clf = MLPClassifier(solver=Adam(beta_2=0.9))
    cloned = clone(clf)
    assert cloned.solver is not clf.solver
    assert cloned.solver.get_params() == Adam(beta_2=0.9).get_params()
    assert clf.get_params(deep=True)["solver__beta_2"] == 0.9
    clf.set_params(solver__beta_2=0.5)
    assert clf.solver.beta_2 == 0.5


def test_nested_component_params():
    warmup = LinearWarmup(CosineAnnealing(T_max=10))
    assert warmup.get_params()["schedule__T_max"] == 10
    warmup.set_params(schedule__T_max=7, warmup_epochs=2)
    assert warmup.schedule.T_max == 7
    assert repr(warmup) == (
        "LinearWarmup(schedule=CosineAnnealing(T_max=7), warmup_epochs=2)"
    )
    copy = warmup.fresh()
    assert copy.schedule is not warmup.schedule
    assert copy.get_params()["schedule__T_max"] == 7

    clf = MLPClassifier(learning_rate=warmup)
    assert clf.get_params()["learning_rate__schedule__T_max"] == 7
    clf.set_params(learning_rate__schedule__T_max=4)
    assert warmup.schedule.T_max == 4
    cloned = clone(clf)
    assert cloned.learning_rate.schedule is not warmup.schedule
    assert cloned.get_params()["learning_rate__schedule__T_max"] == 4


# ---------------------------------------------------------------------------
# resolve

# resolve validates what it returns, so the cases need valid non-default
# values: LinearWarmup's only hyper-parameter without one is a schedule (it
# has its own test below).
RESOLVE_CASES = [
    pytest.param(kind, registry, name, id=f"{kind}-{name}")
    for kind, registry in REGISTRIES.items()
    for name in registry
    if (kind, name) != ("schedule", "warmup")
]


def _flat_defaults(registry):
    """A non-default value for every hyper-parameter of any class in registry,
    plus one that no class has."""
    flat = {"not_a_hyper_parameter": 1.25}
    for cls in registry.values():
        for name, value in _non_default_params(cls).items():
            flat.setdefault(name, value)
    return flat


@pytest.mark.parametrize("kind, registry, name", RESOLVE_CASES)
def test_resolve_name_applies_only_the_class_own_defaults(kind, registry, name):
    cls = registry[name]
    assert resolve(name, registry, kind).get_params() == _init_defaults(cls)

    flat = _flat_defaults(registry)
    component = resolve(name, registry, kind, **flat)
    assert type(component) is cls
    assert component.get_params() == {k: flat[k] for k in _init_defaults(cls)}


@pytest.mark.parametrize("kind, registry, name", RESOLVE_CASES)
def test_resolve_instance_gives_a_fresh_copy(kind, registry, name):
    cls = registry[name]
    instance = cls(**_non_default_params(cls))
    component = resolve(instance, registry, kind, **_flat_defaults(registry))
    assert type(component) is cls
    assert component is not instance
    # The instance's own hyper-parameters win over the flat defaults.
    assert component.get_params() == instance.get_params()


def test_resolve_warmup_instance_gives_fresh_copies_of_both_schedules():
    inner = CosineAnnealing(T_max=5)
    instance = LinearWarmup(schedule=inner, warmup_epochs=3, start_factor=0.5)
    component = resolve(instance, SCHEDULES, "schedule", warmup_epochs=9)
    assert type(component) is LinearWarmup and component is not instance
    assert component.schedule is not inner
    assert component.schedule.get_params() == inner.get_params()
    assert (component.warmup_epochs, component.start_factor) == (3, 0.5)


@pytest.mark.parametrize("kind", ["solver", "schedule"])
def test_resolve_refuses_invalid_hyper_parameters(kind):
    registry = REGISTRIES[kind]
    bad = Adam(beta_2=1.0) if kind == "solver" else StepDecay(step_size=0)
    with pytest.raises(ValueError, match="parameter of (Adam|StepDecay) must be"):
        resolve(bad, registry, kind)


@pytest.mark.parametrize("kind", REGISTRIES)
@pytest.mark.parametrize("value", ["no_such_thing", 3, None])
def test_resolve_unknown_value_names_the_options(kind, value):
    registry = REGISTRIES[kind]
    with pytest.raises(ValueError, match=f"Unknown {kind}") as excinfo:
        resolve(value, registry, kind)
    for name in registry:
        assert repr(name) in str(excinfo.value)


# ---------------------------------------------------------------------------
# Activations

# Reference formulas, from the papers (and PyTorch's conventions where the
# papers leave a choice), evaluated naively in float64.
SQRT_2_OVER_PI = np.sqrt(2 / np.pi)
ACTIVATION_FORMULAS = {
    Identity: lambda a, z: z,
    Logistic: lambda a, z: 1 / (1 + np.exp(-z)),
    Tanh: lambda a, z: (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z)),
    ReLU: lambda a, z: np.where(z > 0, z, 0.0),
    LeakyReLU: lambda a, z: np.where(z > 0, z, a.negative_slope * z),
    ELU: lambda a, z: np.where(z > 0, z, a.alpha * (np.exp(z) - 1)),
    SELU: lambda a, z: (
        1.0507009873554804934
        * np.where(z > 0, z, 1.6732632423543772848 * (np.exp(z) - 1))
    ),
    Softplus: lambda a, z: np.where(
        a.beta * z > a.threshold, z, np.log(1 + np.exp(a.beta * z)) / a.beta
    ),
    GELU: lambda a, z: (
        z * 0.5 * (1 + erf(z / np.sqrt(2)))
        if a.approximate == "none"
        else 0.5 * z * (1 + np.tanh(SQRT_2_OVER_PI * (z + 0.044715 * z**3)))
    ),
    SiLU: lambda a, z: z / (1 + np.exp(-z)),
}

# Settings beyond the defaults that take another code path.
ACTIVATION_VARIANTS = {
    LeakyReLU: [
        {"negative_slope": 0.2},
        {"negative_slope": -0.5},
        {"negative_slope": 1.5},
    ],
    ELU: [{"alpha": 0.5}, {"alpha": -0.5}],
    Softplus: [{"beta": 2.0, "threshold": 3.0}],
    GELU: [{"approximate": "tanh"}],
}

ACTIVATION_CASES = [
    pytest.param(
        cls, params, id="-".join([name, *(f"{k}={v}" for k, v in params.items())])
    )
    for name, cls in ACTIVATIONS.items()
    for params in [{}, *ACTIVATION_VARIANTS.get(cls, [])]
]


def _formula(activation):
    cls = type(activation)
    if cls not in ACTIVATION_FORMULAS:
        pytest.fail(f"add a reference formula for {cls.__name__} to this test")
    return lambda Z: ACTIVATION_FORMULAS[cls](activation, Z)


def _pre_activations(shape=(6, 5), seed=0):
    """float64 values in [-3, -0.05] U [0.05, 3]: away from the kink at 0."""
    rng = np.random.RandomState(seed)
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.05, 3.0, size=shape)


def _numerical_derivative(activation, Z, eps=1e-6):
    return (activation(Z + eps) - activation(Z - eps)) / (2 * eps)


@pytest.mark.parametrize("cls, params", ACTIVATION_CASES)
def test_activation_forward_matches_formula(cls, params):
    activation = cls(**params)
    Z = _pre_activations()
    assert_allclose(activation(Z), _formula(activation)(Z), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("cls, params", ACTIVATION_CASES)
def test_activation_backward_matches_finite_differences(cls, params):
    activation = cls(**params)
    Z = _pre_activations()
    expected = _numerical_derivative(activation, Z)
    A = activation.forward(Z.copy())
    dA = np.ones_like(Z)
    assert_allclose(activation.backward(dA, A, Z.copy()), expected, rtol=1e-7)
    assert_allclose(activation.derivative(Z), expected, rtol=1e-7)


@pytest.mark.parametrize("cls, params", ACTIVATION_CASES)
def test_activation_backward_scales_incoming_gradient(cls, params):
    activation = cls(**params)
    Z = _pre_activations()
    dA = np.random.RandomState(1).normal(size=Z.shape)
    expected = dA * _numerical_derivative(activation, Z)
    A = activation.forward(Z.copy())
    # Activations flagged derivative_from_output must not need Z.
    Z_arg = None if activation.derivative_from_output else Z.copy()
    assert_allclose(activation.backward(dA.copy(), A, Z_arg), expected, rtol=1e-7)


@pytest.mark.parametrize("cls, params", ACTIVATION_CASES)
def test_activation_works_in_place(cls, params):
    activation = cls(**params)
    Z = _pre_activations()
    expected = _formula(activation)(Z)
    buffer = Z.copy()
    A = activation.forward(buffer)
    assert np.shares_memory(A, buffer)
    assert_allclose(buffer, expected, rtol=1e-13, atol=1e-15)

    dA = np.ones_like(Z)
    dZ = activation.backward(dA, A, Z.copy())
    assert np.shares_memory(dZ, dA)


# ---------------------------------------------------------------------------
# Losses

LOSS_CASES = [pytest.param(cls, id=name) for name, cls in LOSSES.items()]


def _targets(cls, n_samples, n_outputs, rng):
    """Targets in the domain of each loss."""
    if cls is LogLoss:
        return np.eye(n_outputs)[rng.randint(n_outputs, size=n_samples)]
    if cls is BinaryLogLoss:
        return rng.randint(2, size=(n_samples, n_outputs)).astype(float)
    if cls is SquaredError:
        return rng.normal(size=(n_samples, n_outputs))
    if cls is PoissonLoss:
        return rng.poisson(2.0, size=(n_samples, n_outputs)).astype(float)
    pytest.fail(f"add valid targets for {cls.__name__} to _targets")


def _per_sample_loss(cls, Y, raw):
    """Independent formulas of each loss, per sample (summed over outputs)."""
    if cls is LogLoss:
        return logsumexp(raw, axis=1) - (Y * raw).sum(axis=1)
    if cls is BinaryLogLoss:
        return (np.logaddexp(0, raw) - Y * raw).sum(axis=1)
    if cls is SquaredError:
        # scikit-learn reports the mean over outputs.
        return 0.5 * ((Y - raw) ** 2).mean(axis=1)
    if cls is PoissonLoss:
        return (xlogy(Y, Y) - Y * raw - Y + np.exp(raw)).sum(axis=1)
    pytest.fail(f"add a reference formula for {cls.__name__} to _per_sample_loss")


LINKS = {
    "softmax": lambda raw: softmax(raw, axis=1),
    "logistic": expit,
    "exp": np.exp,
    "identity": lambda raw: raw,
}


def _loss_problem(cls, n_outputs, weighted, seed=0):
    rng = np.random.RandomState(seed)
    n_samples = 7
    Y = _targets(cls, n_samples, n_outputs, rng)
    raw = rng.normal(scale=1.5, size=(n_samples, n_outputs))
    sample_weight = None
    if weighted:
        sample_weight = rng.uniform(0.2, 3.0, size=n_samples)
        sample_weight[2] = 0.0
    return Y, raw, sample_weight


def _n_outputs_cases(cls):
    # Softmax needs at least two classes.
    return (2, 3) if cls is LogLoss else (1, 3)


LOSS_GRID = [
    pytest.param(cls, n_outputs, weighted, id=f"{name}-k{n_outputs}-{tag}")
    for name, cls in LOSSES.items()
    for n_outputs in _n_outputs_cases(cls)
    for weighted, tag in ((False, "unweighted"), (True, "weighted"))
]


@pytest.mark.parametrize("cls, n_outputs, weighted", LOSS_GRID)
def test_loss_value_matches_formula(cls, n_outputs, weighted):
    Y, raw, sample_weight = _loss_problem(cls, n_outputs, weighted)
    per_sample = _per_sample_loss(cls, Y, raw)
    weights = np.ones(len(Y)) if sample_weight is None else sample_weight
    expected = (per_sample * weights).sum() / weights.sum()
    raw_before = raw.copy()
    assert_allclose(cls().loss(Y, raw, sample_weight), expected, rtol=1e-12)
    assert_array_equal(raw, raw_before)


@pytest.mark.parametrize("cls, n_outputs, weighted", LOSS_GRID)
def test_loss_gradient_matches_finite_differences(cls, n_outputs, weighted):
    loss = cls()
    Y, raw, sample_weight = _loss_problem(cls, n_outputs, weighted)
    scale = loss.objective_scale(n_outputs)

    def objective(r):
        return scale * loss.loss(Y, r, sample_weight)

    eps = 1e-6
    numerical = np.zeros_like(raw)
    for index in np.ndindex(raw.shape):
        step = np.zeros_like(raw)
        step[index] = eps
        numerical[index] = (objective(raw + step) - objective(raw - step)) / (2 * eps)

    raw_before = raw.copy()
    gradient = loss.gradient(Y, raw, sample_weight)
    assert_array_equal(raw, raw_before)
    assert gradient.shape == raw.shape
    assert_allclose(gradient, numerical, rtol=1e-6, atol=1e-9)


def test_squared_error_objective_scale_is_n_outputs():
    # The reported loss is a mean over outputs; its gradient is of the sum.
    Y = np.array([[1.0, 2.0, 3.0]])
    raw = np.array([[2.0, 2.0, 5.0]])
    loss = SquaredError()
    assert loss.loss(Y, raw) == pytest.approx(0.5 * (1 + 0 + 4) / 3)
    assert loss.objective_scale(3) == 3
    assert_allclose(loss.gradient(Y, raw), raw - Y)


@pytest.mark.parametrize("cls", LOSS_CASES)
def test_loss_link_matches_its_out_activation(cls):
    loss = cls()
    raw = np.random.RandomState(0).normal(size=(5, 3))
    buffer = raw.copy()
    P = loss.link(buffer)
    assert np.shares_memory(P, buffer)
    assert_allclose(P, LINKS[loss.out_activation](raw), rtol=1e-14)


def test_log_losses_clip_probabilities():
    # A confidently wrong prediction costs -log(eps), not infinity.
    bound = -np.log(np.finfo(np.float64).eps)
    Y = np.array([[1.0, 0.0]])
    assert LogLoss().loss(Y, np.array([[-1000.0, 1000.0]])) == pytest.approx(bound)
    Y = np.array([[1.0]])
    assert BinaryLogLoss().loss(Y, np.array([[-1000.0]])) == pytest.approx(bound)


def test_poisson_check_targets():
    PoissonLoss().check_targets(np.array([[0.0], [3.0]]))
    with pytest.raises(ValueError, match="non-negative"):
        PoissonLoss().check_targets(np.array([[1.0], [-0.5]]))


# ---------------------------------------------------------------------------
# Initializers

INITIALIZER_CASES = [pytest.param(cls, id=name) for name, cls in INITIALIZERS.items()]


@pytest.mark.parametrize("cls", INITIALIZER_CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_initializer_shape_dtype_and_determinism(cls, dtype):
    init = cls()
    rngs = [np.random.RandomState(7) for _ in range(2)]
    draws = [init((4, 3), fan_in=4, fan_out=3, rng=rng, dtype=dtype) for rng in rngs]
    assert draws[0].shape == (4, 3)
    assert draws[0].dtype == dtype
    assert_array_equal(draws[0], draws[1])
    # An initializer that draws from the stream depends on it.
    if rngs[0].randint(2**31) != np.random.RandomState(7).randint(2**31):
        other = init((4, 3), fan_in=4, fan_out=3, rng=np.random.RandomState(8))
        assert not np.array_equal(draws[0].astype(np.float64), other)


@pytest.mark.parametrize("factor", [6.0, 2.0])
def test_glorot_uniform_bound_and_variance(factor):
    fan_in, fan_out = 300, 200
    bound = np.sqrt(factor / (fan_in + fan_out))
    W = GlorotUniform(factor=factor)(
        (fan_in, fan_out), fan_in=fan_in, fan_out=fan_out, rng=np.random.RandomState(0)
    )
    n = W.size
    assert np.abs(W).max() <= bound
    assert np.abs(W).max() > 0.999 * bound
    # U(-b, b): mean 0, E[W^2] = b^2/3, Var(W^2) = b^4/5 - b^4/9.
    assert abs(W.mean()) < 5 * bound / np.sqrt(3 * n)
    second_moment_se = np.sqrt(bound**4 / 5 - bound**4 / 9) / np.sqrt(n)
    assert abs(np.mean(W**2) - bound**2 / 3) < 5 * second_moment_se


def test_glorot_uniform_draws_like_scikit_learn():
    bound = np.sqrt(6.0 / (4 + 3))
    expected = np.random.RandomState(3).uniform(-bound, bound, (4, 3))
    W = GlorotUniform()((4, 3), fan_in=4, fan_out=3, rng=np.random.RandomState(3))
    assert_array_equal(W, expected)
    W32 = GlorotUniform()(
        (4, 3), fan_in=4, fan_out=3, rng=np.random.RandomState(3), dtype=np.float32
    )
    assert_array_equal(W32, expected.astype(np.float32))


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_sklearn_initializer_factor(name):
    init = sklearn_initializer(name)
    assert isinstance(init, GlorotUniform)
    assert init.factor == (2.0 if name == "logistic" else 6.0)


# ---------------------------------------------------------------------------
# Optimizers

STOCHASTIC_SOLVERS = [
    pytest.param(cls, id=name) for name, cls in SOLVERS.items() if cls.stochastic
]


def test_stochastic_flags():
    assert SGD.stochastic and Adam.stochastic
    assert not LBFGS.stochastic


def test_lbfgs_has_no_single_step():
    optimizer = LBFGS()
    optimizer.build(3, np.float64)
    with pytest.raises(TypeError):
        optimizer.step(np.zeros(3), np.ones(3), 0.1)


def _two_gradients(n=6, seed=0):
    rng = np.random.RandomState(seed)
    return rng.normal(size=n), rng.normal(size=n), rng.normal(size=n)


def _run_steps(optimizer, p0, gradients, rates):
    params = p0.copy()
    optimizer.build(params.size, params.dtype)
    trajectory = []
    for g, lr in zip(gradients, rates, strict=True):
        optimizer.step(params, g.copy(), lr)
        trajectory.append(params.copy())
    return trajectory


@pytest.mark.parametrize("momentum", [0.0, 0.9])
@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_two_steps_closed_form(momentum, nesterov):
    p0, g0, g1 = _two_gradients()
    lr0, lr1 = 0.1, 0.05
    p1, p2 = _run_steps(SGD(momentum, nesterov), p0, [g0, g1], [lr0, lr1])

    v1 = -lr0 * g0
    v2 = momentum * v1 - lr1 * g1
    if nesterov:  # scikit-learn's: the update is mu * v - lr * g
        e1 = p0 + momentum * v1 - lr0 * g0
        e2 = e1 + momentum * v2 - lr1 * g1
    else:
        e1 = p0 + v1
        e2 = e1 + v2
    assert_allclose(p1, e1, rtol=1e-14)
    assert_allclose(p2, e2, rtol=1e-14)
    if momentum == 0:  # plain gradient descent
        assert_allclose(p2, p0 - lr0 * g0 - lr1 * g1, rtol=1e-14)


def test_adam_two_steps_closed_form():
    p0, g0, g1 = _two_gradients()
    b1, b2, eps = 0.8, 0.95, 1e-7
    lr0, lr1 = 0.01, 0.02
    p1, p2 = _run_steps(Adam(b1, b2, eps), p0, [g0, g1], [lr0, lr1])

    m1, v1 = (1 - b1) * g0, (1 - b2) * g0**2
    e1 = p0 - lr0 * np.sqrt(1 - b2) / (1 - b1) * m1 / (np.sqrt(v1) + eps)
    m2, v2 = b1 * m1 + (1 - b1) * g1, b2 * v1 + (1 - b2) * g1**2
    e2 = e1 - lr1 * np.sqrt(1 - b2**2) / (1 - b1**2) * m2 / (np.sqrt(v2) + eps)
    assert_allclose(p1, e1, rtol=1e-13)
    assert_allclose(p2, e2, rtol=1e-13)


def _sklearn_trajectory_check(reference, optimizer, lr, n_steps=20):
    rng = np.random.RandomState(0)
    shapes = [(3, 4), (4, 2), (4,), (2,)]
    ref_params = [rng.normal(size=s) for s in shapes]
    flat = np.concatenate([p.ravel() for p in ref_params])
    reference = reference(ref_params)
    optimizer.build(flat.size, flat.dtype)
    for _ in range(n_steps):
        grads = [rng.normal(size=s) for s in shapes]
        reference.update_params(ref_params, grads)
        optimizer.step(flat, np.concatenate([g.ravel() for g in grads]), lr)
    expected = np.concatenate([p.ravel() for p in ref_params])
    assert_allclose(flat, expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("momentum", [0.0, 0.5, 0.9])
@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_matches_scikit_learn(momentum, nesterov):
    lr = 0.05
    _sklearn_trajectory_check(
        lambda params: SGDOptimizer(
            params, learning_rate_init=lr, momentum=momentum, nesterov=nesterov
        ),
        SGD(momentum=momentum, nesterov=nesterov),
        lr,
    )


@pytest.mark.parametrize(
    "beta_1, beta_2, epsilon", [(0.9, 0.999, 1e-8), (0.5, 0.9, 1e-3)]
)
def test_adam_matches_scikit_learn(beta_1, beta_2, epsilon):
    lr = 0.01
    _sklearn_trajectory_check(
        lambda params: AdamOptimizer(params, lr, beta_1, beta_2, epsilon),
        Adam(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon),
        lr,
    )


def _without_decay(cls, **params):
    if "weight_decay" in _init_defaults(cls):
        params["weight_decay"] = 0.0
    return cls(**params)


@pytest.mark.parametrize("cls", STOCHASTIC_SOLVERS)
def test_first_step_descends(cls):
    p0, g, _ = _two_gradients()
    (p1,) = _run_steps(_without_decay(cls), p0, [g], [0.01])
    assert_array_equal(np.sign(p1 - p0), -np.sign(g))


@pytest.mark.parametrize("cls", STOCHASTIC_SOLVERS)
def test_step_keeps_float32(cls):
    p0, g0, g1 = _two_gradients()
    traj64 = _run_steps(_without_decay(cls), p0, [g0, g1], [0.01, 0.01])
    traj32 = _run_steps(
        _without_decay(cls),
        p0.astype(np.float32),
        [g0.astype(np.float32), g1.astype(np.float32)],
        [0.01, 0.01],
    )
    assert traj32[-1].dtype == np.float32
    assert_allclose(traj32[-1], traj64[-1], rtol=1e-5)


# ---------------------------------------------------------------------------
# Schedules

SCHEDULE_CASES = [pytest.param(cls, id=name) for name, cls in SCHEDULES.items()]


def _drive(schedule, lr0=0.1, steps_per_epoch=3, max_epochs=6):
    """The rates a schedule gives over a run, called as the engine calls it.

    The monitored loss improves for two epochs, then stalls."""
    lr = schedule.start(lr0, steps_per_epoch=steps_per_epoch, max_epochs=max_epochs)
    rates = [lr]
    for epoch in range(max_epochs):
        if schedule.per_batch:
            for _ in range(steps_per_epoch):
                lr = schedule.batch_end(lr)
                rates.append(lr)
        monitor = 1.0 / (1 + epoch) if epoch < 2 else 0.5
        lr = schedule.epoch_end(lr, t=(epoch + 1) * 30, monitor=monitor)
        rates.append(lr)
    return rates


@pytest.mark.parametrize("cls", SCHEDULE_CASES)
def test_schedule_rates_are_finite_and_restart_with_start(cls):
    schedule = cls()
    rates = _drive(schedule)
    assert all(isinstance(lr, float) and np.isfinite(lr) and lr >= 0 for lr in rates)
    # start resets every counter: a second run, or a fresh copy, repeats it.
    assert _drive(schedule) == rates
    assert _drive(schedule.fresh()) == rates


def test_constant_schedule():
    schedule = Constant()
    assert schedule.start(0.1, steps_per_epoch=4, max_epochs=5) == 0.1
    assert schedule.epoch_end(0.1, t=1000) == 0.1
    assert schedule.epoch_end(0.1, t=2000, monitor=5.0) == 0.1
    lr, stop, _ = schedule.on_plateau(0.1)
    assert (lr, stop) == (0.1, True)


@pytest.mark.parametrize("power_t", [0.5, 0.25, 1.0])
def test_invscaling_schedule(power_t):
    schedule = InvScaling(power_t=power_t)
    assert schedule.start(0.2, steps_per_epoch=4, max_epochs=5) == 0.2
    for t in (0, 1, 99, 12345):
        expected = 0.2 / (t + 1) ** power_t
        assert schedule.epoch_end(0.7, t=t) == pytest.approx(expected, rel=1e-15)
    reference = SGDOptimizer([], 0.2, lr_schedule="invscaling", power_t=power_t)
    reference.iteration_ends(500)
    assert schedule.epoch_end(0.2, t=500) == pytest.approx(
        reference.learning_rate, rel=1e-15
    )


def test_adaptive_schedule():
    schedule = Adaptive()
    assert schedule.start(0.1, steps_per_epoch=4, max_epochs=5) == 0.1
    assert schedule.epoch_end(0.1, t=1000, monitor=1.0) == 0.1
    lr, stop, _ = schedule.on_plateau(0.1)
    assert (lr, stop) == (pytest.approx(0.02), False)
    # The lowered rate lasts: sklearn's iteration_ends leaves it alone.
    assert schedule.epoch_end(lr, t=2000, monitor=1.0) == lr
    assert schedule.on_plateau(1e-6)[:2] == (1e-6, True)
    assert schedule.on_plateau(2e-6)[1] is False

    # From 0.1, divided by 5 until <= 1e-6: ceil(log_5(1e5)) = 8 plateaus.
    lr, rates = 0.1, []
    while True:
        lr, stop, _ = schedule.on_plateau(lr)
        if stop:
            break
        rates.append(lr)
    assert_allclose(rates, 0.1 / 5.0 ** np.arange(1, 9))

    reference = SGDOptimizer([], 0.1, lr_schedule="adaptive")
    reference_rates = []
    while not reference.trigger_stopping("", verbose=False):
        reference_rates.append(reference.learning_rate)
    assert_allclose(rates, reference_rates, rtol=1e-15)


def test_settings_holding_components_are_not_remembered():
    # A nested component hashes by identity and every fit resolves a fresh
    # copy: remembering such settings would only grow the memo.
    from sknn import _component

    warmup = LinearWarmup(schedule=CosineAnnealing(T_max=5))
    resolve(warmup, SCHEDULES, "schedule")
    size = len(_component._VALID_SETTINGS)
    for _ in range(5):
        resolve(warmup, SCHEDULES, "schedule")
    assert len(_component._VALID_SETTINGS) == size
    with pytest.raises(ValueError, match="warmup_epochs"):
        resolve(LinearWarmup(warmup_epochs=-1), SCHEDULES, "schedule")
