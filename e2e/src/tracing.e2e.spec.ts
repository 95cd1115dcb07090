import path from 'node:path';
import { FeedStack, ROOT, WsClient } from '@feed/feed-stack';
import { dumpState, keyFamilies } from '@feed/keys';
import { freePort, spawnApp, startRedis, waitFor } from '@feed/testing';
import { Redis } from 'ioredis';
import { Kind, OtlpReceiver, type ReceivedSpan } from './otlp-receiver';

/**
 * One trade is one trace (hard rule 7): a pipeline run with sampling 1.0 exports its spans to a real OTLP/HTTP
 * receiver started here, and one trade's trace id covers ingest -> normalizer -> persister -> api with the right
 * parent/child and link relations and the messaging attributes. Then a stack whose collector port is closed:
 * trades still flow and every app counts its failed exports.
 */
const N = 300;

const TRACE_ENV = { OTEL_SDK_DISABLED: 'false', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '1', OTEL_BSP_SCHEDULE_DELAY: '200', OTEL_EXPORTER_OTLP_TIMEOUT: '10000' };
// Batches under the SDK's default limit of 128 links per span, so every sampled message's link is kept.
const SMALL_BATCHES = { NORMALIZER_BATCH: '100', PERSISTER_BATCH: '100' };

function one(spans: ReceivedSpan[], what: string, pred: (s: ReceivedSpan) => boolean): ReceivedSpan {
  const found = spans.filter(pred);
  if (found.length !== 1) throw new Error(`expected exactly one ${what}, found ${found.length}: ${JSON.stringify(spans.map((s) => [s.service, s.name, s.kind]))}`);
  return found[0] as ReceivedSpan;
}

