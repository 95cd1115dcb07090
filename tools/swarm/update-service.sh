#!/usr/bin/env bash
# Rolling update of ONE app's service to an immutable image (git-sha tag or digest), waiting for convergence.
# The service's update_config does the rest: start-first, one task at a time, monitor, failure_action rollback.
# If the update did not complete (rolled back, paused, or timed out), this rolls back explicitly and exits 1.
#   tools/swarm/update-service.sh <stack_service, e.g. feed_api> <image ref>
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
need docker node
require_manager
svc=${1:?usage: update-service.sh <service> <image ref>}
ref=${2:?image ref}
node "$FEED_ROOT/dist/tools/image-tag/main.js" check-ref "$ref" >/dev/null || die "$ref is a movable reference"
docker service inspect "$svc" >/dev/null 2>&1 || die "no service $svc"

current=$(docker service inspect "$svc" --format '{{.Spec.TaskTemplate.ContainerSpec.Image}}')
if [ "${current%@sha256:*}" = "${ref%@sha256:*}" ] || [ "$current" = "$ref" ]; then
  log "$svc already runs $ref"
  exit 0
fi
log "$svc: $current -> $ref"
# --detach=false blocks until the update converges or fails (and the swarm rolls it back).
if ! timeout "${FEED_UPDATE_TIMEOUT_S:-900}" docker service update --with-registry-auth --detach=false --image "$ref" "$svc"; then
  log "update of $svc failed"
fi
state=$(docker service inspect "$svc" --format '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{else}}completed{{end}}')
if [ "$state" != completed ]; then
  log "$svc update state: $state; rolling back"
  case "$state" in rollback_completed) ;; *) docker service rollback --detach=false "$svc" || true ;; esac
  exit 1
fi
log "$svc converged on $ref"
