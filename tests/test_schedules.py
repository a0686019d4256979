"""Learning-rate schedules: closed forms, torch.optim.lr_scheduler, estimators."""

import math
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning

from sknn import MLPClassifier, MLPRegressor
from sknn.schedules import (
    SCHEDULES,
    Adaptive,
    Constant,
    CosineAnnealing,
    CyclicLR,
    ExponentialDecay,
    InverseTimeDecay,
    InvScaling,
    LinearWarmup,
    OneCycle,
    ReduceOnPlateau,
    StepDecay,
)


def _rates(schedule, n, lr0=0.1, steps_per_epoch=1, max_epochs=None, monitors=None):
    """The rate of each of ``n`` epochs (or steps, for per-batch schedules)."""
    lr = schedule.start(
        lr0, steps_per_epoch=steps_per_epoch, max_epochs=max_epochs or n
    )
    rates = []
    for i in range(n):
        rates.append(lr)
        if schedule.per_batch:
            lr = schedule.batch_end(lr)
        else:
            monitor = None if monitors is None else monitors[i]
            lr = schedule.epoch_end(lr, t=0, monitor=monitor)
    return np.array(rates)


# -- closed forms ---------------------------------------------------------------


def test_step_decay():
    assert_allclose(
        _rates(StepDecay(step_size=3, gamma=0.1), 7, lr0=1.0),
        [1, 1, 1, 0.1, 0.1, 0.1, 0.01],
    )


def test_exponential_and_inverse_time():
    epochs = np.arange(6)
    assert_allclose(
        _rates(ExponentialDecay(decay_rate=0.3), 6), 0.1 * np.exp(-0.3 * epochs)
    )
    assert_allclose(
        _rates(InverseTimeDecay(decay_rate=0.5), 6), 0.1 / (1 + 0.5 * epochs)
    )


def test_cosine_stays_at_eta_min_after_t_max():
    rates = _rates(CosineAnnealing(T_max=4, eta_min=0.01), 7)
    expected = 0.01 + 0.09 * (1 + np.cos(np.pi * np.minimum(np.arange(7), 4) / 4)) / 2
    assert_allclose(rates, expected)
    assert_allclose(
        _rates(CosineAnnealing(), 5)[-1], 0.1 * (1 + np.cos(np.pi * 4 / 5)) / 2
    )


def test_cyclic_is_triangular():
    rates = _rates(CyclicLR(max_lr=0.5, step_size_up=2), 9)
    assert_allclose(rates, [0.1, 0.3, 0.5, 0.3, 0.1, 0.3, 0.5, 0.3, 0.1])
    assert _rates(CyclicLR(step_size_up=1), 2)[1] == pytest.approx(1.0)


def test_one_cycle_rises_then_falls_to_its_floor():
    rates = _rates(
        OneCycle(max_lr=1.0, pct_start=0.25), 40, steps_per_epoch=10, max_epochs=4
    )
    peak = int(np.argmax(rates))
    assert rates[peak] == pytest.approx(1.0)
    assert rates[0] == pytest.approx(1.0 / 25)
    assert rates[-1] == pytest.approx(1.0 / 25 / 1e4)
    assert np.all(np.diff(rates[: peak + 1]) > 0)
    assert np.all(np.diff(rates[peak:]) < 0)


def test_plateau_reduces_after_patience_down_to_the_floor():
    monitors = [1.0, 0.5] + [0.5] * 10
    rates = _rates(
        ReduceOnPlateau(factor=0.5, patience=2, min_lr=0.02), 12, monitors=monitors
    )
    # Improvements at epochs 0 and 1; bad epochs 2, 3, 4 -> reduced after 4.
    assert_allclose(rates[:5], 0.1)
    assert rates[5] == pytest.approx(0.05)
    assert rates.min() == pytest.approx(0.02)


def test_warmup_scales_the_wrapped_schedule():
    inner = StepDecay(step_size=2, gamma=0.5)
    rates = _rates(LinearWarmup(inner, warmup_epochs=4, start_factor=0.2), 6, lr0=1.0)
    factors = np.array([0.2, 0.4, 0.6, 0.8, 1.0, 1.0])
    assert_allclose(
        rates, factors * _rates(StepDecay(step_size=2, gamma=0.5), 6, lr0=1.0)
    )
    assert inner.get_params() == StepDecay(step_size=2, gamma=0.5).get_params()


def test_warmup_of_a_per_batch_schedule_steps_per_batch():
    schedule = LinearWarmup(
        CyclicLR(max_lr=0.5, step_size_up=2), warmup_epochs=1, start_factor=0.5
    )
    assert schedule.per_batch
    assert_allclose(_rates(schedule, 3), [0.05, 0.15, 0.25])


