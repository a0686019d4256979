"""The training engine: the network and the loops that fit it.

Everything here is NumPy and SciPy; the engine imports nothing of
scikit-learn, so it can be tested and timed on its own. The estimators in
``sknn._base`` validate data, encode targets and translate the engine's
outcomes (``FitOutcome``, ``TrainingDiverged``) into scikit-learn's warnings
and errors.

Speed comes from keeping the work inside BLAS: all weights, then all biases
(then the normalization layers' scales and shifts), live in one contiguous
parameter vector (the layers hold views into it, and
the gradients mirror it), so an optimizer step is a few vectorized passes over
the whole model; batch buffers are allocated once per fit and reused; each
dense layer applies its activation with its bias (and, backwards, the
activation's derivative with the bias gradient); the output link, the loss
and its gradient are fused in place; and the first layer never computes the
gradient of its input. Where numba is installed, those fused steps of the
ReLU and of the output's loss, and the optimizer updates, run as compiled
one-pass kernels; the L2 penalty's gradient is added in the optimizer's pass
rather than to the gradient vector beforehand.
"""

# SPDX-License-Identifier: BSD-3-Clause

import math
import time
import warnings
from dataclasses import dataclass

import numpy as np
import scipy.optimize
import scipy.sparse as sp

from sknn import _kernels as kernels
from sknn import _layer_kernels
from sknn._blas import axpy
from sknn._threads import single_threaded_scipy_blas
from sknn.layers import (
    NORMALIZATIONS,
    ActivationLayer,
    Dense,
    Dropout,
    GaussianNoise,
    Layer,
)
from sknn.optimizers import Optimizer

#: Regions of the flat parameter vector, in order. Weights come first and
#: contiguous, so weight decay and penalties act on one slice; biases and
#: normalization parameters are never decayed.
REGIONS = ("weights", "biases", "norm")

#: scikit-learn's error where training made the weights non-finite.
NON_FINITE_WEIGHTS = (
    "Solver produced non-finite parameter weights. The input data may contain "
    "large values and need to be preprocessed."
)

