import { readCommon, readHttp, readNats, type ConfigReader, type CommonConfig, type HttpConfig, type NatsConfig } from '@feed/config';
import { handoverDelayMs } from '@feed/messaging';
import type { VenueId } from '@feed/price-types';
import { REST_VENUES } from './repair/venues';

/** Gap detection and repair (docs/adding-a-venue.md, "Gaps"). */
export interface GapConfig {
  /** A hole still missing after this is declared (late frames and the other ingest replica get this long). */
  fillMs: number;
  /** A declared hole still missing after this is given up as unrepaired. */
  graceMs: number;
  maxOpen: number;
  maxTrackedIds: number;
  tickMs: number;
  repairInFlight: number;
  repairTimeoutMs: number;
  repairAttempts: number;
  repairRetryMs: number;
  /**
   * REST base URL per venue: `<VENUE>_REST_URL`, `off` disables repair for the venue. Without the variable the
   * venue's public URL is used for LIVE streams only: simulated streams are never repaired from a real venue host.
   */
  restUrls: Partial<Record<VenueId, { url: string; explicit: boolean }>>;
}

export interface NormalizerConfig {
  common: CommonConfig;
  nats: NatsConfig;
  http: HttpConfig;
  /** Durable consumer group; every normalizer of a deployment shares it. */
  group: string;
  batchSize: number;
  /** Batches whose PubAcks may be outstanding while the next is sent (pipelining). */
  pipeline: number;
  ackWaitMs: number;
  maxDeliver: number;
  maxAckPending: number;
  publishWindow: number;
  publishTimeoutMs: number;
  nakDelayMs: number;
  probeIntervalMs: number;
  /** Ids remembered per stream to drop venue resends before they reach the log. */
  recentIdsPerStream: number;
  /** Single active normalizer per partition (decision 5); off only for experiments. */
  useLease: boolean;
  takeoverDelayMs: number;
  gaps: GapConfig;
}

function readGaps(r: ConfigReader): GapConfig {
  const restUrls: GapConfig['restUrls'] = {};
  for (const [venue, rest] of Object.entries(REST_VENUES) as [VenueId, NonNullable<(typeof REST_VENUES)[VenueId]>][]) {
    const name = `${venue.toUpperCase()}_REST_URL`;
    const v = r.optionalString(name);
    if (v === 'off') continue;
    if (v !== undefined && !/^https?:\/\/[^\s]+$/.test(v)) r.problem(`${name}=${JSON.stringify(v)} is not an http(s) URL (or "off")`);
    restUrls[venue] = { url: v ?? rest.defaultBaseUrl, explicit: v !== undefined };
  }
  return {
    fillMs: r.int('GAP_FILL_MS', { default: 2_000, min: 0, max: 600_000 }),
    graceMs: r.int('GAP_GRACE_MS', { default: 30_000, min: 1, max: 3_600_000 }),
    maxOpen: r.int('GAP_MAX_OPEN', { default: 100, min: 1, max: 10_000 }),
    maxTrackedIds: r.int('GAP_MAX_TRACKED_IDS', { default: 10_000, min: 1, max: 1_000_000 }),
    tickMs: r.int('GAP_TICK_MS', { default: 250, min: 10, max: 60_000 }),
    repairInFlight: r.int('GAP_REPAIR_IN_FLIGHT', { default: 2, min: 1, max: 32 }),
    repairTimeoutMs: r.int('GAP_REPAIR_TIMEOUT_MS', { default: 5_000, min: 100, max: 60_000 }),
    repairAttempts: r.int('GAP_REPAIR_ATTEMPTS', { default: 3, min: 1, max: 20 }),
    repairRetryMs: r.int('GAP_REPAIR_RETRY_MS', { default: 1_000, min: 1, max: 600_000 }),
    restUrls,
  };
}

export function readConfig(r: ConfigReader): NormalizerConfig {
  const common = readCommon(r);
  const ackWaitMs = r.int('NORMALIZER_ACK_WAIT_MS', { default: 5_000, min: 200, max: 300_000 });
  const cfg: NormalizerConfig = {
    common,
    nats: readNats(r, `normalizer-${common.instanceId}`),
    http: readHttp(r, 8082),
    group: r.string('NORMALIZER_GROUP', { default: 'main' }),
    batchSize: r.int('NORMALIZER_BATCH', { default: 500, min: 1, max: 5_000 }),
    pipeline: r.int('NORMALIZER_PIPELINE', { default: 4, min: 1, max: 64 }),
    ackWaitMs,
    maxDeliver: r.int('NORMALIZER_MAX_DELIVER', { default: -1, min: -1, max: 1_000 }),
    maxAckPending: r.int('NORMALIZER_MAX_ACK_PENDING', { default: 2_000, min: 1, max: 100_000 }),
    publishWindow: r.int('NORMALIZER_PUBLISH_WINDOW', { default: 1_000, min: 1, max: 20_000 }),
    publishTimeoutMs: r.int('NORMALIZER_PUBLISH_TIMEOUT_MS', { default: 5_000, min: 100, max: 60_000 }),
    nakDelayMs: r.int('NORMALIZER_NAK_DELAY_MS', { default: 1_000, min: 0, max: 60_000 }),
    probeIntervalMs: r.int('NORMALIZER_PROBE_INTERVAL_MS', { default: 500, min: 10, max: 60_000 }),
    recentIdsPerStream: r.int('NORMALIZER_RECENT_IDS', { default: 100_000, min: 0, max: 10_000_000 }),
    useLease: r.bool('NORMALIZER_LEASE', { default: true }),
    takeoverDelayMs: r.int('NORMALIZER_TAKEOVER_DELAY_MS', { default: handoverDelayMs(ackWaitMs), min: 0, max: 600_000 }),
    gaps: readGaps(r),
  };
  if (cfg.maxAckPending < cfg.batchSize) r.problem('NORMALIZER_MAX_ACK_PENDING must be >= NORMALIZER_BATCH');
  r.done();
  return cfg;
}
