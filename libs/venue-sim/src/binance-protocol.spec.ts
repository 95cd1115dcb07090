import { canonicalText, fixedText, unitsOf } from './decimal-text';
import { Market } from './market';
import { BTC_SPEC } from './price-walk';
import { binance, COMBINED, RAW } from './protocols/binance';
import { sampleTrade } from './spec-helpers';
import { HOSTILE_KINDS } from './types';

const trade = sampleTrade({ tradeId: '9007199254740993' });

describe('decimal text', () => {
  it('writes fixed digits without floats and canonicalises', () => {
    expect(fixedText(6723401, 2, 8)).toBe('67234.01000000');
    expect(fixedText(120000, 8, 8)).toBe('0.00120000');
    expect(fixedText(5, 2, 8)).toBe('0.05000000');
    expect(fixedText(-100, 2, 8)).toBe('-1.00000000');
    expect(canonicalText('67234.01000000')).toBe('67234.01');
    expect(canonicalText('67000.00000000')).toBe('67000');
    expect(canonicalText('0.00120000')).toBe('0.0012');
    expect(unitsOf('67000.5', 2)).toBe(6700050);
    expect(() => unitsOf('1.001', 2)).toThrow(RangeError);
  });
});

describe('binance protocol', () => {
  it('encodes a trade exactly like Binance, id digit for digit', () => {
    expect(binance.encodeTrade(trade)).toBe(
      '{"e":"trade","E":1700000000124,"s":"BTCUSDT","t":9007199254740993,"p":"67234.01000000","q":"0.00120000","T":1700000000123,"m":true,"M":true}',
    );
    expect(binance.frame(COMBINED, 'btcusdt@trade', '{}')).toBe('{"stream":"btcusdt@trade","data":{}}');
    expect(binance.frame(RAW, 'btcusdt@trade', '{}')).toBe('{}');
  });

  it('accepts raw and combined paths and refuses bad ones', () => {
    const q = (s: string): URLSearchParams => new URLSearchParams(s);
    expect(binance.accept('/ws/btcusdt@trade', q(''))).toEqual({ ok: true, framing: RAW, streams: ['btcusdt@trade'] });
    expect(binance.accept('/ws', q(''))).toEqual({ ok: true, framing: RAW, streams: [] });
    expect(binance.accept('/stream', q('streams=btcusdt@trade/ethusdt@trade'))).toEqual({ ok: true, framing: COMBINED, streams: ['btcusdt@trade', 'ethusdt@trade'] });
    expect(binance.accept('/ws/BTCUSDT@trade', q(''))).toMatchObject({ ok: false, status: 400 });
    expect(binance.accept('/nope', q(''))).toMatchObject({ ok: false, status: 404 });
  });

  it('answers SUBSCRIBE/UNSUBSCRIBE/LIST_SUBSCRIPTIONS and closes on malformed requests', () => {
    const session = { framing: COMBINED, streams: new Set(['btcusdt@trade']) };
    expect(binance.onMessage('{"method":"SUBSCRIBE","params":["ethusdt@trade"],"id":1}', session)).toEqual({ subscribe: ['ethusdt@trade'], reply: '{"result":null,"id":1}' });
    expect(binance.onMessage('{"method":"UNSUBSCRIBE","params":["btcusdt@trade"],"id":"a1"}', session)).toEqual({ unsubscribe: ['btcusdt@trade'], reply: '{"result":null,"id":"a1"}' });
    expect(binance.onMessage('{"method":"SUBSCRIBE","params":["btcusdt@trade"],"id":9223372036854775807}', session).reply).toBe('{"result":null,"id":9223372036854775807}');
    expect(binance.onMessage('{"method":"LIST_SUBSCRIPTIONS","id":3}', session).reply).toBe('{"result":["btcusdt@trade"],"id":3}');
    for (const bad of ['nope', '[]', '{"method":"SUBSCRIBE","params":["btcusdt@trade"]}', '{"method":"SUBSCRIBE","params":[],"id":1}', '{"method":"SUBSCRIBE","params":["BTC"],"id":1}', '{"method":"FOO","id":1}', '{"method":"SUBSCRIBE","params":["btcusdt@trade"],"id":"bad id!"}']) {
      expect(binance.onMessage(bad, session).close?.code).toBe(1008);
    }
  });

  it('builds every hostile kind as specified', () => {
    const h = (k: (typeof HOSTILE_KINDS)[number], pad = ''): string => binance.encodeHostile(k, trade, '4999999999', pad);
    const p = (k: (typeof HOSTILE_KINDS)[number]): unknown => (JSON.parse(h(k)) as Record<string, unknown>)['p'];
    expect(p('non_numeric')).toBe('abc');
    expect(p('negative')).toBe('-1.00000000');
    expect(p('nan')).toBe('NaN');
    expect(p('infinity')).toBe('Infinity');
    expect((JSON.parse(h('zero_size')) as Record<string, unknown>)['q']).toBe('0.00000000');
    expect(JSON.parse(h('wrong_types'))).toMatchObject({ p: 67234.01, t: 'x' });
    expect('p' in (JSON.parse(h('missing_field')) as object)).toBe(false);
    expect(JSON.parse(h('unknown_type'))).toMatchObject({ e: 'weird' });
    expect(h('not_json')).toBe('{"e":"trade",');
    expect(() => JSON.parse(h('not_json'))).toThrow();
    expect(JSON.parse(h('oversize', 'xxx'))).toMatchObject({ e: 'trade', z: 'xxx', t: 4999999999 });
  });
});

describe('market', () => {
  const mk = (seed: number): Market =>
    new Market({ venue: 'binance', symbol: 'BTCUSDT', spec: BTC_SPEC, seed, firstTradeId: 5_000_000_000n, rate: 1, maxTrades: 3000 });

  it('is reproducible from the seed, stays near 67,000 on the tick grid, sizes 0.00001..0.5, ids +1', () => {
    const a = mk(7).generate(5000, 1);
    const b = mk(7).generate(5000, 1);
    expect(a.length).toBe(3000); // maxTrades
    expect(a.map((t) => [t.priceUnits, t.qtyUnits, t.buyerIsMaker])).toEqual(b.map((t) => [t.priceUnits, t.qtyUnits, t.buyerIsMaker]));
    expect(mk(8).generate(50, 1).map((t) => t.qtyUnits)).not.toEqual(a.slice(0, 50).map((t) => t.qtyUnits));
    a.forEach((t, i) => {
      expect(t.tradeId).toBe(String(5_000_000_000 + i));
      expect(t.priceUnits).toBeGreaterThan(6_500_000);
      expect(t.priceUnits).toBeLessThan(6_900_000);
      expect(t.qtyUnits % 1000).toBe(0);
      expect(t.qtyUnits).toBeGreaterThanOrEqual(1000);
      expect(t.qtyUnits).toBeLessThanOrEqual(50_000_000);
    });
  });
});
