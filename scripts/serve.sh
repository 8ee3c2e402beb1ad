#!/usr/bin/env bash
# Production-style serving in one command: virtualenv, migrate, build or catch up this
# host's search index, then gunicorn with gunicorn.conf.py (JSON logs on stderr).
# Configure with ENLACE_* variables (README, "Serving"); e.g.
#   ENLACE_ENV=production ENLACE_SECRET_KEY=... ENLACE_BASE_URL=https://... ENLACE_DATABASE_URL=postgresql://... scripts/serve.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export FLASK_APP=wsgi
.venv/bin/flask db upgrade
.venv/bin/flask index-sync
exec .venv/bin/gunicorn --config gunicorn.conf.py wsgi:app
