#!/usr/bin/env bash
# Scaffolds one Nx project (project.json, tsconfig.json, jest.config.js) the way every project here is laid out.
# Usage: tools/scripts/new-project.sh <dir> <name> <type: app|lib|testing|tool|e2e> [build]
set -euo pipefail
dir=$1 name=$2 type=$3 build=${4:-}
mkdir -p "$dir/src"
case "$type" in app|tool) ptype=application ;; *) ptype=library ;; esac
depth=$(echo "$dir" | awk -F/ '{print NF}')
up=$(printf '../%.0s' $(seq 1 "$depth"))
buildTarget=""
if [ -n "$build" ]; then
  buildTarget=$(cat <<JSON
    "build": {
      "executor": "nx:run-commands",
      "outputs": ["{workspaceRoot}/dist/$dir"],
      "options": { "command": "node tools/build/esbuild.mjs $dir/src/main.ts dist/$dir/main.js" }
    },
JSON
)
fi
cat > "$dir/project.json" <<JSON
{
  "name": "$name",
  "\$schema": "${up}node_modules/nx/schemas/project-schema.json",
  "sourceRoot": "$dir/src",
  "projectType": "$ptype",
  "tags": ["type:$type"],
  "targets": {
$buildTarget
    "typecheck": {
      "executor": "nx:run-commands",
      "options": { "command": "tsc -p $dir/tsconfig.json --noEmit" }
    },
    "lint": {
      "executor": "nx:run-commands",
      "options": { "command": "eslint $dir" }
    },
    "test": {
      "executor": "nx:run-commands",
      "options": { "command": "node tools/scripts/jest.mjs $dir $name" }
    }
  }
}
JSON
cat > "$dir/tsconfig.json" <<JSON
{
  "extends": "${up}tsconfig.base.json",
  "include": ["src/**/*.ts"]
}
JSON
cat > "$dir/jest.config.js" <<JS
module.exports = {
  ...require('${up}jest.preset.js'),
  displayName: '$name',
  rootDir: __dirname,
};
JS