#: Without early stopping, an epoch loss this many times the first epoch's
#: of the same call (or 1, whichever is larger) counts as divergence.
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
        All parameters: the weights of every layer, then the biases, then
        the normalization layers' scales and shifts.
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
        self,
        n_features,
        hidden_layer_sizes,
        n_outputs,
        activations,
        loss,
        dtype,
        *,
        normalization=None,
        dropout=0.0,
        input_dropout=0.0,
        input_noise=0.0,
    ):
        self.loss = loss
        self.dtype = np.dtype(dtype)
        n_hidden = len(hidden_layer_sizes)
        normalization = _per_layer(normalization, n_hidden)
        dropout = _per_layer(dropout, n_hidden)
        layers = []
        if input_noise:
            layers.append(GaussianNoise(input_noise))
        if input_dropout:
            layers.append(Dropout(input_dropout))
        for i, width in enumerate(hidden_layer_sizes):
            activation = activations[i]
            # The dense layer applies the activation itself where nothing
            # comes between them, fusing it with the bias (see Dense).
            if normalization[i] is None and activation.derivative_from_output:
                layers.append(Dense(width, activation=activation))
            else:
                layers.append(Dense(width))
                if normalization[i] is not None:
                    layers.append(NORMALIZATIONS[normalization[i]]())
                layers.append(ActivationLayer(activation))
            if dropout[i]:
                layers.append(Dropout(dropout[i]))
        layers.append(Dense(n_outputs))
        n_in = n_features
        for layer in layers:
            n_in = layer.build(n_in)
        self.layers = layers
        self.dense_layers = [layer for layer in layers if isinstance(layer, Dense)]
        # Layers before the first dense one (noise, input dropout) need no
        # gradient: backpropagation stops there, and the first dense layer
        # keeps no buffer for the gradient of its input.
        self._first_trained = layers.index(self.dense_layers[0])
        self.dense_layers[0].input_grad = False
        self._allocate()
        self._capacity = 0

    def _allocate(self):
        specs = [layer.params_spec() for layer in self.layers]
        sizes = dict.fromkeys(REGIONS, 0)
        for spec in specs:
            for _, region, shape in spec:
                sizes[region] += math.prod(shape)
        self.n_weights = sizes["weights"]
        self.params = np.zeros(sum(sizes.values()), dtype=self.dtype)
        self.grads = np.zeros_like(self.params)
        offsets = dict(zip(REGIONS, np.cumsum([0, *sizes.values()])[:-1], strict=True))
        stats_specs = [layer.stats_spec() for layer in self.layers]
        n_stats = sum(math.prod(shape) for spec in stats_specs for _, shape in spec)
        self.stats = np.zeros(n_stats, dtype=self.dtype)
        stats_offset = 0
        for layer, spec, stats_spec in zip(
            self.layers, specs, stats_specs, strict=True
        ):
            views = {}
            for name, region, shape in spec:
                lo = offsets[region]
                offsets[region] = hi = lo + math.prod(shape)
                views[name] = self.params[lo:hi].reshape(shape)
                views["d" + name] = self.grads[lo:hi].reshape(shape)
            for name, shape in stats_spec:
                lo, stats_offset = stats_offset, stats_offset + math.prod(shape)
                views[name] = self.stats[lo:stats_offset].reshape(shape)
            layer.bind(views)
        self.coefs = [d.W for d in self.dense_layers]
        self.intercepts = [d.b for d in self.dense_layers]
        self._scratch = None  # for the L1 subgradient, allocated when needed

    def initialize(self, rng, weight_init, bias_init):
        """Set all parameters: dense layers draw weights, then biases.

        This order of draws from ``rng`` is scikit-learn's; normalization
        layers start as the identity and draw nothing. ``weight_init`` and
        ``bias_init`` are initializers, or lists of one per dense layer.
        """
        n_dense = len(self.dense_layers)
        weight_inits = _per_layer(weight_init, n_dense)
        bias_inits = _per_layer(bias_init, n_dense)
        dense_index = 0
        for layer in self.layers:
            if isinstance(layer, Dense):
                fans = {"fan_in": layer.n_in, "fan_out": layer.n_units}
                W_init = weight_inits[dense_index]
                b_init = bias_inits[dense_index]
                layer.W[...] = W_init(layer.W.shape, rng=rng, **fans)
                layer.b[...] = b_init(layer.b.shape, rng=rng, **fans)
                dense_index += 1
            else:
                layer.reset()

    def set_coefs(self, coefs, intercepts):
        """Copy given weight matrices and bias vectors into the network."""
        if not len(coefs) == len(intercepts) == len(self.dense_layers):
            raise ValueError(
                f"Expected {len(self.dense_layers)} weight matrices and bias "
                f"vectors, got {len(coefs)} and {len(intercepts)}."
            )
        for dense, W, b in zip(self.dense_layers, coefs, intercepts, strict=True):
            if np.shape(W) != dense.W.shape or np.shape(b) != dense.b.shape:
                raise ValueError(
                    f"A layer of shape {dense.W.shape} (bias {dense.b.shape}) was "
                    f"given weights of shape {np.shape(W)} and bias {np.shape(b)}."
                )
            dense.W[...] = W
            dense.b[...] = b

    def snapshot(self, out=None):
        """Copy of everything that defines the model: parameters and statistics."""
        if out is None:
            return np.concatenate([self.params, self.stats])
        out[: self.params.size] = self.params
        out[self.params.size :] = self.stats
        return out

    def restore(self, snapshot):
        """Load a ``snapshot``."""
        self.params[...] = snapshot[: self.params.size]
        self.stats[...] = snapshot[self.params.size :]

    def apply_max_norm(self, max_norm):
        """Cap the norm of each unit's incoming weights, in every dense layer."""
        for dense in self.dense_layers:
            dense.constrain_norm(max_norm)

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
        # Views do not survive pickling: keep the flat vectors and rebind.
        state = self.__dict__.copy()
        for name in ("grads", "coefs", "intercepts", "_scratch", "_capacity"):
            state.pop(name, None)
        # By its string: skops loads a string without trusting numpy.dtype.
        state["dtype"] = self.dtype.str
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        # Older pickles hold the dtype itself, newer ones its string.
        self.dtype = np.dtype(self.dtype)
        saved = np.concatenate([self.params, self.stats])  # writable copies
        self.release()
        self._allocate()
        self.restore(saved)

    def raw_output(self, X, *, check_finite=False):
        """Network output before the link, for any number of rows.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
            Inputs, in the network's dtype or float64.
        check_finite : bool, default=False
            Whether to check that ``X`` has only finite entries. The first
            layer that computes something at inference checks it (a dense
            layer from its product, see ``Dense.apply_checked``), which
            costs less than a pass over ``X`` of its own.

        Returns
        -------
        raw : ndarray of shape (n_samples, n_outputs) or None
            None where ``check_finite`` found a non-finite entry, or finite
            entries whose sums overflow, which only a full check (such as
            scikit-learn's ``check_array``) can tell apart.
        """
        A = X
        for layer in self.layers:
            # Dropout and noise layers pass their input through at inference.
            if check_finite and type(layer).apply is not Layer.apply:
                A, finite = layer.apply_checked(A)
                if not finite:
                    return None
                check_finite = False
            else:
                A = layer.apply(A)
        return A

    def predict(self, X):
        """Predictions: the output link applied to ``raw_output(X)``."""
        return self.loss.link(self.raw_output(X))

    def loss_and_gradient(
        self,
        X,
        Y,
        sample_weight=None,
        alpha=0.0,
        l1_ratio=0.0,
        rng=None,
        *,
        l2_gradient=True,
    ):
        """Loss of a batch and its gradient, left in ``grads``.

        The loss is the weighted mean of the loss component plus the elastic
        net penalty on the weights,
        ``alpha * (l1_ratio * |W| + (1 - l1_ratio) / 2 * ||W||**2)``, divided by
        the batch's total weight as scikit-learn divides its L2 penalty; the L1
        part is differentiated by its subgradient ``sign(W)``.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
            Inputs.
        Y : ndarray of shape (n_samples, n_outputs)
            Encoded targets, in the network's dtype.
        sample_weight : ndarray of shape (n_samples,), default=None
            Weights of the samples.
        alpha : float, default=0.0
            Strength of the penalty on the weights.
        l1_ratio : float, default=0.0
            Share of L1 in the penalty; 0 is scikit-learn's L2.
        rng : numpy.random.RandomState, default=None
            Random stream of dropout and noise layers.
        l2_gradient : bool, default=True
            Whether to add the L2 term's gradient to ``grads``. The training
            loop leaves it to the optimizer step, whose compiled pass adds
            it (see :func:`l2_coefficient`); the loss includes the term
            either way.

        Returns
        -------
        loss : float
        """
        n_samples = X.shape[0]
        self.reserve(n_samples)
        raw = X
        for layer in self.layers:
            raw = layer.forward(
                raw, training=True, rng=rng, sample_weight=sample_weight
            )
        loss, delta = self.loss.value_and_delta(raw, Y, sample_weight)
        sw_sum = n_samples if sample_weight is None else sample_weight.sum()
        weights = self.params[: self.n_weights]
        l2_share = alpha * (1.0 - l1_ratio)
        l1_share = alpha * l1_ratio
        if l2_share:
            loss += 0.5 * l2_share * float(np.dot(weights, weights)) / sw_sum
        if l1_share:
            loss += l1_share * float(np.abs(weights).sum()) / sw_sum

        first_trained = self._first_trained
        for i in range(len(self.layers) - 1, first_trained - 1, -1):
            delta = self.layers[i].backward(delta, need_input_grad=i > first_trained)
        grad_weights = self.grads[: self.n_weights]
        if l2_share and l2_gradient:
            l2 = l2_coefficient(alpha, l1_ratio, n_samples, sample_weight)
            axpy(l2, weights, grad_weights)
        if l1_share:
            if self._scratch is None:
                self._scratch = np.empty(self.n_weights, dtype=self.dtype)
            subgradient = np.sign(weights, out=self._scratch)
            subgradient *= l1_share / sw_sum
            grad_weights += subgradient
        return float(loss)


