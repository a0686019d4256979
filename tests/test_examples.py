"""Smoke tests of the example scripts: each runs, with tiny settings, in a
subprocess from the repository root, exits 0 and produces its output."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def run_example(script, *args, timeout=120):
    env = dict(os.environ, MPLBACKEND="Agg")
    completed = subprocess.run(
        [sys.executable, str(EXAMPLES / script), *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert completed.returncode == 0, (
        f"{script} exited with {completed.returncode}\n"
        f"stdout:\n{completed.stdout}\nstderr:\n{completed.stderr}"
    )
    return completed.stdout


def test_fashion_mnist_regularized_on_digits(tmp_path):
    output = tmp_path / "result.json"
    stdout = run_example(
        "fashion_mnist_regularized.py",
        "--digits",
        "--max-iter",
        2,
        "--n-threads",
        1,
        "--output",
        output,
    )
    assert "Data: digits" in stdout
    assert "BLAS:" in stdout
    assert "fit time:" in stdout
    assert "test accuracy:" in stdout
    result = json.loads(output.read_text())
    assert result["data"] == "digits"
    assert result["n_iter"] == 2
    assert len(result["loss_curve"]) == len(result["validation_loss_curve"]) == 2
    assert 0 <= result["test_accuracy"] <= 1


def test_fashion_mnist_regularized_without_data(tmp_path):
    # A directory without the IDX files: the script explains and exits 0.
    stdout = run_example(
        "fashion_mnist_regularized.py", "--data-dir", tmp_path, "--max-iter", 1
    )
    assert "Fashion-MNIST is not available" in stdout
    assert "test accuracy" not in stdout


def test_plot_dropout_overfitting(tmp_path):
    pytest.importorskip("matplotlib")
    stdout = run_example(
        "plot_dropout_overfitting.py",
        "--digits",
        "--max-iter",
        2,
        "--n-threads",
        1,
        "--output",
        tmp_path,
    )
    assert "digits:" in stdout
    assert (tmp_path / "dropout_overfitting.png").stat().st_size > 0


def test_plot_optimizers(tmp_path):
    pytest.importorskip("matplotlib")
    run_example("plot_optimizers.py", "--max-iter", 2, "--output", tmp_path)
    assert (tmp_path / "optimizers_learning_rates.png").stat().st_size > 0
    assert (tmp_path / "schedules.png").stat().st_size > 0


def test_plot_training_curves(tmp_path):
    pytest.importorskip("matplotlib")
    stdout = run_example(
        "plot_training_curves.py", "--max-iter", 3, "--output", tmp_path
    )
    assert "3 epochs; best epoch" in stdout
    assert (tmp_path / "training_curves.png").stat().st_size > 0


def test_fashion_mnist_pipeline_on_digits():
    stdout = run_example(
        "fashion_mnist_pipeline.py", "--digits", "--max-iter", 5, "--n-threads", 1
    )
    assert "Data set: digits" in stdout
    assert "Test accuracy difference" in stdout
