import { durableName, leaseBucket, streamName, Subjects } from './subjects';
import { DEFAULT_STREAM_SETTINGS, leaseBucketSpec, streamSpecs } from './streams';

/** NATS subject matching: `*` matches one token, `>` one or more trailing tokens. */
function matches(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (f[i] !== '*' && f[i] !== s[i]) return false;
  }
  return f.length === s.length;
}

describe('Subjects', () => {
  const s = new Subjects('feed');

  it('builds raw, md and dlq subjects in the documented shapes', () => {
    expect(s.raw('binance', 'trade', 'BTC-USDT')).toBe('feed.raw.binance.trade.BTC-USDT');
    expect(s.raw('kraken', 'status', '_')).toBe('feed.raw.kraken.status._');
    expect(s.rawAll()).toBe('feed.raw.>');
    expect(s.md('trade', 'BTC-USD', 'coinbase')).toBe('feed.md.v1.trade.BTC-USD.coinbase');
    expect(s.mdAll()).toBe('feed.md.v1.>');
    expect(s.mdFilter('quote')).toBe('feed.md.v1.quote.*.*');
    expect(s.mdFilter('*', 'BTC-USD')).toBe('feed.md.v1.*.BTC-USD.*');
    expect(s.mdFilter('trade', 'BTC-USD', 'kraken')).toBe('feed.md.v1.trade.BTC-USD.kraken');
    expect(s.dlq('normalizer')).toBe('feed.dlq.normalizer');
    expect(s.dlqAll()).toBe('feed.dlq.>');
  });

  it('filters select exactly the subjects they should', () => {
    expect(matches(s.rawAll(), s.raw('okx', 'quote', 'BTC-USDT'))).toBe(true);
    expect(matches(s.rawAll(), s.md('trade', 'BTC-USD', 'okx'))).toBe(false);
    expect(matches(s.mdAll(), s.md('gap', 'BTC-USD', 'okx'))).toBe(true);
    expect(matches(s.mdFilter('trade'), s.md('trade', 'BTC-EUR', 'bitstamp'))).toBe(true);
    expect(matches(s.mdFilter('trade'), s.md('quote', 'BTC-EUR', 'bitstamp'))).toBe(false);
    expect(matches(s.mdFilter('*', 'BTC-USD'), s.md('quote', 'BTC-EUR', 'bitstamp'))).toBe(false);
    expect(matches(s.dlqAll(), s.dlq('persister'))).toBe(true);
    // Another prefix never sees this one's traffic.
    expect(matches(new Subjects('feed-pr1').mdAll(), s.md('trade', 'BTC-USD', 'okx'))).toBe(false);
    expect(matches(s.mdAll(), new Subjects('feed-pr1').md('trade', 'BTC-USD', 'okx'))).toBe(false);
  });

  it('every subject it builds is captured by exactly one stream of the same prefix', () => {
    const specs = streamSpecs({ ...DEFAULT_STREAM_SETTINGS, prefix: 'feed' });
    const owners = (subject: string) => specs.filter((sp) => (sp.subjects ?? []).some((f) => matches(f, subject))).map((sp) => sp.name);
    expect(owners(s.raw('binance', 'trade', 'BTC-USDT'))).toEqual(['FEED_RAW']);
    expect(owners(s.md('status', 'BTC-USDT', 'binance'))).toEqual(['FEED_MD']);
    expect(owners(s.dlq('normalizer'))).toEqual(['FEED_DLQ']);
    expect(owners('other.raw.binance.trade.BTC-USDT')).toEqual([]);
  });

  it('parses md and raw subjects and refuses anything else', () => {
    expect(s.parseMd('feed.md.v1.trade.BTC-USD.kraken')).toEqual({ type: 'trade', symbol: 'BTC-USD', venue: 'kraken' });
    expect(s.parseMd(s.md('quote', 'ETH-BTC', 'okx'))).toEqual({ type: 'quote', symbol: 'ETH-BTC', venue: 'okx' });
    expect(s.parseMd('feed.md.v2.trade.BTC-USD.kraken')).toBeNull();
    expect(s.parseMd('other.md.v1.trade.BTC-USD.kraken')).toBeNull();
    expect(s.parseMd('feed.md.v1.trade.BTC-USD')).toBeNull();
    expect(s.parseMd('feed.md.v1.trade.BTC-USD.kraken.extra')).toBeNull();
    expect(s.parseMd('feed.raw.kraken.trade.BTC-USD')).toBeNull();

    expect(s.parseRaw('feed.raw.coinbase.quote.BTC-USD')).toEqual({ venue: 'coinbase', channel: 'quote', symbol: 'BTC-USD' });
    expect(s.parseRaw(s.raw('bybit', 'other', '_'))).toEqual({ venue: 'bybit', channel: 'other', symbol: '_' });
    expect(s.parseRaw('feed.raw.coinbase.quote')).toBeNull();
    expect(s.parseRaw('feedx.raw.coinbase.quote.BTC-USD')).toBeNull();
    expect(s.parseRaw('feed.md.coinbase.quote.BTC-USD')).toBeNull();
  });

  it.each(['', 'Feed', '1feed', 'feed.x', 'feed*', 'feed>', 'feed x', 'a'.repeat(33), 'fe/ed'])('refuses the prefix %j', (p) => {
    expect(() => new Subjects(p)).toThrow(/invalid subject prefix/);
  });

  it.each(['f', 'feed', 'feed-pr-12', 'feed_stage', 'a'.repeat(32)])('accepts the prefix %j', (p) => {
    expect(new Subjects(p).prefix).toBe(p);
  });
});

