#!/usr/bin/env bash
# Points the docker CLI of this runner at the swarm manager over SSH (DOCKER_HOST=ssh://...), so the repo's own
# tools/swarm scripts run here against the cluster. Host, user, key and host key come from secrets.
# Env: SWARM_HOST, SWARM_USER, SWARM_SSH_KEY, SWARM_KNOWN_HOSTS, REGISTRY, REGISTRY_USER, REGISTRY_TOKEN.
set -euo pipefail
install -m 700 -d ~/.ssh
printf '%s\n' "${SWARM_SSH_KEY:?}" >~/.ssh/id_swarm
chmod 600 ~/.ssh/id_swarm
printf '%s\n' "${SWARM_KNOWN_HOSTS:?}" >~/.ssh/known_hosts
printf 'Host %s\n  User %s\n  IdentityFile ~/.ssh/id_swarm\n  IdentitiesOnly yes\n' "${SWARM_HOST:?}" "${SWARM_USER:?}" >~/.ssh/config
echo "DOCKER_HOST=ssh://${SWARM_USER}@${SWARM_HOST}" >>"${GITHUB_ENV:-/dev/null}"
# Logged in on this runner: --with-registry-auth forwards the credentials to the swarm nodes that pull.
printf '%s' "${REGISTRY_TOKEN:?}" | docker login "${REGISTRY%%/*}" -u "${REGISTRY_USER:?}" --password-stdin
