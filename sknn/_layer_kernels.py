"""Compiled one-pass kernels of a batch: its gather, forward and backward passes.

Around each matrix product, NumPy's code makes several passes over a batch of
activations: add the bias, then apply the ReLU; multiply the incoming
gradient by the ReLU's mask (a temporary boolean array), then sum its columns
for the bias gradient; at the output, about ten ufunc calls and row
reductions for the link (softmax, logistic, identity), the loss and
``P - Y``. Inside training these arrays come from memory (the products in
between evict them), so each pass costs about as much as it reads. The
kernels below make one pass each. In paired comparisons of whole epochs
(784-256-128-10, batch 256, Fashion-MNIST, the optimizer kernels on in both
arms) the ReLU and softmax kernels together made training 3-10 % faster,
float32 and float64. On narrow outputs the calls cost more than their
arithmetic: at scikit-learn's defaults on a 50-feature tabular task, the
binary log loss and squared error kernels made epochs 6-9 % faster.

Two more serve both training and prediction: :func:`softmax`, the link of
``predict_proba`` (five NumPy calls, two of them row reductions, made one
pass: 2.8-3.4 times faster), and :func:`outer`, the products with an inner
dimension of 1 (a single output unit's input gradient, for one), where
NumPy's broadcast multiply has no vectorized loop and BLAS is slower still.
Prediction's first ReLU layer runs :func:`bias_relu_checked`, which also
checks that its input was finite: 2.55 against 2.30 ms on 10,000 x 256
float64, where checking ``X`` itself (the row sums of 10,000 x 784 as one
BLAS product) took 2.9 ms.

They run through :func:`sknn._kernels.run`, which checks that numba is
installed and the arrays suit the kernels (C-contiguous, writeable, one float
dtype) and casts the scalars to that dtype; otherwise the activations and
losses run their NumPy code, which gives the same results up to rounding.

The batch gather is a copy, not arithmetic: ``np.take`` copies one row after
another, while :func:`gather_rows` copies four at once, which keeps four
independent streams of loads from memory in flight. Shuffled batches of
Fashion-MNIST (256 rows of 784 features from 60,000) gathered 25-40 % faster
(float32 and float64), and whole epochs ran 2-3 % faster in paired
comparisons. The engine gathers shuffled dense batches with it
(``sknn.engine._batch_rows``), whose row indices are a permutation of the
data's rows: the kernel does not check bounds.
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np


def bias_relu(Z, bias):
    """``Z = max(Z + bias, 0)`` in place, NaN propagating as in ``np.maximum``."""
    n_rows, n_cols = Z.shape
    for i in range(n_rows):
        for j in range(n_cols):
            z = Z[i, j] + bias[j]
            Z[i, j] = 0.0 if z < 0 else z


def bias_relu_checked(Z, bias):
    """:func:`bias_relu`, returning whether every entry of ``Z`` was finite.

    Judged before the bias is added, in the same pass: a prediction's first
    layer tells from its product ``X @ W`` whether ``X`` was finite (see
    ``sknn.layers.Dense.apply_checked``). The flag is and-ed per row, which
    keeps the inner loop branch-free.
    """
    n_rows, n_cols = Z.shape
    finite = True
    for i in range(n_rows):
        row_finite = True
        for j in range(n_cols):
            z = Z[i, j]
            row_finite &= np.abs(z) < np.inf
            z = z + bias[j]
            Z[i, j] = 0.0 if z < 0 else z
        finite &= row_finite
    return finite


def outer(a, b, out):
    """``out = a @ b`` for ``a`` of shape (n, 1) and ``b`` of shape (1, m).

    One product per entry, as NumPy's broadcast multiply and BLAS compute
    it; NumPy has no vectorized loop for the broadcast operand.
    """
    n_rows, n_cols = out.shape
    for i in range(n_rows):
        a_i = a[i, 0]
        for j in range(n_cols):
            out[i, j] = a_i * b[0, j]


def relu_backward_sum(dA, A, sums):
    """``dA *= (A > 0)`` in place, and ``sums`` = the column sums of the result.

    A product by the mask, as NumPy's code has it (so infinite and NaN
    gradients become NaN where the unit is off), and branch-free, which
    vectorizes: a branch on the mask ran 2-3 times slower. Rows are added in
    order, as ``np.sum(axis=0)`` adds them.
    """
    n_rows, n_cols = dA.shape
    sums[:] = 0.0
    for i in range(n_rows):
        for j in range(n_cols):
            d = dA[i, j] * (A[i, j] > 0)
            dA[i, j] = d
            sums[j] += d


#: Functions the kernels below call, compiled and inlined into them (see
#: :func:`sknn._kernels.compiled`).
HELPERS = ("_exp_shifted",)


def _exp_shifted(row):
    """``row = exp(row - max(row))`` in place; returns the sum.

    The numerators and denominator of the row's softmax, shifted so that
    ``exp`` cannot overflow.
    """
    top = row[0]
    for j in range(1, row.shape[0]):
        if row[j] > top:
            top = row[j]
    norm = 0.0
    for j in range(row.shape[0]):
        e = np.exp(row[j] - top)
        row[j] = e
        norm += e
    return norm


def softmax(raw):
    """Each row of ``raw`` replaced by its softmax, in place.

    The prediction link: ``exp(raw - max)`` over the row's sum, as the NumPy
    code computes it, in one pass per row instead of five calls (two row
    reductions and three ufuncs) over the whole output.
    """
    n_rows, n_cols = raw.shape
    for i in range(n_rows):
        norm = _exp_shifted(raw[i])
        for j in range(n_cols):
            raw[i, j] /= norm


def softmax_log_loss(raw, Y, row_scale, loss, scale, eps):
    """Softmax, the log loss and its scaled gradient, in place on ``raw``.

    Per row ``i``: ``P = softmax(raw[i])``, then ``raw[i] = (P - Y[i]) * s_i``
    with ``s_i = row_scale[i]``, or ``scale`` where ``row_scale`` is empty,
    and ``loss[0] = sum_i s_i * -sum_j Y[i, j] * log(clip(P[i, j], eps,
    1 - eps))``: with ``s_i`` the weights over their sum (or ``1 / n``), the
    weighted mean log loss and the gradient of that mean.
    """
    n_rows, n_cols = raw.shape
    weighted = row_scale.shape[0] > 0
    total = 0.0
    for i in range(n_rows):
        norm = _exp_shifted(raw[i])
        s = row_scale[i] if weighted else scale
        row_loss = 0.0
        for j in range(n_cols):
            p = raw[i, j] / norm
            y = Y[i, j]
            if y != 0:
                row_loss -= y * np.log(min(max(p, eps), 1 - eps))
            raw[i, j] = (p - y) * s
        total += row_loss * s
    loss[0] = total


def elementwise_loss(raw, Y, row_scale, loss, scale, eps, logistic):
    """An output link applied entry by entry, its loss and scaled gradient.

    In place on ``raw``, with ``s_i`` as in :func:`softmax_log_loss`, and
    ``raw = (P - Y) * s_i``. With ``logistic``: ``P = 1 / (1 + exp(-raw))``
    (SciPy's ``expit``) and ``loss[0] = sum_i s_i * -sum_j (Y log(clip(P)) +
    (1 - Y) log(clip(1 - P)))``, each term skipped where its factor is 0, as
    its clipped log is finite; else the identity and half the squared error,
    ``loss[0] = sum_i s_i * sum_j (P - Y)**2 / (2 n_outputs)``, scikit-learn's
    mean over outputs (``eps`` unused).
    """
    n_rows, n_cols = raw.shape
    weighted = row_scale.shape[0] > 0
    total = 0.0
    for i in range(n_rows):
        s = row_scale[i] if weighted else scale
        row_loss = 0.0
        for j in range(n_cols):
            y = Y[i, j]
            if logistic:
                p = 1 / (1 + np.exp(-raw[i, j]))
                if y != 0:
                    row_loss -= y * np.log(min(max(p, eps), 1 - eps))
                if y != 1:
                    row_loss -= (1 - y) * np.log(min(max(1 - p, eps), 1 - eps))
            else:
                p = raw[i, j]
                row_loss += (p - y) * (p - y)
            raw[i, j] = (p - y) * s
        total += row_loss * s
    loss[0] = total if logistic else 0.5 * total / n_cols


def gather_rows(X, rows, out):
    """``out[i] = X[rows[i]]`` for every ``i``, four rows at a time."""
    n_rows, n_cols = rows.shape[0], X.shape[1]
    i = 0
    while i + 4 <= n_rows:
        a, b, c, d = rows[i], rows[i + 1], rows[i + 2], rows[i + 3]
        for j in range(n_cols):
            out[i, j] = X[a, j]
            out[i + 1, j] = X[b, j]
            out[i + 2, j] = X[c, j]
            out[i + 3, j] = X[d, j]
        i += 4
    for k in range(i, n_rows):
        out[k, :] = X[rows[k], :]
