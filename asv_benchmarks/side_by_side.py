"""sknn, scikit-learn and PyTorch side by side, in one process, on one machine.

Run from the repository root (see ``asv_benchmarks/README.md``)::

    python asv_benchmarks/side_by_side.py            # all workloads, ~10 min
    python asv_benchmarks/side_by_side.py --quick    # fewer epochs and repeats
    python asv_benchmarks/side_by_side.py --workload small32 predict

Workloads (``--workload``, several allowed, default ``all``):

small32  Fashion-MNIST, 784-256-128-10, ReLU, Adam lr 1e-3, batch 256, 10 epochs,
         float32: sknn vs PyTorch (default Adam and ``fused=True``) and
         scikit-learn (float32), plus the GEMM-bound minimum.
small64  the same net in float64: sknn vs scikit-learn.
wide32   784-1024-1024-10, float32, 1 epoch per fit, 5 rounds (its one-epoch fits
         spread most): sknn vs PyTorch, plus the GEMM-bound minimum.
wide64   784-1024-1024-10, float64, 1 epoch per fit, 5 rounds: sknn vs scikit-learn.
digits   scikit-learn's digits, 64-100-10, batch 32, where Python overhead rules.
defaults scikit-learn's defaults (100 hidden units, batch 200, alpha 1e-4) on a
         binary tabular task (make_classification, 20,000 x 50), float64: what a
         user who swaps the import gets (information, no target).
predict  predict_proba throughput of the small net, with the same weights copied
         into every implementation (so their probabilities must agree).
memory   peak memory of a small-net fit, each fit in a fresh subprocess.

Method
------
* Epoch time: each run is a complete ``fit(max_iter=E)`` (``tol=0``,
  ``n_iter_no_change=E``, no early stopping, so every run does exactly E epochs)
  divided by ``n_iter_``. PyTorch runs the same thing: build the model and the
  optimizer, then E epochs of a plain loop. Fit-level overheads (validation,
  initialization) are paid by everyone and amortized over E epochs. ``partial_fit``
  is not used because scikit-learn re-validates its input on every call.
* Runs alternate between implementations (the order is reversed every other
  round and rotated, so no implementation always runs right after another) and
  a ratio is the median over rounds of the ratio within a round, which cancels
  slow drifts of a shared, noisy machine. Absolute times are medians.
* The GEMM-bound minimum of an epoch is 3 x its forward FLOPs (2 x rows x the sum
  of n_in x n_out over layers) at the rate of a NumPy 2048^3 GEMM of the same
  dtype, measured once per round, in this process.
* Peak memory: each fit runs in a fresh subprocess that loads the data and
  warms the estimator up (a tiny fit, so lazy imports are paid) before
  measuring. The primary figure is ``tracemalloc``'s peak during the fit: NumPy
  reports its buffers to tracemalloc, so it counts every array and Python object
  the fit allocates, and nothing else (not BLAS's own work buffers). The
  secondary figure is the growth of the resident set: the kernel's peak RSS
  (VmHWM, reset through /proc/self/clear_refs after loading) minus the RSS
  before the fit.
* OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, when set, slow NumPy's OpenBLAS on
  this machine: the script re-executes itself without them before NumPy is
  imported (``--keep-blas-env`` keeps them), and prints what threadpoolctl sees.
"""

# ruff: noqa: E402  (the BLAS environment must be cleaned before NumPy loads)

# SPDX-License-Identifier: BSD-3-Clause

import os
import sys

from blas_env import BLAS_ENV as _BLAS_ENV
from blas_env import UNSET_RECORD as _UNSET_RECORD
from blas_env import reexec_without_blas_env

if __name__ == "__main__":
    reexec_without_blas_env()

import argparse
import gc
import json
import platform
import subprocess
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median

import numpy as np
from gemm_bounds import (
    epoch_gemm_floor,
    forward_flops,
    gemm_rate,
    predict_floor,
)
from threadpoolctl import threadpool_info, threadpool_limits

HERE = Path(__file__).resolve().parent
CACHE = HERE / "cache"

SMALL = (256, 128)
WIDE = (1024, 1024)
DIGITS_NET = (100,)
DEFAULTS_NET = (100,)  # scikit-learn's default hidden_layer_sizes
WORKLOADS = (
    "small32",
    "small64",
    "wide32",
    "wide64",
    "digits",
    "defaults",
    "predict",
    "memory",
)

# Defaults, then --quick. Epoch counts of the Fashion-MNIST workloads: the issue's
# 10 for the small net; 1 for the wide net, whose epoch costs ~8x more (its
# per-fit overhead is under 1% of an epoch).
DEFAULTS = dict(
    repeats=3,
    epochs=10,
    wide_epochs=1,
    wide_repeats=5,  # one-epoch fits spread most between rounds
    digits_epochs=50,
    digits_repeats=5,
    defaults_epochs=20,
    predict_rounds=15,
    memory_epochs=2,
)
QUICK = dict(
    repeats=1,
    epochs=2,
    wide_epochs=1,
    wide_repeats=1,
    digits_epochs=10,
    digits_repeats=2,
    defaults_epochs=5,
    predict_rounds=5,
    memory_epochs=1,
)


