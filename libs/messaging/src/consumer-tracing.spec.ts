import { ConfigReader, readOtel } from '@feed/config';
import { createLogger } from '@feed/logging';
import { Registry } from '@feed/metrics';
import { startTracing, type Tracing } from '@feed/tracing';
import { cleanupAll, startNatsWithClient, waitFor } from '@feed/testing';
import { jetstream, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Context } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ConsumerLoop, ensureDurable, type Delivered } from './consumer-loop';
import { createConsumerMetrics } from './consumer-metrics';
import { DeadLetterer } from './dead-letter';
import { WindowedPublisher } from './publisher';
import { applyStreams } from './setup';
import { DEFAULT_STREAM_SETTINGS } from './streams';
import { Subjects } from './subjects';

jest.setTimeout(30_000);

/**
 * Spans on the NATS paths, through a real nats-server with the real SDK (sampling: parent-based, ratio 0, so only
 * messages whose producer context is sampled yield spans): the publisher's PRODUCER span and header, the consumer
 * loop's batch span linked to the sampled messages, and one CONSUMER span per sampled message, a child of its
 * producer span, linked to the batch span, ending with the message's outcome. Unsampled messages: no span, no
 * context (ROOT_CONTEXT), no header.
 */
class KeepingExporter implements SpanExporter {
  readonly spans: ReadableSpan[] = [];
  export(spans: ReadableSpan[], done: (r: ExportResult) => void): void {
    this.spans.push(...spans);
    done({ code: ExportResultCode.SUCCESS });
  }
  async shutdown(): Promise<void> {
    return undefined;
  }
}

const PREFIX = 'ct';
let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
let tracing: Tracing;
const exporter = new KeepingExporter();
const log = createLogger({ service: 'consumer-tracing-spec', instanceId: 't', level: 'warn', destination: { write: () => undefined } });

