#!/usr/bin/env bash
# Phase 3.1: Docker secrets. Generates a random password per NATS user when it has none yet (kept in the
# git-ignored state dir, mode 600), takes the managed Redis password and the TLS certificate from files the
# operator provides, renders the NATS accounts file from tools/swarm/src/nats-auth.ts, and creates every secret
# that does not exist. Rotation: docs/runbook.md ("Rotating secrets").
#   FEED_REDIS_PASSWORD_FILE   managed Redis password (from the DigitalOcean control panel)
#   REDIS_HOST, REDIS_PORT     managed Redis host and port (25061), the exporter's password map is keyed by them
#   FEED_TLS_PEM_FILE          fullchain + key PEM for the self-hosted edge (optional with the DO load balancer)
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
need docker openssl node
require_manager

pw_dir="$FEED_STATE_DIR/passwords"
mkdir -p "$pw_dir"
chmod 700 "$FEED_STATE_DIR" "$pw_dir"

ensure_password() {
  local f="$pw_dir/$1"
  if [ ! -s "$f" ]; then
    (umask 077 && openssl rand -base64 32 | tr -d '\n/+=' >"$f")
    log "generated a password for $1"
  fi
}

ensure_secret() {
  local name=$1 file=$2
  if docker secret inspect "$name" >/dev/null 2>&1; then
    log "secret $name exists"
  else
    docker secret create --label feed=1 "$name" "$file" >/dev/null
    log "created secret $name"
  fi
}

for u in ingest normalizer persister api streams snapshotter preview; do
  ensure_password "$u"
  ensure_secret "feed_nats_${u}_password" "$pw_dir/$u"
done
ensure_password redis_standby
ensure_secret feed_redis_standby_password "$pw_dir/redis_standby"
ensure_password redis_snapshot
ensure_secret feed_redis_snapshot_password "$pw_dir/redis_snapshot"
ensure_password grafana_admin
ensure_secret feed_grafana_admin_password "$pw_dir/grafana_admin"
ensure_secret feed_redis_password "${FEED_REDIS_PASSWORD_FILE:?set FEED_REDIS_PASSWORD_FILE to the managed Redis password file}"

# The NATS accounts file: versioned by content, so a password change creates a new secret the nats stack rolls to.
auth="$FEED_STATE_DIR/nats-auth.conf"
(umask 077 && node "$FEED_ROOT/dist/tools/swarm/main.js" nats-auth --prefix "${FEED_PREFIX:-feed}" --passwords-dir "$pw_dir" >"$auth")
auth_name="feed_nats_auth_$(content_hash "$auth")"
ensure_secret "$auth_name" "$auth"
state_set FEED_NATS_AUTH "$auth_name"

# redis_exporter's password map (target URI -> password), keyed by the targets configs.sh gives Prometheus.
exporter="$FEED_STATE_DIR/redis-exporter-passwords.json"
(umask 077 && node "$FEED_ROOT/dist/tools/swarm/main.js" redis-password-map \
  --host "${REDIS_HOST:?set REDIS_HOST to the managed Redis host}" --port "${REDIS_PORT:-25061}" \
  --primary-password-file "$FEED_REDIS_PASSWORD_FILE" --standby-password-file "$pw_dir/redis_standby" >"$exporter")
exporter_name="feed_redis_exporter_passwords_$(content_hash "$exporter")"
ensure_secret "$exporter_name" "$exporter"
state_set FEED_REDIS_EXPORTER_PASSWORDS "$exporter_name"

if [ -n "${FEED_TLS_PEM_FILE:-}" ]; then
  tls_name="feed_tls_pem_$(content_hash "$FEED_TLS_PEM_FILE")"
  ensure_secret "$tls_name" "$FEED_TLS_PEM_FILE"
  state_set FEED_TLS_SECRET "$tls_name"
fi
