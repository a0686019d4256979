"""MLPClassifier and MLPRegressor: drop-in replacements for scikit-learn's."""

# SPDX-License-Identifier: BSD-3-Clause

import numbers

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin, _fit_context
from sklearn.metrics import accuracy_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import column_or_1d
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call,
    type_of_target,
    unique_labels,
)
from sklearn.utils.validation import check_array, validate_data

from sknn._base import BaseMLP
from sknn._component import resolve
from sknn._finite import has_finite_entries
from sknn._scores import r2_score_of_checked
from sknn.losses import LOSSES, REGRESSION_LOSSES, BinaryLogLoss, LogLoss, Loss

_COMMON_PARAMETERS = """\
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        The ith element is the number of units in the ith hidden layer. An
        empty tuple gives a network without hidden layers (a linear model).

    activation : str, list or Activation, default='relu'
        Activation of the hidden layers: scikit-learn's 'identity'
        (``f(x) = x``), 'logistic' (``f(x) = 1 / (1 + exp(-x))``), 'tanh' or
        'relu' (``f(x) = max(0, x)``), or 'leaky_relu', 'elu', 'selu',
        'softplus', 'gelu', 'silu'; an instance from ``sknn.activations``; or
        a list with one of these per hidden layer.

    solver : str or Optimizer, default='adam'
        The weight optimizer. scikit-learn's three: 'lbfgs' (quasi-Newton,
        full batch; good on small data), 'sgd' (stochastic gradient descent,
        Nesterov momentum by default) and 'adam'; and 'momentum' (classical
        momentum), 'nesterov', 'adagrad', 'adadelta', 'rmsprop', 'adamw',
        'nadam', 'adamax' (see the user guide's optimizers page). Or an instance from
        ``sknn.optimizers``, whose own hyper-parameters (``weight_decay``,
        ``amsgrad``, ...) then replace ``momentum``, ``nesterovs_momentum``,
        ``beta_1``, ``beta_2``, ``epsilon`` and ``max_fun`` and are tunable as
        ``solver__<name>``. Named solvers take the flat parameters they share
        a name with and their own defaults otherwise.

    alpha : float, default=0.0001
        Strength of the L2 penalty, divided by the batch's total sample weight.

    batch_size : int, 'auto' or 'full', default='auto'
        Rows per mini-batch of the stochastic solvers; 'auto' is
        ``min(200, n_samples)``, 'full' the whole training set (full-batch
        gradient descent) and 1 single-sample SGD. Ignored by 'lbfgs'.

    learning_rate : str or Schedule, default='constant'
        Learning-rate schedule: 'constant' keeps ``learning_rate_init``;
        'invscaling' decays it as ``learning_rate_init / (t + 1) ** power_t``
        after each epoch, ``t`` the samples seen; 'adaptive' divides it by 5
        each time training stalls for ``n_iter_no_change`` epochs. As in
        scikit-learn these two apply to the SGD solvers only (with other
        solvers they warn and keep the rate constant). The other names,
        'step', 'exponential', 'inverse_time', 'cosine', 'cyclic',
        'one_cycle', 'plateau' and 'warmup', and any instance from
        ``sknn.schedules`` apply to every stochastic solver (see the user
        guide's optimizers page).

    learning_rate_init : float, default=0.001
        Initial learning rate of the stochastic solvers.

    power_t : float, default=0.5
        Exponent of 'invscaling'. Ignored when ``learning_rate`` is an
        instance.

    max_iter : int, default=200
        Maximum number of epochs of the stochastic solvers, or of iterations
        of 'lbfgs'.

    shuffle : bool, default=True
        Whether to shuffle the samples every epoch.

    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialization, the early-stopping split and the
        shuffling. Pass an int for reproducible results.

    tol : float, default=1e-4
        Minimum improvement of the loss (or validation score) that counts;
        after ``n_iter_no_change`` epochs without it, training stops (or
        'adaptive' lowers the rate).

    verbose : bool or int, default=False
        Print progress: 1 (or True) prints scikit-learn's lines, the loss of
        every epoch and, where validation data is scored, its score, and the
        notice when the monitored quantity stops improving; 2 or more adds
        a line per epoch with the validation loss and score, the learning
        rate and the epoch's time.

    warm_start : bool, default=False
        Start ``fit`` from the previous solution instead of a new
        initialization.

    momentum : float, default=0.9
        Momentum of 'sgd', in [0, 1]; also of the other solvers named with a
        momentum parameter: 'momentum', 'nesterov' and 'rmsprop' (which thus
        runs with momentum 0.9 unless this is set). Ignored when ``solver``
        is an instance.

    nesterovs_momentum : bool, default=True
        Whether 'sgd' uses Nesterov's momentum. Ignored when ``solver`` is an
        instance.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data, stop when its
        score has not improved by ``tol`` for ``n_iter_no_change`` epochs, and
        restore the best weights. Stochastic solvers only.

    validation_fraction : float, default=0.1
        Share of the training data held out for early stopping. A
        classifier's split is stratified by class for binary and multiclass
        targets (scikit-learn's MLP stratifies binary targets only). A binary
        class too rare for both parts raises scikit-learn's error; a
        multiclass one makes the split plain, as scikit-learn's.

    beta_1 : float, default=0.9
        Decay of Adam's first moment, in [0, 1). Ignored when ``solver`` is an
        instance.

    beta_2 : float, default=0.999
        Decay of Adam's second moment, in [0, 1). Ignored when ``solver`` is an
        instance.

    epsilon : float, default=1e-8
        Adam's numerical-stability term; also that of the other solvers
        named with one: 'adamw', 'nadam', 'adamax', 'adagrad', 'adadelta'
        and 'rmsprop' (whose own defaults, as instances, may differ).
        Ignored when ``solver`` is an instance.

    n_iter_no_change : int, default=10
        Epochs without a ``tol`` improvement before stopping.

    max_fun : int, default=15000
        Maximum number of loss evaluations of 'lbfgs'. Ignored when ``solver``
        is an instance.

    dtype : {{'float32', 'float64'}} or None, default=None
        Floating type of the computation. None follows ``X`` (float32 stays
        float32, anything else becomes float64); float32 is about twice as
        fast.

    n_threads : int or None, default=None
        Cap on the BLAS and numexpr threads during ``fit`` and ``predict``,
        restored afterwards. None leaves the environment's setting.

    dropout : float or list of float, default=0.0
        Inverted dropout after each hidden layer's activation: the
        probability of zeroing a unit in training (a list gives one per hidden
        layer). The identity at predict time.

    input_dropout : float, default=0.0
        Dropout probability of the input features.

    input_noise : float, default=0.0
        Standard deviation of Gaussian noise added to the inputs in training.

    normalization : {{'batch', 'layer'}}, list or None, default=None
        Normalization between each hidden dense layer and its activation:
        batch normalization (running statistics at predict time) or layer
        normalization; a list gives one per hidden layer. Its scales and
        shifts are never weight-decayed or penalized.

    l1_ratio : float, default=0.0
        Share of L1 in the penalty ``alpha * (l1_ratio * |W| + (1 - l1_ratio)
        / 2 * ||W||**2)`` on the weights (not the biases); 0 is
        scikit-learn's L2 penalty, 1 the lasso.

    max_norm : float or None, default=None
        Cap on the L2 norm of each unit's incoming weights, applied after
        every step (a classic companion of dropout).

    clip_grad_norm : float or None, default=None
        Cap on the global L2 norm of the gradient, applied before every step.

    weight_init : str or Initializer, default='auto'
        Weight initializer: 'auto' is scikit-learn's rule (Glorot uniform,
        with the bound for logistic units), or a name from
        ``sknn.initializers`` ('glorot_uniform', 'glorot_normal',
        'he_uniform', 'he_normal', 'lecun_normal', 'orthogonal', 'zeros',
        'constant') or an instance.

    bias_init : str, float or Initializer, default='auto'
        Bias initializer: 'auto' draws biases like the weights (scikit-learn),
        or zeros for initializers of 2-d weights only ('orthogonal'); 'zeros',
        a constant such as 0.1 (a common choice with ReLU), a name or an
        instance.

    weight_averaging : float or None, default=None
        Keep an exponential moving average of the parameters with this decay
        (e.g. 0.999), updated after every step, and use it for validation and
        predictions; ``coefs_`` then hold the averaged weights, and training
        continues (``partial_fit``, ``warm_start``) from the raw ones.

    scoring : str, callable or None, default=None
        Validation score monitored by early stopping and recorded in
        ``validation_scores_`` and ``history_`` (higher is better): None is
        scikit-learn's (accuracy or R²), 'loss' the negated validation loss, or any
        scikit-learn scorer name or callable ``scorer(estimator, X, y)``,
        which receives the validation sample weights (with class weights) as
        ``sample_weight=`` if its signature takes them. A NaN score (a scorer
        undefined on the validation data) warns; early stopping then keeps
        the last weights unless an earlier epoch scored.

    progress_bar : bool, default=False
        Show a progress bar (tqdm) on stderr for each ``fit`` over its epochs
        ('lbfgs': iterations), with the latest training loss and validation
        score. Needs tqdm: ``pip install "sknn[progress]"``.
"""

