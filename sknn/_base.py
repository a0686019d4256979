"""The part of the estimators that classification and regression share.

``BaseMLP`` holds scikit-learn's MLP parameters and contract: it validates
parameters and data, resolves component names and instances into fresh
components, assembles the engine's ``Network``, hands training to the engine
and exposes its state as scikit-learn's fitted attributes. No math is here.
"""

# SPDX-License-Identifier: BSD-3-Clause

import copy
import functools
import inspect
import warnings
from abc import ABC, abstractmethod
from numbers import Integral, Real

import numpy as np
from sklearn import get_config
from sklearn.base import BaseEstimator
from sklearn.callback import CallbackSupportMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import check_scoring, get_scorer_names
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from sknn._callbacks import CallbackObserver
from sknn._component import resolve
from sknn._finite import has_finite_entries
from sknn._inspection import InspectionMixin
from sknn._observers import History, ProgressBar, VerbosePrinter
from sknn._threads import limit_threads
from sknn.activations import ACTIVATIONS, Activation, Logistic
from sknn.engine import (
    FitSettings,
    Network,
    TrainingDiverged,
    TrainingState,
    _per_layer,
    fit_lbfgs,
    fit_stochastic,
)
from sknn.initializers import (
    INITIALIZERS,
    Initializer,
    auto_bias_initializer,
    sklearn_initializer,
)
from sknn.layers import NORMALIZATIONS
from sknn.optimizers import SGD, SOLVERS, Optimizer
from sknn.schedules import SCHEDULES, SGD_ONLY_SCHEDULES, Constant, Schedule

_DTYPES = {"float32": np.float32, "float64": np.float64}


def _is_float32(X):
    dtype = getattr(X, "dtype", None)
    if dtype is None and hasattr(X, "dtypes"):  # a DataFrame
        dtypes = set(X.dtypes)
        dtype = dtypes.pop() if len(dtypes) == 1 else None
    return dtype == np.float32


def _accepts_sample_weight(scorer):
    """Whether calling ``scorer`` with ``sample_weight=`` is valid.

    A scikit-learn scorer object takes the argument whatever its metric, and
    hands it on: its metric (``_score_func``) decides.
    """
    scorer = getattr(scorer, "_score_func", scorer)
    try:
        parameters = inspect.signature(scorer).parameters.values()
    except (TypeError, ValueError):  # no signature to read
        return False
    return any(
        p.name == "sample_weight" or p.kind is inspect.Parameter.VAR_KEYWORD
        for p in parameters
    )


@functools.lru_cache(maxsize=16)
def _starting_state(seed):
    """The state of ``np.random.RandomState(seed)`` before any draw."""
    return np.random.RandomState(seed).get_state(legacy=False)