describe('streamName, leaseBucket, durableName', () => {
  it('stream names are the upper-cased prefix (dash -> underscore) plus the kind', () => {
    expect(streamName('feed', 'RAW')).toBe('FEED_RAW');
    expect(streamName('feed', 'MD')).toBe('FEED_MD');
    expect(streamName('feed', 'DLQ')).toBe('FEED_DLQ');
    expect(streamName('feed-pr-12', 'MD')).toBe('FEED_PR_12_MD');
    // JetStream stream names may not contain '.', '*', '>', whitespace or path separators.
    for (const p of ['feed', 'feed-pr-12', 'x_y-z9']) for (const k of ['RAW', 'MD', 'DLQ'] as const) expect(streamName(p, k)).toMatch(/^[A-Z0-9_]+$/);
  });

  it('the lease bucket is per prefix and a valid KV bucket name', () => {
    expect(leaseBucket('feed')).toBe('feed_leases');
    expect(leaseBucket('feed-pr-12')).toBe('feed_pr_12_leases');
    expect(leaseBucket('feed-pr-12')).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(leaseBucketSpec({ ...DEFAULT_STREAM_SETTINGS, prefix: 'feed-pr-12', leaseTtlMs: 1234, replicas: 3 })).toEqual({ bucket: 'feed_pr_12_leases', ttlMs: 1234, replicas: 3 });
  });

  it('durable names carry prefix, app and group, and only legal characters', () => {
    expect(durableName('feed', 'persister')).toBe('feed_persister_main');
    expect(durableName('feed', 'persister', 'standby')).toBe('feed_persister_standby');
    expect(durableName('feed-pr-12', 'normalizer', 'p0')).toBe('feed-pr-12_normalizer_p0');
    expect(durableName('feed', 'persister', 'a.b c*>')).toBe('feed_persister_a_b_c__');
    expect(durableName('feed', 'persister')).not.toBe(durableName('feed-pr1', 'persister'));
  });

  it('stream specs state a retention for every stream (max_age, max_bytes, discard old)', () => {
    const specs = streamSpecs({ ...DEFAULT_STREAM_SETTINGS, prefix: 'feed' });
    expect(specs.map((x) => x.name)).toEqual(['FEED_RAW', 'FEED_MD', 'FEED_DLQ']);
    for (const sp of specs) {
      expect(sp.max_age).toBeGreaterThan(0);
      expect(sp.max_bytes).toBeGreaterThan(0);
      expect(sp.discard).toBe('old');
      expect(sp.duplicate_window).toBe(DEFAULT_STREAM_SETTINGS.duplicateWindowMs * 1_000_000);
    }
    expect(specs[0]?.max_age).toBe(24 * 3_600_000 * 1_000_000);
  });
});
