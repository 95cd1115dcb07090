import { Hdr, PoisonError, newHeaders } from '@feed/messaging';
import { ValidationError, type StreamStatusV1, type TradeV1 } from '@feed/price-types';
import type { JsMsg } from '@nats-io/jetstream';
import { decodeRaw } from './decode';
import { MAPPERS } from './mappers';

/*
 * decodeRaw reads only subject, headers and data of a RAW message, so a plain object with those three fields
 * stands in for a JetStream message here (a unit test of a pure decoder; the consumer loop is tested with a real
 * nats-server in libs/messaging).
 */

const PREFIX = 'feed';
const RECV = 1_795_939_333_011_500;
const TRADE = '{"e":"trade","E":1795939333011,"s":"BTCUSDT","t":5000000001,"p":"60001.26","q":"0.01","T":1795939333010,"m":true,"M":true}';

function msg(subject: string, data: string | Uint8Array, hdrs: Record<string, string | undefined> = { [Hdr.recvTimeUs]: String(RECV), [Hdr.source]: 'live' }): JsMsg {
  const h = newHeaders();
  for (const [k, v] of Object.entries(hdrs)) if (v !== undefined) h.set(k, v);
  return { subject, headers: h, data: typeof data === 'string' ? new TextEncoder().encode(data) : data } as unknown as JsMsg;
}

function poison(m: JsMsg): PoisonError {
  try {
    decodeRaw(m, PREFIX);
  } catch (e) {
    if (e instanceof PoisonError) return e;
    throw new Error(`expected PoisonError, got ${String(e)}`);
  }
  throw new Error('expected PoisonError, but the message decoded');
}

function statusEvent(over: Partial<StreamStatusV1> = {}): StreamStatusV1 {
  return {
    v: 1,
    type: 'status',
    id: 'status:binance:BTC-USDT:trade-hb-ingest-1-1795939333',
    venue: 'binance',
    symbol: 'BTC-USDT',
    source: 'live',
    recvTimeUs: RECV,
    channel: 'trade',
    kind: 'heartbeat',
    state: 'live',
    ingestId: 'ingest-1',
    lastFrameUs: RECV - 400,
    frames: 12,
    ...over,
  };
}

describe('given a RAW trade message with valid subject and headers', () => {
  it('when decoded then the mapper gets the venue, the receive time and the source from them', () => {
    const r = decodeRaw(msg('feed.raw.binance.trade.BTC-USDT', TRADE), PREFIX);
    const t = r.events[0] as TradeV1;
    expect(r.events).toHaveLength(1);
    expect(t).toMatchObject({ venue: 'binance', symbol: 'BTC-USDT', recvTimeUs: RECV, source: 'live', tradeId: '5000000001', side: 'sell', venueTimeUs: 1_795_939_333_010_000 });
  });

  it('when the source header says simulated then the event is simulated', () => {
    const r = decodeRaw(msg('feed.raw.binance.trade.BTC-USDT', TRADE, { [Hdr.recvTimeUs]: String(RECV), [Hdr.source]: 'simulated' }), PREFIX);
    expect(r.events[0]?.source).toBe('simulated');
  });

  it('when the payload is invalid market data then the mapper refuses it with a ValidationError', () => {
    expect(() => decodeRaw(msg('feed.raw.binance.trade.BTC-USDT', TRADE.replace('"60001.26"', '"NaN"')), PREFIX)).toThrow(ValidationError);
  });
});

describe('given RAW subjects', () => {
  it.each([
    ['another prefix', 'prod.raw.binance.trade.BTC-USDT'],
    ['too few tokens', 'feed.raw.binance.trade'],
    ['too many tokens', 'feed.raw.binance.trade.BTC-USDT.x'],
    ['an md subject', 'feed.md.binance.trade.BTC-USDT'],
  ])('when the subject has %s then it is poison "bad_subject"', (_what, subject) => {
    expect(poison(msg(subject, TRADE)).reason).toBe('bad_subject');
  });

  it('when the venue token is no known venue then it is poison "unknown_venue"', () => {
    expect(poison(msg('feed.raw.ftx.trade.BTC-USD', TRADE)).reason).toBe('unknown_venue');
  });

  it('when the venue is known but has no mapper yet then it is poison "unknown_venue"', () => {
    // Every known venue has a mapper now: take one out of the registry for the length of this test.
    const kept = MAPPERS.kraken;
    delete MAPPERS.kraken;
    try {
      const e = poison(msg('feed.raw.kraken.trade.BTC-USD', '{}'));
      expect(e.reason).toBe('unknown_venue');
      expect(e.message).toMatch(/no mapper for kraken/);
    } finally {
      if (kept) MAPPERS.kraken = kept;
    }
  });
});

