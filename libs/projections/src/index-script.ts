/**
 * The composite index as a script projection (see script-projection.ts): idempotent and order-independent on its
 * own, so two persisters, redelivery and a replay all end in the same state. Rules: index-compute.ts (the TS
 * reference this script must match to the byte) and docs/index-methodology.md.
 *
 * State per index symbol S (keys from libs/keys):
 *   - inputs `index:in:S:<venue>:<q|t>`: zset, one member per bucket second (score), the max-register of
 *     `<sortKey>|<price>` over the inputs of that second (sort key = 16-digit venue time, venue, id);
 *   - watermark `index:wm:S`: max grid second the constituents' heartbeats have reached;
 *   - history `index:h:S`: zset, one value JSON per grid second (score);
 *   - minute bars `index:min:S`: zset, per minute (score = its first second) open/high/low/close/n of the priced
 *     values of its seconds, recomputed whenever one of them is, kept 24 h behind W (the 24 h statistics).
 * Input members are `<sortKey>|<price>|<L|S>` (source live/simulated).
 * Retention starts at a whole minute, F = floor((W - H) / 60) * 60, so a minute is retained whole or not at all.
 * Invariant after every call: for every T in [F, W] that has an input in [T - L, T], history[T] =
 * index(T, stored inputs); nothing else is stored. An input changing bucket s recomputes T in [s, min(s + L, W)];
 * the watermark moving from W0 to W computes the new T in (W0, W]. So inputs, watermark and history depend only on
 * the set of events (inputs are max-registers, the watermark a max), not on their order or repetition; minute bars
 * too, for any order that applies no event after its minute left the history (log order does: live and replay).
 * Retention: history from F, inputs from F - L; older inputs arrive "late" and are counted. Minute bars older than F
 * are final (the finality horizon): an input arriving after its minute left the history no longer revises it.
 *
 * ARGV: 1 staleUs, 2 L (lookback s), 3 maxDeviationBps, 4 minConstituents, 5 H (history s), 6 staleMs, 7 nIndex,
 * then per index: symbol, wmKey, histKey, minKey, batchWatermark|'' , refusedFuture, nVenues, nVenues x (venue, qKey, tKey),
 * nInputs, nInputs x (venue position 1-based, 'q'|'t', bucket, member).
 * Returns per index: symbol, computed grid seconds, late inputs, refused (future) inputs, newest value JSON or ''.
 * Prices are exact: fixed-point digit strings (28 integer + 20 fraction digits), compared as text.
 */
