import { ValidationError } from '@feed/price-types';
import { context, ROOT_CONTEXT as ROOT } from '@opentelemetry/api';
import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { BatchSpans, messageContext } from './consumer-spans';
import type { ConsumerLoopOptions, Delivered, HandleOutcome, Pipelined } from './consumer-types';
import { pullExpiresMs } from './durable';
import { PoisonError, TransientError } from './errors';

export type { ConsumerLoopOptions, Delivered, HandleOutcome, Pipelined } from './consumer-types';
export { ensureDurable, handoverDelayMs, pullExpiresMs } from './durable';

export type LoopState = 'starting' | 'running' | 'paused' | 'standby' | 'stopping' | 'stopped' | 'failed';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The one consumer loop every stage uses (nats.js example shape): pull a batch, decode each message on its own
 * (poison goes to the dead-letter subject alone, with its reason, then `term`), run the side effect for the good
 * ones, ack them. On a transient failure the batch is nakked with a delay and the loop STOPS FETCHING until the
 * probe says the dependency is back, so an outage costs one delivery per message rather than exhausting
 * `max_deliver`. `stop()` stops fetching, finishes the batch in hand, and returns.
 */
export class ConsumerLoop<T> {
  private stateValue: LoopState = 'starting';
  private iter: ConsumerMessages | undefined;
  private queue: JsMsg[] = [];
  private wake: (() => void) | undefined;
  /** Linger (lingerMs): until when a partial batch may wait, 0 = take what is queued now; woken by a full queue. */
  private lingerUntil = 0;
  private lingerWake: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;
  /** Pipelined batches whose side effect has not completed yet. */
  private readonly pendingBatches = new Set<Promise<void>>();
  /** Set when a pipelined batch failed transiently: the loop pauses after the batch in hand. */
  private broken = false;
  private fatal: unknown;
  private lastWorkingAt = Date.now();
  /** Messages of pipelined batches not settled yet (kept alive like the queue). */
  private readonly inFlightBatches = new Set<JsMsg[]>();
  private readerDone = true;
  private batchStartedAt = 0;
  private lagTimer: NodeJS.Timeout | undefined;
  /** Set by tests and /health: completed batches. */
  batches = 0;
  /**
   * Lifetime of each pull request the consume keeps open (nats.js default: 30 s). A closed consume leaves its last
   * pull request on the server until it expires, and while such a dead request is the only one waiting, nats-server
   * (2.9 at least) takes any redelivery that comes due, counts a delivery, finds no listener and drops the attempt:
   * one delivery burned per message (the message is lost once max_deliver is reached) and the tail message re-sent
   * as new. So requests expire well within the ack wait, and what the loop hands back when it stops fetching is
   * nakked with a delay past that expiry (`handBackDelayMs`): nothing of ours comes due while a dead request waits.
   */
  private readonly pullExpiresMs: number;
  private readonly handBackDelayMs: number;

  constructor(private readonly o: ConsumerLoopOptions<T>) {
    this.pullExpiresMs = pullExpiresMs(o.ackWaitMs);
    this.handBackDelayMs = this.pullExpiresMs + 500;
  }

  get state(): LoopState {
    return this.stateValue;
  }

  /** Alive = the loop has not died, and no batch has been stuck longer than `wedgeMs`. */
  isAlive(wedgeMs: number): boolean {
    if (this.stateValue === 'failed' || this.stateValue === 'stopped') return false;
    return this.batchStartedAt === 0 || Date.now() - this.batchStartedAt < wedgeMs;
  }

  start(): void {
    const m = this.o.metrics;
    this.running = this.run().catch((e: unknown) => {
      this.stateValue = 'failed';
      this.o.log.error({ err: e instanceof Error ? e.message : String(e) }, 'consumer loop failed');
    });
    this.lagTimer = setInterval(() => {
      this.o.jsm.consumers
        .info(this.o.stream, this.o.durable)
        .then((ci) => {
          m.pending.set({ consumer: this.o.name }, ci.num_pending);
          m.ackPending.set({ consumer: this.o.name }, ci.num_ack_pending);
        })
        .catch(() => undefined);
    }, 5_000);
    this.lagTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.stateValue = 'stopping';
    if (this.lagTimer) clearInterval(this.lagTimer);
    await this.iter?.close().catch(() => undefined);
    this.wake?.();
    this.lingerWake?.();
    await this.running;
    this.stateValue = 'stopped';
  }