# --------------------------------------------------------------------------
# Data


def _fashion_mnist():
    """Fashion-MNIST as cached .npy files (fast, transient-free loads)."""
    names = ("X_train", "y_train", "X_test", "y_test")
    paths = {n: CACHE / f"fashion_mnist_{n}.npy" for n in names}
    if not all(p.exists() for p in paths.values()):
        try:
            from sknn.datasets import load_fashion_mnist

            data = load_fashion_mnist()
            arrays = {n: data[n] for n in names}
            arrays["y_train"] = arrays["y_train"].astype(np.int64)
            arrays["y_test"] = arrays["y_test"].astype(np.int64)
        except OSError as exc:  # not installed: a synthetic stand-in
            print(f"!! Fashion-MNIST not found ({exc}); using synthetic data")
            return _synthetic_fashion()
        CACHE.mkdir(exist_ok=True)
        for n, a in arrays.items():
            np.save(paths[n], np.ascontiguousarray(a))
    out = {n: np.load(p) for n, p in paths.items()}
    out["name"] = "Fashion-MNIST"
    return out


def _synthetic_fashion():
    from sklearn.datasets import make_classification

    X, y = make_classification(
        70000, 784, n_informative=60, n_classes=10, random_state=0
    )
    X = (X - X.min()) / (X.max() - X.min())
    X = X.astype(np.float32)
    return {
        "X_train": X[:60000],
        "y_train": y[:60000].astype(np.int64),
        "X_test": X[60000:],
        "y_test": y[60000:].astype(np.int64),
        "name": "synthetic (Fashion-MNIST missing)",
    }


def _as_dtype(data, key, dtype):
    """``data[key]`` in ``dtype``, converted once and kept."""
    cache_key = (key, np.dtype(dtype).name)
    if cache_key not in data:
        data[cache_key] = np.ascontiguousarray(data[key], dtype=dtype)
    return data[cache_key]


def _digits():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    X_train, X_test, y_train, y_test = train_test_split(
        X, y.astype(np.int64), test_size=0.2, random_state=0, stratify=y
    )
    return {
        "X_train": X_train,
        "y_train": y_train,
        "X_test": X_test,
        "y_test": y_test,
        "name": "digits",
    }


def _tabular():
    """A binary tabular task for scikit-learn's defaults (standardized)."""
    from sklearn.datasets import make_classification
    from sklearn.model_selection import train_test_split

    X, y = make_classification(
        25000, 50, n_informative=20, n_redundant=10, random_state=0
    )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y.astype(np.int64), test_size=5000, random_state=0, stratify=y
    )
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    return {
        "X_train": (X_train - mean) / std,
        "y_train": y_train,
        "X_test": (X_test - mean) / std,
        "y_test": y_test,
        "name": "make_classification (binary)",
    }


# --------------------------------------------------------------------------
# Implementations


@dataclass(frozen=True)
class Impl:
    name: str  # "sknn", "sklearn" or "torch"
    dtype: type = np.float32
    fused: bool = False

    @property
    def label(self):
        base = "torch-fused" if self.fused else self.name
        return f"{base}/{np.dtype(self.dtype).name}"


def _estimator_class(name):
    if name == "sknn":
        from sknn import MLPClassifier
    else:
        from sklearn.neural_network import MLPClassifier
    return MLPClassifier


def _make_estimator(name, sizes, epochs, batch_size, cfg, seed=0):
    return _estimator_class(name)(
        hidden_layer_sizes=sizes,
        activation="relu",
        solver="adam",
        alpha=cfg.alpha,
        batch_size=batch_size,
        learning_rate_init=cfg.lr,
        max_iter=epochs,
        shuffle=True,
        random_state=seed,
        tol=0.0,
        n_iter_no_change=epochs,
        early_stopping=False,
    )


def _fit_quietly(est, X, y):
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


class TorchMLP:
    """The PyTorch peer: nn.Linear + ReLU, CrossEntropyLoss, default Adam."""

    def __init__(self, sizes, n_classes, epochs, batch_size, cfg, fused, seed=0):
        self.sizes, self.n_classes = sizes, n_classes
        self.epochs, self.batch_size = epochs, batch_size
        self.lr, self.fused, self.seed = cfg.lr, fused, seed

    def _build(self, n_features):
        import torch
        from torch import nn

        torch.manual_seed(self.seed)
        layers, n_in = [], n_features
        for width in self.sizes:
            layers += [nn.Linear(n_in, width), nn.ReLU()]
            n_in = width
        layers.append(nn.Linear(n_in, self.n_classes))
        self.model_ = nn.Sequential(*layers)

    def fit(self, X, y):
        import torch
        from torch import nn

        self._build(X.shape[1])
        model = self.model_
        # fused=None is the default (a for-loop over tensors on CPU).
        optimizer = torch.optim.Adam(
            model.parameters(), lr=self.lr, fused=True if self.fused else None
        )
        criterion = nn.CrossEntropyLoss()
        X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)
        n = X.shape[0]
        generator = torch.Generator().manual_seed(self.seed)
        self.loss_curve_ = []
        for _ in range(self.epochs):
            permutation = torch.randperm(n, generator=generator)
            total = 0.0
            for start in range(0, n, self.batch_size):
                idx = permutation[start : start + self.batch_size]
                optimizer.zero_grad()
                loss = criterion(model(X_t[idx]), y_t[idx])
                loss.backward()
                optimizer.step()
                total += loss.item() * len(idx)
            self.loss_curve_.append(total / n)
        self.n_iter_ = self.epochs
        return self

    def set_weights(self, coefs, intercepts):
        import torch

        self._build(coefs[0].shape[0])
        linears = [m for m in self.model_ if isinstance(m, torch.nn.Linear)]
        with torch.no_grad():
            for lin, W, b in zip(linears, coefs, intercepts, strict=True):
                lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(W.T)))
                lin.bias.copy_(torch.from_numpy(np.asarray(b)))
        return self

    def predict_proba(self, X):
        import torch

        with torch.inference_mode():
            return torch.softmax(self.model_(torch.from_numpy(X)), dim=1).numpy()

    def score(self, X, y):
        return float(np.mean(self.predict_proba(X).argmax(axis=1) == y))


