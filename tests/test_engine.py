"""Tests for sknn.engine on its own: the Network and the training loops.

Gradient checks run over every registered activation and loss, so a new
component is checked inside a whole network the moment it is registered.
"""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal

from sknn import engine
from sknn._observers import History
from sknn.activations import ACTIVATIONS, Tanh
from sknn.engine import (
    FitOutcome,
    FitSettings,
    Network,
    TrainingDiverged,
    TrainingState,
    fit_lbfgs,
    fit_stochastic,
)
from sknn.initializers import GlorotUniform
from sknn.losses import LOSSES, BinaryLogLoss, LogLoss, PoissonLoss, SquaredError
from sknn.optimizers import SGD, Adam
from sknn.schedules import Adaptive, Constant, InvScaling, Schedule


def _targets(loss, n_samples, n_outputs, rng):
    """Encoded targets in the domain of each loss."""
    cls = type(loss)
    if cls is LogLoss:
        return np.eye(n_outputs)[rng.randint(n_outputs, size=n_samples)]
    if cls is BinaryLogLoss:
        return rng.randint(2, size=(n_samples, n_outputs)).astype(float)
    if cls is SquaredError:
        return rng.normal(size=(n_samples, n_outputs))
    if cls is PoissonLoss:
        return rng.poisson(1.5, size=(n_samples, n_outputs)).astype(float)
    pytest.fail(f"add valid targets for {cls.__name__} to _targets")


def _network(
    n_features=4,
    hidden=(5, 3),
    n_outputs=2,
    activation=None,
    loss=None,
    seed=0,
):
    activation = Tanh() if activation is None else activation
    loss = SquaredError() if loss is None else loss
    net = Network(
        n_features, hidden, n_outputs, [activation] * len(hidden), loss, np.float64
    )
    net.initialize(np.random.RandomState(seed), GlorotUniform(), GlorotUniform())
    return net


def _problem(net, n_samples=8, seed=1):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, net.dense_layers[0].n_in))
    Y = _targets(net.loss, n_samples, net.dense_layers[-1].n_units, rng)
    sample_weight = rng.uniform(0.2, 2.0, size=n_samples)
    return X, Y, sample_weight


def _penalty(net, alpha, sample_weight, n_samples):
    sw_sum = n_samples if sample_weight is None else sample_weight.sum()
    return 0.5 * alpha * sum(np.sum(W**2) for W in net.coefs) / sw_sum


# ---------------------------------------------------------------------------
# Network layout


def test_params_hold_all_weights_then_all_biases():
    net = _network(n_features=4, hidden=(5, 3), n_outputs=2)
    assert net.n_weights == 4 * 5 + 5 * 3 + 3 * 2
    assert net.params.size == net.n_weights + 5 + 3 + 2
    assert [W.shape for W in net.coefs] == [(4, 5), (5, 3), (3, 2)]
    assert [b.shape for b in net.intercepts] == [(5,), (3,), (2,)]
    assert_array_equal(
        net.params[: net.n_weights], np.concatenate([W.ravel() for W in net.coefs])
    )
    assert_array_equal(
        net.params[net.n_weights :], np.concatenate([b for b in net.intercepts])
    )


def test_coefs_and_intercepts_are_views_into_params():
    net = _network()
    net.params[...] = np.arange(net.params.size)
    assert net.coefs[0][0, 0] == 0
    assert net.coefs[0][0, 1] == 1
    assert net.intercepts[0][0] == net.n_weights
    assert net.intercepts[-1][-1] == net.params.size - 1
    net.coefs[1][...] = -1.0
    assert np.count_nonzero(net.params == -1.0) == net.coefs[1].size


