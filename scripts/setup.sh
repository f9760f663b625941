#!/usr/bin/env bash
# Installs what the tests need, and only what is missing, so it is cheap to run every time: Debian packages
# (among them the oldest supported FastAPI stack), the current PyPI stack into .venv/current (pinned and hashed
# in requirements/current-stack.txt), then npm packages.
# `setup.sh --demo` installs only what `npm run demo` needs: the demo serves with Debian's Python (FastAPI and
# uvicorn from apt) and never touches .venv/current, whose 540 MB of SDKs would be most of a first run's time.
set -euo pipefail
cd "$(dirname "$0")/.."

demo_only=false
case "${1:-}" in
  --demo) demo_only=true ;;
  "") ;;
  *) echo "setup: unknown option $1 (usage: setup.sh [--demo])" >&2; exit 2 ;;
esac

# python3-*: the oldest supported FastAPI stack (FastAPI 0.92, Pydantic 1); python3-venv: the venv for the
# current stack; python3-redis, redis-server: the resumable streams (Redis store) and their tests; nginx-light: the proxy tests; chromium: webview and
# workbench tests (driven by playwright-core, which never downloads a browser); libkrb5-dev: building
# code-server's kerberos module for the extension-host tests; unzip: reading the packaged .vsix.
DEBIAN_PACKAGES=(python3 python3-fastapi python3-uvicorn python3-httpx python3-coverage python3-pytest python3-venv python3-redis redis-server nginx-light chromium libkrb5-dev ca-certificates unzip)
if [ "$demo_only" = true ]; then
  # The demo's server: Debian's Python with FastAPI and uvicorn (the oldest supported stack).
  DEBIAN_PACKAGES=(python3 python3-fastapi python3-uvicorn ca-certificates)
fi

missing=()
for package in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: run as root or install sudo to install ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The current stack: a venv on Debian's Python, (re)made when missing or when the lock changed since it was made.
CURRENT_VENV=.venv/current
LOCK=requirements/current-stack.txt
LOCK_STAMP="$CURRENT_VENV/.catalyst-lock-sha256"
lock_sha="$(sha256sum "$LOCK" | cut -d' ' -f1)"
if [ "$demo_only" = true ]; then
  : # the demo does not use the current stack
elif [ ! -x "$CURRENT_VENV/bin/python" ] || [ "$(cat "$LOCK_STAMP" 2>/dev/null)" != "$lock_sha" ]; then
  echo "setup: installing the current Python stack into $CURRENT_VENV ($LOCK)" >&2
  rm -rf "$CURRENT_VENV"
  /usr/bin/python3 -m venv "$CURRENT_VENV"
  "$CURRENT_VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
    --require-hashes --no-deps --only-binary=:all: -r "$LOCK"
  echo "$lock_sha" > "$LOCK_STAMP"
fi

# npm ci when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages (npm ci)" >&2
  npm ci --no-audit --no-fund
fi