def _run_fit(impl, data, sizes, epochs, batch_size, cfg, n_rows=None):
    """One timed fit; returns (seconds per epoch, fitted model)."""
    X = _as_dtype(data, "X_train", impl.dtype)[:n_rows]
    y = data["y_train"][:n_rows]
    if impl.name == "torch":
        model = TorchMLP(
            sizes, int(y.max()) + 1, epochs, batch_size, cfg, fused=impl.fused
        )
    else:
        model = _make_estimator(impl.name, sizes, epochs, batch_size, cfg)
    gc.collect()
    start = time.perf_counter()
    _fit_quietly(model, X, y)
    elapsed = time.perf_counter() - start
    if model.n_iter_ != epochs:
        raise RuntimeError(f"{impl.label} ran {model.n_iter_} epochs, not {epochs}")
    return elapsed / model.n_iter_, model


# --------------------------------------------------------------------------
# Results and targets


@dataclass
class Target:
    name: str
    value: float | None
    op: str  # "<=" or ">="
    bound: float
    unit: str = "x"
    #: The same ratio with sknn's time replaced by the GEMM floor: the best any
    #: engine built on NumPy's BLAS can reach. None where not measured.
    floor: float | None = None
    #: The lowest and highest per-round ratio (``value`` is their median): how
    #: far a shared machine moves the ratio within one run. None for one-off
    #: figures.
    rounds: tuple | None = None

    def _meets(self, value):
        return value <= self.bound if self.op == "<=" else value >= self.bound

    @property
    def status(self):
        if self.value is None or not np.isfinite(self.value):
            return "n/a"
        if self._meets(self.value):
            return "PASS"
        if self.floor is not None and not self._meets(self.floor):
            return "MISS (floor misses too)"
        return "MISS"


@dataclass
class Report:
    targets: list = field(default_factory=list)

    def target(self, name, value, op, bound, unit="x", floor=None, rounds=None):
        self.targets.append(Target(name, value, op, bound, unit, floor, rounds))

    def paired_target(self, name, a, b, op, bound, floor=None):
        """A target on the paired ratio ``a / b``, with its per-round range."""
        ratios = [x / y for x, y in zip(a, b, strict=True)]
        self.target(
            name,
            median(ratios),
            op,
            bound,
            floor=floor,
            rounds=(min(ratios), max(ratios)),
        )


def _paired_ratio(a, b):
    """Median over rounds of a[i] / b[i]."""
    return median(x / y for x, y in zip(a, b, strict=True))


def _fmt_s(seconds):
    return f"{seconds * 1e3:9.1f} ms" if seconds < 1 else f"{seconds:9.3f} s "