def test_initialize_draws_weights_then_biases_per_layer():
    net = _network(n_features=4, hidden=(5,), n_outputs=2, seed=3)
    rng = np.random.RandomState(3)
    for fan_in, fan_out, W, b in zip(
        (4, 5), (5, 2), net.coefs, net.intercepts, strict=True
    ):
        bound = np.sqrt(6.0 / (fan_in + fan_out))
        assert_array_equal(W, rng.uniform(-bound, bound, (fan_in, fan_out)))
        assert_array_equal(b, rng.uniform(-bound, bound, fan_out))


def test_set_coefs_copies():
    net = _network(hidden=(5,))
    rng = np.random.RandomState(0)
    coefs = [rng.normal(size=W.shape) for W in net.coefs]
    intercepts = [rng.normal(size=b.shape) for b in net.intercepts]
    expected = np.concatenate([W.ravel() for W in coefs] + intercepts)
    net.set_coefs(coefs, intercepts)
    assert_array_equal(net.params, expected)
    coefs[0][...] = 0.0
    intercepts[0][...] = 0.0
    assert_array_equal(net.params, expected)
    assert all(np.shares_memory(W, net.params) for W in net.coefs)


def test_set_coefs_rejects_wrong_lengths():
    net = _network(hidden=(5,))
    with pytest.raises(ValueError, match="Expected 2"):
        net.set_coefs(net.coefs[:1], net.intercepts[:1])
    with pytest.raises(ValueError, match="Expected 2"):
        net.set_coefs(net.coefs, net.intercepts[:1])


def test_set_coefs_rejects_wrong_shapes():
    # A broadcastable shape must not be spread silently over the weights.
    net = _network(n_features=4, hidden=(5,), n_outputs=2)
    before = net.params.copy()
    coefs = [np.ones((1, 5)), np.ones((5, 2))]
    with pytest.raises(ValueError):
        net.set_coefs(coefs, [np.ones(5), np.ones(2)])
    with pytest.raises(ValueError):
        net.set_coefs([np.ones((4, 5)), np.ones((5, 2))], [np.ones(1), np.ones(2)])
    assert_array_equal(net.params, before)


# ---------------------------------------------------------------------------
# loss_and_gradient


def _objective(net, X, Y, sample_weight, alpha):
    """The function whose gradient the engine returns, computed on the
    inference path: scale * loss + penalty."""
    loss = net.loss
    scale = loss.objective_scale(Y.shape[1])
    value = loss.value(Y, net.predict(X), sample_weight)
    return scale * value + _penalty(net, alpha, sample_weight, X.shape[0])


