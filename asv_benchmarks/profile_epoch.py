"""Where one sknn training epoch spends its time.

    python asv_benchmarks/profile_epoch.py                 # small net, float32
    python asv_benchmarks/profile_epoch.py --net wide --dtype float64

Four views of one epoch of the side-by-side workload (Fashion-MNIST, Adam lr
1e-3, batch 256, ReLU, alpha 0; the BLAS environment cleaned the same way):

1. Wall time per epoch, from ``fit(max_iter=1)`` and ``fit(max_iter=3)``
   (their difference over 2 epochs removes the per-fit overhead, also shown).
2. In situ: sknn's engine functions (batch gather, layer forward/backward,
   output link, loss value, delta, optimizer step, ...) wrapped in timers
   during a real epoch; the rest of the epoch is the Python loop.
3. Isolated: every operation of a batch on arrays of the real shapes and
   dtype, timed alone (median of many calls), summed per category (GEMM,
   elementwise, gather, per-epoch work), with each GEMM's efficiency against
   the NumPy 2048^3 rate; "Python and the rest" is the measured epoch minus
   the sum.
4. cProfile of one epoch: the top functions by cumulative and by total time.
   cProfile charges NumPy ufuncs (matmul, maximum, ...) to their caller, which
   is why views 2 and 3 exist. ``--pyinstrument`` adds a sampling profile.
"""

# ruff: noqa: E402  (the BLAS environment must be cleaned before NumPy loads)

# SPDX-License-Identifier: BSD-3-Clause

import sys

from blas_env import reexec_without_blas_env

if __name__ == "__main__":
    reexec_without_blas_env()

import argparse
import cProfile
import functools
import io
import pstats
import time
from collections import defaultdict
from pathlib import Path
from statistics import median

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
import side_by_side as sbs

NETS = {"small": sbs.SMALL, "wide": sbs.WIDE, "digits": sbs.DIGITS_NET}


def _timings(fn, min_time=0.2, min_calls=20):
    """Seconds of each of many calls of ``fn()``, after one warm-up call."""
    fn()
    times = []
    deadline = time.perf_counter() + min_time
    while len(times) < min_calls or time.perf_counter() < deadline:
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def _timeit(fn, min_time=0.2, min_calls=20):
    """Median seconds per call of ``fn()``."""
    return median(_timings(fn, min_time, min_calls))


def _fit(cfg, X, y, epochs):
    est = sbs._make_estimator("sknn", cfg.sizes, epochs, cfg.batch_size, cfg)
    start = time.perf_counter()
    sbs._fit_quietly(est, X, y)
    return time.perf_counter() - start, est


# --------------------------------------------------------------------------
# 1. Wall time


def wall_time(cfg, X, y):
    t1, t3 = [], []
    for _ in range(cfg.repeats):
        t1.append(_fit(cfg, X, y, 1)[0])
        t3.append(_fit(cfg, X, y, 3)[0])
    epoch = (median(t3) - median(t1)) / 2
    overhead = median(t1) - epoch
    print("\n== 1. wall time")
    print(
        f"   fit(max_iter=1) {median(t1):.3f} s, fit(max_iter=3) {median(t3):.3f} s "
        f"(medians of {cfg.repeats})"
    )
    print(
        f"   -> epoch {epoch:.3f} s, per-fit overhead (validation, init, "
        f"buffers) {overhead * 1e3:.1f} ms"
    )
    return epoch


# --------------------------------------------------------------------------
# 2. In situ


