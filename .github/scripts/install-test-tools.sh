#!/usr/bin/env bash
# The Debian/Ubuntu packages the test suite runs for real (servers, checkers); the same list .ci/run installs.
set -euo pipefail
sudo apt-get update -qq
sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  nats-server redis-server redis-sentinel prometheus prometheus-redis-exporter shellcheck haproxy >/dev/null
# GitHub's runners ship the docker CLI (with `docker stack config`); fail early if that ever changes.
docker stack config --help >/dev/null
