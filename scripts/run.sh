#!/usr/bin/env bash
# One command on a fresh machine: virtualenv, pinned dependencies, migrate, seed,
# build the search index and serve on http://127.0.0.1:5000.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export FLASK_APP=wsgi
.venv/bin/flask db upgrade
.venv/bin/flask seed
if .venv/bin/flask --help | grep -q reindex; then .venv/bin/flask reindex; fi
echo "Enlace is running at http://127.0.0.1:5000 (Ctrl-C to stop)"
exec .venv/bin/flask run --host 127.0.0.1 --port "${PORT:-5000}"
