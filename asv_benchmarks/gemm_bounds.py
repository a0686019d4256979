"""Lower bounds on an MLP's epoch and predict times set by the matrix products.

Two bounds, both measured in the calling process with NumPy's BLAS:

* the GEMM-bound minimum: 3 x the forward FLOPs at the rate of one large
  (2048^3) matmul, the issue's yardstick (the products of an epoch may run
  faster than that, from cache, or slower);
* the GEMM floor: the very products an epoch performs, at their real
  shapes, timed alone: each layer's forward ``X @ W`` and weight gradient
  ``X.T @ dZ``, and the input gradient ``dZ @ W.T`` of every layer but the
  first (the layout of sknn's engine); for ``predict_proba``, the forward
  products plus a check that every input entry is finite.
  Any engine that calls this BLAS for these products, as sknn and
  scikit-learn both do, needs at least this long; everything else an epoch
  does (activations, loss, optimizer, batch gather, Python) comes on top.

A target ratio against a peer is out of reach with this BLAS when the floor
alone exceeds it: ``floor / peer_time > target``.
"""

# SPDX-License-Identifier: BSD-3-Clause

import time
from statistics import median

import numpy as np

_OPERANDS = {}


def _operands(key, make):
    """Arrays built once per key: the timings then see warm, reused buffers."""
    if key not in _OPERANDS:
        _OPERANDS[key] = make()
    return _OPERANDS[key]


def gemm_rate(dtype, n=2048, repeats=3):
    """FLOP/s of an n^3 NumPy matmul (median of ``repeats``)."""

    def make():
        rng = np.random.default_rng(0)
        a = rng.standard_normal((n, n)).astype(dtype)
        b = rng.standard_normal((n, n)).astype(dtype)
        out = np.empty((n, n), dtype=dtype)
        np.matmul(a, b, out=out)  # warm up
        return a, b, out

    a, b, out = _operands(("rate", np.dtype(dtype), n), make)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        np.matmul(a, b, out=out)
        times.append(time.perf_counter() - start)
    return 2.0 * n**3 / median(times)


def forward_flops(n_rows, widths):
    """FLOPs of the forward matrix products over ``n_rows`` rows of a network
    of layer ``widths`` (inputs, hidden layers, outputs), as the floors take
    them."""
    return (
        2.0 * n_rows * sum(a * b for a, b in zip(widths[:-1], widths[1:], strict=False))
    )


def _products(n_rows, widths, dtype, training):
    """(a, b, out) triples of one batch's matrix products, in the engine's layout."""
    rng = np.random.default_rng(0)

    def random(*shape):
        return rng.standard_normal(shape).astype(dtype)

    triples = []
    for i, (n_in, n_out) in enumerate(zip(widths[:-1], widths[1:], strict=True)):
        X, W = random(n_rows, n_in), random(n_in, n_out)
        triples.append((X, W, np.empty((n_rows, n_out), dtype)))
        if training:
            dZ = random(n_rows, n_out)
            triples.append((X.T, dZ, np.empty((n_in, n_out), dtype)))
            if i > 0:
                triples.append((dZ, W.T, np.empty((n_rows, n_in), dtype)))
    return triples


def _cached_products(n_rows, widths, dtype, training):
    key = ("products", n_rows, tuple(widths), np.dtype(dtype), training)
    return _operands(key, lambda: _products(n_rows, widths, dtype, training))


def products_seconds(n_rows, widths, dtype, *, training, repeats=15):
    """Median seconds of one batch's matrix products, run back to back."""
    triples = _cached_products(n_rows, widths, dtype, training)
    times = []
    for _ in range(repeats + 1):  # the first pass warms caches and BLAS threads
        start = time.perf_counter()
        for a, b, out in triples:
            np.matmul(a, b, out=out)
        times.append(time.perf_counter() - start)
    return median(times[1:])


def epoch_gemm_floor(n_rows, widths, batch_size, dtype, repeats=15):
    """Seconds of an epoch's matrix products alone, at their real shapes.

    Parameters
    ----------
    n_rows : int
        Training rows per epoch.
    widths : sequence of int
        Layer widths, input and output included (``[784, 256, 128, 10]``).
    batch_size : int
        Rows per batch; the last batch holds the remainder.
    dtype : dtype
        Float dtype of the products.
    repeats : int, default=15
        Timed passes over one batch's products; their median is used.

    Returns
    -------
    seconds : float

    Examples
    --------
    >>> import numpy as np
    >>> floor = epoch_gemm_floor(512, [8, 4, 2], 256, np.float64, repeats=3)
    >>> 0 < floor < 1
    True
    """
    full, rest = divmod(n_rows, batch_size)
    seconds = full * products_seconds(
        batch_size, widths, dtype, training=True, repeats=repeats
    )
    if rest:
        seconds += products_seconds(rest, widths, dtype, training=True, repeats=repeats)
    return seconds


def predict_floor(n_rows, widths, dtype, repeats=15):
    """Seconds a ``predict_proba`` on ``n_rows`` rows cannot go below.

    The forward products (:func:`products_seconds`). A scikit-learn
    estimator's predict must also check that every input entry is finite,
    but that check can ride on the pass over the first product that adds
    its bias (a NaN or infinity in a row of ``X`` makes its whole row of
    ``X @ W`` non-finite), where it costs about a tenth of that pass: it
    adds almost nothing to the products. (Before sknn checked there, the
    floor included the input's row sums as a BLAS product, 4-5 % of the
    products in float64.)
    """
    return products_seconds(n_rows, widths, dtype, training=False, repeats=repeats)