def l2_coefficient(alpha, l1_ratio, n_samples, sample_weight=None):
    """``c`` such that the L2 term's gradient in a batch's loss is ``c * W``.

    The term is ``alpha * (1 - l1_ratio) / 2 * ||W||**2`` over the batch's
    total weight (``n_samples`` without sample weights), as in
    :meth:`Network.loss_and_gradient`.
    """
    sw_sum = n_samples if sample_weight is None else sample_weight.sum()
    return alpha * (1.0 - l1_ratio) / sw_sum


def _per_layer(value, n_layers):
    """A per-layer list from a single value or a list of the right length."""
    if isinstance(value, list | tuple):
        if len(value) != n_layers:
            raise ValueError(
                f"Expected one value per layer ({n_layers}), got {len(value)}."
            )
        return list(value)
    return [value] * n_layers


@dataclass
class TrainingState:
    """What a stochastic fit carries from epoch to epoch and call to call.

    The loop's own bookkeeping: the estimators expose it as scikit-learn's
    fitted attributes (``n_iter_``, ``t_``, ``loss_``, ``best_loss_``,
    ``validation_scores_``, ...), while the per-epoch curves are kept by an
    observer (:class:`FitObserver`). ``best`` is a network snapshot
    (parameters and statistics) of the best epoch under early stopping.
    ``validation_scores`` are the scores early stopping compares, since it
    was last switched on. With weight averaging, ``averaged`` is the running
    average of the parameters and ``train_params`` the raw parameters that
    training resumes from, while the network holds the averaged ones between
    calls (``handed_over``, a copy of what it held when the call ended, tells
    whether the user has changed them since).
    """

    early_stopping: bool = False
    n_iter: int = 0
    t: int = 0
    loss: float | None = None
    best_loss: float | None = None
    validation_scores: list | None = None
    best_validation_score: float | None = None
    no_improvement_count: int = 0
    best: np.ndarray | None = None
    learning_rate: float | None = None
    averaged: np.ndarray | None = None
    train_params: np.ndarray | None = None
    handed_over: np.ndarray | None = None

    @classmethod
    def start(cls, network, early_stopping):
        """State of a fresh fit, as scikit-learn initializes it."""
        return cls().monitor(network, early_stopping)

    def monitor(self, network, early_stopping):
        """Track the validation score (early stopping) or the training loss.

        A warm start may switch ``early_stopping``: the newly monitored
        quantity then starts from scratch, with no epochs of no improvement.
        Only early stopping keeps a snapshot of the best epoch.
        """
        if early_stopping == self.early_stopping and (
            self.best is not None or self.best_loss is not None
        ):
            return self
        self.early_stopping = early_stopping
        self.no_improvement_count = 0
        if early_stopping:
            if self.validation_scores is None:
                self.validation_scores = []
            self.best_validation_score = -np.inf
            self.best = network.snapshot()
            self.best_loss = None
        else:
            self.best_loss = np.inf
            self.best = None
            self.validation_scores = self.best_validation_score = None
        return self


