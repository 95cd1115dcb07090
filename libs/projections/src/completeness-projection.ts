import type { Keys } from '@feed/keys';
import { gapKeyOf, type GapV1 } from '@feed/price-types';
import type { SequencedEvent } from './batch-args';
import type { ScriptProjection } from './script-projection';

/** Gap records kept per stream (three states per gap at most: ~500 gaps). The key family's stated bound. */
export const COMPLETENESS_MAX_RECORDS = 1500;

/**
 * One Gap v1 event as a completeness record: only fields that are fixed for a given event id (no receive time), so
 * the same event always makes the same member. `k` = the hole (id without its state), `s` = state.
 */
export interface CompletenessRecord {
  k: string;
  s: GapV1['state'];
  a: string;
  b: string;
  m: number | null;
  d: number;
  by?: string;
  r?: string;
  n?: number;
}

export function completenessRecord(g: GapV1): CompletenessRecord {
  return {
    k: gapKeyOf(g),
    s: g.state,
    a: g.afterId,
    b: g.beforeId,
    m: g.missing,
    d: g.detectedAtUs,
    ...(g.detectedBy ? { by: g.detectedBy } : {}),
    ...(g.reason ? { r: g.reason } : {}),
    ...(g.repairedTrades !== undefined ? { n: g.repairedTrades } : {}),
  };
}

/**
 * Completeness per (symbol, venue, channel): the Gap events of the stream as a sorted set (score = detected-at, member
 * = the record's JSON), trimmed to the newest COMPLETENESS_MAX_RECORDS. Idempotent and order-independent: a set
 * union of fixed members, and trimming keeps the greatest (score, member) pairs, so any batch order, a redelivery or a
 * replay give the same set (a late member below the kept ones is trimmed at once). The state and counts are derived
 * by the reader (apps/api read/completeness.ts), never stored as counters.
 * ARGV: 1 max records, then per gap event: key, score, member. Returns one ZADD result per gap event: 1 when the
 * record is new, 0 when the set already held it (a redelivery, a replay), which the persister counts.
 */
export const COMPLETENESS_LUA = `
local max = tonumber(ARGV[1])
for i = 2, #ARGV, 3 do
  local t = redis.call('TYPE', ARGV[i]).ok
  if t ~= 'none' and t ~= 'zset' then return redis.error_reply('WRONGTYPE ' .. ARGV[i] .. ' holds a ' .. t .. ', expected a zset') end
end
local touched, added = {}, {}
for i = 2, #ARGV, 3 do
  added[#added + 1] = redis.call('ZADD', ARGV[i], ARGV[i + 1], ARGV[i + 2])
  touched[ARGV[i]] = true
end
for k, _ in pairs(touched) do redis.call('ZREMRANGEBYRANK', k, 0, -(max + 1)) end
return added
`;

export function completenessProjection(keys: Keys, maxRecords = COMPLETENESS_MAX_RECORDS): ScriptProjection {
  return {
    name: 'completeness',
    lua: COMPLETENESS_LUA,
    claims: ['gap'],
    counts(reply: unknown) {
      const added = Array.isArray(reply) ? (reply as number[]) : [];
      const applied = added.filter((x) => x === 1).length;
      return [{ type: 'gap', applied, duplicates: added.length - applied }];
    },
    args(batch: SequencedEvent[]): string[] | undefined {
      const argv: string[] = [String(maxRecords)];
      for (const { ev } of batch) {
        if (ev.type !== 'gap') continue;
        argv.push(keys.completeness(ev.symbol, ev.venue, ev.channel), String(ev.detectedAtUs), JSON.stringify(completenessRecord(ev)));
      }
      return argv.length > 1 ? argv : undefined;
    },
  };
}
