import { SCHEMA_VERSION, type EventTypeV1, type GapV1, type MarketEventV1, type QuoteV1, type StreamStatusV1, type TradeV1 } from './events';
import { eventId, quoteHashId } from './ids';
import { decodeEvent, validateEvent } from './validate';

const T = 1_795_939_333_010_918;

// Typed literals: if a field is renamed, removed or retyped in events.ts, this file stops compiling (typecheck target).
const tradeEv: TradeV1 = {
  v: SCHEMA_VERSION,
  type: 'trade',
  id: eventId('trade', 'binance', 'BTC-USDT', '9007199254740993'),
  venue: 'binance',
  symbol: 'BTC-USDT',
  source: 'live',
  recvTimeUs: T + 900,
  tradeId: '9007199254740993',
  price: '67234.01',
  size: '0.0012',
  side: 'sell',
  venueTimeUs: T,
};

const hash = quoteHashId(T, '67234', '2', '67234.5', '0.1');
const quoteEv: QuoteV1 = {
  v: 1,
  type: 'quote',
  id: eventId('quote', 'kraken', 'BTC-USD', hash),
  venue: 'kraken',
  symbol: 'BTC-USD',
  source: 'simulated',
  recvTimeUs: T + 900,
  bidPrice: '67234',
  bidSize: '2',
  askPrice: '67234.5',
  askSize: '0.1',
  venueTimeUs: T,
};

const statusEv: StreamStatusV1 = {
  v: 1,
  type: 'status',
  id: eventId('status', 'coinbase', 'BTC-USD', 'ingest-a:1795939333'),
  venue: 'coinbase',
  symbol: 'BTC-USD',
  source: 'live',
  recvTimeUs: T,
  channel: 'quote',
  kind: 'change',
  state: 'reconnecting',
  ingestId: 'ingest-a',
  lastFrameUs: null,
  frames: 0,
  reason: 'closed 1006',
};

const gapEv: GapV1 = {
  v: 1,
  type: 'gap',
  id: eventId('gap', 'binance', 'BTC-USDT', '100:105'),
  venue: 'binance',
  symbol: 'BTC-USDT',
  source: 'live',
  recvTimeUs: T,
  channel: 'trade',
  afterId: '100',
  beforeId: '105',
  missing: null,
  detectedAtUs: T,
  state: 'unrepaired',
};

/** Exhaustive over the union: adding an event type without handling it here fails the typecheck. */
function describeEvent(e: MarketEventV1): string {
  switch (e.type) {
    case 'trade':
      return `${e.side} ${e.size} @ ${e.price}`;
    case 'quote':
      return `${e.bidPrice} / ${e.askPrice}`;
    case 'status':
      return `${e.state} (${e.kind})`;
    case 'gap':
      return `${e.afterId}..${e.beforeId}`;
    default: {
      const never: never = e;
      return never;
    }
  }
}

describe('v1 event schemas', () => {
  it('are schema version 1', () => {
    expect(SCHEMA_VERSION).toBe(1);
  });

  it('every example of every type passes its validator unchanged and survives the wire', () => {
    const all: MarketEventV1[] = [tradeEv, quoteEv, statusEv, gapEv];
    const types: EventTypeV1[] = all.map((e) => e.type);
    expect(types).toEqual(['trade', 'quote', 'status', 'gap']);
    for (const e of all) {
      expect(validateEvent(e)).toEqual(e);
      expect(decodeEvent(JSON.stringify(e))).toEqual(e);
    }
  });

  it('narrows on type (discriminated union)', () => {
    expect(describeEvent(tradeEv)).toBe('sell 0.0012 @ 67234.01');
    expect(describeEvent(quoteEv)).toBe('67234 / 67234.5');
    expect(describeEvent(statusEv)).toBe('reconnecting (change)');
    expect(describeEvent(gapEv)).toBe('100..105');
  });

  it('carry times as integer µs and prices as strings (never JS numbers)', () => {
    for (const e of [tradeEv, quoteEv]) {
      expect(Number.isSafeInteger(e.venueTimeUs)).toBe(true);
      expect(Number.isSafeInteger(e.recvTimeUs)).toBe(true);
    }
    expect(typeof tradeEv.price).toBe('string');
    expect(typeof tradeEv.size).toBe('string');
    expect(typeof tradeEv.tradeId).toBe('string');
  });

  it('put the event id first-class: <type>:<venue>:<symbol>:<venue id>', () => {
    expect(tradeEv.id).toBe('trade:binance:BTC-USDT:9007199254740993');
    expect(quoteEv.id).toBe(`quote:kraken:BTC-USD:${T}:${hash.split(':')[1]}`);
  });
});