@dataclass(frozen=True, slots=True)
class FitSettings:
    """The hyper-parameters a stochastic fit trains with, in one place.

    The estimators build it from their parameters; :func:`fit_stochastic`
    only reads it.

    Parameters
    ----------
    learning_rate_init : float
        The initial learning rate.
    alpha : float
        Strength of the weight penalty.
    batch_size : int
        Rows per batch, at most the number of samples.
    max_iter : int
        Maximum number of epochs.
    shuffle : bool
        Whether to shuffle the rows every epoch.
    tol : float
        Minimum improvement of the monitored quantity.
    n_iter_no_change : int or inf
        Epochs without improvement before the schedule is asked to stop.
    early_stopping : bool, default=False
        Monitor the validation score instead of the training loss, keep the
        best epoch's snapshot and restore it at the end. Needs validation.
    l1_ratio : float, default=0.0
        Share of L1 in the weight penalty.
    max_norm : float, default=None
        Cap on the norm of each unit's incoming weights, after every step.
    clip_grad_norm : float, default=None
        Cap on the global norm of the gradient, before every step.
    averaging : float, default=None
        Decay of an exponential moving average of the parameters, which then
        serves for validation and predictions.
    incremental : bool, default=False
        Run one epoch only, as ``partial_fit`` does.

    Examples
    --------
    >>> from sknn.engine import FitSettings
    >>> settings = FitSettings(
    ...     learning_rate_init=0.01, alpha=1e-4, batch_size=32, max_iter=5,
    ...     shuffle=True, tol=1e-4, n_iter_no_change=10,
    ... )
    >>> settings.max_iter
    5
    """

    learning_rate_init: float
    alpha: float
    batch_size: int
    max_iter: int
    shuffle: bool
    tol: float
    n_iter_no_change: float
    early_stopping: bool = False
    l1_ratio: float = 0.0
    max_norm: float | None = None
    clip_grad_norm: float | None = None
    averaging: float | None = None
    incremental: bool = False


@dataclass(slots=True)
class EpochRecord:
    """What one epoch (an L-BFGS iteration) measured, as observers see it.

    Attributes
    ----------
    epoch : int
        The epoch's number within its call, from 1.
    loss : float
        The training loss (NaN for an epoch that diverged).
    val_loss : float or None
        The validation loss, or None where it was not measured.
    val_score : float or None
        The validation score, or None where it was not measured.
    learning_rate : float or None
        The learning rate the epoch trained with (None for L-BFGS).
    time : float
        Wall time of the epoch in seconds, validation included.
    is_best : bool
        Whether the monitored quantity (the validation score under early
        stopping, else the training loss) reached its best value so far.
    diverged : bool
        Whether training diverged in this epoch (recorded with NaN losses
        and scores, as scikit-learn records it under early stopping).
    message : str
        A notice that came with the epoch: the plateau of the monitored
        quantity and what the schedule did about it, or the divergence.
    """

    epoch: int
    loss: float
    val_loss: float | None = None
    val_score: float | None = None
    learning_rate: float | None = None
    time: float = math.nan
    is_best: bool = False
    diverged: bool = False
    message: str = ""


class FitObserver:
    """Base class of what watches a fit: histories, verbose output, progress.

    The training loops (:func:`fit_stochastic`, :func:`fit_lbfgs`) call
    every observer they are given at these events, in order; the defaults do
    nothing, so a subclass overrides only the events it needs. Observers do
    not change the training, except that :meth:`epoch_end` may ask it to
    stop.

    Examples
    --------
    >>> from sknn.engine import FitObserver
    >>> class LossPrinter(FitObserver):
    ...     def epoch_end(self, record):
    ...         print(f"epoch {record.epoch}: {record.loss:.2f}")
    >>> printer = LossPrinter()
    """

    def fit_begin(self, *, max_epochs, unit):
        """A call to the loop starts: at most ``max_epochs`` epochs or, with
        ``unit='iteration'``, L-BFGS iterations."""

    def epoch_begin(self, epoch):
        """Epoch ``epoch`` (from 1, within the call) starts."""

    def epoch_end(self, record):
        """An epoch ended; ``record`` is its :class:`EpochRecord`.

        Returns
        -------
        stop : bool or None
            True asks the loop to stop after this epoch.
        """

    def fit_end(self, outcome):
        """The call ended: ``outcome`` is its :class:`FitOutcome`, or None
        when it ended by an exception (a divergence that raises)."""


class _Observers:
    """The observers of one call, notified together."""

    __slots__ = ("observers",)

    def __init__(self, observers):
        self.observers = tuple(observers)

    def fit_begin(self, **info):
        for observer in self.observers:
            observer.fit_begin(**info)

    def epoch_begin(self, epoch):
        for observer in self.observers:
            observer.epoch_begin(epoch)

    def epoch_end(self, record):
        stop = False
        for observer in self.observers:
            stop |= bool(observer.epoch_end(record))
        return stop

    def fit_end(self, outcome):
        for observer in self.observers:
            observer.fit_end(outcome)


