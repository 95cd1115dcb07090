import { Hdr, newHeaders, TransientError, type Delivered, type Pipelined, type Subjects, type WindowedPublisher } from '@feed/messaging';
import { nowUs, type MarketEventV1 } from '@feed/price-types';
import { activeTraceId, isSampled } from '@feed/tracing';
import type { Context } from '@opentelemetry/api';
import type { MapResult } from './mappers';
import type { NormalizerMetrics } from './metrics';
import type { GapService } from './gaps/gap-service';
import type { RecentIds } from './recent-ids';

/** Buffer.from, not TextEncoder.encode: pooled for small strings, ~3x faster here (docs/benchmarks.md). */
const encode = (s: string): Uint8Array => Buffer.from(s, 'utf8');

/**
 * The normalizer's side effect for one batch: publish every new event to MD (msg id = event id, trace context
 * carried over) in RAW order, and return as soon as they are SENT: the consumer loop pipelines the next batch and
 * acks this one's input only when all its PubAcks are in (then the ids are remembered). Any publish failure
 * fails the batch as transient: the loop naks it and the republish is deduped by msg id.
 */
export function createBatchHandler(deps: { publisher: WindowedPublisher; subjects: Subjects; recent: RecentIds; metrics: NormalizerMetrics; gaps?: GapService }) {
  const { publisher, subjects, recent, metrics } = deps;
  return async (items: Delivered<MapResult>[]): Promise<void | Pipelined<MapResult>> => {
    const out: Array<{ subject: string; data: Uint8Array; msgId: string; headers: ReturnType<typeof newHeaders>; trace: Context; ev: MarketEventV1 }> = [];
    const inBatch = new Set<string>();
    for (const it of items) {
      const r = it.value;
      // A sampled frame's trades keep its trace id (TradeV1.traceId): the API returns it, Jaeger opens it.
      const traceId = isSampled(it.ctx) ? activeTraceId(it.ctx) : undefined;
      if (r.ignored) {
        metrics.frames.inc({ venue: venueOf(it.subject), outcome: 'ignored' });
        continue;
      }
      metrics.frames.inc({ venue: venueOf(it.subject), outcome: 'mapped' });
      // The gap tracker sees every mapped frame in RAW order (it may take over ingest's sequence-gap events).
      const events = deps.gaps ? deps.gaps.onMapped(r) : r.events;
      for (const ev of events) {
        const stream = `${ev.type}:${ev.venue}:${ev.symbol}`;
        if (recent.has(stream, ev.id) || inBatch.has(ev.id)) {
          metrics.duplicates.inc({ venue: ev.venue });
          continue;
        }
        inBatch.add(ev.id);
        const headers = newHeaders();
        headers.set(Hdr.source, ev.source);
        if (traceId !== undefined && ev.type === 'trade') ev.traceId = traceId;
        out.push({ subject: subjects.md(ev.type, ev.symbol, ev.venue), data: encode(JSON.stringify(ev)), msgId: ev.id, headers, trace: it.ctx, ev });
      }
    }
    if (out.length === 0) return;
    const { acks } = await publisher.sendAll(out);
    const settled = acks.then(
      (pubAcks) => {
        const now = nowUs();
        for (const [i, o] of out.entries()) {
          recent.add(`${o.ev.type}:${o.ev.venue}:${o.ev.symbol}`, o.ev.id);
          // JetStream refused it by msg id: published before (a redelivered frame whose first PubAcks came late).
          // Counted as a duplicate so that events_total is exactly the events the MD stream holds.
          if (pubAcks[i]?.duplicate) {
            metrics.duplicates.inc({ venue: o.ev.venue });
            continue;
          }
          metrics.events.inc({ venue: o.ev.venue, type: o.ev.type });
          if (o.ev.type === 'trade') {
            metrics.latency.observe({ venue: o.ev.venue }, Math.max(0, now - o.ev.recvTimeUs) / 1e6);
            metrics.receiveDelay.observe({ venue: o.ev.venue }, Math.max(0, o.ev.recvTimeUs - o.ev.venueTimeUs) / 1e6);
          }
        }
      },
      (e: unknown) => {
        throw new TransientError(`MD publish failed: ${e instanceof Error ? e.message : String(e)}`, 'NATS_PUBLISH_FAILED', { cause: e });
      },
    );
    return { settled };
  };
}

/** The third token of `<prefix>.raw.<venue>...` (what `split('.')[2]` gives, without the array per frame). */
function venueOf(subject: string): string {
  const a = subject.indexOf('.');
  const b = a === -1 ? -1 : subject.indexOf('.', a + 1);
  if (b === -1) return 'unknown';
  const c = subject.indexOf('.', b + 1);
  return subject.slice(b + 1, c === -1 ? undefined : c);
}

/**
 * Publishes events produced outside a RAW batch (Gap events, trades repaired from REST) to MD with the same
 * encoding and msg ids, skipping ids published recently, and resolves once every PubAck is in.
 */
export function createDirectPublisher(deps: { publisher: WindowedPublisher; subjects: Subjects; recent: RecentIds; metrics: NormalizerMetrics }) {
  const { publisher, subjects, recent, metrics } = deps;
  return async (events: MarketEventV1[]): Promise<void> => {
    const out = events
      .filter((ev) => !recent.has(`${ev.type}:${ev.venue}:${ev.symbol}`, ev.id))
      .map((ev) => {
        const headers = newHeaders();
        headers.set(Hdr.source, ev.source);
        return { subject: subjects.md(ev.type, ev.symbol, ev.venue), data: encode(JSON.stringify(ev)), msgId: ev.id, headers, ev };
      });
    if (out.length === 0) return;
    const { acks } = await publisher.sendAll(out);
    const pubAcks = await acks;
    for (const [i, o] of out.entries()) {
      recent.add(`${o.ev.type}:${o.ev.venue}:${o.ev.symbol}`, o.ev.id);
      // As in the batch handler: a JetStream duplicate is counted as one, so events_total is what MD holds.
      if (pubAcks[i]?.duplicate) metrics.duplicates.inc({ venue: o.ev.venue });
      else metrics.events.inc({ venue: o.ev.venue, type: o.ev.type });
    }
  };
}
