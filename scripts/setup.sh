#!/usr/bin/env bash
# Create .venv and install Tactful into it. Safe to repeat: does nothing when up to date.
# PyTorch is pinned and installed first, so that nothing pulls a multi-GB CUDA build.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
VENV_PY=.venv/bin/python
if ! "$VENV_PY" -c 'import sys; assert sys.version_info[:2] == (3, 11)' 2>/dev/null; then
  echo "Tactful needs Python 3.11 (found $("$VENV_PY" --version)); set PYTHON=python3.11" >&2
  exit 1
fi
stamp=.venv/.tactful-installed
want=$(cat pyproject.toml | sha256sum | cut -d' ' -f1)
if ! { [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && .venv/bin/tactful --help >/dev/null 2>&1; }; then
  "$VENV_PY" -m pip install --quiet --upgrade pip
  "$VENV_PY" -m pip install --quiet "torch==2.13.0"
  "$VENV_PY" -m pip install --quiet -e ".[dev]"
  echo "$want" > "$stamp"
fi
# The ONNX int8 encoder of the shipped model (the default runtime), cached in models/cache/
# under a digest of the weights and adapters: instant when it is already there.
HF_HUB_OFFLINE=1 .venv/bin/tactful export >/dev/null
