#!/usr/bin/env bash
# Builds and pushes the images for the given apps, tagged by tools/image-tag for this branch, and writes the
# pushed digests (the only refs deploys use) to $GITHUB_OUTPUT as images=<json {app: repo@sha256:...}>.
#   build-images.sh <branch> <json list of apps> [all-in-one: true|false]
# Env: REGISTRY (host/namespace), GITHUB_SHA.
set -euo pipefail
branch=$1
apps_json=$2
all_in_one=${3:-false}
version=$(node -p "require('./package.json').version")
sha=${GITHUB_SHA:?}
refs='{}'

build() {
  local target=$1 tags_json=$2 feature=$3 args=() meta
  meta=$(mktemp)
  for t in $(node -e 'for (const t of JSON.parse(process.argv[1])) console.log(t)' "$tags_json"); do args+=(-t "$t"); done
  docker buildx build --target "$target" --push --provenance=false \
    --build-arg VERSION="$version" --build-arg GIT_SHA="$sha" --build-arg FEATURE="$feature" \
    --metadata-file "$meta" "${args[@]}" .
  node -e 'const m = require(process.argv[1]); console.log(m["containerimage.digest"])' "$meta"
}

for app in $(node -e 'for (const a of JSON.parse(process.argv[1])) console.log(a)' "$apps_json"); do
  tags=$(node dist/tools/image-tag/main.js tags --app "$app" --branch "$branch" --version "$version" --sha "$sha" --registry "$REGISTRY")
  kind=$(node -e 'console.log(JSON.parse(process.argv[1]).kind)' "$tags")
  feature=main
  [ "$kind" = feature ] && feature=$branch
  digest=$(build "$app" "$(node -e 'console.log(JSON.stringify(JSON.parse(process.argv[1]).tags))' "$tags")" "$feature")
  refs=$(node -e 'const r = JSON.parse(process.argv[1]); r[process.argv[2]] = process.argv[3] + "/feed-" + process.argv[2] + "@" + process.argv[4]; console.log(JSON.stringify(r))' "$refs" "$app" "$REGISTRY" "$digest")
done

if [ "$all_in_one" = true ]; then
  tags=$(node dist/tools/image-tag/main.js tags --app api --branch "$branch" --version "$version" --sha "$sha" --registry "$REGISTRY")
  digest=$(build feed "$(node -e 'console.log(JSON.stringify(JSON.parse(process.argv[1]).allInOne))' "$tags")" "$branch")
  refs=$(node -e 'const r = JSON.parse(process.argv[1]); r.feed = process.argv[2] + "/feed@" + process.argv[3]; console.log(JSON.stringify(r))' "$refs" "$REGISTRY" "$digest")
fi
echo "images=$refs" >>"${GITHUB_OUTPUT:-/dev/stdout}"
echo "$refs"
