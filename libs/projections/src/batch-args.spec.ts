import { Keys } from '@feed/keys';
import { mulberry32 } from '@feed/venue-sim';
import type { TradeV1, VenueId } from '@feed/price-types';
import { HEADER, STRIDE } from './apply-script';
import { buildApplyArgs, dedupeSlot, quoteSortKey, tradeSortKey } from './batch-args';
import { PREFIX, T0, context, gap, quote, status, trade } from './fixtures/events';

const keys = new Keys(PREFIX);

describe('given the dedupe slot of a trade (decision 2)', () => {
  it('when the venue id is a small number then it is one bit of chunk 0 of the stream bitmap', () => {
    expect(dedupeSlot(keys, trade({ tradeId: '12345' }))).toEqual({ mode: 'b', key: 'tst:dedupe:b:trade:binance:BTC-USDT:0', member: '12345' });
  });

  it('when the id crosses a 2^20 boundary then the chunk advances and the bit restarts at 0', () => {
    expect(dedupeSlot(keys, trade({ tradeId: '1048575' }))).toEqual({ mode: 'b', key: 'tst:dedupe:b:trade:binance:BTC-USDT:0', member: '1048575' });
    expect(dedupeSlot(keys, trade({ tradeId: '1048576' }))).toEqual({ mode: 'b', key: 'tst:dedupe:b:trade:binance:BTC-USDT:1', member: '0' });
    expect(dedupeSlot(keys, trade({ tradeId: '3145729' }))).toEqual({ mode: 'b', key: 'tst:dedupe:b:trade:binance:BTC-USDT:3', member: '1' });
  });

  it('when the id is above 2^53 then chunk and bit are exact (a float would merge 2^53 and 2^53+1)', () => {
    // 2^53 = 9007199254740992 = 2^33 chunks of 2^20; 2^33 = 8589934592.
    expect(dedupeSlot(keys, trade({ tradeId: '9007199254740992' }))).toEqual({ mode: 'b', key: 'tst:dedupe:b:trade:binance:BTC-USDT:8589934592', member: '0' });
    expect(dedupeSlot(keys, trade({ tradeId: '9007199254740993' }))).toEqual({ mode: 'b', key: 'tst:dedupe:b:trade:binance:BTC-USDT:8589934592', member: '1' });
    // 2^64 - 1: chunk 2^44 - 1 = 17592186044415, bit 2^20 - 1 = 1048575.
    expect(dedupeSlot(keys, trade({ tradeId: '18446744073709551615' }))).toEqual({
      mode: 'b',
      key: 'tst:dedupe:b:trade:binance:BTC-USDT:17592186044415',
      member: '1048575',
    });
  });

  it('when the id is not numeric then it is a member of the stream-hour set', () => {
    // T0 = 1795939333.010918 s; 1795939333 / 3600 = 498872.03...
    expect(dedupeSlot(keys, trade({ venue: 'bybit', tradeId: 'a3f1-77', venueTimeUs: T0 }))).toEqual({
      mode: 's',
      key: 'tst:dedupe:s:trade:bybit:BTC-USDT:498872',
      member: 'a3f1-77',
    });
    // The last µs of that hour and the first of the next land in different sets.
    const hourEnd = 498_873 * 3_600_000_000 - 1;
    expect(dedupeSlot(keys, trade({ venue: 'bybit', tradeId: 'x', venueTimeUs: hourEnd })).key).toBe('tst:dedupe:s:trade:bybit:BTC-USDT:498872');
    expect(dedupeSlot(keys, trade({ venue: 'bybit', tradeId: 'x', venueTimeUs: hourEnd + 1 })).key).toBe('tst:dedupe:s:trade:bybit:BTC-USDT:498873');
  });

  it('when two venues or symbols share an id then their slots differ', () => {
    const a = dedupeSlot(keys, trade({ tradeId: '7' }));
    const b = dedupeSlot(keys, trade({ venue: 'okx', tradeId: '7' }));
    const c = dedupeSlot(keys, trade({ symbol: 'ETH-USDT', tradeId: '7' }));
    expect(new Set([a.key, b.key, c.key]).size).toBe(3);
  });
});

