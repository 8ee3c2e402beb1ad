#!/usr/bin/env bash
# One command on a fresh machine: virtualenv, pinned dependencies, Chromium for the
# browser tests, lint, then the whole suite on SQLite and again on PostgreSQL.
# Extra arguments are passed to pytest (e.g. scripts/test.sh -k search).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh test

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's chromium for the browser tests..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "chromium is not installed: browser tests will skip (install Debian's chromium)." >&2
  fi
fi

if command -v npm >/dev/null 2>&1; then
  # axe-core (pinned in package-lock.json) for the accessibility checks.
  npm ci --no-audit --no-fund --silent
else
  echo "npm is not installed: accessibility checks will skip." >&2
fi

.venv/bin/ruff check .

status=0
echo "== Test suite on SQLite =="
ENLACE_TEST_DB=sqlite .venv/bin/python -m pytest "$@" || status=$?
echo "== Test suite on PostgreSQL =="
if [ "${ENLACE_REQUIRE_POSTGRES:-0}" = "1" ] || pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  ENLACE_TEST_DB=postgres .venv/bin/python -m pytest -m "not browser" "$@" || status=$?
else
  echo "PostgreSQL is not reachable at 127.0.0.1:5432: skipping the PostgreSQL pass." >&2
fi
exit $status
