#!/usr/bin/env bash
# Phase 3.2: deploy (or re-deploy) the stacks in dependency order and wait for each to converge.
#   tools/swarm/deploy.sh [nats|streams|redis|monitoring|feed|edge|all]
# The app images come from the environment and must be pinned (git-sha tag or digest):
#   INGEST_IMAGE NORMALIZER_IMAGE PERSISTER_IMAGE API_IMAGE STREAMS_IMAGE, plus REDIS_HOST (managed Redis).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
need docker node
require_manager
state_load
swarm_dir="$FEED_ROOT/deploy/swarm"
which=${1:-all}

check_ref() { node "$FEED_ROOT/dist/tools/image-tag/main.js" check-ref "$1" >/dev/null || die "$1 is not pinned by git sha or digest"; }

# Waits until every service of a stack runs its desired replicas (jobs: completed).
wait_stack() {
  local stack=$1 deadline=$((SECONDS + ${FEED_CONVERGE_TIMEOUT_S:-600})) pending
  while :; do
    pending=$(docker stack services "$stack" --format '{{.Name}} {{.Mode}} {{.Replicas}}' |
      awk '$2 !~ /job/ { split($3, r, "/"); if (r[1] != r[2]) print $1 " " $3 }')
    [ -z "$pending" ] && { log "$stack converged"; return 0; }
    [ "$SECONDS" -ge "$deadline" ] && die "$stack did not converge: $pending"
    sleep 5
  done
}

deploy() {
  local stack=$1
  shift
  log "deploying $stack"
  docker stack deploy --with-registry-auth --resolve-image always "$@" "$stack"
}

case "$which" in all|nats) deploy nats -c "$swarm_dir/nats.yml"; wait_stack nats ;; esac
case "$which" in all|streams)
  check_ref "${STREAMS_IMAGE:?}"
  docker stack rm streams >/dev/null 2>&1 || true   # a finished job is re-run by re-creating it
  deploy streams -c "$swarm_dir/streams-setup.yml" ;;
esac
case "$which" in all|redis) deploy redis -c "$swarm_dir/redis.yml"; wait_stack redis ;; esac
case "$which" in all|monitoring) deploy monitoring -c "$swarm_dir/monitoring.yml" -c "$FEED_STATE_DIR/monitoring-configs.yml"; wait_stack monitoring ;; esac
case "$which" in all|feed)
  for v in INGEST_IMAGE NORMALIZER_IMAGE PERSISTER_IMAGE API_IMAGE; do check_ref "${!v:?set $v}"; done
  deploy feed -c "$swarm_dir/feed.yml"; wait_stack feed ;;
esac
case "$which" in all|edge) deploy edge -c "$swarm_dir/edge.yml"; wait_stack edge ;; esac