export const INDEX_LUA = `
local staleUs, lb, bps, minC, hist, staleMs = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
local nIdx = tonumber(ARGV[7])
local W, F = 48, 20
local function fx(s)
  local i, f = string.match(s, '^(%d+)%.?(%d*)$')
  return string.rep('0', W - F - #i) .. i .. f .. string.rep('0', F - #f)
end
local function canon(x)
  local i = string.gsub(string.sub(x, 1, W - F), '^0+', '')
  local f = string.gsub(string.sub(x, W - F + 1), '0+$', '')
  if i == '' then i = '0' end
  if f == '' then return i end
  return i .. '.' .. f
end
local function add(a, b)
  local out, c = {}, 0
  for k = W, 1, -1 do
    local d = string.byte(a, k) + string.byte(b, k) - 96 + c
    if d >= 10 then d = d - 10; c = 1 else c = 0 end
    out[k] = string.char(48 + d)
  end
  return table.concat(out)
end
local function sub(a, b)
  local out, c = {}, 0
  for k = W, 1, -1 do
    local d = string.byte(a, k) - string.byte(b, k) - c
    if d < 0 then d = d + 10; c = 1 else c = 0 end
    out[k] = string.char(48 + d)
  end
  return table.concat(out)
end
local function mul(a, n)
  local out, c = {}, 0
  for k = W, 1, -1 do
    local d = (string.byte(a, k) - 48) * n + c
    out[k] = string.char(48 + d % 10)
    c = math.floor(d / 10)
  end
  return table.concat(out)
end
local function half(a)
  local out, r = {}, 0
  for k = 1, W do
    local d = r * 10 + string.byte(a, k) - 48
    out[k] = string.char(48 + math.floor(d / 2))
    r = d % 2
  end
  return table.concat(out)
end
local function median(xs)
  local a = {}
  for i = 1, #xs do a[i] = xs[i] end
  table.sort(a)
  local n = #a
  if n % 2 == 1 then return a[(n + 1) / 2] end
  return half(add(a[n / 2], a[n / 2 + 1]))
end
local function int(x) return string.format('%d', x) end
local function jstr(s) if s == nil then return 'null' end return '"' .. s .. '"' end
local function jnum(x) if x == nil then return 'null' end return int(x) end
local function weightOf(n)
  local w = math.floor(1000000 / n + 0.5)
  if w >= 1000000 then return '1' end
  local f = string.gsub(string.format('%06d', w), '0+$', '')
  return '0.' .. f
end
local function mtime(m) return tonumber(string.sub(m, 1, 16)) end
local function mprice(m) return string.match(m, '|([^|]*)|[LS]$') end
local function msource(m) if string.sub(m, -1) == 'L' then return 'live' end return 'simulated' end

local function compute(symbol, T, venues, qk, tk)
  local at = T * 1000000
  local cons = {}
  local freshIdx = {}
  for i = 1, #venues do
    local q = redis.call('ZREVRANGEBYSCORE', qk[i], T, T - lb, 'LIMIT', 0, 1)[1]
    local t = redis.call('ZREVRANGEBYSCORE', tk[i], T, T - lb, 'LIMIT', 0, 1)[1]
    local c = { venue = venues[i], weight = '0', included = false }
    local m
    if q and at - mtime(q) <= staleUs then m = q; c.kind = 'mid'
    elseif t and at - mtime(t) <= staleUs then m = t; c.kind = 'trade'
    elseif q or t then
      if q and ((not t) or mtime(q) >= mtime(t)) then m = q; c.kind = 'mid' else m = t; c.kind = 'trade' end
      c.reason = 'stale'
    else
      c.reason = 'no_data'
    end
    if m then
      c.price = mprice(m); c.source = msource(m); c.vt = mtime(m); c.age = at - c.vt; c.fx = fx(c.price)
    end
    if not c.reason then freshIdx[#freshIdx + 1] = i end
    cons[i] = c
  end
  local ref, price, nInc = nil, nil, 0
  if #freshIdx > 0 then
    local xs = {}
    for j = 1, #freshIdx do xs[j] = cons[freshIdx[j]].fx end
    local m0 = median(xs)
    ref = canon(m0)
    local limit = mul(m0, bps)
    local kept = {}
    for j = 1, #freshIdx do
      local c = cons[freshIdx[j]]
      local diff
      if c.fx > m0 then diff = sub(c.fx, m0) else diff = sub(m0, c.fx) end
      if mul(diff, 10000) > limit then c.reason = 'deviation' else kept[#kept + 1] = c end
    end
    nInc = #kept
    if nInc > 0 then
      local ys = {}
      local w = weightOf(nInc)
      for j = 1, nInc do ys[j] = kept[j].fx; kept[j].included = true; kept[j].weight = w end
      price = canon(median(ys))
    end
  end
  local parts = {}
  local source = 'live'
  for i = 1, #cons do
    local c = cons[i]
    if c.source == 'simulated' then source = 'simulated' end
    parts[i] = '{"venue":' .. jstr(c.venue) .. ',"source":' .. jstr(c.source) .. ',"kind":' .. jstr(c.kind) .. ',"price":' .. jstr(c.price)
      .. ',"venueTimeUs":' .. jnum(c.vt) .. ',"ageUs":' .. jnum(c.age) .. ',"weight":' .. jstr(c.weight)
      .. ',"included":' .. tostring(c.included) .. ',"reason":' .. jstr(c.reason) .. '}'
  end
  return '{"v":1,"symbol":' .. jstr(symbol) .. ',"t":' .. int(T) .. ',"price":' .. jstr(price) .. ',"source":' .. jstr(source)
    .. ',"degraded":' .. tostring(nInc < minC) .. ',"included":' .. int(nInc) .. ',"referenceMedian":' .. jstr(ref)
    .. ',"method":{"staleMs":' .. staleMs .. ',"maxDeviationBps":' .. int(bps) .. ',"minConstituents":' .. int(minC) .. '}'
    .. ',"constituents":[' .. table.concat(parts, ',') .. ']}'
end

-- History is kept from a whole minute on, so a minute's bar is always computed from all of its seconds.
local STATS_S = 86400
local function retained(w) return math.floor((w - hist) / 60) * 60 end
local function topPrice(json) return string.match(json, '^{"v":1,"symbol":"[^"]*","t":%d+,"price":"([%d%.]+)"') end
local function minuteBar(histKey, minKey, m)
  local vals = redis.call('ZRANGEBYSCORE', histKey, m, m + 59)
  local open, close, hi, lo, n
  n = 0
  for j = 1, #vals do
    local p = topPrice(vals[j])
    if p then
      local x = fx(p)
      if n == 0 then open = p; hi = x; lo = x end
      if x > hi then hi = x end
      if x < lo then lo = x end
      close = p
      n = n + 1
    end
  end
  redis.call('ZREMRANGEBYSCORE', minKey, m, m)
  if n > 0 then
    redis.call('ZADD', minKey, m, '{"m":' .. int(m) .. ',"open":"' .. open .. '","high":"' .. canon(hi) .. '","low":"' .. canon(lo) .. '","close":"' .. close .. '","n":' .. int(n) .. '}')
  end
end

-- Refuse the whole call before any write if a key holds another type (Redis does not roll back a failed script).
local o = 8
for _ = 1, nIdx do
  local want = { [ARGV[o + 1]] = 'string', [ARGV[o + 2]] = 'zset', [ARGV[o + 3]] = 'zset' }
  local nV = tonumber(ARGV[o + 6])
  local p = o + 7
  for _ = 1, nV do want[ARGV[p + 1]] = 'zset'; want[ARGV[p + 2]] = 'zset'; p = p + 3 end
  for k, t in pairs(want) do
    local actual = redis.call('TYPE', k).ok
    if actual ~= 'none' and actual ~= t then return redis.error_reply('WRONGTYPE ' .. k .. ' holds a ' .. actual .. ', expected a ' .. t) end
  end
  o = p + 1 + 4 * tonumber(ARGV[p])
end

local out = {}
o = 8
for _ = 1, nIdx do
  local symbol, wmKey, histKey, minKey, bw, fut = ARGV[o], ARGV[o + 1], ARGV[o + 2], ARGV[o + 3], ARGV[o + 4], ARGV[o + 5]
  local nV = tonumber(ARGV[o + 6])
  local venues, qk, tk = {}, {}, {}
  local p = o + 7
  for i = 1, nV do venues[i] = ARGV[p]; qk[i] = ARGV[p + 1]; tk[i] = ARGV[p + 2]; p = p + 3 end
  local nIn = tonumber(ARGV[p])
  local inStart = p + 1
  o = inStart + 4 * nIn
  local w0 = tonumber(redis.call('GET', wmKey) or '')
  local w = w0
  local b = tonumber(bw)
  if b and ((not w) or b > w) then w = b end
  local dirty = {}
  local late = 0
  local floorT = w and retained(w)
  for j = 0, nIn - 1 do
    local q = inStart + 4 * j
    local vi, kind, bucket, member = tonumber(ARGV[q]), ARGV[q + 1], tonumber(ARGV[q + 2]), ARGV[q + 3]
    if w and bucket < floorT - lb then
      late = late + 1
    else
      local key = tk[vi]
      if kind == 'q' then key = qk[vi] end
      local cur = redis.call('ZRANGEBYSCORE', key, bucket, bucket)[1]
      if (not cur) or cur < member then
        if cur then redis.call('ZREMRANGEBYSCORE', key, bucket, bucket) end
        redis.call('ZADD', key, bucket, member)
        if w then
          for T = math.max(bucket, floorT), math.min(bucket + lb, w) do dirty[T] = true end
        end
      end
    end
  end
  if w and ((not w0) or w > w0) then
    local lo = floorT
    if w0 and w0 + 1 > lo then lo = w0 + 1 end
    for i = 1, nV do
      for _, key in ipairs({ qk[i], tk[i] }) do
        local bs = redis.call('ZRANGEBYSCORE', key, lo - lb, w, 'WITHSCORES')
        for k = 2, #bs, 2 do
          local s = tonumber(bs[k])
          for T = math.max(s, lo), math.min(s + lb, w) do dirty[T] = true end
        end
      end
    end
    redis.call('SET', wmKey, int(w))
  end
  local ts = {}
  for T, _ in pairs(dirty) do ts[#ts + 1] = T end
  table.sort(ts)
  local minutes = {}
  for _, T in ipairs(ts) do
    local json = compute(symbol, T, venues, qk, tk)
    redis.call('ZREMRANGEBYSCORE', histKey, T, T)
    redis.call('ZADD', histKey, T, json)
    minutes[T - T % 60] = true
  end
  for m, _ in pairs(minutes) do
    if m > w - STATS_S - 60 then minuteBar(histKey, minKey, m) end
  end
  if w then
    redis.call('ZREMRANGEBYSCORE', histKey, '-inf', '(' .. int(floorT))
    for i = 1, nV do
      redis.call('ZREMRANGEBYSCORE', qk[i], '-inf', '(' .. int(floorT - lb))
      redis.call('ZREMRANGEBYSCORE', tk[i], '-inf', '(' .. int(floorT - lb))
    end
    redis.call('ZREMRANGEBYSCORE', minKey, '-inf', int(w - STATS_S - 60))
  end
  local newest = redis.call('ZREVRANGE', histKey, 0, 0)[1] or ''
  out[#out + 1] = symbol
  out[#out + 1] = #ts
  out[#out + 1] = late
  out[#out + 1] = tonumber(fut)
  out[#out + 1] = newest
end
return out
`;