def _round_order(items, r):
    """Order of round ``r``: rotated every other round, reversed every odd one.

    Reversal flips which of any two implementations runs first in consecutive
    rounds, so neither always inherits the other's warm caches and freed
    memory (rotation alone would keep most pairs in one order).
    """
    shift = (r // 2) % len(items)
    order = items[shift:] + items[:shift]
    return order[::-1] if r % 2 else order


def timing_workload(
    title,
    impls,
    data,
    sizes,
    epochs,
    batch_size,
    cfg,
    repeats,
    gemm_dtype=None,
    n_rows=None,
):
    """Alternating timed fits; prints a table and returns the measurements."""
    X = data["X_train"][:n_rows]
    n = X.shape[0]
    n_classes = int(data["y_train"].max()) + 1
    n_outputs = 1 if n_classes == 2 else n_classes  # binary: one logistic unit
    print(f"\n== {title}")
    print(
        f"   {data['name']}: {n} rows x {X.shape[1]} features, net "
        f"{'-'.join(map(str, [X.shape[1], *sizes, n_outputs]))}, ReLU, Adam "
        f"lr={cfg.lr:g}, alpha={cfg.alpha:g}, batch {batch_size}, {epochs} epochs "
        f"per fit, {repeats} alternating round(s); load {_loadavg()}"
    )
    for impl in impls:  # warm-up: imports, lazy initializations, page faults
        _run_fit(impl, data, sizes, 1, batch_size, cfg, n_rows=min(n, 2048))
    times = {impl: [] for impl in impls}
    models = {}
    bounds = Bounds()
    widths = [X.shape[1], *sizes, n_outputs]
    flops = forward_flops(n, widths)
    for r in range(repeats):
        if gemm_dtype is not None:
            bounds.gemm_min.append(3.0 * flops / gemm_rate(gemm_dtype))
            bounds.floor.append(epoch_gemm_floor(n, widths, batch_size, gemm_dtype))
        for impl in _round_order(list(impls), r):
            seconds, model = _run_fit(
                impl, data, sizes, epochs, batch_size, cfg, n_rows=n_rows
            )
            times[impl].append(seconds)
            models[impl] = model
    if gemm_dtype is not None:
        rate = 3.0 * flops / median(bounds.gemm_min)
        print(
            f"   NumPy 2048^3 GEMM {np.dtype(gemm_dtype).name}: {rate / 1e9:.1f} "
            f"GFLOP/s (median of {repeats} rounds); forward {flops / 1e9:.2f} "
            f"GFLOP/epoch -> GEMM-bound minimum {median(bounds.gemm_min):.3f} "
            f"s/epoch\n   GEMM floor (the epoch's products alone, at their shapes): "
            f"{median(bounds.floor):.3f} s/epoch = "
            f"{_paired_ratio(bounds.floor, bounds.gemm_min):.2f} x the minimum"
        )
    ref = impls[0]
    header = (
        f"   {'impl':<20} {'epoch (median)':>15} {'min':>12} {'max':>12} "
        f"{'/ ' + ref.label:>20}"
    )
    if bounds:
        header += f" {'/ GEMM-min':>11} {'/ floor':>8}"
    header += f" {'test acc':>9}"
    print(header)
    accuracy = {}
    for impl in impls:
        t = times[impl]
        accuracy[impl] = models[impl].score(
            _as_dtype(data, "X_test", impl.dtype), data["y_test"]
        )
        line = (
            f"   {impl.label:<20} {_fmt_s(median(t)):>15} {_fmt_s(min(t)):>12} "
            f"{_fmt_s(max(t)):>12} {_paired_ratio(t, times[ref]):>20.3f}"
        )
        if bounds:
            line += (
                f" {_paired_ratio(t, bounds.gemm_min):>11.3f}"
                f" {_paired_ratio(t, bounds.floor):>8.3f}"
            )
        line += f" {accuracy[impl]:>9.4f}"
        print(line)
    return times, bounds, accuracy


@dataclass
class Bounds:
    """Per-round lower bounds of an epoch (see ``gemm_bounds``), in seconds."""

    gemm_min: list = field(default_factory=list)
    floor: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.gemm_min)


def _loadavg():
    try:
        return "avg {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    except OSError:
        return "avg n/a"


# --------------------------------------------------------------------------
# Workloads


def _fashion_mnist_workload(net, dtype, impls, data, cfg):
    """Timings of the ``"small"`` or ``"wide"`` network in ``dtype``:
    batches of 256, the network's epochs and rounds from ``cfg``."""
    sizes, epochs, repeats = {
        "small": (SMALL, cfg.epochs, cfg.repeats),
        "wide": (WIDE, cfg.wide_epochs, cfg.wide_repeats),
    }[net]
    name = np.dtype(dtype).name
    title = f"{net}{name[-2:]}: {net} net, {name}"
    return timing_workload(
        title, impls, data, sizes, epochs, 256, cfg, repeats, gemm_dtype=dtype
    )


def _float32_impls(peers):
    """sknn, then PyTorch with its default and its fused Adam, in float32."""
    impls = [Impl("sknn", np.float32)]
    if "torch" in peers:
        impls += [Impl("torch", np.float32), Impl("torch", np.float32, fused=True)]
    return impls


def _report_accuracy(report, acc, sknn, sklearn):
    """Test accuracy of the small network: sknn's within 0.005 of sklearn's."""
    report.target(
        f"accuracy f{np.dtype(sknn.dtype).name[-2:]}: |sknn - sklearn| (small net)",
        abs(acc[sknn] - acc[sklearn]),
        "<=",
        0.005,
        unit="",
    )


def run_small32(cfg, data, report, peers):
    impls = _float32_impls(peers)
    if "sklearn" in peers:
        impls.append(Impl("sklearn", np.float32))
    times, bounds, acc = _fashion_mnist_workload("small", np.float32, impls, data, cfg)
    _report_float32_targets(
        report, "small net", times[impls[0]], times, bounds, torch=0.7, gemm=1.3
    )
    sk32 = Impl("sklearn", np.float32)
    if sk32 in acc:
        _report_accuracy(report, acc, impls[0], sk32)


def _report_float32_targets(report, net, sknn, times, bounds, *, torch, gemm):
    """The float32 targets of a network: against PyTorch and the GEMM bound."""
    torch_default = Impl("torch", np.float32)
    if torch_default in times:
        report.paired_target(
            f"{net} f32: sknn / PyTorch epoch",
            sknn,
            times[torch_default],
            "<=",
            torch,
            floor=_paired_ratio(bounds.floor, times[torch_default]),
        )
        fused = Impl("torch", np.float32, fused=True)
        print(
            "   (info) sknn / PyTorch fused-Adam epoch: "
            f"{_paired_ratio(sknn, times[fused]):.3f}"
        )
    report.paired_target(
        f"{net} f32: sknn / GEMM-bound min",
        sknn,
        bounds.gemm_min,
        "<=",
        gemm,
        floor=_paired_ratio(bounds.floor, bounds.gemm_min),
    )


