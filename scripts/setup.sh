#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian machine: Node dependencies and Debian's
# Chromium (WebGPU through SwiftShader when there is no GPU). Idempotent; quiet when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${CHROMIUM_PATH:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian's chromium (needed for WebGPU tests and headless runs)…"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "setup: Chromium is missing. Install it with: sudo apt-get install chromium" >&2
    echo "       (or set CHROMIUM_PATH to a Chromium/Chrome binary)" >&2
    exit 1
  fi
fi

# Debian's astropy: the tests open the files we write with it, as an independent reader.
if ! /usr/bin/python3 -c 'import astropy, yaml' >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian's python3-astropy (independent FITS/WCS reader for the tests)…"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-astropy python3-yaml >/dev/null
  else
    echo "setup: python3-astropy is missing (tests use it). Install it with: sudo apt-get install python3-astropy" >&2
    exit 1
  fi
fi

# Node dependencies: install from the lock file when node_modules is missing or older than it.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci…"
  npm ci --no-audit --no-fund --loglevel=error
fi
