#!/usr/bin/env bash
# Phase 2.2: join this node to the swarm (no-op when it already is in one).
# Usage: tools/swarm/join.sh <manager|worker> <token> <manager-1 private ip> [this node's private ip]
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
need docker
role=${1:?usage: join.sh <manager|worker> <token> <manager ip> [own ip]}
token=${2:?join token}
manager=${3:?manager private ip}
own=${4:-}
case "$role" in manager|worker) ;; *) die "role must be manager or worker, got $role" ;; esac
if [ "$(swarm_state)" = active ]; then
  log "already in a swarm: not joining"
  exit 0
fi
args=(--token "$token")
if [ -n "$own" ]; then args+=(--advertise-addr "$own" --data-path-addr "$own"); fi
docker swarm join "${args[@]}" "$manager:2377"
log "joined as $role"