def _numerical_gradient(net, f, eps=1e-6):
    params = net.params
    grad = np.empty_like(params)
    for i in range(params.size):
        old = params[i]
        params[i] = old + eps
        plus = f()
        params[i] = old - eps
        minus = f()
        params[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad


GRADIENT_GRID = [
    pytest.param(act_cls, loss_cls, id=f"{act_name}-{loss_name}")
    for act_name, act_cls in ACTIVATIONS.items()
    for loss_name, loss_cls in LOSSES.items()
]


@pytest.mark.parametrize("act_cls, loss_cls", GRADIENT_GRID)
@pytest.mark.parametrize("hidden", [(), (5, 3)], ids=["no_hidden", "two_hidden"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_gradient_matches_finite_differences(act_cls, loss_cls, hidden, weighted):
    n_outputs = 3 if loss_cls is LogLoss else 2
    net = _network(
        hidden=hidden, n_outputs=n_outputs, activation=act_cls(), loss=loss_cls()
    )
    X, Y, sample_weight = _problem(net)
    if not weighted:
        sample_weight = None
    alpha = 0.3

    net.loss_and_gradient(X, Y, sample_weight, alpha)
    gradient = net.grads.copy()
    numerical = _numerical_gradient(
        net, lambda: _objective(net, X, Y, sample_weight, alpha)
    )
    assert_allclose(gradient, numerical, rtol=1e-6, atol=1e-8)

    # Sparse input takes another path through the first layer.
    loss = net.loss_and_gradient(X, Y, sample_weight, alpha)
    sparse_loss = net.loss_and_gradient(sp.csr_matrix(X), Y, sample_weight, alpha)
    assert sparse_loss == pytest.approx(loss, rel=1e-12)
    assert_allclose(net.grads, gradient, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("loss_cls", [pytest.param(c, id=n) for n, c in LOSSES.items()])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("alpha", [0.0, 0.3])
def test_returned_loss_is_value_plus_penalty(loss_cls, weighted, alpha):
    net = _network(n_outputs=3, loss=loss_cls())
    X, Y, sample_weight = _problem(net)
    if not weighted:
        sample_weight = None
    expected = net.loss.value(Y, net.predict(X), sample_weight) + _penalty(
        net, alpha, sample_weight, X.shape[0]
    )
    assert net.loss_and_gradient(X, Y, sample_weight, alpha) == pytest.approx(
        expected, rel=1e-12
    )


# ---------------------------------------------------------------------------
# Buffers and pickling


@pytest.mark.parametrize("act_name", ACTIVATIONS)
@pytest.mark.parametrize("sizes", [(8, 5), (5, 8), (8, 5, 8, 3)])
def test_buffer_reuse_across_batch_sizes(act_name, sizes):
    net = _network(activation=ACTIVATIONS[act_name](), loss=SquaredError())
    X, Y, sw = _problem(net, n_samples=sum(sizes), seed=4)
    start = 0
    for size in sizes:
        rows = slice(start, start + size)
        start += size
        loss = net.loss_and_gradient(X[rows], Y[rows], sw[rows], 0.1)
        fresh = _network(activation=ACTIVATIONS[act_name](), loss=SquaredError())
        expected = fresh.loss_and_gradient(X[rows], Y[rows], sw[rows], 0.1)
        assert loss == pytest.approx(expected, rel=1e-12)
        assert_allclose(net.grads, fresh.grads, rtol=1e-12, atol=1e-15)


def test_release_then_predict_and_train():
    net = _network()
    X, Y, _ = _problem(net)
    loss = net.loss_and_gradient(X, Y)
    grads = net.grads.copy()
    predictions = net.predict(X)
    net.release()
    assert_allclose(net.predict(X), predictions, rtol=1e-14)
    assert net.loss_and_gradient(X, Y) == pytest.approx(loss, rel=1e-14)
    assert_allclose(net.grads, grads, rtol=1e-14)


def test_pickle_round_trip_rebinds_views():
    net = _network(loss=LogLoss(), n_outputs=3)
    X, Y, _ = _problem(net)
    loss = net.loss_and_gradient(X, Y, alpha=0.1)  # buffers are allocated
    grads = net.grads.copy()

    restored = pickle.loads(pickle.dumps(net))
    assert_array_equal(restored.params, net.params)
    assert_array_equal(restored.predict(X), net.predict(X))
    restored.params[...] = np.arange(restored.params.size)
    assert restored.coefs[0][0, 1] == 1
    assert restored.intercepts[-1][-1] == restored.params.size - 1
    assert not np.shares_memory(restored.params, net.params)

    restored = pickle.loads(pickle.dumps(net))
    assert restored.loss_and_gradient(X, Y, alpha=0.1) == pytest.approx(loss, rel=1e-14)
    assert_allclose(restored.grads, grads, rtol=1e-14)


# ---------------------------------------------------------------------------
# fit_stochastic


class _ProbeSGD(SGD):
    """SGD that records the learning rate of each step and can raise
    KeyboardInterrupt on a given call, as Ctrl-C would."""

    def __init__(self, momentum=0.0, nesterov=False, interrupt_at=0):
        super().__init__(momentum=momentum, nesterov=nesterov)
        self.interrupt_at = interrupt_at

    def build(self, *args, **kwargs):
        super().build(*args, **kwargs)
        self.rates_ = []

    def step(self, params, grads, lr):
        if len(self.rates_) + 1 == self.interrupt_at:
            raise KeyboardInterrupt
        self.rates_.append(lr)
        super().step(params, grads, lr)


class _JumpSchedule(Constant):
    """A constant rate, multiplied by ``factor`` from epoch ``at + 1`` on."""

    def __init__(self, at=2, factor=1e200):
        self.at = at
        self.factor = factor

    def epoch_end(self, lr, *, t, monitor=None):
        lr = super().epoch_end(lr, t=t, monitor=monitor)
        return lr * self.factor if self.epoch_ >= self.at else lr


class _ProbeSchedule(Schedule):
    """Records the monitored values; per batch, it halves the rate."""

    def __init__(self, per_batch=False):
        self.per_batch = per_batch

    def start(self, lr0, **kwargs):
        self.monitors_ = []
        return super().start(lr0, **kwargs)

    def epoch_end(self, lr, *, t, monitor=None):
        self.monitors_.append(monitor)
        return lr

    def batch_end(self, lr):
        return lr / 2


class _ScriptedScore:
    """Validation that returns a given sequence of scores (and no loss) and
    keeps a snapshot of the parameters it was asked to score."""

    def __init__(self, net, scores):
        self.net = net
        self.scores = list(scores)
        self.snapshots = []

    def __call__(self):
        self.snapshots.append(self.net.params.copy())
        return self.scores[len(self.snapshots) - 1], None


def _regression(n_samples=20, n_features=3, scale=1.0, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, n_features))
    Y = scale * rng.normal(size=(n_samples, 1))
    return X, Y


def _linear_net(seed=0):
    return _network(n_features=3, hidden=(), n_outputs=1, seed=seed)


def _fit(
    net,
    X,
    Y,
    optimizer=None,
    early_stopping=False,
    state=None,
    history=None,
    *,
    sample_weight=None,
    schedule=None,
    rng=None,
    validation=None,
    **settings,
):
    """One call of fit_stochastic; ``history``, if given, records its curves."""
    optimizer = _ProbeSGD() if optimizer is None else optimizer
    optimizer.build(net.params.size, net.dtype)
    if state is None:
        state = TrainingState.start(net, early_stopping)
    options = dict(
        learning_rate_init=0.01,
        alpha=0.0,
        batch_size=10,
        max_iter=3,
        shuffle=False,
        tol=1e-4,
        n_iter_no_change=10,
    )
    options.update(settings)
    outcome = fit_stochastic(
        net,
        X,
        Y,
        sample_weight,
        settings=FitSettings(early_stopping=early_stopping, **options),
        optimizer=optimizer,
        schedule=Constant() if schedule is None else schedule,
        state=state,
        rng=np.random.RandomState(0) if rng is None else rng,
        validation=validation,
        observers=() if history is None else (history,),
    )
    return outcome, state, optimizer


def test_fit_stochastic_reduces_loss_on_separable_problem():
    history = History()
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 2))
    X = X[np.abs(X.sum(axis=1)) > 0.5]
    Y = (X.sum(axis=1, keepdims=True) > 0).astype(float)
    net = _network(n_features=2, hidden=(4,), n_outputs=1, loss=BinaryLogLoss())
    initial = net.loss.value(Y, net.predict(X))

    outcome, state, _ = _fit(
        net,
        X,
        Y,
        optimizer=Adam(),
        learning_rate_init=0.05,
        max_iter=60,
        shuffle=True,
        batch_size=16,
        history=history,
    )
    final = net.loss.value(Y, net.predict(X))
    assert outcome.reason in ("max_iter", "converged")
    assert final < 0.3 * initial
    assert history.loss_curve[-1] < 0.3 * history.loss_curve[0]
    assert np.mean((net.predict(X) > 0.5) == Y) == 1.0


def test_training_state_bookkeeping():
    history = History()
    X, Y = _regression()
    net = _linear_net()
    schedule = Constant()
    outcome, state, optimizer = _fit(
        net, X, Y, schedule=schedule, max_iter=3, batch_size=7, history=history
    )
    assert outcome == FitOutcome("max_iter")
    assert state.n_iter == 3
    assert state.t == 3 * 20
    assert len(history.loss_curve) == 3
    assert state.loss == history.loss_curve[-1]
    assert state.best_loss == min(history.loss_curve)
    assert history.learning_rate_curve == [0.01] * 3
    assert len(optimizer.rates_) == 3 * 3  # batches of 7, 7 and 6 rows

    # One more epoch on the same state, as partial_fit does.
    params = net.params.copy()
    outcome, state, optimizer = _fit(
        net, X, Y, schedule=schedule, state=state, incremental=True, history=history
    )
    assert outcome.reason == "epoch"
    assert state.n_iter == 1  # counted per call, as in scikit-learn
    assert state.t == 4 * 20
    assert len(history.loss_curve) == 4
    assert len(optimizer.rates_) == 2
    assert not np.array_equal(net.params, params)


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("sparse", [False, True])
def test_epoch_loss_is_mean_over_rows(shuffle, sparse):
    history = History()
    # At a zero learning rate every batch sees the same parameters, so the
    # epoch loss is the full-batch loss, whatever the batches (7, 7, 6 rows).
    X, Y = _regression()
    net = _network(n_features=3, hidden=(4,), n_outputs=1)
    expected = net.loss.value(Y, net.predict(X))
    Xin = sp.csr_matrix(X) if sparse else X
    _, state, _ = _fit(
        net,
        Xin,
        Y,
        learning_rate_init=0.0,
        batch_size=7,
        max_iter=2,
        shuffle=shuffle,
        history=history,
    )
    assert_allclose(history.loss_curve, [expected, expected], rtol=1e-12)


def test_sparse_training_matches_dense():
    X, Y = _regression()
    nets = [_network(n_features=3, hidden=(4,), n_outputs=1) for _ in range(2)]
    for net, Xin in zip(nets, (X, sp.csr_matrix(X)), strict=True):
        _fit(net, Xin, Y, shuffle=True, batch_size=6, max_iter=3, alpha=0.01)
    assert_allclose(nets[1].params, nets[0].params, rtol=1e-10)


def test_boolean_targets_train_like_float_ones():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 3))
    Y = np.eye(3, dtype=bool)[rng.randint(3, size=30)]
    params = []
    for targets in (Y, Y.astype(np.float64)):
        net = _network(n_features=3, hidden=(4,), n_outputs=3, loss=LogLoss())
        _fit(net, X, targets, batch_size=8, max_iter=2, shuffle=True)
        params.append(net.params.copy())
    assert_array_equal(params[0], params[1])


