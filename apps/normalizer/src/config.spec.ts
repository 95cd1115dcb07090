import { ConfigReader } from '@feed/config';
import { readConfig } from './config';

const read = (env: Record<string, string>) => readConfig(new ConfigReader(env));

describe('normalizer config: gap repair endpoints', () => {
  it('defaults to each venue public REST host, marked not explicit (so simulated streams are never repaired from it)', () => {
    const g = read({}).gaps;
    expect(g.restUrls).toEqual({
      binance: { url: 'https://api.binance.com', explicit: false },
      coinbase: { url: 'https://api.coinbase.com', explicit: false },
      kraken: { url: 'https://api.kraken.com', explicit: false },
      okx: { url: 'https://www.okx.com', explicit: false },
    });
    expect({ fillMs: g.fillMs, graceMs: g.graceMs, maxOpen: g.maxOpen, repairInFlight: g.repairInFlight }).toEqual({ fillMs: 2_000, graceMs: 30_000, maxOpen: 100, repairInFlight: 2 });
  });

  it('<VENUE>_REST_URL sets an explicit endpoint, `off` disables the venue, anything else is refused with its name', () => {
    const g = read({ BINANCE_REST_URL: 'http://127.0.0.1:9/binance', KRAKEN_REST_URL: 'off' }).gaps;
    expect(g.restUrls.binance).toEqual({ url: 'http://127.0.0.1:9/binance', explicit: true });
    expect(g.restUrls.kraken).toBeUndefined();
    expect(() => read({ OKX_REST_URL: 'ftp://x' })).toThrow(/OKX_REST_URL/);
  });
});
