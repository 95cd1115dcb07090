import type { TradeV1 } from '@feed/price-types';
import { streamTradeItem, tradeView } from './format';
import { latestPrices, parseStatusHash, summarizeStatus, venuePrice, type IngestStatus } from './staleness';

const S = 1_000_000;
const NOW = 1_795_939_333_010_918; // 2026-11-29T...
const STALE_AFTER = 10 * S;

function trade(over: Partial<TradeV1> = {}): TradeV1 {
  return {
    v: 1,
    id: 'trade:binance:BTC-USDT:42',
    venue: 'binance',
    symbol: 'BTC-USDT',
    source: 'live',
    recvTimeUs: NOW - 2 * S,
    type: 'trade',
    tradeId: '42',
    price: '97000.5',
    size: '0.01',
    side: 'buy',
    venueTimeUs: NOW - 2 * S - 1234,
    ...over,
  };
}

describe('format', () => {
  it('shows times as ISO-8601 UTC with microseconds and keeps every TradeV1 field', () => {
    const t = trade({ venueTimeUs: 1_795_939_333_010_918, recvTimeUs: 1_795_939_333_011_000 });
    const v = tradeView(t);
    expect(v.venueTime).toBe('2026-11-29T08:02:13.010918Z');
    expect(v.recvTime).toBe('2026-11-29T08:02:13.011000Z');
    expect(v).toMatchObject(t);
  });

  it('stream items carry seq, source, stale=false and asOf = venue time (decision 11)', () => {
    const t = trade();
    const item = streamTradeItem(t, 77);
    expect(item.seq).toBe(77);
    expect(item.source).toBe('live');
    expect(item.stale).toBe(false);
    expect(item.asOf).toBe(item.venueTime);
  });

  it('when a validated trade (with or without a trace id) becomes a stream item, then its JSON is exactly the spread of its view', () => {
    for (const t of [trade(), trade({ traceId: '0af7651916cd43dd8448eb211c80319c' })]) {
      expect(JSON.stringify(streamTradeItem(t, 9))).toBe(JSON.stringify({ seq: 9, ...tradeView(t), stale: false, asOf: tradeView(t).venueTime }));
    }
    expect(JSON.stringify(streamTradeItem(trade(), 9))).toBe(
      '{"seq":9,"v":1,"id":"trade:binance:BTC-USDT:42","venue":"binance","symbol":"BTC-USDT","source":"live","recvTimeUs":1795939331010918,' +
        '"type":"trade","tradeId":"42","price":"97000.5","size":"0.01","side":"buy","venueTimeUs":1795939331009684,' +
        '"venueTime":"2026-11-29T08:02:11.009684Z","recvTime":"2026-11-29T08:02:11.010918Z","stale":false,"asOf":"2026-11-29T08:02:11.009684Z"}',
    );
  });
});

describe('parseStatusHash', () => {
  it('reads the JSON fields and skips the :t companions and corrupt values', () => {
    const hash = {
      'ing-a': JSON.stringify({ state: 'live', recvTimeUs: NOW - S }),
      'ing-a:t': String(NOW - S),
      'host:7': JSON.stringify({ state: 'stale', recvTimeUs: NOW - 3 * S }),
      'host:7:t': String(NOW - 3 * S),
      broken: '{not json',
      odd: JSON.stringify({ state: 'dancing', recvTimeUs: NOW }),
    };
    expect(parseStatusHash(hash).sort((a, b) => a.recvTimeUs - b.recvTimeUs)).toEqual([
      { state: 'stale', recvTimeUs: NOW - 3 * S },
      { state: 'live', recvTimeUs: NOW - S },
    ]);
  });
});

