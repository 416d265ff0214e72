#!/usr/bin/env bash
# Set up (if needed) and run the whole test suite: lint, then pytest (slow tests included).
# Under CI=true the PostgreSQL and Chromium tests must run, so their services are started here.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/services.sh
.venv/bin/ruff check app tests scripts
.venv/bin/python -m pytest -q "$@"
