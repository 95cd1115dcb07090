import { createLogger } from '@feed/logging';
import { Registry } from '@feed/metrics';
import type { GapV1, MarketEventV1, TradeV1 } from '@feed/price-types';
import { waitFor } from '@feed/testing';
import { startVenueSim, type VenueSim } from '@feed/venue-sim';
import { Writable } from 'node:stream';
import WebSocket from 'ws';
import { createGapMetrics } from '../gaps/gap-metrics';
import { GapService } from '../gaps/gap-service';
import { GapTracker, type TrackedStream } from '../gaps/gap-tracker';
import { RestRepairer, httpFetchText, type RepairOptions } from './rest-repairer';
import { REST_VENUES } from './venues';

jest.setTimeout(60_000);

/*
 * The repairer against the real venue simulator's REST endpoints: the gap fault skips trades on the WebSocket and
 * keeps them in REST, exactly the situation a repair meets. No WebSocket client is needed: the tracker is fed the
 * ids the simulator's record says were sent.
 */

const log = createLogger({ service: 'test', instanceId: 't', level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) });
let sim: VenueSim | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** The documented trade subscription of each venue (the simulator generates trades only for subscribers). */
const SUB: Record<'binance' | 'kraken' | 'okx', { path: string; send: string[] }> = {
  binance: { path: '/ws/btcusdt@trade', send: [] },
  kraken: { path: '/v2', send: ['{"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD"]}}'] },
  okx: { path: '/ws/v5/public', send: ['{"op":"subscribe","args":[{"channel":"trades","instId":"BTC-USDT"}]}'] },
};
const sockets: WebSocket[] = [];

afterEach(() => {
  for (const w of sockets.splice(0)) w.terminate();
});

