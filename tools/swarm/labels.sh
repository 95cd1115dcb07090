#!/usr/bin/env bash
# Phase 2: node labels that place the stateful services (run on a manager; re-running is harmless).
#   FEED_NATS_NODES="mgr-1 mgr-2 mgr-3"   one NATS node per manager (feed.nats=1..3)
#   FEED_EDGE_NODES="wkr-1 wkr-2 wkr-3"   haproxy edge (feed.edge=true)
#   FEED_MONITORING_NODE=mgr-1            Prometheus, Grafana, Jaeger (feed.monitoring=true)
#   FEED_REDIS_STANDBY_NODE=wkr-3         standby Redis and its volume (feed.redis-standby=true)
#   FEED_SNAPSHOT_NODE=wkr-2              the snapshotter, its Redis and the snapshot volume (feed.snapshots=true)
#   FEED_ZONES="wkr-1=a wkr-2=b wkr-3=c"  failure domains for spread placement (feed.zone)
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
need docker
require_manager

label() {
  local node=$1 kv=$2
  if [ "$(docker node inspect "$node" --format "{{ index .Spec.Labels \"${kv%%=*}\" }}")" = "${kv#*=}" ]; then
    log "$node already has $kv"
  else
    docker node update --label-add "$kv" "$node" >/dev/null
    log "$node: $kv"
  fi
}

i=0
for n in ${FEED_NATS_NODES:?set FEED_NATS_NODES to three node names}; do
  i=$((i + 1))
  label "$n" "feed.nats=$i"
done
[ "$i" -eq 3 ] || die "FEED_NATS_NODES must name exactly three nodes (got $i)"
for n in ${FEED_EDGE_NODES:?set FEED_EDGE_NODES}; do label "$n" feed.edge=true; done
label "${FEED_MONITORING_NODE:?set FEED_MONITORING_NODE}" feed.monitoring=true
label "${FEED_REDIS_STANDBY_NODE:?set FEED_REDIS_STANDBY_NODE}" feed.redis-standby=true
label "${FEED_SNAPSHOT_NODE:?set FEED_SNAPSHOT_NODE}" feed.snapshots=true
for pair in ${FEED_ZONES:-}; do label "${pair%%=*}" "feed.zone=${pair#*=}"; done
