import { ConfigError, ConfigReader } from '@feed/config';
import { readConfig } from './config';

const read = (env: Record<string, string>) => readConfig(new ConfigReader(env));

describe('api config', () => {
  it('has the documented defaults', () => {
    const c = read({});
    expect(c.http).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(c.symbols).toEqual(['BTC-USDT', 'BTC-USD']);
    expect(c.priceStaleAfterMs).toBe(10_000);
    expect(c.ws).toEqual({
      maxBufferedBytes: 4 * 1024 * 1024,
      maxMessageBytes: 4096,
      flushMs: 5,
      maxBatch: 500,
      pingIntervalMs: 30_000,
      resumeWindow: 20_000,
      allowedOrigins: undefined,
      closeTimeoutMs: 5_000,
      pollMs: 1_000,
    });
    expect(c.trustProxyHops).toBe(0);
    expect(c.redis).toMatchObject({ host: '127.0.0.1', port: 6379 });
  });

  it('accepts the legacy HEALTH_CHECK_PORT/HOST names and parses lists', () => {
    const c = read({ HEALTH_CHECK_PORT: '9000', HEALTH_CHECK_HOST: '127.0.0.1', API_SYMBOLS: 'BTC-USD', WS_ALLOWED_ORIGINS: 'https://feed.example.com, http://localhost:8080', TRUST_PROXY_HOPS: '1' });
    expect(c.http).toEqual({ host: '127.0.0.1', port: 9000 });
    expect(c.symbols).toEqual(['BTC-USD']);
    expect(c.ws.allowedOrigins).toEqual(['https://feed.example.com', 'http://localhost:8080']);
    expect(c.trustProxyHops).toBe(1);
  });

  it('fails loud, listing every problem', () => {
    let err: unknown;
    try {
      read({ API_SYMBOLS: 'BTC-USDT,btcusd', WS_ALLOWED_ORIGINS: 'feed.example.com', WS_MAX_BATCH: '0', PRICE_STALE_AFTER_MS: 'soon' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    expect(problems).toMatch(/API_SYMBOLS entry "btcusd"/);
    expect(problems).toMatch(/WS_ALLOWED_ORIGINS entry/);
    expect(problems).toMatch(/WS_MAX_BATCH=0/);
    expect(problems).toMatch(/PRICE_STALE_AFTER_MS/);
  });
});
