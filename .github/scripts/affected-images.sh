#!/usr/bin/env bash
# Which images this push must rebuild: Nx's affected apps between two commits, plus all of them when a file every
# image is built from changed (tools/image-tag `affected`). Writes apps=<json list> to $GITHUB_OUTPUT.
#   affected-images.sh <base sha> <head sha>
set -euo pipefail
base=$1
head=$2
# A new branch or a force push has no usable base: rebuild everything.
if [ -z "$base" ] || [ "$base" = 0000000000000000000000000000000000000000 ] || ! git cat-file -e "$base^{commit}" 2>/dev/null; then
  apps='["ingest","normalizer","persister","api","streams"]'
else
  projects=$(node tools/scripts/nx.mjs show projects --affected --base="$base" --head="$head" --type=app | tr '\n' ',')
  changed=$(mktemp)
  git diff --name-only "$base" "$head" >"$changed"
  apps=$(node dist/tools/image-tag/main.js affected --projects "${projects:-none}" --files "$changed")
fi
echo "apps=$apps" >>"${GITHUB_OUTPUT:-/dev/stdout}"
echo "affected images: $apps"