def test_sklearn_schedules():
    assert_allclose(_rates(Constant(), 3), 0.1)
    schedule = InvScaling(power_t=0.25)
    schedule.start(0.1, steps_per_epoch=1, max_epochs=1)
    assert schedule.epoch_end(0.1, t=80) == pytest.approx(0.1 / 81**0.25)
    assert Adaptive().on_plateau(1e-6)[1]
    assert not Adaptive().on_plateau(1e-3)[1]
    assert Constant().on_plateau(0.1)[1]


# -- torch.optim.lr_scheduler -------------------------------------------------------


def _torch_rates(torch, make, n, lr0=0.1, monitors=None):
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=lr0)
    scheduler = make(torch.optim.lr_scheduler, optimizer)
    rates = []
    for i in range(n):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        if monitors is None:
            scheduler.step()
        else:
            scheduler.step(monitors[i])
    return np.array(rates)


N = 30
TORCH_CASES = {
    "step": (StepDecay(5, 0.5), lambda L, o: L.StepLR(o, 5, 0.5)),
    "exponential": (
        ExponentialDecay(0.2),
        lambda L, o: L.ExponentialLR(o, math.exp(-0.2)),
    ),
    "inverse_time": (
        InverseTimeDecay(0.3),
        lambda L, o: L.LambdaLR(o, lambda e: 1 / (1 + 0.3 * e)),
    ),
    # Within T_max only: PyTorch's cosine goes back up after it, sknn's stays.
    "cosine": (
        CosineAnnealing(T_max=N, eta_min=0.001),
        lambda L, o: L.CosineAnnealingLR(o, N, 0.001),
    ),
    "cosine_restarts": (
        CosineAnnealing(T_max=5, warm_restarts=True, T_mult=2, eta_min=0.001),
        lambda L, o: L.CosineAnnealingWarmRestarts(o, 5, 2, 0.001),
    ),
    "cyclic": (
        CyclicLR(max_lr=0.5, step_size_up=4),
        lambda L, o: L.CyclicLR(o, 0.1, 0.5, step_size_up=4, cycle_momentum=False),
    ),
    "one_cycle": (
        OneCycle(max_lr=0.5),
        lambda L, o: L.OneCycleLR(o, max_lr=0.5, total_steps=N, cycle_momentum=False),
    ),
    "warmup": (
        LinearWarmup(CosineAnnealing(T_max=N), warmup_epochs=5, start_factor=0.2),
        lambda L, o: L.ChainedScheduler(
            [L.LinearLR(o, 0.2, 1.0, 5), L.CosineAnnealingLR(o, N)]
        ),
    ),
}


@pytest.mark.parametrize("name", sorted(TORCH_CASES))
def test_schedule_matches_torch(name):
    torch = pytest.importorskip("torch")
    schedule, make = TORCH_CASES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch's step-order notes
        theirs = _torch_rates(torch, make, N)
    assert_allclose(_rates(schedule, N), theirs, rtol=1e-6, atol=1e-12)


def test_plateau_matches_torch():
    torch = pytest.importorskip("torch")
    monitors = list(np.r_[np.linspace(1, 0.5, 5), np.full(25, 0.5)])
    theirs = _torch_rates(
        torch,
        lambda L, o: L.ReduceLROnPlateau(o, factor=0.5, patience=3, min_lr=0.01),
        N,
        monitors=monitors,
    )
    ours = _rates(
        ReduceOnPlateau(factor=0.5, patience=3, min_lr=0.01), N, monitors=monitors
    )
    assert_allclose(ours, theirs, rtol=1e-6)


def test_every_new_schedule_is_compared_with_torch():
    compared = {type(s) for s, _ in TORCH_CASES.values()} | {ReduceOnPlateau}
    sklearn_names = {"constant", "invscaling", "adaptive"}
    assert {cls for n, cls in SCHEDULES.items() if n not in sklearn_names} <= compared


# -- in the estimators ----------------------------------------------------------------


def _data(n=60):
    rng = np.random.RandomState(0)
    X = rng.randn(n, 4)
    return X, (X[:, 0] > 0).astype(int)


def _fit(**params):
    X, y = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return MLPClassifier((5,), random_state=0, **params).fit(X, y)