  private async run(): Promise<void> {
    const { o } = this;
    while (!this.stopping) {
      if (o.isActive && !o.isActive()) {
        this.stateValue = 'standby';
        await sleep(100);
        continue;
      }
      try {
        const consumer = await o.js.consumers.get(o.stream, o.durable);
        this.iter = await consumer.consume({ max_messages: Math.max(o.batchSize, Math.min(o.maxAckPending, 2 * o.batchSize)), expires: this.pullExpiresMs });
      } catch (e) {
        // A consume is re-created after missed heartbeats, i.e. while the network may still be stalled: a timeout
        // here used to end the loop for good ('failed'). Retry until NATS answers; only a missing durable or
        // stream, or a connection closed for good, is fatal.
        const msg = e instanceof Error ? e.message : String(e);
        if (/not found/i.test(msg) || (e instanceof Error && e.name === 'ClosedConnectionError')) throw e;
        o.log.warn({ consumer: o.name, err: msg }, 'cannot (re)start consuming; retrying');
        await sleep(o.probeIntervalMs);
        continue;
      }
      this.stateValue = 'running';
      const iter = this.iter;
      const reader = this.read(iter);
      let outcome: 'paused' | 'ended' | undefined;
      try {
        outcome = await this.process();
      } finally {
        // Also when process() throws: a consume left open kept pulling into a queue nobody read, taking every
        // redelivery (burning max_deliver) away from healthy consumers until the process was replaced.
        await iter.close().catch(() => undefined);
        await reader;
        this.iter = undefined;
        // Messages already inside the client when the consume closed reach the queue after process() returned.
        // Hand them back now: kept across a pause or a standby they outlive their ack wait, are redelivered, and
        // were then handled twice (once from this stale copy, once as the redelivery).
        this.handBack(Math.max(o.nakDelayMs, this.handBackDelayMs));
      }
      if (outcome === 'paused') await this.waitForDependency();
    }
  }

  /** Moves delivered messages into the local queue; restarts the consume on missed heartbeats. */
  private async read(iter: ConsumerMessages): Promise<void> {
    this.readerDone = false;
    void (async () => {
      for await (const s of iter.status()) {
        if (s.type === 'heartbeats_missed' && (s as { count: number }).count >= 2) {
          this.o.log.warn({ consumer: this.o.name }, 'consumer heartbeats missed: recreating');
          await iter.close().catch(() => undefined);
        }
      }
    })().catch(() => undefined);
    try {
      for await (const m of iter) {
        if (this.queue.length === 0 && this.o.lingerMs) this.lingerUntil = Date.now() + this.o.lingerMs;
        this.queue.push(m);
        this.wake?.();
        if (this.lingerWake && this.queue.length >= this.o.batchSize) this.lingerWake();
      }
    } catch (e) {
      this.o.log.warn({ consumer: this.o.name, err: e instanceof Error ? e.message : String(e) }, 'consume ended with error');
    } finally {
      this.readerDone = true;
      this.wake?.();
    }
  }

  /** Returns 'paused' after a transient failure, 'ended' when the iterator closed, leadership moved or the loop stops. */
  private async process(): Promise<'paused' | 'ended'> {
    const { o } = this;
    for (;;) {
      this.keepQueuedAlive();
      if (this.queue.length === 0) {
        if (this.stopping || this.readerDone || (o.isActive && !o.isActive() && !o.isHeld?.())) {
          await this.settleAll();
          return 'ended';
        }
        // Woken by the reader; the timeout re-checks leadership and stop requests while idle.
        await new Promise<void>((r) => {
          this.wake = r;
          setTimeout(r, 250);
        });
        this.wake = undefined;
        continue;
      }
      if (o.isActive && !o.isActive() && o.isHeld?.()) {
        await sleep(10);
        continue;
      }
      if (this.lingerUntil > 0 && this.queue.length < o.batchSize && !this.stopping && !this.readerDone) {
        const left = this.lingerUntil - Date.now();
        if (left > 0) {
          await new Promise<void>((r) => {
            this.lingerWake = r;
            setTimeout(r, left);
          });
          this.lingerWake = undefined;
          continue;
        }
      }
      const batch = this.queue.splice(0, o.batchSize);
      this.lingerUntil = 0;
      const ok = await this.handleBatch(batch);
      if (!ok) {
        // Nak everything we hold: redelivered once the dependency is back.
        this.handBack(Math.max(o.nakDelayMs, this.handBackDelayMs));
        await this.settleAll();
        this.broken = false;
        return 'paused';
      }
      if (this.stopping || (o.isActive && !o.isActive() && !o.isHeld?.())) {
        if (!this.stopping) o.log.warn({ consumer: o.name, handedBack: this.queue.length }, 'no longer the active writer: handing back what is queued');
        // Stop taking work: what is buffered but unstarted goes back to the server for the next holder.
        this.handBack(this.handBackDelayMs);
        await this.settleAll();
        return 'ended';
      }
    }
  }

