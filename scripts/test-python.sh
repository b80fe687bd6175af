#!/usr/bin/env bash
# The Python FFI suite: builds libswitchboard_ffi, generates its Python bindings with the pinned
# uniffi-bindgen, and runs pytest against the real library through them. Installs pytest into a
# virtualenv under target/ the first time (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bindings.sh python

venv=target/py-venv
if [ ! -x "$venv/bin/pytest" ]; then
  echo "setting up $venv (pytest)"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet pytest
fi

export PYTHONPATH="$PWD/target/bindings/python"
export SWITCHBOARD_BIN="$PWD/target/debug/switchboard"
exec "$venv/bin/pytest" -q -p no:cacheprovider crates/ffi/python-tests "$@"
