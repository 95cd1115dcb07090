#!/usr/bin/env bash
# Phase 3: config objects whose names carry their content hash (configs are immutable: new content = new name,
# which rolls the services using it). The monitoring stack's many rule/dashboard files get a generated override.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
need docker node
require_manager

ensure_config() {
  local name=$1 file=$2
  if docker config inspect "$name" >/dev/null 2>&1; then
    log "config $name exists"
  else
    docker config create --label feed=1 "$name" "$file" >/dev/null
    log "created config $name"
  fi
}

conf="$FEED_ROOT/deploy/nats/nats-cluster.conf"
nats_name="feed_nats_conf_$(content_hash "$conf")"
ensure_config "$nats_name" "$conf"
state_set FEED_NATS_CONF "$nats_name"
state_set EDGE_CONFIG_VERSION "$(content_hash "$FEED_ROOT/deploy/edge/haproxy.cfg")"

mkdir -p "$FEED_STATE_DIR"
# The redis job's targets: the managed primary (its host is deploy-time configuration) and the standby.
redis_targets="$FEED_STATE_DIR/redis.json"
node "$FEED_ROOT/dist/tools/swarm/main.js" redis-targets --host "${REDIS_HOST:?set REDIS_HOST to the managed Redis host}" --port "${REDIS_PORT:-25061}" >"$redis_targets"
node "$FEED_ROOT/dist/tools/swarm/main.js" monitoring-configs --dir "$FEED_ROOT/deploy/monitoring" --redis-targets "$redis_targets" >"$FEED_STATE_DIR/monitoring-configs.yml"
mon_hash=$(cat "$FEED_ROOT"/deploy/monitoring/prometheus/prometheus.yml "$FEED_ROOT"/deploy/monitoring/grafana/provisioning/*/*.yml 2>/dev/null | sha256sum | cut -c1-10)
state_set MONITORING_CONFIG_VERSION "$mon_hash"
log "monitoring override: $FEED_STATE_DIR/monitoring-configs.yml"
