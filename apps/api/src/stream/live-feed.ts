import type { Logger } from '@feed/logging';
import { decodeEvent, nowUs } from '@feed/price-types';
import { DeliverPolicy, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import type { ApiMetrics } from '../metrics';
import { streamTradeItem } from '../read/format';
import type { DuplicateFilter } from './dedupe';
import { tracedFanOut } from './fanout-span';
import type { StreamHub } from './hub';

export interface LiveFeedDeps {
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** The MD stream. */
  stream: string;
  /** One filter subject (nats-server 2.9): every trade, all symbols and venues. */
  filterSubject: string;
  hub: StreamHub;
  dedupe: DuplicateFilter;
  /** How many MD events back the start-up back-fill reaches (WS_RESUME_WINDOW). */
  resumeWindow: number;
  metrics: Pick<ApiMetrics, 'liveEvents' | 'liveDuplicates' | 'liveRestarts' | 'liveLastSeq' | 'pushLatency'>;
  log: Logger;
  /** First delay before recreating a failed consumer; doubles up to 5 s. */
  restartDelayMs?: number;
}

export type FeedState = 'starting' | 'catching_up' | 'live' | 'restarting' | 'stopped';

/** Missed idle heartbeats after which the consumer is recreated even though the client library is still trying. */
const MAX_MISSED_HEARTBEATS = 4;

/**
 * The api's read of the log for live push: ONE ordered consumer per api instance (ephemeral, in memory, no acks:
 * the push is a view, not a side effect that needs exactly-once). The client library already recreates an
 * ordered consumer on a sequence gap; when the consumer itself ends or reports lasting trouble, this loop
 * recreates it from the last sequence seen, so clients see no gap and no repeat.
 */
export class LiveFeed {
  private nextSeq = 1;
  private iter: ConsumerMessages | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;
  private stateValue: FeedState = 'starting';
  private wake: (() => void) | undefined;

  constructor(private readonly d: LiveFeedDeps) {}

  get state(): FeedState {
    return this.stateValue;
  }

  /** Next MD sequence the feed will read. */
  get position(): number {
    return this.nextSeq;
  }

  /** Alive = the read loop has not ended (it may be between retries: readiness shows NATS trouble). */
  isAlive(): boolean {
    return this.running !== undefined && this.stateValue !== 'stopped';
  }

  /** Starts reading WS_RESUME_WINDOW events back so the ring can serve resumes at once. */
  async start(): Promise<void> {
    const info = await this.d.jsm.streams.info(this.d.stream);
    const last = info.state.last_seq;
    const startSeq = Math.max(1, last - this.d.resumeWindow + 1);
    this.d.hub.start(startSeq, last);
    this.nextSeq = startSeq;
    this.stateValue = this.d.hub.caughtUp ? 'live' : 'catching_up';
    this.d.log.info({ stream: this.d.stream, startSeq, catchUpTo: last }, 'live feed starting');
    this.running = this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    try {
      await this.iter?.close();
    } catch {
      // already closed with the connection
    }
    await this.running;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      try {
        const consumer = await this.d.js.consumers.get(this.d.stream, {
          filter_subjects: this.d.filterSubject,
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: this.nextSeq,
        });
        const iter = await consumer.consume({ max_messages: 1000 });
        this.iter = iter;
        if (this.stopping) {
          await iter.close();
          break;
        }
        this.watch(iter);
        for await (const m of iter) {
          this.handle(m);
          failures = 0;
        }
        if (this.stopping) break;
        this.d.log.warn({ next: this.nextSeq }, 'live consumer ended; recreating');
      } catch (e) {
        if (this.stopping) break;
        this.d.log.warn({ err: e instanceof Error ? e.message : String(e), next: this.nextSeq }, 'live consumer failed; recreating');
      }
      this.d.metrics.liveRestarts.inc();
      this.stateValue = 'restarting';
      failures++;
      await this.pause(Math.min(5_000, (this.d.restartDelayMs ?? 100) * 2 ** Math.min(failures - 1, 6)));
      if (!this.stopping) this.stateValue = this.d.hub.caughtUp ? 'live' : 'catching_up';
    }
    this.stateValue = 'stopped';
  }

  /** Lasting trouble the library cannot fix by itself ends the iterator; the loop above recreates. */
  private watch(iter: ConsumerMessages): void {
    void (async () => {
      for await (const s of iter.status()) {
        if ((s.type === 'heartbeats_missed' && s.count >= MAX_MISSED_HEARTBEATS) || s.type === 'stream_not_found') {
          this.d.log.warn({ status: s.type }, 'live consumer in trouble; recreating');
          iter.stop();
          return;
        }
        if (s.type === 'ordered_consumer_recreated') this.d.log.info({ name: s.name }, 'ordered consumer recreated by the client');
      }
    })().catch(() => undefined);
  }

  /** Decode, dedupe, publish. Never throws: a bad event on the log must not stop the push for everyone. */
  private handle(m: JsMsg): void {
    const seq = m.seq;
    if (seq < this.nextSeq) return; // already read before a recreate
    this.nextSeq = seq + 1;
    const { hub, metrics } = this.d;
    metrics.liveLastSeq.set(seq);
    let ev;
    try {
      ev = decodeEvent(m.data);
    } catch {
      metrics.liveEvents.inc({ outcome: 'invalid' });
      hub.observe(seq);
      return;
    }
    if (ev.type !== 'trade') {
      hub.observe(seq);
      return;
    }
    if (!this.d.dedupe.admit(ev.venue, ev.symbol, ev.tradeId)) {
      metrics.liveEvents.inc({ outcome: 'duplicate' });
      metrics.liveDuplicates.inc({ venue: ev.venue });
      hub.observe(seq);
    } else {
      tracedFanOut(m, hub, { seq, symbol: ev.symbol, json: JSON.stringify(streamTradeItem(ev, seq)) });
      metrics.liveEvents.inc({ outcome: 'pushed' });
      metrics.pushLatency.observe({ venue: ev.venue }, Math.max(0, nowUs() - ev.recvTimeUs) / 1e6);
    }
    if (this.stateValue === 'catching_up' && hub.caughtUp) {
      this.stateValue = 'live';
      this.d.log.info({ seq }, 'live feed caught up');
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }
}