def test_zero_weight_batch_is_skipped():
    history = History()
    X, Y = _regression()
    sample_weight = np.r_[np.zeros(10), np.ones(10)]
    net = _linear_net()
    _, state, optimizer = _fit(
        net,
        X,
        Y,
        sample_weight=sample_weight,
        batch_size=10,
        max_iter=2,
        history=history,
    )
    assert len(optimizer.rates_) == 2  # one step per epoch
    assert np.all(np.isfinite(history.loss_curve))


def test_schedule_sets_the_rate_of_each_step():
    X, Y = _regression()
    _, state, optimizer = _fit(
        _linear_net(),
        X,
        Y,
        schedule=InvScaling(power_t=0.5),
        learning_rate_init=0.1,
        batch_size=10,
        max_iter=3,
    )
    expected = [0.1, 0.1, 0.1 / 21**0.5, 0.1 / 21**0.5, 0.1 / 41**0.5, 0.1 / 41**0.5]
    assert_allclose(optimizer.rates_, expected, rtol=1e-15)
    assert state.learning_rate == pytest.approx(0.1 / 61**0.5)


@pytest.mark.parametrize("early_stopping", [False, True])
def test_schedule_sees_the_monitored_quantity(early_stopping):
    history = History()
    X, Y = _regression()
    net = _linear_net()
    score = _ScriptedScore(net, [0.2, 0.6, 0.4]) if early_stopping else None
    schedule = _ProbeSchedule()
    _, state, _ = _fit(
        net,
        X,
        Y,
        schedule=schedule,
        max_iter=3,
        validation=score,
        early_stopping=early_stopping,
        history=history,
    )
    if early_stopping:  # lower is better: one minus the score
        assert_allclose(schedule.monitors_, [0.8, 0.4, 0.6])
    else:
        assert schedule.monitors_ == history.loss_curve


