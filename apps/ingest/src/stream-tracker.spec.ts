import { Subjects } from '@feed/messaging';
import { Registry } from '@feed/metrics';
import { waitFor } from '@feed/testing';
import { validateStatus, type StreamStatusV1 } from '@feed/price-types';
import { createIngestMetrics, type IngestMetrics } from './metrics';
import type { RawMessage } from './raw-publisher';
import { StreamTracker } from './stream-tracker';
import type { StreamKey } from './venues';

const BTC: StreamKey = { venue: 'binance', channel: 'trade', symbol: 'BTC-USDT' };
const ETH: StreamKey = { venue: 'binance', channel: 'trade', symbol: 'ETH-USDT' };
const OKX: StreamKey = { venue: 'okx', channel: 'trade', symbol: 'BTC-USDT' };
const T = 1_795_939_333_000_000; // a whole second, epoch µs
const STALE_MS = 5_000;

interface Setup {
  tracker: StreamTracker;
  sent: RawMessage[];
  registry: Registry;
  metrics: IngestMetrics;
}

function setup(ingestId = 'ingest-1', keys: StreamKey[] = [BTC, ETH, OKX]): Setup {
  const registry = new Registry();
  const metrics = createIngestMetrics(registry);
  const sent: RawMessage[] = [];
  const tracker = new StreamTracker(keys, { staleAfterMs: STALE_MS, heartbeatMs: 1_000, ingestId, source: 'live', subjects: new Subjects('feed') }, (m) => sent.push(m), metrics);
  return { tracker, sent, registry, metrics };
}

function events(sent: RawMessage[]): StreamStatusV1[] {
  // Every message must be a valid v1 status (the normalizer passes them through after validateStatus).
  return sent.map((m) => validateStatus(JSON.parse(new TextDecoder().decode(m.data))));
}

async function stateGauge(registry: Registry, k: StreamKey): Promise<Record<string, number>> {
  const m = await registry.getSingleMetric('feed_ingest_stream_state')?.get();
  const out: Record<string, number> = {};
  for (const v of m?.values ?? []) {
    if (v.labels['venue'] === k.venue && v.labels['symbol'] === k.symbol && v.labels['channel'] === k.channel) out[String(v.labels['state'])] = v.value;
  }
  return out;
}

