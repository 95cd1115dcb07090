/**
 * Tracing cost micro-benchmark, on one core: what tracing adds per trade on Feed's hot paths, unsampled and
 * sampled, with the real SDK (sampler, span objects, batch span processor, OTLP JSON serialisation of every
 * exported span; only the HTTP send is left out). docs/benchmarks.md turns these into the expected throughput cost
 * of a sampling ratio, next to the end-to-end `npm run bench` comparison.
 *
 *   node tools/build/run-ts.mjs tools/bench/src/tracing-micro.ts [--runs N] [--ms M]
 *
 * Cases (per trade):
 *   - unsampled: ingest's head-sampling decision for a frame (made before any span exists) plus the three
 *     consume-side checks (normalizer, persister, api) of a traceparent-less header;
 *   - sampled: the whole trace of one trade: ingest root + RAW send span (+ inject), normalizer extract + message
 *     span + MD send span (+ inject), persister extract + message span, api extract + fan-out span, a share of the
 *     batch spans (batch of 100), and the export serialisation of every span.
 */
import { ConfigReader, readOtel } from '@feed/config';
import { extractTrace, getTracer, headSampled, injectTrace, sampledTraceparent, startTracing } from '@feed/tracing';
import { headers } from '@nats-io/transport-node';
import { ROOT_CONTEXT, SpanKind, trace, type Context } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { positiveArg } from './cli-arg';

const RUNS = Math.floor(positiveArg('runs', 5));
const ROUND_MS = positiveArg('ms', 200);

/** Serialises each exported batch exactly as the OTLP/HTTP exporter would, then drops it. */
class SerializingExporter implements SpanExporter {
  bytes = 0;
  export(spans: ReadableSpan[], done: (r: ExportResult) => void): void {
    this.bytes += JsonTraceSerializer.serializeRequest(spans)?.length ?? 0;
    done({ code: ExportResultCode.SUCCESS });
  }
  async shutdown(): Promise<void> {
    return undefined;
  }
}

const exporter = new SerializingExporter();
// Ratio 0 for roots: the unsampled case measures the drop path; the sampled case forces its root by a sampled
// parent context (parent-based), exactly what a sampled frame's trace looks like downstream.
const tracing = startTracing({
  service: 'bench',
  instanceId: 'bench-1',
  otel: readOtel(new ConfigReader({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0', OTEL_BSP_MAX_QUEUE_SIZE: '100000', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '512', OTEL_BSP_SCHEDULE_DELAY: '50' })),
  instrumentations: [],
  context: 'sync',
  exporter,
});
const tracer = getTracer('bench');
const SUBJ_RAW = 'feed.raw.binance.trade.BTCUSDT';
const SUBJ_MD = 'feed.md.v1.trade.BTC-USDT.binance';
const msgAttrs = (dest: string, op: string) => ({ 'messaging.system': 'nats', 'messaging.operation.type': op, 'messaging.destination.name': dest, 'messaging.message.id': 'trade:binance:BTC-USDT:5000000123' });

const plain = headers();
plain.set('Nats-Msg-Id', 'trade:binance:BTC-USDT:5000000123');

function unsampledTrade(): number {
  let n = headSampled() ? 1 : 0;
  for (let i = 0; i < 3; i++) if (sampledTraceparent(plain)) n++;
  return n;
}

/** A sampled remote parent, as a sampled frame's root would be: forces the whole trade's spans to be sampled. */
const sampledRoot = trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 }));
let batchCtx: Context = ROOT_CONTEXT;
let inBatch = 0;

