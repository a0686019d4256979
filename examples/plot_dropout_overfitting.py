"""
=======================================
Dropout closes the overfitting gap
=======================================

Trains the same large network three times on a small training set, without
regularization, with light dropout and with heavy dropout, and plots the
training and validation loss of every epoch. Without regularization
the validation loss turns around after a few epochs and climbs while the
training loss keeps falling towards zero: the classic picture of overfitting.
Dropout keeps the two curves together.

The validation data goes to ``fit(X, y, X_val=..., y_val=...)``, which scores
it after every epoch and records ``validation_loss_curve_`` next to
``loss_curve_``; nothing else is needed.

The data is a subset of 5,000 Fashion-MNIST training images when the data set
is on disk (:func:`sknn.datasets.load_fashion_mnist`), else scikit-learn's
bundled digits. Run with ``python examples/plot_dropout_overfitting.py``
(needs matplotlib; about 70 s with ``--n-threads 1``); the figure goes to
``examples/output/dropout_overfitting.png``.
"""

# %%
# Imports and options
# -------------------

import argparse
import time
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from sknn import MLPClassifier  # noqa: E402
from sknn.datasets import load_fashion_mnist  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[1])
parser.add_argument("--max-iter", type=int, default=60, help="epochs per run")
parser.add_argument(
    "--n-train",
    type=int,
    default=5000,
    help="Fashion-MNIST training images (default: 5000)",
)
parser.add_argument(
    "--n-val",
    type=int,
    default=5000,
    help="Fashion-MNIST validation images (default: 5000)",
)
parser.add_argument("--data-dir", help="directory of the Fashion-MNIST files")
parser.add_argument(
    "--digits", action="store_true", help="use digits even if Fashion-MNIST exists"
)
parser.add_argument("--n-threads", type=int, help="cap on the BLAS threads")
parser.add_argument(
    "--output",
    type=Path,
    default=Path(__file__).parent / "output",
    help="directory of the figure (default: examples/output)",
)
args = parser.parse_args()
args.output.mkdir(parents=True, exist_ok=True)

# %%
# A small training set
# --------------------
# Overfitting needs many parameters per training sample. 5,000 Fashion-MNIST
# images (pixels in [0, 1]) against a network of about 670,000 weights is
# plenty. Digits is much easier to learn: there 300 images train (in batches
# of 32) and 800 validate, and the effect is milder. The validation images are
# never trained on.

data = None
if not args.digits:
    try:
        data = load_fashion_mnist(args.data_dir)
    except FileNotFoundError as exc:
        print(f"Fashion-MNIST not available ({exc}); using digits.")
if data is not None:
    name, batch_size = "Fashion-MNIST", 128
    X_train, X_val, y_train, y_val = train_test_split(
        data.X_train,
        data.y_train,
        train_size=args.n_train,
        test_size=args.n_val,
        stratify=data.y_train,
        random_state=0,
    )
else:
    name, batch_size = "digits", 32
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)  # pixels in [0, 1], like Fashion-MNIST
    X_train, X_val, y_train, y_val = train_test_split(
        X, y, train_size=300, test_size=800, stratify=y, random_state=0
    )
hidden = (512, 512)
print(
    f"{name}: {X_train.shape[0]} training and {X_val.shape[0]} validation "
    f"samples, {X_train.shape[1]} features"
)

# %%
# Three networks
# --------------
# The same two hidden layers of 512 ReLU units, Adam at 1e-3, batches of 128,
# no L2 penalty (``alpha=0``) and no early stopping, so every run trains for
# the full ``max_iter`` epochs. The second run drops 20% of the hidden units;
# the third 50% of the hidden units and 20% of the input pixels, the setting
# of Srivastava et al. (2014). (Their other ingredient, ``max_norm=3``, would
# change nothing here: at this learning rate no unit's incoming weights grow
# past a norm of 2.5. It matters at the higher rates it is meant to allow.)

common = dict(
    hidden_layer_sizes=hidden,
    solver="adam",
    learning_rate_init=1e-3,
    batch_size=batch_size,
    alpha=0.0,
    max_iter=args.max_iter,
    tol=0.0,
    n_iter_no_change=args.max_iter,
    random_state=0,
    dtype="float32",
    n_threads=args.n_threads,
)
runs = {
    "no regularization": dict(),
    "dropout 0.2": dict(dropout=0.2),
    "dropout 0.5, input dropout 0.2": dict(dropout=0.5, input_dropout=0.2),
}
curves = {}
for label, params in runs.items():
    clf = MLPClassifier(**common, **params)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_train, y_train, X_val=X_val, y_val=y_val)
    elapsed = time.perf_counter() - start
    curves[label] = clf
    best = int(np.argmin(clf.validation_loss_curve_))
    print(
        f"{label:<32} {elapsed:6.1f} s  final train loss "
        f"{clf.loss_curve_[-1]:.3f}  val loss {clf.validation_loss_curve_[-1]:.3f} "
        f"(lowest {clf.validation_loss_curve_[best]:.3f} at epoch {best + 1})  "
        f"val accuracy {clf.history_['val_score'][-1]:.4f}"
    )

# %%
# Training and validation loss
# ----------------------------
# Solid lines are the training loss, dashed lines the validation loss. The
# training loss is the mean over each epoch's batches *with dropout active*
# (the thinned networks), so with dropout it sits above what the full network
# would score on the training data; the validation loss is the full network's
# (dropout is the identity at predict time). Without regularization the gap
# opens after about ten epochs and the validation loss climbs; light dropout
# delays and shrinks the climb; heavy dropout keeps the validation loss
# falling to the end, with the two curves together.

fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(13, 5))
colors = ["tab:red", "tab:orange", "tab:blue"]
for color, (label, clf) in zip(colors, curves.items(), strict=True):
    epochs = np.arange(1, len(clf.loss_curve_) + 1)
    ax_loss.plot(epochs, clf.loss_curve_, color=color, label=f"{label}: training")
    ax_loss.plot(
        epochs,
        clf.validation_loss_curve_,
        color=color,
        linestyle="--",
        label=f"{label}: validation",
    )
    ax_acc.plot(epochs, clf.history_["val_score"], color=color, label=label)
ax_loss.set(
    yscale="log",
    xlabel="epoch",
    ylabel="cross-entropy loss",
    title="Training (solid, dropout active) vs validation (dashed) loss",
)
ax_loss.legend(fontsize="small")
ax_acc.set(
    xlabel="epoch",
    ylabel="validation accuracy",
    title="Validation accuracy",
)
ax_acc.legend(fontsize="small")
fig.suptitle(
    f"{name}: {X_train.shape[0]} training samples, hidden layers {hidden}, "
    f"Adam 1e-3, batches of {batch_size}, alpha=0"
)
fig.tight_layout()
path = args.output / "dropout_overfitting.png"
fig.savefig(path, dpi=100)
print(f"saved {path}")