describe('summarizeStatus', () => {
  const st = (state: IngestStatus['state'], ageS: number): IngestStatus => ({ state, recvTimeUs: NOW - ageS * S });

  it('is unknown without any status', () => {
    expect(summarizeStatus([], NOW, STALE_AFTER)).toEqual({ state: 'unknown', freshestUs: null, liveUs: null });
  });

  it('takes the best state across ingest instances: live > stale > reconnecting > down', () => {
    expect(summarizeStatus([st('down', 1), st('reconnecting', 1), st('stale', 2)], NOW, STALE_AFTER).state).toBe('stale');
    expect(summarizeStatus([st('down', 1), st('live', 3)], NOW, STALE_AFTER).state).toBe('live');
    expect(summarizeStatus([st('down', 1), st('reconnecting', 2)], NOW, STALE_AFTER).state).toBe('reconnecting');
  });

  it('does not let a long-silent instance that last said live outvote the current one', () => {
    const s = summarizeStatus([st('live', 3600), st('reconnecting', 1)], NOW, STALE_AFTER);
    expect(s.state).toBe('reconnecting');
    expect(s.freshestUs).toBe(NOW - S);
  });

  it('falls back to every record when none is recent', () => {
    const s = summarizeStatus([st('live', 60), st('down', 30)], NOW, STALE_AFTER);
    expect(s.state).toBe('live');
    expect(s.freshestUs).toBe(NOW - 30 * S);
  });
});

describe('venuePrice staleness', () => {
  const live = (ageS: number) => summarizeStatus([{ state: 'live', recvTimeUs: NOW - ageS * S }], NOW, STALE_AFTER);

  it('is fresh when live and the heartbeat is recent; asOf is the newer of trade time and live heartbeat', () => {
    const v = venuePrice(trade(), live(1), NOW, STALE_AFTER);
    expect(v).toMatchObject({ venue: 'binance', price: '97000.5', state: 'live', stale: false, source: 'live' });
    expect(v.asOf).toBe(tradeView({ ...trade(), venueTimeUs: NOW - S }).venueTime);
  });

  it('is stale when the state is not live, even with a fresh heartbeat', () => {
    const s = summarizeStatus([{ state: 'reconnecting', recvTimeUs: NOW - S }], NOW, STALE_AFTER);
    const v = venuePrice(trade(), s, NOW, STALE_AFTER);
    expect(v).toMatchObject({ state: 'reconnecting', stale: true });
    expect(v.asOf).toBe(v.venueTime);
  });

  it('is stale when the freshest heartbeat is older than the bound (wall clock)', () => {
    expect(venuePrice(trade(), live(10.5), NOW, STALE_AFTER).stale).toBe(true);
    expect(venuePrice(trade(), live(9.5), NOW, STALE_AFTER).stale).toBe(false);
  });

  it('without any status: stale only when the trade was received longer ago than the bound', () => {
    const none = summarizeStatus([], NOW, STALE_AFTER);
    expect(venuePrice(trade({ recvTimeUs: NOW - 9 * S }), none, NOW, STALE_AFTER)).toMatchObject({ state: 'unknown', stale: false });
    expect(venuePrice(trade({ recvTimeUs: NOW - 11 * S }), none, NOW, STALE_AFTER)).toMatchObject({ state: 'unknown', stale: true });
  });
});

describe('latestPrices', () => {
  it('top-level asOf is the newest venue asOf and stale only when every venue is stale', () => {
    const none = summarizeStatus([], NOW, STALE_AFTER);
    const a = venuePrice(trade({ venueTimeUs: NOW - 5 * S, recvTimeUs: NOW - 5 * S }), none, NOW, STALE_AFTER);
    const b = venuePrice(trade({ venue: 'okx', venueTimeUs: NOW - 20 * S, recvTimeUs: NOW - 20 * S }), none, NOW, STALE_AFTER);
    const r = latestPrices('BTC-USDT', [b, a]);
    expect(r.asOf).toBe(a.asOf);
    expect(r.stale).toBe(false);
    expect(latestPrices('BTC-USDT', [b]).stale).toBe(true);
    expect(latestPrices('BTC-USDT', [])).toEqual({ symbol: 'BTC-USDT', asOf: null, stale: true, venues: [] });
  });
});