@pytest.mark.parametrize("name", sorted(set(SCHEDULES) - {"invscaling", "adaptive"}))
@pytest.mark.parametrize("solver", ["adam", "rmsprop", "sgd"])
def test_every_schedule_applies_to_every_stochastic_solver(name, solver):
    clf = _fit(
        solver=solver,
        learning_rate=name,
        learning_rate_init=0.01,
        max_iter=12,
        tol=0.0,
        n_iter_no_change=100,
        batch_size=20,
    )
    curve = np.array(clf.learning_rate_curve_)
    assert curve.shape == (clf.n_iter_,)
    schedule = SCHEDULES[name]()
    expected = _rates(schedule, 12 * 3, lr0=0.01, steps_per_epoch=3, max_epochs=12)
    if schedule.per_batch:
        expected = expected[::3]  # the rate at the start of each epoch
    elif name == "plateau":  # driven by the losses of this run
        expected = curve
    else:
        expected = expected[:12]
    assert_allclose(curve, expected)


@pytest.mark.parametrize("name", ["invscaling", "adaptive"])
def test_sklearn_names_apply_to_sgd_only_and_warn_otherwise(name):
    with pytest.warns(UserWarning, match="applies to the SGD solvers only"):
        clf = _fit(solver="adam", learning_rate=name, max_iter=5)
    assert_allclose(clf.learning_rate_curve_, 0.001)


@pytest.mark.parametrize("solver", ["sgd", "momentum", "nesterov"])
def test_sklearn_names_apply_to_the_sgd_family_without_warning(solver):
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        sgd = _fit(
            solver=solver,
            learning_rate="invscaling",
            max_iter=5,
            learning_rate_init=0.1,
        )
    assert sgd.learning_rate_curve_[1] == pytest.approx(0.1 / (60 + 1) ** 0.5)


def test_schedule_instance_applies_to_adam():
    clf = _fit(
        solver="adam",
        learning_rate=InvScaling(power_t=1.0),
        max_iter=3,
        learning_rate_init=0.1,
    )
    assert_allclose(clf.learning_rate_curve_, [0.1, 0.1 / 61, 0.1 / 121])


def test_adaptive_divides_by_five_on_plateaus():
    clf = _fit(
        solver="sgd",
        learning_rate="adaptive",
        learning_rate_init=0.5,
        max_iter=60,
        n_iter_no_change=2,
        tol=10.0,
    )
    rates = np.unique(np.round(clf.learning_rate_curve_, 12))[::-1]
    assert_allclose(rates, 0.5 / 5.0 ** np.arange(len(rates)))
    assert len(rates) > 2


def test_partial_fit_continues_the_schedule():
    X, y = _data()
    clf = MLPClassifier(
        (5,),
        learning_rate=StepDecay(step_size=1, gamma=0.5),
        learning_rate_init=0.1,
        batch_size=20,
        random_state=0,
    )
    for _ in range(3):
        clf.partial_fit(X, y, classes=[0, 1])
    assert_allclose(clf.learning_rate_curve_, [0.1, 0.05, 0.025])


def test_plateau_schedule_lowers_the_rate_of_a_stalled_run():
    X, y = _data()
    reg = MLPRegressor(
        hidden_layer_sizes=(5,),
        learning_rate=ReduceOnPlateau(factor=0.5, patience=0, threshold=0.5),
        learning_rate_init=0.01,
        max_iter=6,
        tol=0.0,
        n_iter_no_change=100,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(X, y.astype(float))
    assert reg.learning_rate_curve_[0] == 0.01
    assert reg.learning_rate_curve_[-1] < 0.01


# -- degenerate phases and parameter validation ------------------------------------


def test_one_cycle_one_step_rise_starts_at_the_peak():
    # pct_start * total_steps == 1 made PyTorch's formula divide by zero: the
    # rise ends at max_lr on its only step, and the fall goes on from there.
    for pct_start, n in [(0.1, 10), (0.25, 4), (0.5, 2), (1.0, 1)]:
        s = OneCycle(max_lr=1.0, pct_start=pct_start, final_div_factor=10.0)
        rates = _rates(s, n, lr0=1.0)
        assert rates[0] == 1.0
        assert np.all(np.diff(rates) < 0)
        if n > 1:
            assert math.isclose(rates[-1], 1.0 / 25.0 / 10.0)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 10])
