"""Optimizers: closed-form steps, PyTorch trajectories, decay, descent."""

import subprocess
import sys

import numpy as np
import pytest
from numpy.testing import assert_allclose

import sknn._kernels
from sknn import MLPClassifier
from sknn._kernels import kernels_apply
from sknn.optimizers import (
    LBFGS,
    SGD,
    SOLVERS,
    Adadelta,
    Adagrad,
    Adam,
    Adamax,
    AdamW,
    Momentum,
    Nadam,
    Nesterov,
    RMSprop,
)

STOCHASTIC = sorted(name for name, cls in SOLVERS.items() if cls.stochastic)


def _quadratic(n=40, seed=0):
    """A least-squares problem: its gradient at ``w`` and a starting point."""
    rng = np.random.RandomState(seed)
    A = rng.randn(n, n) / np.sqrt(n)
    b = rng.randn(n)
    return (lambda w: A.T @ (A @ w - b)), rng.randn(n)


def _run(optimizer, w0, grad, lr, n_steps, n_decayed=None):
    w = w0.copy()
    optimizer.build(w.size, w.dtype, n_decayed=n_decayed)
    for _ in range(n_steps):
        optimizer.step(w, grad(w), lr)
    return w


# -- closed-form first steps, from the papers' formulas -----------------------

G = np.array([0.5, -2.0, 0.0, 1e-3])
W0 = np.array([1.0, -1.0, 0.5, 2.0])


def _one_step(optimizer, lr=0.1):
    return _run(optimizer, W0, lambda w: G, lr, 1)


def test_sgd_plain_step():
    assert_allclose(_one_step(SGD(momentum=0.0, nesterov=False)), W0 - 0.1 * G)


@pytest.mark.parametrize("optimizer", [Momentum(momentum=0.8), Nesterov(momentum=0.8)])
def test_momentum_two_steps(optimizer):
    w = _run(optimizer, W0, lambda w: G, 0.1, 2)
    v1 = -0.1 * G
    v2 = 0.8 * v1 - 0.1 * G
    if optimizer.nesterov:  # the second step looks ahead: mu * v2 - lr * g
        expected = W0 + (0.8 * v1 - 0.1 * G) + (0.8 * v2 - 0.1 * G)
    else:
        expected = W0 + v1 + v2
    assert_allclose(w, expected)


def test_adagrad_first_step_is_sign_times_rate():
    # s = g**2, so the step is lr * g / (|g| + eps)
    expected = W0 - 0.1 * G / (np.abs(G) + 1e-10)
    assert_allclose(_one_step(Adagrad()), expected)


def test_adadelta_first_step():
    rho, eps = 0.9, 1e-6
    s = (1 - rho) * G**2
    delta = np.sqrt(eps) / np.sqrt(s + eps) * G
    assert_allclose(_one_step(Adadelta(rho=rho, epsilon=eps), lr=1.0), W0 - delta)


@pytest.mark.parametrize("centered", [False, True])
def test_rmsprop_first_step(centered):
    rho, eps = 0.9, 1e-8
    s = (1 - rho) * G**2
    if centered:
        s = s - ((1 - rho) * G) ** 2
    expected = W0 - 0.1 * G / (np.sqrt(s) + eps)
    assert_allclose(_one_step(RMSprop(rho=rho, centered=centered)), expected)


def test_adam_first_step_moves_each_weight_by_the_rate():
    # Bias correction makes the first step lr * g / (|g| + eps / sqrt(1 - b2)):
    # scikit-learn adds epsilon before correcting the second moment.
    w = _one_step(Adam(epsilon=1e-8))
    assert_allclose(W0 - w, 0.1 * G / (np.abs(G) + 1e-8 / np.sqrt(1 - 0.999)))
    assert_allclose(np.abs(W0 - w)[G != 0], 0.1, rtol=1e-3)