def test_per_batch_schedule_sets_every_step():
    history = History()
    X, Y = _regression()
    _, state, optimizer = _fit(
        _linear_net(),
        X,
        Y,
        schedule=_ProbeSchedule(per_batch=True),
        learning_rate_init=0.1,
        batch_size=10,
        max_iter=3,
        history=history,
    )
    assert_allclose(optimizer.rates_, 0.1 / 2.0 ** np.arange(6), rtol=1e-15)
    assert_allclose(history.learning_rate_curve, [0.1, 0.1 / 4, 0.1 / 16], rtol=1e-15)


def test_training_loss_plateau_stops():
    # At a zero rate the loss never improves: it counts from the 2nd epoch and
    # stops once the count exceeds n_iter_no_change.
    X, Y = _regression()
    outcome, state, _ = _fit(
        _linear_net(), X, Y, learning_rate_init=0.0, n_iter_no_change=3, max_iter=50
    )
    assert outcome.reason == "converged"
    assert state.n_iter == 3 + 2


@pytest.mark.parametrize(
    "scores, tol, n_iter_no_change, n_iter, best",
    [
        ([0.2, 0.6, 0.4, 0.5, 0.1], 0.0, 10, 5, 1),  # max_iter
        ([0.5, 0.4, 0.45, 0.3, 0.9], 0.0, 2, 4, 0),  # no improvement at all
        ([0.5, 0.55, 0.58, 0.59, 0.9], 0.1, 2, 4, 3),  # improves, by less than tol
        ([0.5, 0.5, 0.5, 0.5, 0.5], 0.0, 2, 5, 0),  # ties count at tol=0, not best
    ],
)
def test_early_stopping_restores_best_params(
    scores, tol, n_iter_no_change, n_iter, best
):
    X, Y = _regression()
    net = _linear_net()
    score = _ScriptedScore(net, scores)
    outcome, state, _ = _fit(
        net,
        X,
        Y,
        early_stopping=True,
        validation=score,
        tol=tol,
        n_iter_no_change=n_iter_no_change,
        max_iter=5,
    )
    assert outcome.reason == ("max_iter" if n_iter == 5 else "converged")
    assert state.n_iter == n_iter
    assert state.validation_scores == scores[:n_iter]
    assert state.best_validation_score == scores[best]
    assert_array_equal(net.params, score.snapshots[best])
    if best != n_iter - 1:  # the restore is visible
        assert not np.array_equal(net.params, score.snapshots[-1])