def _report_float64_target(report, net, times, impls, bounds):
    """sknn's float64 epoch against scikit-learn's: at most 0.6 x."""
    sknn, sklearn = (times[impl] for impl in impls)
    report.paired_target(
        f"{net} f64: sknn / sklearn epoch",
        sknn,
        sklearn,
        "<=",
        0.6,
        floor=_paired_ratio(bounds.floor, sklearn),
    )


def run_small64(cfg, data, report, peers):
    impls = [Impl("sknn", np.float64), Impl("sklearn", np.float64)]
    times, bounds, acc = _fashion_mnist_workload("small", np.float64, impls, data, cfg)
    _report_float64_target(report, "small net", times, impls, bounds)
    _report_accuracy(report, acc, *impls)


def run_wide32(cfg, data, report, peers):
    impls = _float32_impls(peers)
    times, bounds, _ = _fashion_mnist_workload("wide", np.float32, impls, data, cfg)
    _report_float32_targets(
        report, "wide net", times[impls[0]], times, bounds, torch=0.8, gemm=1.4
    )


def run_wide64(cfg, data, report, peers):
    impls = [Impl("sknn", np.float64), Impl("sklearn", np.float64)]
    times, bounds, _ = _fashion_mnist_workload("wide", np.float64, impls, data, cfg)
    _report_float64_target(report, "wide net", times, impls, bounds)


def run_digits(cfg, data, report, peers):
    impls = [
        Impl("sknn", np.float64),
        Impl("sklearn", np.float64),
        Impl("sknn", np.float32),
        Impl("sklearn", np.float32),
    ]
    if "torch" in peers:
        impls.append(Impl("torch", np.float32))
    times, _, _ = timing_workload(
        "digits: small data, Python overhead",
        impls,
        data,
        DIGITS_NET,
        cfg.digits_epochs,
        32,
        cfg,
        cfg.digits_repeats,
    )
    report.paired_target(
        "digits f64: sknn / sklearn epoch", times[impls[0]], times[impls[1]], "<=", 0.5
    )
    print(
        "   (info) float32 sknn / sklearn epoch: "
        f"{_paired_ratio(times[impls[2]], times[impls[3]]):.3f}"
    )


def run_defaults(cfg, data, report, peers):
    """scikit-learn's defaults, as a user who swaps the import runs them."""
    impls = [Impl("sknn", np.float64), Impl("sklearn", np.float64)]
    defaults = argparse.Namespace(**{**vars(cfg), "alpha": 1e-4, "lr": 1e-3})
    times, _, _ = timing_workload(
        "defaults: scikit-learn's defaults on a binary tabular task",
        impls,
        data,
        DEFAULTS_NET,
        cfg.defaults_epochs,
        200,
        defaults,
        cfg.repeats,
    )
    print(
        "   (info) sknn / sklearn epoch at scikit-learn's defaults: "
        f"{_paired_ratio(times[impls[0]], times[impls[1]]):.3f}"
    )


#: Pause before each timed predict call. Without it, sknn and scikit-learn
#: measured equal alone, and sknn's float32 calls 8-13 % slower when PyTorch's
#: calls were in the rotation.
PREDICT_SETTLE_SECONDS = 0.05


#: Rows per call of the latency measurement: one request, a small batch.
LATENCY_ROWS = (1, 100)


def _print_latency(models, inputs, cfg):
    """Median time of ``predict_proba`` on a few rows (information only).

    On one row the network's products take microseconds and the input
    checks most of the call; the throughput target above does not see it.
    Each implementation makes a block of calls in turn, after a pause, so
    that no call follows another library's call whose idle threads still
    spin (PyTorch's slowed the next few calls by up to three times).
    """
    impls = list(models)
    rounds, calls = (5, 40) if cfg.predict_rounds >= 15 else (2, 20)
    print(
        f"   latency: predict_proba on a few rows, median of {rounds} alternating "
        f"blocks of {calls} calls"
    )
    header = "".join(f"{f'{n} row(s), us':>16}" for n in LATENCY_ROWS)
    print(f"   {'impl':<20}{header}")
    medians = {}
    for n in LATENCY_ROWS:
        times = {impl: [] for impl in impls}
        rows = {dt: np.ascontiguousarray(X[:n]) for dt, X in inputs.items()}
        for r in range(rounds):
            for impl in _round_order(impls, r):
                X, predict_proba = rows[impl.dtype], models[impl].predict_proba
                time.sleep(PREDICT_SETTLE_SECONDS)
                for _ in range(calls):
                    start = time.perf_counter()
                    predict_proba(X)
                    times[impl].append(time.perf_counter() - start)
        for impl in impls:
            medians[impl, n] = median(times[impl])
    for impl in impls:
        cells = "".join(f"{medians[impl, n] * 1e6:>16.0f}" for n in LATENCY_ROWS)
        print(f"   {impl.label:<20}{cells}")
    for dtype in inputs:
        sknn, sklearn = Impl("sknn", dtype), Impl("sklearn", dtype)
        if sknn in models and sklearn in models:
            ratios = ", ".join(
                f"{n} row(s) {medians[sknn, n] / medians[sklearn, n]:.2f}"
                for n in LATENCY_ROWS
            )
            print(f"   (info) sknn / sklearn time, {np.dtype(dtype).name}: {ratios}")