@dataclass
class FitOutcome:
    """How a call to ``fit_stochastic`` ended.

    ``reason`` is one of ``"converged"`` (no improvement for
    ``n_iter_no_change`` epochs), ``"max_iter"``, ``"epoch"`` (an incremental
    call's single epoch), ``"interrupted"`` (Ctrl-C), ``"stopped"`` (an
    observer asked to stop) or ``"diverged"`` (with early stopping, which
    restores the best parameters). ``message`` says more.
    """

    reason: str
    message: str = ""


def _batch_rows(X, rows, out):
    """Input rows of a batch: a view, a sparse row selection, or a gather.

    Shuffled dense rows are gathered into ``out``, reused for every batch:
    with numba, by a kernel that copies four rows at a time (25-40 % faster
    than ``np.take``, see :mod:`sknn._layer_kernels`; ``rows`` is always a
    permutation of ``X``'s rows, so in bounds), else by
    ``np.take(..., mode="clip")``, whose default ``mode="raise"`` buffers its
    output, which measured 2-3 times slower and allocated a batch per call.
    (Gathering the next batch on a worker thread while the optimizer stepped
    was tried too: it slowed the step by more than it hid, 2.5 % slower epochs
    in a paired comparison.) Boolean class indicators are gathered into a
    float ``out`` the same way, the kernel converting them (2 us a batch
    instead of 6 for ``Y[rows].astype``); the result may keep ``X``'s dtype
    only where no ``out`` is used (a slice, sparse rows).
    """
    if isinstance(rows, slice) or sp.issparse(X):
        return X[rows]
    out = out[: len(rows)]
    if (
        kernels.numba_available
        and type(X) is np.ndarray
        and X.flags.c_contiguous
        and (X.dtype == out.dtype or X.dtype == np.bool_)
        and rows.dtype == np.intp
    ):
        kernels.compiled(_layer_kernels.gather_rows)(X, rows, out)
        return out
    if X.dtype != out.dtype:
        return X[rows].astype(out.dtype)
    return np.take(X, rows, axis=0, out=out, mode="clip")


@single_threaded_scipy_blas()  # for the optimizers' axpy updates
def fit_stochastic(
    network,
    X,
    Y,
    sample_weight=None,
    *,
    settings,
    optimizer,
    schedule,
    state,
    rng,
    validation=None,
    noise_rng=None,
    observers=(),
):
    """Train ``network`` with mini-batches, epoch by epoch.

    The loop is scikit-learn's: per epoch, an optional shuffle (one
    ``rng.shuffle`` of the index permutation), one optimizer step per batch,
    then the no-improvement bookkeeping on the training loss or, with early
    stopping, on the validation score, where the best parameters are kept and
    restored at the end. What happened in each epoch goes to the
    ``observers`` as an :class:`EpochRecord`.

    Parameters
    ----------
    network : Network
        The network, updated in place.
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Training inputs, in the network's dtype.
    Y : ndarray of shape (n_samples, n_outputs)
        Encoded targets: in the network's dtype, or boolean class indicators,
        which take 1/8 (float64) or 1/4 (float32) of the memory and are
        converted batch by batch.
    sample_weight : ndarray of shape (n_samples,), default=None
        Weights of the samples.
    settings : FitSettings
        The hyper-parameters of the fit.
    optimizer : Optimizer
        A built optimizer.
    schedule : Schedule
        The learning-rate schedule.
    state : TrainingState
        Carried across calls; updated in place.
    rng : numpy.random.RandomState
        The fit's random stream (shuffles, and dropout masks and noise unless
        ``noise_rng`` is given).
    validation : callable, default=None
        Evaluates the network as it is on held-out data and returns
        ``(score, loss)``, higher scores being better (``loss`` may be None).
        Called after every epoch. Early stopping needs it.
    noise_rng : numpy.random.RandomState, default=None
        The random stream of dropout masks and noise, if not ``rng``.
    observers : sequence of FitObserver, default=()
        Notified as the fit starts, at each epoch's start and end, and as it
        ends.

    Returns
    -------
    outcome : FitOutcome

    Raises
    ------
    TrainingDiverged
        When the loss or parameters become non-finite, or the loss explodes,
        without early stopping. The network is left at the last good epoch.
    """
    events = _Observers(observers)
    events.fit_begin(
        max_epochs=1 if settings.incremental else settings.max_iter, unit="epoch"
    )
    outcome = None
    try:
        outcome = _train_epochs(
            network,
            X,
            Y,
            sample_weight,
            settings,
            optimizer,
            schedule,
            state,
            rng,
            validation,
            rng if noise_rng is None else noise_rng,
            events,
        )
    finally:
        events.fit_end(outcome)
    return outcome