class BaseMLP(InspectionMixin, CallbackSupportMixin, BaseEstimator, ABC):
    """Base class of the multi-layer perceptron estimators.

    Not to be used directly: use ``MLPClassifier`` or ``MLPRegressor``.
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions(set(ACTIVATIONS)), Activation, list],
        "solver": [StrOptions(set(SOLVERS)), Optimizer],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [
            StrOptions({"auto", "full"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate": [StrOptions(set(SCHEDULES)), Schedule],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "dtype": [None, StrOptions(set(_DTYPES)), Options(type, set(_DTYPES.values()))],
        "n_threads": [None, Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left"), list],
        "input_dropout": [Interval(Real, 0, 1, closed="left")],
        "input_noise": [Interval(Real, 0, None, closed="left")],
        "normalization": [None, StrOptions(set(NORMALIZATIONS)), list],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "max_norm": [None, Interval(Real, 0, None, closed="neither")],
        "clip_grad_norm": [None, Interval(Real, 0, None, closed="neither")],
        "weight_init": [StrOptions({"auto"} | set(INITIALIZERS)), Initializer],
        "bias_init": [
            StrOptions({"auto"} | set(INITIALIZERS)),
            Initializer,
            Interval(Real, None, None, closed="neither"),
        ],
        "weight_averaging": [None, Interval(Real, 0, 1, closed="neither")],
        "scoring": [None, StrOptions(set(get_scorer_names()) | {"loss"}), callable],
        "progress_bar": ["boolean"],
    }

    @abstractmethod
    def __init__(
        self,
        hidden_layer_sizes,
        activation,
        solver,
        alpha,
        batch_size,
        learning_rate,
        learning_rate_init,
        power_t,
        max_iter,
        loss,
        shuffle,
        random_state,
        tol,
        verbose,
        warm_start,
        momentum,
        nesterovs_momentum,
        early_stopping,
        validation_fraction,
        beta_1,
        beta_2,
        epsilon,
        n_iter_no_change,
        max_fun,
        dtype,
        n_threads,
        dropout,
        input_dropout,
        input_noise,
        normalization,
        l1_ratio,
        max_norm,
        clip_grad_norm,
        weight_init,
        bias_init,
        weight_averaging,
        scoring,
        progress_bar,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.loss = loss
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dtype = dtype
        self.n_threads = n_threads
        self.dropout = dropout
        self.input_dropout = input_dropout
        self.input_noise = input_noise
        self.normalization = normalization
        self.l1_ratio = l1_ratio
        self.max_norm = max_norm
        self.clip_grad_norm = clip_grad_norm
        self.weight_init = weight_init
        self.bias_init = bias_init
        self.weight_averaging = weight_averaging
        self.scoring = scoring
        self.progress_bar = progress_bar

    # ----------------------------------------------------------------------
    # Subclass hooks

    @abstractmethod
    def _validate_input(self, X, y, incremental, reset, dtype):
        """Validate ``X`` and ``y``; return ``X`` and 2-d encoded targets."""

    @abstractmethod
    def _make_loss(self):
        """The loss component for the encoded targets of this fit."""

    @abstractmethod
    def _encode_targets(self, y):
        """Encode validation targets like the training ones (2-d)."""

    @abstractmethod
    def _decode_targets(self, Y):
        """Targets as the user gave them, from their 2-d encoding."""

    @abstractmethod
    def _default_score(self, P, Y, sample_weight):
        """scikit-learn's validation score of predictions ``P`` (after the link)."""

    def _sample_weight_from_targets(self, Y, sample_weight):
        """Combine ``sample_weight`` with weights derived from targets (none here)."""
        return sample_weight

    # ----------------------------------------------------------------------
    # Parameters to components

    def _hidden_layer_sizes(self):
        sizes = self.hidden_layer_sizes
        if not hasattr(sizes, "__iter__"):
            sizes = [sizes]
        sizes = list(sizes)
        for size in sizes:
            if not isinstance(size, Integral) or isinstance(size, bool) or size <= 0:
                raise ValueError(
                    f"hidden_layer_sizes must contain positive integers, got {sizes}."
                )
        return [int(s) for s in sizes]

    def _resolve_optimizer(self):
        return resolve(
            self.solver,
            SOLVERS,
            "solver",
            momentum=self.momentum,
            nesterov=self.nesterovs_momentum,
            beta_1=self.beta_1,
            beta_2=self.beta_2,
            epsilon=self.epsilon,
            max_fun=self.max_fun,
        )

    def _resolve_schedule(self, optimizer):
        if (
            isinstance(self.learning_rate, str)
            and self.learning_rate in SGD_ONLY_SCHEDULES
            and not isinstance(optimizer, SGD)
        ):
            warnings.warn(
                f"learning_rate={self.learning_rate!r} applies to the SGD solvers "
                "only ('sgd', 'momentum', 'nesterov'), as in scikit-learn; "
                f"{type(optimizer).__name__} trains at the constant "
                "learning_rate_init. Pass a schedule instance to apply it.",
                UserWarning,
                stacklevel=4,
            )
            return Constant()
        return resolve(
            self.learning_rate, SCHEDULES, "learning_rate", power_t=self.power_t
        )

    def _input_dtype(self, first_pass):
        if not first_pass:
            return self._network.dtype.type
        if self.dtype is None:
            return (np.float64, np.float32)
        return _DTYPES.get(self.dtype, self.dtype)

    def _resolve_activations(self, n_hidden):
        if isinstance(self.activation, list):
            if len(self.activation) != n_hidden:
                raise ValueError(
                    f"activation has {len(self.activation)} entries for {n_hidden} "
                    "hidden layers; give one per hidden layer, or a single one."
                )
            return [resolve(a, ACTIVATIONS, "activation") for a in self.activation]
        return [resolve(self.activation, ACTIVATIONS, "activation")] * n_hidden

    def _resolve_initializers(self, activations):
        """Weight and bias initializers of each dense layer."""
        if activations:
            after_layer = [*activations, activations[-1]]
        else:
            # No hidden layer: the output layer's initialization follows
            # ``activation`` as scikit-learn's does, or the default for an
            # empty list (one entry per hidden layer, of which there are none).
            single = self.activation if self.activation != [] else "relu"
            after_layer = [resolve(single, ACTIVATIONS, "activation")]
        if self.weight_init == "auto":
            # scikit-learn's rule: Glorot's bound, factor 2 before logistic
            # units, 6 otherwise; the output layer follows the last hidden one.
            weight_inits = [
                sklearn_initializer("logistic" if isinstance(a, Logistic) else "other")
                for a in after_layer
            ]
        else:
            weight_inits = [resolve(self.weight_init, INITIALIZERS, "weight_init")]
            weight_inits *= len(after_layer)
        if isinstance(self.bias_init, str) and self.bias_init == "auto":
            return weight_inits, [auto_bias_initializer(w) for w in weight_inits]
        if isinstance(self.bias_init, Real):
            bias_init = INITIALIZERS["constant"](value=float(self.bias_init))
        else:
            bias_init = resolve(self.bias_init, INITIALIZERS, "bias_init")
        return weight_inits, [bias_init] * len(after_layer)

    def _has_dropout(self):
        dropout = self.dropout if isinstance(self.dropout, list) else [self.dropout]
        return bool(self.input_dropout or any(dropout))

    def _validate_per_layer(self, n_hidden):
        for name, valid in [
            ("dropout", lambda v: isinstance(v, Real) and 0 <= v < 1),
            ("normalization", lambda v: v is None or v in NORMALIZATIONS),
        ]:
            value = getattr(self, name)
            if isinstance(value, list) and (
                len(value) != n_hidden or not all(valid(v) for v in value)
            ):
                raise ValueError(
                    f"{name}={value!r} must have one valid entry per hidden layer "
                    f"({n_hidden})."
                )

    def _check_batch_norm_batches(self, optimizer, n_hidden):
        # A lone row has no variance: batch norm would standardize every
        # batch with fixed statistics, never its own. (A trailing one-row
        # batch, which the user does not choose, is handled by the layer.)
        if (
            optimizer.stochastic
            and self.batch_size == 1
            and "batch" in _per_layer(self.normalization, n_hidden)
        ):
            raise ValueError(
                "normalization='batch' needs batches of at least 2 samples to "
                "estimate their mean and variance, but batch_size=1. Use a larger "
                "batch_size, or normalization='layer', which does not depend on "
                "the batch."
            )

    def _check_solver_supports(self, optimizer):
        if not optimizer.stochastic and (
            self._has_dropout()
            or self.input_noise
            or self.weight_averaging
            or self.max_norm is not None
            or self.clip_grad_norm is not None
        ):
            raise ValueError(
                "dropout, input_dropout, input_noise, weight_averaging, max_norm "
                "and clip_grad_norm need a stochastic solver; L-BFGS minimizes a "
                "deterministic full-batch loss without per-step constraints."
            )

    # ----------------------------------------------------------------------
    # Fitting

    def _fit(
        self,
        X,
        y,
        sample_weight=None,
        incremental=False,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
    ):
        # What watches the epochs; a progress bar without tqdm fails here,
        # before anything changes.
        watchers = self._watchers()
        hidden = self._hidden_layer_sizes()
        self._validate_per_layer(len(hidden))
        # Settings the solver cannot honour fail before anything is built, so
        # a refused call leaves a fitted model as it was.
        optimizer = self._resolve_optimizer()
        self._check_solver_supports(optimizer)
        self._check_batch_norm_batches(optimizer, len(hidden))
        if self.early_stopping and incremental:
            raise ValueError(
                "partial_fit does not support early_stopping=True; pass X_val and "
                "y_val to record validation scores and stop when they stall."
            )
        first_pass = not hasattr(self, "coefs_") or (
            not self.warm_start and not incremental
        )
        X, Y = self._validate_input(
            X, y, incremental, reset=first_pass, dtype=self._input_dtype(first_pass)
        )
        callback_metadata = (
            None if sample_weight is None else {"sample_weight": sample_weight}
        )
        sample_weight = self._check_weights(sample_weight, X, Y)
        # scikit-learn's callbacks: the call is the root task, each epoch
        # (L-BFGS iteration) a subtask seeing all the training data.
        callback_context = self._init_callback_context(
            max_subtasks=1 if incremental else self.max_iter
        )
        callback_context.call_on_fit_task_begin(
            estimator=self, X=X, y=y, metadata=callback_metadata
        )
        callbacks = CallbackObserver(self, callback_context, X, y, callback_metadata)
        watchers.append(callbacks)
        validation_data = None
        if X_val is not None or y_val is not None or sample_weight_val is not None:
            validation_data = self._validate_validation_data(
                X_val, y_val, sample_weight_val, X.dtype, n_outputs=Y.shape[1]
            )
        loss = self._make_loss()
        loss.check_targets(Y)
        if validation_data is not None:
            try:
                loss.check_targets(validation_data[1])
            except ValueError as error:
                raise ValueError(f"y_val: {error}") from None
        self._random_state = self._fresh_random_state()
        if (
            not first_pass
            and optimizer.stochastic
            and self.early_stopping
            and validation_data is None
        ):
            # A split that fails must leave a continued model as it was, so
            # it comes before the network takes new settings. (A first fit
            # splits after initializing, scikit-learn's order of draws.)
            X, Y, sample_weight, *validation_data = self._split_validation(
                X, Y, sample_weight
            )

        activations = self._resolve_activations(len(hidden))
        if first_pass:
            self._network = self._build_network(X, Y, hidden, loss, activations)
            self._network_parameters = self._network_settings(activations)
            self._state = None
            self._noise_random_state = None
            self._history = History()
        else:
            self._check_architecture(hidden, Y)
            self._sync_network()
            self._apply_network_settings(X, Y, hidden, loss, activations)
            self._network.loss = loss
            if not hasattr(self, "_history"):  # pickled by an older sknn
                self._history = History.from_loss_curve(self.loss_curve_ or [])
        self.coefs_ = list(self._network.coefs)
        self.intercepts_ = list(self._network.intercepts)
        self.n_outputs_ = Y.shape[1]
        self.n_layers_ = len(hidden) + 2
        self.out_activation_ = loss.out_activation

        try:
            # A diverging run overflows in NumPy's products before the
            # divergence check stops it with its own message (which keeps
            # the last good weights); NumPy's warnings would only precede it.
            with (
                limit_threads(self.n_threads),
                np.errstate(over="ignore", invalid="ignore"),
            ):
                observers = [self._history, *watchers]
                if optimizer.stochastic:
                    self._fit_stochastic(
                        X,
                        Y,
                        sample_weight,
                        optimizer,
                        incremental,
                        validation_data,
                        observers,
                    )
                else:
                    self._fit_lbfgs(
                        X, Y, sample_weight, optimizer, validation_data, observers
                    )
        finally:
            self._network.release()
        # No fitted_estimator for the whole call: its epochs carry theirs.
        callback_context.call_on_fit_task_end(
            estimator=self, X=callbacks.X, y=callbacks.y, metadata=callbacks.metadata
        )
        return self

    def _fresh_random_state(self):
        """``check_random_state(self.random_state)``, cheaper for an integer.

        A new ``RandomState(seed)`` costs about 250 us (it first seeds itself
        from fresh entropy, then replaces that by the seed's state), which
        every ``partial_fit`` call would pay; the generator made for this
        estimator is reset to the seed's starting state instead (about 50
        us), the same stream.
        """
        seed = self.random_state
        if not isinstance(seed, Integral):
            return check_random_state(seed)
        rng = getattr(self, "_seeded_random_state", None)
        if rng is None:
            rng = self._seeded_random_state = np.random.RandomState(seed)
        else:
            rng.set_state(_starting_state(int(seed)))
        return rng

    def _continued_noise_stream(self):
        """Dropout and noise stream of a call that continues a model, or None.

        An integer ``random_state`` restarts the fit's stream on every call
        (scikit-learn's contract: each call shuffles alike), which would give
        every ``partial_fit`` or warm-started call the dropout masks and noise
        of the one before; with one-row calls the same units would always be
        dropped and never train. Continued calls draw them from a stream of
        their own, seeded from ``random_state`` on the first continued call
        after the model was built and carried across the later ones: the
        same calls still give the same model.
        """
        seed = self.random_state
        if not isinstance(seed, Integral) or self._state.t == 0:
            return None  # a stream that carries on anyway, or a first pass
        if getattr(self, "_noise_random_state", None) is None:
            # Distinct from the shuffling stream RandomState(seed).
            self._noise_random_state = np.random.RandomState([int(seed), 1])
        return self._noise_random_state

    def _check_weights(self, sample_weight, X, Y):
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=X.dtype, ensure_non_negative=True
            )
        sample_weight = self._sample_weight_from_targets(Y, sample_weight)
        if sample_weight is not None and not sample_weight.sum() > 0:
            raise ValueError("sample_weight must not sum to zero.")
        return sample_weight

    def _validate_validation_data(
        self, X_val, y_val, sample_weight_val, dtype, *, n_outputs
    ):
        """Validate and encode validation data given to ``fit``.

        ``y_val`` must encode to the training targets' ``n_outputs`` columns.
        Returns ``(X_val, Y_val, sample_weight_val, X_val_raw, y_val_raw)``:
        the raw ones are what a scorer receives.
        """
        if X_val is None or y_val is None:
            raise ValueError(
                "X_val and y_val must be given together (and sample_weight_val "
                "only with them)."
            )
        X_raw, y_raw = X_val, y_val
        X_val = validate_data(
            self, X_val, accept_sparse=["csr", "csc"], dtype=dtype, reset=False
        )
        Y_val = self._encode_targets(y_val)
        if Y_val.shape[1] != n_outputs:
            raise ValueError(
                f"y_val has {Y_val.shape[1]} output(s) where the training targets "
                f"have {n_outputs}."
            )
        if X_val.shape[0] != Y_val.shape[0]:
            raise ValueError(
                f"X_val and y_val have different numbers of samples: "
                f"{X_val.shape[0]} and {Y_val.shape[0]}."
            )
        sw_val = self._check_weights(sample_weight_val, X_val, Y_val)
        return X_val, Y_val, sw_val, X_raw, y_raw

    def _assemble_network(
        self, n_features, n_outputs, hidden, loss, activations, dtype
    ):
        """The network of these settings, its parameters not initialized."""
        return Network(
            n_features,
            hidden,
            n_outputs,
            activations,
            loss,
            dtype,
            normalization=self.normalization,
            dropout=self.dropout,
            input_dropout=self.input_dropout,
            input_noise=self.input_noise,
        )

    def _build_network(self, X, Y, hidden, loss, activations):
        network = self._assemble_network(
            X.shape[1], Y.shape[1], hidden, loss, activations, X.dtype
        )
        weight_inits, bias_inits = self._resolve_initializers(activations)
        network.initialize(self._random_state, weight_inits, bias_inits)
        return network

    def _check_architecture(self, hidden, Y):
        built = [d.n_units for d in self._network.dense_layers]
        if built != hidden + [Y.shape[1]]:
            raise ValueError(
                f"warm_start and partial_fit need the architecture of the first fit "
                f"(layers {built[:-1]}, {built[-1]} outputs); got "
                f"hidden_layer_sizes={hidden} with {Y.shape[1]} outputs."
            )

    def _network_settings(self, activations):
        """What the network is built from besides its sizes, compared by value.

        Activations (resolved, one per hidden layer) by their configuration
        ('relu' and ``ReLU()`` are one), rates as floats, one entry per hidden
        layer.
        """
        n_hidden = len(activations)
        return {
            # (type, parameters): repr would cost ~0.4 ms a partial_fit call.
            "activation": [(type(a), a.get_params(deep=False)) for a in activations],
            "dropout": [float(d) for d in _per_layer(self.dropout, n_hidden)],
            "input_dropout": float(self.input_dropout),
            "input_noise": float(self.input_noise),
            "normalization": _per_layer(self.normalization, n_hidden),
        }

    def _apply_network_settings(self, X, Y, hidden, loss, activations):
        """Carry a continued fit's changed settings over to its network.

        New activations, dropout rates or input noise (scikit-learn's warm
        start applies a new activation to the old weights) rebuild the
        network's layers around the same parameters, whose layout they leave
        alone. Normalization adds parameters of its own and ``dtype`` would
        convert the trained ones: changing either is refused.
        """
        network = self._network
        if self.dtype is not None:
            dtype = np.dtype(_DTYPES.get(self.dtype, self.dtype))
            if dtype != network.dtype:
                raise ValueError(
                    f"warm_start and partial_fit continue the {network.dtype} "
                    f"network of the first fit; got dtype={self.dtype!r}. Fit "
                    "with warm_start=False to build a new network."
                )
        settings = self._network_settings(activations)
        built = getattr(self, "_network_parameters", None)
        if built is None or set(built) != set(settings):
            # Pickled before the settings were recorded in this form: nothing
            # to compare with; what is set now is taken as built.
            self._network_parameters = settings
            return
        if settings == built:
            return
        if settings["normalization"] != built["normalization"]:
            raise ValueError(
                "warm_start and partial_fit continue the network of the first "
                f"fit, built with normalization={built['normalization']}; got "
                f"{settings['normalization']}. Fit with warm_start=False to build "
                "a new network."
            )
        rebuilt = self._assemble_network(
            X.shape[1], Y.shape[1], hidden, loss, activations, network.dtype
        )
        rebuilt.params[...] = network.params
        rebuilt.stats[...] = network.stats
        self._network = rebuilt
        self._network_parameters = settings

    def _sync_network(self):
        """Make the network hold ``coefs_``/``intercepts_``, which the user owns.

        The fitted attributes are views into the network's flat parameters;
        after unpickling, or if the user assigned new arrays, they are copied
        back in and the views restored.
        """
        network = self._network
        if not self._coefs_are_network_views():
            # Into a copy of the network: a shallow copy of the estimator
            # (copy.copy) shares it with the original, whose weights the new
            # arrays must leave alone, as they do in scikit-learn.
            network = self._network = copy.deepcopy(network)
            network.set_coefs(self.coefs_, self.intercepts_)
            self.coefs_ = list(network.coefs)
            self.intercepts_ = list(network.intercepts)
        return network

    def _coefs_are_network_views(self):
        network = self._network
        mine = [*self.coefs_, *self.intercepts_]
        views = [*network.coefs, *network.intercepts]
        return len(mine) == len(views) and all(
            a is b for a, b in zip(mine, views, strict=True)
        )

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size == "full":
            return n_samples
        if self.batch_size > n_samples:
            warnings.warn(
                "Got `batch_size` less than 1 or larger than sample size. It is "
                "going to be clipped",
                stacklevel=4,
            )
        return int(np.clip(self.batch_size, 1, n_samples))

    def _fit_stochastic(
        self, X, Y, sample_weight, optimizer, incremental, validation_data, observers
    ):
        network = self._network
        if not incremental or not hasattr(self, "_optimizer"):
            optimizer.build(
                network.params.size, network.dtype, n_decayed=network.n_weights
            )
            self._optimizer = optimizer
            self._schedule = self._resolve_schedule(optimizer)
            if self._state is not None:
                self._state.learning_rate = None
        if self._state is None:
            self._state = TrainingState.start(network, self.early_stopping)
        else:
            self._state.monitor(network, self.early_stopping)

        if validation_data is None and self.early_stopping:
            X, Y, sample_weight, *validation_data = self._split_validation(
                X, Y, sample_weight
            )
        evaluate = None
        if validation_data is not None:
            evaluate = self._validation_evaluator(network, *validation_data)
        if Y.dtype != bool:  # class indicators stay compact; batches convert
            Y = Y.astype(network.dtype, copy=False)

        settings = FitSettings(
            learning_rate_init=self.learning_rate_init,
            alpha=self.alpha,
            batch_size=self._batch_size(X.shape[0]),
            max_iter=self.max_iter,
            shuffle=self.shuffle,
            tol=self.tol,
            n_iter_no_change=self.n_iter_no_change,
            early_stopping=self.early_stopping,
            l1_ratio=self.l1_ratio,
            max_norm=self.max_norm,
            clip_grad_norm=self.clip_grad_norm,
            averaging=self.weight_averaging,
            incremental=incremental,
        )
        try:
            outcome = fit_stochastic(
                network,
                X,
                Y,
                sample_weight,
                settings=settings,
                optimizer=self._optimizer,
                schedule=self._schedule,
                state=self._state,
                rng=self._random_state,
                validation=evaluate,
                noise_rng=self._continued_noise_stream(),
                observers=observers,
            )
        except TrainingDiverged as exc:
            self._export_state()
            raise ValueError(str(exc)) from None
        self._export_state()
        if outcome.reason == "diverged":
            warnings.warn(outcome.message, RuntimeWarning, stacklevel=3)
        elif outcome.reason == "max_iter":
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached "
                "and the optimization hasn't converged yet.",
                ConvergenceWarning,
                stacklevel=3,
            )

    def _watchers(self):
        """What watches a call's epochs besides the history: the verbose
        lines and the progress bar."""
        watchers = []
        if self.verbose:
            watchers.append(VerbosePrinter(level=int(self.verbose)))
        if self.progress_bar:
            watchers.append(ProgressBar(type(self).__name__))
        return watchers

    def _validation_evaluator(self, network, X_val, Y_val, sw_val, X_raw, y_raw):
        """A callable returning the ``(score, loss)`` of ``network`` on held-out data.

        The score is scikit-learn's (accuracy or R²) by default, minus the
        validation loss with ``scoring='loss'``, or any scikit-learn scorer,
        which is called on this estimator mid-training (its ``coefs_`` are
        views of the network being trained).
        """
        Y_float = Y_val.astype(network.dtype)
        scorer = None
        scorer_weights = {}
        if self.scoring not in (None, "loss"):
            scorer = check_scoring(self, scoring=self.scoring)
            # scikit-learn's scorers take sample weights; a plain callable
            # ``scorer(estimator, X, y)`` gets them only if it asks for them.
            if sw_val is not None and _accepts_sample_weight(scorer):
                scorer_weights = {"sample_weight": sw_val}

        def evaluate():
            P = network.predict(X_val)
            if not np.isfinite(P).all():
                return np.nan, np.nan
            loss = network.loss.value(Y_float, P, sw_val)
            if self.scoring is None:
                return self._default_score(P, Y_val, sw_val), loss
            if scorer is None:
                return -loss, loss
            with warnings.catch_warnings():
                # A split of validated arrays carries no feature names.
                warnings.filterwarnings("ignore", "X does not have valid feature")
                return float(scorer(self, X_raw, y_raw, **scorer_weights)), loss

        return evaluate

    def _validation_strata(self, Y):
        """Labels to stratify the early-stopping split by, or None.

        Returns ``(strata, required)``: when stratifying is not required, a
        split the stratifier refuses (a class too rare to appear in both
        parts) falls back to a plain split.
        """
        return None, False

    def _split_validation(self, X, Y, sample_weight):
        arrays = (X, Y) if sample_weight is None else (X, Y, sample_weight)
        split = functools.partial(
            train_test_split,
            *arrays,
            random_state=self._random_state,
            test_size=self.validation_fraction,
        )
        strata, required = self._validation_strata(Y)
        try:
            parts = split(stratify=strata)
        except ValueError:
            if strata is None or required:
                raise
            # The stratifier refuses before drawing from the random stream,
            # so the plain split is the one scikit-learn would draw.
            parts = split(stratify=None)
        X_train, X_val, Y_train, Y_val = parts[:4]
        sw_train, sw_val = parts[4:] if sample_weight is not None else (None, None)
        if X_val.shape[0] < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' "
                "or the size of your dataset."
            )
        if sample_weight is not None:
            for part, weights in (("training", sw_train), ("validation", sw_val)):
                if not weights.sum() > 0:
                    raise ValueError(
                        f"The sample weights of the {part} part of the "
                        "early-stopping split sum to zero; give more samples a "
                        "positive weight, or change validation_fraction or "
                        "random_state."
                    )
        y_raw = self._decode_targets(Y_val)
        return X_train, Y_train, sw_train, X_val, Y_val, sw_val, X_val, y_raw

    def _fit_lbfgs(self, X, Y, sample_weight, optimizer, validation_data, observers):
        network = self._network
        evaluate = None
        if validation_data is not None:
            evaluate = self._validation_evaluator(network, *validation_data)
        n_before = len(self._history.loss_curve)
        try:
            result = fit_lbfgs(
                network,
                X,
                Y.astype(network.dtype, copy=False),
                sample_weight,
                alpha=self.alpha,
                l1_ratio=self.l1_ratio,
                max_iter=self.max_iter,
                max_fun=optimizer.max_fun,
                tol=self.tol,
                validation=evaluate,
                observers=observers,
            )
        except TrainingDiverged as exc:
            self._export_lbfgs(n_iter=len(self._history.loss_curve) - n_before)
            raise ValueError(str(exc)) from None
        if result is None:  # interrupted
            self._export_lbfgs(n_iter=len(self._history.loss_curve) - n_before)
            return
        n_iter = min(result.nit, self.max_iter)
        self._export_lbfgs(n_iter=n_iter, loss=float(result.fun))
        if result.status not in (0, 99):  # 99: a callback asked to stop
            message = (
                f"lbfgs failed to converge after {n_iter} iteration(s) "
                f"(status={result.status}):\n{result.message}\n"
            )
            if n_iter == self.max_iter:
                message += (
                    "\nIncrease the number of iterations to improve the "
                    f"convergence (max_iter={self.max_iter})."
                )
            message += (
                "\nYou might also want to scale the data as shown in:\n"
                "    https://scikit-learn.org/stable/modules/preprocessing.html"
            )
            warnings.warn(message, ConvergenceWarning, stacklevel=3)

    # ----------------------------------------------------------------------
    # Fitted attributes

    def _export_state(self):
        state = self._state
        self.n_iter_ = state.n_iter
        self.t_ = state.t
        self.loss_ = state.loss
        self.best_loss_ = state.best_loss
        self.validation_scores_ = state.validation_scores
        self.best_validation_score_ = state.best_validation_score
        self._no_improvement_count = state.no_improvement_count
        self._export_history()

    def _export_lbfgs(self, n_iter, loss=None):
        losses = self._history.loss_curve
        self.n_iter_ = n_iter
        self.t_ = 0
        self.loss_ = loss if loss is not None else (losses[-1] if losses else None)
        self.best_loss_ = min(losses) if losses else self.loss_
        # Early stopping does not apply to L-BFGS.
        self.validation_scores_ = None
        self.best_validation_score_ = None
        self._export_history()

    def _export_history(self):
        history = self._history
        self.loss_curve_ = history.loss_curve
        self.validation_loss_curve_ = history.validation_loss_curve
        self.learning_rate_curve_ = history.learning_rate_curve
        self.epoch_times_ = history.epoch_times

    @property
    def history_(self):
        """Every epoch of every call since the model was built, by column.

        A dict of equal-length NumPy arrays, one entry per epoch (per
        iteration for L-BFGS) of ``fit``, warm-started fits and
        ``partial_fit`` calls, NaN where a quantity was not measured:
        ``epoch`` (from 1), ``call`` (from 0), ``loss``, ``val_loss``,
        ``val_score``, ``learning_rate``, ``epoch_time`` (seconds) and
        ``is_best`` (the monitored quantity's best value so far: the
        validation score under early stopping, else the training loss).
        ``pandas.DataFrame(est.history_)`` gives the table.
        """
        check_is_fitted(self, "_history")
        return self._history.as_dict()

    # ----------------------------------------------------------------------
    # Prediction

    def _raw_output(self, X):
        """Validated ``X`` through the fitted network, before the output link.

        The computation follows NumPy's promotion of the network's dtype and
        ``X``'s: float32 only when both are, so a float32 model predicts
        float64 inputs in float64 and float32 inputs on the fast float32
        path. A row's output depends on the other rows of ``X`` only through
        rounding: BLAS sums a product's terms in an order that depends on the
        shape of the block the row falls in (and on the kernel and thread
        count), so predicting in chunks differs from one pass in the last
        bits, about 1e-15 in float64 and 1e-7 in float32 (measured on digits
        under OpenBLAS's Haswell and SkylakeX kernels).
        """
        if not hasattr(self, "_network"):  # check_is_fitted(self) costs ~25 us
            check_is_fitted(self, "_network")  # raises NotFittedError
        network = self._sync_network()
        dtype = self._prediction_dtype(X)
        with limit_threads(self.n_threads):
            if self._is_ready_input(X, dtype, check_finite=False):
                # The network checks X's entries in its first layer, from the
                # product X @ W (Network.raw_output): about 0.3 % of
                # predict_proba's time on 10,000 rows of the small float64
                # network, where the row sums of X took 3-4 %.
                raw = network.raw_output(
                    X, check_finite=not get_config()["assume_finite"]
                )
                if raw is not None:
                    return raw
                # A NaN or an infinity, or finite entries whose sums
                # overflow: scikit-learn's check tells them apart.
            X = self._validate_for_prediction(X, dtype)
            return network.raw_output(X)

    def _prediction_dtype(self, X):
        """The dtype a prediction on ``X`` computes in: float32 only where the
        network and ``X`` both are (see :meth:`_raw_output`)."""
        return np.result_type(
            self._network.dtype, np.float32 if _is_float32(X) else np.float64
        )

    def _is_ready_input(self, X, dtype, check_finite=True):
        """Whether ``validate_data(self, X, reset=False)`` would return ``X``
        itself, without a warning.

        True for a 2-d ndarray of ``dtype`` with the fitted number of
        features, at least one row and, with ``check_finite``, finite
        entries (:func:`~sknn._finite.has_finite_entries`), on a model fitted
        without feature names. scikit-learn's checks cost about 200 us a call
        (dataframe detection, feature names), ten times the network's
        forward pass on a few rows; callers skip them for such arrays and
        send anything else through ``validate_data``, which converts it or
        raises its errors and warnings. Like scikit-learn, the finiteness
        check is skipped under ``assume_finite``.
        """
        return (
            type(X) is np.ndarray
            and X.ndim == 2
            and X.dtype == dtype
            and X.shape[0] > 0
            and X.shape[1] == self.n_features_in_
            and not hasattr(self, "feature_names_in_")
            and (
                not check_finite
                or get_config()["assume_finite"]
                or has_finite_entries(X)
            )
        )

    def _validate_for_prediction(self, X, dtype):
        """``X`` checked by ``validate_data(self, X, reset=False)``."""
        return validate_data(
            self, X, accept_sparse=["csr", "csc"], dtype=dtype.type, reset=False
        )

    def _predict_values(self, X):
        """Network predictions after the output link (probabilities, values)."""
        raw = self._raw_output(X)
        return self._network.loss.predict_link(raw)

    def _check_stochastic_solver(self):
        solver = self.solver
        stochastic = (
            solver.stochastic if isinstance(solver, Optimizer) else solver != "lbfgs"
        )
        if not stochastic:
            raise AttributeError(
                "partial_fit is only available for stochastic optimizers. "
                f"{solver} is not stochastic."
            )
        return True

    def __getstate__(self):
        # coefs_ and intercepts_ are views into the network's parameters,
        # which are pickled once, with the network.
        state = dict(super().__getstate__())
        if "_network" in state and self._coefs_are_network_views():
            state.pop("coefs_", None)
            state.pop("intercepts_", None)
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if "_network" in state and "coefs_" not in state:
            self.coefs_ = list(self._network.coefs)
            self.intercepts_ = list(self._network.intercepts)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