describe('given a StreamTracker driven with explicit times', () => {
  it('when nothing happened yet then every stream is reconnecting, with no frame', () => {
    const { tracker } = setup();
    expect(tracker.snapshot()).toEqual([
      { ...BTC, state: 'reconnecting', lastFrameUs: null, frames: 0, staleAfterMs: STALE_MS },
      { ...ETH, state: 'reconnecting', lastFrameUs: null, frames: 0, staleAfterMs: STALE_MS },
      { ...OKX, state: 'reconnecting', lastFrameUs: null, frames: 0, staleAfterMs: STALE_MS },
    ]);
  });

  it('when a frame arrives then the stream turns live and one change event is queued on RAW status', () => {
    const { tracker, sent } = setup();
    tracker.onFrame(BTC, T + 10);
    expect(tracker.snapshot()[0]).toEqual({ ...BTC, state: 'live', lastFrameUs: T + 10, frames: 1, staleAfterMs: STALE_MS });
    expect(sent).toHaveLength(1);
    const m = sent[0] as RawMessage;
    expect(m).toMatchObject({ subject: 'feed.raw.binance.status.BTC-USDT', msgId: `status:binance:BTC-USDT:trade-chg-ingest-1-${T + 10}`, recvTimeUs: T + 10, venue: 'binance', attempt: 0 });
    expect(events(sent)).toEqual([
      {
        v: 1,
        type: 'status',
        id: `status:binance:BTC-USDT:trade-chg-ingest-1-${T + 10}`,
        venue: 'binance',
        symbol: 'BTC-USDT',
        source: 'live',
        recvTimeUs: T + 10,
        channel: 'trade',
        kind: 'change',
        state: 'live',
        ingestId: 'ingest-1',
        lastFrameUs: T + 10,
        frames: 1,
        reason: 'frames flowing',
      },
    ]);
  });

  it('when more frames arrive on a live stream then they are counted but no further change is queued', () => {
    const { tracker, sent } = setup();
    for (let i = 0; i < 5; i++) tracker.onFrame(BTC, T + i);
    expect(sent).toHaveLength(1);
    expect(tracker.snapshot()[0]).toMatchObject({ state: 'live', frames: 5, lastFrameUs: T + 4 });
  });

  it('when a frame of a stream that is not tracked arrives then it is ignored', () => {
    const { tracker, sent } = setup();
    tracker.onFrame({ venue: 'binance', channel: 'trade', symbol: 'DOGE-USDT' }, T);
    expect(sent).toEqual([]);
  });

  it('when no frame came for exactly staleAfterMs then it stays live; one µs more and it is stale', () => {
    const { tracker, sent } = setup('ingest-1', [BTC]);
    tracker.onFrame(BTC, T);
    sent.length = 0;
    tracker.tick(T + STALE_MS * 1_000);
    expect(events(sent).map((e) => [e.kind, e.state])).toEqual([['heartbeat', 'live']]);
    sent.length = 0;
    tracker.tick(T + STALE_MS * 1_000 + 1);
    expect(events(sent).map((e) => [e.kind, e.state, e.reason])).toEqual([
      ['change', 'stale', 'no frame for 5000 ms'],
      ['heartbeat', 'stale', undefined],
    ]);
    expect(tracker.snapshot()[0]?.state).toBe('stale');
  });

  it('when frames resume on a stale stream then it is live again with a change event', () => {
    const { tracker, sent } = setup('ingest-1', [BTC]);
    tracker.onFrame(BTC, T);
    tracker.tick(T + 6_000_000);
    sent.length = 0;
    tracker.onFrame(BTC, T + 6_500_000);
    expect(events(sent).map((e) => [e.kind, e.state])).toEqual([['change', 'live']]);
  });

  it('when a tick runs then every stream gets exactly one heartbeat, whatever its state', () => {
    const { tracker, sent } = setup();
    tracker.onFrame(BTC, T);
    sent.length = 0;
    tracker.tick(T + 100);
    const hb = events(sent).filter((e) => e.kind === 'heartbeat');
    expect(hb.map((e) => `${e.venue}/${e.symbol}/${e.state}`)).toEqual(['binance/BTC-USDT/live', 'binance/ETH-USDT/reconnecting', 'okx/BTC-USDT/reconnecting']);
    expect(sent.map((m) => m.subject)).toEqual(['feed.raw.binance.status.BTC-USDT', 'feed.raw.binance.status.ETH-USDT', 'feed.raw.okx.status.BTC-USDT']);
  });

  it('when heartbeats are stamped then ids are per ingest and per second, and carry the receive time', () => {
    const a = setup('ingest-1', [BTC]);
    const b = setup('ingest-2', [BTC]);
    a.tracker.tick(T + 100);
    a.tracker.tick(T + 999_999); // same second: same id, so RAW's msg-id dedupe keeps one per second
    a.tracker.tick(T + 1_000_000);
    b.tracker.tick(T + 100);
    expect(a.sent.map((m) => m.msgId)).toEqual([
      'status:binance:BTC-USDT:trade-hb-ingest-1-1795939333',
      'status:binance:BTC-USDT:trade-hb-ingest-1-1795939333',
      'status:binance:BTC-USDT:trade-hb-ingest-1-1795939334',
    ]);
    expect(b.sent.map((m) => m.msgId)).toEqual(['status:binance:BTC-USDT:trade-hb-ingest-2-1795939333']);
    expect(events(a.sent).map((e) => e.recvTimeUs)).toEqual([T + 100, T + 999_999, T + 1_000_000]);
    expect(a.sent.map((m) => m.recvTimeUs)).toEqual([T + 100, T + 999_999, T + 1_000_000]);
  });

  it('when the venue disconnects then only its streams become reconnecting, with the reason', () => {
    const { tracker, sent } = setup();
    tracker.onFrame(BTC, T);
    tracker.onFrame(ETH, T);
    tracker.onFrame(OKX, T);
    sent.length = 0;
    tracker.setConnected('binance', false, 'closed 1006');
    expect(tracker.snapshot().map((s) => s.state)).toEqual(['reconnecting', 'reconnecting', 'live']);
    expect(events(sent).map((e) => [e.symbol, e.venue, e.kind, e.state, e.reason])).toEqual([
      ['BTC-USDT', 'binance', 'change', 'reconnecting', 'closed 1006'],
      ['ETH-USDT', 'binance', 'change', 'reconnecting', 'closed 1006'],
    ]);
  });

  it('when the venue reconnects then the state waits for the first frame to turn live', () => {
    const { tracker, sent } = setup('ingest-1', [BTC]);
    tracker.onFrame(BTC, T);
    tracker.setConnected('binance', false, 'closed 1006');
    sent.length = 0;
    tracker.setConnected('binance', true, 'reconnect');
    expect(sent).toEqual([]);
    expect(tracker.snapshot()[0]?.state).toBe('reconnecting');
    tracker.onFrame(BTC, T + 2_000_000);
    expect(tracker.snapshot()[0]?.state).toBe('live');
  });

  it('when a stream is already reconnecting and the venue disconnects again then no duplicate change is queued', () => {
    const { tracker, sent } = setup('ingest-1', [BTC]);
    tracker.setConnected('binance', false, 'error: ECONNREFUSED');
    tracker.setConnected('binance', false, 'error: ECONNREFUSED');
    expect(sent).toEqual([]);
  });

  it('when stopped then every stream is down with a change event and the heartbeat timer is gone', () => {
    const { tracker, sent } = setup();
    tracker.start();
    tracker.onFrame(BTC, T);
    sent.length = 0;
    tracker.stop();
    expect(tracker.snapshot().map((s) => s.state)).toEqual(['down', 'down', 'down']);
    expect(events(sent).map((e) => [e.kind, e.state, e.reason])).toEqual([
      ['change', 'down', 'ingest stopping'],
      ['change', 'down', 'ingest stopping'],
      ['change', 'down', 'ingest stopping'],
    ]);
  });

  it('when started then heartbeats are published on the interval, stamped with the current time', async () => {
    const registry = new Registry();
    const sent: RawMessage[] = [];
    const tracker = new StreamTracker([BTC], { staleAfterMs: STALE_MS, heartbeatMs: 20, ingestId: 'i', source: 'live', subjects: new Subjects('feed') }, (m) => sent.push(m), createIngestMetrics(registry));
    const before = Date.now() * 1000;
    tracker.start();
    await waitFor(() => sent.length >= 3, { what: 'three heartbeats', timeoutMs: 2_000, intervalMs: 5 });
    tracker.stop();
    const hb = events(sent).filter((e) => e.kind === 'heartbeat');
    expect(hb.length).toBeGreaterThanOrEqual(3);
    for (const e of hb) expect(e.recvTimeUs).toBeGreaterThanOrEqual(before - 1_000);
    const n = sent.length;
    await new Promise((r) => setTimeout(r, 60));
    expect(sent.length).toBe(n);
  });
});