def _train_epochs(
    network,
    X,
    Y,
    sample_weight,
    settings,
    optimizer,
    schedule,
    state,
    rng,
    validation,
    noise_rng,
    events,
):
    n_samples = X.shape[0]
    params, grads = network.params, network.grads
    batch_size, alpha, l1_ratio = settings.batch_size, settings.alpha, settings.l1_ratio
    max_norm, clip_grad_norm = settings.max_norm, settings.clip_grad_norm
    averaging, early_stopping = settings.averaging, settings.early_stopping
    if state.learning_rate is None:
        state.learning_rate = schedule.start(
            settings.learning_rate_init,
            steps_per_epoch=-(-n_samples // batch_size),
            max_epochs=settings.max_iter,
        )
    handed_over = getattr(state, "handed_over", None)
    if averaging is None or (
        handed_over is not None and not np.array_equal(params, handed_over)
    ):
        # Training goes on from the network's parameters: without averaging
        # (an earlier call's average would be stale when it resumes), or
        # from coefs_ and intercepts_ the user has changed since the last
        # call, which start a new average.
        state.train_params = state.averaged = state.handed_over = None
    if averaging is not None:
        if state.train_params is not None:
            np.copyto(params, state.train_params)
        if state.averaged is None:
            state.averaged = params.copy()
    gather_buffer = target_buffer = None
    if settings.shuffle:
        target_buffer = np.empty((batch_size, Y.shape[1]), dtype=params.dtype)
        if not sp.issparse(X):
            gather_buffer = np.empty((batch_size, X.shape[1]), dtype=X.dtype)
    network.reserve(batch_size)
    # The optimizer adds the L2 term's gradient in its update's pass, saving
    # two passes over the weights, unless the gradient's norm must include it
    # or the optimizer has a step of its own (whose signature has no l2).
    l2_in_step = (
        alpha * (1.0 - l1_ratio) > 0
        and clip_grad_norm is None
        and optimizer._keeps(Optimizer, "step")
    )
    order = np.arange(n_samples)
    # Shuffling ``order`` in place draws and applies the same permutation as
    # scikit-learn's ``order[shuffled arange]``, without the two temporaries.
    last_good = _snapshot(network, state)
    state.n_iter = 0
    # The loss that an exploding one is measured against: this call's first
    # epoch's. An earlier call's (partial_fit, a warm start) may come from
    # other data, against which new data's loss can be 1e4 times larger
    # without anything diverging.
    first_loss = None
    try:
        for _ in range(settings.max_iter):
            events.epoch_begin(state.n_iter + 1)
            started = time.perf_counter()
            if settings.shuffle:
                rng.shuffle(order)
            accumulated_loss = 0.0
            epoch_learning_rate = state.learning_rate
            for start in range(0, n_samples, batch_size):
                stop = min(start + batch_size, n_samples)
                rows = order[start:stop] if settings.shuffle else slice(start, stop)
                sw_batch = None if sample_weight is None else sample_weight[rows]
                if sw_batch is not None and not sw_batch.sum() > 0:
                    continue  # a batch of zero weight carries no gradient
                Y_batch = _batch_rows(Y, rows, target_buffer)
                if Y_batch.dtype != params.dtype:
                    Y_batch = Y_batch.astype(params.dtype)
                batch_loss = network.loss_and_gradient(
                    _batch_rows(X, rows, gather_buffer),
                    Y_batch,
                    sw_batch,
                    alpha,
                    l1_ratio,
                    noise_rng,
                    l2_gradient=not l2_in_step,
                )
                if not math.isfinite(batch_loss):
                    break
                accumulated_loss += batch_loss * (stop - start)
                if clip_grad_norm is not None:
                    norm = math.sqrt(float(np.dot(grads, grads)))
                    if norm > clip_grad_norm:
                        grads *= clip_grad_norm / norm
                if l2_in_step:
                    l2 = l2_coefficient(alpha, l1_ratio, stop - start, sw_batch)
                    optimizer.step(params, grads, state.learning_rate, l2=l2)
                else:
                    optimizer.step(params, grads, state.learning_rate)
                if max_norm is not None:
                    network.apply_max_norm(max_norm)
                if averaging is not None:
                    state.averaged *= averaging
                    state.averaged += (1.0 - averaging) * params
                if schedule.per_batch:
                    state.learning_rate = schedule.batch_end(state.learning_rate)
            else:
                batch_loss = accumulated_loss / n_samples
            epoch_loss = batch_loss
            finite = np.isfinite(epoch_loss) and np.isfinite(params).all()
            if first_loss is None:
                first_loss = epoch_loss
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
                    settings,
                    events,
                    started,
                    epoch_learning_rate,
                )
            _snapshot(network, state, out=last_good)

            state.n_iter += 1
            state.loss = epoch_loss
            state.t += n_samples
            val_score = val_loss = None
            if validation is not None:
                val_score, val_loss = _record_validation(
                    network, state, validation, averaging
                )
            is_best = _update_no_improvement(network, state, epoch_loss, settings)
            monitor = (
                1.0 - state.validation_scores[-1] if early_stopping else epoch_loss
            )
            state.learning_rate = schedule.epoch_end(
                state.learning_rate, t=state.t, monitor=monitor
            )
            reason, message, notice = None, "", ""
            if state.no_improvement_count > settings.n_iter_no_change:
                monitored = "Validation score" if early_stopping else "Training loss"
                message = (
                    f"{monitored} did not improve more than tol={settings.tol:f} "
                    f"for {settings.n_iter_no_change} consecutive epochs."
                )
                lr, stop, action = schedule.on_plateau(state.learning_rate)
                state.learning_rate = lr
                notice = f"{message} {action}"
                if stop:
                    reason = "converged"
                else:
                    state.no_improvement_count = 0
            record = EpochRecord(
                epoch=state.n_iter,
                loss=epoch_loss,
                val_loss=val_loss,
                val_score=val_score,
                learning_rate=epoch_learning_rate,
                time=time.perf_counter() - started,
                is_best=is_best,
                message=notice,
            )
            if events.epoch_end(record) and reason is None:
                reason, message = "stopped", "An observer asked training to stop."
            if reason is not None:
                return _finish(network, state, averaging, reason, message)
            if settings.incremental:
                return _finish(network, state, averaging, "epoch")
        return _finish(network, state, averaging, "max_iter")
    except KeyboardInterrupt:
        warnings.warn("Training interrupted by user.", stacklevel=3)
        if not np.isfinite(params).all():
            _restore(network, state, last_good)
        return _finish(network, state, averaging, "interrupted")


