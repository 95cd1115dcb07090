#!/usr/bin/env bash
# Shared helpers for the swarm bootstrap scripts (sourced, not run). Every script is idempotent: it checks the
# current state and changes only what is missing, so re-running a phase after a failure is always safe.
set -euo pipefail

FEED_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export FEED_ROOT
# Local, git-ignored state: generated passwords and the names of the current config/secret versions.
FEED_STATE_DIR="${FEED_STATE_DIR:-$FEED_ROOT/.swarm}"
export FEED_STATE_DIR

log() { printf 'swarm: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

need() {
  local c
  for c in "$@"; do command -v "$c" >/dev/null 2>&1 || die "$c is required"; done
}

swarm_state() { docker info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null || echo unknown; }

is_manager() { [ "$(docker info --format '{{.Swarm.ControlAvailable}}' 2>/dev/null)" = "true" ]; }

require_manager() { is_manager || die "run this on a swarm manager"; }

# Short content hash: configs and secrets are immutable in a swarm, so new content gets a new versioned name.
content_hash() { sha256sum "$1" | cut -c1-10; }

state_set() {
  local key=$1 value=$2 file="$FEED_STATE_DIR/state.env"
  mkdir -p "$FEED_STATE_DIR"
  touch "$file"
  grep -v "^${key}=" "$file" >"$file.tmp" || true
  printf '%s=%s\n' "$key" "$value" >>"$file.tmp"
  mv "$file.tmp" "$file"
}

state_load() {
  local file="$FEED_STATE_DIR/state.env"
  if [ -f "$file" ]; then
    set -a
    # shellcheck source=/dev/null
    . "$file"
    set +a
  fi
}