def test_validation_without_early_stopping_only_records():
    X, Y = _regression()
    net = _linear_net()
    score = _ScriptedScore(net, [0.2, 0.6, 0.4])
    history = History()
    outcome, state, _ = _fit(net, X, Y, validation=score, max_iter=3, history=history)
    assert outcome.reason == "max_iter"
    assert history.validation_score_curve == [0.2, 0.6, 0.4]
    assert state.validation_scores is None  # early stopping's alone
    assert_array_equal(net.params, score.snapshots[-1])  # nothing restored


def test_adaptive_schedule_lowers_rate_on_plateau():
    history = History()
    # As scikit-learn's 'adaptive': the rate is divided by 5 when the count
    # of epochs without improvement exceeds n_iter_no_change, and stays there.
    X, Y = _regression()
    net = _linear_net()
    score = _ScriptedScore(net, [0.5] * 6)  # never improves by tol
    outcome, state, optimizer = _fit(
        net,
        X,
        Y,
        early_stopping=True,
        validation=score,
        tol=1e-4,
        n_iter_no_change=2,
        max_iter=6,
        schedule=Adaptive(),
        learning_rate_init=0.01,
        history=history,
    )
    # Epochs 2, 3 and 4 count 1, 2 and 3 > 2: epochs 5 and 6 train at 0.002.
    assert outcome.reason == "max_iter"
    assert_allclose(history.learning_rate_curve, [0.01] * 4 + [0.002] * 2)
    assert_allclose(optimizer.rates_, [0.01] * 8 + [0.002] * 4)