def test_amsgrad_uses_the_largest_second_moment():
    grads = iter([np.array([10.0]), np.array([0.1])])
    w_ams = _run(Adam(amsgrad=True), np.zeros(1), lambda w: next(grads), 0.1, 2)
    grads = iter([np.array([10.0]), np.array([0.1])])
    w_adam = _run(Adam(), np.zeros(1), lambda w: next(grads), 0.1, 2)
    # After a large gradient, AMSGrad's denominator stays large: a smaller step.
    assert abs(w_ams[0]) < abs(w_adam[0])


def test_adamax_first_step():
    expected = W0 - 0.1 * ((1 - 0.9) * G) / (np.abs(G) + 1e-8) / (1 - 0.9)
    assert_allclose(_one_step(Adamax()), expected)


def test_nadam_first_step():
    b1, b2, eps, psi = 0.9, 0.999, 1e-8, 0.004
    mu1 = b1 * (1 - 0.5 * 0.96 ** (1 * psi))
    mu2 = b1 * (1 - 0.5 * 0.96 ** (2 * psi))
    m = (1 - b1) * G
    denom = np.sqrt((1 - b2) * G**2 / (1 - b2)) + eps
    step = (
        0.1 * (1 - mu1) / (1 - mu1) * G / denom
        + 0.1 * mu2 / (1 - mu1 * mu2) * m / denom
    )
    assert_allclose(_one_step(Nadam()), W0 - step)


# -- decoupled weight decay -----------------------------------------------------


@pytest.mark.parametrize("name", STOCHASTIC)
def test_weight_decay_shrinks_only_the_leading_weights(name):
    optimizer = SOLVERS[name](weight_decay=0.5)
    w = _run(optimizer, W0, lambda w: np.zeros_like(w), 0.1, 1, n_decayed=2)
    assert_allclose(w[:2], W0[:2] * (1 - 0.1 * 0.5))
    assert_allclose(w[2:], W0[2:])


def test_adamw_default_decay_is_pytorchs():
    assert AdamW().weight_decay == 0.01
    assert all(SOLVERS[n]().weight_decay == 0.0 for n in STOCHASTIC if n != "adamw")


def test_estimator_decays_exactly_the_weights():
    X = np.random.RandomState(0).randn(30, 3)
    y = np.arange(30) % 2
    clf = MLPClassifier(
        (4, 3), solver=AdamW(weight_decay=50.0), max_iter=5, random_state=0
    )
    with pytest.warns(Warning):
        clf.fit(X, y)
    n_weights = sum(W.size for W in clf.coefs_)
    assert clf._optimizer.n_decayed_ == n_weights
    # The flat vector holds the weights first: its decayed head is exactly them.
    params = clf._network.params
    assert np.shares_memory(params[:n_weights], clf.coefs_[0])
    assert not np.shares_memory(params[:n_weights], clf.intercepts_[0])


# -- 50-step trajectories against torch.optim -----------------------------------

# sknn component, torch class name, torch keyword arguments, learning rate.
# 'sgd' and 'adam' keep scikit-learn's arithmetic: at a constant rate SGD's
# velocity form equals PyTorch's, and Adam equals PyTorch's when epsilon is 0
# (scikit-learn adds it before the bias correction, PyTorch after).
TORCH_CASES = [
    (SGD(momentum=0.0, nesterov=False), "SGD", {}, 0.1),
    (
        SGD(momentum=0.9, nesterov=True),
        "SGD",
        {"momentum": 0.9, "nesterov": True},
        0.05,
    ),
    (Momentum(momentum=0.9), "SGD", {"momentum": 0.9}, 0.05),
    (Nesterov(momentum=0.7), "SGD", {"momentum": 0.7, "nesterov": True}, 0.05),
    (Adagrad(), "Adagrad", {}, 0.1),
    (
        Adagrad(initial_accumulator_value=0.1),
        "Adagrad",
        {"initial_accumulator_value": 0.1},
        0.1,
    ),
    (Adadelta(), "Adadelta", {}, 1.0),
    (Adadelta(rho=0.5, epsilon=1e-4), "Adadelta", {"rho": 0.5, "eps": 1e-4}, 0.5),
    (RMSprop(), "RMSprop", {}, 0.01),
    (
        RMSprop(momentum=0.5, centered=True),
        "RMSprop",
        {"momentum": 0.5, "centered": True},
        0.01,
    ),
    # A tiny epsilon: scikit-learn's Adam adds it before the bias correction,
    # PyTorch's after, which at 1e-30 no longer shows.
    (Adam(epsilon=1e-30), "Adam", {"eps": 1e-30}, 0.01),
    (Adam(epsilon=1e-30, amsgrad=True), "Adam", {"eps": 1e-30, "amsgrad": True}, 0.01),
    (AdamW(), "AdamW", {}, 0.01),
    (
        AdamW(amsgrad=True, weight_decay=0.1),
        "AdamW",
        {"amsgrad": True, "weight_decay": 0.1},
        0.01,
    ),
    (Nadam(), "NAdam", {}, 0.01),
    (Adamax(), "Adamax", {}, 0.01),
]


