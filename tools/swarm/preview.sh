#!/usr/bin/env bash
# Deploy or remove a feature preview stack (deploy/swarm/preview.yml) named after the branch.
#   tools/swarm/preview.sh up   <branch> <all-in-one image ref (git-sha tag or digest)>
#   tools/swarm/preview.sh down <branch>
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
need docker node
require_manager
action=${1:?usage: preview.sh up|down <branch> [image]}
branch=${2:?branch}
slug=$(printf '%s' "$branch" | tr '[:upper:]' '[:lower:]' | sed -E 's/[^a-z0-9]+/-/g; s/^-+//; s/-+$//' | cut -c1-24)
[ -n "$slug" ] || die "branch $branch gives an empty name"
stack="preview-$slug"
case "$action" in
  up)
    ref=${3:?image ref}
    node "$FEED_ROOT/dist/tools/image-tag/main.js" check-ref "$ref" >/dev/null || die "$ref is a movable reference"
    PREVIEW_IMAGE=$ref PREVIEW_PREFIX="pv-$slug" docker stack deploy --with-registry-auth -c "$FEED_ROOT/deploy/swarm/preview.yml" "$stack"
    log "preview $stack deployed from $ref (prefix pv-$slug)"
    ;;
  down)
    docker stack rm "$stack" >/dev/null 2>&1 || true
    log "preview $stack removed"
    ;;
  *) die "action must be up or down" ;;
esac
