#!/usr/bin/env bash
# Set up (if needed) and start Tactful at http://127.0.0.1:8000 with its embedded defaults:
# a SQLite file under var/ and the bundled model.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p var
# No API keys on your own machine: honoured only while the server is bound to loopback.
export TACTFUL_AUTH_DISABLED="${TACTFUL_AUTH_DISABLED:-true}"
exec .venv/bin/tactful serve "$@"
