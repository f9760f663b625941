#!/usr/bin/env bash
# Installs what the demo and the tests need, and only what is missing, so it is cheap to run every time:
# Debian packages (the FastAPI stack comes from Debian: PyPI is not reachable here), then npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."

# python3-*: the FastAPI stack the generated code runs on; nginx-light: the proxy tests; chromium: webview and
# workbench tests (driven by playwright-core, which never downloads a browser); libkrb5-dev: building
# code-server's kerberos module for the extension-host tests.
DEBIAN_PACKAGES=(python3 python3-fastapi python3-uvicorn python3-httpx python3-coverage python3-pytest nginx-light chromium libkrb5-dev ca-certificates)

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

# npm ci when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages (npm ci)" >&2
  npm ci --no-audit --no-fund
fi
