"""TrainingCurveDisplay: what it draws, from what, and how it refuses.

The curves come from real fits on digits (a few epochs of a small network), so
the display is checked on the arrays the estimators actually record.
"""

# SPDX-License-Identifier: BSD-3-Clause

import subprocess
import sys

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn import neural_network as sk
from sklearn.datasets import load_digits, make_regression
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn import MLPClassifier, MLPRegressor
from sknn.plotting import TrainingCurveDisplay

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

X_DIGITS, Y_DIGITS = load_digits(return_X_y=True)
X_DIGITS = X_DIGITS[:600] / 16
Y_DIGITS = Y_DIGITS[:600]
N_EPOCHS = 8
# A decaying rate, so that the learning-rate panel has a curve to show, and no
# early stop, so that every fit runs N_EPOCHS epochs.
SETTINGS = dict(
    hidden_layer_sizes=(16,),
    max_iter=N_EPOCHS,
    learning_rate="cosine",
    learning_rate_init=0.01,
    n_iter_no_change=N_EPOCHS,
    random_state=0,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def clf():
    """A classifier fitted with early stopping: every curve is recorded."""
    return MLPClassifier(early_stopping=True, **SETTINGS).fit(X_DIGITS, Y_DIGITS)


@pytest.fixture
def curves(clf):
    """The constructor's arguments, from the classifier's per-epoch lists."""
    return dict(
        loss=np.asarray(clf.loss_curve_),
        val_loss=np.asarray(clf.validation_loss_curve_),
        val_score=np.asarray(clf.validation_scores_),
        learning_rate=np.asarray(clf.learning_rate_curve_),
        best_epoch=int(np.argmax(clf.validation_scores_)),
        estimator_name="MLPClassifier",
    )


def legend_texts(display):
    return [text.get_text() for text in display.ax_.get_legend().get_texts()]


def test_saves_png(curves, tmp_path):
    display = TrainingCurveDisplay(**curves).plot(show_learning_rate=True)
    path = tmp_path / "curves.png"
    display.figure_.savefig(path)
    assert path.stat().st_size > 0


def test_constructor_only_stores(curves):
    display = TrainingCurveDisplay(**curves)
    for name, value in curves.items():
        assert getattr(display, name) is value
    assert not hasattr(display, "ax_")


def test_lines_hold_the_curves_against_one_based_epochs(curves):
    display = TrainingCurveDisplay(**curves).plot()
    epochs = np.arange(1, N_EPOCHS + 1)
    assert len(curves["loss"]) == N_EPOCHS
    for line, key in [
        (display.line_, "loss"),
        (display.val_loss_line_, "val_loss"),
        (display.val_score_line_, "val_score"),
    ]:
        assert_array_equal(line.get_xdata(), epochs)
        assert_array_equal(line.get_ydata(), curves[key])
    assert display.line_.axes is display.ax_
    assert display.val_loss_line_.axes is display.ax_
    assert display.figure_ is display.ax_.figure


def test_validation_score_on_a_twin_axis(curves):
    display = TrainingCurveDisplay(**curves).plot()
    score_ax = display.score_ax_
    assert score_ax is not None and score_ax is not display.ax_
    assert display.val_score_line_.axes is score_ax
    assert score_ax.get_shared_x_axes().joined(display.ax_, score_ax)
    assert score_ax.yaxis.get_label_position() == "right"
    assert score_ax.get_ylabel() == "validation score"
    # Scores live in [0, 1], the losses above: each axis scales to its own.
    low, high = score_ax.get_ylim()
    assert low <= curves["val_score"].min() and curves["val_score"].max() <= high


def test_best_epoch_marked_at_its_one_based_epoch(curves):
    curves["best_epoch"] = 5
    display = TrainingCurveDisplay(**curves).plot()
    assert_array_equal(display.best_epoch_line_.get_xdata(), [6, 6])
    assert display.best_epoch_line_.axes is display.ax_
    assert "best epoch (6)" in legend_texts(display)


def test_labels_legend_and_title(curves):
    display = TrainingCurveDisplay(**curves).plot()
    assert display.ax_.get_xlabel() == "epoch"
    assert display.ax_.get_ylabel() == "loss"
    assert display.ax_.get_title() == "MLPClassifier"
    assert legend_texts(display) == [
        "training loss",
        "validation loss",
        "validation score",
        f"best epoch ({curves['best_epoch'] + 1})",
    ]
    assert display.plot(name="run 2").ax_.get_title() == "run 2"


def test_only_the_training_loss():
    display = TrainingCurveDisplay(loss=[0.9, 0.6, 0.5]).plot()
    assert display.val_loss_line_ is None
    assert display.val_score_line_ is None
    assert display.score_ax_ is None
    assert display.best_epoch_line_ is None
    assert display.lr_ax_ is None and display.lr_line_ is None
    assert legend_texts(display) == ["training loss"]
    assert display.ax_.get_title() == ""
    assert len(display.figure_.axes) == 1


def test_curves_nan_throughout_are_not_drawn():
    # What a history without validation holds: NaN in every epoch.
    nan = np.full(3, np.nan)
    display = TrainingCurveDisplay(loss=[0.9, 0.6, 0.5], val_loss=nan, val_score=nan)
    display.plot()
    assert display.val_loss_line_ is None
    assert display.score_ax_ is None and display.val_score_line_ is None


def test_nan_leaves_gaps_and_lone_epochs_get_markers(tmp_path):
    val_loss = np.array([1.0, 0.8, np.nan, 0.7, 0.65])
    val_score = np.array([np.nan, 0.5, np.nan, np.nan, 0.7])
    display = TrainingCurveDisplay(
        loss=[1.2, 0.9, 0.7, 0.6, 0.5], val_loss=val_loss, val_score=val_score
    ).plot()
    # matplotlib breaks a line at NaN: the data keeps the NaNs where they were.
    assert_array_equal(display.val_loss_line_.get_ydata(), val_loss)
    assert_array_equal(display.val_score_line_.get_ydata(), val_score)
    # Every measured score is alone between gaps, which a line cannot show.
    assert display.val_score_line_.get_marker() == "."
    assert display.val_loss_line_.get_marker() == "None"
    assert display.line_.get_marker() == "None"
    display.figure_.savefig(tmp_path / "gaps.png")


def test_learning_rate_panel_only_when_asked(curves):
    display = TrainingCurveDisplay(**curves).plot()
    assert display.lr_ax_ is None and display.lr_line_ is None
    assert len(display.figure_.axes) == 2  # the losses' and the score's

    display = TrainingCurveDisplay(**curves).plot(show_learning_rate=True)
    lr_ax = display.lr_ax_
    assert lr_ax is not None and display.lr_line_.axes is lr_ax
    assert lr_ax.figure is display.figure_
    assert len(display.figure_.axes) == 3
    assert_array_equal(display.lr_line_.get_xdata(), np.arange(1, N_EPOCHS + 1))
    assert_array_equal(display.lr_line_.get_ydata(), curves["learning_rate"])
    assert lr_ax.get_shared_x_axes().joined(display.ax_, lr_ax)
    assert lr_ax.get_ylabel() == "learning rate"
    # The panel is below, and the epoch label moves down to it.
    assert lr_ax.get_position().y1 <= display.ax_.get_position().y0
    assert lr_ax.get_xlabel() == "epoch" and display.ax_.get_xlabel() == ""


def test_learning_rate_scale_follows_its_range():
    loss = [1.0, 0.8, 0.7, 0.6]
    constant = TrainingCurveDisplay(loss=loss, learning_rate=[1e-3] * 4)
    assert constant.plot(show_learning_rate=True).lr_ax_.get_yscale() == "linear"
    decaying = TrainingCurveDisplay(loss=loss, learning_rate=[1e-1, 1e-2, 1e-3, 1e-4])
    assert decaying.plot(show_learning_rate=True).lr_ax_.get_yscale() == "log"


def test_draws_on_the_given_axes(curves):
    fig, (left, right) = plt.subplots(1, 2)
    display = TrainingCurveDisplay(**curves).plot(ax=right)
    assert display.ax_ is right and display.figure_ is fig
    assert display.line_ in right.lines
    assert not left.lines


def test_learning_rate_panel_refuses_given_axes(curves):
    _, ax = plt.subplots()
    display = TrainingCurveDisplay(**curves)
    with pytest.raises(ValueError, match="figure of its own; pass ax=None"):
        display.plot(ax=ax, show_learning_rate=True)
    assert not ax.lines


def test_learning_rate_panel_needs_a_learning_rate():
    display = TrainingCurveDisplay(loss=[0.9, 0.5], learning_rate=[np.nan, np.nan])
    with pytest.raises(ValueError, match="no learning rate to show"):
        display.plot(show_learning_rate=True)
    assert not plt.get_fignums()


def test_keyword_arguments_reach_the_artists(curves):
    display = TrainingCurveDisplay(**curves).plot(
        show_learning_rate=True,
        loss_kw={"color": "k", "label": "train"},
        val_loss_kw={"linewidth": 3},
        val_score_kw={"linestyle": "-"},
        best_epoch_kw={"color": "r"},
        learning_rate_kw={"color": "m"},
    )
    assert display.line_.get_color() == "k"
    assert display.val_loss_line_.get_linewidth() == 3
    assert display.val_score_line_.get_linestyle() == "-"
    assert display.best_epoch_line_.get_color() == "r"
    assert display.lr_line_.get_color() == "m"
    assert legend_texts(display)[0] == "train"


@pytest.mark.parametrize(
    "arguments, match",
    [
        ({"loss": []}, "non-empty 1-d"),
        ({"loss": [[1.0, 0.5]]}, "non-empty 1-d"),
        ({"loss": [1.0, 0.5], "val_loss": [1.0]}, "val_loss must be a 1-d array"),
        ({"loss": [1.0, 0.5], "val_score": [1, 2, 3]}, "val_score must be a 1-d"),
        ({"loss": [1.0, 0.5], "best_epoch": 2}, r"in \[0, 2\); got 2"),
        ({"loss": [1.0, 0.5], "best_epoch": -1}, "got -1"),
        ({"loss": [1.0, 0.5], "best_epoch": 1.0}, "got 1.0"),
    ],
)
def test_invalid_curves(arguments, match):
    with pytest.raises(ValueError, match=match):
        TrainingCurveDisplay(**arguments).plot()
    assert not plt.get_fignums()


def test_best_epoch_accepts_numpy_integers():
    display = TrainingCurveDisplay(loss=[1.0, 0.5], best_epoch=np.int64(1)).plot()
    assert_array_equal(display.best_epoch_line_.get_xdata(), [2, 2])


def test_import_does_not_load_matplotlib():
    code = "import sys, sknn.plotting; print('matplotlib' in sys.modules)"
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "False"


def test_missing_matplotlib_names_the_extra(curves, clf, monkeypatch):
    # None in sys.modules makes `import matplotlib` raise ImportError.
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    message = (
        r'TrainingCurveDisplay.plot requires matplotlib.*pip install "sknn\[plot\]"'
    )
    with pytest.raises(ImportError, match=message):
        TrainingCurveDisplay(**curves).plot()
    with pytest.raises(ImportError, match=r'from_estimator.*"sknn\[plot\]"'):
        TrainingCurveDisplay.from_estimator(clf)


@pytest.mark.parametrize(
    "estimator, match",
    [
        (LogisticRegression(), "got LogisticRegression"),
        (sk.MLPClassifier(), "scikit-learn's own MLP records no history_"),
        (
            make_pipeline(StandardScaler(), LogisticRegression()),
            "got a Pipeline whose last step is LogisticRegression",
        ),
        (
            make_pipeline(StandardScaler(), "passthrough"),
            "last step is 'passthrough'",
        ),
        ("MLPClassifier", "got 'MLPClassifier'"),
    ],
)
def test_from_estimator_refuses_other_estimators(estimator, match):
    with pytest.raises(TypeError, match=match):
        TrainingCurveDisplay.from_estimator(estimator)


@pytest.mark.parametrize(
    "estimator",
    [MLPClassifier(), MLPRegressor(), make_pipeline(StandardScaler(), MLPClassifier())],
)
def test_from_estimator_unfitted(estimator):
    with pytest.raises(NotFittedError):
        TrainingCurveDisplay.from_estimator(estimator)


def test_from_estimator_draws_the_history(clf):
    history = clf.history_
    display = TrainingCurveDisplay.from_estimator(clf)
    epochs = np.arange(1, N_EPOCHS + 1)
    assert_array_equal(history["epoch"], epochs)
    assert_array_equal(display.line_.get_xdata(), epochs)
    assert_array_equal(display.line_.get_ydata(), history["loss"])
    assert_array_equal(display.val_loss_line_.get_ydata(), history["val_loss"])
    assert_array_equal(display.val_score_line_.get_ydata(), history["val_score"])
    assert display.val_score_line_.axes is display.score_ax_
    assert display.lr_ax_ is None
    assert display.ax_.get_title() == "MLPClassifier"
    # The history agrees with the estimator's per-epoch lists.
    assert_array_equal(display.line_.get_ydata(), clf.loss_curve_)
    assert_array_equal(display.val_score_line_.get_ydata(), clf.validation_scores_)


def test_from_estimator_marks_the_last_best_epoch(clf):
    best = int(np.flatnonzero(clf.history_["is_best"])[-1])
    display = TrainingCurveDisplay.from_estimator(clf)
    assert display.best_epoch == best
    assert_array_equal(display.best_epoch_line_.get_xdata(), [best + 1, best + 1])


def test_from_estimator_learning_rate_panel(clf):
    display = TrainingCurveDisplay.from_estimator(clf, show_learning_rate=True)
    assert_array_equal(display.lr_line_.get_ydata(), clf.history_["learning_rate"])
    assert_array_equal(display.lr_line_.get_ydata(), clf.learning_rate_curve_)
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match="figure of its own"):
        TrainingCurveDisplay.from_estimator(clf, ax=ax, show_learning_rate=True)


