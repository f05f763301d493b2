#!/bin/sh
# Print the Python that `make` builds .venv with: the first Python 3.12 or later that runs and
# can make a virtual environment (python3.12, python3.13, python3.14 on PATH, then pyenv's), or
# python3 when there is none. Python 3.11.7 crashed web workers under load:
# docs/decisions/0005-python-3-12-chosen-by-make.md. A pyenv shim for a version that is not
# enabled is on PATH but does not run, so each candidate is run, not only looked up.
# Override with `make PYTHON=/path/to/python`.
check='import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 12)); print()'
pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
for candidate in python3.12 python3.13 python3.14 \
    "$pyenv_root"/versions/3.12*/bin/python3 \
    "$pyenv_root"/versions/3.13*/bin/python3 \
    "$pyenv_root"/versions/3.14*/bin/python3; do
    found=$(command -v "$candidate" 2>/dev/null) || continue
    if "$found" -c "$check" >/dev/null 2>&1; then
        "$found" -c 'import sys; print(sys.executable)'
        exit 0
    fi
done
echo python3
