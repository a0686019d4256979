#!/usr/bin/env bash
# The whole test suite: sets up .venv if needed, then checks the import contracts
# (import-linter), lints with ruff and runs pytest. Arguments are passed to pytest:
#
#   bash tests/run.sh                         # everything
#   bash tests/run.sh tests/test_datasets.py  # one file (the linters still run)
#
# Every stage runs even if an earlier one failed; the exit status is non-zero if any
# failed, including when pytest collects no tests (its exit code 5).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=../.ci/ensure_venv.sh
. .ci/ensure_venv.sh
ensure_venv test
export PATH="$PWD/.venv/bin:$PATH"

failed=()

echo "== import contracts (lint-imports)"
lint-imports --no-logo || failed+=("lint-imports")

echo "== ruff check"
ruff check sknn tests examples || failed+=("ruff")

echo "== pytest"
pytest_status=0
python -m pytest "$@" </dev/null || pytest_status=$?
case $pytest_status in
    0) ;;
    5) failed+=("pytest (exit 5: no tests were collected)") ;;
    *) failed+=("pytest (exit $pytest_status)") ;;
esac

if [ ${#failed[@]} -gt 0 ]; then
    printf 'tests/run.sh: FAILED: %s\n' "${failed[@]}" >&2
    exit 1
fi
echo "tests/run.sh: all checks passed"
