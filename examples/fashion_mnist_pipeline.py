"""
sknn against scikit-learn on Fashion-MNIST
==========================================

Trains the same scikit-learn pipeline, ``StandardScaler`` followed by a two-layer
MLP, once with :class:`sknn.MLPClassifier` and once with
:class:`sklearn.neural_network.MLPClassifier`, with identical settings, and prints
their fit time, time per epoch, test accuracy and predict time side by side.

The data is Fashion-MNIST, read offline with :func:`sknn.datasets.load_fashion_mnist`
(``apt-get install -y dataset-fashion-mnist``, ``--data-dir`` or ``$SKNN_DATA``).
When the files are not on disk, scikit-learn's bundled digits are used instead.
Nothing is downloaded.

Run it with ``bash examples/demo.sh`` (which sets up ``.venv``), or directly::

    python examples/fashion_mnist_pipeline.py --help
"""

# %%
# Imports. ``sknn.MLPClassifier`` takes the same parameters as scikit-learn's, so
# the two pipelines differ only in the class.

import argparse
import os
import platform
import time
import warnings

import numpy as np
import sklearn
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_info, threadpool_limits

import sknn
from sknn import MLPClassifier
from sknn.datasets import load_fashion_mnist

# %%
# Settings shared by both classifiers. ``max_iter`` is deliberately short on
# Fashion-MNIST so that the demo finishes in a few minutes on two cores.

SETTINGS = {
    "fashion-mnist": dict(hidden_layer_sizes=(256, 128), max_iter=15),
    "digits": dict(hidden_layer_sizes=(100,), max_iter=200),
}
COMMON = dict(
    solver="adam",
    learning_rate_init=1e-3,
    batch_size=256,
    early_stopping=False,
    random_state=0,
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=(
            "Fit the same StandardScaler + MLPClassifier pipeline with sknn and "
            "with scikit-learn, and compare fit time, accuracy and predict time."
        )
    )
    parser.add_argument(
        "--data-dir",
        help=(
            "directory holding the Fashion-MNIST IDX files (default: $SKNN_DATA, "
            "then /usr/share/datasets/fashion-mnist)"
        ),
    )
    parser.add_argument(
        "--max-iter",
        type=int,
        help="number of epochs (default: 15 on Fashion-MNIST, 200 on digits)",
    )
    parser.add_argument(
        "--digits",
        action="store_true",
        help="use scikit-learn's bundled digits even if Fashion-MNIST is available",
    )
    parser.add_argument(
        "--n-threads",
        type=int,
        help=(
            "cap the BLAS threads of both fits (sknn's n_threads parameter, "
            "threadpoolctl for scikit-learn); default: the environment's setting"
        ),
    )
    args = parser.parse_args(argv)
    if args.max_iter is not None and args.max_iter < 1:
        parser.error("--max-iter must be at least 1")
    if args.n_threads is not None and args.n_threads < 1:
        parser.error("--n-threads must be at least 1")
    if args.digits and args.data_dir is not None:
        parser.error("--digits and --data-dir exclude each other")
    return args


def load_data(args):
    """Return ``(name, X_train, X_test, y_train, y_test)``, X as float32."""
    if not args.digits:
        try:
            X_train, X_test, y_train, y_test = load_fashion_mnist(
                args.data_dir, return_X_y=True
            )
            return "fashion-mnist", X_train, X_test, y_train, y_test
        except FileNotFoundError as exc:
            if args.data_dir is not None:
                # The user asked for this directory: don't silently use other data.
                raise SystemExit(f"error: {exc}") from None
            print(f"Fashion-MNIST not available:\n{exc}\n")
            print("Falling back to scikit-learn's bundled digits data set.\n")
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X.astype(np.float32), y, test_size=0.25, stratify=y, random_state=0
    )
    return "digits", X_train, X_test, y_train, y_test


def time_pipeline(pipeline, X_train, X_test, y_train, y_test, n_threads):
    """Fit and evaluate ``pipeline``; return a dict of timings and scores."""
    # threadpool_limits(None) leaves the environment's setting alone.
    with threadpool_limits(limits=n_threads, user_api="blas"):
        start = time.perf_counter()
        pipeline.fit(X_train, y_train)
        fit_time = time.perf_counter() - start
        y_pred = pipeline.predict(X_test)

    n_iter = pipeline[-1].n_iter_
    return {
        "fit_time": fit_time,
        "n_iter": n_iter,
        "epoch_time": fit_time / n_iter,
        "accuracy": float(np.mean(y_pred == y_test)),
    }


def time_predictions(systems, X_test, n_threads, rounds=7):
    """Per system, the seconds of each of ``rounds`` predict calls on
    ``X_test``, the systems taking turns (in reversed order every other
    round), so that both meet the same moments of a shared machine."""
    times = {name: [] for name in systems}
    order = list(systems)
    with threadpool_limits(limits=n_threads, user_api="blas"):
        for r in range(rounds):
            for name in order if r % 2 == 0 else order[::-1]:
                start = time.perf_counter()
                systems[name].predict(X_test)
                times[name].append(time.perf_counter() - start)
    return times