beforeAll(async () => {
  tracing = startTracing({
    service: 'spec',
    instanceId: 'spec-1',
    otel: readOtel(new ConfigReader({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0', OTEL_BSP_SCHEDULE_DELAY: '50' })),
    instrumentations: [],
    context: 'sync',
    exporter,
  });
  ({ nc, jsm } = await startNatsWithClient());
  js = jetstream(nc);
  await applyStreams(nc, jsm, { ...DEFAULT_STREAM_SETTINGS, prefix: PREFIX, rawMaxBytes: 16 << 20, mdMaxBytes: 16 << 20, dlqMaxBytes: 16 << 20 });
});

afterAll(async () => {
  await tracing?.shutdown(2_000);
  await cleanupAll();
});

const remote = (i: number, flags: number): Context =>
  trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext({ traceId: `${String(i).padStart(2, '0')}${'a'.repeat(30)}`, spanId: `${String(i).padStart(2, '0')}${'b'.repeat(14)}`, traceFlags: flags, isRemote: true }));

it('publish and consume: spans for sampled messages only, with the messaging attributes, parent/child and links', async () => {
  const pub = new WindowedPublisher(nc, { window: 64, timeoutMs: 5_000 });
  const subject = `${PREFIX}.md.v1.trace.BTC-USD.sim`;
  // 0-2 sampled, 3-5 explicitly unsampled, 6-8 no trace at all.
  const traceOf = (i: number): Context | undefined => (i < 3 ? remote(i, TraceFlags.SAMPLED) : i < 6 ? remote(i, TraceFlags.NONE) : undefined);
  await pub.publishAll(Array.from({ length: 9 }, (_, i) => ({ subject, data: JSON.stringify({ i }), msgId: `trace:${i}`, ...(traceOf(i) ? { trace: traceOf(i) as Context } : {}) })));

  await waitFor(() => exporter.spans.filter((s) => s.kind === SpanKind.PRODUCER).length === 3, { what: 'three PRODUCER spans', timeoutMs: 10_000 });
  const producers = exporter.spans.filter((s) => s.kind === SpanKind.PRODUCER);
  for (const p of producers) {
    expect(p.name).toBe(`send ${subject}`);
    expect(p.attributes).toMatchObject({ 'messaging.system': 'nats', 'messaging.operation.type': 'send', 'messaging.destination.name': subject, 'feed.duplicate': false });
    expect(p.parentSpanContext?.spanId).toMatch(/^0[0-2]b{14}$/);
  }

  const seen: Array<{ i: number; ctx: Context }> = [];
  const durable = 'ct_trace';
  const opts = {
    name: durable,
    js,
    jsm,
    stream: 'CT_MD',
    durable,
    filterSubject: `${PREFIX}.md.v1.trace.>`,
    ackWaitMs: 2_000,
    maxDeliver: -1,
    maxAckPending: 100,
    batchSize: 50,
    decode: (m: JsMsg) => JSON.parse(m.string()) as { i: number },
    handle: async (items: Delivered<{ i: number }>[]) => {
      for (const d of items) seen.push({ i: d.value.i, ctx: d.ctx });
      // Message 1 is refused by the side effect: dead-lettered, its span says so.
      const bad = items.find((d) => d.value.i === 1);
      return { rejected: bad ? [{ item: bad, reason: 'spec_refused', detail: 'refused by the spec' }] : [] };
    },
    deadLetter: new DeadLetterer(pub, new Subjects(PREFIX), 'trace'),
    probe: async () => true,
    probeIntervalMs: 100,
    nakDelayMs: 200,
    log,
    metrics: createConsumerMetrics(new Registry()),
  };
  await ensureDurable(jsm, opts);
  const loop = new ConsumerLoop(opts);
  loop.start();
  try {
    await waitFor(() => seen.length === 9, { what: 'all nine messages handled' });
    await waitFor(() => exporter.spans.filter((s) => s.kind === SpanKind.CONSUMER).length >= 4, { what: 'consumer spans exported', timeoutMs: 10_000 });
  } finally {
    await loop.stop();
  }

  // Unsampled and untraced messages: the shared ROOT_CONTEXT, nothing else.
  for (const s of seen.filter((x) => x.i >= 3)) expect(s.ctx).toBe(ROOT_CONTEXT);

  const consumers = exporter.spans.filter((s) => s.kind === SpanKind.CONSUMER);
  const batches = consumers.filter((s) => s.attributes['messaging.batch.message_count'] !== undefined);
  const messages = consumers.filter((s) => s.attributes['messaging.batch.message_count'] === undefined);
  expect(messages).toHaveLength(3);
  expect(batches.length).toBeGreaterThanOrEqual(1);
  const batchIds = new Set(batches.map((b) => b.spanContext().spanId));
  for (const b of batches) {
    expect(b.parentSpanContext).toBeUndefined();
    expect(b.attributes).toMatchObject({ 'messaging.system': 'nats', 'messaging.operation.type': 'process', 'messaging.destination.name': `${PREFIX}.md.v1.trace.>`, 'messaging.consumer.group.name': durable });
  }
  // The batch spans link exactly the three producer spans between them.
  expect(batches.flatMap((b) => b.links.map((l) => l.context.spanId)).sort()).toEqual(producers.map((p) => p.spanContext().spanId).sort());

  for (const m of messages) {
    const producer = producers.find((p) => p.spanContext().spanId === m.parentSpanContext?.spanId);
    expect(producer).toBeDefined();
    expect(m.spanContext().traceId).toBe(producer?.spanContext().traceId);
    expect(m.links).toHaveLength(1);
    expect(batchIds.has(m.links[0]?.context.spanId as string)).toBe(true);
    expect(m.name).toBe(`process ${subject}`);
    expect(m.attributes).toMatchObject({ 'messaging.system': 'nats', 'messaging.destination.name': subject, 'messaging.consumer.group.name': durable, 'messaging.nats.delivery_count': 1 });
    const i = Number(String(m.attributes['messaging.message.id']).split(':')[1]);
    // Delivered.ctx of a sampled message is its own consumer span.
    expect(trace.getSpanContext(seen.find((x) => x.i === i)?.ctx as Context)?.spanId).toBe(m.spanContext().spanId);
    if (i === 1) {
      expect(m.attributes['feed.outcome']).toBe('dead_lettered');
      expect(m.status.code).toBe(SpanStatusCode.ERROR);
    } else {
      expect(m.attributes['feed.outcome']).toBe('acked');
      expect(m.status.code).toBe(SpanStatusCode.UNSET);
    }
  }
});