def test_divergence_without_validation_keeps_last_good_epoch():
    X, Y = _regression()
    net = _linear_net()
    with np.errstate(over="ignore", invalid="ignore"):
        with pytest.raises(TrainingDiverged, match="non-finite"):
            # The rate jumps after epoch 2; epoch 3 overflows in its 2nd batch.
            _fit(net, X, Y, schedule=_JumpSchedule(at=2), max_iter=10)
    reference = _linear_net()
    _fit(reference, X, Y, max_iter=2)
    assert np.isfinite(net.params).all()
    assert_array_equal(net.params, reference.params)


def test_divergence_in_first_epoch_restores_initial_params():
    X, Y = _regression()
    net = _linear_net()
    initial = net.params.copy()
    with np.errstate(over="ignore", invalid="ignore"):
        with pytest.raises(TrainingDiverged):
            _fit(net, X, Y, learning_rate_init=1e200)
    assert_array_equal(net.params, initial)


def test_divergence_with_validation_restores_best_params():
    history = History()
    X, Y = _regression()
    net = _linear_net()
    scores = [0.1, 0.5, 0.3, 0.2]
    score = _ScriptedScore(net, scores)
    with np.errstate(over="ignore", invalid="ignore"):
        outcome, state, _ = _fit(
            net,
            X,
            Y,
            early_stopping=True,
            validation=score,
            schedule=_JumpSchedule(at=4),
            max_iter=10,
            history=history,
        )
    assert outcome.reason == "diverged"
    assert "diverged" in outcome.message
    assert state.n_iter == 5
    assert state.validation_scores[:4] == scores
    assert len(state.validation_scores) == 5
    assert np.isnan(state.validation_scores[-1])
    assert np.isnan(history.loss_curve[-1])
    assert len(history.loss_curve) == 5
    assert_array_equal(net.params, score.snapshots[1])


def test_growth_rule_triggers_without_early_stopping():
    history = History()
    X, Y = _regression()
    lr = 1e3
    net = _linear_net()
    reference = _linear_net()
    first_loss = reference.loss_and_gradient(X, Y)
    expected = reference.params - lr * reference.grads  # one full-batch step
    reference.params[...] = expected
    grown_loss = reference.loss.value(Y, reference.predict(X))
    # The premise: finite, but far over the growth limit.
    assert np.isfinite(grown_loss)
    assert grown_loss > engine.DIVERGENCE_GROWTH * max(first_loss, 1.0)

    with pytest.raises(TrainingDiverged, match="grew"):
        _fit(net, X, Y, learning_rate_init=lr, batch_size=20)
    assert_allclose(net.params, expected, rtol=1e-14)

    # With early stopping, a finite loss is never treated as divergence.
    net = _linear_net()
    outcome, state, _ = _fit(
        net,
        X,
        Y,
        learning_rate_init=lr,
        batch_size=20,
        max_iter=2,
        early_stopping=True,
        validation=lambda: (0.0, None),
        history=history,
    )
    assert outcome.reason == "max_iter"
    assert history.loss_curve[1] == pytest.approx(grown_loss)


