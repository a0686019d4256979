"""Training histories and verbose output across fits, warm starts,
partial_fit and L-BFGS.

The rules: ``loss_curve_`` has one entry per epoch (L-BFGS: iteration) of
every call since the model was built; sknn's curves (``validation_loss_curve_``,
``learning_rate_curve_``, ``epoch_times_``) and every column of ``history_``
have as many, NaN where the quantity was not measured; ``validation_scores_``
and ``best_validation_score_`` are early stopping's, None without it; ``n_iter_``
counts the last call's epochs.
"""

# SPDX-License-Identifier: BSD-3-Clause

import pickle
import re
import sys

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import neural_network as sk
from sklearn.datasets import make_classification, make_regression

from sknn import MLPClassifier, MLPRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

X, Y = make_classification(n_samples=150, n_features=6, n_informative=4, random_state=0)
X_REG, Y_REG = make_regression(n_samples=150, n_features=6, noise=1.0, random_state=0)
Y_REG = Y_REG / Y_REG.std()
X_VAL, Y_VAL = X[:40], Y[:40]
SMALL = {"hidden_layer_sizes": (8,), "random_state": 0}
COLUMNS = {
    "epoch",
    "call",
    "loss",
    "val_loss",
    "val_score",
    "learning_rate",
    "epoch_time",
    "is_best",
}


def assert_aligned(est, n_untimed=0):
    """Every curve and history column has one entry per epoch of loss_curve_.

    Every epoch is timed but the first ``n_untimed`` (unknown to a history).
    """
    n = len(est.loss_curve_)
    history = est.history_
    assert set(history) == COLUMNS
    for column in history.values():
        assert isinstance(column, np.ndarray) and column.shape == (n,)
    for curve in (est.validation_loss_curve_, est.learning_rate_curve_):
        assert len(curve) == n
    assert len(est.epoch_times_) == n
    assert_array_equal(history["epoch"], np.arange(1, n + 1))
    assert_array_equal(history["loss"], est.loss_curve_)
    assert_array_equal(history["val_loss"], est.validation_loss_curve_)
    assert_array_equal(history["learning_rate"], est.learning_rate_curve_)
    assert_array_equal(history["epoch_time"], est.epoch_times_)
    times = np.asarray(est.epoch_times_)
    assert np.isnan(times[:n_untimed]).all() and (times[n_untimed:] > 0).all()


def test_one_fit_without_validation():
    clf = MLPClassifier(max_iter=5, **SMALL).fit(X, Y)
    assert_aligned(clf)
    assert len(clf.loss_curve_) == clf.n_iter_ == 5
    assert np.isnan(clf.validation_loss_curve_).all()
    assert np.isnan(clf.history_["val_score"]).all()
    assert_array_equal(clf.history_["call"], 0)
    assert_allclose(clf.learning_rate_curve_, 0.001)
    assert clf.validation_scores_ is None and clf.best_validation_score_ is None


def test_early_stopping_scores_every_epoch_and_flags_the_best():
    clf = MLPClassifier(early_stopping=True, max_iter=8, n_iter_no_change=8, **SMALL)
    clf.fit(X, Y)
    assert_aligned(clf)
    scores = clf.history_["val_score"]
    assert_array_equal(scores, clf.validation_scores_)
    assert np.isfinite(clf.validation_loss_curve_).all()
    best = clf.history_["is_best"]
    running_max = np.maximum.accumulate(scores)
    expected = np.r_[True, scores[1:] > running_max[:-1]]
    assert_array_equal(best, expected)
    assert clf.best_validation_score_ == scores[np.flatnonzero(best)[-1]]


def test_is_best_follows_the_training_loss_without_early_stopping():
    reg = MLPRegressor(max_iter=10, learning_rate_init=0.05, **SMALL).fit(X_REG, Y_REG)
    loss = reg.history_["loss"]
    expected = np.r_[True, loss[1:] < np.minimum.accumulate(loss)[:-1]]
    assert_array_equal(reg.history_["is_best"], expected)
    assert reg.best_loss_ == loss.min()


def test_warm_start_and_partial_fit_extend_the_history():
    clf = MLPClassifier(warm_start=True, max_iter=3, **SMALL).fit(X, Y)
    clf.fit(X, Y)
    assert clf.n_iter_ == 3  # the last call's epochs
    clf.partial_fit(X, Y)
    clf.partial_fit(X, Y)
    assert_aligned(clf)
    assert len(clf.loss_curve_) == 8
    assert_array_equal(clf.history_["call"], [0, 0, 0, 1, 1, 1, 2, 3])
    # A new fit (warm_start=False) starts a new history.
    clf.set_params(warm_start=False).fit(X, Y)
    assert_array_equal(clf.history_["call"], [0, 0, 0])


