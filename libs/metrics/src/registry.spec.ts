import { BATCH_BUCKETS, Counter, createRegistry, Histogram, LATENCY_BUCKETS_S, NON_COUNTER_TOTALS } from './registry';

/** Every sample line of a Prometheus text exposition (comments dropped). */
function samples(text: string): string[] {
  return text.split('\n').filter((l) => l.length > 0 && !l.startsWith('#'));
}

/** The label set of a sample line, e.g. `{service="x",le="0.1"}` -> { service: 'x', le: '0.1' }. */
function labels(line: string): Record<string, string> {
  const m = /^[a-zA-Z_:][a-zA-Z0-9_:]*\{(.*)\} /.exec(line);
  if (!m) return {};
  const out: Record<string, string> = {};
  for (const [, k, v] of (m[1] as string).matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) out[k as string] = v as string;
  return out;
}

describe('createRegistry', () => {
  it('exposes the default process and Node.js metrics', async () => {
    const reg = createRegistry('persister', 'host-a-123');
    const names = (await reg.getMetricsAsJSON()).map((m) => m.name);
    for (const n of [
      'process_cpu_user_seconds_total',
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'process_start_time_seconds',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
      'nodejs_gc_duration_seconds',
    ]) {
      expect(names).toContain(n);
    }
    const rss = await reg.getSingleMetric('process_resident_memory_bytes')?.get();
    expect(rss?.values[0]?.value).toBeGreaterThan(1024 * 1024);
  });

  it('labels every sample with the service and none with `instance`', async () => {
    const reg = createRegistry('normalizer', 'host-b-77');
    const c = new Counter({ name: 'feed_test_events_total', help: 'test', labelNames: ['venue'], registers: [reg] });
    c.inc({ venue: 'binance' }, 3);
    const text = await reg.metrics();
    const lines = samples(text);
    expect(lines.length).toBeGreaterThan(20);
    for (const l of lines) {
      const ls = labels(l);
      expect({ line: l, service: ls['service'] }).toEqual({ line: l, service: 'normalizer' });
      expect(ls).not.toHaveProperty('instance');
    }
    // The instance id appears nowhere: Prometheus sets `instance` from the scrape target.
    expect(text).not.toContain('host-b-77');
    expect(text).not.toMatch(/\binstance=/);
    expect(lines).toContain('feed_test_events_total{venue="binance",service="normalizer"} 3');
  });

  it('two registries in one process are independent (no duplicate-registration error, own service label)', async () => {
    const a = createRegistry('ingest', 'i-1');
    const b = createRegistry('api', 'i-2');
    new Counter({ name: 'feed_only_in_a_total', help: 'x', registers: [a] }).inc();
    const ta = await a.metrics();
    const tb = await b.metrics();
    expect(ta).toContain('feed_only_in_a_total{service="ingest"} 1');
    expect(tb).not.toContain('feed_only_in_a_total');
    expect(samples(tb).every((l) => labels(l)['service'] === 'api')).toBe(true);
  });

  it('exports no gauge or histogram whose name ends in _total (reserved for counters), and keeps the per-type gauges', async () => {
    const reg = createRegistry('api', 'i');
    const metrics = await reg.getMetricsAsJSON();
    const offenders = metrics.filter((m) => m.name.endsWith('_total') && String(m.type) !== 'counter').map((m) => m.name);
    expect(offenders).toEqual([]);
    const names = metrics.map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(['nodejs_active_handles', 'nodejs_active_resources']));
    for (const n of NON_COUNTER_TOTALS) expect(names).not.toContain(n);
  });

  it('reports the Prometheus text content type', () => {
    expect(createRegistry('x', 'y').contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });
});

describe('buckets', () => {
  it.each([
    ['LATENCY_BUCKETS_S', LATENCY_BUCKETS_S],
    ['BATCH_BUCKETS', BATCH_BUCKETS],
  ])('%s are strictly increasing, positive and finite', (_name, buckets) => {
    expect(buckets.length).toBeGreaterThan(5);
    expect([...buckets].sort((x, y) => x - y)).toEqual(buckets);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i] as number).toBeGreaterThan(buckets[i - 1] as number);
    for (const b of buckets) {
      expect(Number.isFinite(b)).toBe(true);
      expect(b).toBeGreaterThan(0);
    }
  });

  it('latency buckets span 100 µs to 10 s; batch buckets 1 to 2500 messages', () => {
    expect(LATENCY_BUCKETS_S[0]).toBe(0.0001);
    expect(LATENCY_BUCKETS_S[LATENCY_BUCKETS_S.length - 1]).toBe(10);
    expect(BATCH_BUCKETS[0]).toBe(1);
    expect(BATCH_BUCKETS[BATCH_BUCKETS.length - 1]).toBe(2500);
  });

  it('a histogram on LATENCY_BUCKETS_S counts observations into the right cumulative buckets', async () => {
    const reg = createRegistry('persister', 'i');
    const h = new Histogram({ name: 'feed_test_latency_seconds', help: 'x', buckets: LATENCY_BUCKETS_S, registers: [reg] });
    for (const v of [0.00005, 0.0003, 0.003, 0.003, 7, 20]) h.observe(v);
    const text = await reg.metrics();
    const bucket = (le: string) => new RegExp(`^feed_test_latency_seconds_bucket\\{le="${le.replace(/[.+]/g, '\\$&')}",service="persister"\\} (\\d+)$`, 'm').exec(text)?.[1];
    expect(bucket('0.0001')).toBe('1');
    expect(bucket('0.0005')).toBe('2');
    expect(bucket('0.005')).toBe('4');
    expect(bucket('5')).toBe('4');
    expect(bucket('10')).toBe('5');
    expect(bucket('+Inf')).toBe('6');
    expect(text).toMatch(/^feed_test_latency_seconds_count\{service="persister"\} 6$/m);
  });
});
