import type { Redis } from 'ioredis';
import { familyOf, type KeyFamily } from './registry';

export class UnregisteredKeyError extends Error {
  override readonly name = 'UnregisteredKeyError';
  readonly code = 'UNREGISTERED_KEY';
  constructor(readonly keys: string[]) {
    super(`keys outside the key registry: ${keys.slice(0, 10).join(', ')}${keys.length > 10 ? ' ...' : ''}`);
  }
}

export type DumpValue = string | string[] | Record<string, string> | Array<[string, string]>;

/**
 * A canonical dump of every registered key family: key -> value in a form that compares with deep equality
 * (hash fields sorted, zsets as [member, score] in rank order, lists in order, sets sorted, strings as base64
 * when binary). Fails on any key not in the registry, so a new key family cannot escape replay checks.
 * `exclude` drops families that are legitimately different (e.g. a checkpoint of another group).
 */
export async function dumpState(redis: Redis, families: KeyFamily[], opts: { exclude?: string[] } = {}): Promise<Record<string, DumpValue>> {
  const out: Record<string, DumpValue> = {};
  const unregistered: string[] = [];
  let cursor = '0';
  const keys: string[] = [];
  do {
    const [next, batch] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  keys.sort();
  for (const key of keys) {
    const fam = familyOf(key, families);
    if (!fam) {
      unregistered.push(key);
      continue;
    }
    if (opts.exclude?.includes(fam.name) || !fam.projected) continue;
    switch (fam.type) {
      case 'string': {
        const buf = await redis.getBuffer(key);
        const s = buf ? buf.toString('utf8') : '';
        out[key] = buf && Buffer.from(s, 'utf8').equals(buf) ? s : `base64:${buf?.toString('base64') ?? ''}`;
        break;
      }
      case 'hash': {
        const h = await redis.hgetall(key);
        out[key] = Object.fromEntries(Object.entries(h).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
        break;
      }
      case 'list':
        out[key] = await redis.lrange(key, 0, -1);
        break;
      case 'set':
        out[key] = (await redis.smembers(key)).sort();
        break;
      case 'zset': {
        const flat = await redis.zrange(key, '0', '-1', 'WITHSCORES');
        const pairs: Array<[string, string]> = [];
        for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i] as string, flat[i + 1] as string]);
        out[key] = pairs;
        break;
      }
    }
  }
  if (unregistered.length > 0) throw new UnregisteredKeyError(unregistered);
  return out;
}
