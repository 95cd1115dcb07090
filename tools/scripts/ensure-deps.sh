#!/usr/bin/env bash
# Installs npm dependencies when they are missing or older than the lock file, so that the README's two
# commands work on a fresh clone without a separate install step.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing npm dependencies (npm ci)..." >&2
  npm ci --no-audit --no-fund >&2
fi
