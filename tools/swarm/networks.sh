#!/usr/bin/env bash
# Phase 2.3: the overlay networks the stacks attach to, encrypted (overlay traffic is NOT encrypted by default).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
need docker
require_manager
for net in omega-net monitoring-net; do
  if docker network inspect "$net" >/dev/null 2>&1; then
    [ "$(docker network inspect "$net" --format '{{ index .Options "encrypted" }}')" = "true" ] ||
      die "$net exists but is not encrypted: remove it (docker network rm $net) once no service uses it, then re-run"
    log "$net exists (encrypted overlay)"
  else
    docker network create --driver overlay --opt encrypted --attachable "$net" >/dev/null
    log "created $net"
  fi
done
