import { CliError, parseCliArgs } from './cli-options';
import { resolveOptions } from './options';

describe('CLI options', () => {
  it('parses the documented flags, env fallbacks, and flags win', () => {
    const { options } = parseCliArgs(
      ['--port', '0', '--rate', '100', '--symbols', 'BTCUSDT,ETHUSDT', '--max-trades=20000', '--ping-interval-ms', '20000', '--pong-timeout-ms', '60000', '--lifetime-ms', '86400000', '--seed', '1', '--first-trade-id', '9007199254740993', '--generate-without-subscribers'],
      { VENUE_SIM_RATE: '5', VENUE_SIM_TICK_MS: '7' },
    );
    expect(options).toEqual({
      port: 0,
      rate: 100,
      tickMs: 7,
      symbols: ['BTCUSDT', 'ETHUSDT'],
      maxTrades: 20000,
      pingIntervalMs: 20000,
      pongTimeoutMs: 60000,
      connectionLifetimeMs: 86400000,
      seed: 1,
      firstTradeId: '9007199254740993',
      generateWithoutSubscribers: true,
    });
    expect(resolveOptions(options).firstTradeId).toBe(9007199254740993n);
  });

  it('parses --venue-symbols (per venue, native symbols) and the keepalive and quote flags', () => {
    const { options } = parseCliArgs(['--venue-symbols', 'coinbase=BTC-USD,kraken=BTC/USD,binance=BTCUSDT+ETHUSDT', '--idle-timeout-ms', '500', '--heartbeat-interval-ms=100', '--quote-rate', '2.5'], {});
    expect(options).toEqual({ symbolsByVenue: { coinbase: ['BTC-USD'], kraken: ['BTC/USD'], binance: ['BTCUSDT', 'ETHUSDT'] }, idleTimeoutMs: 500, heartbeatIntervalMs: 100, quoteRate: 2.5 });
    const resolved = resolveOptions(options);
    expect(resolved.venues.map((v) => [v.protocol.venue, v.symbols])).toEqual([
      ['coinbase', ['BTC-USD']],
      ['kraken', ['BTC/USD']],
      ['binance', ['BTCUSDT', 'ETHUSDT']],
    ]);
    expect(resolveOptions({ venues: ['all'] }).venues.map((v) => [v.protocol.venue, v.symbols[0]])).toEqual(
      expect.arrayContaining([['binance', 'BTCUSDT'], ['coinbase', 'BTC-USD'], ['kraken', 'BTC/USD'], ['bitstamp', 'btcusd'], ['okx', 'BTC-USDT'], ['bybit', 'BTCUSDT']]),
    );
    expect(resolveOptions({ venues: ['okx', 'kraken'], keepaliveByVenue: { okx: { idleTimeoutMs: 0 } } }).venues.map((v) => v.keepalive.idleTimeoutMs)).toEqual([null, null]);
    expect(resolveOptions({ venues: ['okx'] }).venues[0]?.keepalive).toMatchObject({ idleTimeoutMs: 30_000, pingIntervalMs: null });
    expect(() => parseCliArgs(['--venue-symbols', 'coinbase'], {})).toThrow(CliError);
  });

  it('fails loud on unknown flags and bad values', () => {
    expect(() => parseCliArgs(['--nope', '1'], {})).toThrow(CliError);
    expect(() => parseCliArgs(['--rate', 'fast'], {})).toThrow(CliError);
    expect(() => parseCliArgs([], { VENUE_SIM_PORT: '-1' })).toThrow(CliError);
    expect(() => parseCliArgs(['--port'], {})).toThrow(CliError);
    expect(() => resolveOptions({ venues: ['nowhere'] })).toThrow(RangeError);
    expect(() => resolveOptions({ port: 70000 })).toThrow(RangeError);
  });
});
