#!/usr/bin/env bash
# Updates each given app's swarm service(s) to its pinned image, in dependency order, one at a time; stops at the
# first failure (tools/swarm/update-service.sh has rolled that service back by then).
#   deploy-services.sh '{"api":"registry/feed-api@sha256:...","persister":"..."}'
set -euo pipefail
images=${1:?json of app -> image ref}
ref() { node -e 'const r = JSON.parse(process.argv[1])[process.argv[2]]; if (r) console.log(r)' "$images" "$1"; }

if [ -n "$(ref streams)" ]; then
  # Stream settings may have changed: re-run the idempotent setup job before the apps that depend on it.
  STREAMS_IMAGE=$(ref streams) bash tools/swarm/deploy.sh streams
fi
for app in persister normalizer ingest api; do
  r=$(ref "$app")
  [ -n "$r" ] || continue
  services=("feed_$app")
  # The snapshotter runs the persister image (the same projection code): it moves with the persisters, last.
  [ "$app" = persister ] && services+=(feed_persister-standby feed_snapshotter)
  for svc in "${services[@]}"; do
    bash tools/swarm/update-service.sh "$svc" "$r"
  done
done