@pytest.mark.parametrize("scale", [0.1, 5.0], ids=["first_loss_below_1", "above_1"])
def test_growth_rule_threshold(monkeypatch, scale):
    history = History()
    # The limit is DIVERGENCE_GROWTH * max(first epoch's loss, 1).
    X, Y = _regression(scale=scale)
    options = dict(learning_rate_init=5.0, batch_size=20, max_iter=2)
    _, state, _ = _fit(_linear_net(), X, Y, **options, history=history)
    first, second = history.loss_curve
    assert (first < 1.0) == (scale < 1.0)
    ratio = second / max(first, 1.0)
    assert ratio > 2  # the premise: the loss grows

    monkeypatch.setattr(engine, "DIVERGENCE_GROWTH", ratio * 1.001)
    outcome, _, _ = _fit(_linear_net(), X, Y, **options)
    assert outcome.reason == "max_iter"

    monkeypatch.setattr(engine, "DIVERGENCE_GROWTH", ratio * 0.999)
    with pytest.raises(TrainingDiverged, match="grew"):
        _fit(_linear_net(), X, Y, **options)


@pytest.mark.parametrize("early_stopping", [False, True])
def test_keyboard_interrupt_ends_training(early_stopping):
    history = History()
    X, Y = _regression()
    net = _linear_net()
    score = _ScriptedScore(net, [0.3]) if early_stopping else None
    with pytest.warns(UserWarning, match="Training interrupted by user."):
        # Two batches per epoch: the 4th step is the second of epoch 2.
        outcome, state, optimizer = _fit(
            net,
            X,
            Y,
            optimizer=_ProbeSGD(interrupt_at=4),
            max_iter=10,
            early_stopping=early_stopping,
            validation=score,
            history=history,
        )
    assert outcome.reason == "interrupted"
    assert len(optimizer.rates_) == 3
    assert state.n_iter == 1
    assert len(history.loss_curve) == 1
    assert np.isfinite(net.params).all()

    reference = _linear_net()
    _fit(reference, X, Y, max_iter=1)
    if early_stopping:  # the best epoch's parameters are restored
        assert_array_equal(net.params, score.snapshots[0])
        assert_array_equal(net.params, reference.params)
    else:  # the finite parameters of the 3rd step are kept
        reference.loss_and_gradient(X[:10], Y[:10])
        assert_allclose(net.params, reference.params - 0.01 * reference.grads)


# ---------------------------------------------------------------------------
# fit_lbfgs


@pytest.mark.parametrize("max_iter, tol", [(3, 1e-8), (30, 1e-8), (500, 1e-3)])
def test_fit_lbfgs_on_tiny_regression(max_iter, tol):
    rng = np.random.RandomState(0)
    X = rng.uniform(-2, 2, size=(30, 2))
    Y = np.sin(X[:, :1]) + 0.5 * X[:, 1:]
    net = _network(n_features=2, hidden=(6,), n_outputs=1)
    initial = net.loss_and_gradient(X, Y, alpha=1e-4)

    history = History()
    result = fit_lbfgs(
        net,
        X,
        Y,
        alpha=1e-4,
        max_iter=max_iter,
        max_fun=15000,
        tol=tol,
        observers=(history,),
    )
    curve = history.loss_curve
    assert 1 <= result.nit <= max_iter
    assert len(curve) == result.nit
    assert np.all(np.diff(curve) <= 0)
    assert curve[-1] == pytest.approx(result.fun)
    assert result.fun < initial
    assert_array_equal(net.params, result.x)
    assert net.loss_and_gradient(X, Y, alpha=1e-4) == pytest.approx(result.fun)
    if max_iter == 30:
        assert result.fun < 0.01 * initial
    if tol == 1e-3:  # converged on the gradient before the limit
        assert result.success
        assert result.nit < max_iter
        assert np.abs(net.grads).max() <= tol