def _torch_trajectory(torch, cls_name, kwargs, lr, w0, grad, n_steps, n_decayed):
    decay = kwargs.pop("weight_decay", None)
    head = torch.tensor(w0[:n_decayed].copy(), requires_grad=True)
    tail = torch.tensor(w0[n_decayed:].copy(), requires_grad=True)
    groups = [{"params": [head]}, {"params": [tail], "weight_decay": 0.0}]
    if decay is not None:
        groups[0]["weight_decay"] = decay
    optimizer = getattr(torch.optim, cls_name)(groups, lr=lr, **kwargs)
    for _ in range(n_steps):
        w = torch.cat([head.detach(), tail.detach()]).numpy()
        g = torch.from_numpy(grad(w))
        head.grad, tail.grad = g[:n_decayed].clone(), g[n_decayed:].clone()
        optimizer.step()
    return torch.cat([head.detach(), tail.detach()]).numpy()


@pytest.mark.parametrize(
    "optimizer, cls_name, kwargs, lr",
    TORCH_CASES,
    ids=[f"{c[1]}-{i}" for i, c in enumerate(TORCH_CASES)],
)
def test_trajectory_matches_torch(optimizer, cls_name, kwargs, lr, kernels):
    torch = pytest.importorskip("torch")
    grad, w0 = _quadratic()
    n_decayed = 25  # decayed weights first; PyTorch's second group is not decayed
    ours = _run(optimizer, w0, grad, lr, 50, n_decayed=n_decayed)
    theirs = _torch_trajectory(
        torch, cls_name, dict(kwargs), lr, w0, grad, 50, n_decayed
    )
    assert_allclose(ours, theirs, rtol=1e-6, atol=1e-12)


def test_every_optimizer_is_compared_with_torch():
    compared = {type(case[0]) for case in TORCH_CASES}
    assert {SOLVERS[name] for name in STOCHASTIC} <= compared


# -- each optimizer goes the right way --------------------------------------------

# AdaDelta's running averages start from epsilon, so its first steps are tiny:
# it needs a large multiplier to get going within a short run.
RATES = {
    "adadelta": 10.0,
    "adagrad": 0.05,
    "sgd": 0.05,
    "momentum": 0.05,
    "nesterov": 0.05,
    "rmsprop": 0.003,
}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("name", sorted(SOLVERS))
def test_every_solver_reaches_a_low_training_loss(name):
    rng = np.random.RandomState(0)
    X = rng.randn(120, 5)
    y = (X[:, 0] + X[:, 1] ** 2 > 1).astype(int)
    clf = MLPClassifier(
        (16,),
        solver=name,
        learning_rate_init=RATES.get(name, 0.01),
        max_iter=150,
        random_state=0,
        tol=0.0,
        n_iter_no_change=150,
    ).fit(X, y)
    assert clf.loss_ < 0.25 * clf.loss_curve_[0]
    assert clf.score(X, y) > 0.9


