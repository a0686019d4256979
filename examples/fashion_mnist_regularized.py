"""
==============================================
Fashion-MNIST past 90% with a regularized MLP
==============================================

A recipe for :class:`sknn.MLPClassifier` on Fashion-MNIST that reaches over
90% test accuracy (90.6%) in about a minute of training on two idle cores,
where the published benchmark lists scikit-learn's ``MLPClassifier`` at about
87-88%. The
ingredients are the classic ones: standardized inputs, batch normalization,
dropout, AdamW with a cosine learning-rate schedule, and early stopping on a
held-out validation set that restores the weights of the best epoch.

The data is read offline with :func:`sknn.datasets.load_fashion_mnist`
(``apt-get install -y dataset-fashion-mnist``, ``--data-dir`` or
``$SKNN_DATA``). When the files are absent the script says so and exits
without error; ``--digits`` runs the same code on scikit-learn's bundled
digits instead (a quick check, not the recipe). Nothing is downloaded.

Run it with::

    python examples/fashion_mnist_regularized.py --output result.json
    python examples/fashion_mnist_regularized.py --help
"""

# %%
# Imports and options
# -------------------

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import sklearn
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_info

from sknn import MLPClassifier
from sknn.datasets import load_fashion_mnist

# %%
# The recipe
# ----------
# Found by short experiments, 30 epochs each, scored on the validation split
# (the table is in ``docs/regularization.rst``):
#
# * two hidden layers of 512 and 256 ReLU units. Plain, this network already
#   beats scikit-learn's published 87-88% (89.2%), but it overfits from the
#   third epoch on: its validation loss climbs from 0.31 to 0.52;
# * batch normalization between each dense layer and its activation, which
#   lets AdamW train at 2e-3 (90.1% without dropout);
# * dropout of 30% after each hidden layer, which holds the validation loss
#   near its minimum and adds half a point (90.5-90.6% over three seeds);
#   50% underfits in 30 epochs, and (1024, 512) with 40% dropout scored about
#   the same (90.9%) for three times the cost;
# * AdamW (Adam with decoupled weight decay 0.01) at 2e-3, annealed to 0 along
#   a cosine over the 30 epochs, batches of 256 rows; the decay lives in
#   AdamW, so the loss carries no L2 penalty (``alpha=0``);
# * ``StandardScaler``: raw [0, 1] pixels did as well (within 0.002); the
#   scaler is the general-purpose choice, and shows how ``X_val`` goes
#   through a pipeline;
# * float32 throughout, twice as fast as float64;
# * early stopping on 5,000 held-out training images, which restores the
#   weights of the epoch with the best validation accuracy (with a cosine
#   down to 0 that is usually one of the last).

RECIPE = dict(
    hidden_layer_sizes=(512, 256),
    normalization="batch",
    dropout=0.3,
    solver="adamw",
    learning_rate_init=2e-3,
    learning_rate="cosine",
    alpha=0.0,
    batch_size=256,
    max_iter=30,
    early_stopping=True,
    n_iter_no_change=10,
    dtype="float32",
    random_state=0,
)
N_VALIDATION = 5000

parser = argparse.ArgumentParser(
    description="Train the regularized MLP recipe on Fashion-MNIST."
)
parser.add_argument(
    "--max-iter",
    type=int,
    default=RECIPE["max_iter"],
    help=f"epochs (default: {RECIPE['max_iter']}; the cosine spans them all)",
)
parser.add_argument(
    "--data-dir",
    help=(
        "directory of the Fashion-MNIST IDX files (default: $SKNN_DATA, then "
        "/usr/share/datasets/fashion-mnist)"
    ),
)
parser.add_argument(
    "--n-threads",
    type=int,
    help="cap on the BLAS threads (default: the environment's setting)",
)
parser.add_argument(
    "--random-state",
    type=int,
    default=RECIPE["random_state"],
    help="seed of the initialization, dropout masks and shuffles (default: 0)",
)
parser.add_argument(
    "--n-train",
    type=int,
    help="use only the first N training images (a quick check; default: all)",
)
parser.add_argument(
    "--digits",
    action="store_true",
    help="use scikit-learn's digits instead of Fashion-MNIST (a quick check)",
)
parser.add_argument(
    "--output", type=Path, help="also write the results and curves to this JSON file"
)
args = parser.parse_args()
for option in ("max_iter", "n_threads", "n_train"):
    value = getattr(args, option)
    if value is not None and value < 1:
        parser.error(f"--{option.replace('_', '-')} must be at least 1")
if args.digits and args.data_dir is not None:
    parser.error("--digits and --data-dir exclude each other")

# %%
# Data
# ----
# 60,000 training and 10,000 test images of 28x28 pixels, as float32 in
# [0, 1]. 5,000 training images are held out for validation (stratified);
# the test set is scored once, at the end.

if args.digits:
    name = "digits"
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        (X / 16.0).astype(np.float32), y, test_size=0.25, stratify=y, random_state=0
    )
else:
    name = "fashion-mnist"
    try:
        X_train, X_test, y_train, y_test = load_fashion_mnist(
            args.data_dir, return_X_y=True
        )
    except FileNotFoundError as exc:
        print(f"Fashion-MNIST is not available, so there is nothing to do.\n{exc}")
        print(
            "Install it (apt-get install -y dataset-fashion-mnist), point "
            "--data-dir or $SKNN_DATA at the files, or try --digits."
        )
        sys.exit(0)
