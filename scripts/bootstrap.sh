#!/usr/bin/env bash
# Create .venv (Python 3.11) and install Enlace with pinned dependencies.
# Usage: scripts/bootstrap.sh [extra]   e.g. scripts/bootstrap.sh test
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      echo "$candidate"; return 0
    fi
  done
  echo "Enlace needs Python 3.11 (python3.11 not found)" >&2
  return 1
}

if [ ! -x .venv/bin/python ]; then
  "$(find_python)" -m venv .venv
fi
extra="${1:-}"
target="."
[ -n "$extra" ] && target=".[$extra]"
# constraints.txt pins every transitive dependency: the same versions on every machine.
.venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e "$target"