def _targets():
    """(label, owner, attribute) of the engine functions to time in situ."""
    import sknn.activations
    import sknn.engine
    import sknn.layers
    import sknn.losses
    import sknn.optimizers

    found = []
    candidates = [
        ("gather: engine._batch_rows", sknn.engine, "_batch_rows"),
        ("Network.loss_and_gradient (all)", sknn.engine.Network, "loss_and_gradient"),
        ("Dense.forward", sknn.layers.Dense, "forward"),
        ("Dense.backward", sknn.layers.Dense, "backward"),
        ("ActivationLayer.forward", sknn.layers.ActivationLayer, "forward"),
        ("ActivationLayer.backward", sknn.layers.ActivationLayer, "backward"),
        ("  ReLU.forward_biased (in Dense)", sknn.activations.ReLU, "forward_biased"),
        ("  ReLU.backward_summed (in Dense)", sknn.activations.ReLU, "backward_summed"),
        ("LogLoss.value_and_delta", sknn.losses.LogLoss, "value_and_delta"),
        ("Adam.step", sknn.optimizers.Adam, "step"),
    ]
    for label, owner, attr in candidates:
        # A method may be inherited (e.g. Optimizer.step calling Adam._update):
        # wrap it where it is defined.
        owners = owner.__mro__ if isinstance(owner, type) else (owner,)
        definer = next((o for o in owners if attr in vars(o)), None)
        if definer is not None:
            found.append((label, definer, attr))
        else:
            print(f"   (not found in this sknn: {owner.__name__}.{attr})")
    return found


def in_situ(cfg, X, y, epoch):
    targets = _targets()
    durations = defaultdict(list)
    ordinals = {}
    originals = []
    for label, owner, attr in targets:
        original = vars(owner)[attr]
        originals.append((owner, attr, original))

        def make(fn, label):
            per_layer = label.startswith(("Dense", "ActivationLayer"))

            @functools.wraps(fn)
            def timed(*args, **kwargs):
                start = time.perf_counter()
                try:
                    return fn(*args, **kwargs)
                finally:
                    elapsed = time.perf_counter() - start
                    key = label
                    if per_layer:  # one row per layer, numbered in forward order
                        kind = label.split(".")[0]
                        index = ordinals.setdefault(
                            (kind, id(args[0])), sum(k[0] == kind for k in ordinals)
                        )
                        key = label.replace(".", f"[{index}].", 1)
                    durations[key].append(elapsed)

            return timed

        wrapped = make(original, label)
        setattr(owner, attr, wrapped)
    try:
        _fit(cfg, X, y, 1)  # warm the wrappers
        durations.clear()
        ordinals.clear()
        wall, _ = _fit(cfg, X, y, 1)
    finally:
        for owner, attr, original in originals:
            setattr(owner, attr, original)
    totals = {k: sum(v) for k, v in durations.items()}
    print("\n== 2. in situ: engine functions timed inside one real epoch")
    print(f"   fit(max_iter=1) with timers: {wall:.3f} s (epoch alone ~{epoch:.3f} s)")
    print(
        "   'stalls' = total - calls x median: time in calls slower than the "
        "typical one (waits for a descheduled BLAS thread on a busy machine, "
        "page faults, ...)"
    )
    print(
        f"   {'function':<33} {'calls':>5} {'total ms':>9} {'%':>5} "
        f"{'median us':>10} {'mean us':>9} {'p90 us':>8} {'stalls ms':>9}"
    )
    for label in durations:
        d = durations[label]
        if d:
            total, med = sum(d), median(d)
            print(
                f"   {label:<33} {len(d):>5} {total * 1e3:>9.1f} "
                f"{100 * total / wall:>5.1f} {med * 1e6:>10.1f} "
                f"{total / len(d) * 1e6:>9.1f} {np.percentile(d, 90) * 1e6:>8.1f} "
                f"{(total - len(d) * med) * 1e3:>9.1f}"
            )
    lag = "Network.loss_and_gradient (all)"
    inner = sum(
        totals[k]
        for k in totals
        if k.startswith(("Dense", "ActivationLayer", "LogLoss"))
    )
    if lag in totals:
        own = totals[lag] - inner
        print(
            f"   {'  loss_and_gradient own code':<33} {'':>5} {own * 1e3:>9.1f} "
            f"{100 * own / wall:>5.1f}"
        )
    loop = (
        wall
        - totals.get(lag, 0.0)
        - totals.get("Adam.step", 0.0)
        - totals.get("gather: engine._batch_rows", 0.0)
    )
    print(
        f"   {'  rest of fit (validation, loop, ...)':<33} {'':>5} {loop * 1e3:>9.1f} "
        f"{100 * loop / wall:>5.1f}"
    )


# --------------------------------------------------------------------------
# 3. Isolated operations


