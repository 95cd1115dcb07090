#!/usr/bin/env bash
# Phase 2.1: initialise the swarm on the first manager (no-op when this node is already in a swarm) and print the
# join commands. Usage: tools/swarm/init.sh <this manager's PRIVATE ip>
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
need docker
addr=${1:?usage: init.sh <manager-1 private ip>}

case "$(swarm_state)" in
  active) log "already in a swarm: not initialising" ;;
  inactive)
    log "initialising the swarm on $addr"
    # The control plane and the overlay data path both on the private network only.
    docker swarm init --advertise-addr "$addr" --data-path-addr "$addr" >/dev/null
    ;;
  *) die "swarm state is $(swarm_state): fix the engine first" ;;
esac
require_manager
# Autolock: a restarted manager needs the unlock key before it can read the raft log (secrets live there).
if [ "$(docker info --format '{{.Swarm.Cluster.Spec.EncryptionConfig.AutoLockManagers}}')" != "true" ]; then
  mkdir -p "$FEED_STATE_DIR"
  (
    umask 077
    docker swarm update --autolock=true | grep -oE 'SWMKEY-[^ ]+' >"$FEED_STATE_DIR/unlock-key"
  ) || log "could not record the unlock key: read it with docker swarm unlock-key"

  log "autolock enabled; store the unlock key (docker swarm unlock-key) in the team's password manager"
fi
manager_token=$(docker swarm join-token -q manager)
worker_token=$(docker swarm join-token -q worker)
cat <<TXT
On managers 2 and 3:  tools/swarm/join.sh manager $manager_token $addr
On workers 1-3:       tools/swarm/join.sh worker  $worker_token $addr
TXT
