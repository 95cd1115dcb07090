#!/usr/bin/env bash
# `npm start`: the whole feed on this machine. Installs npm dependencies if needed, builds every app and tool,
# then runs the launcher (NATS and Redis as child processes, streams set up, the four apps, the simulator when no
# venue is reachable). Ctrl-C stops everything. Extra arguments go to the launcher (e.g. --simulate).
set -euo pipefail
cd "$(dirname "$0")/../.."
for bin in nats-server redis-server; do
  if ! command -v "$bin" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$bin" ] && [ ! -x "/usr/bin/$bin" ]; then
    echo "feed: $bin is not installed. On Debian/Ubuntu: sudo apt-get install -y nats-server redis-server" >&2
    exit 1
  fi
done
bash tools/scripts/ensure-deps.sh
node tools/scripts/nx.mjs run-many -t build --outputStyle=static >/dev/null
exec node --enable-source-maps dist/tools/stack/main.js "$@"
