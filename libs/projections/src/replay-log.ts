import { decodeEvent } from '@feed/price-types';
import { DeliverPolicy, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { BatchApplier } from './applier';
import type { SequencedEvent } from './batch-args';

export interface ReplayLogOptions {
  js: JetStreamClient;
  jsm: JetStreamManager;
  stream: string;
  /** The MD filter the persisters consume (one filter subject: nats-server 2.9). */
  filter: string;
  /** The same projection code the persister runs (main script + script projections), with publish off. */
  applier: BatchApplier;
  batchSize: number;
  /** Batches applied concurrently (the projections are order-independent: decision 5); default 2. */
  inFlight?: number;
  /** First stream sequence to apply (default 1: the start of the log; a snapshot's sequence + 1 for a tail). */
  fromSeq?: number;
  /** Last sequence to apply; default: the last message the filter covers when the replay starts. */
  toSeq?: number;
}

export interface ReplayLogResult {
  fromSeq: number;
  lastSeq: number;
  /** Messages read (poison included). */
  events: number;
  /** Events newly applied (not already marked as applied). */
  applied: number;
  /** Undecodable messages, skipped as the live persister dead-lettered them. */
  poison: number;
  ms: number;
}

/** The last stream sequence `filter` covers now (0 when none): where a replay stops. */
export async function lastFilteredSeq(jsm: JetStreamManager, stream: string, filter: string): Promise<number> {
  const info = await jsm.streams.info(stream);
  if (info.state.messages === 0) return 0;
  // The stream's last message may be on another MD subject (a later schema version), which the filtered consumer
  // never delivers, so waiting for it would never end: stop at the last one the filter covers.
  try {
    return (await jsm.streams.getMessage(stream, { last_by_subj: filter }))?.seq ?? 0;
  } catch (e) {
    if (/no message found|not found/i.test(e instanceof Error ? e.message : String(e))) return 0;
    throw e;
  }
}

/**
 * Applies the MD log from `fromSeq` to `toSeq` with an ordered consumer (no durable left behind), in batches with
 * a bounded number in flight. Used by the replay tool (rebuild, restore tail, snapshots) and by a persister whose
 * Redis came back empty. Idempotent: events already applied are refused by the dedupe marks.
 */
export async function replayLog(o: ReplayLogOptions): Promise<ReplayLogResult> {
  const t0 = Date.now();
  const fromSeq = Math.max(1, o.fromSeq ?? 1);
  const lastSeq = o.toSeq ?? (await lastFilteredSeq(o.jsm, o.stream, o.filter));
  const res: ReplayLogResult = { fromSeq, lastSeq, events: 0, applied: 0, poison: 0, ms: 0 };
  if (lastSeq < fromSeq) return { ...res, ms: Date.now() - t0 };

  const consumer = await o.js.consumers.get(o.stream, { filter_subjects: o.filter, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: fromSeq });
  const iter = await consumer.consume({ max_messages: o.batchSize * 4 });
  const inFlight = new Set<Promise<void>>();
  const limit = Math.max(1, o.inFlight ?? 2);
  let failure: unknown;
  let batch: SequencedEvent[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const b = batch;
    batch = [];
    const p: Promise<void> = o.applier.apply(b).then(
      (r) => {
        for (const c of Object.values(r.counts)) res.applied += c.applied;
      },
      (e: unknown) => {
        failure ??= e;
      },
    );
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    if (inFlight.size >= limit) await Promise.race(inFlight);
  };
  try {
    for await (const m of iter) {
      if (m.seq > lastSeq) break;
      res.events++;
      try {
        batch.push({ ev: decodeEvent(m.data), seq: m.seq });
      } catch {
        res.poison++;
      }
      if (batch.length >= o.batchSize || m.seq >= lastSeq || m.info.pending === 0) await flush();
      if (failure) break;
      if (m.seq >= lastSeq) break;
    }
    await flush();
    await Promise.all(inFlight);
  } finally {
    await iter.close().catch(() => undefined);
  }
  if (failure) throw failure;
  return { ...res, ms: Date.now() - t0 };
}
