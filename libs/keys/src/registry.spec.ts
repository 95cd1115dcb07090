import { familyOf, keyFamilies, Keys, type KeyFamily } from './registry';

/** The families a key matches, checked one family at a time so that overlaps show (familyOf stops at the first). */
function matching(key: string, families: KeyFamily[]): string[] {
  return families.filter((f) => familyOf(key, [f]) !== undefined).map((f) => f.name);
}

describe('keyFamilies', () => {
  it('has unique names and patterns, and only the legacy v3 families are unprefixed', () => {
    const fams = keyFamilies('feed:');
    expect(new Set(fams.map((f) => f.name)).size).toBe(fams.length);
    expect(new Set(fams.map((f) => f.pattern)).size).toBe(fams.length);
    for (const f of fams) {
      expect(f.pattern.startsWith('feed:')).toBe(!f.legacy);
      expect(f.bound.length).toBeGreaterThan(0);
      expect(f.description.length).toBeGreaterThan(0);
    }
    expect(fams.filter((f) => f.legacy).map((f) => f.pattern).sort()).toEqual(['btc_candle_*min', 'btc_candles_*min', 'btc_movement_history', 'current_exchange', 'last_btc_price', 'last_btc_update_time']);
  });
});

describe('familyOf: every key the Keys builders produce maps to exactly one family', () => {
  // One row per builder method; the test below fails when a builder is added without a row here.
  const cases = (k: Keys): Array<[method: string, key: string, family: string]> => [
    ['dedupeBits', k.dedupeBits('binance.trade.BTC-USDT', 7), 'dedupe-bits'],
    ['dedupeBits', k.dedupeBits('binance.trade.BTC-USDT', 2n ** 60n), 'dedupe-bits'],
    ['dedupeSet', k.dedupeSet('bybit.trade.BTC-USDT', 482_113), 'dedupe-set'],
    ['latestTrade', k.latestTrade('BTC-USDT', 'binance'), 'latest-trade'],
    ['latestTradePattern', k.latestTradePattern('BTC-USDT'), 'latest-trade'],
    ['latestQuote', k.latestQuote('BTC-USDT', 'binance'), 'latest-quote'],
    ['recentTrades', k.recentTrades('BTC-USD'), 'recent-trades'],
    ['status', k.status('BTC-USDT', 'kraken', 'quote'), 'stream-status'],
    ['statusPattern', k.statusPattern(), 'stream-status'],
    ['statusPattern', k.statusPattern('BTC-EUR'), 'stream-status'],
    ['checkpoint', k.checkpoint('standby'), 'checkpoint'],
    ['indexInput', k.indexInput('BTC-USD', 'kraken', 'q'), 'index-input'],
    ['indexInput', k.indexInput('BTC-USDT', 'okx', 't'), 'index-input'],
    ['indexWatermark', k.indexWatermark('BTC-USD'), 'index-watermark'],
    ['indexHistory', k.indexHistory('BTC-USDT'), 'index-history'],
    ['indexMinutes', k.indexMinutes('BTC-USD'), 'index-minutes'],
    ['completeness', k.completeness('BTC-USDT', 'okx', 'trade'), 'completeness'],
    ['legacyHistoryIndex', k.legacyHistoryIndex(), 'legacy-order'],
    ['legacyLastMarker', k.legacyLastMarker(), 'legacy-order'],
    ['candleBar', k.candleBar('BTC-USDT', 'binance', '1s', 1_795_939_333), 'candle-bar'],
    ['candleBar', k.candleBar('BTC-USD', 'all', '1d', 1_795_910_400), 'candle-bar'],
    ['candlePrefix', `${k.candlePrefix()}BTC-USDT:okx:4h:1795939200`, 'candle-bar'],
    ['candleIndex', k.candleIndex('BTC-USDT', 'all', '15m'), 'candle-index'],
    ['candleIndexPrefix', `${k.candleIndexPrefix()}BTC-USDT:okx:1m`, 'candle-index'],
  ];

  it('the table covers every builder method of Keys', () => {
    const methods = Object.getOwnPropertyNames(Keys.prototype).filter((m) => m !== 'constructor').sort();
    expect([...new Set(cases(new Keys('feed:')).map(([m]) => m))].sort()).toEqual(methods);
  });

  it.each(['feed:', 'pv-42:', 'a.b:'])('with key prefix %j', (prefix) => {
    const fams = keyFamilies(prefix);
    for (const [method, key, family] of cases(new Keys(prefix))) {
      expect({ method, key, families: matching(key, fams) }).toEqual({ method, key, families: [family] });
      expect(familyOf(key, fams)?.name).toBe(family);
    }
  });

  it('legacy keys map to their legacy families whatever the prefix', () => {
    const expected: Record<string, string> = {
      [Keys.legacy.lastPrice]: 'legacy-last-price',
      [Keys.legacy.updateTime]: 'legacy-update-time',
      [Keys.legacy.history]: 'legacy-history',
      [Keys.legacy.currentExchange]: 'legacy-current-exchange',
      [Keys.legacyCandle(1)]: 'legacy-candle',
      [Keys.legacyCandle(240)]: 'legacy-candle',
      [Keys.legacyCandles(30)]: 'legacy-candles',
    };
    for (const prefix of ['feed:', 'pv-42:']) {
      const fams = keyFamilies(prefix);
      for (const [key, family] of Object.entries(expected)) {
        expect(matching(key, fams)).toEqual([family]);
        expect(familyOf(key, fams)).toMatchObject({ name: family, legacy: true, projected: true });
      }
    }
    // btc_price is a pub/sub channel, never a key.
    expect(familyOf(Keys.legacy.channel, keyFamilies('feed:'))).toBeUndefined();
  });

  it('each family has a fixed Redis type (dumpState reads keys by it)', () => {
    const byName = Object.fromEntries(keyFamilies('feed:').map((f) => [f.name, f.type]));
    expect(byName).toEqual({
      'dedupe-bits': 'string',
      'dedupe-set': 'set',
      'latest-trade': 'hash',
      'latest-quote': 'hash',
      'recent-trades': 'zset',
      'stream-status': 'hash',
      checkpoint: 'hash',
      completeness: 'zset',
      'legacy-order': 'zset',
      'index-input': 'zset',
      'index-watermark': 'string',
      'index-history': 'zset',
      'index-minutes': 'zset',
      'legacy-last-price': 'string',
      'legacy-update-time': 'string',
      'legacy-history': 'list',
      'legacy-current-exchange': 'string',
      'candle-bar': 'hash',
      'candle-index': 'zset',
      'legacy-candle': 'string',
      'legacy-candles': 'list',
    });
  });
});

