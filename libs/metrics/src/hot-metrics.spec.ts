import { Counter, Histogram, Registry } from 'prom-client';
import { mulberry32 } from '@feed/venue-sim';
import { HotCounter, HotHistogram } from './hot-metrics';
import { LATENCY_BUCKETS_S } from './registry';

function outcome(f: () => unknown): unknown {
  try {
    f();
    return 'ok';
  } catch (e) {
    return `${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
}

type Metric = { inc?: (...a: unknown[]) => void; observe?: (...a: unknown[]) => void; reset(): void; zero(l: object): void; remove(...a: unknown[]): void };


/** Random label objects: mostly well-formed, sometimes a number value, a missing or an unknown label. */
function labelsFor(r: () => number, names: string[]): unknown {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  const l: Record<string, unknown> = {};
  for (const n of names) l[n] = pick(['binance', 'coinbase', 'kraken', 'stored']);
  const odd = r();
  if (odd < 0.05) l[names[0]!] = 7;
  else if (odd < 0.08) delete l[names[0]!];
  else if (odd < 0.11) l['unknown'] = 'x';
  else if (odd < 0.12) return undefined;
  return l;
}

async function runBoth(kind: 'counter' | 'histogram', names: string[], seed: number): Promise<void> {
  const r = mulberry32(seed);
  const plainReg = new Registry();
  const hotReg = new Registry();
  const cfg = { name: `m_${kind}`, help: 'h', labelNames: names };
  const plain = (kind === 'counter' ? new Counter({ ...cfg, registers: [plainReg] }) : new Histogram({ ...cfg, buckets: LATENCY_BUCKETS_S, registers: [plainReg] })) as unknown as Metric;
  const hot = (kind === 'counter' ? new HotCounter({ ...cfg, registers: [hotReg] }) : new HotHistogram({ ...cfg, buckets: LATENCY_BUCKETS_S, registers: [hotReg] })) as unknown as Metric;
  for (let step = 0; step < 400; step++) {
    const op = r();
    const labels = labelsFor(r, names);
    if (op < 0.02) {
      plain.reset();
      hot.reset();
    } else if (op < 0.04 && labels && typeof labels === 'object' && kind === 'histogram') {
      expect(outcome(() => hot.zero(labels))).toEqual(outcome(() => plain.zero(labels)));
    } else if (op < 0.06 && labels && typeof labels === 'object') {
      expect(outcome(() => hot.remove(labels))).toEqual(outcome(() => plain.remove(labels)));
    } else {
      const v = r();
      // Values: in range, on a bucket bound, beyond the last bound, 0, negative, NaN, Infinity, absent.
      const value = v < 0.6 ? r() * 0.2 : v < 0.7 ? 0.005 : v < 0.75 ? 30 : v < 0.8 ? 0 : v < 0.83 ? -1 : v < 0.85 ? Number.NaN : v < 0.87 ? Infinity : undefined;
      const f = kind === 'counter' ? 'inc' : 'observe';
      expect([step, outcome(() => hot[f]!(labels, value))]).toEqual([step, outcome(() => plain[f]!(labels, value))]);
    }
    if (step % 50 === 49) expect(await hotReg.metrics()).toBe(await plainReg.metrics());
  }
  expect(await hotReg.metrics()).toBe(await plainReg.metrics());
}

describe('per-trade metrics with a cached label set (HotCounter, HotHistogram)', () => {
  it.each([
    ['counter', ['venue']],
    ['counter', ['venue', 'outcome']],
    ['histogram', ['venue']],
    ['histogram', ['venue', 'outcome']],
  ] as Array<['counter' | 'histogram', string[]]>)('given random %s operations with labels %j (odd labels, bad values, reset, zero, remove), then the exposition and errors equal prom-client', async (kind, names) => {
    for (let seed = 1; seed <= 20; seed++) await runBoth(kind, names, seed);
  });

  it('when the label set of a histogram was seen before, then its labels are read once per observation, not validated and hashed again (the cost removed)', () => {
    let reads = 0;
    const labels = {} as { venue: string };
    Object.defineProperty(labels, 'venue', {
      enumerable: true,
      get: () => {
        reads++;
        return 'binance';
      },
    });
    const h = new HotHistogram({ name: 'h', help: 'h', labelNames: ['venue'], buckets: LATENCY_BUCKETS_S, registers: [new Registry()] });
    h.observe(labels, 0.001);
    reads = 0;
    for (let i = 0; i < 10; i++) h.observe(labels, 0.002);
    // prom-client's own path reads each label several times per observation (wrapper, validation, hash).
    expect(reads).toBe(10);
  });
});