function sampledTrade(): number {
  // ingest
  const frame = tracer.startSpan('receive binance trade', { kind: SpanKind.CONSUMER, attributes: { 'feed.venue': 'binance' } }, sampledRoot);
  frame.end();
  const fctx = trace.setSpan(sampledRoot, frame);
  const send = tracer.startSpan(`send ${SUBJ_RAW}`, { kind: SpanKind.PRODUCER, attributes: msgAttrs(SUBJ_RAW, 'send') }, fctx);
  const h1 = headers();
  injectTrace(h1, trace.setSpan(fctx, send));
  send.end();
  // normalizer: batch span every 100 messages (linked), message span, MD send span
  if (inBatch++ % 100 === 0) {
    const b = tracer.startSpan('process feed.raw.>', { kind: SpanKind.CONSUMER, root: true, links: [{ context: send.spanContext() }], attributes: { 'messaging.batch.message_count': 100 } }, sampledRoot);
    b.end();
    batchCtx = trace.setSpan(ROOT_CONTEXT, b);
  }
  const links = [{ context: trace.getSpanContext(batchCtx) ?? send.spanContext() }];
  let n = sampledTraceparent(h1) ? 1 : 0;
  const p1 = extractTrace(h1);
  const norm = tracer.startSpan(`process ${SUBJ_RAW}`, { kind: SpanKind.CONSUMER, links, attributes: msgAttrs(SUBJ_RAW, 'process') }, p1);
  const nctx = trace.setSpan(p1, norm);
  const md = tracer.startSpan(`send ${SUBJ_MD}`, { kind: SpanKind.PRODUCER, attributes: msgAttrs(SUBJ_MD, 'send') }, nctx);
  const h2 = headers();
  injectTrace(h2, trace.setSpan(nctx, md));
  md.end();
  norm.end();
  // persister and api
  for (const name of ['process', 'fan-out']) {
    if (sampledTraceparent(h2)) n++;
    const p2 = extractTrace(h2);
    tracer.startSpan(`${name} ${SUBJ_MD}`, { kind: SpanKind.CONSUMER, links, attributes: msgAttrs(SUBJ_MD, 'process') }, p2).end();
  }
  return n;
}

/** Median CPU µs per call over RUNS rounds of `iters` calls, minus the same rounds' cost with an empty call. */
async function measure(name: string, fn: () => number, iters: number, baseline = 0): Promise<number> {
  let sink = 0;
  for (let i = 0; i < iters; i++) sink += fn(); // warm-up (JIT)
  const perOp: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    // Let the batch processor drain between rounds, so its serialisation is counted in the round that caused it.
    await new Promise((res) => setTimeout(res, 120));
    const c0 = process.cpuUsage();
    for (let i = 0; i < iters; i++) sink += fn();
    await new Promise((res) => setTimeout(res, 120));
    const c = process.cpuUsage(c0);
    perOp.push((c.user + c.system) / iters - baseline);
  }
  perOp.sort((a, b) => a - b);
  const med = perOp[Math.floor(perOp.length / 2)] as number;
  console.log(`${name.padEnd(12)} ${med.toFixed(2)} µs CPU per trade (min ${perOp[0]?.toFixed(2)}, max ${perOp[perOp.length - 1]?.toFixed(2)}; ${iters} trades per round) [${sink > -1 ? 'ok' : ''}]`);
  return med;
}

async function main(): Promise<void> {
  const U = Math.floor(ROUND_MS * 500); // ~100k unsampled trades per round at the default
  const S = Math.floor(ROUND_MS * 25);
  const baseU = await measure('(empty)', () => 0, U);
  const unsampled = await measure('unsampled', unsampledTrade, U, baseU);
  const baseS = await measure('(empty)', () => 0, S);
  const sampled = await measure('sampled', sampledTrade, S, baseS);
  console.log(`exported ${(exporter.bytes / 1e6).toFixed(1)} MB of OTLP JSON; failures ${tracing.stats.failures}, dropped ${tracing.stats.dropped}`);
  for (const ratio of [0.001, 0.01, 0.1, 1]) {
    console.log(`ratio ${String(ratio).padEnd(6)} ${(unsampled * (1 - ratio) + sampled * ratio).toFixed(2)} µs CPU per trade`);
  }
  await tracing.shutdown(2_000);
}

void main();