@pytest.mark.parametrize("batch_size, steps", [("full", 1), (1, 40), (16, 3)])
def test_batch_size_sets_steps_per_epoch(batch_size, steps):
    rng = np.random.RandomState(0)
    X, y = rng.randn(40, 3), np.arange(40) % 2
    clf = MLPClassifier(
        (4,),
        solver="sgd",
        momentum=0.0,
        batch_size=batch_size,
        max_iter=1,
        random_state=0,
    )
    with pytest.warns(Warning):  # one epoch never converges
        clf.fit(X, y)
    # The Adam-free SGD state counts one step per batch.
    assert clf._optimizer.t_ == steps


def test_optimizer_step_is_vectorized_over_the_flat_vector():
    # One call updates every parameter of the model, whatever its layers.
    clf = MLPClassifier((5, 4), solver=RMSprop(), max_iter=1, random_state=0)
    X, y = np.random.RandomState(0).randn(10, 3), np.arange(10) % 2
    with pytest.warns(Warning):
        clf.fit(X, y)
    n_params = sum(c.size for c in clf.coefs_) + sum(b.size for b in clf.intercepts_)
    assert clf._optimizer.square_avg_.shape == (n_params,)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("layout", ["contiguous", "strided", "mixed dtype", "empty"])
def test_axpy_adds_the_scaled_vector_in_place(dtype, layout):
    from sknn._blas import axpy

    rng = np.random.RandomState(0)
    x = rng.normal(size=20).astype(dtype)
    y = rng.normal(size=20).astype(dtype)
    if layout == "strided":
        x, y = x[::2], y[::2]
    elif layout == "mixed dtype":
        x = x.astype(np.float64 if dtype == np.float32 else np.float32)
    elif layout == "empty":
        x, y = x[:0], y[:0]
    expected = y + 0.25 * x.astype(y.dtype)
    buffer = y
    axpy(0.25, x, y)
    assert y is buffer and y.dtype == dtype
    rtol = 1e-6 if dtype == np.float32 else 1e-14
    np.testing.assert_allclose(y, expected, rtol=rtol)


# -- the compiled kernels -----------------------------------------------------------


KERNEL_CASES = [
    Adam(),
    Adam(amsgrad=True),
    AdamW(weight_decay=0.1),
    AdamW(weight_decay=0.1, amsgrad=True),
    SGD(),
    SGD(nesterov=False),
    Momentum(),
    Nesterov(),
    Adagrad(),
    Adadelta(),
    RMSprop(),
    RMSprop(momentum=0.9, centered=True),
    Nadam(weight_decay=0.1),
    Adamax(),
]


def test_every_optimizer_is_compared_with_its_kernel():
    compared = {type(optimizer) for optimizer in KERNEL_CASES}
    assert {SOLVERS[name] for name in STOCHASTIC} <= compared


# atol, in units of the array's largest entries: entries near zero (m after
# sign changes, weights crossing zero) differ by the roundings their larger
# neighbours accumulate over 20 steps.
@pytest.mark.parametrize(
    "dtype, rtol, atol", [(np.float32, 2e-6, 5e-7), (np.float64, 1e-13, 1e-15)]
)
@pytest.mark.parametrize("l2", [0.0, 0.3], ids=["no L2", "L2"])
@pytest.mark.parametrize("optimizer", KERNEL_CASES, ids=repr)
def test_kernel_follows_the_numpy_update(
    optimizer, l2, dtype, rtol, atol, kernel_then_numpy
):
    rng = np.random.RandomState(0)
    w0 = rng.normal(size=1000).astype(dtype)
    grads = [rng.normal(size=1000).astype(dtype) for _ in range(20)]
    assert kernels_apply(w0, *grads[:3])

    def run():
        # The penalties (L2 term, weight decay) cover the leading 700 entries:
        # the kernel then runs on both parts.
        w = w0.copy()
        optimizer.build(w.size, dtype, n_decayed=700)
        for g in grads:
            optimizer.step(w, g.copy(), lr=0.01, l2=l2)
        state = [v for k, v in sorted(vars(optimizer).items()) if k.endswith("_")]
        return [w] + [a.copy() for a in state if isinstance(a, np.ndarray)]

    compiled, numpy = kernel_then_numpy(run)
    assert len(compiled) >= 2  # the parameters and at least one state vector
    for ours, theirs in zip(compiled, numpy, strict=True):
        assert ours.dtype == dtype
        scale = max(1.0, float(np.abs(theirs).max()))
        assert_allclose(ours, theirs, rtol=rtol, atol=atol * scale)
    assert not np.array_equal(compiled[0], w0)


