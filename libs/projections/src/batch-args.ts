import { Keys } from '@feed/keys';
import type { MarketEventV1, QuoteV1, StreamStatusV1, TradeV1 } from '@feed/price-types';
import { HEADER, STRIDE } from './apply-script';
import { legacyHistoryEntry, legacyLastPrice, legacyUpdateTime } from './legacy-v3';
import { candleHeader, pushCandleTradeArgs } from './candle-args';
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

/** Appends a trade's STRIDE arguments to `out` (no intermediate arrays: this runs for every trade applied or replayed). */
function pushTradeArgs(out: string[], t: TradeV1, ctx: ApplyContext, expire: Set<string>): void {
  const slot = dedupeSlot(ctx.keys, t);
  expire.add(slot.key);
  const legacy = isLegacySource(t, ctx.legacy);
  out.push(
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
  );
  pushCandleTradeArgs(out, t, ctx.candles ?? DEFAULT_CANDLE_SETTINGS);
}

/** Total order of quotes: venue time, venue, then the update id (or the event id's venue part). */
export function quoteSortKey(q: QuoteV1): string {
  const raw = q.updateId ?? q.id.slice(q.id.indexOf(':', q.id.indexOf(':', q.id.indexOf(':') + 1) + 1) + 1);
  const id = /^\d{1,20}$/.test(raw) ? raw.padStart(20, '0') : raw;
  return `${String(q.venueTimeUs).padStart(16, '0')}:${q.venue}:${id}`;
}

function pushPadded(out: string[], args: string[]): void {
  out.push(...args);
  for (let i = args.length; i < STRIDE; i++) out.push('');
}

function quoteArgs(q: QuoteV1, ctx: ApplyContext): string[] {
  return ['quote', 'n', '', '', ctx.keys.latestQuote(q.symbol, q.venue), quoteSortKey(q), JSON.stringify(q)];
}

function statusArgs(s: StreamStatusV1, ctx: ApplyContext): string[] {
  return ['status', 'n', '', '', ctx.keys.status(s.symbol, s.venue, s.channel), s.ingestId, String(s.recvTimeUs), JSON.stringify(s)];
}

/**
 * Pure: a batch of events -> the apply script's ARGV (header, events, then the dedupe keys to expire), plus the
 * index of each event in the script's result. Event types this version does not project (gap) are skipped here
 * and reported, never silently applied half-way. Built in one array: at 1,000 events a batch is ~21,000 arguments.
 */
export function buildApplyArgs(batch: SequencedEvent[], ctx: ApplyContext): { argv: string[]; projected: number[]; skipped: number[] } {
  const k = ctx.keys;
  const L = Keys.legacy;
  const argv = [
    String(ctx.recentTradesMax),
    String(ctx.dedupeTtlSeconds),
    ctx.publish ? '1' : '0',
    k.checkpoint(ctx.group),
    '0', // maxSeq, set below
    k.legacyHistoryIndex(),
    k.legacyLastMarker(),
    L.lastPrice,
    L.updateTime,
    L.history,
    L.currentExchange,
    L.channel,
    ctx.legacy.defaultVenue,
    ...candleHeader(ctx.keys, ctx.candles ?? DEFAULT_CANDLE_SETTINGS),
    '0', // nExpire, set below
  ];
  if (argv.length !== HEADER) throw new Error('apply header layout mismatch');
  const expire = new Set<string>();
  const projected: number[] = [];
  const skipped: number[] = [];
  let maxSeq = 0;
  for (let i = 0; i < batch.length; i++) {
    const { ev, seq } = batch[i] as SequencedEvent;
    if (seq > maxSeq) maxSeq = seq;
    if (ev.type === 'trade') pushTradeArgs(argv, ev, ctx, expire);
    else if (ev.type === 'quote') pushPadded(argv, quoteArgs(ev, ctx));
    else if (ev.type === 'status') pushPadded(argv, statusArgs(ev, ctx));
    else {
      skipped.push(i);
      continue;
    }
    projected.push(i);
  }
  argv[4] = String(maxSeq);
  argv[HEADER - 1] = String(expire.size);
  for (const key of expire) argv.push(key);
  return { argv, projected, skipped };
}
