import { Keys } from '@feed/keys';
import type { MarketEventV1, QuoteV1, StreamStatusV1, TradeV1 } from '@feed/price-types';
import { HEADER, STRIDE } from './apply-script';
import { legacyHistoryEntry, legacyLastPrice, legacyUpdateTime } from './legacy-v3';
import { candleHeader, candleTradeArgs } from './candle-args';
import { DEFAULT_CANDLE_SETTINGS, type CandleSettings } from './candle-settings';

export interface LegacySettings {
  enabled: boolean;
  /** The one stream feeding the legacy keys (decision 8): env EXCHANGE, default Binance BTC-USDT. */
  venue: string;
  symbol: string;
  /** The old feed's venue; entries from any other venue carry "exchange" and set current_exchange. */
  defaultVenue: string;
  /** Decision 7: simulated trades never reach legacy keys unless explicitly allowed. */
  allowSimulated: boolean;
}

export interface ApplyContext {
  keys: Keys;
  group: string;
  recentTradesMax: number;
  dedupeTtlSeconds: number;
  /** false during replays: rebuild the keys, never re-publish btc_price. */
  publish: boolean;
  legacy: LegacySettings;
  /** Candle rules (ProjectionSettings.candles); the defaults when absent. Must match across replicas and replays. */
  candles?: CandleSettings;
}

export interface SequencedEvent {
  ev: MarketEventV1;
  /** MD stream sequence. */
  seq: number;
}

const CHUNK_BITS = 20n;
const CHUNK_MASK = (1n << CHUNK_BITS) - 1n;
const HOUR_US = 3_600_000_000;

/**
 * Where an event's "already applied" mark lives (decision 2). Numeric venue ids (most venues: sequential per
 * symbol) use one bit each in 2^20-id bitmap chunks, which bounds memory at 128 KiB per million ids; other ids
 * (hash-form quote ids, UUID-like trade ids) use a set per stream-hour. Both expire after the log's retention.
 */
export function dedupeSlot(keys: Keys, ev: TradeV1): { mode: 'b' | 's'; key: string; member: string } {
  const stream = `${ev.type}:${ev.venue}:${ev.symbol}`;
  if (/^\d{1,20}$/.test(ev.tradeId)) {
    const n = BigInt(ev.tradeId);
    return { mode: 'b', key: keys.dedupeBits(stream, n >> CHUNK_BITS), member: String(n & CHUNK_MASK) };
  }
  return { mode: 's', key: keys.dedupeSet(stream, Math.floor(ev.venueTimeUs / HOUR_US)), member: ev.tradeId };
}

/** Total order of trades, as text: venue time, venue, then trade id (numeric ids padded so text order = number order). */
export function tradeSortKey(t: TradeV1): string {
  const id = /^\d{1,20}$/.test(t.tradeId) ? t.tradeId.padStart(20, '0') : t.tradeId;
  return `${String(t.venueTimeUs).padStart(16, '0')}:${t.venue}:${id}`;
}

function isLegacySource(t: TradeV1, l: LegacySettings): boolean {
  return l.enabled && t.venue === l.venue && t.symbol === l.symbol && (t.source === 'live' || l.allowSimulated);
}

function tradeArgs(t: TradeV1, ctx: ApplyContext, expire: Set<string>): string[] {
  const slot = dedupeSlot(ctx.keys, t);
  expire.add(slot.key);
  const legacy = isLegacySource(t, ctx.legacy);
  return [
    'trade',
    slot.mode,
    slot.key,
    slot.member,
    ctx.keys.latestTrade(t.symbol, t.venue),
    tradeSortKey(t),
    JSON.stringify(t),
    ctx.keys.recentTrades(t.symbol),
    String(t.venueTimeUs),
    legacy ? '1' : '0',
    legacy ? legacyHistoryEntry(t, t.venue !== ctx.legacy.defaultVenue) : '',
    legacy ? legacyLastPrice(t) : '',
    legacy ? legacyUpdateTime(t) : '',
    t.venue,
    ...candleTradeArgs(t, ctx.candles ?? DEFAULT_CANDLE_SETTINGS),
  ];
}

/** Total order of quotes: venue time, venue, then the update id (or the event id's venue part). */
export function quoteSortKey(q: QuoteV1): string {
  const raw = q.updateId ?? q.id.slice(q.id.indexOf(':', q.id.indexOf(':', q.id.indexOf(':') + 1) + 1) + 1);
  const id = /^\d{1,20}$/.test(raw) ? raw.padStart(20, '0') : raw;
  return `${String(q.venueTimeUs).padStart(16, '0')}:${q.venue}:${id}`;
}

function quoteArgs(q: QuoteV1, ctx: ApplyContext): string[] {
  const args = ['quote', 'n', '', '', ctx.keys.latestQuote(q.symbol, q.venue), quoteSortKey(q), JSON.stringify(q)];
  while (args.length < STRIDE) args.push('');
  return args;
}

function statusArgs(s: StreamStatusV1, ctx: ApplyContext): string[] {
  const args = ['status', 'n', '', '', ctx.keys.status(s.symbol, s.venue, s.channel), s.ingestId, String(s.recvTimeUs), JSON.stringify(s)];
  while (args.length < STRIDE) args.push('');
  return args;
}

/**
 * Pure: a batch of events -> the apply script's ARGV, plus the index of each event in the script's result.
 * Event types this version does not project (gap, until gap handling lands) are skipped here and
 * reported, never silently applied half-way.
 */
export function buildApplyArgs(batch: SequencedEvent[], ctx: ApplyContext): { argv: string[]; projected: number[]; skipped: number[] } {
  const expire = new Set<string>();
  const events: string[] = [];
  const projected: number[] = [];
  const skipped: number[] = [];
  let maxSeq = 0;
  batch.forEach(({ ev, seq }, i) => {
    maxSeq = Math.max(maxSeq, seq);
    if (ev.type === 'trade') {
      events.push(...tradeArgs(ev, ctx, expire));
      projected.push(i);
    } else if (ev.type === 'quote') {
      events.push(...quoteArgs(ev, ctx));
      projected.push(i);
    } else if (ev.type === 'status') {
      events.push(...statusArgs(ev, ctx));
      projected.push(i);
    } else {
      skipped.push(i);
    }
  });
  const k = ctx.keys;
  const L = Keys.legacy;
  const header = [
    String(ctx.recentTradesMax),
    String(ctx.dedupeTtlSeconds),
    ctx.publish ? '1' : '0',
    k.checkpoint(ctx.group),
    String(maxSeq),
    k.legacyHistoryIndex(),
    k.legacyLastMarker(),
    L.lastPrice,
    L.updateTime,
    L.history,
    L.currentExchange,
    L.channel,
    ctx.legacy.defaultVenue,
    ...candleHeader(ctx.keys, ctx.candles ?? DEFAULT_CANDLE_SETTINGS),
  ];
  if (header.length !== HEADER - 1) throw new Error('apply header layout mismatch');
  return { argv: [...header, String(expire.size), ...expire, ...events], projected, skipped };
}
