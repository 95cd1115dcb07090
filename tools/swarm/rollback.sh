#!/usr/bin/env bash
# Roll one service back: to its previous spec (no ref), or to a given immutable image ref (a git-sha tag or digest
# from the release history), the same way as an update.
#   tools/swarm/rollback.sh <service> [image ref]
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
need docker
require_manager
svc=${1:?usage: rollback.sh <service> [image ref]}
if [ -n "${2:-}" ]; then
  exec "$(dirname "$0")/update-service.sh" "$svc" "$2"
fi
docker service rollback --detach=false "$svc"
log "$svc rolled back to $(docker service inspect "$svc" --format '{{.Spec.TaskTemplate.ContainerSpec.Image}}')"