@pytest.mark.parametrize(
    "arrays",
    [
        [np.zeros(4), np.zeros(4, dtype=np.float32)],
        [np.zeros(8)[::2], np.zeros(4)],
        [np.zeros((2, 3)).T, np.zeros((3, 2))],
        [np.zeros(4), np.broadcast_to(np.zeros(1), (4,))],
        [np.zeros(4, dtype=np.int64), np.zeros(4, dtype=np.int64)],
    ],
    ids=["mixed dtype", "strided", "F-ordered", "read-only", "integer"],
)
def test_kernels_do_not_apply_to_other_layouts(arrays):
    assert not kernels_apply(*arrays)


class CountingMomentsAdam(Adam):
    """Adam whose moment update counts its calls."""

    def _moments(self, grads):
        self.n_moments_ = getattr(self, "n_moments_", 0) + 1
        return super()._moments(grads)


def test_adam_kernel_never_bypasses_an_overridden_moment_update():
    optimizer = CountingMomentsAdam()
    w = np.ones(5)
    optimizer.build(w.size, w.dtype)
    optimizer.step(w, np.full(5, 0.5), lr=0.1)
    assert optimizer.n_moments_ == 1
    assert_allclose(w, 0.9)  # and the step is Adam's: the first one moves by lr


# -- the L2 term's gradient, added by the step --------------------------------------


class OwnUpdateAdam(Adam):
    """Adam whose update is its own (here, Adam's, called through super)."""

    def _update(self, params, grads, lr):
        super()._update(params, grads, lr)


class OwnUpdateSGD(SGD):
    """Plain SGD written from scratch, as a user would."""

    def _update(self, params, grads, lr):
        params -= lr * grads


@pytest.mark.parametrize(
    "make",
    [*(SOLVERS[name] for name in STOCHASTIC), OwnUpdateAdam, OwnUpdateSGD],
    ids=[*STOCHASTIC, "own _update (Adam)", "own _update (SGD)"],
)
@pytest.mark.parametrize("numba", [True, False], ids=["kernels", "numpy"])
@pytest.mark.parametrize("n_decayed", [30, 50], ids=["head", "all"])
def test_l2_in_the_step_is_the_l2_gradient_added_beforehand(
    make, numba, n_decayed, monkeypatch
):
    """``step(w, g, lr, l2=c)`` equals ``step(w, g + c * w, lr)`` on the
    decayed head, whichever path runs and whatever the subclass overrides."""
    if numba:
        pytest.importorskip("numba")
    else:
        monkeypatch.setattr(sknn._kernels, "numba_available", False)
    rng = np.random.RandomState(0)
    w0 = rng.normal(size=50)
    grads = [rng.normal(size=50) for _ in range(5)]
    l2 = 0.7

    def run(fold):
        optimizer = make(weight_decay=0.2) if make is not OwnUpdateAdam else make()
        optimizer.build(w0.size, w0.dtype, n_decayed=n_decayed)
        w = w0.copy()
        for g in grads:
            g = g.copy()
            if fold:
                optimizer.step(w, g, lr=0.05, l2=l2)
            else:
                g[:n_decayed] += l2 * w[:n_decayed]
                optimizer.step(w, g, lr=0.05)
        return w

    folded, beforehand = run(True), run(False)
    assert_allclose(folded, beforehand, rtol=1e-12, atol=1e-15)
    assert not np.allclose(folded[:n_decayed], _without_l2(make, w0, grads, n_decayed))