describe('tracing: one trade is one trace across the four services', () => {
  let receiver: OtlpReceiver;
  let stack: FeedStack;
  let ws: WsClient;

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    stack = await FeedStack.start({ sim: { rate: 300, maxTrades: N }, env: { ...TRACE_ENV, ...SMALL_BATCHES, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } });
    await stack.startApp('persister');
    await stack.startApp('normalizer');
    await stack.startApp('api');
    ws = await WsClient.connect(`${stack.apiUrl.replace('http', 'ws')}/v1/stream`);
    ws.send({ op: 'subscribe', channel: 'trades', symbol: 'BTC-USDT' });
    await waitFor(() => ws.frames.some((f) => f.type === 'subscribed'), { what: 'WS subscription confirmed' });
    await stack.startApp('ingest');
    await stack.simClient.waitForCount(N, 60_000);
    await waitFor(() => ws.trades.length >= N, { what: `${N} trades on the WebSocket`, timeoutMs: 60_000 });
  });

  afterAll(async () => {
    ws?.close();
    await stack?.stop();
    await receiver?.stop();
  });

  it('returns each trade with its trace id over REST and WebSocket, the same id on both', async () => {
    const res = await fetch(`${stack.apiUrl}/v1/trades?symbol=BTC-USDT&limit=50`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { trades: Array<{ tradeId: string; traceId?: string }> };
    expect(body.trades.length).toBe(50);
    const byTradeId = new Map(ws.trades.map((t) => [t.tradeId, t['traceId']]));
    for (const t of body.trades) {
      expect(t.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(byTradeId.get(t.tradeId)).toBe(t.traceId);
    }
    for (const t of ws.trades) expect(t['traceId']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('one trace id covers ingest, normalizer, persister and api with the right relations and attributes', async () => {
    const trade = ws.trades[Math.floor(N / 2)] as { traceId?: unknown; id: string };
    const traceId = String(trade.traceId);
    const services = ['feed-ingest', 'feed-normalizer', 'feed-persister', 'feed-api'];
    await waitFor(() => services.every((svc) => receiver.trace(traceId).some((s) => s.service === svc)), { what: `spans of trace ${traceId} from all four services`, timeoutMs: 30_000 });
    // Let late spans of this trace arrive (the persister's ends at its batch ack) before asserting the full shape.
    await waitFor(() => receiver.trace(traceId).length >= 6, { what: 'the six spans of the trace', timeoutMs: 30_000 });
    const spans = receiver.trace(traceId);
    expect(receiver.rejected).toEqual([]);

    // ingest: the frame's root span, and its RAW publish as a PRODUCER child.
    const frame = one(spans, 'ingest frame span', (s) => s.service === 'feed-ingest' && s.kind === Kind.CONSUMER);
    expect(frame.parentSpanId).toBe('');
    expect(frame.name).toBe('receive binance trade');
    const rawSend = one(spans, 'ingest RAW publish', (s) => s.service === 'feed-ingest' && s.kind === Kind.PRODUCER);
    expect(rawSend.parentSpanId).toBe(frame.spanId);
    expect(rawSend.attributes).toMatchObject({ 'messaging.system': 'nats', 'messaging.operation.type': 'send' });
    expect(String(rawSend.attributes['messaging.destination.name'])).toMatch(/^feed\.raw\.binance\.trade\./);

    // normalizer: a CONSUMER child of the RAW publish, linked to its batch span; the MD publish under it.
    const norm = one(spans, 'normalizer message span', (s) => s.service === 'feed-normalizer' && s.kind === Kind.CONSUMER);
    expect(norm.parentSpanId).toBe(rawSend.spanId);
    expect(norm.attributes).toMatchObject({ 'messaging.system': 'nats', 'messaging.operation.type': 'process', 'messaging.destination.name': rawSend.attributes['messaging.destination.name'], 'feed.outcome': 'acked' });
    expect(norm.links).toHaveLength(1);
    const normBatch = receiver.span((norm.links[0] as { spanId: string }).spanId);
    expect(normBatch).toBeDefined();
    expect(normBatch).toMatchObject({ service: 'feed-normalizer', kind: Kind.CONSUMER, parentSpanId: '' });
    expect(normBatch?.traceId).not.toBe(traceId);
    expect(normBatch?.attributes['messaging.batch.message_count']).toBeGreaterThanOrEqual(1);
    expect(normBatch?.attributes['messaging.destination.name']).toBe('feed.raw.>');
    expect(normBatch?.links).toContainEqual({ traceId, spanId: rawSend.spanId });

    const mdSend = one(spans, 'normalizer MD publish', (s) => s.service === 'feed-normalizer' && s.kind === Kind.PRODUCER);
    expect(mdSend.parentSpanId).toBe(norm.spanId);
    expect(mdSend.attributes).toMatchObject({ 'messaging.system': 'nats', 'messaging.destination.name': 'feed.md.v1.trade.BTC-USDT.binance', 'messaging.message.id': trade.id });

    // persister: the applied trade, a child of the MD publish, linked to the batch whose Redis script it rode in.
    const applied = one(spans, 'persister message span', (s) => s.service === 'feed-persister' && s.kind === Kind.CONSUMER);
    expect(applied.parentSpanId).toBe(mdSend.spanId);
    expect(applied.attributes).toMatchObject({ 'messaging.system': 'nats', 'messaging.destination.name': 'feed.md.v1.trade.BTC-USDT.binance', 'messaging.message.id': trade.id, 'feed.outcome': 'acked' });
    const pBatchId = (applied.links[0] as { spanId: string }).spanId;
    await waitFor(() => receiver.spans.some((s) => s.parentSpanId === pBatchId && s.kind === Kind.CLIENT), { what: 'the Redis span under the persister batch', timeoutMs: 15_000 });
    const redisSpan = receiver.spans.find((s) => s.parentSpanId === pBatchId && s.kind === Kind.CLIENT) as ReceivedSpan;
    expect(redisSpan.service).toBe('feed-persister');
    expect(redisSpan.attributes['db.system'] ?? redisSpan.attributes['db.system.name']).toBe('redis');

    // api: one fan-out span for this trade, with the subscriber count (one WebSocket client).
    const fanout = one(spans, 'api fan-out span', (s) => s.service === 'feed-api');
    expect(fanout.kind).toBe(Kind.CONSUMER);
    expect(fanout.parentSpanId).toBe(mdSend.spanId);
    expect(fanout.attributes).toMatchObject({ 'messaging.system': 'nats', 'messaging.destination.name': 'feed.md.v1.trade.BTC-USDT.binance', 'feed.ws.subscribers': 1 });

    expect(spans).toHaveLength(6);
  });

  it('traces a REST request with the standard HTTP and Express instrumentations (its Redis read included)', async () => {
    const res = await fetch(`${stack.apiUrl}/v1/prices/latest?symbol=BTC-USDT`);
    expect(res.status).toBe(200);
    await waitFor(() => receiver.spans.some((s) => s.service === 'feed-api' && s.kind === Kind.SERVER && String(s.attributes['url.path'] ?? s.attributes['http.target']).startsWith('/v1/prices/latest')), {
      what: 'the api HTTP server span',
      timeoutMs: 15_000,
    });
    const server = receiver.spans.find((s) => s.service === 'feed-api' && s.kind === Kind.SERVER && String(s.attributes['url.path'] ?? s.attributes['http.target']).startsWith('/v1/prices/latest')) as ReceivedSpan;
    await waitFor(() => receiver.trace(server.traceId).some((s) => s.kind === Kind.CLIENT), { what: 'a Redis span in the request trace', timeoutMs: 15_000 });
    const inTrace = receiver.trace(server.traceId);
    // The express instrumentation's request-handler span, under the HTTP server span; Redis reads in the same trace.
    const handler = inTrace.find((s) => s.attributes['express.type'] === 'request_handler');
    expect(handler).toMatchObject({ service: 'feed-api', kind: Kind.INTERNAL });
    expect(inTrace.map((s) => s.spanId)).toContain(handler?.parentSpanId);
    expect(inTrace.filter((s) => s.kind === Kind.CLIENT).every((s) => s.service === 'feed-api' && (s.attributes['db.system'] ?? s.attributes['db.system.name']) === 'redis')).toBe(true);
    // Ops traffic is not traced.
    expect(receiver.spans.some((s) => String(s.attributes['url.path'] ?? s.attributes['http.target']).startsWith('/metrics'))).toBe(false);
  });

  it('logs structured JSON lines only, and none per trade at info level', () => {
    for (const kind of ['ingest', 'normalizer', 'persister', 'api'] as const) {
      const app = stack.apps[kind][0];
      if (!app) throw new Error(`no ${kind}`);
      const lines = app.lines().filter((l) => l.trim() !== '');
      const json = app.json();
      expect(json).toHaveLength(lines.length);
      for (const l of json) expect(l).toMatchObject({ level: expect.any(String), time: expect.any(String), service: kind, instance: expect.any(String), msg: expect.any(String) });
      // N trades went through each app; a per-trade line would show as hundreds.
      expect(json.length).toBeLessThan(40);
    }
  });

  it('counts no export failure and no dropped span while the collector is up', async () => {
    for (const kind of ['ingest', 'normalizer', 'persister', 'api'] as const) {
      const app = stack.apps[kind][0];
      if (!app) throw new Error(`no ${kind}`);
      const text = await stack.metrics(app);
      expect(text).toMatch(/^feed_otel_export_failures_total\{[^}]*\} 0$/m);
      expect(text).toMatch(/^feed_otel_spans_dropped_total\{[^}]*\} 0$/m);
    }
  });
});

describe('tracing: trace ids survive a replay', () => {
  it('a replay of the log rebuilds the same state, trace ids included', async () => {
    const stack = await FeedStack.start({ sim: { rate: 300, maxTrades: 200 }, env: { ...TRACE_ENV, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}` } });
    try {
      await stack.startApp('persister');
      await stack.startApp('normalizer');
      const ingest = await stack.startApp('ingest');
      await stack.simClient.waitForCount(200, 60_000);
      await waitFor(async () => (await stack.redis.zcard('feed:trades:BTC-USDT')) >= 200, { what: 'all trades in Redis', timeoutMs: 60_000 });
      const members = await stack.redis.zrange('feed:trades:BTC-USDT', '0', '-1');
      // Sampling 1.0: every stored trade carries its trace id, so the comparison below covers them.
      for (const m of members) expect(JSON.parse(m.slice(m.indexOf('|') + 1))).toHaveProperty('traceId', expect.stringMatching(/^[0-9a-f]{32}$/));
      await ingest.stop();
      const mdLast = async () => (await stack.jsm.streams.info('FEED_MD')).state.last_seq;
      await waitFor(async () => Number(await stack.redis.hget('feed:checkpoint:primary', 'seq')) === (await mdLast()), { what: 'persister caught up', timeoutMs: 30_000 });
      const scratch = await startRedis();
      const replay = spawnApp({ name: 'replay', script: path.join(ROOT, 'dist/tools/replay/main.js'), env: { ...stack.baseEnv('persister'), REDIS_PORT: String(scratch.port) } });
      expect((await replay.exited).code).toBe(0);
      const scratchClient = new Redis({ host: '127.0.0.1', port: scratch.port });
      try {
        const families = keyFamilies('feed:');
        expect(await dumpState(scratchClient, families)).toEqual(await dumpState(stack.redis, families));
      } finally {
        await scratchClient.quit();
      }
    } finally {
      await stack.stop();
    }
  });
});

describe('tracing: a dead collector never stops the pipeline', () => {
  let stack: FeedStack;

  afterAll(async () => {
    await stack?.stop();
  });

  it('delivers every trade with the collector port closed, and each app counts its failed exports', async () => {
    const closed = await freePort(); // nothing listens there
    stack = await FeedStack.start({ sim: { rate: 300, maxTrades: N }, env: { ...TRACE_ENV, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${closed}` } });
    await stack.startApp('persister');
    await stack.startApp('normalizer');
    await stack.startApp('api');
    await stack.startApp('ingest');
    await stack.simClient.waitForCount(N, 60_000);
    await waitFor(async () => (await stack.redis.zcard('feed:trades:BTC-USDT')) >= N, { what: 'all trades in Redis', timeoutMs: 60_000 });
    expect(await stack.redis.zcard('feed:trades:BTC-USDT')).toBe(N);
    for (const kind of ['ingest', 'normalizer', 'persister', 'api'] as const) {
      const app = stack.apps[kind][0];
      if (!app) throw new Error(`no ${kind}`);
      await waitFor(async () => (await stack.counter(app, 'feed_otel_export_failures_total')) > 0, { what: `${kind} to count a failed export`, timeoutMs: 30_000 });
    }
    // Shutdown stays within its bound even with spans queued for a dead collector.
    for (const app of stack.apps.ingest) {
      const r = await app.stop();
      expect(r).toMatchObject({ code: 0 });
    }
  });
});
