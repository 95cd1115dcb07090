import { cleanupAll, startRedis, type RedisServerHandle } from '@feed/testing';
import { Redis } from 'ioredis';
import { dumpState, UnregisteredKeyError } from './dump';
import { familyOf, keyFamilies, Keys, type KeyFamily } from './registry';

jest.setTimeout(30_000);

let server: RedisServerHandle;
let redis: Redis;
const k = new Keys('feed:');
const families = keyFamilies('feed:');

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis({ host: server.host, port: server.port, lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
});

afterAll(async () => {
  redis?.disconnect();
  await cleanupAll();
});

beforeEach(async () => {
  await redis.flushall();
});

/** One key of every registered family, each written in an order that differs from the canonical one. */
async function seedEveryFamily(): Promise<void> {
  // Bitmap: bit 0 set gives the byte 0x80, not valid UTF-8; bit 15 set gives a trailing 0x01.
  await redis.setbit(k.dedupeBits('binance.trade.BTC-USDT', 3), 0, 1);
  await redis.setbit(k.dedupeBits('binance.trade.BTC-USDT', 3), 15, 1);
  await redis.sadd(k.dedupeSet('bybit.trade.BTC-USDT', 482_113), 'zeta', 'alpha', 'Mid', '10', '9');
  await redis.hset(k.latestTrade('BTC-USDT', 'binance'), 'size', '0.5', 'price', '60000.1', 'id', 'trade:binance:BTC-USDT:1');
  await redis.hset(k.latestQuote('BTC-USDT', 'binance'), 'v', '{"bidPrice":"1"}', 'k', '0001');
  // Rank order: by score, then members with equal scores lexicographically.
  await redis.zadd(k.recentTrades('BTC-USDT'), 30, 'c', 10, 'b', 10, 'a', -2.5, 'neg', 1e15, 'big');
  await redis.hset(k.status('BTC-USDT', 'binance', 'trade'), 'ingest-b', '{"state":"live"}', 'ingest-a', '{"state":"stale"}', 'ingest-a:t', '1');
  await redis.hset(k.checkpoint('primary'), 'seq', '42');
  await redis.zadd(k.completeness('BTC-USDT', 'okx', 'trade'), 5, '{"s":"detected"}');
  await redis.zadd(k.legacyHistoryIndex(), 2, 'second', 1, 'first');
  await redis.zadd(k.indexInput('BTC-USD', 'kraken', 'q'), 1795939301, '0001795939300500000:kraken:7|100.5');
  await redis.set(k.indexWatermark('BTC-USD'), '1795939301');
  await redis.zadd(k.indexHistory('BTC-USD'), 1795939301, '{"t":1795939301}');
  await redis.zadd(k.indexMinutes('BTC-USD'), 1795939260, '{"m":1795939260}');
  await redis.set(Keys.legacy.lastPrice, '60000.1');
  await redis.set(Keys.legacy.updateTime, '1700000000.123456');
  await redis.lpush(Keys.legacy.history, 'oldest', 'middle', 'newest');
  await redis.set(Keys.legacy.currentExchange, 'coinbase');
  await redis.hset(k.candleBar('BTC-USDT', 'all', '1m', 1_795_939_320), 'o', '1', 'n', '2', 'c', '3');
  await redis.zadd(k.candleIndex('BTC-USDT', 'binance', '1s'), 1_795_939_321, '1795939321', 1_795_939_320, '1795939320');
  await redis.set(Keys.legacyCandle(30), '{"o": 1.0}');
  await redis.rpush(Keys.legacyCandles(5), '{"t": 2}', '{"t": 1}');
}

const EVERY_FAMILY_DUMP = {
  [Keys.legacy.history]: ['newest', 'middle', 'oldest'],
  [Keys.legacy.currentExchange]: 'coinbase',
  [Keys.legacy.lastPrice]: '60000.1',
  [Keys.legacy.updateTime]: '1700000000.123456',
  'feed:checkpoint:primary': { seq: '42' },
  'feed:completeness:BTC-USDT:okx:trade': [['{"s":"detected"}', '5']],
  'feed:dedupe:b:binance.trade.BTC-USDT:3': `base64:${Buffer.from([0x80, 0x01]).toString('base64')}`,
  'feed:dedupe:s:bybit.trade.BTC-USDT:482113': ['10', '9', 'Mid', 'alpha', 'zeta'],
  'feed:latest:trade:BTC-USDT:binance': { id: 'trade:binance:BTC-USDT:1', price: '60000.1', size: '0.5' },
  'feed:latest:quote:BTC-USDT:binance': { k: '0001', v: '{"bidPrice":"1"}' },
  'feed:legacy:history': [['first', '1'], ['second', '2']],
  'feed:index:in:BTC-USD:kraken:q': [['0001795939300500000:kraken:7|100.5', '1795939301']],
  'feed:index:wm:BTC-USD': '1795939301',
  'feed:index:h:BTC-USD': [['{"t":1795939301}', '1795939301']],
  'feed:index:min:BTC-USD': [['{"m":1795939260}', '1795939260']],
  'feed:status:BTC-USDT:binance:trade': { 'ingest-a': '{"state":"stale"}', 'ingest-a:t': '1', 'ingest-b': '{"state":"live"}' },
  'feed:trades:BTC-USDT': [['neg', '-2.5'], ['a', '10'], ['b', '10'], ['c', '30'], ['big', '1000000000000000']],
  'feed:candle:BTC-USDT:all:1m:1795939320': { c: '3', n: '2', o: '1' },
  'feed:candles:BTC-USDT:binance:1s': [['1795939320', '1795939320'], ['1795939321', '1795939321']],
  btc_candle_30min: '{"o": 1.0}',
  btc_candles_5min: ['{"t": 2}', '{"t": 1}'],
};

