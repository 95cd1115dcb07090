import type { ConfigReader } from '@feed/config';
import { DEFAULT_STREAM_SETTINGS, type StreamSettings } from '@feed/messaging';

/** The stream settings from the environment (see main.ts for the variables), defaults from @feed/messaging. */
export function readSettings(r: ConfigReader, prefix: string): StreamSettings {
  const d = DEFAULT_STREAM_SETTINGS;
  return {
    prefix,
    replicas: r.int('STREAM_REPLICAS', { default: d.replicas, min: 1, max: 5 }),
    duplicateWindowMs: r.int('DUPLICATE_WINDOW_MS', { default: d.duplicateWindowMs, min: 100 }),
    rawMaxAgeMs: r.int('RAW_MAX_AGE_MS', { default: d.rawMaxAgeMs, min: 1_000 }),
    rawMaxBytes: r.int('RAW_MAX_BYTES', { default: d.rawMaxBytes, min: 1_048_576 }),
    mdMaxAgeMs: r.int('MD_MAX_AGE_MS', { default: d.mdMaxAgeMs, min: 1_000 }),
    mdMaxBytes: r.int('MD_MAX_BYTES', { default: d.mdMaxBytes, min: 1_048_576 }),
    dlqMaxAgeMs: r.int('DLQ_MAX_AGE_MS', { default: d.dlqMaxAgeMs, min: 1_000 }),
    dlqMaxBytes: r.int('DLQ_MAX_BYTES', { default: d.dlqMaxBytes, min: 1_048_576 }),
    leaseTtlMs: r.int('LEASE_TTL_MS', { default: d.leaseTtlMs, min: 100 }),
  };
}
