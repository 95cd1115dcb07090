/**
 * The legacy candle chunk of the apply script, composed after the candle flush (candle-lua.ts, whose helpers and
 * per-batch tables it uses). For the legacy source stream only (decision 8; trades flagged legacy by batch-args):
 *   - `btc_candle_<N>min` (N = 1, 5, 15, 30, 60, 240): the newest N-minute bar of the stream, rewritten from the
 *     stored bars whenever the stream's trades touch that width, so it is a function of the bars alone;
 *   - `btc_candles_<N>min`: the newest LEGACY_CANDLES_MAX such bars, newest first (head = `btc_candle_<N>min`).
 * 1, 5, 15, 60 and 240 min come from the 1m, 5m, 15m, 1h and 4h bars; 30 min (not a served interval) is merged from
 * the two 15 min bars of the half hour. The JSON follows the old feed's Python json.dumps style:
 *   {"o": 60000.0, "h": 60500.5, "l": 59000.0, "c": 60100.0, "v": 1.75, "t": 1795939200, "timestamp": "2026-11-29T08:00:00.000000+00:00"}
 * (floats with ".0" for whole numbers, the exact volume, `t` = bar start in epoch s, `timestamp` in the legacy form).
 */

/** Entries kept in each `btc_candles_<N>min` list. */
export const LEGACY_CANDLES_MAX = 100;