describe('dumpState against a real redis-server', () => {
  it('dumps every family canonically', async () => {
    await seedEveryFamily();
    const dump = await dumpState(redis, families);
    expect(dump).toEqual(EVERY_FAMILY_DUMP);
    // Deep equality ignores key order; the canonical form also fixes it, so two dumps serialize identically.
    expect(Object.keys(dump)).toEqual(Object.keys(EVERY_FAMILY_DUMP).sort());
    expect(Object.keys(dump['feed:status:BTC-USDT:binance:trade'] as Record<string, string>)).toEqual(['ingest-a', 'ingest-a:t', 'ingest-b']);
    expect(Object.keys(dump['feed:latest:trade:BTC-USDT:binance'] as Record<string, string>)).toEqual(['id', 'price', 'size']);
    // Every family of the registry was seeded, so this dump covers them all.
    expect(new Set(Object.keys(dump).map((key) => familyOf(key, families)?.name)).size).toBe(families.length);
  });

  it('gives the same JSON for the same state written in another order', async () => {
    await seedEveryFamily();
    const first = JSON.stringify(await dumpState(redis, families));
    await redis.flushall();
    // Same contents, written differently: fields and members in other orders, list built from the other end.
    await redis.rpush(Keys.legacy.history, 'newest', 'middle', 'oldest');
    await redis.set(Keys.legacy.currentExchange, 'coinbase');
    await redis.set(Keys.legacy.updateTime, '1700000000.123456');
    await redis.set(Keys.legacy.lastPrice, '60000.1');
    await redis.zadd(k.legacyHistoryIndex(), 1, 'first', 2, 'second');
    await redis.hset(k.checkpoint('primary'), 'seq', '42');
    await redis.zadd(k.completeness('BTC-USDT', 'okx', 'trade'), 5, '{"s":"detected"}');
    await redis.hset(k.status('BTC-USDT', 'binance', 'trade'), 'ingest-a:t', '1', 'ingest-a', '{"state":"stale"}', 'ingest-b', '{"state":"live"}');
    await redis.zadd(k.recentTrades('BTC-USDT'), 1e15, 'big', 10, 'a', 30, 'c', -2.5, 'neg', 10, 'b');
    await redis.hset(k.latestTrade('BTC-USDT', 'binance'), 'id', 'trade:binance:BTC-USDT:1', 'price', '60000.1', 'size', '0.5');
    await redis.hset(k.latestQuote('BTC-USDT', 'binance'), 'k', '0001', 'v', '{"bidPrice":"1"}');
    await redis.sadd(k.dedupeSet('bybit.trade.BTC-USDT', 482_113), '9', '10', 'Mid', 'zeta', 'alpha');
    await redis.setbit(k.dedupeBits('binance.trade.BTC-USDT', 3), 15, 1);
    await redis.setbit(k.dedupeBits('binance.trade.BTC-USDT', 3), 0, 1);
    await redis.zadd(k.indexHistory('BTC-USD'), 1795939301, '{"t":1795939301}');
    await redis.set(k.indexWatermark('BTC-USD'), '1795939301');
    await redis.zadd(k.indexMinutes('BTC-USD'), 1795939260, '{"m":1795939260}');
    await redis.zadd(k.indexInput('BTC-USD', 'kraken', 'q'), 1795939301, '0001795939300500000:kraken:7|100.5');
    await redis.set(Keys.legacyCandle(30), '{"o": 1.0}');
    await redis.lpush(Keys.legacyCandles(5), '{"t": 1}', '{"t": 2}');
    await redis.zadd(k.candleIndex('BTC-USDT', 'binance', '1s'), 1_795_939_320, '1795939320', 1_795_939_321, '1795939321');
    await redis.hset(k.candleBar('BTC-USDT', 'all', '1m', 1_795_939_320), 'c', '3', 'n', '2', 'o', '1');
    expect(JSON.stringify(await dumpState(redis, families))).toBe(first);
  });

  it('keeps text strings as text and marks binary ones as base64', async () => {
    await redis.set(Keys.legacy.lastPrice, 'μ 60000.1 €');
    await redis.set(Keys.legacy.currentExchange, Buffer.from([0xff, 0xfe, 0x00, 0x41]));
    await redis.set(k.dedupeBits('s', 0), '');
    expect(await dumpState(redis, families)).toEqual({
      [Keys.legacy.lastPrice]: 'μ 60000.1 €',
      [Keys.legacy.currentExchange]: `base64:${Buffer.from([0xff, 0xfe, 0x00, 0x41]).toString('base64')}`,
      'feed:dedupe:b:s:0': '',
    });
  });

  it('pages through SCAN: every key of a large keyspace is dumped once', async () => {
    const n = 2_500;
    for (let i = 0; i < n; i += 500) {
      const p = redis.pipeline();
      for (let j = i; j < i + 500; j++) p.hset(k.checkpoint(`g${String(j).padStart(5, '0')}`), 'seq', String(j));
      await p.exec();
    }
    const dump = await dumpState(redis, families);
    const keys = Object.keys(dump);
    expect(keys).toHaveLength(n);
    expect(keys[0]).toBe('feed:checkpoint:g00000');
    expect(keys[n - 1]).toBe(`feed:checkpoint:g0${n - 1}`);
    expect(dump['feed:checkpoint:g01234']).toEqual({ seq: '1234' });
  });

  it('skips families marked projected=false, without calling their keys unregistered', async () => {
    await seedEveryFamily();
    const bookkeeping: KeyFamily[] = families.map((f) => (f.name === 'checkpoint' || f.name === 'dedupe-set' ? { ...f, projected: false } : f));
    const dump = await dumpState(redis, bookkeeping);
    const expected: Record<string, unknown> = { ...EVERY_FAMILY_DUMP };
    delete expected['feed:checkpoint:primary'];
    delete expected['feed:dedupe:s:bybit.trade.BTC-USDT:482113'];
    expect(dump).toEqual(expected);
  });

  it('`exclude` drops the named families and nothing else', async () => {
    await seedEveryFamily();
    await redis.hset(k.checkpoint('standby'), 'seq', '40');
    const dump = await dumpState(redis, families, { exclude: ['checkpoint', 'legacy-current-exchange'] });
    const expected: Record<string, unknown> = { ...EVERY_FAMILY_DUMP };
    delete expected['feed:checkpoint:primary'];
    delete expected[Keys.legacy.currentExchange];
    expect(dump).toEqual(expected);
    // An exclude naming no family changes nothing.
    expect(await dumpState(redis, families, { exclude: ['no-such-family'] })).toEqual({ ...EVERY_FAMILY_DUMP, 'feed:checkpoint:standby': { seq: '40' } });
  });

  it('throws UnregisteredKeyError listing every key outside the registry', async () => {
    await seedEveryFamily();
    await redis.set('feed:mystery:1', 'x');
    await redis.hset('stray', 'a', '1');
    await redis.rpush('other:trades:BTC-USDT', 'x');
    const err = await dumpState(redis, families).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UnregisteredKeyError);
    const u = err as UnregisteredKeyError;
    expect(u.keys).toEqual(['feed:mystery:1', 'other:trades:BTC-USDT', 'stray']);
    expect(u.code).toBe('UNREGISTERED_KEY');
    expect(u.name).toBe('UnregisteredKeyError');
    expect(u.message).toBe('keys outside the key registry: feed:mystery:1, other:trades:BTC-USDT, stray');
    // Neither `exclude` nor projected=false hides a key that belongs to no family.
    await expect(dumpState(redis, families, { exclude: families.map((f) => f.name) })).rejects.toBeInstanceOf(UnregisteredKeyError);
  });

  it('lists at most ten unregistered keys in the message but all of them in `keys`', async () => {
    for (let i = 0; i < 12; i++) await redis.set(`junk:${String(i).padStart(2, '0')}`, '1');
    const err = (await dumpState(redis, families).catch((e: unknown) => e)) as UnregisteredKeyError;
    expect(err).toBeInstanceOf(UnregisteredKeyError);
    expect(err.keys).toHaveLength(12);
    expect(err.message).toBe(`keys outside the key registry: ${err.keys.slice(0, 10).join(', ')} ...`);
  });

  it('fails loudly when a key holds another Redis type than its family says', async () => {
    await redis.set(k.recentTrades('BTC-USDT'), 'not a zset');
    await expect(dumpState(redis, families)).rejects.toThrow(/WRONGTYPE/);
  });

  it('an empty Redis dumps as {}', async () => {
    expect(await dumpState(redis, families)).toEqual({});
  });
});

