/**
 * The candle chunk of the apply script (apply-script.ts composes it). Candles count each trade once (trade counts,
 * volume and notional sums), so they live in the main script behind its applied-id dedupe, not in a script
 * projection. Every rule is ORDER-INDEPENDENT, so replicas, redeliveries and replays give identical bars:
 *   - open / close: the trade with the smallest / greatest total sort key (venue time, venue, trade id);
 *   - high / low: numeric max / min of the price (ties of equal value: the greater / smaller text);
 *   - first / last trade time: min / max venue time; trade count, revision and late counts: HINCRBY;
 *   - volume and notional: exact integers in base-1e9 limbs, each limb field added with HINCRBY (candle-math.ts);
 *   - lateness from the trade itself: received at or after bar end + close delay -> it revises the bar (revision
 *     count +1); received at or after bar end + finality horizon -> the bar is final, the trade only counts as late
 *     (field x) and is reported (flag 2 in the script's reply), never silently dropped;
 *   - retention: after writing, bars more than `keep` bars older than the newest bar of their series are deleted;
 *     the newest bar only grows, and a bar written below the cut is deleted in the same call, so the final set of
 *     bars does not depend on the order of batches.
 * Per batch, trades are first summed in Lua tables (on-time trades into one 1s aggregate per stream and second,
 * then rolled up into the 13 other bars), and every touched bar is written once (one HGETALL, one HSET, the limb HINCRBYs); a series'
 * index and retention are touched only when the batch creates one of its bars. Fixed cost per batch matters: at low
 * rates the persister's batches hold a few trades each.
 *
 * Bar hash `{p}candle:<symbol>:<venue|all>:<interval>:<start epoch s>` fields: ok/o open sort key and price,
 * ck/c close sort key and price, h, l, ft, lt (venue µs), n, r (revisions), x (late), v<i> / q<i> limbs.
 * Series index zset `{p}candles:<symbol>:<venue|all>:<interval>`: member and score = bar start (epoch s).
 * Legacy candle keys: candle-legacy-lua.ts (composed after this chunk).
 *
 * Header ARGV (after the main header): candle bar prefix, series index prefix, close delay ms, finality ms,
 * interval spec "name:seconds:keep,..." (1s first). Per trade (after the main trade fields): candle (1/0), start
 * second, price, receive µs, volume limbs, notional limbs, symbol.
 */
