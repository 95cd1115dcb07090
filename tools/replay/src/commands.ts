import type { KeyFamily, Keys } from '@feed/keys';
import { lastFilteredSeq, replayLog, type BatchApplier, type ReplayLogResult } from '@feed/projections';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { Redis } from 'ioredis';
import { clearProjections, listSnapshots, pruneSnapshots, restoreSnapshot, writeSnapshot, SnapshotError } from './snapshot-file';

export interface ReplayDeps {
  js: JetStreamClient;
  jsm: JetStreamManager;
  redis: Redis;
  stream: string;
  filter: string;
  keys: Keys;
  families: KeyFamily[];
  /** Builds the applier for a checkpoint group (the same projection code as the persister, publish off). */
  applier: (group: string) => BatchApplier;
  batchSize: number;
  inFlight: number;
  out: (line: Record<string, unknown>) => void;
}

function rate(r: ReplayLogResult): number {
  return r.ms > 0 ? Math.round((r.events * 1000) / r.ms) : r.events;
}

function tailLine(r: ReplayLogResult) {
  return { fromSeq: r.fromSeq, lastSeq: r.lastSeq, events: r.events, applied: r.applied, poison: r.poison, ms: r.ms, eventsPerSecond: rate(r) };
}

/** Rebuild from the start of the log; `clear` first deletes the registered families (a rebuild of a live Redis). */
export async function rebuild(d: ReplayDeps, o: { group: string; clear: boolean }): Promise<void> {
  const cleared = o.clear ? await clearProjections(d.redis, d.families) : 0;
  const r = await replayLog({ js: d.js, jsm: d.jsm, stream: d.stream, filter: d.filter, applier: d.applier(o.group), batchSize: d.batchSize, inFlight: d.inFlight });
  const cpu = process.cpuUsage();
  // CPU time of this process: with the wall time it tells a slow machine from a slow replay.
  d.out({ msg: 'replay complete', stream: d.stream, group: o.group, cleared, ...tailLine(r), cpuMs: Math.round((cpu.user + cpu.system) / 1000) });
}

/** Restore = the newest snapshot (or `file`) + a replay of the tail after its sequence. */
export async function restore(d: ReplayDeps, o: { group: string; dir?: string; file?: string }): Promise<void> {
  const file = o.file ?? (await listSnapshots(o.dir ?? '')).at(-1)?.file;
  if (!file) throw new SnapshotError(`no snapshot in ${o.dir ?? '(no --dir)'}`);
  const t0 = Date.now();
  const { header, keys } = await restoreSnapshot(d.redis, d.families, d.keys, file, o.group);
  if (header.stream !== d.stream) throw new SnapshotError(`${file} covers stream ${header.stream}, not ${d.stream}`);
  const restoreMs = Date.now() - t0;
  const r = await replayLog({ js: d.js, jsm: d.jsm, stream: d.stream, filter: d.filter, applier: d.applier(o.group), batchSize: d.batchSize, inFlight: d.inFlight, fromSeq: header.seq + 1 });
  d.out({ msg: 'restore complete', stream: d.stream, group: o.group, file, snapshotSeq: header.seq, keys, restoreMs, tail: tailLine(r) });
}

const SNAPSHOT_GROUP = 'snapshot';

/**
 * The snapshot Redis holds another group's checkpoint: a persister writes it, so its state is not the projection of
 * the log up to one sequence. A configuration error that no retry fixes, so the periodic loop stops on it.
 */
export class NotDedicatedRedisError extends Error {
  override readonly name = 'NotDedicatedRedisError';
  readonly code = 'SNAPSHOT_REDIS_NOT_DEDICATED';
}

export interface SnapshotRoundResult {
  /** The MD sequence the snapshot Redis (and the newest file) covers. */
  seq: number;
  /** False when the newest file already covered `seq` ('snapshot unchanged'). */
  written: boolean;
}

/**
 * One snapshot round on a DEDICATED scratch Redis that only this command writes: bring it up to the log's current
 * end (from its own checkpoint, or from the newest snapshot file, or from the start), then write its state as a
 * snapshot stamped with the sequence it covers, and keep the newest `keep` files.
 */
export async function snapshotRound(d: ReplayDeps, o: { dir: string; keep: number }): Promise<SnapshotRoundResult> {
  const foreign = (await d.redis.keys(d.keys.checkpoint('*'))).filter((k) => k !== d.keys.checkpoint(SNAPSHOT_GROUP));
  if (foreign.length > 0) throw new NotDedicatedRedisError(`the snapshot Redis holds ${foreign.join(', ')}: a persister group writes it; snapshots need a dedicated scratch Redis`);
  let covered = Number((await d.redis.hget(d.keys.checkpoint(SNAPSHOT_GROUP), 'seq')) ?? 0);
  const newest = (await listSnapshots(o.dir)).at(-1);
  if (covered === 0 && newest) {
    await restoreSnapshot(d.redis, d.families, d.keys, newest.file, SNAPSHOT_GROUP);
    covered = newest.seq;
  } else if (covered === 0) {
    await clearProjections(d.redis, d.families);
  }
  const last = await lastFilteredSeq(d.jsm, d.stream, d.filter);
  const r = await replayLog({ js: d.js, jsm: d.jsm, stream: d.stream, filter: d.filter, applier: d.applier(SNAPSHOT_GROUP), batchSize: d.batchSize, inFlight: d.inFlight, fromSeq: covered + 1, toSeq: last });
  // Every message up to `last` is applied now (poison ones skipped, as the persisters dead-lettered them).
  covered = Math.max(covered, last);
  await d.redis.hset(d.keys.checkpoint(SNAPSHOT_GROUP), 'seq', String(covered));
  if (newest && newest.seq >= covered) {
    d.out({ msg: 'snapshot unchanged', seq: covered, file: newest.file });
    return { seq: covered, written: false };
  }
  const w = await writeSnapshot(d.redis, d.families, o.dir, { stream: d.stream, seq: covered, keyPrefix: d.keys.prefix });
  const pruned = await pruneSnapshots(o.dir, o.keep);
  d.out({ msg: 'snapshot written', stream: d.stream, seq: covered, file: w.file, keys: w.keys, bytes: w.bytes, pruned, tail: tailLine(r) });
  return { seq: covered, written: true };
}
