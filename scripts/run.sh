#!/usr/bin/env bash
# One command on a fresh machine: virtualenv, pinned dependencies (no test extras),
# migrate, seed the Ventura demo, build the search index and serve it.
# PORT (default 5000) picks the port; the address printed below is the one served.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-5000}"
scripts/bootstrap.sh
export FLASK_APP=wsgi
.venv/bin/flask db upgrade
.venv/bin/flask seed
.venv/bin/flask reindex
echo "Enlace is running at http://127.0.0.1:${PORT} (Ctrl-C to stop)"
exec .venv/bin/flask run --host 127.0.0.1 --port "$PORT"
