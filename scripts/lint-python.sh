#!/usr/bin/env bash
# Gates the Python we ship (src/core/codegen/python/files), as ruff-vscode gates its bundled Python:
# ruff check (rules in files/ruff.toml), ruff format and black with their defaults (what a user's pre-commit
# hook most likely runs) leave it unchanged, and pyright strict passes against both Python stacks' packages.
# The generated package (files/package) is also gated as users receive it: rendered for Python 3.9, 3.10 and
# 3.12 (Optional/Union rewritten for 3.10+), each render checked with ruff's --target-version for its
# Python, and no file over 350 lines.
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

RENDERS=$(mktemp -d)
trap 'rm -rf "$RENDERS"' EXIT
for version in 3.9 3.10 3.12; do
  dir="$RENDERS/py${version/./}"
  node --require ./scripts/register-py-text.cjs --import tsx scripts/render-package.mjs "$dir/streaming" "$version"
  echo "lint:python: the generated package for Python $version"
  # 3.12's render must also be clean for 3.13 (a project whose target moved on).
  for target in "py${version/./}" $([ "$version" = 3.12 ] && echo py313); do
    "$VENV/ruff" check --config "$FILES/ruff.toml" --target-version "$target" "$dir"
  done
  "$VENV/ruff" format --isolated --check "$dir"
  "$VENV/black" --check --quiet "$dir"
  printf '{"typeCheckingMode": "strict", "reportMissingModuleSource": "none", "pythonVersion": "%s"}\n' "$version" >"$dir/pyrightconfig.json"
  for python in "$VENV/python" /usr/bin/python3; do
    node node_modules/pyright/index.js -p "$dir" --pythonpath "$python"
  done
  too_long=$(find "$dir/streaming" -name '*.py' -exec awk 'END { if (NR > 350) print FILENAME ": " NR " lines" }' {} \;)
  if [ -n "$too_long" ]; then
    echo "lint:python: generated files over 350 lines:" >&2
    echo "$too_long" >&2
    exit 1
  fi
done