def test_switching_validation_on_and_off_keeps_the_curves_aligned():
    clf = MLPClassifier(warm_start=True, max_iter=2, n_iter_no_change=50, **SMALL)
    clf.fit(X, Y)  # nothing measured
    clf.fit(X, Y, X_val=X_VAL, y_val=Y_VAL)  # measured, no early stopping
    assert clf.validation_scores_ is None
    clf.set_params(early_stopping=True).fit(X, Y)  # measured, early stopping
    clf.set_params(early_stopping=False).fit(X, Y)  # nothing measured
    clf.partial_fit(X, Y, X_val=X_VAL, y_val=Y_VAL)  # measured
    assert_aligned(clf)
    measured = [False] * 2 + [True] * 4 + [False] * 2 + [True]
    assert_array_equal(np.isfinite(clf.validation_loss_curve_), measured)
    assert_array_equal(np.isfinite(clf.history_["val_score"]), measured)
    assert_array_equal(clf.history_["call"], [0, 0, 1, 1, 2, 2, 3, 3, 4])
    assert clf.validation_scores_ is None  # the last call did not stop early


@pytest.mark.filterwarnings("ignore:The validation score is NaN")
def test_a_diverged_epoch_is_recorded_as_nan_everywhere():
    reg = MLPRegressor(
        early_stopping=True, solver="sgd", learning_rate_init=1e6, max_iter=20, **SMALL
    )
    with pytest.warns(RuntimeWarning, match="diverged"):
        reg.fit(X_REG * 1e3, Y_REG)
    assert_aligned(reg)
    assert np.isnan(reg.loss_curve_[-1]) and np.isnan(reg.validation_scores_[-1])
    assert np.isnan(reg.validation_loss_curve_[-1])
    assert_array_equal(reg.history_["val_score"], reg.validation_scores_)


def test_lbfgs_history_is_per_iteration_and_accumulates_across_warm_starts():
    reg = MLPRegressor(solver="lbfgs", max_iter=5, warm_start=True, **SMALL)
    reg.fit(X_REG, Y_REG)
    first = list(reg.loss_curve_)
    assert len(first) == reg.n_iter_ == 5
    reg.fit(X_REG, Y_REG)
    assert_aligned(reg)
    assert reg.loss_curve_[:5] == first  # extended, not replaced
    assert len(reg.loss_curve_) == 5 + reg.n_iter_
    assert_array_equal(reg.history_["call"], [0] * 5 + [1] * reg.n_iter_)
    assert np.isnan(reg.learning_rate_curve_).all()
    assert reg.t_ == 0


def test_lbfgs_scores_validation_data_every_iteration():
    X_val, y_val = X_REG[:40], Y_REG[:40]
    reg = MLPRegressor(solver="lbfgs", max_iter=6, **SMALL)
    reg.fit(X_REG[40:], Y_REG[40:], X_val=X_val, y_val=y_val)
    assert_aligned(reg)
    scores = reg.history_["val_score"]
    assert np.isfinite(scores).all() and np.isfinite(reg.validation_loss_curve_).all()
    # The last iteration's score is the final model's.
    assert scores[-1] == pytest.approx(reg.score(X_val, y_val), rel=1e-10)
    assert len(set(scores.tolist())) > 1  # one per iterate, not one repeated
    assert reg.validation_scores_ is None  # early stopping does not apply


def test_history_makes_a_dataframe():
    pd = pytest.importorskip("pandas")
    clf = MLPClassifier(max_iter=3, **SMALL).fit(X, Y, X_val=X_VAL, y_val=Y_VAL)
    frame = pd.DataFrame(clf.history_)
    assert frame.shape == (3, len(COLUMNS))
    assert frame["val_score"].notna().all()


def test_history_survives_pickling_and_continues():
    clf = MLPClassifier(max_iter=2, **SMALL).fit(X, Y)
    loaded = pickle.loads(pickle.dumps(clf))
    loaded.partial_fit(X, Y)
    assert_aligned(loaded)
    assert_array_equal(loaded.history_["call"], [0, 0, 1])
    assert len(clf.loss_curve_) == 2  # the original is untouched


def test_a_model_pickled_without_a_history_continues_with_its_loss_curve():
    clf = MLPClassifier(max_iter=2, **SMALL).fit(X, Y)
    del clf._history  # as sknn before histories pickled it
    clf.partial_fit(X, Y)
    assert_aligned(clf, n_untimed=2)
    assert len(clf.loss_curve_) == 3


def test_history_before_fit_is_not_there():
    assert not hasattr(MLPClassifier(), "history_")


# ---------------------------------------------------------------------------
# verbose


