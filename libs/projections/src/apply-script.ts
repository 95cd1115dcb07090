import { CANDLE_LEGACY_LUA } from './candle-legacy-lua';
import { CANDLE_LUA_DECLS, CANDLE_LUA_FLUSH } from './candle-lua';

/**
 * One Lua script applies a whole batch atomically (Redis runs it as a unit: readers never see half a batch)
 * and idempotently (the dedupe check and every write happen together, so a redelivered or duplicated event
 * changes nothing). Every projection is ORDER-INDEPENDENT, which is how two persisters on one durable, or a
 * replay, give identical state (decision 5):
 *   - latest trade: kept only if its sort key (venue time, venue, trade id) is greater than the stored one;
 *   - recent trades: a sorted set by the same key, trimmed to the N greatest;
 *   - legacy history: an ordering sorted set of the newest 1000 behind the list; the list is pushed when an entry
 *     is the newest (the common case) and rebuilt from the set when an older one arrives late. The newest legacy
 *     sort key is kept as the only member of a sorted set (`legacyLastKey`, family legacy-order, so state dumps
 *     can read it); a string marker left by an earlier version is converted on first use;
 *   - latest quote: kept only if its sort key (venue time, venue, update id or event id) is greater: a max-register,
 *     idempotent by construction, so quotes need no applied-id marks (at hundreds of quotes/s per stream, marks would
 *     cost more memory than every other family together);
 *   - status: the latest per (stream, ingest instance) by receive time, ties broken by the event text so two
 *     statuses stamped with the same µs (a change and a heartbeat) give one result in any order;
 *   - checkpoint: the maximum stream sequence applied.
 * Before any write the script checks the type of every key it will touch and refuses the whole batch with a
 * WRONGTYPE error if one holds another type (Redis does not roll back a script that fails half-way, so without
 * this a refused batch would leave earlier events applied but not fully projected, and the event that failed
 * marked as applied: isolated afterwards it would pass as a duplicate instead of being dead-lettered).
 * Standalone Redis only (keys are computed in the script's arguments, which Redis Cluster would refuse).
 *
 *   - candles: see candle-lua.ts (its own chunk, composed into this script).
 *
 * ARGV header (1-based): 1 recentMax, 2 dedupeTtlSeconds, 3 publish (1/0), 4 checkpointKey, 5 maxSeq,
 *   6 legacyIndexKey, 7 legacyLastKey, 8 lastPriceKey, 9 updateTimeKey, 10 historyKey, 11 currentExchangeKey,
 *   12 channel, 13 defaultVenue, 14-18 candle header (candle-lua.ts), 19 nExpire, then the events of STRIDE args
 *   each, then nExpire dedupe keys (to expire). Events:
 *   trade:  kind, dmode(b|s|n), dkey, dmember, latestKey, sortKey, json, tradesKey, score, legacy(1/0),
 *           legacyEntry, legacyPrice, legacyTime, venue, then the candle fields (candle-lua.ts)
 *   quote:  kind, 'n', '', '', latestQuoteKey, sortKey, json, then padding.
 *   status: kind, 'n', '', '', statusKey, field, recvTimeUs, json, then padding.
 * Returns one flag per event: 1 applied, 0 duplicate (for status and quotes: 0 when it is not newer than the stored
 * one, e.g. a redelivery), 2 a trade applied but too late to change its 1s candle (counted as late), 3 a trade applied
 * but kept out of the candles because its venue time is too far ahead of its receive time.
 */
export const STRIDE = 21;
export const HEADER = 19;