export const CANDLE_LUA_DECLS = `
local cPrefix, cIdxPrefix = ARGV[14], ARGV[15]
local cCloseUs, cFinalUs = tonumber(ARGV[16]) * 1000, tonumber(ARGV[17]) * 1000
local cIvs = {}
for name, sec, keep in string.gmatch(ARGV[18], '([^:,]+):(%d+):(%d+)') do cIvs[#cIvs + 1] = { name = name, sec = tonumber(sec), keep = tonumber(keep) } end
local cBars, cSeries, cFast, cLegacySeries, cBarSeries = {}, {}, {}, {}, {}
local function cFmt(x) return string.format('%.0f', x) end
local function cLimbs(s)
  local t = {}
  for i, v in string.gmatch(s, '(%d+):(%d+)') do t[tonumber(i)] = tonumber(v) end
  return t
end
local function cNew() return { n = 0, r = 0, x = 0, v = {}, q = {} } end
local function cHigher(p, ps, cur, curs) return p > cur or (p == cur and ps > curs) end
local function cLower(p, ps, cur, curs) return p < cur or (p == cur and ps < curs) end
local function cMerge(a, b)
  if b.ok then
    if (not a.ok) or b.ok < a.ok then a.ok = b.ok; a.o = b.o end
    if (not a.ck) or b.ck > a.ck then a.ck = b.ck; a.c = b.c end
    if (not a.h) or cHigher(b.hn, b.h, a.hn, a.h) then a.hn = b.hn; a.h = b.h end
    if (not a.l) or cLower(b.ln, b.l, a.ln, a.l) then a.ln = b.ln; a.l = b.l end
    if (not a.ft) or b.ft < a.ft then a.ft = b.ft end
    if (not a.lt) or b.lt > a.lt then a.lt = b.lt end
  end
  a.n = a.n + b.n; a.r = a.r + b.r; a.x = a.x + b.x
  for i, x in pairs(b.v) do a.v[i] = (a.v[i] or 0) + x end
  for i, x in pairs(b.q) do a.q[i] = (a.q[i] or 0) + x end
end
local function cTrade(sk, price, vt, vl, ql)
  local p = tonumber(price)
  return { n = 1, r = 0, x = 0, ok = sk, o = price, ck = sk, c = price, h = price, hn = p, l = price, ln = p, ft = vt, lt = vt, v = vl, q = ql }
end
local function cBar(symbol, venue, iv, start, legacy)
  local series = symbol .. ':' .. venue .. ':' .. iv.name
  local key = cPrefix .. series .. ':' .. start
  local a = cBars[key]
  if not a then
    a = cNew()
    cBars[key] = a
    local s = cSeries[series]
    if not s then
      s = { iv = iv, starts = {}, added = {}, bar = cPrefix .. series .. ':', idx = cIdxPrefix .. series }
      cSeries[series] = s
    end
    s.starts[start] = true
    cBarSeries[key] = { s, start }
  end
  if legacy then cLegacySeries[symbol .. ':' .. venue] = true end
  return a
end
local function cNeedAll(symbol, venue, sec)
  for _, scope in ipairs({ venue, 'all' }) do
    for _, iv in ipairs(cIvs) do
      local series = symbol .. ':' .. scope .. ':' .. iv.name
      need(cPrefix .. series .. ':' .. (sec - sec % iv.sec), 'hash')
      need(cIdxPrefix .. series, 'zset')
    end
  end
end
local cChecked = {}
local nSym, nVenue, nSec = nil, nil, nil
-- Pre-check (before any write): the types of every candle key a trade at argument offset o will touch. Trades of
-- one stream and second come in runs, so a trade like the previous one is skipped without building a string.
local function cNeed(o, venue, legacy)
  local sym, secText = ARGV[o + 20], ARGV[o + 15]
  if sym == nSym and venue == nVenue and secText == nSec then return end
  nSym, nVenue, nSec = sym, venue, secText
  local k = sym .. venue .. secText
  if cChecked[k] then return end
  cChecked[k] = true
  cNeedAll(ARGV[o + 20], venue, tonumber(ARGV[o + 15]))
  if legacy then for _, n in ipairs({ 1, 5, 15, 30, 60, 240 }) do need('btc_candle_' .. n .. 'min', 'string'); need('btc_candles_' .. n .. 'min', 'list') end end
end
local cLastFast = nil
-- Adds one newly applied trade; returns 2 when it is late for its 1s bar (reported as late), else 1.
local function cAdd(o, sk, vt, venue, legacy)
  local symbol, sec, price, recv = ARGV[o + 20], tonumber(ARGV[o + 15]), ARGV[o + 16], tonumber(ARGV[o + 17])
  if recv < (sec + 1) * 1000000 + cCloseUs then
    -- on time for its 1s bar, hence for every larger bar (they end no earlier): the common, fast path, summed in
    -- place into one aggregate per (stream, second) without a table per trade
    local secText = ARGV[o + 15]
    local f = cLastFast
    if not (f and f.symbol == symbol and f.venue == venue and f.secText == secText) then
      local fk = symbol .. venue .. secText
      f = cFast[fk]
      if not f then
        f = { symbol = symbol, venue = venue, sec = sec, secText = secText, legacy = legacy, agg = cNew() }
        cFast[fk] = f
      end
      cLastFast = f
    end
    local a, p = f.agg, tonumber(price)
    if (not a.ok) or sk < a.ok then a.ok = sk; a.o = price end
    if (not a.ck) or sk > a.ck then a.ck = sk; a.c = price end
    if (not a.h) or cHigher(p, price, a.hn, a.h) then a.hn = p; a.h = price end
    if (not a.l) or cLower(p, price, a.ln, a.l) then a.ln = p; a.l = price end
    if (not a.ft) or vt < a.ft then a.ft = vt end
    if (not a.lt) or vt > a.lt then a.lt = vt end
    a.n = a.n + 1
    for i, v in string.gmatch(ARGV[o + 18], '(%d+):(%d+)') do i = tonumber(i); a.v[i] = (a.v[i] or 0) + tonumber(v) end
    for i, v in string.gmatch(ARGV[o + 19], '(%d+):(%d+)') do i = tonumber(i); a.q[i] = (a.q[i] or 0) + tonumber(v) end
    return 1
  end
  local vl, ql = cLimbs(ARGV[o + 18]), cLimbs(ARGV[o + 19])
  local flag = 1
  for _, scope in ipairs({ venue, 'all' }) do
    for _, iv in ipairs(cIvs) do
      local start = sec - sec % iv.sec
      local endUs = (start + iv.sec) * 1000000
      local a = cBar(symbol, scope, iv, start, legacy and scope == venue)
      if recv >= endUs + cFinalUs then
        a.x = a.x + 1
        if iv.sec == 1 then flag = 2 end
      else
        local t = cTrade(sk, price, vt, vl, ql)
        if recv >= endUs + cCloseUs then t.r = 1 end
        cMerge(a, t)
      end
    end
  end
  return flag
end
-- Final field values of every bar written in this batch (the legacy chunk reads them instead of the bar hash).
local cFinal = {}
-- Writes one touched bar: one HGETALL, the merge in Lua, one HSET of the changed fields (the counts summed here: the
-- script is atomic, so read-add-write is the same as HINCRBY), one HINCRBY per limb. Returns true when the bar is new.
local function cWrite(key, a)
  local h = redis.call('HGETALL', key)
  local cur = {}
  for j = 1, #h, 2 do cur[h[j]] = h[j + 1] end
  local isNew = #h == 0
  local set = {}
  local function put(f, v) set[#set + 1] = f; set[#set + 1] = v; cur[f] = v end
  if a.ok then
    if (not cur.ok) or a.ok < cur.ok then put('ok', a.ok); put('o', a.o) end
    if (not cur.ck) or a.ck > cur.ck then put('ck', a.ck); put('c', a.c) end
    if (not cur.h) or cHigher(a.hn, a.h, tonumber(cur.h), cur.h) then put('h', a.h) end
    if (not cur.l) or cLower(a.ln, a.l, tonumber(cur.l), cur.l) then put('l', a.l) end
    if (not cur.ft) or a.ft < tonumber(cur.ft) then put('ft', cFmt(a.ft)) end
    if (not cur.lt) or a.lt > tonumber(cur.lt) then put('lt', cFmt(a.lt)) end
  end
  if a.n > 0 then put('n', cFmt((tonumber(cur.n) or 0) + a.n)) end
  if a.r > 0 then put('r', cFmt((tonumber(cur.r) or 0) + a.r)) end
  if a.x > 0 then put('x', cFmt((tonumber(cur.x) or 0) + a.x)) end
  if #set > 0 then redis.call('HSET', key, unpack(set)) end
  -- Limb sums stay HINCRBY: Redis adds them as int64 (exact to 9.2e18), a Lua number only to 2^53.
  for i, x in pairs(a.v) do cur['v' .. i] = redis.call('HINCRBY', key, 'v' .. i, cFmt(x)) end
  for i, x in pairs(a.q) do cur['q' .. i] = redis.call('HINCRBY', key, 'q' .. i, cFmt(x)) end
  cFinal[key] = cur
  return isNew
end
`;