def run_predict(cfg, data, report, peers):
    """predict_proba throughput with one set of weights in every implementation."""
    X_test = data["X_test"]
    n = X_test.shape[0]
    n_classes = int(data["y_train"].max()) + 1
    print(f"\n== predict: predict_proba throughput, small net; load {_loadavg()}")
    # One epoch of sknn gives realistic weights; they are then copied into every
    # model, so every implementation computes the same probabilities.
    _, reference = _run_fit(Impl("sknn", np.float32), data, SMALL, 1, 256, cfg)
    coefs = [np.array(W) for W in reference.coefs_]
    intercepts = [np.array(b) for b in reference.intercepts_]
    models = {}
    for impl in (
        Impl("sknn", np.float32),
        Impl("sklearn", np.float32),
        Impl("sknn", np.float64),
        Impl("sklearn", np.float64),
    ):
        if impl.name == "sklearn" and "sklearn" not in peers:
            continue
        # A one-iteration fit on a few rows makes a fitted estimator of the
        # right dtype; its weights are then replaced (public coefs_).
        est = _make_estimator(impl.name, SMALL, 1, 64, cfg)
        _fit_quietly(
            est,
            data["X_train"][:256].astype(impl.dtype),
            data["y_train"][:256],
        )
        est.coefs_ = [W.astype(impl.dtype) for W in coefs]
        est.intercepts_ = [b.astype(impl.dtype) for b in intercepts]
        models[impl] = est
    if "torch" in peers:
        impl = Impl("torch", np.float32)
        models[impl] = TorchMLP(SMALL, n_classes, 1, 256, cfg, False).set_weights(
            coefs, intercepts
        )
    inputs = {dt: X_test.astype(dt) for dt in (np.float32, np.float64)}
    probas = {impl: m.predict_proba(inputs[impl.dtype]) for impl, m in models.items()}
    impls = list(models)
    times = {impl: [] for impl in impls}
    widths = [X_test.shape[1], *SMALL, n_classes]
    floor = {np.float32: [], np.float64: []}
    for r in range(cfg.predict_rounds):
        for dtype, seconds in floor.items():
            seconds.append(predict_floor(n, widths, dtype, repeats=3))
        for impl in _round_order(impls, r):
            X = inputs[impl.dtype]
            # Let the previous call's idle BLAS/OpenMP workers stop spinning:
            # PyTorch's otherwise slow down whichever call comes next.
            time.sleep(PREDICT_SETTLE_SECONDS)
            start = time.perf_counter()
            models[impl].predict_proba(X)
            times[impl].append(time.perf_counter() - start)
    print(f"   {n} rows per call, {cfg.predict_rounds} alternating rounds")
    print(
        f"   {'impl':<20} {'rows/s (median)':>16} {'ms/call':>9} "
        f"{'sknn thr / this':>16} {'max |P - P_sknn|':>17}"
    )
    throughput = {impl: [n / t for t in times[impl]] for impl in impls}
    for impl in impls:
        ref = Impl("sknn", impl.dtype)
        diff = float(np.max(np.abs(probas[impl] - probas[ref])))
        print(
            f"   {impl.label:<20} {median(throughput[impl]):>16,.0f} "
            f"{median(times[impl]) * 1e3:>9.2f} "
            f"{_paired_ratio(throughput[ref], throughput[impl]):>16.3f} "
            f"{diff:>17.2e}"
        )
    floor_throughput = {dt: [n / t for t in seconds] for dt, seconds in floor.items()}
    for dtype, seconds in floor.items():
        print(
            f"   GEMM floor {np.dtype(dtype).name:<9} {n / median(seconds):>16,.0f} "
            f"{median(seconds) * 1e3:>9.2f}   (the forward products alone)"
        )

    _print_latency(models, inputs, cfg)

    def target(name, impl, peer, bound):
        report.paired_target(
            name,
            throughput[impl],
            throughput[peer],
            ">=",
            bound,
            floor=_paired_ratio(floor_throughput[impl.dtype], throughput[peer]),
        )

    s32, s64 = Impl("sknn", np.float32), Impl("sknn", np.float64)
    torch32 = Impl("torch", np.float32)
    if torch32 in throughput:
        target("predict_proba f32: sknn / PyTorch throughput", s32, torch32, 1.3)
    if "sklearn" in peers:
        sk32, sk64 = Impl("sklearn", np.float32), Impl("sklearn", np.float64)
        target("predict_proba f32: sknn / sklearn throughput", s32, sk32, 1.0)
        target("predict_proba f64: sknn / sklearn throughput", s64, sk64, 1.2)


