import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import { familyOf, UnregisteredKeyError, type KeyFamily, type Keys } from '@feed/keys';
import type { Redis } from 'ioredis';

/**
 * Projection snapshots: every registered key of a Redis that only the snapshotter writes (so the state is exactly
 * the projection of the log up to `seq`), as Redis DUMP payloads with their remaining TTL, in one gzipped NDJSON
 * file named by the stream sequence it covers. Checkpoints are not stored: a restore writes the restoring group's
 * checkpoint from `seq`. Files are written to a temporary name and renamed, so a reader never sees half a file;
 * the last line counts the keys, so a truncated file is refused.
 */
export interface SnapshotHeader {
  v: 1;
  kind: 'feed-projection-snapshot';
  stream: string;
  /** Highest MD stream sequence the state covers (every event up to it is applied). */
  seq: number;
  keyPrefix: string;
  createdAt: string;
}

export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
  readonly code = 'SNAPSHOT_INVALID';
}

const NAME_RE = /^snapshot-(\d{12})\.ndjson\.gz$/;
const CHUNK = 500;

export function snapshotName(seq: number): string {
  return `snapshot-${String(seq).padStart(12, '0')}.ndjson.gz`;
}

/** Snapshot files in `dir`, oldest first. */
export async function listSnapshots(dir: string): Promise<Array<{ file: string; seq: number }>> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return names
    .map((n) => ({ n, m: NAME_RE.exec(n) }))
    .filter((x): x is { n: string; m: RegExpExecArray } => x.m !== null)
    .map(({ n, m }) => ({ file: path.join(dir, n), seq: Number(m[1]) }))
    .sort((a, b) => a.seq - b.seq);
}

/** Keeps the newest `keep` snapshots; returns the files removed. */
export async function pruneSnapshots(dir: string, keep: number): Promise<string[]> {
  const all = await listSnapshots(dir);
  const gone = all.slice(0, Math.max(0, all.length - keep)).map((s) => s.file);
  for (const f of gone) await rm(f, { force: true });
  return gone;
}

