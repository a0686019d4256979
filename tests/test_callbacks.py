"""scikit-learn's callbacks (``sklearn.callback``) on sknn's training loop.

A fit is the root task and each epoch (L-BFGS: iteration) one subtask; a
partial_fit call is a root task with one subtask. The end hook of an epoch
gets a fitted estimator of that epoch's weights, which later epochs cannot
change, and may stop training.
"""

# SPDX-License-Identifier: BSD-3-Clause

import re
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.callback import ProgressBar, ScoringMonitor
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn import MLPClassifier, MLPRegressor

X, Y = load_digits(return_X_y=True)
X, Y = X[:300] / 16.0, Y[:300]
SMALL = {"hidden_layer_sizes": (16,), "random_state": 0}
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


class Recorder:
    """A FitCallback that records every hook call and keeps fitted estimators.

    ``stop_at`` makes the end hook of that subtask (by task id) ask to stop.
    """

    def __init__(self, stop_at=None):
        self.begins, self.ends, self.fitted = [], [], []
        self.stop_at = stop_at

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context, *, X=None, y=None, metadata=None):
        self.begins.append((context.task_name, context.task_id, X is not None))

    def on_fit_task_end(
        self,
        estimator,
        context,
        *,
        X=None,
        y=None,
        metadata=None,
        fitted_estimator=None,
    ):
        self.ends.append((context.task_name, context.task_id, metadata))
        if fitted_estimator is not None:
            self.fitted.append(
                (fitted_estimator, [W.copy() for W in fitted_estimator.coefs_])
            )
        return context.parent is not None and context.task_id == self.stop_at


def _subtasks(calls, name):
    return [task_id for task_name, task_id, *_ in calls if task_name == name]


@pytest.mark.parametrize(
    "Estimator, solver, task",
    [
        (MLPClassifier, "adam", "epoch"),
        (MLPClassifier, "sgd", "epoch"),
        (MLPRegressor, "lbfgs", "iteration"),
    ],
)
def test_one_subtask_per_epoch(Estimator, solver, task):
    recorder = Recorder()
    est = Estimator(solver=solver, max_iter=5, **SMALL).set_callbacks(recorder)
    est.fit(X, Y)
    n = est.n_iter_
    assert n == 5
    assert _subtasks(recorder.begins, task) == list(range(n))
    assert _subtasks(recorder.ends, task) == list(range(n))
    # The root task, begun first and ended last; it carries no fitted estimator.
    assert recorder.begins[0][:2] == ("fit", 0) and recorder.ends[-1][:2] == ("fit", 0)
    assert len(recorder.fitted) == n
    assert all(seen_X for *_, seen_X in recorder.begins)


def test_epochs_receive_the_sample_weights_as_metadata():
    recorder = Recorder()
    weights = np.linspace(0.5, 1.5, len(X))
    MLPClassifier(max_iter=2, **SMALL).set_callbacks(recorder).fit(X, Y, weights)
    assert all(meta["sample_weight"] is weights for *_, meta in recorder.ends)


def test_a_fitted_estimator_keeps_its_epochs_weights():
    recorder = Recorder()
    clf = MLPClassifier(max_iter=4, normalization="batch", **SMALL)
    clf.set_callbacks(recorder).fit(X, Y)
    copies = [fitted for fitted, _ in recorder.fitted]
    # Each holds the coefs it had at its epoch's end, unchanged by later ones.
    for fitted, coefs_then in recorder.fitted:
        for then, now in zip(coefs_then, fitted.coefs_, strict=True):
            assert_array_equal(then, now)
        assert not np.shares_memory(fitted.coefs_[0], clf.coefs_[0])
        assert not np.shares_memory(fitted._network.stats, clf._network.stats)
    assert not np.array_equal(copies[0].coefs_[0], copies[-1].coefs_[0])
    # The last epoch's copy is the final model: same predictions.
    assert_array_equal(copies[-1].predict_proba(X), clf.predict_proba(X))
    assert [fitted.n_iter_ for fitted in copies] == [1, 2, 3, 4]
    # Continuing the copy trains the copy alone.
    copies[0].set_params(warm_start=True, max_iter=1).fit(X, Y)
    assert_array_equal(copies[-1].predict_proba(X), clf.predict_proba(X))


