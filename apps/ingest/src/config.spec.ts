import { ConfigReader } from '@feed/config';
import { readConfig } from './config';

const read = (env: Record<string, string>) => readConfig(new ConfigReader({ INGEST_VENUES: 'binance,kraken,bitstamp', ...env }));
const stale = (env: Record<string, string>) => Object.fromEntries(read(env).venues.map((v) => [v.venue, v.staleAfterMs]));

describe('ingest config: quiet-market-aware stale windows', () => {
  it('defaults per venue and channel: trades as sparse as the venue is, quotes 10 s everywhere', () => {
    expect(stale({})).toEqual({
      binance: { trade: 10_000, quote: 10_000 },
      kraken: { trade: 60_000, quote: 10_000 },
      bitstamp: { trade: 120_000, quote: 10_000 },
    });
  });

  it('<VENUE>_STALE_AFTER_MS sets both channels; <VENUE>_<CHANNEL>_STALE_AFTER_MS wins for its channel', () => {
    expect(stale({ KRAKEN_STALE_AFTER_MS: '5000', BITSTAMP_TRADE_STALE_AFTER_MS: '300000' })).toMatchObject({
      kraken: { trade: 5_000, quote: 5_000 },
      bitstamp: { trade: 300_000, quote: 10_000 },
    });
    expect(stale({ KRAKEN_STALE_AFTER_MS: '5000', KRAKEN_QUOTE_STALE_AFTER_MS: '2000' })).toMatchObject({ kraken: { trade: 5_000, quote: 2_000 } });
  });

  it('refuses windows below 50 ms with the variable named', () => {
    expect(() => read({ BINANCE_STALE_AFTER_MS: '10' })).toThrow(/BINANCE_STALE_AFTER_MS/);
    expect(() => read({ BINANCE_TRADE_STALE_AFTER_MS: '10' })).toThrow(/BINANCE_TRADE_STALE_AFTER_MS/);
  });
});