/** All keys, each checked against the registry (an unregistered key fails, as dumps do). */
async function registeredKeys(redis: Redis, families: KeyFamily[]): Promise<Array<{ key: string; family: KeyFamily }>> {
  const out: Array<{ key: string; family: KeyFamily }> = [];
  const unregistered: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const key of batch) {
      const family = familyOf(key, families);
      if (family) out.push({ key, family });
      else unregistered.push(key);
    }
  } while (cursor !== '0');
  if (unregistered.length > 0) throw new UnregisteredKeyError(unregistered);
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Writes a snapshot of `redis` (which nothing else may be writing) covering `seq`. */
export async function writeSnapshot(redis: Redis, families: KeyFamily[], dir: string, h: Omit<SnapshotHeader, 'v' | 'kind' | 'createdAt'>): Promise<{ file: string; keys: number; bytes: number }> {
  await mkdir(dir, { recursive: true });
  const keys = (await registeredKeys(redis, families)).filter((k) => k.family.name !== 'checkpoint');
  const file = path.join(dir, snapshotName(h.seq));
  // pid alone is not unique across containers (every task's node is pid 1): a random part too.
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const header: SnapshotHeader = { v: 1, kind: 'feed-projection-snapshot', ...h, createdAt: new Date().toISOString() };
  async function* lines(): AsyncGenerator<string> {
    yield `${JSON.stringify(header)}\n`;
    for (let i = 0; i < keys.length; i += CHUNK) {
      const chunk = keys.slice(i, i + CHUNK);
      const p = redis.pipeline();
      for (const { key } of chunk) {
        p.dumpBuffer(key);
        p.pttl(key);
      }
      const res = (await p.exec()) ?? [];
      let out = '';
      chunk.forEach(({ key }, j) => {
        const [e1, dump] = res[2 * j] ?? [new Error('no reply'), null];
        const [e2, ttl] = res[2 * j + 1] ?? [new Error('no reply'), null];
        if (e1 || e2) throw e1 ?? e2;
        if (dump === null) return; // expired between SCAN and DUMP
        out += `${JSON.stringify({ k: key, t: Number(ttl), d: (dump as Buffer).toString('base64') })}\n`;
      });
      yield out;
    }
    yield `${JSON.stringify({ end: true, keys: keys.length })}\n`;
  }
  try {
    await pipeline(Readable.from(lines()), createGzip(), createWriteStream(tmp));
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  return { file, keys: keys.length, bytes: (await stat(file)).size };
}

/** Deletes every key of the registered families (legacy keys included); other keys are left alone. */
export async function clearProjections(redis: Redis, families: KeyFamily[]): Promise<number> {
  let cursor = '0';
  let n = 0;
  do {
    const [next, batch] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    const mine = batch.filter((k) => familyOf(k, families));
    if (mine.length > 0) n += await redis.unlink(...mine);
  } while (cursor !== '0');
  return n;
}

/** Reads a snapshot through once (header, line count, end line) without touching any Redis. */
export async function verifySnapshot(file: string, keys: Keys): Promise<{ header: SnapshotHeader; keys: number }> {
  const rl = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  let header: SnapshotHeader | undefined;
  let n = 0;
  let ended: number | undefined;
  for await (const line of rl) {
    if (!line) continue;
    const o = JSON.parse(line) as Record<string, unknown>;
    if (!header) {
      if (o['kind'] !== 'feed-projection-snapshot' || o['v'] !== 1) throw new SnapshotError(`${file}: not a Feed projection snapshot (v1)`);
      header = o as unknown as SnapshotHeader;
      if (header.keyPrefix !== keys.prefix) throw new SnapshotError(`${file}: key prefix ${JSON.stringify(header.keyPrefix)} differs from this deployment's ${JSON.stringify(keys.prefix)}`);
    } else if (o['end'] === true) ended = Number(o['keys']);
    else if (ended !== undefined) throw new SnapshotError(`${file}: data after the end line`);
    else n++;
  }
  if (!header) throw new SnapshotError(`${file}: empty`);
  if (ended === undefined) throw new SnapshotError(`${file}: truncated (no end line)`);
  // Keys that expired between SCAN and DUMP are skipped at write time, so fewer lines than counted is fine.
  if (n > ended) throw new SnapshotError(`${file}: ${n} keys but the end line says ${ended}`);
  return { header, keys: n };
}

/**
 * Loads a snapshot into `redis`: clears the registered families, RESTOREs every key with its remaining TTL, and
 * sets `group`'s checkpoint to the snapshot's sequence, so the tail replay (and the group's persister) continue
 * from there. Refuses a file of another key prefix or a truncated one.
 */
export async function restoreSnapshot(redis: Redis, families: KeyFamily[], keys: Keys, file: string, group: string): Promise<{ header: SnapshotHeader; keys: number }> {
  // Checked whole before anything is deleted: a bad file leaves the target as it was.
  await verifySnapshot(file, keys);
  const rl = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  let header: SnapshotHeader | undefined;
  let restored = 0;
  let ended: number | undefined;
  let p = redis.pipeline();
  let queued = 0;
  const flush = async () => {
    if (queued === 0) return;
    const res = (await p.exec()) ?? [];
    for (const [e] of res) if (e) throw e;
    p = redis.pipeline();
    queued = 0;
  };
  for await (const line of rl) {
    if (!line) continue;
    const o = JSON.parse(line) as Record<string, unknown>;
    if (!header) {
      header = o as unknown as SnapshotHeader;
      await clearProjections(redis, families);
      continue;
    }
    if (o['end'] === true) {
      ended = Number(o['keys']);
      continue;
    }
    const ttl = Number(o['t']);
    p.restore(String(o['k']), ttl > 0 ? ttl : 0, Buffer.from(String(o['d']), 'base64'), 'REPLACE');
    restored++;
    if (++queued >= CHUNK) await flush();
  }
  await flush();
  if (!header || ended === undefined) throw new SnapshotError(`${file}: changed while being restored`);
  await redis.hset(keys.checkpoint(group), 'seq', String(header.seq));
  return { header, keys: restored };
}