@pytest.mark.parametrize("pct_start", [0.0, 0.1, 0.2, 0.25, 0.3, 0.5, 0.9, 1.0])
def test_one_cycle_is_defined_for_every_setting_and_matches_torch(n, pct_start):
    schedule = OneCycle(max_lr=0.5, pct_start=pct_start)
    ours = _rates(schedule, n)
    assert np.all(np.isfinite(ours))
    assert all(0.5 / 25e4 * (1 - 1e-12) <= r <= 0.5 for r in ours)
    torch = pytest.importorskip("torch")
    make = lambda L, o: L.OneCycleLR(  # noqa: E731
        o, max_lr=0.5, total_steps=n, pct_start=pct_start, cycle_momentum=False
    )
    # PyTorch divides by zero for a one-step rise, and for no fall at all
    # (pct_start=1) on its step past the end.
    if pct_start * n == 1 or pct_start == 1:
        if pct_start == 1:
            assert ours[-1] == 0.5
        with pytest.raises(ZeroDivisionError):
            _torch_rates(torch, make, n)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        assert_allclose(ours, _torch_rates(torch, make, n), rtol=1e-12)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("pct_start, max_iter", [(0.1, 10), (0.25, 4), (0.5, 2)])
def test_one_cycle_fits_with_a_one_step_rise(pct_start, max_iter):
    X, y = _data()
    clf = MLPClassifier(
        learning_rate=OneCycle(pct_start=pct_start), max_iter=max_iter, random_state=0
    ).fit(X, y)
    assert clf.n_iter_ == max_iter


INVALID_SCHEDULES = [
    (InvScaling(power_t=-0.5), "power_t"),
    (StepDecay(step_size=0), "step_size"),
    (StepDecay(step_size=2.5), "step_size"),
    (StepDecay(gamma=0.0), "gamma"),
    (ExponentialDecay(decay_rate=-0.1), "decay_rate"),
    (InverseTimeDecay(decay_rate=-1.0), "decay_rate"),
    (CosineAnnealing(T_max=0), "T_max"),
    (CosineAnnealing(eta_min=-0.1), "eta_min"),
    (CosineAnnealing(warm_restarts="yes"), "warm_restarts"),
    (CosineAnnealing(T_max=2, warm_restarts=True, T_mult=0), "T_mult"),
    (CosineAnnealing(T_max=2, warm_restarts=True, T_mult=0.5), "T_mult"),
    (CyclicLR(step_size_up=0), "step_size_up"),
    (CyclicLR(max_lr=-1.0), "max_lr"),
    (OneCycle(pct_start=1.5), "pct_start"),
    (OneCycle(pct_start=float("nan")), "pct_start"),
    (OneCycle(max_lr=0.0), "max_lr"),
    (OneCycle(div_factor=0.0), "div_factor"),
    (OneCycle(final_div_factor=-1.0), "final_div_factor"),
    (ReduceOnPlateau(factor=1.0), "factor"),
    (ReduceOnPlateau(patience=-1), "patience"),
    (ReduceOnPlateau(min_lr=-1.0), "min_lr"),
    (ReduceOnPlateau(threshold=-0.1), "threshold"),
    (LinearWarmup(warmup_epochs=-1), "warmup_epochs"),
    (LinearWarmup(start_factor=0.0), "start_factor"),
    (LinearWarmup(schedule="cosine"), "schedule"),
    (LinearWarmup(StepDecay(step_size=0)), "step_size"),
]


def _invalid_ids(cases):
    return [f"{type(s).__name__}-{p}-{i}" for i, (s, p) in enumerate(cases)]


@pytest.mark.parametrize(
    "schedule, param", INVALID_SCHEDULES, ids=_invalid_ids(INVALID_SCHEDULES)
)
def test_invalid_schedule_parameters_raise_when_fitting_starts(schedule, param):
    # Before: ZeroDivisionError, an endless loop (T_mult < 1) or silent nonsense.
    X, y = _data()
    clf = MLPClassifier(learning_rate=schedule, max_iter=3)
    with pytest.raises(ValueError, match=f"'{param}' parameter of"):
        clf.fit(X, y)
    with pytest.raises(ValueError, match=f"'{param}' parameter of"):
        schedule.start(0.1, steps_per_epoch=1, max_epochs=3)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "schedule",
    [
        InvScaling(power_t=0),
        StepDecay(step_size=1, gamma=2.0),
        ExponentialDecay(decay_rate=0),
        CosineAnnealing(T_max=1, eta_min=0, warm_restarts=True, T_mult=1),
        CyclicLR(step_size_up=1),
        OneCycle(pct_start=0.0),
        OneCycle(pct_start=1.0),
        ReduceOnPlateau(factor=0.0, patience=0, threshold=0),
        LinearWarmup(warmup_epochs=0, start_factor=1.0),
    ],
    ids=repr,
)
def test_schedule_parameters_at_their_bounds_are_accepted(schedule):
    X, y = _data()
    MLPClassifier(learning_rate=schedule, max_iter=3).fit(X, y)
