#!/usr/bin/env bash
# Re-extract every gettext string and merge it into the Spanish catalog.
# Then translate the new entries: edit the .po, or scripts/translate.py PO JSON.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
  -o matcher/translations/messages.pot . >/dev/null
.venv/bin/pybabel update -i matcher/translations/messages.pot -d matcher/translations \
  --omit-header --no-fuzzy-matching --ignore-obsolete >/dev/null
.venv/bin/python scripts/translate.py matcher/translations/es/LC_MESSAGES/messages.po /dev/stdin <<< '{}'