  private async handleBatch(batch: JsMsg[]): Promise<boolean> {
    const { o } = this;
    const m = o.metrics;
    const t0 = process.hrtime.bigint();
    this.batchStartedAt = Date.now();
    const good: Delivered<T>[] = [];
    /** Sampled messages of this batch; allocated only when there is one (no per-message cost otherwise). */
    let traced: Delivered<T>[] | undefined;
    try {
      for (const msg of batch) {
        if (msg.info.deliveryCount > 1) m.redelivered.inc({ consumer: o.name });
        try {
          const d: Delivered<T> = { value: o.decode(msg), msg, seq: msg.seq, subject: msg.subject, deliveryCount: msg.info.deliveryCount, ctx: messageContext(msg) };
          good.push(d);
          if (d.ctx !== ROOT) (traced ??= []).push(d);
        } catch (e) {
          // decode is pure: whatever it throws is about the input, so the message is poison (never a crash).
          const reason = e instanceof ValidationError ? e.code : e instanceof PoisonError ? e.reason : 'decode_error';
          await this.poison(msg, reason, e instanceof Error ? e.message : String(e));
        }
      }
      if (good.length > 0) {
        const spans = BatchSpans.start({ consumer: o.name, filterSubject: o.filterSubject }, batch.length, traced);
        let result: void | HandleOutcome<T> | Pipelined<T>;
        try {
          // Inside the batch span: what the side effect does without a message of its own (one Redis script call
          // for the whole batch) is a child of the batch span.
          result = await (spans ? context.with(spans.ctx, () => o.handle(good)) : o.handle(good));
        } catch (e) {
          if (!(e instanceof TransientError)) {
            spans?.end(() => 'nakked', e instanceof Error ? e.message : String(e));
            throw e;
          }
          this.failBatch(good, e, spans);
          return false;
        }
        if (result && 'settled' in result) {
          // Pipelined: the side effect is under way; settle (ack or nak) when it completes, and keep at most
          // maxPendingBatches outstanding so memory and redelivery exposure stay bounded.
          const msgs = good.map((g) => g.msg);
          this.inFlightBatches.add(msgs);
          const settled = result.settled.then(
            (outcome) => this.finishBatch(good, outcome, spans),
            (e: unknown) => {
              if (e instanceof TransientError) this.failBatch(good, e, spans);
              else {
                spans?.end(() => 'nakked', e instanceof Error ? e.message : String(e));
                this.fatal = e;
              }
            },
          );
          this.pendingBatches.add(settled);
          void settled.finally(() => {
            this.pendingBatches.delete(settled);
            this.inFlightBatches.delete(msgs);
          });
          while (this.pendingBatches.size >= (o.maxPendingBatches ?? 1)) await Promise.race(this.pendingBatches);
        } else {
          await this.finishBatch(good, result, spans);
        }
      }
      if (this.fatal) throw this.fatal;
      m.batchSize.observe({ consumer: o.name }, batch.length);
      m.batchSeconds.observe({ consumer: o.name }, Number(process.hrtime.bigint() - t0) / 1e9);
      this.batches++;
      return !this.broken;
    } finally {
      this.batchStartedAt = 0;
    }
  }

