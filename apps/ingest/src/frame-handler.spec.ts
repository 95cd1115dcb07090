import { Subjects } from '@feed/messaging';
import { Registry } from '@feed/metrics';
import { createFrameHandler } from './frame-handler';
import { createIngestMetrics } from './metrics';
import type { RawMessage, RawPublisher } from './raw-publisher';
import { StreamTracker } from './stream-tracker';
import type { VenueAdapter } from './venues';
import { binanceAdapter } from './venues/binance';
import { bitstampAdapter } from './venues/bitstamp';
import { coinbaseAdapter } from './venues/coinbase';
import { SequenceChecker } from './sequence-checker';

const RECV = 1_795_939_333_011_500;
const TRADE = '{"stream":"btcusdt@trade","data":{"e":"trade","E":1795939333011,"s":"BTCUSDT","t":9007199254740993,"p":"60001.26","q":"0.01","T":1795939333010,"m":true,"M":true}}';

function setup() {
  const registry = new Registry();
  const metrics = createIngestMetrics(registry);
  const queued: RawMessage[] = [];
  const publisher = { enqueue: (m: RawMessage) => queued.push(m) } as unknown as RawPublisher;
  const subjects = new Subjects('feed');
  const tracker = new StreamTracker([{ venue: 'binance', channel: 'trade', symbol: 'BTC-USDT' }], { staleAfterMs: 5_000, heartbeatMs: 1_000, ingestId: 'i', source: 'live', subjects }, () => undefined, metrics);
  const classify = jest.fn((text: string) => binanceAdapter.classify(text));
  const adapter: VenueAdapter = { ...binanceAdapter, classify };
  const handle = createFrameHandler({ adapter, subjects, publisher, tracker, metrics });
  const counter = async (name: string): Promise<Array<{ labels: Record<string, string | number>; value: number }>> =>
    ((await registry.getSingleMetric(name)?.get())?.values ?? []).map((v) => ({ labels: v.labels as Record<string, string | number>, value: v.value }));
  return { handle, queued, tracker, classify, counter };
}

describe('given venue frames arriving on the socket', () => {
  it('when a frame exceeds maxFrameBytes then it is refused and counted as oversize without being parsed or queued', async () => {
    const { handle, queued, classify, counter } = setup();
    handle(Buffer.alloc(binanceAdapter.rules.maxFrameBytes + 1, 0x7b), false, RECV);
    expect(classify).not.toHaveBeenCalled();
    expect(queued).toEqual([]);
    expect(await counter('feed_ingest_frames_rejected_total')).toEqual([{ labels: { venue: 'binance', reason: 'oversize' }, value: 1 }]);
    expect(await counter('feed_ingest_frames_total')).toEqual([]);
  });

  it('when a frame is exactly maxFrameBytes then it is accepted (filed as "other")', () => {
    const { handle, queued } = setup();
    handle(Buffer.alloc(binanceAdapter.rules.maxFrameBytes, 0x20), false, RECV);
    expect(queued).toHaveLength(1);
    expect(queued[0]?.subject).toBe('feed.raw.binance.other._');
  });

  it('when a frame is binary then it is refused and counted as binary, unparsed', async () => {
    const { handle, queued, classify, counter } = setup();
    handle(Buffer.from(TRADE), true, RECV);
    expect(classify).not.toHaveBeenCalled();
    expect(queued).toEqual([]);
    expect(await counter('feed_ingest_frames_rejected_total')).toEqual([{ labels: { venue: 'binance', reason: 'binary' }, value: 1 }]);
  });

  it('when a control frame (subscription ack) arrives then it is counted as control and not queued', async () => {
    const { handle, queued, counter } = setup();
    handle(Buffer.from('{"result":null,"id":1}'), false, RECV);
    handle(Buffer.from('{"result":null,"id":2}'), false, RECV);
    expect(queued).toEqual([]);
    expect(await counter('feed_ingest_control_frames_total')).toEqual([{ labels: { venue: 'binance', kind: 'subscription_ack' }, value: 2 }]);
    expect(await counter('feed_ingest_frames_total')).toEqual([]);
  });

  it('when a trade frame arrives then it is queued with its subject, deterministic msg id, receive time and bytes, and the stream is live', async () => {
    const { handle, queued, tracker, counter } = setup();
    const data = Buffer.from(TRADE);
    handle(data, false, RECV);
    expect(queued).toHaveLength(1);
    const m = queued[0] as RawMessage;
    expect({ ...m, data: undefined }).toEqual({ subject: 'feed.raw.binance.trade.BTC-USDT', msgId: 'trade:binance:BTC-USDT:9007199254740993', recvTimeUs: RECV, venue: 'binance', attempt: 0, data: undefined });
    expect(Buffer.from(m.data).toString('utf8')).toBe(TRADE);
    expect(await counter('feed_ingest_frames_total')).toEqual([{ labels: { venue: 'binance', channel: 'trade' }, value: 1 }]);
    expect(tracker.snapshot()[0]).toMatchObject({ state: 'live', lastFrameUs: RECV, frames: 1 });
  });

  it('when a malformed frame arrives then it is still filed on RAW as "other" (the normalizer dead-letters it) with no msg id', async () => {
    const { handle, queued, tracker, counter } = setup();
    handle(Buffer.from('{"e":"trade","s":"BTCUSDT","p":'), false, RECV);
    expect(queued).toHaveLength(1);
    expect(queued[0]).not.toHaveProperty('msgId');
    expect(queued[0]?.subject).toBe('feed.raw.binance.other._');
    expect(await counter('feed_ingest_frames_total')).toEqual([{ labels: { venue: 'binance', channel: 'other' }, value: 1 }]);
    expect(tracker.snapshot()[0]?.state).toBe('reconnecting'); // garbage is not proof of a live trade stream
  });

  it('when frames arrive in order then they are queued in the same order', () => {
    const { handle, queued } = setup();
    for (let t = 1; t <= 5; t++) handle(Buffer.from(`{"e":"trade","s":"BTCUSDT","t":${t},"p":"1","q":"1","T":1795939333010,"m":true}`), false, RECV + t);
    expect(queued.map((m) => m.msgId)).toEqual([1, 2, 3, 4, 5].map((t) => `trade:binance:BTC-USDT:${t}`));
    expect(queued.map((m) => m.recvTimeUs)).toEqual([1, 2, 3, 4, 5].map((t) => RECV + t));
  });
});