def _without_l2(make, w0, grads, n_decayed):
    optimizer = make(weight_decay=0.2) if make is not OwnUpdateAdam else make()
    optimizer.build(w0.size, w0.dtype, n_decayed=n_decayed)
    w = w0.copy()
    for g in grads:
        optimizer.step(w, g.copy(), lr=0.05)
    return w[:n_decayed]


def test_penalties_reach_the_kernel_only_through_kept_methods():
    from sknn.optimizers import _penalties_reach_kernel

    assert _penalties_reach_kernel(Adam) and _penalties_reach_kernel(AdamW)
    assert _penalties_reach_kernel(Nesterov)  # SGD's update, inherited
    assert not _penalties_reach_kernel(OwnUpdateAdam)
    assert not _penalties_reach_kernel(OwnUpdateSGD)


@pytest.mark.parametrize("optimizer", KERNEL_CASES, ids=repr)
def test_scratch_vectors_are_allocated_only_by_the_numpy_updates(
    optimizer, monkeypatch
):
    pytest.importorskip("numba")
    w = np.ones(10)
    optimizer.build(w.size, w.dtype, n_decayed=6)
    for _ in range(2):
        optimizer.step(w, np.full(10, 0.5), lr=0.1, l2=0.1)
    assert optimizer._scratches == {}
    monkeypatch.setattr(sknn._kernels, "numba_available", False)
    optimizer.step(w, np.full(10, 0.5), lr=0.1, l2=0.1)
    assert bool(optimizer._scratches) == (not isinstance(optimizer, SGD))
    for scratch in optimizer._scratches.values():
        assert scratch.shape == w.shape and scratch.dtype == w.dtype


def test_kernels_do_not_apply_without_numba(monkeypatch):
    monkeypatch.setattr(sknn._kernels, "numba_available", False)
    assert not kernels_apply(np.zeros(4), np.zeros(4))