  /** Dead-letter what the side effect rejected, ack the rest. */
  private async finishBatch(good: Delivered<T>[], outcome: void | HandleOutcome<T>, spans?: BatchSpans<T>): Promise<void> {
    const { o } = this;
    const rejected = new Set<Delivered<T>>();
    for (const r of outcome?.rejected ?? []) {
      rejected.add(r.item);
      await this.poison(r.item.msg, r.reason, r.detail);
    }
    for (const g of good) if (!rejected.has(g)) g.msg.ack();
    o.metrics.messages.inc({ consumer: o.name, outcome: 'acked' }, good.length - rejected.size);
    spans?.end((d) => (rejected.has(d) ? 'dead_lettered' : 'acked'));
  }

  /** Naks every queued, unhandled message; counted, so that every delivery ends in exactly one outcome. */
  private handBack(delayMs: number): void {
    const msgs = this.queue.splice(0);
    for (const m of msgs) m.nak(delayMs);
    if (msgs.length > 0) this.o.metrics.messages.inc({ consumer: this.o.name, outcome: 'handed_back' }, msgs.length);
  }

  /** A dependency failed for this batch: nak it (redelivered later) and make the loop pause. */
  private failBatch(good: Delivered<T>[], e: TransientError, spans?: BatchSpans<T>): void {
    const { o } = this;
    // The loop stops fetching now: see pullExpiresMs for why the delay is at least handBackDelayMs.
    for (const g of good) g.msg.nak(Math.max(o.nakDelayMs, this.handBackDelayMs));
    spans?.end(() => 'nakked', e.message);
    o.metrics.messages.inc({ consumer: o.name, outcome: 'nakked' }, good.length);
    o.metrics.paused.set({ consumer: o.name }, 1);
    this.broken = true;
    o.log.warn({ consumer: o.name, code: e.code, err: e.message, batch: good.length }, 'dependency failure: batch nakked, fetching paused');
  }

  /** Let every pipelined batch settle (acked or nakked) before pausing, stopping or handing over. */
  private async settleAll(): Promise<void> {
    while (this.pendingBatches.size > 0) await Promise.allSettled([...this.pendingBatches]);
    if (this.fatal) throw this.fatal;
  }

  /**
   * Messages waiting in the local queue (or in pipelined batches) under load must not outlive their ack wait: the
   * server would redeliver them while the originals are still going to be handled, i.e. duplicates, and copies
   * arriving after newer messages. Every third of the ack wait, tell the server they are in progress (+WPI).
   */
  private keepQueuedAlive(): void {
    const now = Date.now();
    if (now - this.lastWorkingAt < this.o.ackWaitMs / 3) return;
    this.lastWorkingAt = now;
    for (const m of this.queue) m.working();
    for (const b of this.inFlightBatches) for (const m of b) m.working();
  }

  /** Dead-letter then `term`; if the dead-letter publish fails, nak so the message is retried (never lost). */
  private async poison(msg: JsMsg, reason: string, detail: string): Promise<boolean> {
    const { o } = this;
    let stored: boolean;
    try {
      stored = await o.deadLetter.send(msg, reason, detail);
    } catch (dlqErr) {
      o.log.warn({ consumer: o.name, err: dlqErr instanceof Error ? dlqErr.message : String(dlqErr) }, 'dead-letter publish failed; will retry');
      msg.nak(o.nakDelayMs);
      o.metrics.messages.inc({ consumer: o.name, outcome: 'nakked' });
      return false;
    }
    // No reason argument: nats.js sends it as "+TERM <reason>", which nats-server 2.9 (Debian) does not recognise,
    // so the message stayed pending and came back every ack_wait forever. The reason travels in the DLQ headers.
    msg.term();
    // A redelivered copy of a letter already stored (its first term had not landed) is not a second letter.
    if (stored) o.metrics.deadLetters.inc({ consumer: o.name, reason });
    o.metrics.messages.inc({ consumer: o.name, outcome: 'dead_lettered' });
    o.log.debug({ consumer: o.name, seq: msg.seq, reason, detail }, 'dead-lettered');
    return true;
  }

  private async waitForDependency(): Promise<void> {
    const { o } = this;
    this.stateValue = 'paused';
    while (!this.stopping) {
      await sleep(o.probeIntervalMs);
      let up = false;
      try {
        up = await o.probe();
      } catch {
        up = false;
      }
      if (up) {
        o.metrics.paused.set({ consumer: o.name }, 0);
        o.log.info({ consumer: o.name }, 'dependency back: fetching resumed');
        return;
      }
    }
  }
}
