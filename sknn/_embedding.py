"""A network's hidden representation as a transformer: ``MLPEmbedding``.

scikit-learn declined a ``transform`` on its MLP estimators (scikit-learn
issue 8291), and it would make them transformers to the estimator checks. The
representation is served by a meta-estimator instead: it fits a clone of an
sknn estimator and transforms data into the activations of one of its hidden
layers, so a pipeline can learn features with a network and hand them to
another model.
"""

# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    MetaEstimatorMixin,
    TransformerMixin,
    _fit_context,
    clone,
    is_classifier,
)
from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold, check_cv
from sklearn.utils import _safe_indexing, get_tags
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    indexable,
    validate_data,
)

from sknn._inspection import InspectionMixin, hidden_layer_index
from sknn._mlp import MLPClassifier

#: Splitters whose validation folds partition the samples by construction.
_PARTITIONING_SPLITTERS = (KFold, StratifiedKFold, GroupKFold)


class MLPEmbedding(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, MetaEstimatorMixin, BaseEstimator
):
    """Transform data into the hidden activations of a fitted network.

    Fits a clone of an sknn estimator on ``X`` and ``y``, then transforms
    data into the output of one of its hidden layers
    (:meth:`MLPClassifier.hidden_activations`): the features the network
    learned, for another model to use. As a :class:`~sklearn.pipeline.Pipeline`
    step, ``make_pipeline(MLPEmbedding(MLPClassifier()), LogisticRegression())``
    trains the network on the targets, then the second model on its features.

    **Target leakage.** By default (``cv=None``) ``fit_transform`` returns the
    activations of the very rows the network was trained on. A network fits
    its training rows better than new ones, so those in-sample features are
    more predictive of the targets than the features of new data will be, and
    a downstream model trained on them learns to trust them too much: it is
    over-confident and its training score overstates its test score. Pass
    ``cv`` to cross-fit instead: each row's features in ``fit_transform``
    then come from a network that did not see the row, as scikit-learn's
    :class:`~sklearn.preprocessing.TargetEncoder` does, while ``transform``
    (new data) uses the network fitted on all rows. Within a pipeline,
    ``fit`` calls ``fit_transform``, so this applies there too.

    Parameters
    ----------
    estimator : MLPClassifier or MLPRegressor, default=None
        The network to fit (a clone of it is fitted; the given one is left
        alone); any object with ``fit`` and ``hidden_activations``. None
        uses ``MLPClassifier()``, for class labels: pass an
        :class:`MLPRegressor` for continuous targets. Set its
        ``random_state`` for reproducible features.
    layer : int, default=-1
        The hidden layer whose activations are the features, indexed like a
        list: 0 is the first hidden layer, -1 the last.
    cv : int, cross-validation generator or iterable, default=None
        How ``fit_transform`` computes the features of the training rows.
        None: with the network fitted on all of them (in sample). An
        integer ``k``: out of fold, from ``k`` folds, stratified
        (:class:`~sklearn.model_selection.StratifiedKFold`) when the
        estimator is a classifier and ``y`` binary or multiclass, else
        :class:`~sklearn.model_selection.KFold`, in both cases without
        shuffling (as :func:`~sklearn.model_selection.check_cv` makes them;
        pass ``StratifiedKFold(k, shuffle=True, random_state=0)`` to
        shuffle). A splitter, or an iterable of ``(train, test)`` index
        arrays, whose test folds must cover every row exactly once. Each
        fold fits its own clone of ``estimator``, which is then discarded.
        ``fit`` and ``transform`` do not use ``cv``.

    Attributes
    ----------
    estimator_ : MLPClassifier or MLPRegressor
        The estimator fitted on all of the data given to ``fit`` or
        ``fit_transform`` (with ``cv`` too); ``transform`` uses it.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during ``fit``, where ``X`` has feature
        names that are all strings.

    See Also
    --------
    MLPClassifier.hidden_activations : The activations this transformer
        returns.
    sklearn.preprocessing.TargetEncoder : Cross-fits its encoding the same
        way.

    Notes
    -----
    ``fit(X, y).transform(X)`` equals ``fit_transform(X, y)`` only for
    ``cv=None``; with ``cv`` the latter is out of fold.

    The output names are ``mlpembedding0``, ``mlpembedding1``, ... (see
    :meth:`get_feature_names_out`), and
    ``set_output(transform="pandas")`` makes the output a DataFrame.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sknn import MLPClassifier, MLPEmbedding
    >>> X, y = load_digits(return_X_y=True)
    >>> X, y = X[:400] / 16, y[:400]
    >>> net = MLPClassifier(hidden_layer_sizes=(32,), learning_rate_init=0.02,
    ...                     random_state=0)
    >>> embedding = MLPEmbedding(net).fit(X, y)
    >>> embedding.transform(X[:3]).shape
    (3, 32)
    >>> embedding.get_feature_names_out()[:2]
    array(['mlpembedding0', 'mlpembedding1'], dtype=object)

    Cross-fitted features for the downstream model of a pipeline:

    >>> pipe = make_pipeline(MLPEmbedding(net, cv=5), LogisticRegression())
    >>> pipe.fit(X, y).score(X, y) > 0.9
    True
    """

    _parameter_constraints: dict = {
        "estimator": [None, HasMethods(["fit", "hidden_activations"])],
        "layer": [Interval(Integral, None, None, closed="neither")],
        "cv": [None, "cv_object"],
    }

    def __init__(self, estimator=None, *, layer=-1, cv=None):
        self.estimator = estimator
        self.layer = layer
        self.cv = cv

    def _template(self):
        """The estimator to clone: ``estimator``, or the default."""
        return MLPClassifier() if self.estimator is None else self.estimator

    def _check_layer_early(self, estimator):
        # An sknn estimator knows its hidden layers before fitting: a layer
        # out of range fails before the network trains.
        if isinstance(estimator, InspectionMixin):
            try:
                n_hidden = len(estimator._hidden_layer_sizes())
            except (TypeError, ValueError):
                return  # invalid sizes: the estimator's fit says so
            hidden_layer_index(self.layer, n_hidden)

    def _validate_X(self, X, reset):
        # Integers and the like become float64; float32 stays float32, the
        # networks' fast path (with dtype=None).
        return validate_data(
            self,
            X,
            accept_sparse=["csr", "csc"],
            dtype=[np.float64, np.float32],
            reset=reset,
        )

    def _fit_estimator(self, X, y, sample_weight):
        """Validate, fit ``estimator_`` on everything; return the validated X."""
        X = self._validate_X(X, reset=True)
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None: the network it embeds with is trained on y."
            )
        estimator = clone(self._template())
        self._check_layer_early(estimator)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype)
        self.estimator_ = estimator.fit(X, y, **_weights(sample_weight))
        n_hidden = len(self.estimator_.coefs_) - 1
        self._layer_index = hidden_layer_index(self.layer, n_hidden)
        self._n_features_out = self.estimator_.coefs_[self._layer_index].shape[1]
        return X, sample_weight

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None):
        """Fit a clone of the estimator on ``X`` and ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets the network is trained on.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights, passed to the estimator's ``fit``.

        Returns
        -------
        self : MLPEmbedding
            The fitted transformer.
        """
        self._fit_estimator(X, y, sample_weight)
        return self

    @_fit_context(prefer_skip_nested_validation=False)
    def fit_transform(self, X, y, sample_weight=None):
        """Fit the estimator, and transform the training data.

        With ``cv=None``, the activations of ``estimator_`` (fitted on all
        of ``X``) on ``X``, the same as ``fit(X, y).transform(X)``: see the
        class documentation for the leakage that implies. With ``cv``, each
        row's activations come from a clone fitted on the other folds;
        ``estimator_`` is fitted on all of ``X`` either way.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets the network is trained on.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights, passed to the estimator's ``fit`` (split with
            the rows with ``cv``).

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_units)
            Activations of the chosen hidden layer, ``n_units`` wide.
        """
        X, sample_weight = self._fit_estimator(X, y, sample_weight)
        if self.cv is None:
            return self.estimator_.hidden_activations(X, layer=self._layer_index)
        return self._cross_fitted(X, y, sample_weight)

    def _cross_fitted(self, X, y, sample_weight):
        (y,) = indexable(y)  # rows of y are taken by index
        cv = check_cv(self.cv, y, classifier=is_classifier(self.estimator_))
        splits = list(cv.split(X, y))
        if not isinstance(cv, _PARTITIONING_SPLITTERS):
            seen = np.zeros(X.shape[0], dtype=np.intp)
            for _, test in splits:
                np.add.at(seen, test, 1)
            if not (seen == 1).all():
                raise ValueError(
                    "The test folds of cv must cover every sample exactly once, "
                    "so that each row gets out-of-fold features; pass a splitter "
                    "with non-overlapping test folds, such as KFold."
                )
        out = None
        for train, test in splits:
            fold = clone(self._template())
            weights = None if sample_weight is None else sample_weight[train]
            fold.fit(
                _safe_indexing(X, train), _safe_indexing(y, train), **_weights(weights)
            )
            A = fold.hidden_activations(
                _safe_indexing(X, test), layer=self._layer_index
            )
            if out is None:
                out = np.empty((X.shape[0], A.shape[1]), dtype=A.dtype)
            out[test] = A
        return out

    def transform(self, X):
        """Activations of the chosen hidden layer of ``estimator_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The data to transform.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_units)
            Activations of the hidden layer ``layer``, ``n_units`` wide, in
            the dtype the estimator predicts in.
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        return self.estimator_.hidden_activations(X, layer=self._layer_index)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        template = self._template()
        estimator_tags = get_tags(template)
        tags.input_tags.sparse = estimator_tags.input_tags.sparse
        tags.input_tags.allow_nan = estimator_tags.input_tags.allow_nan
        tags.target_tags.required = True
        tags.target_tags.multi_output = estimator_tags.target_tags.multi_output
        dtype = getattr(template, "dtype", None)
        if dtype is None or np.dtype(dtype) != np.float64:
            # A network follows float32 data, or is float32 itself.
            tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def _weights(sample_weight):
    return {} if sample_weight is None else {"sample_weight": sample_weight}