/** The flush of every touched bar (and the series' retention); the legacy candle keys follow (candle-legacy-lua.ts). */
export const CANDLE_LUA_FLUSH = `
for _, f in pairs(cFast) do
  for _, scope in ipairs({ f.venue, 'all' }) do
    for _, iv in ipairs(cIvs) do
      cMerge(cBar(f.symbol, scope, iv, f.sec - f.sec % iv.sec, f.legacy and scope == f.venue), f.agg)
    end
  end
end
for key, a in pairs(cBars) do
  if cWrite(key, a) then
    local bs = cBarSeries[key]
    local added = bs[1].added
    added[#added + 1] = bs[2]
    added[#added + 1] = bs[2]
  end
end
-- A series' index and retention change only when one of its bars is new (an existing bar is already indexed, and
-- the newest bar moves only when a new one appears), so series whose bars all existed cost nothing here.
local cNewest = {}
local function cNewestOf(series, s)
  local v = cNewest[series]
  if v == nil then
    v = tonumber(redis.call('ZREVRANGE', s.idx, 0, 0, 'WITHSCORES')[2])
    cNewest[series] = v
  end
  return v
end
for series, s in pairs(cSeries) do
  if #s.added > 0 then
    -- in chunks: Lua's unpack stops at ~8000 values, and a sparse batch can create thousands of 1s bars
    for j = 1, #s.added, 2000 do redis.call('ZADD', s.idx, unpack(s.added, j, math.min(j + 1999, #s.added))) end
    local newest = cNewestOf(series, s)
    local cut = cFmt(newest - s.iv.keep * s.iv.sec)
    local old = redis.call('ZRANGEBYSCORE', s.idx, '-inf', cut)
    if #old > 0 then
      for j = 1, #old do
        redis.call('DEL', s.bar .. old[j])
        cFinal[s.bar .. old[j]] = nil
      end
      redis.call('ZREMRANGEBYSCORE', s.idx, '-inf', cut)
    end
  end
end
`;