def _snapshot(network, state, out=None):
    """The network's snapshot, followed by the averaged parameters if any."""
    n = network.params.size + network.stats.size
    if out is None:
        n_averaged = 0 if state.averaged is None else state.averaged.size
        out = np.empty(n + n_averaged, dtype=network.dtype)
    network.snapshot(out=out[:n])
    if state.averaged is not None:
        out[n:] = state.averaged
    return out


def _restore(network, state, snapshot):
    n = network.params.size + network.stats.size
    network.restore(snapshot[:n])
    if state.averaged is not None:
        state.averaged[...] = snapshot[n:]


class _AveragedParameters:
    """Context in which the network holds the averaged parameters, if any."""

    def __init__(self, network, state, averaging):
        self.network, self.state, self.active = network, state, averaging is not None

    def __enter__(self):
        if self.active:
            self.saved = self.network.params.copy()
            np.copyto(self.network.params, self.state.averaged)

    def __exit__(self, *exc_info):
        if self.active:
            np.copyto(self.network.params, self.saved)


def _record_validation(network, state, validation, averaging):
    """Score the network (averaged, if so) on held-out data: ``(score, loss)``."""
    with _AveragedParameters(network, state, averaging):
        score, loss = validation()
    if math.isnan(score):
        # A scorer undefined on the validation set (R² of one row, ROC AUC of
        # one class) scores NaN, which never beats a best score: early
        # stopping could never pick an epoch. (Diverged epochs, which also
        # score NaN, are recorded elsewhere, with their own message.)
        warnings.warn(
            "The validation score is NaN, so epochs cannot be compared on it: "
            "early stopping keeps the last weights unless an earlier epoch "
            "scored. Check that the scorer is defined on the validation data "
            "(enough rows, every class).",
            RuntimeWarning,
            stacklevel=3,
        )
    if state.early_stopping:  # scikit-learn's validation_scores_
        state.validation_scores.append(score)
    return score, loss


def _update_no_improvement(network, state, epoch_loss, settings):
    """Count epochs without improvement; whether this one is the best yet."""
    tol = settings.tol
    if not settings.early_stopping:
        if epoch_loss > state.best_loss - tol:
            state.no_improvement_count += 1
        else:
            state.no_improvement_count = 0
        is_best = epoch_loss < state.best_loss
        if is_best:
            state.best_loss = epoch_loss
        return is_best
    score = state.validation_scores[-1]
    if score < state.best_validation_score + tol:
        state.no_improvement_count += 1
    else:
        state.no_improvement_count = 0
    is_best = score > state.best_validation_score
    if is_best:
        state.best_validation_score = score
        with _AveragedParameters(network, state, settings.averaging):
            network.snapshot(out=state.best)
    return is_best


def _finish(network, state, averaging, reason, message=""):
    if averaging is not None:
        state.train_params = network.params.copy()
        np.copyto(network.params, state.averaged)
    # The best epoch's snapshot, if any epoch scored: else it would be the
    # weights before training.
    if state.early_stopping and state.best_validation_score > -np.inf:
        network.restore(state.best)
    if averaging is not None:
        state.handed_over = network.params.copy()
    return FitOutcome(reason, message)