def run_memory(cfg, data, report, peers):
    print(f"\n== memory: peak memory of a small-net fit; load {_loadavg()}")
    print(
        f"   {data['name']} {data['X_train'].shape[0]} rows, {cfg.memory_epochs} "
        "epoch(s), batch 256, one fresh subprocess per figure. tracemalloc: peak "
        "of traced allocations (NumPy buffers + Python objects) during fit; RSS: "
        "peak resident set during fit minus resident set before it."
    )
    print(
        f"   {'impl':<20} {'tracemalloc peak':>17} {'RSS growth':>12} "
        f"{'X (input)':>10} {'RSS method':>12}"
    )
    results = {}
    for dtype in (np.float32, np.float64):
        for name in ("sknn", "sklearn"):
            impl = Impl(name, dtype)
            res = {}
            for mode in ("tracemalloc", "rss"):
                res[mode] = _memory_subprocess(impl, mode, cfg)
            results[impl] = res
            print(
                f"   {impl.label:<20} {res['tracemalloc']['peak'] / 2**20:>13.1f} MiB"
                f" {res['rss']['peak'] / 2**20:>8.1f} MiB"
                f" {res['rss']['X_bytes'] / 2**20:>6.0f} MiB"
                f" {res['rss']['method']:>12}"
            )
        ratio = (
            results[Impl("sknn", dtype)]["tracemalloc"]["peak"]
            / results[Impl("sklearn", dtype)]["tracemalloc"]["peak"]
        )
        report.target(
            f"peak memory of fit {np.dtype(dtype).name}: sknn / sklearn (tracemalloc)",
            ratio,
            "<=",
            1.0,
        )


