"""
=====================================================
Comparing optimizers and learning-rate schedules
=====================================================

Trains the same network on scikit-learn's digits with every stochastic solver
in sknn, each at a few learning rates, then with Adam under several
learning-rate schedules, and saves the training loss curves: the classic
"SGD vs Adam at different learning rates" figure.

Run with ``python examples/plot_optimizers.py`` (needs matplotlib:
``pip install -e ".[plot]"``); the figures go to ``examples/output/``.
"""

# %%
# Data and settings
# -----------------
# Digits, standardized: 1,797 images of 8x8 pixels, ten classes. Every run
# trains one hidden layer of 64 ReLU units for 40 epochs with batches of 64
# and the same seed, so only the optimizer or schedule changes.

import argparse
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from sknn import MLPClassifier  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[1])
parser.add_argument("--max-iter", type=int, default=40, help="epochs per run")
parser.add_argument("--output", type=Path, default=Path(__file__).parent / "output")
args = parser.parse_args()
args.output.mkdir(parents=True, exist_ok=True)

X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)
common = dict(
    hidden_layer_sizes=(64,),
    batch_size=64,
    max_iter=args.max_iter,
    random_state=0,
    tol=0.0,
    n_iter_no_change=args.max_iter,
)


def loss_curve(**params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier(**common, **params).fit(X, y)
    return clf.loss_curve_, clf.learning_rate_curve_


# %%
# Optimizers at three learning rates
# ----------------------------------
# Too large a rate makes the loss jump or stall, too small a rate crawls.
# The adaptive methods (Adam and its family, RMSprop) tolerate a wider
# range; plain SGD needs a larger rate than Adam. AdaDelta's step is already
# in the weights' units: its rate is a multiplier, 1.0 being the paper's.

solvers = {
    "sgd": [0.3, 0.03, 0.003],
    "momentum": [0.1, 0.01, 0.001],
    "adagrad": [0.3, 0.03, 0.003],
    "adadelta": [3.0, 1.0, 0.3],
    "rmsprop": [0.01, 0.001, 0.0001],
    "adam": [0.01, 0.001, 0.0001],
    "adamw": [0.01, 0.001, 0.0001],
    "nadam": [0.01, 0.001, 0.0001],
    "adamax": [0.03, 0.003, 0.0003],
}
fig, axes = plt.subplots(3, 3, figsize=(12, 10), sharex=True, sharey=True)
for ax, (solver, rates) in zip(axes.ravel(), solvers.items(), strict=True):
    for rate in rates:
        losses, _ = loss_curve(solver=solver, learning_rate_init=rate)
        ax.plot(losses, label=f"lr={rate:g}")
    ax.set_title(solver)
    ax.set_yscale("log")
    ax.legend(fontsize="small")
for ax in axes[-1]:
    ax.set_xlabel("epoch")
for ax in axes[:, 0]:
    ax.set_ylabel("training loss")
fig.suptitle("Training loss of each optimizer at three learning rates (digits)")
fig.tight_layout()
path = args.output / "optimizers_learning_rates.png"
fig.savefig(path, dpi=100)
print(f"saved {path}")

# %%
# Schedules with Adam
# -------------------
# Each schedule starts from the same rate (3e-3). Decaying schedules end
# lower and smoother; cyclic and one-cycle change the rate every batch.

schedules = [
    "constant",
    "step",
    "exponential",
    "inverse_time",
    "cosine",
    "cyclic",
    "one_cycle",
    "warmup",
]
fig, (ax_loss, ax_rate) = plt.subplots(1, 2, figsize=(13, 5))
for name in schedules:
    losses, rates = loss_curve(
        solver="adam", learning_rate=name, learning_rate_init=3e-3
    )
    ax_loss.plot(losses, label=name)
    ax_rate.plot(rates, label=name)
ax_loss.set(yscale="log", xlabel="epoch", ylabel="training loss", title="loss")
ax_rate.set(
    yscale="log",
    xlabel="epoch",
    ylabel="learning rate at epoch start",
    title="learning rate",
)
ax_loss.legend()
fig.tight_layout()
path = args.output / "schedules.png"
fig.savefig(path, dpi=100)
print(f"saved {path}")
