# shellcheck shell=bash
# Sourced by tests/run.sh and examples/demo.sh, from the repository root.
#
#   ensure_venv EXTRA
#
# makes sure .venv exists and holds sknn installed editable with the extra EXTRA
# (pip install -e ".[EXTRA]"). The install is skipped while a stamp in .venv matches
# a hash of pyproject.toml, the extra and the venv's Python, so a second run starts
# at once; editing pyproject.toml triggers a reinstall. Works with no stdin.

ensure_venv() {
    local extra=$1
    local python=${PYTHON:-python3}
    local venv_python=.venv/bin/python

    if [ -e .venv ] && ! "$venv_python" -c "" >/dev/null 2>&1; then
        echo "setup: .venv is broken (no working .venv/bin/python); recreating it"
        "$python" -m venv --clear .venv
    fi
    if [ ! -e .venv ]; then
        if ! command -v "$python" >/dev/null 2>&1; then
            echo "setup: error: '$python' not found; install Python >= 3.11" >&2
            return 1
        fi
        if ! "$python" -c "import sys; sys.exit(sys.version_info < (3, 11))"; then
            echo "setup: error: sknn needs Python >= 3.11, '$python' is" \
                "$("$python" --version 2>&1)" >&2
            return 1
        fi
        echo "setup: creating .venv with $("$python" --version 2>&1)"
        "$python" -m venv .venv
    fi

    local stamp=".venv/.sknn-install-$extra.sha256"
    local key
    key=$(
        {
            cat pyproject.toml
            echo "extra=$extra"
            "$venv_python" -c "import sys; print(sys.version)"
        } | sha256sum | cut -d " " -f 1
    )
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ] &&
        "$venv_python" -c "import importlib.metadata as m; m.version('sknn')" \
            >/dev/null 2>&1; then
        return 0
    fi

    echo "setup: installing sknn[$extra] (editable) and its dependencies into .venv"
    PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
        "$venv_python" -m pip install --quiet --editable ".[$extra]" </dev/null
    echo "$key" >"$stamp"
    echo "setup: done"
}
