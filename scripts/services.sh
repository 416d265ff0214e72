#!/usr/bin/env bash
# Start what the PostgreSQL and browser tests need, when it can be had on this machine.
# Under CI=true a missing piece is an error; elsewhere those tests skip.
set -uo pipefail
need=${CI:-false}
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

if command -v pg_ctlcluster >/dev/null 2>&1; then
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    version=$(ls /etc/postgresql 2>/dev/null | head -n1)
    [ -n "$version" ] && as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  fi
fi
if [ "$need" = "true" ] && ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "PostgreSQL is not reachable on 127.0.0.1:5432" >&2
  exit 1
fi

if [ -d tests/web ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$need" = "true" ]; then
    as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq chromium chromium-driver >/dev/null || {
      echo "could not install chromium" >&2; exit 1; }
  fi
fi
exit 0