class Ops:
    """Timed operations of one batch, grouped by category."""

    def __init__(self):
        self.rows = []  # (category, label, seconds, count per epoch, flops)

    def add(self, category, label, fn, per_epoch, flops=0.0):
        times = _timings(fn)
        self.rows.append(
            (category, label, median(times), per_epoch, flops, np.mean(times))
        )


def isolated(cfg, X, y, est, epoch):
    from sknn.activations import ReLU
    from sknn.engine import _batch_rows
    from sknn.losses import LogLoss
    from sknn.optimizers import Adam

    dtype = X.dtype
    B = cfg.batch_size
    n = X.shape[0]
    n_batches = -(-n // B)
    rng = np.random.default_rng(0)
    coefs = [np.ascontiguousarray(W, dtype=dtype) for W in est.coefs_]
    biases = [np.ascontiguousarray(b, dtype=dtype) for b in est.intercepts_]
    n_params = sum(W.size + b.size for W, b in zip(coefs, biases, strict=True))
    n_classes = coefs[-1].shape[1]
    rate = median(sbs.gemm_rate(dtype) for _ in range(3))
    ops = Ops()
    per_batch = n_batches

    # gather
    # gather: a new random batch each call, as in an epoch (the same rows every
    # call would be served from cache)
    permutation = rng.permutation(n)
    rows = permutation[:B]
    buffer = np.empty((B, X.shape[1]), dtype=dtype)
    Y = np.eye(n_classes, dtype=dtype)[y]
    cursor = [0]

    def next_rows():
        start = cursor[0] = (cursor[0] + B) % (n - B)
        return permutation[start : start + B]

    ops.add(
        "gather",
        f"engine._batch_rows: X rows -> buffer ({B}x{X.shape[1]})",
        lambda: _batch_rows(X, next_rows(), buffer),
        per_batch,
    )
    ops.add("gather", f"Y[rows] ({B}x{n_classes})", lambda: Y[next_rows()], per_batch)

    # layers
    relu = ReLU()
    A = buffer
    activations = []
    for i, (W, b) in enumerate(zip(coefs, biases, strict=True)):
        n_in, n_out = W.shape
        Z = np.empty((B, n_out), dtype=dtype)
        dZ = rng.standard_normal((B, n_out)).astype(dtype) * 1e-3
        dW = np.empty_like(W)
        db = np.empty_like(b)
        shape = f"{B}x{n_in} @ {n_in}x{n_out}"
        f = 2.0 * B * n_in * n_out
        ops.add(
            "GEMM",
            f"L{i} forward  {shape}",
            lambda A=A, W=W, Z=Z: np.matmul(A, W, out=Z),
            per_batch,
            f,
        )
        ops.add(
            "GEMM",
            f"L{i} dW = A.T @ dZ ({n_in}x{B} @ {B}x{n_out})",
            lambda A=A, dZ=dZ, dW=dW: np.matmul(A.T, dZ, out=dW),
            per_batch,
            f,
        )
        if i > 0:
            dX = np.empty((B, n_in), dtype=dtype)
            ops.add(
                "GEMM",
                f"L{i} dX = dZ @ W.T ({B}x{n_out} @ {n_out}x{n_in})",
                lambda dZ=dZ, W=W, dX=dX: np.matmul(dZ, W.T, out=dX),
                per_batch,
                f,
            )
        np.matmul(A, W, out=Z)
        if i == len(coefs) - 1:  # the output layer: bias add and bias gradient
            ops.add(
                "elementwise",
                f"L{i} bias add ({B}x{n_out})",
                lambda Z=Z, b=b: np.add(Z, b, out=Z),
                per_batch,
            )
            ops.add(
                "elementwise",
                f"L{i} db = dZ.sum(0) ({B}x{n_out})",
                lambda dZ=dZ, db=db: np.sum(dZ, axis=0, out=db),
                per_batch,
            )
            continue
        # hidden layers: the dense layer's fused bias + ReLU and ReLU' + db
        Zc = Z.copy()

        def relu_fwd(Z=Z, Zc=Zc, b=b):
            np.copyto(Z, Zc)  # fresh pre-activations (timed, subtracted)
            relu.forward_biased(Z, b)

        copy_t = _timings(lambda Z=Z, Zc=Zc: np.copyto(Z, Zc))
        fwd_t = _timings(relu_fwd)
        ops.rows.append(
            (
                "elementwise",
                f"L{i} bias + ReLU forward, fused ({B}x{n_out})",
                median(fwd_t) - median(copy_t),
                per_batch,
                0,
                np.mean(fwd_t) - np.mean(copy_t),
            )
        )
        relu.forward_biased(Z, b)
        dA = dZ.copy()
        ops.add(
            "elementwise",
            f"L{i} ReLU backward + db, fused ({B}x{n_out})",
            lambda dA=dA, Z=Z, db=db: relu.backward_summed(dA, Z, db),
            per_batch,
        )
        activations.append(Z)
        A = Z

    # output link, loss value and delta
    loss = LogLoss()
    raw = rng.standard_normal((B, n_classes)).astype(dtype)
    buffer_out = raw.copy()
    Yb = Y[rows]

    def value_and_delta():
        np.copyto(buffer_out, raw)
        loss.value_and_delta(buffer_out, Yb)

    ops.add(
        "elementwise",
        f"softmax + log loss + delta, fused ({B}x{n_classes}) + copy",
        value_and_delta,
        per_batch,
    )

    # optimizer
    params = rng.standard_normal(n_params).astype(dtype) * 0.01
    grads = rng.standard_normal(n_params).astype(dtype) * 1e-3
    adam = Adam()
    adam.build(n_params, dtype)
    ops.add(
        "elementwise",
        f"Adam.step on the flat vector ({n_params:,} params)",
        lambda: adam.step(params, grads, 1e-3),
        per_batch,
    )

    # per epoch
    order = np.arange(n)
    shuffle_rng = np.random.RandomState(0)

    def permute():
        permutation = np.arange(n)
        shuffle_rng.shuffle(permutation)
        return order[permutation]

    ops.add("per-epoch", f"shuffle of {n} indices", permute, 1)
    last_good = params.copy()
    ops.add(
        "per-epoch",
        "isfinite(params).all() + copyto(last_good)",
        lambda: (np.isfinite(params).all(), np.copyto(last_good, params)),
        1,
    )

    # references
    copy_dst = np.empty_like(params)
    copy_t = _timeit(lambda: np.copyto(copy_dst, params))
    bandwidth = 2 * params.nbytes / copy_t

    print(
        f"\n== 3. isolated operations ({np.dtype(dtype).name}, batch {B}, "
        f"{n_batches} batches/epoch)"
    )
    print(f"   NumPy 2048^3 GEMM rate: {rate / 1e9:.1f} GFLOP/s")
    print(
        "   us/call is the median of many back-to-back calls (mean in brackets); "
        "ms/epoch = median x calls per epoch; GEMM eff = rate / 2048^3 rate"
    )
    print(
        f"   {'operation':<52} {'us/call':>9} {'(mean)':>9} {'ms/epoch':>9} "
        f"{'% epoch':>8} {'GEMM eff':>9}"
    )
    sums = defaultdict(float)
    for category, label, seconds, per_epoch, flops, mean in ops.rows:
        total = seconds * per_epoch
        sums[category] += total
        eff = f"{flops / seconds / rate:>8.0%}" if flops else ""
        print(
            f"   [{category[:4]}] {label:<45} {seconds * 1e6:>9.1f} "
            f"{'(' + format(mean * 1e6, '.1f') + ')':>9} "
            f"{total * 1e3:>9.1f} {100 * total / epoch:>7.1f}% {eff:>9}"
        )
    print("\n   breakdown of the measured epoch")
    explained = 0.0
    for category in ("GEMM", "elementwise", "gather", "per-epoch"):
        explained += sums[category]
        print(
            f"   {category:<30} {sums[category] * 1e3:>9.1f} ms "
            f"{100 * sums[category] / epoch:>6.1f}%"
        )
    rest = epoch - explained
    print(
        f"   {'Python and the rest':<30} {rest * 1e3:>9.1f} ms "
        f"{100 * rest / epoch:>6.1f}%"
    )
    print(f"   {'measured epoch':<30} {epoch * 1e3:>9.1f} ms")
    flops = sbs.forward_flops(n, [X.shape[1], *cfg.sizes, n_classes])
    print(
        f"   GEMM-bound minimum (3 x forward FLOPs at the 2048^3 rate): "
        f"{3 * flops / rate * 1e3:.1f} ms; epoch / minimum = "
        f"{epoch / (3 * flops / rate):.2f}"
    )
    adam_t = next(r[2] for r in ops.rows if r[1].startswith("Adam"))
    stream = 7 * params.nbytes  # read g, m, v, w; write m, v, w
    print(
        f"   Adam: {adam_t * 1e6:.0f} us per step; copy bandwidth "
        f"{bandwidth / 1e9:.1f} GB/s -> a one-pass (7-stream) step would take "
        f"{stream / bandwidth * 1e6:.0f} us"
    )


# --------------------------------------------------------------------------
# 4. cProfile / pyinstrument


def _short(path):
    for marker in ("site-packages/", "/sknn/", "lib/python"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def profile(cfg, X, y, top):
    profiler = cProfile.Profile()
    est = sbs._make_estimator("sknn", cfg.sizes, 1, cfg.batch_size, cfg)
    profiler.enable()
    sbs._fit_quietly(est, X, y)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.stats = {
        (_short(f), line, name): value for (f, line, name), value in stats.stats.items()
    }
    for key, title in (("cumulative", "cumulative"), ("tottime", "total (own)")):
        out = io.StringIO()
        stats.stream = out
        stats.sort_stats(key).print_stats(top)
        text = out.getvalue()
        body = text[text.index("   ncalls") :] if "   ncalls" in text else text
        print(f"\n== 4. cProfile of one epoch (fit(max_iter=1)), top {top} by {title}")
        print("\n".join("   " + ln for ln in body.rstrip().splitlines()))


def pyinstrument_profile(cfg, X, y):
    try:
        from pyinstrument import Profiler
    except ImportError:
        print("\n(pyinstrument not installed)")
        return
    est = sbs._make_estimator("sknn", cfg.sizes, 1, cfg.batch_size, cfg)
    profiler = Profiler(interval=0.0005)
    profiler.start()
    sbs._fit_quietly(est, X, y)
    profiler.stop()
    print("\n== pyinstrument of one epoch")
    print(profiler.output_text(unicode=False, color=False, show_all=False))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data",
        choices=["fashion", "digits"],
        default="fashion",
        help="digits: the side-by-side digits workload (64-100-10, batch 32)",
    )
    parser.add_argument("--net", choices=list(NETS), help="default: small (digits)")
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    parser.add_argument("--batch-size", type=int, help="default: 256 (32)")
    parser.add_argument("--rows", type=int, default=60000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--alpha", type=float, default=0.0)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--pyinstrument", action="store_true")
    parser.add_argument("--keep-blas-env", action="store_true")
    cfg = parser.parse_args(argv)
    digits = cfg.data == "digits"
    cfg.net = cfg.net or ("digits" if digits else "small")
    cfg.batch_size = cfg.batch_size or (32 if digits else 256)
    cfg.sizes = NETS[cfg.net]
    if cfg.threads:
        threadpool_limits(limits=cfg.threads)
    blas = [i for i in threadpool_info() if i["user_api"] == "blas"]
    cfg.threads_used = cfg.threads or (blas[0]["num_threads"] if blas else 1)
    data = sbs._digits() if digits else sbs._fashion_mnist()
    dtype = np.dtype(cfg.dtype).type
    X = np.ascontiguousarray(data["X_train"][: cfg.rows], dtype=dtype)
    y = data["y_train"][: cfg.rows]
    sbs.print_environment(cfg, with_torch=False)
    print(
        f"\nprofile: sknn on {data['name']}, {cfg.net} net {cfg.sizes}, {cfg.dtype}, "
        f"{X.shape[0]} rows, batch {cfg.batch_size}, alpha {cfg.alpha:g}"
    )
    _, est = _fit(cfg, X, y, 1)  # warm-up, and weights for the isolated view
    epoch = wall_time(cfg, X, y)
    in_situ(cfg, X, y, epoch)
    isolated(cfg, X, y, est, epoch)
    profile(cfg, X, y, cfg.top)
    if cfg.pyinstrument:
        pyinstrument_profile(cfg, X, y)


if __name__ == "__main__":
    main()