_COMMON_ATTRIBUTES = """\
    loss_ : float
        The loss of the last epoch (the final loss for 'lbfgs').

    best_loss_ : float or None
        The lowest training loss reached; None with early stopping.

    loss_curve_ : list of float
        The training loss of each epoch ('lbfgs': of each iteration) of every
        call since the model was built: warm-started fits and
        ``partial_fit`` calls extend it. sknn's other curves and
        ``history_`` have one entry per entry of it.

    validation_scores_ : list of float or None
        The validation score of each epoch trained with early stopping,
        since it was last switched on; NaN marks an epoch that diverged.
        None when the last call did not stop early (scored validation data
        without early stopping is in ``history_``).

    best_validation_score_ : float or None
        The best of ``validation_scores_``, None without early stopping.

    learning_rate_curve_ : list of float
        The learning rate each epoch started with, one entry per entry of
        ``loss_curve_``; NaN for 'lbfgs', which has none.

    epoch_times_ : list of float
        The wall time of each epoch ('lbfgs': iteration) in seconds,
        validation included, one entry per entry of ``loss_curve_``.

    history_ : dict of ndarray
        Every epoch of every call as equal-length arrays, NaN where not
        measured: ``epoch`` (from 1), ``call`` (from 0), ``loss``,
        ``val_loss``, ``val_score``, ``learning_rate``, ``epoch_time`` and
        ``is_best`` (the best value so far of the monitored quantity: the
        validation score with early stopping, else the training loss).
        'lbfgs' has one entry per iteration and scores validation data
        after each. ``pandas.DataFrame(est.history_)`` gives the table.

    t_ : int
        The number of training samples seen by the stochastic solvers.

    coefs_ : list of ndarray of shape (n_fan_in, n_fan_out)
        The weight matrix of each layer.

    intercepts_ : list of ndarray of shape (n_fan_out,)
        The bias vector of each layer.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during fit, when ``X`` has string column
        names.

    n_iter_ : int
        The number of epochs (iterations for 'lbfgs') of the last fit.

    n_layers_ : int
        Number of layers, input and output included.

    n_outputs_ : int
        Number of outputs.

    out_activation_ : str
        The output link.

    validation_loss_curve_ : list of float
        The validation loss (without the penalty) of each epoch, one entry
        per entry of ``loss_curve_``, NaN where no validation data was
        scored."""


