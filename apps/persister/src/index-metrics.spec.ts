import { Registry } from '@feed/metrics';
import type { IndexValueV1 } from '@feed/projections';
import { createIndexMetrics } from './index-metrics';

function value(degraded: boolean, included: number): IndexValueV1 {
  return { v: 1, symbol: 'BTC-USD', t: 1, price: '1', source: 'live', degraded, included, referenceMedian: '1', method: { staleMs: 1, maxDeviationBps: 1, minConstituents: 2 }, constituents: [] };
}

describe('index metrics', () => {
  it('given batch results when observed then counts add up exactly and the gauges follow the newest value', async () => {
    const registry = new Registry();
    const observe = createIndexMetrics(registry);
    observe([{ symbol: 'BTC-USD', computed: 3, late: 0, future: 1, newest: value(true, 1) }]);
    observe([
      { symbol: 'BTC-USD', computed: 2, late: 4, future: 0, newest: value(false, 3) },
      { symbol: 'BTC-USDT', computed: 0, late: 0, future: 0, newest: undefined },
    ]);
    const text = await registry.metrics();
    expect(text).toContain('feed_index_computations_total{symbol="BTC-USD"} 5');
    expect(text).toContain('feed_index_inputs_refused_total{symbol="BTC-USD",reason="late"} 4');
    expect(text).toContain('feed_index_inputs_refused_total{symbol="BTC-USD",reason="future"} 1');
    expect(text).toContain('feed_index_degraded{symbol="BTC-USD"} 0');
    expect(text).toContain('feed_index_included_constituents{symbol="BTC-USD"} 3');
    expect(text).not.toContain('symbol="BTC-USDT"');
  });
});
