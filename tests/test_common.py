"""scikit-learn's estimator checks over both estimators and their variants.

Every variant must pass every check. The only expected failures are the two
sample-weight equivalence checks of the float32-forced variants, whose
tolerance is below float32 precision, and of the randomized variants (dropout,
input noise), where a weight is not a repetition (see
``_expected_failed_checks``).
"""

# SPDX-License-Identifier: BSD-3-Clause

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from sknn import MLPClassifier, MLPRegressor
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
    # The float32 fast path, forced whatever the input dtype.
    MLPClassifier(dtype="float32", max_iter=100),
    MLPRegressor(dtype="float32", max_iter=100),
    # Regularization and normalization.
    MLPClassifier(normalization="batch", max_iter=100),
    MLPRegressor(normalization="layer", max_iter=100),
    MLPClassifier(dropout=0.2, max_iter=100),
    MLPRegressor(dropout=0.1, input_noise=0.05, max_iter=100),
    MLPRegressor(alpha=1e-3, l1_ratio=0.5, max_iter=100),
    MLPClassifier(class_weight="balanced", max_iter=100),
    MLPRegressor(weight_averaging=0.9, max_iter=100),
    MLPClassifier(weight_averaging=0.9, normalization="batch", max_iter=100),
]

_FLOAT32_SAMPLE_WEIGHT_REASON = (
    "fitting with integer weights is compared to fitting on repeated rows at "
    "rtol=1e-7, below float32 precision (eps ~1.2e-7); the two fits sum the "
    "same losses in a different order, so they agree only to ~1e-6 in float32"
)


_RANDOMIZED_SAMPLE_WEIGHT_REASON = (
    "dropout and input noise draw one mask or noise row per sample, so a sample "
    "of weight 3 sees one draw where three repeated copies see three: weighting "
    "is not repeating for randomized training"
)


def _expected_failed_checks(estimator):
    if estimator.dropout or estimator.input_noise:
        return dict.fromkeys(
            [
                "check_sample_weight_equivalence_on_dense_data",
                "check_sample_weight_equivalence_on_sparse_data",
            ],
            _RANDOMIZED_SAMPLE_WEIGHT_REASON,
        )
    if estimator.dtype == "float32":
        return {
            "check_sample_weight_equivalence_on_dense_data": (
                _FLOAT32_SAMPLE_WEIGHT_REASON
            ),
            "check_sample_weight_equivalence_on_sparse_data": (
                _FLOAT32_SAMPLE_WEIGHT_REASON
            ),
        }
    return {}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
