import { AckPolicy, DeliverPolicy, type ConsumerConfig, type JetStreamManager } from '@nats-io/jetstream';
import type { ConsumerLoopOptions } from './consumer-types';

/** Pull-request lifetime used by the loop for a given ack wait (see ConsumerLoop.pullExpiresMs). */
export function pullExpiresMs(ackWaitMs: number): number {
  return Math.max(1_000, Math.min(30_000, Math.floor(ackWaitMs / 2)));
}

/**
 * How long a new single writer must wait after taking over a durable before it fetches, so that everything the
 * previous holder had in hand, including messages its last (dead) pull request was still being given, has come
 * due for redelivery: JetStream then serves those first and the new writer continues in stream order.
 */
export function handoverDelayMs(ackWaitMs: number): number {
  return pullExpiresMs(ackWaitMs) + ackWaitMs + 500;
}

/**
 * The filter subject to give the durable: none when `filter` is the stream's only subject. nats-server 2.9 (Debian's
 * 2.9.10) recomputes a filtered consumer's pending count by reading every message after the consumer's position
 * (`FilteredState` -> `filteredPending` -> `cacheLookup`, seen in its goroutine dumps under load), from the
 * delivery loop; an unfiltered consumer's count is arithmetic. Under a backlog that scan grows with the backlog and
 * took nats-server from ~40 % to ~100 % CPU, stalling the consumer (docs/benchmarks.md). Same messages either way.
 */
export function durableFilter(streamSubjects: readonly string[] | undefined, filter: string): string | undefined {
  return streamSubjects?.length === 1 && streamSubjects[0] === filter ? undefined : filter;
}

/** Create or update the durable pull consumer (explicit acks) this loop reads from. */
export async function ensureDurable(jsm: JetStreamManager, o: Pick<ConsumerLoopOptions<unknown>, 'stream' | 'durable' | 'filterSubject' | 'ackWaitMs' | 'maxDeliver' | 'maxAckPending'>): Promise<void> {
  const filter = durableFilter((await jsm.streams.info(o.stream)).config.subjects, o.filterSubject);
  const cfg: Partial<ConsumerConfig> = {
    durable_name: o.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ...(filter === undefined ? {} : { filter_subject: filter }),
    ack_wait: o.ackWaitMs * 1_000_000,
    max_deliver: o.maxDeliver,
    max_ack_pending: o.maxAckPending,
  };
  try {
    const info = await jsm.consumers.info(o.stream, o.durable);
    const c = info.config;
    // A durable made before the whole-stream filter was dropped keeps it: it selects the same messages, and
    // nats-server 2.9 cannot change a consumer's filter in place (recreate the durable to get the faster form).
    const have = c.filter_subject || undefined;
    const sameFilter = have === filter || (filter === undefined && have === o.filterSubject);
    if (!sameFilter || c.ack_wait !== cfg.ack_wait || c.max_deliver !== cfg.max_deliver || c.max_ack_pending !== cfg.max_ack_pending) {
      await jsm.consumers.update(o.stream, o.durable, { ...(sameFilter ? {} : { filter_subject: filter ?? '' }), ack_wait: cfg.ack_wait as number, max_deliver: o.maxDeliver, max_ack_pending: o.maxAckPending });
    }
  } catch (e) {
    if (!/not found/i.test(e instanceof Error ? e.message : String(e))) throw e;
    await jsm.consumers.add(o.stream, cfg);
  }
}