def _class_weights(class_weight, classes, index, sample_weight=None):
    """Weight of each class (in the order of ``classes``) for class indices.

    'balanced' counts samples by their weights, so a sample of weight 3 counts
    as three samples, as repeating it would.
    """
    n_classes = len(classes)
    if class_weight == "balanced":
        counts = np.bincount(index, weights=sample_weight, minlength=n_classes)
        with np.errstate(divide="ignore"):
            return np.where(counts > 0, counts.sum() / (n_classes * counts), 1.0)
    unknown = set(class_weight) - set(classes.tolist())
    if unknown:
        raise ValueError(
            "class_weight names classes that are not in y: "
            f"{sorted(map(str, unknown))}."
        )
    weights = np.array([float(class_weight.get(c, 1.0)) for c in classes.tolist()])
    if not (np.isfinite(weights).all() and (weights >= 0).all()):
        raise ValueError(
            "class_weight must map classes to finite, non-negative weights; got "
            f"{class_weight!r}."
        )
    return weights


def _check_label_types(y):
    """Refuse labels that mix strings with numbers, which cannot be ordered."""
    if y.dtype != object:
        return
    kinds = {
        "string"
        if isinstance(v, str)
        else "number"
        if isinstance(v, numbers.Number)
        else type(v).__name__
        for v in np.ravel(y)
    }
    if len(kinds) > 1:
        raise TypeError(
            f"Labels must all be strings or all be numbers; y mixes {sorted(kinds)}. "
            "Convert them to one type, e.g. y.astype(str)."
        )