export const CANDLE_LEGACY_LUA = `
-- epoch seconds -> "YYYY-MM-DDTHH:MM:SS.000000+00:00" (days-from-civil inverse, H. Hinnant, chrono-Compatible Low-Level Date Algorithms)
local function cCivil(secs)
  local days = math.floor(secs / 86400)
  local rem = secs - days * 86400
  local z = days + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local d = doy - math.floor((153 * mp + 2) / 5) + 1
  local m = mp < 10 and mp + 3 or mp - 9
  local y = yoe + era * 400 + (m <= 2 and 1 or 0)
  return string.format('%04d-%02d-%02dT%02d:%02d:%02d.000000+00:00', y, m, d, math.floor(rem / 3600), math.floor(rem % 3600 / 60), rem % 60)
end
local function cPy(dec) if string.find(dec, '.', 1, true) then return dec end return dec .. '.0' end
local function cVolume(limbs)
  local digits, carry, top = {}, 0, 0
  for i, _ in pairs(limbs) do if i > top then top = i end end
  for i = 0, top + 3 do
    local x = (limbs[i] or 0) + carry
    local lo = x % 1000000000
    carry = (x - lo) / 1000000000
    digits[#digits + 1] = string.format('%09d', lo)
  end
  -- digits were pushed least significant limb first: join most significant first
  local parts = {}
  for i = #digits, 1, -1 do parts[#parts + 1] = digits[i] end
  local s = table.concat(parts)
  local int, frac = string.sub(s, 1, #s - 18), string.sub(s, #s - 17)
  int = string.gsub(int, '^0+', '')
  if int == '' then int = '0' end
  frac = string.gsub(frac, '0+$', '')
  if frac == '' then return int .. '.0' end
  return int .. '.' .. frac
end
local cLegacy = { { 1, '1m', 1 }, { 5, '5m', 1 }, { 15, '15m', 1 }, { 30, '15m', 2 }, { 60, '1h', 1 }, { 240, '4h', 1 } }
local cListMax = ${LEGACY_CANDLES_MAX}
-- The legacy JSON of the width-w window starting at \`start\` of stream sv, merged from its base bars; nil when no
-- base bar of the window holds a trade.
-- A bar's fields as a table: as written in this batch (cFinal), else read.
local function cFields(key)
  local f = cFinal[key]
  if f then return f end
  f = {}
  local h = redis.call('HGETALL', key)
  for j = 1, #h, 2 do f[h[j]] = h[j + 1] end
  return f
end
local cJsonMemo = {}
local function cLegacyJsonOf(sv, w, start)
  local width = w[1] * 60
  local m = { n = 0, r = 0, x = 0, v = {}, q = {} }
  for k = 0, w[3] - 1 do
    local f = cFields(cPrefix .. sv .. ':' .. w[2] .. ':' .. cFmt(start + k * width / w[3]))
    if f.ok then
      local b = { n = 0, r = 0, x = 0, v = {}, q = {}, ok = f.ok, ck = f.ck, o = f.o, c = f.c, h = f.h, l = f.l }
      for name, val in pairs(f) do
        if string.sub(name, 1, 1) == 'v' then b.v[tonumber(string.sub(name, 2))] = tonumber(val) end
      end
      b.hn, b.ln, b.ft, b.lt = tonumber(b.h), tonumber(b.l), 0, 0
      cMerge(m, b)
    end
  end
  if not m.ok then return false end
  return '{"o": ' .. cPy(m.o) .. ', "h": ' .. cPy(m.h) .. ', "l": ' .. cPy(m.l) .. ', "c": ' .. cPy(m.c) ..
    ', "v": ' .. cVolume(m.v) .. ', "t": ' .. cFmt(start) .. ', "timestamp": "' .. cCivil(start) .. '"}'
end
-- Memoised per batch: the newest window is usually also the one the list rewrites.
local function cLegacyJson(sv, w, start)
  local k = sv .. ':' .. w[1] .. ':' .. start
  local v = cJsonMemo[k]
  if v == nil then
    v = cLegacyJsonOf(sv, w, start)
    cJsonMemo[k] = v
  end
  return v or nil
end
-- btc_candles_<N>min: the newest cListMax windows with trades, newest first. Usually only the newest window (or a
-- new one) changes: rewrite the head / push. When a batch touched a window older than the head (or the list is
-- empty: a first write, or an upgrade from a version without lists), rebuild the list from the bars, so the list is
-- always the same function of the bars, whatever the order of batches.
local function cLegacyList(sv, w, touched)
  local listKey = 'btc_candles_' .. w[1] .. 'min'
  local width = w[1] * 60
  local head = redis.call('LINDEX', listKey, 0)
  local headT = head and tonumber(string.match(head, '"t": (%d+)'))
  local wins = {}
  for ws, _ in pairs(touched) do wins[#wins + 1] = ws end
  table.sort(wins)
  if (not headT) or wins[1] < headT then
    redis.call('DEL', listKey)
    local starts = redis.call('ZREVRANGE', cIdxPrefix .. sv .. ':' .. w[2], 0, 2 * cListMax * w[3] - 1)
    local seen, n = {}, 0
    for j = 1, #starts do
      local s0 = tonumber(starts[j])
      local ws = s0 - s0 % width
      if not seen[ws] then
        seen[ws] = true
        local json = cLegacyJson(sv, w, ws)
        if json then
          redis.call('RPUSH', listKey, json)
          n = n + 1
          if n >= cListMax then break end
        end
      end
    end
    return
  end
  local pushed = false
  for _, ws in ipairs(wins) do
    local json = cLegacyJson(sv, w, ws)
    if json then
      if headT and ws == headT then redis.call('LSET', listKey, 0, json)
      else
        redis.call('LPUSH', listKey, json)
        headT = ws
        pushed = true
      end
    end
  end
  if pushed then redis.call('LTRIM', listKey, 0, cListMax - 1) end
end
for sv, _ in pairs(cLegacySeries) do
  for _, w in ipairs(cLegacy) do
    local s = cSeries[sv .. ':' .. w[2]]
    if s then
      local width = w[1] * 60
      local newest = cNewestOf(sv .. ':' .. w[2], s)
      local json = cLegacyJson(sv, w, newest - newest % width)
      if json then redis.call('SET', 'btc_candle_' .. w[1] .. 'min', json) end
      local touched = {}
      for st, _ in pairs(s.starts) do touched[st - st % width] = true end
      cLegacyList(sv, w, touched)
    end
  end
end
`;