describe('familyOf: keys outside the registry map to none', () => {
  const fams = keyFamilies('feed:');
  it.each([
    'feed:unknown:1',
    'feed:trade:BTC-USDT', // singular: not the recent-trades family
    'feed:latest:book:BTC-USDT:binance',
    'other:trades:BTC-USDT', // another deployment's prefix
    'xfeed:trades:BTC-USDT', // the match is anchored at the start
    'feed:trades', // no separator after the family name
    'btc_candle_5', // legacy candle names end in "min"
    'last_btc_price_old', // legacy names match exactly
    'old_last_btc_price',
    'LAST_BTC_PRICE',
    'btc_price',
    '',
  ])('%j', (key) => {
    expect(matching(key, fams)).toEqual([]);
    expect(familyOf(key, fams)).toBeUndefined();
  });

  it('regex characters in a prefix are literal', () => {
    const dotted = keyFamilies('a.b:');
    expect(familyOf('aXb:trades:BTC-USDT', dotted)).toBeUndefined();
    expect(familyOf('a.b:trades:BTC-USDT', dotted)?.name).toBe('recent-trades');
  });

  it('a prefix of a prefix does not capture the longer one', () => {
    // A preview stack `feed-pv:` beside production `feed:` in one Redis: neither registry claims the other's keys.
    expect(familyOf(new Keys('feed-pv:').recentTrades('BTC-USDT'), keyFamilies('feed:'))).toBeUndefined();
    expect(familyOf(new Keys('feed:').recentTrades('BTC-USDT'), keyFamilies('feed-pv:'))).toBeUndefined();
  });
});