class MLPClassifier(ClassifierMixin, BaseMLP):
    __doc__ = f"""Multi-layer perceptron classifier.

    A drop-in replacement for :class:`sklearn.neural_network.MLPClassifier`:
    same parameters, defaults, fitted attributes and results, on a faster
    engine, plus ``decision_function`` and parameters of its own (``dtype``,
    ``n_threads``, regularization, initialization, validation; below). Binary
    and multilabel targets get a logistic output and binary cross-entropy,
    multiclass targets a softmax and categorical cross-entropy.

    Parameters
    ----------
{_COMMON_PARAMETERS.format()}
    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes, multiplying ``sample_weight``: a dict from
        class label to weight (1 for classes not in it), or 'balanced' for
        ``n_samples / (n_classes * count(class))``. Not for multilabel targets.

    Attributes
    ----------
    classes_ : ndarray or list of ndarray of shape (n_classes,)
        Class labels.

{_COMMON_ATTRIBUTES}

    See Also
    --------
    MLPRegressor : Multi-layer perceptron regressor.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.model_selection import train_test_split
    >>> from sknn import MLPClassifier
    >>> X, y = make_classification(n_samples=100, random_state=1)
    >>> X_train, X_test, y_train, y_test = train_test_split(
    ...     X, y, stratify=y, random_state=1)
    >>> clf = MLPClassifier(random_state=1, max_iter=300).fit(X_train, y_train)
    >>> clf.predict_proba(X_test[:1]).round(3)
    array([[0.038, 0.962]])
    >>> clf.predict(X_test[:5])
    array([1, 0, 1, 0, 1])
    >>> clf.score(X_test, y_test)
    0.8...
    """

    _parameter_constraints: dict = {
        **BaseMLP._parameter_constraints,
        "class_weight": [None, StrOptions({"balanced"}), dict],
    }

    #: Target types whose early-stopping split is stratified by class.
    #: scikit-learn's MLP stratifies binary targets only: its test for one
    #: output, meant to leave multilabel targets out, leaves multiclass ones
    #: out too (scikit-learn PR #13164 set out to stratify both).
    _stratified_target_types = ("binary", "multiclass")

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        dtype=None,
        n_threads=None,
        dropout=0.0,
        input_dropout=0.0,
        input_noise=0.0,
        normalization=None,
        l1_ratio=0.0,
        max_norm=None,
        clip_grad_norm=None,
        weight_init="auto",
        bias_init="auto",
        weight_averaging=None,
        scoring=None,
        progress_bar=False,
        class_weight=None,
    ):
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            loss="log_loss",
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            dtype=dtype,
            n_threads=n_threads,
            dropout=dropout,
            input_dropout=input_dropout,
            input_noise=input_noise,
            normalization=normalization,
            l1_ratio=l1_ratio,
            max_norm=max_norm,
            clip_grad_norm=clip_grad_norm,
            weight_init=weight_init,
            bias_init=bias_init,
            weight_averaging=weight_averaging,
            scoring=scoring,
            progress_bar=progress_bar,
        )
        self.class_weight = class_weight

    def _validate_input(self, X, y, incremental, reset, dtype):
        if incremental and not reset and not self.warm_start:
            Y = self._encode_known_labels(X, y, dtype)
            if Y is not None:
                return X, Y
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            dtype=dtype,
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        _check_label_types(y)
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start:
                if set(classes) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same "
                        "classes as in the previous call to fit. Previously got "
                        f"{self.classes_}, `y` has {classes}"
                    )
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(
                    "`y` has classes not in `self.classes_`. `self.classes_` has "
                    f"{self.classes_}. 'y' has {classes}."
                )
        Y = self._known_label_indicators(y)
        if Y is None:
            Y = self._label_binarizer.transform(y).astype(bool)
        return X, Y

    def _known_label_indicators(self, y):
        """The label binarizer's class indicators of ``y``, computed here, or
        None.

        For a 1-d numeric ``y`` of the classes' dtype, holding known classes
        of a binary or multiclass model, one ``searchsorted`` gives the
        binarizer's indicators, without its checks (``transform`` took
        1.7 ms on iris, a sixth of a 20-epoch fit). Anything else (other
        dtypes, an unknown class, NaN, multilabel or one-class targets)
        returns None, for the binarizer to encode or reject.
        """
        classes, kind = self.classes_, self._single_label_kind()
        if not (
            kind is not None
            and type(y) is np.ndarray
            and y.ndim == 1
            and y.dtype == classes.dtype
            and y.dtype.kind in "iuf"
        ):
            return None
        index = np.searchsorted(classes, y)
        np.minimum(index, len(classes) - 1, out=index)
        if not np.array_equal(classes[index], y):
            return None  # unknown classes, or NaN
        if kind == "binary":
            return (index == 1)[:, np.newaxis]
        Y = np.zeros((y.shape[0], len(classes)), dtype=bool)
        Y[np.arange(y.shape[0]), index] = True
        return Y

    def _encode_known_labels(self, X, y, dtype):
        """Class indicators of a ``partial_fit`` batch that needs no
        validation, else None.

        Where ``X`` is ready (:meth:`_is_ready_input`) and ``y`` a 1-d
        numeric array of the classes' dtype holding only known classes of a
        binary or multiclass model, ``validate_data`` and the label
        binarizer would return ``X`` and these indicators, computed by
        :meth:`_known_label_indicators` instead of their 1-3 ms of checks,
        which would dwarf an update on a few rows. Anything else (lists,
        other dtypes, an unknown class, NaN) returns None, and the caller
        takes scikit-learn's path, which converts or raises its errors.
        """
        if not (
            type(y) is np.ndarray
            and y.ndim == 1
            and y.shape[0] == getattr(X, "shape", (None,))[0]
            and self._is_ready_input(X, dtype)
        ):
            return None
        return self._known_label_indicators(y)

    def _validation_strata(self, Y):
        y_type = self._label_binarizer.y_type_
        if y_type not in self._stratified_target_types:
            return None, False
        if y_type == "binary":
            # As scikit-learn stratifies them, errors included.
            return Y, True
        # Where scikit-learn would not stratify, a class too rare to be
        # stratified falls back to its plain split rather than failing.
        return Y.argmax(axis=1), False

    def _make_loss(self):
        if self._label_binarizer.y_type_ == "multiclass":
            return LogLoss()
        return BinaryLogLoss()

    def _encode_targets(self, y):
        y = check_array(y, ensure_2d=False, dtype=None, input_name="y_val")
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        _check_label_types(y)
        multilabel = self._label_binarizer.y_type_.startswith("multilabel")
        if multilabel != (y.ndim == 2):
            raise ValueError(
                "y_val must be of the training targets' kind: "
                + (
                    "a 2-d label indicator matrix."
                    if multilabel
                    else "one label per sample (1-d)."
                )
            )
        unknown = np.setdiff1d(unique_labels(y), self.classes_)
        if unknown.size:
            raise ValueError(
                f"y_val has classes not seen in y: {unknown}. Classes are "
                f"{self.classes_}."
            )
        return self._label_binarizer.transform(y).astype(bool)

    def _decode_targets(self, Y):
        return self._label_binarizer.inverse_transform(Y)

    def _decode(self, P):
        """Labels from predicted probabilities, as the label binarizer's
        ``inverse_transform`` gives them: the most probable class, or the
        positive class above 0.5. Computed here for dense multiclass and
        binary outputs, where ``inverse_transform``'s array-API dispatch costs
        about 70 us a call, a third of predicting one row."""
        binarizer = self._label_binarizer
        classes = binarizer.classes_
        if isinstance(P, np.ndarray):
            kind = self._single_label_kind()
            if kind == "multiclass":
                return classes[P.argmax(axis=1)]
            if kind == "binary":
                return classes[(P.ravel() > self._binary_threshold()).astype(np.intp)]
        if self.n_outputs_ == 1:
            P = P.ravel()
        return binarizer.inverse_transform(P)

    def _single_label_kind(self):
        """``"multiclass"`` or ``"binary"`` (two classes) for dense targets of
        one label per sample, which sknn encodes and decodes itself; else
        None (multilabel, sparse or one-class targets: the label binarizer's
        work)."""
        binarizer = self._label_binarizer
        if binarizer.sparse_input_:
            return None
        if binarizer.y_type_ == "multiclass":
            return "multiclass"
        if binarizer.y_type_ == "binary" and len(binarizer.classes_) == 2:
            return "binary"
        return None

    def _binary_threshold(self):
        """The output above which a binary model predicts the positive class."""
        binarizer = self._label_binarizer
        return (binarizer.pos_label + binarizer.neg_label) / 2.0

    def _default_score(self, P, Y, sample_weight):
        correct = self._correct_predictions(P, Y)
        if correct is not None:
            return float(np.average(correct, weights=sample_weight))
        y_true = self._decode_targets(Y)
        return accuracy_score(y_true, self._decode(P), sample_weight=sample_weight)

    def _correct_predictions(self, P, Y):
        """Whether each predicted class is the true one, from the class
        indicators ``Y``, for dense multiclass and binary outputs; else None.

        ``accuracy_score`` averages the same booleans (the value is the same
        to the bit), after checks and label decoding that cost about 1 ms: a
        tenth of a small network's epoch, with early stopping.
        """
        kind = self._single_label_kind() if isinstance(P, np.ndarray) else None
        if kind == "multiclass":
            return P.argmax(axis=1) == Y.argmax(axis=1)
        if kind == "binary":
            return (P[:, 0] > self._binary_threshold()) == Y[:, 0]
        return None

    def _check_partial_fit_available(self):
        self._check_stochastic_solver()
        if isinstance(self.class_weight, str) and self.class_weight == "balanced":
            # Balanced weights need the class frequencies of all the data;
            # one call's would weigh a batch of a rare class as a common one.
            raise AttributeError(
                "partial_fit is not available with class_weight='balanced': it "
                "needs the class frequencies of all the data. Compute them once "
                "with sklearn.utils.class_weight.compute_class_weight('balanced', "
                "classes=classes, y=y) and pass them as a dict."
            )
        return True

    def _sample_weight_from_targets(self, Y, sample_weight):
        if self.class_weight is None:
            return sample_weight
        if self._label_binarizer.y_type_.startswith("multilabel"):
            raise ValueError("class_weight is not supported for multilabel targets.")
        index = Y.argmax(axis=1) if Y.shape[1] > 1 else Y[:, 0].astype(int)
        per_class = _class_weights(
            self.class_weight, self.classes_, index, sample_weight
        )
        weights = per_class[index].astype(Y.dtype if Y.dtype != bool else float)
        if sample_weight is None:
            return weights.astype(np.float64)
        return sample_weight * weights.astype(sample_weight.dtype)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(
        self,
        X,
        y,
        sample_weight=None,
        *,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
    ):
        """Fit the model to data matrix X and target(s) y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target labels, or a label indicator matrix for multilabel.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights; each sample's loss is weighted, and
            losses are averaged over the weights' sum.
        X_val : {array-like, sparse matrix} of shape (n_val, n_features), \
default=None
            Validation inputs. They replace the ``validation_fraction`` split:
            monitored with ``early_stopping=True``, otherwise only scored and
            recorded (``history_``, ``validation_loss_curve_``); 'lbfgs'
            scores them after every iteration.
        y_val : array-like of shape (n_val,) or (n_val, n_outputs), default=None
            Validation targets.
        sample_weight_val : array-like of shape (n_val,), default=None
            Validation sample weights.

        Returns
        -------
        self : MLPClassifier
            The fitted model.
        """
        return self._fit(
            X,
            y,
            sample_weight=sample_weight,
            X_val=X_val,
            y_val=y_val,
            sample_weight_val=sample_weight_val,
        )

    @available_if(lambda est: est._check_partial_fit_available())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(
        self,
        X,
        y,
        sample_weight=None,
        classes=None,
        *,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
    ):
        """Update the model with one epoch over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.
        classes : array of shape (n_classes,), default=None
            All the classes the model will ever see; required on the first
            call, ignored (but checked) afterwards.
        X_val, y_val, sample_weight_val : array-like, default=None
            Validation data, scored after the epoch and recorded in
            ``history_`` and ``validation_loss_curve_``, which grow across
            calls.

        Returns
        -------
        self : MLPClassifier
            The updated model.
        """
        for labels in (y, classes):
            if labels is not None:
                _check_label_types(np.asarray(labels))
        if _check_partial_fit_first_call(self, classes):
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
        return self._fit(
            X,
            y,
            sample_weight=sample_weight,
            incremental=True,
            X_val=X_val,
            y_val=y_val,
            sample_weight_val=sample_weight_val,
        )

    def decision_function(self, X):
        """Raw network outputs, before the logistic or softmax link.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Log-odds of the positive class for binary targets (shape
            ``(n_samples,)``), one score per class or label otherwise.
        """
        raw = self._raw_output(X)
        return raw.ravel() if self.n_outputs_ == 1 else raw

    def predict(self, X):
        """Predict with the multi-layer perceptron classifier.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The predicted classes.
        """
        return self._decode(self._predict_values(X))

    def predict_proba(self, X):
        """Probability estimates.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y_prob : ndarray of shape (n_samples, n_classes)
            The probability of each class (of each label, for multilabel),
            in the order of ``classes_``. A probability too small for the
            dtype is its smallest normal number (``np.finfo(dtype).tiny``),
            never 0. A model fitted on one class predicts it with
            probability 1, in one column (scikit-learn's MLP gives two).
        """
        raw = self._raw_output(X)
        if len(self.classes_) == 1:  # a constant model: certain of its class
            return np.ones_like(raw)
        link = self._network.loss.predict_link
        if self.n_outputs_ != 1:
            P = link(raw)
        else:
            # Binary: the first column as expit(-raw), not 1 - p, which
            # rounds to 0 once p rounds to 1.
            P = np.hstack([link(-raw), link(raw)])
        # A probability that underflows is the smallest normal number, not
        # 0, so its log is finite as predict_log_proba's is.
        return np.maximum(P, np.finfo(P.dtype).tiny, out=P)

    def predict_log_proba(self, X):
        """Logarithm of the probability estimates.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        log_y_prob : ndarray of shape (n_samples, n_classes)
            ``log(predict_proba(X))``, as scikit-learn's tests require it to
            be: finite, since probabilities floor at the dtype's smallest
            normal number, so the logs of ones that round to 0 (inputs far
            out of the training range) saturate at about -708 (float64) or
            -87.3 (float32).
        """
        proba = self.predict_proba(X)
        return np.log(proba, out=proba)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Class weights are per sample, which multilabel targets do not allow.
        tags.classifier_tags.multi_label = self.class_weight is None
        return tags


