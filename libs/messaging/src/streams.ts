import { DiscardPolicy, RetentionPolicy, StorageType, type StreamConfig } from '@nats-io/jetstream';
import { leaseBucket, streamName, Subjects } from './subjects';

/**
 * The JetStream streams, with their retention stated (decision 4). Sizing, from the measured peak in
 * ARCHITECTURE.md ("Streams and retention"): six venues at a combined burst of ~3,000 raw frames/s and
 * ~3,000 normalized events/s, ~450 bytes per stored message with headers:
 *   RAW  24 h  -> ~1.3 MB/s at burst, ~15 GB/day at a sustained burst (typical days are a tenth): cap 20 GiB.
 *   MD   7 d   -> the replay horizon for every Redis projection; typical ~2-4 GB/day: cap 50 GiB.
 *   DLQ  14 d  -> poison is rare; cap 1 GiB.
 * All discard the oldest data when full (never refuse new data: the feed must keep flowing), file storage.
 */
export interface StreamSettings {
  prefix: string;
  /** JetStream duplicate window for Nats-Msg-Id dedupe. Feed does NOT rely on it for correctness (decision 2). */
  duplicateWindowMs: number;
  replicas: number;
  rawMaxAgeMs: number;
  rawMaxBytes: number;
  mdMaxAgeMs: number;
  mdMaxBytes: number;
  dlqMaxAgeMs: number;
  dlqMaxBytes: number;
  /** TTL of a leader lease (KV bucket max_age): how long a dead leader blocks its partition. */
  leaseTtlMs: number;
}

const HOUR = 3_600_000;
const GiB = 1024 ** 3;

export const DEFAULT_STREAM_SETTINGS: Omit<StreamSettings, 'prefix'> = {
  duplicateWindowMs: 2 * 60_000,
  replicas: 1,
  rawMaxAgeMs: 24 * HOUR,
  rawMaxBytes: 8 * GiB,
  mdMaxAgeMs: 7 * 24 * HOUR,
  mdMaxBytes: 16 * GiB,
  dlqMaxAgeMs: 14 * 24 * HOUR,
  dlqMaxBytes: 1 * GiB,
  leaseTtlMs: 3_000,
};

const ns = (ms: number): number => ms * 1_000_000;

export type StreamSpec = Pick<
  StreamConfig,
  'name' | 'subjects' | 'description' | 'retention' | 'storage' | 'discard' | 'max_age' | 'max_bytes' | 'max_msg_size' | 'duplicate_window' | 'num_replicas' | 'max_msgs' | 'max_msgs_per_subject'
>;

export function streamSpecs(s: StreamSettings): StreamSpec[] {
  const subj = new Subjects(s.prefix);
  const base = { retention: RetentionPolicy.Limits, storage: StorageType.File, discard: DiscardPolicy.Old, num_replicas: s.replicas, max_msgs: -1, max_msgs_per_subject: -1 };
  return [
    {
      ...base,
      name: streamName(s.prefix, 'RAW'),
      subjects: [subj.rawAll()],
      description: 'Venue frames exactly as received, with receive time; input of the normalizer',
      max_age: ns(s.rawMaxAgeMs),
      max_bytes: s.rawMaxBytes,
      max_msg_size: 1024 * 1024,
      duplicate_window: ns(s.duplicateWindowMs),
    },
    {
      ...base,
      name: streamName(s.prefix, 'MD'),
      // The v1 schema's subjects: the persister's filter is then the whole stream and its durable needs none
      // (durableFilter). A new schema version adds its subjects here.
      subjects: [subj.mdAll()],
      description: 'Normalized market-data events (the log every Redis projection is derived from)',
      max_age: ns(s.mdMaxAgeMs),
      max_bytes: s.mdMaxBytes,
      max_msg_size: 64 * 1024,
      duplicate_window: ns(s.duplicateWindowMs),
    },
    {
      ...base,
      name: streamName(s.prefix, 'DLQ'),
      subjects: [subj.dlqAll()],
      description: 'Poison input with the reason it was refused',
      max_age: ns(s.dlqMaxAgeMs),
      max_bytes: s.dlqMaxBytes,
      max_msg_size: 2 * 1024 * 1024,
      duplicate_window: ns(s.duplicateWindowMs),
    },
  ];
}

export function leaseBucketSpec(s: StreamSettings): { bucket: string; ttlMs: number; replicas: number } {
  return { bucket: leaseBucket(s.prefix), ttlMs: s.leaseTtlMs, replicas: s.replicas };
}