describe('given trade sort keys', () => {
  it('when formatted then time is 16 digits, venue as is, numeric ids padded to 20 digits', () => {
    expect(tradeSortKey(trade({ tradeId: '12345', venueTimeUs: T0 }))).toBe('1795939333010918:binance:00000000000000012345');
    expect(tradeSortKey(trade({ venue: 'bybit', tradeId: 'a3f1-77', venueTimeUs: T0 }))).toBe('1795939333010918:bybit:a3f1-77');
  });

  it('when compared as text then the order is (venue time, venue, numeric id) for thousands of random trades', () => {
    const rand = mulberry32(20261129);
    const venues: VenueId[] = ['binance', 'okx', 'coinbase'];
    const bigBase = 2n ** 53n;
    const trades: TradeV1[] = [];
    for (let i = 0; i < 5_000; i++) {
      const venueTimeUs = T0 + Math.floor(rand() * 40) * 1_000; // many equal times
      const venue = venues[Math.floor(rand() * venues.length)] as VenueId;
      const kind = rand();
      const id = kind < 0.3 ? String(Math.floor(rand() * 1_000)) : kind < 0.6 ? String(Math.floor(rand() * 1e12)) : String(bigBase + BigInt(Math.floor(rand() * 1_000)));
      trades.push(trade({ venue, tradeId: id, venueTimeUs }));
    }
    const byTuple = [...trades].sort((a, b) => {
      if (a.venueTimeUs !== b.venueTimeUs) return a.venueTimeUs - b.venueTimeUs;
      if (a.venue !== b.venue) return a.venue < b.venue ? -1 : 1;
      const x = BigInt(a.tradeId);
      const y = BigInt(b.tradeId);
      return x < y ? -1 : x > y ? 1 : 0;
    });
    const byText = [...trades].sort((a, b) => {
      const x = tradeSortKey(a);
      const y = tradeSortKey(b);
      return x < y ? -1 : x > y ? 1 : 0;
    });
    expect(byText.map((t) => `${t.venueTimeUs}/${t.venue}/${t.tradeId}`)).toEqual(byTuple.map((t) => `${t.venueTimeUs}/${t.venue}/${t.tradeId}`));
  });

  it('when ids straddle 2^53 then text order still separates neighbours a float would merge', () => {
    const a = tradeSortKey(trade({ tradeId: '9007199254740992' }));
    const b = tradeSortKey(trade({ tradeId: '9007199254740993' }));
    const c = tradeSortKey(trade({ tradeId: '10000000000000000000' }));
    expect(a < b && b < c).toBe(true);
  });

  it('when a later trade has a smaller id then time still decides', () => {
    expect(tradeSortKey(trade({ tradeId: '999', venueTimeUs: T0 })) < tradeSortKey(trade({ tradeId: '1', venueTimeUs: T0 + 1 }))).toBe(true);
  });
});

describe('given quotes', () => {
  it('when sorted then venue time decides, then the update id as a number, and the hash form sorts by its text', () => {
    const a = quoteSortKey(quote(T0));
    const b = quoteSortKey({ ...quote(T0), updateId: '1000000000' });
    const c = quoteSortKey(quote(T0 + 1));
    expect(a < b && b < c).toBe(true);
    const { updateId: _u, ...noId } = quote(T0);
    expect(quoteSortKey({ ...noId, id: `quote:kraken:BTC-USD:${T0}:abcdef0123456789`, venue: 'kraken' })).toBe(`${T0}:kraken:${T0}:abcdef0123456789`);
  });

  it('when built then a quote takes one STRIDE-wide slot with its latest-quote key, sort key and JSON, and no dedupe mark', () => {
    const q = quote(T0);
    const { argv, projected } = buildApplyArgs([{ ev: q, seq: 7 }], context());
    expect(projected).toEqual([0]);
    expect(argv.slice(HEADER)).toEqual(['quote', 'n', '', '', 'tst:latest:quote:BTC-USDT:binance', quoteSortKey(q), JSON.stringify(q), ...Array<string>(STRIDE - 7).fill('')]);
  });
});

