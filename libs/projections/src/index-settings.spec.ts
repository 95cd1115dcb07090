import { ConfigError, ConfigReader } from '@feed/config';
import { readIndexSettings } from './index-settings';

function read(env: Record<string, string>) {
  const r = new ConfigReader(env);
  const s = readIndexSettings(r);
  r.done();
  return s;
}

describe('readIndexSettings', () => {
  it('given no settings when read then the defaults of docs/index-methodology.md apply', () => {
    expect(read({})).toEqual({
      enabled: true,
      indices: [
        { symbol: 'BTC-USD', venues: ['coinbase', 'kraken', 'bitstamp'] },
        { symbol: 'BTC-USDT', venues: ['binance', 'okx', 'bybit'] },
      ],
      staleMs: 10_000,
      lookbackMs: 60_000,
      maxDeviationBps: 500,
      minConstituents: 2,
      historySeconds: 3_600,
      watermarkDelayMs: 1_000,
      maxAheadMs: 5_000,
    });
  });

  it('given a lookback shorter than the stale window, a bad venue and a zero deviation when read then every problem is reported at once', () => {
    let err: unknown;
    try {
      read({ INDEX_STALE_MS: '5000', INDEX_LOOKBACK_MS: '2000', INDEX_CONSTITUENTS: 'BTC-USD=coinbase,ftx', INDEX_MAX_DEVIATION_BPS: '0' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/INDEX_CONSTITUENTS BTC-USD: unknown venue\(s\) ftx/);
    expect(msg).toMatch(/INDEX_MAX_DEVIATION_BPS=0 is below the minimum 1/);
    expect(msg).toMatch(/INDEX_LOOKBACK_MS must be >= INDEX_STALE_MS/);
  });

  it('given the index turned off when read then no constituents are required', () => {
    expect(read({ INDEX_ENABLED: 'false', INDEX_CONSTITUENTS: ';' })).toMatchObject({ enabled: false, indices: [] });
  });
});