def test_from_estimator_pipeline_uses_its_last_step():
    pipe = make_pipeline(StandardScaler(), MLPClassifier(**SETTINGS))
    pipe.fit(X_DIGITS, Y_DIGITS)
    _, ax = plt.subplots()
    display = TrainingCurveDisplay.from_estimator(pipe, ax=ax, name="pipeline")
    assert display.ax_ is ax
    assert display.ax_.get_title() == "pipeline"
    assert_array_equal(display.line_.get_ydata(), pipe[-1].history_["loss"])
    # No validation data: the validation curves are NaN, so none is drawn.
    assert display.val_loss_line_ is None and display.score_ax_ is None


def test_from_estimator_regressor_across_partial_fit_calls():
    X, y = make_regression(n_samples=200, n_features=5, noise=1.0, random_state=0)
    reg = MLPRegressor(hidden_layer_sizes=(8,), random_state=0)
    for _ in range(3):
        reg.partial_fit(X, y / y.std())
    display = TrainingCurveDisplay.from_estimator(reg)
    assert_array_equal(reg.history_["call"], [0, 1, 2])
    assert_array_equal(display.line_.get_xdata(), [1, 2, 3])
    assert_array_equal(display.line_.get_ydata(), reg.history_["loss"])
    assert display.ax_.get_title() == "MLPRegressor"
