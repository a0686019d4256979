"""scikit-learn's own MLP tests, run against sknn.

At test time, ``sklearn/neural_network/tests/test_mlp.py`` from the installed
scikit-learn is copied into a temporary folder with its import switched to
sknn (nothing of it is kept in this repository), and run in a subprocess.
Five tests are left out because they read or set scikit-learn's private
attributes (``_coef_grads``, ``_optimizer.learning_rate``, ...). The
``global_random_seed`` fixture comes from scikit-learn's own conftest; a
conftest beside the copy provides it (scikit-learn's default seed, 42).
"""

# SPDX-License-Identifier: BSD-3-Clause

import re
import subprocess
import sys
from pathlib import Path

import pytest
import sklearn

#: The tests of scikit-learn's private attributes.
PRIVATE_ATTRIBUTE_TESTS = (
    "test_fit",
    "test_gradient",
    "test_learning_rate_warmstart",
    "test_adaptive_learning_rate",
    "test_n_iter_no_change",
)
SKLEARN_IMPORT = "from sklearn.neural_network import MLPClassifier, MLPRegressor\n"


def test_scikit_learns_mlp_tests_pass_on_sknn(tmp_path):
    source = Path(sklearn.__file__).parent / "neural_network/tests/test_mlp.py"
    if not source.exists():
        pytest.skip(f"scikit-learn's tests are not installed ({source})")
    text = source.read_text()
    assert text.count(SKLEARN_IMPORT) == 1, "scikit-learn's import line changed"
    (tmp_path / "test_sknn_mlp.py").write_text(
        text.replace(SKLEARN_IMPORT, "from sknn import MLPClassifier, MLPRegressor\n")
    )
    (tmp_path / "conftest.py").write_text(
        "import pytest\n\n\n@pytest.fixture\ndef global_random_seed():\n    return 42\n"
    )
    names = set(re.findall(r"^def (test_\w+)", text, re.M))
    assert set(PRIVATE_ATTRIBUTE_TESTS) <= names  # left out by name
    deselect = [
        f"--deselect=test_sknn_mlp.py::{name}" for name in PRIVATE_ATTRIBUTE_TESTS
    ]
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            "test_sknn_mlp.py",
            *deselect,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    summary = completed.stdout.strip().splitlines()[-1] if completed.stdout else ""
    assert completed.returncode == 0, (
        completed.stdout[-4000:] + completed.stderr[-2000:]
    )
    assert re.search(r"\d+ passed", summary) and "failed" not in summary
