"""
======================================================
Training curves: loss, validation score, learning rate
======================================================

Fits an MLPClassifier on scikit-learn's digits with early stopping and draws
what it recorded in every epoch with
:class:`sknn.plotting.TrainingCurveDisplay`: the training and validation loss,
the validation accuracy on a second y-axis, the epoch whose weights early
stopping kept, and, in a panel below, the learning rate, which a plateau
schedule lowers each time the validation score stalls.

Run with ``python examples/plot_training_curves.py`` (needs matplotlib:
``pip install -e ".[plot]"``); the figure goes to
``examples/output/training_curves.png``.
"""

# %%
# Data and model
# --------------
# Digits, standardized, with a quarter held out for testing. Early stopping
# sets aside a further 10% of the training rows to score after every epoch;
# it stops once that score has not improved for ``n_iter_no_change`` epochs
# and restores the weights of the best epoch. The plateau schedule has less
# patience than that, so the rate drops (by a factor of 3) before training
# gives up.

import argparse
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from sknn import MLPClassifier  # noqa: E402
from sknn.plotting import TrainingCurveDisplay  # noqa: E402
from sknn.schedules import ReduceOnPlateau  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[1])
parser.add_argument("--max-iter", type=int, default=100, help="maximum epochs")
parser.add_argument(
    "--output",
    type=Path,
    default=Path(__file__).parent / "output",
    help="directory of the figure (default: examples/output)",
)
args = parser.parse_args()
args.output.mkdir(parents=True, exist_ok=True)

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)
clf = MLPClassifier(
    hidden_layer_sizes=(64,),
    learning_rate=ReduceOnPlateau(factor=1 / 3, patience=4),
    learning_rate_init=3e-3,
    max_iter=args.max_iter,
    early_stopping=True,
    n_iter_no_change=12,
    random_state=0,
)
model = make_pipeline(StandardScaler(), clf)
with warnings.catch_warnings():
    # Short runs (--max-iter 3) stop before converging.
    warnings.simplefilter("ignore", ConvergenceWarning)
    model.fit(X_train, y_train)

# %%
# The curves
# ----------
# ``from_estimator`` reads the classifier's ``history_``; given the whole
# pipeline, it plots its last step. The training loss keeps falling while
# the validation loss levels off and the validation accuracy stops rising:
# the dotted line marks the best epoch, whose weights the model kept.

display = TrainingCurveDisplay.from_estimator(
    model, show_learning_rate=True, name="MLPClassifier on digits"
)
display.figure_.set_size_inches(7, 6)
best = display.best_epoch
print(
    f"{clf.n_iter_} epochs; best epoch {best + 1}, validation accuracy "
    f"{clf.best_validation_score_:.3f}; test accuracy "
    f"{model.score(X_test, y_test):.3f}"
)
path = args.output / "training_curves.png"
display.figure_.savefig(path, dpi=100)
print(f"saved {path}")
