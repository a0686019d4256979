#!/usr/bin/env bash
# The demo: sets up .venv if needed, then trains the same scikit-learn pipeline with
# sknn's MLPClassifier and with scikit-learn's, and prints their times and accuracies.
# Arguments are passed to examples/fashion_mnist_pipeline.py (try --help).
#
# It uses Fashion-MNIST when the files are on disk (see README.md, "Data"): as root on
# Debian/Ubuntu it installs them with apt-get when they are missing (set
# SKNN_NO_APT=1 to prevent that); otherwise it falls back to scikit-learn's bundled
# digits. Nothing is downloaded from any other source.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=../.ci/ensure_venv.sh
. .ci/ensure_venv.sh
ensure_venv demo

fmnist_dir=/usr/share/datasets/fashion-mnist
if [ -z "${SKNN_DATA:-}" ] && [ ! -d "$fmnist_dir" ] && [ -z "${SKNN_NO_APT:-}" ] &&
    [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Fashion-MNIST (Debian package dataset-fashion-mnist)"
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq dataset-fashion-mnist; } </dev/null >/dev/null 2>&1; then
        echo "setup: note: could not install dataset-fashion-mnist; the demo will" \
            "use scikit-learn's digits instead"
    fi
fi

exec .venv/bin/python examples/fashion_mnist_pipeline.py "$@"