describe('given a venue that asks its clients to reconnect (Bitstamp bts:request_reconnect)', () => {
  it('when the request arrives then it is counted as control, not queued, and the rotation callback runs once', async () => {
    const registry = new Registry();
    const metrics = createIngestMetrics(registry);
    const queued: RawMessage[] = [];
    const publisher = { enqueue: (m: RawMessage) => queued.push(m) } as unknown as RawPublisher;
    const subjects = new Subjects('feed');
    const tracker = new StreamTracker([], { staleAfterMs: 5_000, heartbeatMs: 1_000, ingestId: 'i', source: 'live', subjects }, () => undefined, metrics);
    const onReconnectRequest = jest.fn();
    const handle = createFrameHandler({ adapter: bitstampAdapter, subjects, publisher, tracker, metrics, onReconnectRequest });
    handle(Buffer.from('{"event": "bts:request_reconnect", "channel": "", "data": ""}'), false, RECV);
    expect(onReconnectRequest).toHaveBeenCalledTimes(1);
    expect(queued).toHaveLength(0);
    const control = (await registry.getSingleMetric('feed_ingest_control_frames_total')?.get())?.values ?? [];
    expect(control.map((v) => [v.labels['kind'], v.value])).toEqual([['reconnect_request', 1]]);
  });
});

describe('given a venue that numbers every message of a connection (Coinbase sequence_num)', () => {
  const cb = (seq: number, channel = 'heartbeats'): Buffer =>
    Buffer.from(`{"channel":"${channel}","client_id":"","timestamp":"2026-01-01T00:00:00Z","sequence_num":${seq},"events":[{"current_time":"x","heartbeat_counter":"${seq}"}]}`);

  function setupCoinbase() {
    const registry = new Registry();
    const metrics = createIngestMetrics(registry);
    const subjects = new Subjects('feed');
    const tracker = new StreamTracker([], { staleAfterMs: 5_000, heartbeatMs: 1_000, ingestId: 'i', source: 'live', subjects }, () => undefined, metrics);
    const jumps: Array<{ conn: number; after: number; before: number }> = [];
    const handle = createFrameHandler({
      adapter: coinbaseAdapter,
      subjects,
      publisher: { enqueue: () => undefined } as unknown as RawPublisher,
      tracker,
      metrics,
      sequence: { checker: new SequenceChecker(), onJump: (conn, j) => jumps.push({ conn: conn.id, after: j.after, before: j.before }) },
    });
    return { handle, jumps, registry };
  }

  it('when numbers run on through control frames (heartbeats), and an oversize frame, then no jump is reported', () => {
    const { handle, jumps } = setupCoinbase();
    const conn = { id: 1, openedAt: 1 };
    handle(cb(0), false, RECV, conn);
    handle(cb(1), false, RECV, conn);
    const big = Buffer.concat([cb(2).subarray(0, -2), Buffer.alloc(coinbaseAdapter.rules.maxFrameBytes, 0x20), Buffer.from(']}')]);
    handle(big, false, RECV, conn);
    handle(cb(3), false, RECV, conn);
    expect(jumps).toEqual([]);
  });

  it('when a number is skipped on one connection then exactly that jump is reported and counted; another connection is independent', async () => {
    const { handle, jumps, registry } = setupCoinbase();
    handle(cb(0), false, RECV, { id: 1, openedAt: 1 });
    handle(cb(5), false, RECV, { id: 2, openedAt: 2 });
    handle(cb(3), false, RECV, { id: 1, openedAt: 1 });
    handle(cb(6), false, RECV, { id: 2, openedAt: 2 });
    expect(jumps).toEqual([{ conn: 1, after: 0, before: 3 }]);
    expect((await registry.getSingleMetric('feed_ingest_sequence_gaps_total')?.get())?.values.map((v) => v.value)).toEqual([1]);
  });
});
