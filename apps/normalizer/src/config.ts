import { readCommon, readHttp, readNats, type ConfigReader, type CommonConfig, type HttpConfig, type NatsConfig } from '@feed/config';
import { handoverDelayMs } from '@feed/messaging';

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
  };
  if (cfg.maxAckPending < cfg.batchSize) r.problem('NORMALIZER_MAX_ACK_PENDING must be >= NORMALIZER_BATCH');
  r.done();
  return cfg;
}