class MLPRegressor(RegressorMixin, BaseMLP):
    __doc__ = f"""Multi-layer perceptron regressor.

    A drop-in replacement for :class:`sklearn.neural_network.MLPRegressor`:
    same parameters, defaults, fitted attributes and results, on a faster
    engine, plus parameters of its own (``dtype``, ``n_threads``,
    regularization, initialization, validation; below). Single and
    multi-output targets.

    Parameters
    ----------
    loss : {{'squared_error', 'poisson'}} or Loss, default='squared_error'
        'squared_error' (identity output, half the mean squared error) or
        'poisson' (exponential output, half the Poisson deviance, for
        non-negative counts), or an instance from ``sknn.losses``.

{_COMMON_PARAMETERS.format()}
    Attributes
    ----------
{_COMMON_ATTRIBUTES}

    See Also
    --------
    MLPClassifier : Multi-layer perceptron classifier.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.model_selection import train_test_split
    >>> from sknn import MLPRegressor
    >>> X, y = make_regression(n_samples=200, n_features=20, random_state=1)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=1)
    >>> regr = MLPRegressor(random_state=1, max_iter=2000, tol=0.1)
    >>> regr = regr.fit(X_train, y_train)
    >>> regr.predict(X_test[:2]).shape
    (2,)
    >>> regr.score(X_test, y_test) > 0.9
    True
    """

    _parameter_constraints: dict = {
        **BaseMLP._parameter_constraints,
        "loss": [StrOptions(set(REGRESSION_LOSSES)), Loss],
    }

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        dtype=None,
        n_threads=None,
        dropout=0.0,
        input_dropout=0.0,
        input_noise=0.0,
        normalization=None,
        l1_ratio=0.0,
        max_norm=None,
        clip_grad_norm=None,
        weight_init="auto",
        bias_init="auto",
        weight_averaging=None,
        scoring=None,
        progress_bar=False,
    ):
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            loss=loss,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            dtype=dtype,
            n_threads=n_threads,
            dropout=dropout,
            input_dropout=input_dropout,
            input_noise=input_noise,
            normalization=normalization,
            l1_ratio=l1_ratio,
            max_norm=max_norm,
            clip_grad_norm=clip_grad_norm,
            weight_init=weight_init,
            bias_init=bias_init,
            weight_averaging=weight_averaging,
            scoring=scoring,
            progress_bar=progress_bar,
        )

    def _validate_input(self, X, y, incremental, reset, dtype):
        if incremental and not reset and self._is_ready_target(X, y, dtype):
            return X, (y.reshape(-1, 1) if y.ndim == 1 else y)
        y_checked = None
        if y is not None:
            y_checked = check_array(
                y, ensure_2d=False, dtype=None, ensure_all_finite=False, input_name="y"
            )
        if y_checked is not None and y_checked.dtype.kind in "OSU":
            try:
                y_checked.astype(np.float64)
            except (TypeError, ValueError):
                raise ValueError(
                    "MLPRegressor needs numeric targets, but y holds non-numeric "
                    f"values such as {np.ravel(y_checked)[0]!r}. For class labels, "
                    "use MLPClassifier."
                ) from None
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            y_numeric=True,
            dtype=dtype,
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        return X, Y

    def _is_ready_target(self, X, y, dtype):
        """Whether a ``partial_fit`` batch needs no validation: ``X`` is ready
        (:meth:`_is_ready_input`) and ``y`` a float array of one value per
        row and output, with finite entries (judged as ``X``'s are, without
        warnings of its own), which ``validate_data`` would return as it is.
        scikit-learn's checks of both cost about 0.5 ms a call; anything else
        takes them."""
        return (
            type(y) is np.ndarray
            and y.dtype.kind == "f"
            and y.shape[0] == getattr(X, "shape", (None,))[0]
            and (y.ndim == 1 or (y.ndim == 2 and y.shape[1] > 1))
            and (y.ndim == 1) == (self.n_outputs_ == 1)
            and self._is_ready_input(X, dtype)
            and has_finite_entries(y.reshape(y.shape[0], -1))
        )

    def _make_loss(self):
        return resolve(self.loss, {k: LOSSES[k] for k in REGRESSION_LOSSES}, "loss")

    def _encode_targets(self, y):
        y = check_array(y, ensure_2d=False, dtype="numeric", input_name="y_val")
        return y.reshape(-1, 1) if y.ndim == 1 else y

    def _decode_targets(self, Y):
        return Y.ravel() if Y.shape[1] == 1 else Y

    def _default_score(self, P, Y, sample_weight):
        # r2_score's value without its ~0.8 ms of input checks per epoch.
        return r2_score_of_checked(
            self._decode_targets(Y),
            self._decode_targets(P),
            sample_weight=sample_weight,
        )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(
        self,
        X,
        y,
        sample_weight=None,
        *,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
    ):
        """Fit the model to data matrix X and target(s) y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.
        X_val : {array-like, sparse matrix} of shape (n_val, n_features), \
default=None
            Validation inputs. They replace the ``validation_fraction`` split:
            monitored with ``early_stopping=True``, otherwise only scored and
            recorded (``history_``, ``validation_loss_curve_``); 'lbfgs'
            scores them after every iteration.
        y_val : array-like of shape (n_val,) or (n_val, n_outputs), default=None
            Validation targets.
        sample_weight_val : array-like of shape (n_val,), default=None
            Validation sample weights.

        Returns
        -------
        self : MLPRegressor
            The fitted model.
        """
        return self._fit(
            X,
            y,
            sample_weight=sample_weight,
            X_val=X_val,
            y_val=y_val,
            sample_weight_val=sample_weight_val,
        )

    @available_if(lambda est: est._check_stochastic_solver())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(
        self,
        X,
        y,
        sample_weight=None,
        *,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
    ):
        """Update the model with one epoch over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.
        X_val, y_val, sample_weight_val : array-like, default=None
            Validation data, scored after the epoch and recorded in
            ``history_`` and ``validation_loss_curve_``, which grow across
            calls.

        Returns
        -------
        self : MLPRegressor
            The updated model.
        """
        return self._fit(
            X,
            y,
            sample_weight=sample_weight,
            incremental=True,
            X_val=X_val,
            y_val=y_val,
            sample_weight_val=sample_weight_val,
        )

    def predict(self, X):
        """Predict with the multi-layer perceptron regressor.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The predicted values.
        """
        P = self._predict_values(X)
        return P.ravel() if P.shape[1] == 1 else P

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