async function simWithGap(venue: 'binance' | 'kraken' | 'okx'): Promise<{ s: VenueSim; skipped: string[] }> {
  const s = await startVenueSim({ venues: [venue], rate: 500, maxTrades: 40, pingIntervalMs: 0, heartbeatIntervalMs: 0, idleTimeoutMs: 0 });
  sim = s;
  s.pause();
  const ws = new WebSocket(`${s.venueUrl(venue)}${SUB[venue].path}`);
  sockets.push(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  for (const m of SUB[venue].send) ws.send(m);
  await waitFor(() => s.stats().markets[0]?.subscribers === 1, { what: 'subscribed', timeoutMs: 10_000 });
  s.gap(5);
  s.resume();
  await waitFor(() => s.stats().markets[0]?.exhausted === true, { what: 'all trades generated', timeoutMs: 20_000 });
  return { s, skipped: s.gapRecord().map((g) => g.tradeId) };
}

/** The real gap service and tracker around the repairer; `published` is what would go to MD, in order. */
function harness(s: VenueSim, venue: 'binance' | 'kraken' | 'okx', over: Partial<RepairOptions> = {}) {
  const published: MarketEventV1[] = [];
  const done: Array<{ ok: boolean; published: number; note: string | undefined }> = [];
  const requests: string[] = [];
  const stream: TrackedStream = { venue, symbol: venue === 'kraken' ? 'BTC-USD' : 'BTC-USDT', source: 'simulated' };
  const tracker = new GapTracker({ fillMs: 0, graceMs: 60_000, maxOpen: 10, maxTrackedIds: 1000, canRepair: () => true });
  const ref: { service?: GapService } = {};
  const repairer = new RestRepairer(
    { endpoints: { [venue]: { rest: REST_VENUES[venue], baseUrl: `${s.controlUrl}/${venue}` } }, maxInFlight: 1, timeoutMs: 5_000, maxAttempts: 3, retryDelayMs: 50, ...over } as RepairOptions,
    httpFetchText,
    {
      repairTrades: (h, trades) => (ref.service as GapService).repairTrades(h, trades),
      done: (h, ok, n, note) => {
        done.push({ ok, published: n, note });
        ref.service?.repairDone(h, ok, note);
      },
      request: (_v, outcome) => requests.push(outcome),
    },
    log,
  );
  ref.service = new GapService(tracker, {
    publish: async (evs) => void published.push(...evs),
    enqueueRepair: (h) => repairer.enqueue(h),
    metrics: createGapMetrics(new Registry(), [venue]),
    log,
    tickMs: 1_000_000,
  });
  const service = ref.service;
  /** Frames around the hole, as the batch handler would pass them, then the fill window passes. */
  const openHole = (skipped: string[]) => {
    const now = Date.now() * 1000;
    const trade = (id: bigint): TradeV1 => ({ v: 1, type: 'trade', id: `trade:${venue}:${stream.symbol}:${id}`, venue, symbol: stream.symbol, source: 'simulated', recvTimeUs: now, tradeId: String(id), price: '1', size: '1', side: 'buy', venueTimeUs: now });
    service.onMapped({ events: [trade(BigInt(skipped[0] as string) - 1n)] });
    service.onMapped({ events: [trade(BigInt(skipped[skipped.length - 1] as string) + 1n)] });
    service.tick();
  };
  const gaps = () => published.filter((e): e is GapV1 => e.type === 'gap').map((g) => [g.state, g.repairedTrades ?? g.reason]);
  const trades = () => published.filter((e): e is TradeV1 => e.type === 'trade').map((t) => t.tradeId);
  return { tracker, service, openHole, gaps, trades, done, requests };
}

describe('RestRepairer against the simulator REST endpoints', () => {
  it.each(['binance', 'kraken', 'okx'] as const)('%s: a declared hole is repaired with exactly the skipped trades, ids unchanged', async (venue) => {
    const { s, skipped } = await simWithGap(venue);
    expect(skipped).toHaveLength(5);
    const h = harness(s, venue);
    h.openHole(skipped);
    await waitFor(() => h.done.length === 1 && h.gaps().length === 2, { what: 'repair done', timeoutMs: 10_000 });
    // Published in id order, then the gap closes: detected, the 5 trades, repaired.
    expect(h.trades()).toEqual(skipped);
    expect(h.done).toEqual([{ ok: true, published: 5, note: undefined }]);
    expect(h.requests).toEqual(['ok']);
    expect(h.gaps()).toEqual([
      ['detected', undefined],
      ['repaired', 5],
    ]);
  });

  it('honours HTTP 429: retried after Retry-After, the venue asked again exactly once more, then repaired', async () => {
    const { s, skipped } = await simWithGap('binance');
    s.restReject429(1, 1);
    const h = harness(s, 'binance');
    h.openHole(skipped);
    await waitFor(() => h.done.length === 1, { what: 'repair done', timeoutMs: 10_000 });
    expect(h.requests).toEqual(['rate_limited', 'ok']);
    expect(s.stats().counters).toMatchObject({ restRequests: 2, restRejected: 1 });
    expect(h.done).toEqual([{ ok: true, published: 5, note: undefined }]);
  });

  it('gives up after maxAttempts when the venue keeps refusing, with the reason kept for the unrepaired event', async () => {
    const { s, skipped } = await simWithGap('binance');
    s.restReject429(10, 0);
    const h = harness(s, 'binance', { maxAttempts: 2 });
    h.openHole(skipped);
    await waitFor(() => h.done.length === 1, { what: 'repair given up', timeoutMs: 10_000 });
    expect(h.requests).toEqual(['rate_limited', 'rate_limited']);
    expect(h.done).toEqual([{ ok: false, published: 0, note: 'rate_limited' }]);
    h.tracker.tick(Date.now() * 1000 + 61_000_000);
    h.service.tick(); // publishes what the tracker decided
    await waitFor(() => h.gaps().length === 2, { what: 'unrepaired published', timeoutMs: 5_000 });
    expect(h.gaps()).toEqual([
      ['detected', undefined],
      ['unrepaired', 'rate_limited'],
    ]);
  });
});