def test_a_fitted_estimator_holds_the_averaged_weights():
    recorder = Recorder()
    clf = MLPClassifier(max_iter=3, weight_averaging=0.9, **SMALL)
    clf.set_callbacks(recorder).fit(X, Y)
    last, _ = recorder.fitted[-1]
    for a, b in zip(last.coefs_, clf.coefs_, strict=True):
        assert_array_equal(a, b)  # clf ends holding the averaged weights


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_an_end_hook_can_stop_training(solver):
    recorder = Recorder(stop_at=2)  # the third epoch / iteration
    clf = MLPClassifier(solver=solver, max_iter=20, **SMALL).set_callbacks(recorder)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # stopped, not unfinished
        clf.fit(X, Y)
    assert clf.n_iter_ == 3
    assert len(clf.loss_curve_) == 3


def test_partial_fit_is_a_root_task_with_one_epoch():
    recorder = Recorder()
    clf = MLPClassifier(**SMALL).set_callbacks(recorder)
    for _ in range(3):
        clf.partial_fit(X, Y, classes=np.arange(10))
    # Root tasks named "fit", as scikit-learn's StandardScaler.partial_fit.
    assert _subtasks(recorder.begins, "fit") == [0, 0, 0]
    assert _subtasks(recorder.ends, "epoch") == [0, 0, 0]
    assert len(recorder.fitted) == 3


def _monitor_scores(monitor):
    frame = monitor.get_logs(select="all")
    return [row for log in frame for row in log.data]


def test_scoring_monitor_logs_one_entry_per_epoch():
    monitor = ScoringMonitor(scoring="accuracy")
    clf = MLPClassifier(max_iter=6, **SMALL).set_callbacks(monitor)
    clf.fit(X, Y)
    rows = monitor.get_logs().data
    assert len(rows) == clf.n_iter_ == 6
    assert {row["task_name"] for row in rows} == {"epoch"}
    # The last epoch's score is the final model's.
    assert rows[-1]["accuracy"] == pytest.approx(clf.score(X, Y))


def test_scoring_monitor_inside_a_pipeline():
    monitor = ScoringMonitor(scoring="accuracy")
    pipe = make_pipeline(
        StandardScaler(), MLPClassifier(max_iter=4, **SMALL).set_callbacks(monitor)
    )
    pipe.fit(X, Y)
    rows = monitor.get_logs().data
    assert len(rows) == pipe[-1].n_iter_ == 4
    assert {row["task_name"] for row in rows} == {"epoch"}


def test_scoring_monitor_inside_a_grid_search():
    monitor = ScoringMonitor(scoring="accuracy")
    clf = MLPClassifier(**SMALL).set_callbacks(monitor)
    search = GridSearchCV(clf, {"max_iter": [2, 3]}, cv=2).fit(X, Y)
    rows = [row for log in monitor.get_logs(select="all") for row in log.data]
    # 2 folds x (2 + 3 epochs), then the refit's epochs.
    assert len(rows) == 2 * (2 + 3) + search.best_estimator_.n_iter_
    assert {row["task_name"] for row in rows} == {"epoch"}


@pytest.mark.parametrize("wrap", ["none", "pipeline", "grid_search"])
def test_scikit_learns_progress_bar_reaches_the_epochs(wrap, capsys):
    pytest.importorskip("rich")
    clf = MLPClassifier(max_iter=3, **SMALL)
    if wrap == "pipeline":
        est = make_pipeline(StandardScaler(), clf)
    elif wrap == "grid_search":
        est = GridSearchCV(clf, {"alpha": [1e-4, 1e-3]}, cv=2)
    else:
        est = clf
    est.set_callbacks(ProgressBar(max_propagation_depth=None))
    est.fit(X, Y)
    out = capsys.readouterr().out
    assert re.search(r"MLPClassifier - fit", out)
    assert re.search(r"100%", out)
    assert not re.search(r"\b[0-9]{1,2}%", out)  # every bar completed


def test_without_callbacks_a_fit_is_unchanged():
    a = MLPClassifier(max_iter=3, n_threads=1, **SMALL).fit(X, Y)
    b = MLPClassifier(max_iter=3, n_threads=1, **SMALL)
    b.set_callbacks(Recorder()).fit(X, Y)
    for p, q in zip(a.coefs_, b.coefs_, strict=True):
        assert_allclose(p, q, rtol=0)