export const APPLY_BATCH_LUA = `
local recentMax = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local publish = ARGV[3] == '1'
local cpKey, maxSeq = ARGV[4], tonumber(ARGV[5])
local idxKey, lastKey = ARGV[6], ARGV[7]
local priceKey, timeKey, histKey, exchKey, channel, defaultVenue = ARGV[8], ARGV[9], ARGV[10], ARGV[11], ARGV[12], ARGV[13]
local nExpire = tonumber(ARGV[19])
local base = 20
local stride = ${STRIDE}
local n = math.floor((#ARGV - nExpire - base + 1) / stride)
if redis.call('TYPE', lastKey).ok == 'string' then
  local old = redis.call('GET', lastKey)
  redis.call('DEL', lastKey)
  redis.call('ZADD', lastKey, 0, old)
end
local want = {}
local function need(k, t) if k ~= '' and want[k] == nil then want[k] = t end end
need(cpKey, 'hash'); need(idxKey, 'zset'); need(lastKey, 'zset'); need(priceKey, 'string')
need(timeKey, 'string'); need(histKey, 'list'); need(exchKey, 'string')
${CANDLE_LUA_DECLS}
for i = 0, n - 1 do
  local o = base + i * stride
  if ARGV[o + 1] == 'b' then need(ARGV[o + 2], 'string') elseif ARGV[o + 1] == 's' then need(ARGV[o + 2], 'set') end
  need(ARGV[o + 4], 'hash')
  if ARGV[o] == 'trade' then
    need(ARGV[o + 7], 'zset')
    if ARGV[o + 14] == '1' then cNeed(o, ARGV[o + 13], ARGV[o + 9] == '1') end
  end
end
for k, t in pairs(want) do
  local actual = redis.call('TYPE', k).ok
  if actual ~= 'none' and actual ~= t then return redis.error_reply('WRONGTYPE ' .. k .. ' holds a ' .. actual .. ', expected a ' .. t) end
end
local applied = {}
local trimTrades = {}
local legacyLast = redis.call('ZRANGE', lastKey, -1, -1)[1]
local legacyTouched, rebuild = false, false
-- the newest legacy trade of the batch (its argument offset) and whether a newer trade came from a non-default venue
local legacyNewest, legacyForeign = nil, false
local pushes = {}
-- Max-registers (latest trade / quote per stream): read once per key per batch, compared in Lua in log order, written
-- once at the end. Same final state and the same per-event flags as a read and write per event, with 2 Redis calls
-- per key per batch instead of 2 per event.
local regs = {}
local function maxReg(key, sortKey, json)
  local r = regs[key]
  if not r then
    r = { k = redis.call('HGET', key, 'k'), dirty = false }
    regs[key] = r
  end
  if (not r.k) or r.k < sortKey then
    r.k, r.v, r.dirty = sortKey, json, true
    return 1
  end
  return 0
end
for i = 0, n - 1 do
  local o = base + i * stride
  local kind, dmode, dkey, dmember = ARGV[o], ARGV[o + 1], ARGV[o + 2], ARGV[o + 3]
  local isNew = 1
  if dmode == 'b' then
    isNew = 1 - redis.call('SETBIT', dkey, tonumber(dmember), 1)
  elseif dmode == 's' then
    isNew = redis.call('SADD', dkey, dmember)
  end
  if isNew == 1 then
    if kind == 'trade' then
      local latestKey, sortKey, json, tradesKey, score = ARGV[o + 4], ARGV[o + 5], ARGV[o + 6], ARGV[o + 7], ARGV[o + 8]
      maxReg(latestKey, sortKey, json)
      redis.call('ZADD', tradesKey, score, sortKey .. '|' .. json)
      trimTrades[tradesKey] = true
      if ARGV[o + 14] == '1' then isNew = cAdd(o, sortKey, tonumber(score), ARGV[o + 13], ARGV[o + 9] == '1')
      elseif ARGV[o + 14] == 'f' then isNew = 3 end
      if ARGV[o + 9] == '1' then
        local entry, venue = ARGV[o + 10], ARGV[o + 13]
        redis.call('ZADD', idxKey, score, sortKey .. '|' .. entry)
        legacyTouched = true
        if (not legacyLast) or legacyLast < sortKey then
          -- the last price, time, marker and exchange are written once per batch, from the newest (below)
          legacyLast, legacyNewest = sortKey, o
          if venue ~= defaultVenue then legacyForeign = true end
          pushes[#pushes + 1] = entry
        else
          rebuild = true
        end
        if publish then redis.call('PUBLISH', channel, entry) end
      end
    elseif kind == 'quote' then
      isNew = maxReg(ARGV[o + 4], ARGV[o + 5], ARGV[o + 6])
    elseif kind == 'status' then
      local key, field, t, json = ARGV[o + 4], ARGV[o + 5], tonumber(ARGV[o + 6]), ARGV[o + 7]
      local cur = tonumber(redis.call('HGET', key, field .. ':t') or '')
      if (not cur) or cur < t or (cur == t and (redis.call('HGET', key, field) or '') < json) then
        redis.call('HSET', key, field, json, field .. ':t', ARGV[o + 6])
      else
        isNew = 0
      end
    end
  end
  applied[i + 1] = isNew
end
for k, r in pairs(regs) do if r.dirty then redis.call('HSET', k, 'k', r.k, 'v', r.v) end end
for k, _ in pairs(trimTrades) do redis.call('ZREMRANGEBYRANK', k, 0, -(recentMax + 1)) end
if legacyNewest then
  -- What writing per newer trade leaves behind: the newest trade's price and time; the exchange key is written when
  -- it exists or any newer trade came from a non-default venue, and then holds the newest trade's venue.
  redis.call('ZADD', lastKey, 0, legacyLast)
  redis.call('ZREMRANGEBYRANK', lastKey, 0, -2)
  redis.call('SET', priceKey, ARGV[legacyNewest + 11])
  redis.call('SET', timeKey, ARGV[legacyNewest + 12])
  if legacyForeign or redis.call('EXISTS', exchKey) == 1 then redis.call('SET', exchKey, ARGV[legacyNewest + 13]) end
end
if legacyTouched then
  redis.call('ZREMRANGEBYRANK', idxKey, 0, -1001)
  if rebuild then
    redis.call('DEL', histKey)
    local members = redis.call('ZREVRANGE', idxKey, 0, 999)
    for j = 1, #members do
      local m = members[j]
      redis.call('RPUSH', histKey, string.sub(m, string.find(m, '|', 1, true) + 1))
    end
  else
    for j = 1, #pushes do redis.call('LPUSH', histKey, pushes[j]) end
    redis.call('LTRIM', histKey, 0, 999)
  end
end
${CANDLE_LUA_FLUSH}
${CANDLE_LEGACY_LUA}
for j = #ARGV - nExpire + 1, #ARGV do redis.call('EXPIRE', ARGV[j], ttl) end
local cp = redis.call('HGET', cpKey, 'seq')
if (not cp) or tonumber(cp) < maxSeq then redis.call('HSET', cpKey, 'seq', ARGV[5]) end
return applied
`;