if args.n_train is not None:
    X_train, y_train = X_train[: args.n_train], y_train[: args.n_train]
n_validation = N_VALIDATION if X_train.shape[0] > 4 * N_VALIDATION else 0.2
X_fit, X_val, y_fit, y_val = train_test_split(
    X_train, y_train, test_size=n_validation, stratify=y_train, random_state=0
)
print(
    f"Data: {name}, {X_fit.shape[0]} training / {X_val.shape[0]} validation / "
    f"{X_test.shape[0]} test samples, {X_fit.shape[1]} features, "
    f"{len(np.unique(y_train))} classes, dtype {X_fit.dtype}"
)


def blas_summary():
    """One line per BLAS library loaded: implementation, kernel, threads."""
    lines = []
    for pool in threadpool_info():
        if pool.get("user_api") == "blas":
            lines.append(
                f"{pool.get('internal_api')} {pool.get('version') or ''}, kernel "
                f"{pool.get('architecture') or '?'}, {pool.get('num_threads')} "
                f"threads ({os.path.basename(pool.get('filepath', ''))})"
            )
    return lines or ["none reported by threadpoolctl"]


print(
    f"numpy {np.__version__}, scikit-learn {sklearn.__version__}, {os.cpu_count()} CPUs"
)
for line in blas_summary():
    print(f"BLAS: {line}")

# %%
# The pipeline
# ------------
# ``StandardScaler`` centres and scales each pixel with the training
# statistics. The validation set goes to ``fit`` as ``X_val``/``y_val``: with
# metadata routing enabled, the network asks for them (``set_fit_request``)
# and the pipeline passes ``X_val`` through the scaler first
# (``transform_input``), so the network sees it on the training scale.

sklearn.set_config(enable_metadata_routing=True)
params = dict(
    RECIPE,
    max_iter=args.max_iter,
    random_state=args.random_state,
    n_threads=args.n_threads,
)
mlp = MLPClassifier(**params).set_fit_request(X_val=True, y_val=True)
pipe = Pipeline([("scale", StandardScaler()), ("mlp", mlp)], transform_input=["X_val"])
print("MLPClassifier(" + ", ".join(f"{k}={v!r}" for k, v in params.items()) + ")")

# %%
# Training
# --------
# About 2 s per epoch on two idle cores (a busy machine can be several times
# slower; there ``--n-threads 1`` often helps). ``ConvergenceWarning`` at
# ``max_iter`` is expected: the cosine schedule sets the length of the run.

start = time.perf_counter()
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    pipe.fit(X_fit, y_fit, X_val=X_val, y_val=y_val)
fit_time = time.perf_counter() - start
accuracy = float(pipe.score(X_test, y_test))
mlp = pipe[-1]

# %%
# Curves
# ------
# ``loss_curve_`` is the training loss of each epoch, measured on the
# thinned networks with dropout active, so it reads higher than the full
# network's loss on the same images; ``validation_loss_curve_`` and
# ``validation_scores_`` (accuracy) score the full network on the held-out
# images. Early stopping restored the epoch with the best validation accuracy.
# The validation loss bottoms out long before the accuracy peaks: the network
# grows more confident on the images it gets wrong while it keeps fixing
# others.

loss = mlp.loss_curve_
val_loss = mlp.validation_loss_curve_
val_acc = mlp.validation_scores_
rates = mlp.learning_rate_curve_
best = int(np.argmax(val_acc))
print(f"\n{'epoch':>5} {'lr':>9} {'train loss':>11} {'val loss':>9} {'val acc':>8}")
n_epochs = len(loss)
for i in sorted({0, best, n_epochs - 1, *range(4, n_epochs, 5)}):
    mark = "  <- best, restored" if i == best else ""
    print(
        f"{i + 1:>5} {rates[i]:>9.2e} {loss[i]:>11.4f} {val_loss[i]:>9.4f} "
        f"{val_acc[i]:>8.4f}{mark}"
    )
lowest = int(np.argmin(val_loss))
print(
    f"\nlowest validation loss {val_loss[lowest]:.4f} at epoch {lowest + 1}; "
    f"at the end, training loss {loss[-1]:.4f} (dropout active) and "
    f"validation loss {val_loss[-1]:.4f}"
)
print(f"epochs: {mlp.n_iter_}")
print(f"fit time: {fit_time:.1f} s ({fit_time / mlp.n_iter_:.2f} s per epoch)")
print(f"best validation accuracy: {mlp.best_validation_score_:.4f}")
print(f"test accuracy: {accuracy:.4f}")

if args.output is not None:
    result = dict(
        data=name,
        n_train=int(X_fit.shape[0]),
        n_validation=int(X_val.shape[0]),
        n_test=int(X_test.shape[0]),
        params=params,
        blas=blas_summary(),
        fit_time=fit_time,
        n_iter=int(mlp.n_iter_),
        best_epoch=best + 1,
        best_validation_accuracy=float(mlp.best_validation_score_),
        test_accuracy=accuracy,
        loss_curve=[float(v) for v in loss],
        validation_loss_curve=[float(v) for v in val_loss],
        validation_scores=[float(v) for v in val_acc],
        learning_rate_curve=[float(v) for v in rates],
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2))
    print(f"results written to {args.output}")