def _memory_subprocess(impl, mode, cfg):
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--memory-child",
        impl.name,
        np.dtype(impl.dtype).name,
        mode,
        "--memory-epochs",
        str(cfg.memory_epochs),
        "--alpha",
        str(cfg.alpha),
        "--lr",
        str(cfg.lr),
    ]
    if cfg.threads is not None:
        cmd += ["--threads", str(cfg.threads)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"memory child failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _read_status_kib(field_name):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(field_name)


def memory_child(name, dtype, mode, cfg):
    """Body of the memory subprocess: load, warm up, measure one fit."""
    import resource
    import tracemalloc

    data = _fashion_mnist()
    X = data["X_train"].astype(dtype)
    y = data["y_train"]
    del data
    warm = _make_estimator(name, SMALL, 1, 64, cfg)
    _fit_quietly(warm, X[:256], y[:256])
    del warm
    est = _make_estimator(name, SMALL, cfg.memory_epochs, 256, cfg)
    gc.collect()
    if mode == "tracemalloc":
        tracemalloc.start()
        _fit_quietly(est, X, y)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        method = "tracemalloc"
    else:
        before = _read_status_kib("VmRSS")
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")  # reset VmHWM, the peak resident set
            method = "VmHWM reset"
            _fit_quietly(est, X, y)
            peak = _read_status_kib("VmHWM") - before
        except OSError:
            method = "ru_maxrss"
            base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
            _fit_quietly(est, X, y)
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - base
    print(json.dumps({"peak": peak, "method": method, "X_bytes": X.nbytes}))


# --------------------------------------------------------------------------
# Environment


def print_environment(cfg, with_torch=True):
    import scipy
    import sklearn

    import sknn

    print("sknn side-by-side benchmark")
    print(f"   date      {time.strftime('%Y-%m-%d %H:%M:%S %Z')}")
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(ln.split(":", 1)[1].strip() for ln in f if "model name" in ln)
    except (OSError, StopIteration):
        pass
    print(f"   machine   {platform.machine()} {cpu}, {os.cpu_count()} CPUs")
    print(f"   python    {platform.python_version()}")
    print(
        f"   numpy {np.__version__}, scipy {scipy.__version__}, scikit-learn "
        f"{sklearn.__version__}, sknn {sknn.__version__} ({_sknn_source(sknn)})"
    )
    try:
        if not with_torch:
            raise ImportError
        import torch

        print(
            f"   torch {torch.__version__}, CPU capability "
            f"{torch.backends.cpu.get_cpu_capability()}, "
            f"{_torch_blas(torch)}, torch threads {torch.get_num_threads()}"
        )
    except ImportError:
        if with_torch:
            print("   torch     not installed: PyTorch peers skipped")
    unset = os.environ.get(_UNSET_RECORD)
    kept = {k: os.environ[k] for k in _BLAS_ENV if k in os.environ}
    if unset:
        print(f"   BLAS env  unset for this process: {unset}")
    elif kept:
        print(f"   BLAS env  KEPT (--keep-blas-env): {kept}")
    else:
        print(f"   BLAS env  {', '.join(_BLAS_ENV)} not set")
    print(f"   threads   {cfg.threads_used} (BLAS, OpenMP and torch)")
    print("   threadpoolctl:")
    for info in threadpool_info():
        print(
            f"     {info['user_api']:<7} {info['internal_api']:<9} "
            f"{info.get('version') or '':<13} kernel="
            f"{info.get('architecture', '-'):<10} threads={info['num_threads']} "
            f"layer={info.get('threading_layer', '-')}  "
            f"{os.path.basename(info['filepath'])}"
        )


def _sknn_source(sknn):
    path = Path(sknn.__file__).resolve().parent
    try:
        rev = subprocess.run(
            ["git", "-C", str(path), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        rev = "no git"
    return f"{path}, {rev}"


def _torch_blas(torch):
    config = torch.__config__.show()
    for item in config.replace("\n", ",").split(","):
        if "BLAS_INFO" in item:
            return item.strip()
    return "BLAS_INFO=?"


# --------------------------------------------------------------------------
# Main


RUNNERS = {
    "small32": run_small32,
    "small64": run_small64,
    "wide32": run_wide32,
    "wide64": run_wide64,
    "digits": run_digits,
    "defaults": run_defaults,
    "predict": run_predict,
    "memory": run_memory,
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--workload",
        nargs="+",
        default=["all"],
        choices=["all", *WORKLOADS],
        help="workloads to run (default: all)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer epochs and repeats (~2-3 min)"
    )
    parser.add_argument("--repeats", type=int, help="alternating rounds per workload")
    parser.add_argument("--epochs", type=int, help="epochs per fit, small net")
    parser.add_argument("--wide-epochs", type=int, help="epochs per fit, wide net")
    parser.add_argument("--wide-repeats", type=int, help="alternating rounds, wide net")
    parser.add_argument("--digits-epochs", type=int, help="epochs per fit, digits")
    parser.add_argument("--digits-repeats", type=int, help="alternating rounds, digits")
    parser.add_argument(
        "--defaults-epochs",
        type=int,
        help="epochs per fit, scikit-learn's defaults on tabular data",
    )
    parser.add_argument(
        "--predict-rounds",
        type=int,
        help="alternating rounds of predict_proba throughput",
    )
    parser.add_argument(
        "--memory-epochs", type=int, help="epochs of each peak-memory fit"
    )
    parser.add_argument(
        "--threads",
        type=int,
        help="thread count for BLAS, OpenMP and torch (default: what "
        "threadpoolctl reports for NumPy's BLAS)",
    )
    parser.add_argument(
        "--alpha",
        type=float,
        default=0.0,
        help="L2 penalty of sknn and scikit-learn (default 0, the math of "
        "PyTorch's default Adam)",
    )
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch")
    parser.add_argument(
        "--keep-blas-env",
        action="store_true",
        help="do not unset OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE",
    )
    parser.add_argument("--memory-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    for key, value in (QUICK if args.quick else DEFAULTS).items():
        if getattr(args, key, None) is None:
            setattr(args, key, value)
    return args


def main(argv=None):
    cfg = parse_args(argv)
    # Load every thread pool (SciPy's own OpenBLAS, scikit-learn's OpenMP)
    # before capping them, so that the cap reaches them all.
    import scipy.special  # noqa: F401
    import sklearn.neural_network  # noqa: F401

    limits = threadpool_limits(limits=cfg.threads) if cfg.threads else None
    if cfg.memory_child:
        name, dtype, mode = cfg.memory_child
        memory_child(name, np.dtype(dtype).type, mode, cfg)
        return
    blas = [i for i in threadpool_info() if i["user_api"] == "blas"]
    numpy_blas = next((i for i in blas if "numpy" in i["filepath"]), None)
    cfg.threads_used = cfg.threads or (numpy_blas or {"num_threads": 1})["num_threads"]
    peers = {"sklearn"}
    if not cfg.no_torch:
        try:
            import torch

            torch.set_num_threads(cfg.threads_used)
            peers.add("torch")
        except ImportError:
            pass
    workloads = WORKLOADS if "all" in cfg.workload else tuple(cfg.workload)
    need_fashion = set(workloads) - {"digits", "defaults"}
    fashion = _fashion_mnist() if need_fashion else None
    other_data = {"digits": _digits, "defaults": _tabular}
    other_data = {k: load() for k, load in other_data.items() if k in workloads}
    import sknn  # noqa: F401  (loaded before the report of thread pools)

    print_environment(cfg, with_torch="torch" in peers)
    report = Report()
    start = time.perf_counter()
    for name in WORKLOADS:
        if name in workloads:
            data = other_data.get(name, fashion)
            RUNNERS[name](cfg, data, report, peers)
    print(f"\n== targets (ratios within this run; load {_loadavg()})")
    print(
        "   'floor': the same ratio for the GEMM floor instead of sknn, the best an "
        "engine\n   on NumPy's BLAS can reach; where it misses, so must any such engine"
    )
    print(
        "   'rounds': the lowest and highest ratio of a single round ('sknn' is "
        "their median)"
    )
    print(
        f"   {'target':<52} {'sknn':>8}  {'rounds':<13} {'bound':<9} {'floor':>7}  "
        "status"
    )
    for t in report.targets:
        bound = f"{t.op} {t.bound:g}"
        floor = "" if t.floor is None else f"{t.floor:.3f}"
        rounds = "" if t.rounds is None else f"{t.rounds[0]:.3f}-{t.rounds[1]:.3f}"
        print(
            f"   {t.name:<52} {t.value:>8.3f}  {rounds:<13} {bound:<9} {floor:>7}  "
            f"{t.status}"
        )
    print(f"\ntotal {time.perf_counter() - start:.0f} s")
    if limits is not None:
        limits.restore_original_limits()


if __name__ == "__main__":
    main()