describe('given a batch of events to apply', () => {
  const t = trade({ tradeId: '12345', venueTimeUs: T0 });
  const s = status({ recvTimeUs: T0 + 5_000 });
  const g = gap(T0);

  it('when built then the ARGV layout is header, expire keys, then one STRIDE-wide slot per projected event', () => {
    const { argv, projected, skipped } = buildApplyArgs(
      [
        { ev: t, seq: 41 },
        { ev: g, seq: 43 },
        { ev: s, seq: 42 },
      ],
      context({ recentTradesMax: 500, dedupeTtlSeconds: 777 }),
    );
    expect(HEADER).toBe(19);
    expect(STRIDE).toBe(21);
    expect(projected).toEqual([0, 2]);
    expect(skipped).toEqual([1]);
    expect(argv).toEqual([
      '500',
      '777',
      '1',
      'tst:checkpoint:main',
      '43',
      'tst:legacy:history',
      'tst:legacy:last',
      'last_btc_price',
      'last_btc_update_time',
      'btc_movement_history',
      'current_exchange',
      'btc_price',
      'binance',
      // candle header: prefixes, close delay and finality (ms), intervals with retention
      'tst:candle:',
      'tst:candles:',
      '2000',
      '60000',
      '1s:1:7200,1m:60:10080,5m:300:8640,15m:900:8640,1h:3600:8760,4h:14400:4380,1d:86400:3650',
      '1',
      // trade
      'trade',
      'b',
      'tst:dedupe:b:trade:binance:BTC-USDT:0',
      '12345',
      'tst:latest:trade:BTC-USDT:binance',
      '1795939333010918:binance:00000000000000012345',
      JSON.stringify(t),
      'tst:trades:BTC-USDT',
      '1795939333010918',
      '1',
      '{"price": 60001.26, "timestamp": "2026-11-29T08:02:13.010918+00:00", "volume": 0.01}',
      '60001.26',
      '1795939333.010918',
      'binance',
      // candle fields: on, 1s bar start, price, receive time, volume limbs (0.01 x 1e18), notional limbs (600.0126 x 1e36)
      '1',
      '1795939333',
      '60001.26',
      String(T0 + 1_500),
      '1:10000000',
      '3:12600000,4:600',
      'BTC-USDT',
      // status, padded to STRIDE
      'status',
      'n',
      '',
      '',
      'tst:status:BTC-USDT:binance:trade',
      'ingest-a',
      String(T0 + 5_000),
      JSON.stringify(s),
      ...Array<string>(STRIDE - 8).fill(''),
      // then the dedupe keys to expire (nExpire = 1 above)
      'tst:dedupe:b:trade:binance:BTC-USDT:0',
    ]);
    expect((argv.length - HEADER - 1) % STRIDE).toBe(0);
  });

  it('when publish is off (replay) then the header says 0 and nothing else changes', () => {
    const on = buildApplyArgs([{ ev: t, seq: 1 }], context()).argv;
    const off = buildApplyArgs([{ ev: t, seq: 1 }], context({ publish: false })).argv;
    expect(off[2]).toBe('0');
    expect([...off.slice(0, 2), ...off.slice(3)]).toEqual([...on.slice(0, 2), ...on.slice(3)]);
  });

  it('when several trades share a dedupe chunk then the chunk is listed once for EXPIRE', () => {
    const batch = ['1', '2', '1048577', '3'].map((id, i) => ({ ev: trade({ tradeId: id }), seq: i + 1 }));
    const { argv } = buildApplyArgs(batch, context());
    expect(argv[HEADER - 1]).toBe('2');
    expect(argv.slice(-2)).toEqual(['tst:dedupe:b:trade:binance:BTC-USDT:0', 'tst:dedupe:b:trade:binance:BTC-USDT:1']);
    expect(argv.length).toBe(HEADER + 4 * STRIDE + 2);
  });

  it('when the trade is not from the legacy source then the legacy slots are empty', () => {
    const cases: Array<[TradeV1, ReturnType<typeof context>]> = [
      [trade({ venue: 'okx', tradeId: '5' }), context()],
      [trade({ symbol: 'ETH-USDT', tradeId: '5' }), context()],
      [trade({ tradeId: '5', source: 'simulated' }), context()],
      [trade({ tradeId: '5' }), context({ legacy: { enabled: false } })],
    ];
    for (const [ev, ctx] of cases) {
      const { argv } = buildApplyArgs([{ ev, seq: 1 }], ctx);
      const o = HEADER; // 18 header args and nExpire; the expire keys follow the events
      expect(argv.slice(o + 9, o + 13)).toEqual(['0', '', '', '']);
    }
  });

  it('when a simulated trade is allowed for legacy then it fills the legacy slots', () => {
    const { argv } = buildApplyArgs([{ ev: trade({ tradeId: '5', source: 'simulated' }), seq: 1 }], context({ legacy: { allowSimulated: true } }));
    expect(argv[HEADER + 9]).toBe('1');
  });

  it('when the legacy source is not the default venue then entries carry "exchange"', () => {
    const ev = trade({ venue: 'kraken', symbol: 'BTC-USD', tradeId: '5' });
    const { argv } = buildApplyArgs([{ ev, seq: 1 }], context({ legacy: { venue: 'kraken', symbol: 'BTC-USD' } }));
    expect(argv[HEADER + 10]).toBe('{"price": 60001.26, "timestamp": "2026-11-29T08:02:13.010918+00:00", "volume": 0.01, "exchange": "kraken"}');
    expect(argv[HEADER + 13]).toBe('kraken');
  });

  it('when the batch is empty then the ARGV is the header with no events and sequence 0', () => {
    const { argv, projected, skipped } = buildApplyArgs([], context());
    expect(argv).toHaveLength(HEADER);
    expect(argv[4]).toBe('0');
    expect(argv[HEADER - 1]).toBe('0');
    expect(projected).toEqual([]);
    expect(skipped).toEqual([]);
  });
});