@pytest.mark.parametrize("solver", ["adam", "sgd"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_estimator_trains_alike_with_and_without_kernels(dtype, solver, monkeypatch):
    pytest.importorskip("numba")
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(120, 6)).astype(dtype), rng.randint(0, 3, 120)

    def fit():
        clf = MLPClassifier(
            (8,), solver=solver, max_iter=5, batch_size=32, random_state=0
        )
        with pytest.warns(Warning):  # ConvergenceWarning after 5 epochs
            return clf.fit(X, y)

    compiled = fit()
    monkeypatch.setattr(sknn._kernels, "numba_available", False)
    numpy = fit()
    rtol = 1e-4 if dtype == np.float32 else 1e-10
    assert_allclose(compiled.loss_curve_, numpy.loss_curve_, rtol=rtol)
    for ours, theirs in zip(compiled.coefs_, numpy.coefs_, strict=True):
        assert_allclose(ours, theirs, rtol=rtol, atol=rtol * 1e-2)


def test_importing_sknn_does_not_import_numba():
    # numba takes ~0.5 s to import: the kernels load it on their first step.
    code = "import sys, sknn; sys.exit('numba' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


# -- hyper-parameter validation ----------------------------------------------------


def _classification():
    X = np.random.RandomState(0).randn(30, 3)
    return X, (X[:, 0] > 0).astype(int)


INVALID_OPTIMIZERS = [
    (SGD(momentum=-1), "momentum"),
    (SGD(momentum=1.5), "momentum"),
    (SGD(nesterov="yes"), "nesterov"),
    (SGD(weight_decay=-0.1), "weight_decay"),
    (Momentum(momentum=-0.5), "momentum"),
    (Nesterov(momentum=2.0), "momentum"),
    (Adagrad(epsilon=-1e-10), "epsilon"),
    (Adagrad(initial_accumulator_value=-1.0), "initial_accumulator_value"),
    (Adadelta(rho=1.5), "rho"),
    (Adadelta(epsilon=-1.0), "epsilon"),
    (RMSprop(rho=-0.1), "rho"),
    (RMSprop(rho=1.0), "rho"),
    (RMSprop(momentum=2.0), "momentum"),
    (RMSprop(centered=None), "centered"),
    (Adam(beta_1=-0.1), "beta_1"),
    (Adam(beta_2=1.0), "beta_2"),
    (Adam(beta_1=float("nan")), "beta_1"),
    (Adam(epsilon=-1e-8), "epsilon"),
    (Adam(epsilon=0.0), "epsilon"),
    (Adam(weight_decay=-1), "weight_decay"),
    (Adam(amsgrad="no"), "amsgrad"),
    (AdamW(beta_2=1.5), "beta_2"),
    (AdamW(weight_decay=-0.01), "weight_decay"),
    (Nadam(beta_1=1.0), "beta_1"),
    (Nadam(momentum_decay=-0.004), "momentum_decay"),
    (Adamax(beta_2=1.0), "beta_2"),
    (LBFGS(max_fun=0), "max_fun"),
    (LBFGS(max_fun=2.5), "max_fun"),
]


@pytest.mark.parametrize(
    "optimizer, param",
    INVALID_OPTIMIZERS,
    ids=[f"{type(o).__name__}-{p}-{i}" for i, (o, p) in enumerate(INVALID_OPTIMIZERS)],
)
def test_invalid_hyper_parameters_raise_when_fitting_starts(optimizer, param):
    # Before, these trained silently (beta_2=1 never updates v, a negative decay
    # grows the weights, ...).
    X, y = _classification()
    name = type(optimizer).__name__
    with pytest.raises(ValueError, match=f"'{param}' parameter of {name}"):
        MLPClassifier(solver=optimizer, max_iter=2).fit(X, y)
    if optimizer.stochastic:
        with pytest.raises(ValueError, match=f"'{param}' parameter of {name}"):
            optimizer.build(3, np.float64)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "optimizer",
    [
        SGD(momentum=0.0, nesterov=True),
        SGD(momentum=1.0, nesterov=False),
        Adagrad(epsilon=1e-300, initial_accumulator_value=0.0),
        Adadelta(rho=0.0),
        RMSprop(rho=0.0, momentum=1.0, epsilon=1e-3),
        Adam(beta_1=0.0, beta_2=0.0),
        AdamW(weight_decay=0.0),
        Nadam(momentum_decay=0.0),
        LBFGS(max_fun=1),
    ],
    ids=repr,
)
def test_hyper_parameters_at_their_bounds_are_accepted(optimizer):
    X, y = _classification()
    MLPClassifier(solver=optimizer, max_iter=2).fit(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("name", sorted(SOLVERS))
def test_flat_parameters_scikit_learn_accepts_reach_every_named_solver(name):
    # The estimators pass these into the named solvers: every value
    # scikit-learn's MLP accepts must pass the solvers' own checks too.
    X, y = _classification()
    for flat in [
        {"momentum": 0.0, "beta_1": 0.0, "beta_2": 0.0, "epsilon": 1e-300},
        {"momentum": 1.0, "nesterovs_momentum": False, "max_fun": 1},
    ]:
        MLPClassifier(solver=name, max_iter=1, **flat).fit(X, y)


@pytest.mark.parametrize(
    "flat", [{"beta_2": 1.0}, {"momentum": -1}, {"epsilon": 0.0}, {"max_fun": 0}]
)
def test_invalid_flat_parameters_raise_scikit_learns_error(flat):
    X, y = _classification()
    (param,) = flat
    with pytest.raises(ValueError, match=f"'{param}' parameter of MLPClassifier"):
        MLPClassifier(solver="adam", max_iter=1, **flat).fit(X, y)


def test_remembered_valid_settings_do_not_admit_equal_values_of_other_types():
    # Valid settings are remembered; 1 == True must not pass for a boolean.
    Adam(amsgrad=True).fresh()._validate_params()
    with pytest.raises(ValueError, match="'amsgrad' parameter of Adam"):
        Adam(amsgrad=1)._validate_params()
    Adam(amsgrad=True)._validate_params()  # still valid, remembered