def _diverged(
    network,
    state,
    last_good,
    epoch_loss,
    exploded,
    settings,
    events,
    started,
    learning_rate,
):
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
    _restore(network, state, last_good)
    if settings.early_stopping:
        # As scikit-learn records it: the diverged epoch scores NaN.
        state.n_iter += 1
        state.loss = np.nan
        state.validation_scores.append(np.nan)
        message = (
            f"Training diverged at epoch {state.n_iter}: {what}. The weights of "
            f"the best validation score were restored. {hint}"
        )
        events.epoch_end(
            EpochRecord(
                epoch=state.n_iter,
                loss=np.nan,
                val_loss=np.nan,
                val_score=np.nan,
                learning_rate=learning_rate,
                time=time.perf_counter() - started,
                diverged=True,
                message=message,
            )
        )
        return _finish(network, state, settings.averaging, "diverged", message)
    _finish(network, state, settings.averaging, "diverged")
    # Where the weights did become non-finite, scikit-learn's message, word
    # for word (code and scikit-learn's tests match it), comes first.
    if exploded:
        headline = f"Training diverged: {what}"
    else:
        headline = f"{NON_FINITE_WEIGHTS} {what[0].upper()}{what[1:]}"
    raise TrainingDiverged(
        f"{headline} in epoch {state.n_iter + 1}. The weights of the "
        f"last good epoch were kept. {hint}"
    )


def fit_lbfgs(
    network,
    X,
    Y,
    sample_weight=None,
    *,
    alpha,
    l1_ratio=0.0,
    max_iter,
    max_fun,
    tol,
    validation=None,
    observers=(),
):
    """Train ``network`` on the full batch with SciPy's L-BFGS-B.

    Each iteration goes to the ``observers`` as an :class:`EpochRecord`
    (``unit='iteration'``): its loss is the loss after the iteration, and
    ``validation`` (a callable returning ``(score, loss)``, as for
    :func:`fit_stochastic`), if given, scores the iterate after every
    iteration. ``is_best`` marks the lowest training loss so far.

    Returns
    -------
    result : scipy.optimize.OptimizeResult or None
        SciPy's result (``result.fun`` is the final loss and ``result.nit``
        the number of iterations), or None if interrupted (Ctrl-C), which
        leaves the network at the last point where the loss was finite. An
        observer's request to stop ends the fit as SciPy ends it when its
        callback raises ``StopIteration``: ``result.status`` is 99.

    Raises
    ------
    TrainingDiverged
        When the parameters end non-finite; the network is left at the last
        point where the loss was finite.
    """
    params = network.params
    last_good = params.copy()
    events = _Observers(observers)
    events.fit_begin(max_epochs=max_iter, unit="iteration")
    # An iteration starts at the first evaluation after the last one ended,
    # so no iteration is announced that SciPy never runs.
    progress = {"iteration": 0, "open": False, "started": 0.0, "best": math.inf}

    def loss_and_grad(x):
        if not progress["open"]:
            progress["open"] = True
            progress["started"] = time.perf_counter()
            events.epoch_begin(progress["iteration"] + 1)
        params[...] = x
        loss = network.loss_and_gradient(X, Y, sample_weight, alpha, l1_ratio)
        if np.isfinite(loss):
            np.copyto(last_good, params)
        return loss, network.grads.astype(np.float64)

    def record(intermediate_result):
        progress["iteration"] += 1
        progress["open"] = False
        loss = float(intermediate_result.fun)
        val_score = val_loss = None
        if validation is not None:
            # The network holds the last point evaluated, which the line
            # search need not have accepted: score the iterate itself.
            evaluated = params.copy()
            params[...] = intermediate_result.x
            val_score, val_loss = validation()
            params[...] = evaluated
        is_best = loss < progress["best"]
        progress["best"] = min(loss, progress["best"])
        stop = events.epoch_end(
            EpochRecord(
                epoch=progress["iteration"],
                loss=loss,
                val_loss=val_loss,
                val_score=val_score,
                time=time.perf_counter() - progress["started"],
                is_best=is_best,
            )
        )
        if stop:
            raise StopIteration

    outcome = None
    try:
        with single_threaded_scipy_blas():
            result = scipy.optimize.minimize(
                loss_and_grad,
                params.astype(np.float64),
                method="L-BFGS-B",
                jac=True,
                callback=record,
                options={"maxfun": max_fun, "maxiter": max_iter, "gtol": tol},
            )
        if not np.isfinite(result.fun):
            # The loss was never finite: SciPy ends at the initial weights
            # without a step, which would pass for a (useless) fitted model.
            np.copyto(params, last_good)
            outcome = FitOutcome("diverged")
            raise TrainingDiverged(
                "L-BFGS found no finite training loss (it was "
                f"{float(result.fun)} from the initial weights on). The input "
                "data may contain large values and need to be preprocessed "
                "(for example with StandardScaler). The initial weights were kept."
            )
        params[...] = result.x
        if not np.isfinite(params).all():
            np.copyto(params, last_good)
            outcome = FitOutcome("diverged")
            raise TrainingDiverged(
                f"{NON_FINITE_WEIGHTS} Or the learning problem is ill-conditioned. "
                "The last finite weights were kept."
            )
        outcome = FitOutcome("converged" if result.status == 0 else "max_iter")
        return result
    except KeyboardInterrupt:
        warnings.warn("Training interrupted by user.", stacklevel=2)
        np.copyto(params, last_good)
        outcome = FitOutcome("interrupted")
        return None
    finally:
        events.fit_end(outcome)
