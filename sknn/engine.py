"""The training engine: the network and the loops that fit it.

Everything here is NumPy and SciPy; the engine imports nothing of
scikit-learn, so it can be tested and timed on its own. The estimators in
``sknn._base`` validate data, encode targets and translate the engine's
outcomes (``FitOutcome``, ``TrainingDiverged``) into scikit-learn's warnings
and errors.

Speed comes from keeping the work inside BLAS: all weights, then all biases,
live in one contiguous parameter vector (the layers hold views into it, and
the gradients mirror it), so an optimizer step is a few vectorized passes over
the whole model; batch buffers are allocated once per fit and reused; the
output link, the loss and its gradient are fused in place; and the first
layer never computes the gradient of its input.
"""

# SPDX-License-Identifier: BSD-3-Clause

import warnings
from dataclasses import dataclass, field

import numpy as np
import scipy.optimize
import scipy.sparse as sp

from sknn.layers import ActivationLayer, Dense

#: Regions of the flat parameter vector, in order. Weights come first and
#: contiguous, so weight decay and penalties act on one slice.
REGIONS = ("weights", "biases")

#: Without early stopping, an epoch loss this many times the first epoch's
#: (or 1, whichever is larger) counts as divergence.
DIVERGENCE_GROWTH = 1e4


class TrainingDiverged(ArithmeticError):
    """Training produced non-finite values or an exploding loss.

    The network holds the parameters of the last good epoch when this is
    raised.
    """


