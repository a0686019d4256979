"""sknn: scikit-learn compatible multi-layer perceptrons on a fast NumPy engine.

``sknn.MLPClassifier`` and ``sknn.MLPRegressor`` take the parameters of
``sklearn.neural_network``'s estimators, so switching is a one-line import
change. Their building blocks (activations, losses, optimizers, schedules,
initializers) are components in the modules of the same names, and any
estimator parameter that takes a name also takes a configured instance.
``sknn.MLPEmbedding`` makes a network's hidden layer a transformer step.
"""

# SPDX-License-Identifier: BSD-3-Clause

from sknn._embedding import MLPEmbedding
from sknn._mlp import MLPClassifier, MLPRegressor

__version__ = "0.1.0.dev0"

__all__ = ["MLPClassifier", "MLPEmbedding", "MLPRegressor", "__version__"]