describe('given the stream-state metrics (hard rule 8: stale is never silent)', () => {
  it('when the tracker is created then every stream already reports reconnecting = 1 (a venue that never connects is visible)', async () => {
    const { registry } = setup();
    for (const k of [BTC, ETH, OKX]) expect(await stateGauge(registry, k)).toEqual({ live: 0, stale: 0, reconnecting: 1, down: 0 });
  });

  it('when the state changes then exactly the current state label is 1 and the others 0', async () => {
    const { tracker, registry } = setup();
    tracker.onFrame(BTC, T);
    expect(await stateGauge(registry, BTC)).toEqual({ live: 1, stale: 0, reconnecting: 0, down: 0 });
    tracker.tick(T + 6_000_000);
    expect(await stateGauge(registry, BTC)).toEqual({ live: 0, stale: 1, reconnecting: 0, down: 0 });
    tracker.setConnected('binance', false, 'closed 1006');
    expect(await stateGauge(registry, BTC)).toEqual({ live: 0, stale: 0, reconnecting: 1, down: 0 });
    tracker.stop();
    expect(await stateGauge(registry, BTC)).toEqual({ live: 0, stale: 0, reconnecting: 0, down: 1 });
    expect(await stateGauge(registry, OKX)).toEqual({ live: 0, stale: 0, reconnecting: 0, down: 1 });
  });

  it('when a frame was seen then the last-frame gauge holds its receive time in seconds', async () => {
    const { tracker, registry } = setup('ingest-1', [BTC]);
    tracker.onFrame(BTC, T + 250_000);
    tracker.tick(T + 500_000);
    const m = await registry.getSingleMetric('feed_ingest_last_frame_timestamp_seconds')?.get();
    expect(m?.values).toEqual([{ labels: { venue: 'binance', symbol: 'BTC-USDT', channel: 'trade' }, value: (T + 250_000) / 1e6 }]);
  });
});

describe('per-stream stale windows (quiet-market aware)', () => {
  it('given a quiet trade channel and a busy quote channel of one venue, then each is judged against its own window', () => {
    const registry = new Registry();
    const sent: RawMessage[] = [];
    const trade = { venue: 'bitstamp' as const, channel: 'trade' as const, symbol: 'BTC-USD' };
    const quote = { venue: 'bitstamp' as const, channel: 'quote' as const, symbol: 'BTC-USD' };
    const tracker = new StreamTracker([trade, quote], { staleAfterMs: (k) => (k.channel === 'trade' ? 120_000 : 10_000), heartbeatMs: 1_000, ingestId: 'i', source: 'live', subjects: new Subjects('feed') }, (m) => sent.push(m), createIngestMetrics(registry));
    const T = 1_800_000_000_000_000;
    tracker.onFrame(trade, T);
    tracker.onFrame(quote, T);
    tracker.tick(T + 30_000_000); // 30 s later: the quote window (10 s) has passed, the trade window (120 s) has not
    const states = () => Object.fromEntries(tracker.snapshot().map((s) => [s.channel, [s.state, s.staleAfterMs]]));
    expect(states()).toEqual({ trade: ['live', 120_000], quote: ['stale', 10_000] });
    tracker.tick(T + 121_000_000);
    expect(states()).toEqual({ trade: ['stale', 120_000], quote: ['stale', 10_000] });
  });
});
