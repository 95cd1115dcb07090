import type { JetStreamManager, StreamConfig } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { MissingStreamError } from './errors';
import { leaseBucketSpec, streamSpecs, type StreamSettings, type StreamSpec } from './streams';

export interface Drift {
  stream: string;
  field: string;
  want: unknown;
  have: unknown;
  /** false when JetStream cannot change the field in place (e.g. storage): an operator must migrate. */
  fixable: boolean;
}

export interface SetupReport {
  created: string[];
  updated: string[];
  unchanged: string[];
  drift: Drift[];
}

/** Fields JetStream refuses to update on an existing stream. */
const IMMUTABLE = new Set(['storage', 'retention']);

function compare(spec: StreamSpec, have: StreamConfig): Drift[] {
  const out: Drift[] = [];
  for (const [k, want] of Object.entries(spec)) {
    const got = (have as unknown as Record<string, unknown>)[k];
    if (JSON.stringify(want) !== JSON.stringify(got)) out.push({ stream: spec.name, field: k, want, have: got, fixable: !IMMUTABLE.has(k) });
  }
  return out;
}

/**
 * Applies the stream specs idempotently: creates what is missing, updates fixable drift (when `fix`), and
 * reports every difference. Running it twice gives an all-unchanged report. Used by the local launcher, the
 * tests and the swarm setup job alike, so there is one definition of the log.
 */
export async function applyStreams(nc: NatsConnection, jsm: JetStreamManager, settings: StreamSettings, opts: { fix?: boolean } = {}): Promise<SetupReport> {
  const fix = opts.fix ?? true;
  const report: SetupReport = { created: [], updated: [], unchanged: [], drift: [] };
  for (const spec of streamSpecs(settings)) {
    let info;
    try {
      info = await jsm.streams.info(spec.name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      if (!fix) {
        report.drift.push({ stream: spec.name, field: '(stream)', want: 'present', have: 'missing', fixable: true });
        continue;
      }
      await jsm.streams.add(spec);
      report.created.push(spec.name);
      continue;
    }
    const drift = compare(spec, info.config);
    if (drift.length === 0) {
      report.unchanged.push(spec.name);
      continue;
    }
    report.drift.push(...drift);
    if (fix && drift.every((d) => d.fixable)) {
      await jsm.streams.update(spec.name, { ...info.config, ...spec } as StreamConfig);
      report.updated.push(spec.name);
    }
  }
  await applyLeaseBucket(nc, jsm, settings, fix, report);
  return report;
}

/**
 * The lease bucket is checked like a stream (reported as `KV_<bucket>`). Kvm.create alone would not do: on an
 * existing bucket it neither compares nor updates, so a changed lease TTL (the bucket's max_age, which the
 * normalizer reads as its lease lifetime) went unreported and unapplied, and `fix: false` never noticed a
 * missing bucket.
 */
async function applyLeaseBucket(nc: NatsConnection, jsm: JetStreamManager, settings: StreamSettings, fix: boolean, report: SetupReport): Promise<void> {
  const lease = leaseBucketSpec(settings);
  const name = `KV_${lease.bucket}`;
  let info;
  try {
    info = await jsm.streams.info(name);
  } catch (e) {
    if (!isNotFound(e)) throw e;
    if (!fix) {
      report.drift.push({ stream: name, field: '(stream)', want: 'present', have: 'missing', fixable: true });
      return;
    }
    await new Kvm(nc).create(lease.bucket, { ttl: lease.ttlMs, history: 1, replicas: lease.replicas });
    report.created.push(name);
    return;
  }
  const want: Record<string, number> = { max_age: lease.ttlMs * 1_000_000, max_msgs_per_subject: 1, num_replicas: lease.replicas };
  const have = info.config as unknown as Record<string, unknown>;
  const drift = Object.entries(want)
    .filter(([k, v]) => have[k] !== v)
    .map(([k, v]) => ({ stream: name, field: k, want: v, have: have[k], fixable: true }));
  if (drift.length === 0) {
    report.unchanged.push(name);
    return;
  }
  report.drift.push(...drift);
  if (fix) {
    await jsm.streams.update(name, { ...info.config, ...want } as StreamConfig);
    report.updated.push(name);
  }
}

/** Apps call this at start: they never create the log themselves, they refuse to run without it. */
export async function verifyStreams(jsm: JetStreamManager, names: string[]): Promise<void> {
  const missing: string[] = [];
  for (const n of names) {
    try {
      await jsm.streams.info(n);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      missing.push(n);
    }
  }
  if (missing.length > 0) throw new MissingStreamError(missing);
}

function isNotFound(e: unknown): boolean {
  const msg = e instanceof Error ? e.message : String(e);
  return /not found/i.test(msg) || (e as { code?: unknown })?.code === 404 || (e as { api_error?: { err_code?: number } })?.api_error?.err_code === 10059;
}