describe('given RAW headers', () => {
  it.each([
    ['Feed-Recv-Us is missing', { [Hdr.source]: 'live' }, 'bad_recv_time'],
    ['Feed-Recv-Us is not a number', { [Hdr.recvTimeUs]: 'soon', [Hdr.source]: 'live' }, 'bad_recv_time'],
    ['Feed-Recv-Us is in milliseconds', { [Hdr.recvTimeUs]: '1795939333011', [Hdr.source]: 'live' }, 'bad_recv_time'],
    ['Feed-Recv-Us has a fraction', { [Hdr.recvTimeUs]: `${RECV}.5`, [Hdr.source]: 'live' }, 'bad_recv_time'],
    ['Feed-Source is missing', { [Hdr.recvTimeUs]: String(RECV) }, 'bad_source'],
    ['Feed-Source is unknown', { [Hdr.recvTimeUs]: String(RECV), [Hdr.source]: 'replayed' }, 'bad_source'],
  ] as Array<[string, Record<string, string>, string]>)('when %s then it is poison %s', (_what, hdrs, reason) => {
    const e = poison(msg('feed.raw.binance.trade.BTC-USDT', TRADE, hdrs));
    expect(e.reason).toBe(reason);
  });

  it('when the message has no headers at all then it is poison "bad_recv_time"', () => {
    const m = { subject: 'feed.raw.binance.trade.BTC-USDT', headers: undefined, data: new TextEncoder().encode(TRADE) } as unknown as JsMsg;
    expect(poison(m).reason).toBe('bad_recv_time');
  });

  it('when the payload is not valid UTF-8 then it is poison "bad_utf8"', () => {
    expect(poison(msg('feed.raw.binance.trade.BTC-USDT', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))).reason).toBe('bad_utf8');
  });
});

describe('given RAW status messages (produced by our own ingest in v1 form)', () => {
  it('when the status is valid and agrees with subject and headers then it passes through unchanged', () => {
    const s = statusEvent({ kind: 'change', state: 'stale', reason: 'no frame for 5000 ms' });
    expect(decodeRaw(msg('feed.raw.binance.status.BTC-USDT', JSON.stringify(s)), PREFIX)).toEqual({ events: [s] });
  });

  it('when the status names another venue than the subject then it is poison "status_mismatch"', () => {
    const s = statusEvent({ venue: 'okx', id: 'status:okx:BTC-USDT:trade-hb-ingest-1-1795939333' });
    expect(poison(msg('feed.raw.binance.status.BTC-USDT', JSON.stringify(s))).reason).toBe('status_mismatch');
  });

  it('when the status names another symbol than the subject then it is poison "status_mismatch"', () => {
    const s = statusEvent({ symbol: 'ETH-USDT', id: 'status:binance:ETH-USDT:trade-hb-ingest-1-1795939333' });
    expect(poison(msg('feed.raw.binance.status.BTC-USDT', JSON.stringify(s))).reason).toBe('status_mismatch');
  });

  it('when the status source disagrees with the Feed-Source header then it is poison "status_mismatch"', () => {
    const s = statusEvent({ source: 'simulated' });
    expect(poison(msg('feed.raw.binance.status.BTC-USDT', JSON.stringify(s))).reason).toBe('status_mismatch');
  });

  it('when the status fails validation then it is refused with the validator\'s code', () => {
    const bad = { ...statusEvent(), state: 'exploded' };
    expect(() => decodeRaw(msg('feed.raw.binance.status.BTC-USDT', JSON.stringify(bad)), PREFIX)).toThrow(expect.objectContaining({ code: 'bad_enum', field: 'state' }));
  });

  it('when the status payload is not JSON then it is refused as bad_json', () => {
    expect(() => decodeRaw(msg('feed.raw.binance.status.BTC-USDT', '{"v":1,'), PREFIX)).toThrow(expect.objectContaining({ name: 'ValidationError', code: 'bad_json' }));
  });
});
