import { performance } from 'node:perf_hooks';
import { startVenueSim, type VenueSim } from './simulator';
import { sleep, TestClient, waitFor } from './spec-helpers';

describe('venue-sim rate', () => {
  let sim: VenueSim | undefined;
  let client: TestClient | undefined;
  afterEach(async () => {
    await client?.close();
    await sim?.close();
  });

  it('a rate of 10,000/s for one second produces 10,000 +- 2 % trades, all delivered', async () => {
    sim = await startVenueSim({ rate: 10_000, pingIntervalMs: 0 });
    const s = sim;
    client = await TestClient.open(`${s.url}/ws/btcusdt@trade`);
    await waitFor(() => s.recordCount() > 0, 'first trade');
    const c0 = s.recordCount();
    const t0 = performance.now();
    await sleep(1000); // the assertion is about one second passing
    const c1 = s.recordCount();
    const elapsed = performance.now() - t0;
    s.pause();
    const perSecond = ((c1 - c0) * 1000) / elapsed;
    expect(Math.abs(perSecond - 10_000)).toBeLessThanOrEqual(200);
    await waitFor(() => client?.frames.length === s.recordCount(), 'client received every recorded trade');
  });
});