def _masked(out):
    """Printed lines with their numbers masked."""
    return [
        re.sub(r"-?\d+(\.\d+)?(e[-+]?\d+)?", "#", line) for line in out.splitlines()
    ]


@pytest.mark.parametrize(
    "params",
    [
        dict(solver="adam", early_stopping=True, n_iter_no_change=2, tol=0.5),
        dict(solver="sgd", learning_rate="adaptive", n_iter_no_change=1, tol=10.0),
        dict(solver="sgd", n_iter_no_change=2, tol=10.0),
    ],
    ids=["adam-early-stopping", "sgd-adaptive", "sgd-plateau"],
)
def test_verbose_1_prints_scikit_learns_lines(params, capsys):
    options = dict(max_iter=12, verbose=1, hidden_layer_sizes=(8,), random_state=0)
    sk.MLPClassifier(**options, **params).fit(X, Y)
    expected = capsys.readouterr().out
    MLPClassifier(**options, **params).fit(X, Y)
    printed = capsys.readouterr().out
    assert _masked(printed) == _masked(expected)
    assert "did not improve" in printed  # the plateau notice is among them


def test_verbose_2_adds_a_line_per_epoch(capsys):
    clf = MLPClassifier(max_iter=3, verbose=2, **SMALL)
    clf.fit(X, Y, X_val=X_VAL, y_val=Y_VAL)
    out = capsys.readouterr().out
    pattern = (
        r"^Epoch (\d+): validation loss = (\S+), validation score = (\S+), "
        r"learning rate = (\S+), time = (\S+) s$"
    )
    lines = re.findall(pattern, out, re.M)
    assert [int(line[0]) for line in lines] == [1, 2, 3]
    assert_allclose([float(line[1]) for line in lines], clf.validation_loss_curve_)
    assert_allclose(
        [float(line[2]) for line in lines], clf.history_["val_score"], atol=1e-6
    )
    assert_allclose([float(line[3]) for line in lines], clf.learning_rate_curve_)
    assert all(float(line[4]) > 0 for line in lines)
    assert len(re.findall(r"^Iteration \d+, loss = ", out, re.M)) == 3


def test_verbose_2_marks_what_was_not_measured(capsys):
    MLPRegressor(solver="lbfgs", max_iter=2, verbose=2, **SMALL).fit(X_REG, Y_REG)
    out = capsys.readouterr().out
    lines = re.findall(r"^Epoch \d+: .*$", out, re.M)
    assert len(lines) == 2
    assert all(
        "validation loss = -, validation score = -, learning rate = -" in line
        for line in lines
    )


# ---------------------------------------------------------------------------
# progress_bar


def test_progress_bar_shows_epochs_loss_and_score_on_stderr(capsys):
    pytest.importorskip("tqdm")
    clf = MLPClassifier(max_iter=4, progress_bar=True, **SMALL)
    clf.fit(X, Y, X_val=X_VAL, y_val=Y_VAL)
    captured = capsys.readouterr()
    assert captured.out == ""
    final = captured.err.replace("\r", "\n").strip().splitlines()[-1]
    assert final.startswith("MLPClassifier: 100%")
    assert "4/4" in final and "epoch" in final
    assert f"loss={clf.loss_curve_[-1]:.4g}" in final
    assert f"val_score={clf.history_['val_score'][-1]:.4g}" in final


def test_progress_bar_counts_lbfgs_iterations_and_partial_fit_calls(capsys):
    pytest.importorskip("tqdm")
    reg = MLPRegressor(solver="lbfgs", max_iter=3, progress_bar=True, **SMALL)
    reg.fit(X_REG, Y_REG)
    err = capsys.readouterr().err.replace("\r", "\n")
    assert "3/3" in err and "iteration" in err
    sgd = MLPRegressor(progress_bar=True, **SMALL)
    sgd.partial_fit(X_REG, Y_REG)
    sgd.partial_fit(X_REG, Y_REG)
    err = capsys.readouterr().err.replace("\r", "\n")
    assert err.count("1/1") == 2  # one closed bar per call


def test_no_progress_bar_by_default(capsys):
    MLPClassifier(max_iter=2, **SMALL).fit(X, Y)
    assert capsys.readouterr().err == ""


def test_progress_bar_without_tqdm_names_the_extra_and_changes_nothing(monkeypatch):
    clf = MLPClassifier(max_iter=2, warm_start=True, **SMALL).fit(X, Y)
    coefs = [c.copy() for c in clf.coefs_]
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm raises
    with pytest.raises(ImportError, match=r'pip install "sknn\[progress\]"'):
        clf.set_params(progress_bar=True).fit(X, Y)
    for before, after in zip(coefs, clf.coefs_, strict=True):
        assert_array_equal(before, after)
    assert len(clf.loss_curve_) == 2
