#!/usr/bin/env bash
# Gates the Python we ship (src/core/codegen/python/files), as ruff-vscode gates its bundled Python:
# ruff check (rules in files/ruff.toml), ruff format and black with their defaults (what a user's pre-commit
# hook most likely runs) leave it unchanged, and pyright strict passes against both Python stacks' packages.
set -euo pipefail
cd "$(dirname "$0")/.."
FILES=src/core/codegen/python/files
VENV=.venv/current/bin
[ -x "$VENV/ruff" ] || { echo "lint:python: $VENV/ruff missing; run bash scripts/setup.sh" >&2; exit 1; }
"$VENV/ruff" check "$FILES"
"$VENV/ruff" format --isolated --check "$FILES"
"$VENV/black" --check "$FILES"
for python in "$VENV/python" /usr/bin/python3; do
  node node_modules/pyright/index.js -p "$FILES" --pythonpath "$python"
done