def print_blas_info():
    print("BLAS / OpenMP thread pools (threadpoolctl):")
    pools = threadpool_info()
    if not pools:
        print("  none reported")
    # numpy and scipy may each load their own OpenBLAS; numpy's does the GEMMs.
    numpy_prefix = os.path.join(os.path.dirname(os.path.dirname(np.__file__)), "numpy")
    for pool in pools:
        filepath = pool.get("filepath", "")
        owner = " [numpy]" if filepath.startswith(numpy_prefix) else ""
        print(
            f"  {pool.get('internal_api', '?')} {pool.get('version') or ''}"
            f" ({pool.get('user_api', '?')}), kernel "
            f"{pool.get('architecture') or '?'}, {pool.get('num_threads')} threads,"
            f" {os.path.basename(filepath)}{owner}"
        )
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        if var in os.environ:
            print(f"  {var}={os.environ[var]}")


def warm_up(pipeline, X_train, y_train, n_threads):
    """Fit a copy of ``pipeline`` for one epoch on a few samples.

    The first fit in a process pays for lazy imports, first-touch allocations and
    starting BLAS threads; doing that here keeps it out of both timings.
    """
    warm = clone(pipeline)
    warm[-1].set_params(max_iter=1)
    with threadpool_limits(limits=n_threads, user_api="blas"):
        warm.fit(X_train[:1000], y_train[:1000])
        warm.predict(X_train[:1000])


def main(argv=None):
    args = parse_args(argv)
    name, X_train, X_test, y_train, y_test = load_data(args)
    params = {**COMMON, **SETTINGS[name]}
    if args.max_iter is not None:
        params["max_iter"] = args.max_iter

    print(
        f"Data set: {name}: {X_train.shape[0]} train / {X_test.shape[0]} test "
        f"samples, {X_train.shape[1]} features, {len(np.unique(y_train))} classes, "
        f"X dtype {X_train.dtype}"
    )
    print(
        f"Python {platform.python_version()}, numpy {np.__version__}, "
        f"scikit-learn {sklearn.__version__}, sknn {sknn.__version__}; "
        f"{os.cpu_count()} CPUs"
    )
    print_blas_info()
    print("Settings (both classifiers):")
    for key, value in params.items():
        print(f"  {key}={value!r}")
    if args.n_threads is not None:
        print(f"  BLAS threads capped at {args.n_threads}")
    print(
        "ConvergenceWarning is silenced: the demo stops after max_iter epochs on "
        "purpose, to keep it short, usually before the optimizer has converged.\n"
    )
    warnings.filterwarnings("ignore", category=ConvergenceWarning)

    systems = {
        "sknn": make_pipeline(
            StandardScaler(), MLPClassifier(**params, n_threads=args.n_threads)
        ),
        "scikit-learn": make_pipeline(StandardScaler(), SklearnMLPClassifier(**params)),
    }
    for pipeline in systems.values():
        warm_up(pipeline, X_train, y_train, args.n_threads)
    results = {}
    for system, pipeline in systems.items():
        print(f"Fitting {system} ...", flush=True)
        results[system] = time_pipeline(
            pipeline, X_train, X_test, y_train, y_test, args.n_threads
        )
    # One predict call lasts tens of milliseconds, where a shared machine's
    # hiccups show: alternate the calls and keep medians.
    predict_times = time_predictions(systems, X_test, args.n_threads)
    for system, seconds in predict_times.items():
        results[system]["predict_time"] = float(np.median(seconds))
    predict_speedup = float(
        np.median(np.divide(predict_times["scikit-learn"], predict_times["sknn"]))
    )

    print()
    header = (
        f"{'system':<14}{'fit time (s)':>14}{'epochs':>8}{'s / epoch':>11}"
        f"{'test accuracy':>15}{'predict (s)':>13}"
    )
    print(header)
    print("-" * len(header))
    for system, r in results.items():
        print(
            f"{system:<14}{r['fit_time']:>14.2f}{r['n_iter']:>8d}"
            f"{r['epoch_time']:>11.4f}{r['accuracy']:>15.4f}{r['predict_time']:>13.4f}"
        )
    ours, theirs = results["sknn"], results["scikit-learn"]
    print()
    print(
        f"Speed-up of sknn over scikit-learn: "
        f"{theirs['epoch_time'] / ours['epoch_time']:.2f}x per epoch, "
        f"{theirs['fit_time'] / ours['fit_time']:.2f}x for the whole fit, "
        f"{predict_speedup:.2f}x for predict (median of paired calls)."
    )
    print(
        f"Test accuracy difference (sknn - scikit-learn): "
        f"{ours['accuracy'] - theirs['accuracy']:+.4f}"
    )


if __name__ == "__main__":
    main()