class Network:
    """A multi-layer perceptron on one flat parameter vector.

    Parameters
    ----------
    n_features : int
        Input width.
    hidden_layer_sizes : sequence of int
        Width of each hidden layer.
    n_outputs : int
        Output width.
    activations : sequence of Activation
        One activation per hidden layer.
    loss : Loss
        The loss, which also supplies the output link.
    dtype : dtype
        Floating type of parameters and buffers.

    Attributes
    ----------
    params : ndarray of shape (n_params,)
        All parameters: the weights of every layer, then the biases.
    grads : ndarray of shape (n_params,)
        Gradient buffer with the same layout.
    coefs : list of ndarray
        Views of the weight matrices into ``params``.
    intercepts : list of ndarray
        Views of the bias vectors into ``params``.
    n_weights : int
        Length of the leading weights slice of ``params``.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn.activations import ReLU
    >>> from sknn.engine import Network
    >>> from sknn.initializers import GlorotUniform
    >>> from sknn.losses import SquaredError
    >>> net = Network(3, [4], 1, [ReLU()], SquaredError(), np.float64)
    >>> net.initialize(np.random.RandomState(0), GlorotUniform(), GlorotUniform())
    >>> net.predict(np.ones((2, 3))).shape
    (2, 1)
    """

    def __init__(
        self, n_features, hidden_layer_sizes, n_outputs, activations, loss, dtype
    ):
        self.loss = loss
        self.dtype = np.dtype(dtype)
        self.layers = []
        self.dense_layers = []
        n_in = n_features
        widths = list(hidden_layer_sizes) + [n_outputs]
        for i, width in enumerate(widths):
            dense = Dense(width)
            n_in = dense.build(n_in)
            self.layers.append(dense)
            self.dense_layers.append(dense)
            if i < len(hidden_layer_sizes):
                act = ActivationLayer(activations[i])
                n_in = act.build(n_in)
                self.layers.append(act)
        self._allocate()
        self._capacity = 0

    def _allocate(self):
        sizes = {region: 0 for region in REGIONS}
        for layer in self.layers:
            for region, shape in layer.param_shapes().items():
                sizes[region] += int(np.prod(shape))
        self.n_weights = sizes["weights"]
        n_params = sum(sizes.values())
        self.params = np.zeros(n_params, dtype=self.dtype)
        self.grads = np.zeros(n_params, dtype=self.dtype)
        offsets, start = {}, 0
        for region in REGIONS:
            offsets[region] = start
            start += sizes[region]
        for layer in self.layers:
            views = {}, {}
            for region, shape in layer.param_shapes().items():
                lo = offsets[region]
                hi = lo + int(np.prod(shape))
                offsets[region] = hi
                views[0][region] = self.params[lo:hi].reshape(shape)
                views[1][region] = self.grads[lo:hi].reshape(shape)
            layer.bind(*views)
        self.coefs = [d.W for d in self.dense_layers]
        self.intercepts = [d.b for d in self.dense_layers]
        self._scratch = np.empty(self.n_weights, dtype=self.dtype)

    def initialize(self, rng, weight_init, bias_init):
        """Draw all parameters, layer by layer: weights, then biases.

        This order of draws from ``rng`` is scikit-learn's.
        """
        for dense in self.dense_layers:
            fans = {"fan_in": dense.n_in, "fan_out": dense.n_units}
            dense.W[...] = weight_init(dense.W.shape, rng=rng, **fans)
            dense.b[...] = bias_init(dense.b.shape, rng=rng, **fans)

    def set_coefs(self, coefs, intercepts):
        """Copy given weight matrices and bias vectors into the network."""
        if not len(coefs) == len(intercepts) == len(self.dense_layers):
            raise ValueError(
                f"Expected {len(self.dense_layers)} weight matrices and bias "
                f"vectors, got {len(coefs)} and {len(intercepts)}."
            )
        for dense, W, b in zip(self.dense_layers, coefs, intercepts, strict=True):
            dense.W[...] = W
            dense.b[...] = b

    def reserve(self, capacity):
        """Make the training buffers hold batches of ``capacity`` rows."""
        if capacity > self._capacity:
            for layer in self.layers:
                layer.reserve(capacity, self.dtype)
            self._capacity = capacity

    def release(self):
        """Free the training buffers (a fitted model keeps only parameters)."""
        for layer in self.layers:
            layer.release()
        self._capacity = 0

    def __getstate__(self):
        # Views do not survive pickling: keep the flat vector and rebind.
        state = self.__dict__.copy()
        for name in ("grads", "coefs", "intercepts", "_scratch", "_capacity"):
            state.pop(name, None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        params = np.array(self.params)  # writable even if loaded read-only
        self.release()
        self._allocate()
        self.params[...] = params

    def raw_output(self, X):
        """Network output before the link, for any number of rows."""
        A = X
        for layer in self.layers:
            A = layer.apply(A)
        return A

    def predict(self, X):
        """Predictions: the output link applied to ``raw_output(X)``."""
        return self.loss.link(self.raw_output(X))

    def loss_and_gradient(self, X, Y, sample_weight=None, alpha=0.0):
        """Loss of a batch and its gradient, left in ``grads``.

        The loss is the weighted mean of the loss component plus the L2
        penalty ``alpha / 2 * ||W||**2``, scaled by the batch's total weight as
        in scikit-learn.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
            Inputs.
        Y : ndarray of shape (n_samples, n_outputs)
            Encoded targets, in the network's dtype.
        sample_weight : ndarray of shape (n_samples,), default=None
            Weights of the samples.
        alpha : float, default=0.0
            Strength of the L2 penalty on the weights.

        Returns
        -------
        loss : float
        """
        n_samples = X.shape[0]
        self.reserve(n_samples)
        raw = X
        for layer in self.layers:
            raw = layer.forward(raw, training=True)
        P = self.loss.link(raw)
        loss = self.loss.value(Y, P, sample_weight)
        sw_sum = n_samples if sample_weight is None else sample_weight.sum()
        weights = self.params[: self.n_weights]
        if alpha:
            loss += 0.5 * alpha * float(np.dot(weights, weights)) / sw_sum

        delta = self.loss.delta(Y, P)
        if sample_weight is None:
            delta *= 1.0 / sw_sum
        else:
            delta *= (sample_weight / sw_sum)[:, np.newaxis]
        for i in range(len(self.layers) - 1, -1, -1):
            delta = self.layers[i].backward(delta, need_input_grad=i > 0)
        if alpha:
            penalty = np.multiply(weights, alpha / sw_sum, out=self._scratch)
            self.grads[: self.n_weights] += penalty
        return float(loss)


@dataclass
class TrainingState:
    """What a stochastic fit carries from epoch to epoch and call to call.

    The estimators expose these as scikit-learn's fitted attributes
    (``n_iter_``, ``t_``, ``loss_curve_``, ...).
    """

    early_stopping: bool = False
    n_iter: int = 0
    t: int = 0
    loss: float | None = None
    loss_curve: list = field(default_factory=list)
    best_loss: float | None = None
    validation_scores: list | None = None
    best_validation_score: float | None = None
    no_improvement_count: int = 0
    best_params: np.ndarray | None = None
    learning_rate: float | None = None

    @classmethod
    def start(cls, params, early_stopping):
        """State of a fresh fit, as scikit-learn initializes it."""
        if early_stopping:
            return cls(
                True,
                validation_scores=[],
                best_validation_score=-np.inf,
                best_params=params.copy(),
            )
        return cls(False, best_loss=np.inf, best_params=params.copy())


@dataclass
class FitOutcome:
    """How a call to ``fit_stochastic`` ended.

    ``reason`` is one of ``"converged"`` (no improvement for
    ``n_iter_no_change`` epochs), ``"max_iter"``, ``"epoch"`` (an incremental
    call's single epoch), ``"interrupted"`` (Ctrl-C) or ``"diverged"`` (with
    early stopping, which restores the best parameters). ``message`` says
    more.
    """

    reason: str
    message: str = ""


def _batch_rows(X, rows, out):
    if isinstance(rows, slice):
        return X[rows]
    if sp.issparse(X):
        return X[rows]
    return np.take(X, rows, axis=0, out=out[: len(rows)])


def fit_stochastic(
    network,
    X,
    Y,
    sample_weight=None,
    *,
    optimizer,
    schedule,
    state,
    learning_rate_init,
    alpha,
    batch_size,
    max_iter,
    shuffle,
    rng,
    tol,
    n_iter_no_change,
    validation_score=None,
    incremental=False,
    verbose=False,
):
    """Train ``network`` with mini-batches, epoch by epoch.

    The loop is scikit-learn's: per epoch, an optional shuffle (one
    ``rng.shuffle`` of the index permutation), one optimizer step per batch,
    then the no-improvement bookkeeping on the training loss or, when
    ``validation_score`` is given, on the validation score, where the best
    parameters are kept and restored at the end.

    Parameters
    ----------
    network : Network
        The network, updated in place.
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Training inputs, in the network's dtype.
    Y : ndarray of shape (n_samples, n_outputs)
        Encoded targets, in the network's dtype.
    sample_weight : ndarray of shape (n_samples,), default=None
        Weights of the samples.
    optimizer : Optimizer
        A built optimizer.
    schedule : Schedule
        The learning-rate schedule.
    state : TrainingState
        Carried across calls; updated in place.
    learning_rate_init : float
        The initial learning rate.
    alpha : float
        L2 penalty.
    batch_size : int
        Rows per batch, at most ``n_samples``.
    max_iter : int
        Maximum number of epochs.
    shuffle : bool
        Whether to shuffle the rows every epoch.
    rng : numpy.random.RandomState
        The fit's random stream.
    tol : float
        Minimum improvement of the monitored quantity.
    n_iter_no_change : int or inf
        Epochs without improvement before the schedule is asked to stop.
    validation_score : callable, default=None
        Returns the validation score (higher is better) of the network as it
        is; enables early stopping.
    incremental : bool, default=False
        Run one epoch only, as ``partial_fit`` does.
    verbose : bool, default=False
        Print the loss (and validation score) of every epoch.

    Returns
    -------
    outcome : FitOutcome

    Raises
    ------
    TrainingDiverged
        When the loss or parameters become non-finite, or the loss explodes,
        without early stopping. The network is left at the last good epoch.
    """
    n_samples = X.shape[0]
    params, grads = network.params, network.grads
    if state.learning_rate is None:
        state.learning_rate = schedule.initial_rate(learning_rate_init)
    gather_buffer = None
    if shuffle and not sp.issparse(X):
        gather_buffer = np.empty((batch_size, X.shape[1]), dtype=X.dtype)
    network.reserve(batch_size)
    order = np.arange(n_samples)
    last_good = params.copy()
    early_stopping = validation_score is not None
    state.n_iter = 0
    try:
        for _ in range(max_iter):
            if shuffle:
                permutation = np.arange(n_samples)
                rng.shuffle(permutation)
                order = order[permutation]
            accumulated_loss = 0.0
            for start in range(0, n_samples, batch_size):
                stop = min(start + batch_size, n_samples)
                rows = order[start:stop] if shuffle else slice(start, stop)
                sw_batch = None if sample_weight is None else sample_weight[rows]
                if sw_batch is not None and not sw_batch.sum() > 0:
                    continue  # a batch of zero weight carries no gradient
                batch_loss = network.loss_and_gradient(
                    _batch_rows(X, rows, gather_buffer), Y[rows], sw_batch, alpha
                )
                if not np.isfinite(batch_loss):
                    break
                accumulated_loss += batch_loss * (stop - start)
                optimizer.step(params, grads, state.learning_rate)
            else:
                batch_loss = accumulated_loss / n_samples
            epoch_loss = batch_loss
            finite = np.isfinite(epoch_loss) and np.isfinite(params).all()
            first_loss = state.loss_curve[0] if state.loss_curve else epoch_loss
            exploded = (
                not early_stopping
                and finite
                and (epoch_loss > DIVERGENCE_GROWTH * max(first_loss, 1.0))
            )
            if not finite or exploded:
                return _diverged(
                    network,
                    state,
                    last_good,
                    epoch_loss,
                    exploded,
                    early_stopping,
                    verbose,
                )
            np.copyto(last_good, params)

            state.n_iter += 1
            state.loss = epoch_loss
            state.t += n_samples
            state.loss_curve.append(epoch_loss)
            if verbose:
                print(f"Iteration {state.n_iter}, loss = {epoch_loss:.8f}")
            _update_no_improvement(state, params, tol, validation_score, verbose)
            state.learning_rate = schedule.epoch_end(
                state.learning_rate, lr0=learning_rate_init, t=state.t
            )
            if state.no_improvement_count > n_iter_no_change:
                monitored = "Validation score" if early_stopping else "Training loss"
                message = (
                    f"{monitored} did not improve more than tol={tol:f} for "
                    f"{n_iter_no_change} consecutive epochs."
                )
                lr, stop, action = schedule.on_plateau(state.learning_rate)
                state.learning_rate = lr
                if verbose:
                    print(f"{message} {action}")
                if stop:
                    return _finish(network, state, "converged", message)
                state.no_improvement_count = 0
            if incremental:
                return _finish(network, state, "epoch")
        return _finish(network, state, "max_iter")
    except KeyboardInterrupt:
        warnings.warn("Training interrupted by user.", stacklevel=2)
        if not np.isfinite(params).all():
            np.copyto(params, last_good)
        return _finish(network, state, "interrupted")


def _update_no_improvement(state, params, tol, validation_score, verbose):
    if validation_score is None:
        if state.loss_curve[-1] > state.best_loss - tol:
            state.no_improvement_count += 1
        else:
            state.no_improvement_count = 0
        if state.loss_curve[-1] < state.best_loss:
            state.best_loss = state.loss_curve[-1]
        return
    score = validation_score()
    state.validation_scores.append(score)
    if verbose:
        print(f"Validation score: {score:f}")
    if score < state.best_validation_score + tol:
        state.no_improvement_count += 1
    else:
        state.no_improvement_count = 0
    if score > state.best_validation_score:
        state.best_validation_score = score
        np.copyto(state.best_params, params)


def _finish(network, state, reason, message=""):
    if state.early_stopping:
        np.copyto(network.params, state.best_params)
    return FitOutcome(reason, message)


def _diverged(network, state, last_good, epoch_loss, exploded, early_stopping, verbose):
    if exploded:
        what = (
            f"the training loss grew to {epoch_loss:.4g}, over "
            f"{DIVERGENCE_GROWTH:g} times its first epoch's value"
        )
    else:
        what = "the loss or the weights became non-finite"
    hint = (
        "Lower learning_rate_init, or scale the inputs (for example with "
        "StandardScaler)."
    )
    if early_stopping:
        # As scikit-learn records it: the diverged epoch scores NaN.
        state.n_iter += 1
        state.loss = np.nan
        state.loss_curve.append(np.nan)
        state.validation_scores.append(np.nan)
        message = (
            f"Training diverged at epoch {state.n_iter}: {what}. The weights of "
            f"the best validation score were restored. {hint}"
        )
        if verbose:
            print(message)
        return _finish(network, state, "diverged", message)
    np.copyto(network.params, last_good)
    raise TrainingDiverged(
        f"Solver produced non-finite parameter weights: {what} in epoch "
        f"{state.n_iter + 1}. The weights of the last good epoch were kept. "
        f"{hint}"
    )


def fit_lbfgs(
    network,
    X,
    Y,
    sample_weight=None,
    *,
    alpha,
    max_iter,
    max_fun,
    tol,
    loss_curve=None,
    verbose=False,
):
    """Train ``network`` on the full batch with SciPy's L-BFGS-B.

    ``loss_curve``, a list, receives the loss after each iteration.

    Returns
    -------
    result : scipy.optimize.OptimizeResult
        SciPy's result; ``result.fun`` is the final loss and ``result.nit``
        the number of iterations.

    Raises
    ------
    TrainingDiverged
        When the parameters end non-finite; the network is left at the last
        point where the loss was finite.
    """
    params = network.params
    last_good = params.copy()

    def loss_and_grad(x):
        params[...] = x
        loss = network.loss_and_gradient(X, Y, sample_weight, alpha)
        if np.isfinite(loss):
            np.copyto(last_good, params)
        return loss, network.grads.astype(np.float64)

    losses = [] if loss_curve is None else loss_curve

    def record(intermediate_result):
        losses.append(float(intermediate_result.fun))
        if verbose:
            print(f"Iteration {len(losses)}, loss = {losses[-1]:.8f}")

    try:
        result = scipy.optimize.minimize(
            loss_and_grad,
            params.astype(np.float64),
            method="L-BFGS-B",
            jac=True,
            callback=record,
            options={"maxfun": max_fun, "maxiter": max_iter, "gtol": tol},
        )
    except KeyboardInterrupt:
        warnings.warn("Training interrupted by user.", stacklevel=2)
        np.copyto(params, last_good)
        return None
    params[...] = result.x
    if not np.isfinite(params).all():
        np.copyto(params, last_good)
        raise TrainingDiverged(
            "Solver produced non-finite parameter weights. The input data may "
            "contain large values and need to be preprocessed, or the learning "
            "problem is ill-conditioned. The last finite weights were kept."
        )
    return result
