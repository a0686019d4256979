"""scikit-learn's estimator checks over both estimators and their variants.

Every estimator in ``ESTIMATORS`` passes every check, with no expected
failures. Four variants train so that a sample weight cannot be a repetition
of the sample: the float32-forced ones (the weighted and the repeated fit sum
the same losses in different orders, so they agree to float32 precision,
~1e-6, where the check asks for rtol=1e-7) and the randomized ones (dropout
and input noise draw one mask per row, so a row of weight 3 sees one draw
where three copies see three). They pass every other check, and what
weighting does guarantee for them is tested here instead: equivalence to
float32 precision, and unit weights training exactly like no weights.

``MLPEmbedding`` is checked as a transformer around a classifier and a
regressor. Its estimators are seeded: the checks seed an estimator through
its own ``random_state``, which the embedding does not have (the network's
is the wrapped estimator's). Cross-fitted (``cv``) variants pass every check
but the two that compare ``fit_transform(X, y)`` with ``fit(X, y).transform(X)``:
their ``fit_transform`` is out of fold by design. tests/test_inspection.py
tests what it returns instead.
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.model_selection import KFold
from sklearn.utils.estimator_checks import (
    estimator_checks_generator,
    parametrize_with_checks,
)

from sknn import MLPClassifier, MLPEmbedding, MLPRegressor
from sknn.activations import Tanh
from sknn.optimizers import LBFGS, SGD, Adam
from sknn.schedules import Adaptive

ESTIMATORS = [
    MLPClassifier(max_iter=100),
    MLPRegressor(max_iter=100),
    # Instance-valued components, which must clone and validate like strings.
    # (learning_rate_init=0.01: at 0.001, 1000 epochs of SGD through saturated
    # tanh units on the unscaled blobs of check_class_weight_classifiers fall
    # short of its accuracy bar.)
    MLPClassifier(
        solver=SGD(momentum=0.5),
        activation=Tanh(),
        learning_rate_init=0.01,
        max_iter=100,
    ),
    # A schedule instance applies to Adam too. Not InvScaling here: its rate
    # decays with the number of rows seen (scikit-learn's t_), so weighting rows
    # is not repeating them and check_sample_weight_equivalence cannot hold; it
    # is tested in test_parity.py and test_mlp.py instead.
    MLPRegressor(solver=Adam(beta_2=0.99), learning_rate=Adaptive(), max_iter=100),
    # No Poisson variant: check_regressor_multioutput fits make_regression's
    # negative targets whatever the tags say, which the Poisson loss rightly
    # rejects. PoissonLoss instances are tested in test_mlp.py and the parity
    # tests instead.
    # The full-batch solver, by name and as an instance.
    MLPClassifier(solver="lbfgs", max_iter=100),
    MLPRegressor(solver=LBFGS(max_fun=2000), max_iter=100),
    # Regularization and normalization.
    MLPClassifier(normalization="batch", max_iter=100),
    MLPRegressor(normalization="layer", max_iter=100),
    MLPRegressor(alpha=1e-3, l1_ratio=0.5, max_iter=100),
    MLPClassifier(class_weight="balanced", max_iter=100),
    MLPRegressor(weight_averaging=0.9, max_iter=100),
    MLPClassifier(weight_averaging=0.9, normalization="batch", max_iter=100),
    # The hidden representation as a transformer, from the last hidden layer
    # of a classifier and the first of a batch-normalized regressor.
    MLPEmbedding(MLPClassifier(max_iter=100, random_state=0)),
    MLPEmbedding(
        MLPRegressor(
            hidden_layer_sizes=(20, 10),
            normalization="batch",
            max_iter=100,
            random_state=0,
        ),
        layer=0,
    ),
]

#: Variants where a sample weight is not a repetition by design (see the
#: module docstring).
WEIGHT_IS_NOT_REPETITION = [
    # The float32 fast path, forced whatever the input dtype.
    MLPClassifier(dtype="float32", max_iter=100),
    MLPRegressor(dtype="float32", max_iter=100),
    # Randomized training.
    MLPClassifier(dropout=0.2, max_iter=100),
    MLPRegressor(dropout=0.1, input_noise=0.05, max_iter=100),
]

#: Cross-fitted embeddings: fit_transform is out of fold by design.
CROSS_FITTED = [
    MLPEmbedding(MLPClassifier(max_iter=100, random_state=0), cv=3),
    MLPEmbedding(MLPRegressor(max_iter=100, random_state=0), cv=KFold(3)),
]

#: The checks that compare fit_transform(X, y) with fit(X, y).transform(X).
FIT_TRANSFORM_IS_TRANSFORM_CHECKS = {
    "check_transformer_general",
    "check_transformer_data_not_an_array",
}

SAMPLE_WEIGHT_EQUIVALENCE_CHECKS = {
    "check_sample_weight_equivalence_on_dense_data",
    "check_sample_weight_equivalence_on_sparse_data",
}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def _check_name(check):
    return check.func.__name__


def _every_check_but_weight_repetition():
    for variant in WEIGHT_IS_NOT_REPETITION:
        for estimator, check in estimator_checks_generator(variant):
            if _check_name(check) not in SAMPLE_WEIGHT_EQUIVALENCE_CHECKS:
                yield pytest.param(
                    estimator, check, id=f"{estimator!r}-{_check_name(check)}"
                )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("estimator, check", list(_every_check_but_weight_repetition()))
def test_variant_passes_every_other_check(estimator, check):
    check(estimator)


def _every_check_but_in_sample_fit_transform():
    for variant in CROSS_FITTED:
        for estimator, check in estimator_checks_generator(variant):
            if _check_name(check) not in FIT_TRANSFORM_IS_TRANSFORM_CHECKS:
                yield pytest.param(
                    estimator, check, id=f"{estimator!r}-{_check_name(check)}"
                )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "estimator, check", list(_every_check_but_in_sample_fit_transform())
)
def test_cross_fitted_embedding_passes_every_other_check(estimator, check):
    check(estimator)


def _weighted_and_repeated_data(Estimator):
    # The data of scikit-learn's check_sample_weight_equivalence.
    rng = np.random.RandomState(42)
    X = rng.rand(15, 30)
    y = rng.randint(0, 3, size=15)
    if Estimator is MLPRegressor:
        y = y.astype(float)
    sample_weight = rng.randint(0, 5, size=15)
    return X, y, sample_weight


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_float32_weights_are_repetitions_to_float32_precision(Estimator):
    X, y, sample_weight = _weighted_and_repeated_data(Estimator)
    params = dict(dtype="float32", max_iter=100, random_state=0)
    repeated = Estimator(**params).fit(
        X.repeat(sample_weight, axis=0), y.repeat(sample_weight)
    )
    weighted = Estimator(**params).fit(X, y, sample_weight=sample_weight)
    method = "predict_proba" if Estimator is MLPClassifier else "predict"
    expected = getattr(repeated, method)(X)
    assert_allclose(getattr(weighted, method)(X), expected, rtol=2e-5, atol=1e-6)
    # ... and not to float64 precision, which is why the check cannot hold.
    assert not np.allclose(getattr(weighted, method)(X), expected, rtol=1e-9, atol=0)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "estimator", [e for e in WEIGHT_IS_NOT_REPETITION if e.dtype is None]
)
def test_randomized_variants_train_alike_with_unit_weights(estimator):
    X, y, _ = _weighted_and_repeated_data(type(estimator))
    unweighted = estimator.__sklearn_clone__().set_params(random_state=0).fit(X, y)
    unit = estimator.__sklearn_clone__().set_params(random_state=0)
    unit.fit(X, y, sample_weight=np.ones(len(y)))
    for mine, theirs in zip(unit.coefs_, unweighted.coefs_, strict=True):
        assert_array_equal(mine, theirs)
