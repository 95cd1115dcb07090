import type { StreamHub, Subscriber } from './hub';
import type { IndexChannel, IndexSubscriber } from './index-push';
import type { PolledHub, PolledSubscriber } from './polled-channels';
import { CHANNELS, CloseCode, frame, frameFromJson, type ClientMessage, type FrameType } from './protocol';
import type { RingItem } from './ring';

/** The socket as a session sees it (a ws WebSocket in production, a fake in unit tests). */
export interface Transport {
  send(text: string): void;
  readonly bufferedAmount: number;
  close(code: number, reason: string): void;
}

export interface SessionOptions {
  symbols: ReadonlySet<string>;
  flushMs: number;
  maxBatch: number;
  maxBufferedBytes: number;
  /** The `index` channel, when the deployment computes an index. */
  index?: IndexChannel;
  /** Channels read from the projections (candles, stats); absent = trades only. */
  polled?: PolledHub;
}

/** What a session reports, mapped onto metrics by the caller. */
export interface SessionEvents {
  frameSent(type: FrameType, items: number): void;
  slowClosed(): void;
  resumeUnavailable(): void;
  rejected(reason: string): void;
}

interface Subscription {
  /** Highest sequence delivered (or skipped as history) for this symbol. */
  cursor: number;
  /** Still sending from the ring; live items are ignored meanwhile (the ring has them). */
  replaying: boolean;
}

/** Replay frames per subscription per tick: a long replay is spread over ticks so other clients keep flowing. */
const REPLAY_FRAMES_PER_TICK = 8;

/**
 * One WebSocket client: its subscriptions, its outgoing batch, its resume replay.
 *
 * Batching (stack-notes: one frame per trade caps fan-out near 100 trades/s at 1,000 clients): live items are
 * queued and sent as one `trades` frame at most once per `flushMs`, or at once when the batch is full (`maxBatch`).
 * The window is a rate bound, not a delay: an item that arrives when the last frame went out `flushMs` or more ago
 * is sent at the end of the current event-loop turn (with whatever else that turn delivered), so a quiet stream
 * pays no batching latency and a busy one still gets at most one frame per window per client.
 * Control frames (`subscribed`, `pong`, ...) first send what is queued, so frames keep the order of events.
 *
 * Backpressure: before each send the socket's unsent bytes are checked; past `maxBufferedBytes` the client is
 * closed with 1013 (decision 11), so one slow reader never grows the server's memory. Replay sends only while the
 * socket is below half that bound, so a resume never trips it on a client that is reading.
 */
export class ClientSession implements Subscriber, IndexSubscriber, PolledSubscriber {
  private readonly subs = new Map<string, Subscription>();
  /** Polled-channel subscriptions: "<channel>|<topic key>". */
  private readonly polledSubs = new Set<string>();
  private queue: string[] = [];
  private readonly indexSubs = new Set<string>();
  private indexQueue: Array<{ symbol: string; json: string }> = [];
  private timer: { kind: 'timeout'; h: NodeJS.Timeout } | { kind: 'immediate'; h: NodeJS.Immediate } | undefined;
  /** When the batch last went out (ms): the next flush waits until `flushMs` after it. */
  private lastFlushAt = Number.NEGATIVE_INFINITY;
  private closed = false;

  constructor(
    private readonly transport: Transport,
    private readonly hub: StreamHub,
    private readonly o: SessionOptions,
    private readonly events: SessionEvents,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  subscriptions(): string[] {
    return [...this.subs.keys()];
  }

  handle(msg: ClientMessage): void {
    if (this.closed) return;
    switch (msg.op) {
      case 'ping':
        this.control('pong', [{ lastSeq: this.hub.lastSeq }]);
        return;
      case 'subscribe':
      case 'unsubscribe': {
        if (!this.served(msg.channel, msg.symbol)) return;
        if (msg.channel === 'index') {
          if (msg.op === 'subscribe') this.subscribeIndex(msg.symbol);
          else this.unsubscribeIndex(msg.symbol);
          return;
        }
        if (msg.channel !== 'trades') return this.polledOp(msg);
        if (msg.op === 'subscribe') this.subscribe(msg.symbol, msg.fromSeq);
        else this.unsubscribe(msg.symbol);
        return;
      }
    }
  }

  /** From the polled hub: current items of a polled topic, sent as one frame after what is queued. */
  deliverPolled(type: FrameType, itemsJson: string[]): void {
    if (this.closed || !this.roomLeft()) return;
    this.sendQueued();
    this.transport.send(frameFromJson(type, itemsJson));
    this.events.frameSent(type, itemsJson.length);
  }

  private polledOp(msg: Extract<ClientMessage, { op: 'subscribe' | 'unsubscribe' }>): void {
    const hub = this.o.polled;
    const channel = hub?.channels.get(msg.channel);
    if (!hub || !channel) return;
    const topic = channel.topic(msg.symbol, msg.venue, msg.interval);
    if ('error' in topic) {
      this.events.rejected('bad_params');
      this.control('error', [{ code: 'bad_params', channel: msg.channel, symbol: msg.symbol, message: topic.error }]);
      return;
    }
    const id = `${channel.name}|${topic.key}`;
    if (msg.op === 'subscribe') {
      if (!this.polledSubs.has(id)) {
        this.polledSubs.add(id);
        hub.subscribe(channel, topic.key, this);
      }
      this.control('subscribed', [{ channel: channel.name, ...topic.echo, lastSeq: this.hub.lastSeq }]);
    } else {
      if (this.polledSubs.delete(id)) hub.unsubscribe(channel.name, topic.key, this);
      this.control('unsubscribed', [{ channel: channel.name, ...topic.echo }]);
    }
  }

  /** From the hub: a live item of a subscribed symbol. */
  deliver(item: RingItem): void {
    if (this.closed) return;
    const sub = this.subs.get(item.symbol);
    if (!sub || sub.replaying || item.seq <= sub.cursor) return;
    sub.cursor = item.seq;
    this.queue.push(item.json);
    if (this.queue.length >= this.o.maxBatch) this.flush();
    else this.schedule();
  }

  /** From the index channel: a new value of a subscribed index, sent with the next batch as an `index` frame. */
  deliverIndex(symbol: string, json: string): void {
    if (this.closed || !this.indexSubs.has(symbol)) return;
    this.indexQueue.push({ symbol, json });
    this.schedule();
  }

  /** Server-initiated close (shutdown: 1001): what is queued goes out first. */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.sendQueued();
    this.dispose();
    this.transport.close(code, reason);
  }

  /** The socket is gone (or being closed): leave the hub and drop everything queued. */
  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.cancelTimer();
    for (const symbol of this.subs.keys()) this.hub.remove(symbol, this);
    this.subs.clear();
    for (const id of this.polledSubs) {
      const cut = id.indexOf('|');
      this.o.polled?.unsubscribe(id.slice(0, cut), id.slice(cut + 1), this);
    }
    this.polledSubs.clear();
    this.queue = [];
    for (const symbol of this.indexSubs) this.o.index?.remove(symbol, this);
    this.indexSubs.clear();
    this.indexQueue = [];
  }

  /** Sends the queued batch and continues any replay. Runs on the batch timer; public for tests. */
  flush(): void {
    this.cancelTimer();
    if (this.closed || !this.roomLeft()) return;
    // Any run counts, replay steps included: a replay held back by backpressure polls once per window, never spins.
    this.lastFlushAt = Date.now();
    this.sendQueued();
    if (this.replayStep()) this.schedule();
  }

  private served(channel: string, symbol: string): boolean {
    const names = [...CHANNELS.filter((c) => c !== 'index' || this.o.index), ...(this.o.polled?.channels.keys() ?? [])];
    if (!names.includes(channel)) {
      this.events.rejected('unknown_channel');
      this.control('error', [{ code: 'unknown_channel', message: `channel ${JSON.stringify(channel)} is not served (channels: ${names.join(', ')})`, channel }]);
      return false;
    }
    if (channel === 'index' ? !this.o.index?.symbols.has(symbol) : !this.o.symbols.has(symbol)) {
      this.events.rejected('unknown_symbol');
      this.control('error', [{ code: 'unknown_symbol', message: `symbol ${symbol} is not served here`, symbol }]);
      return false;
    }
    return true;
  }

  private subscribe(symbol: string, fromSeq: number | undefined): void {
    if (this.subs.has(symbol)) this.hub.remove(symbol, this);
    const live = this.hub.liveFrom();
    const ring = this.hub.ring;
    const sub: Subscription = { cursor: live, replaying: false };
    let problem: Record<string, unknown> | undefined;
    if (fromSeq !== undefined) {
      if (fromSeq > live) problem = { message: `fromSeq ${fromSeq} is ahead of the stream (last ${this.hub.lastSeq}); streaming live` };
      else if (!ring.canResumeFrom(fromSeq)) problem = { message: `fromSeq ${fromSeq} is older than the resume window; streaming live` };
      else {
        sub.cursor = fromSeq;
        sub.replaying = true;
      }
    }
    this.subs.set(symbol, sub);
    this.hub.add(symbol, this);
    this.control('subscribed', [{ channel: 'trades', symbol, fromSeq: fromSeq ?? null, lastSeq: this.hub.lastSeq }]);
    if (problem) this.resumeUnavailable(symbol, problem);
    if (sub.replaying) this.schedule(true);
  }

  private unsubscribe(symbol: string): void {
    if (this.subs.delete(symbol)) this.hub.remove(symbol, this);
    this.control('unsubscribed', [{ channel: 'trades', symbol }]);
  }

  private subscribeIndex(symbol: string): void {
    this.indexSubs.add(symbol);
    this.control('subscribed', [{ channel: 'index', symbol }]);
    this.o.index?.add(symbol, this);
  }

  private unsubscribeIndex(symbol: string): void {
    if (this.indexSubs.delete(symbol)) this.o.index?.remove(symbol, this);
    this.indexQueue = this.indexQueue.filter((q) => q.symbol !== symbol);
    this.control('unsubscribed', [{ channel: 'index', symbol }]);
  }

  /** `oldestSeq`: the oldest sequence the ring can still deliver; a resume needs fromSeq >= oldestSeq - 1. */
  private resumeUnavailable(symbol: string, detail: Record<string, unknown>): void {
    this.events.resumeUnavailable();
    this.control('error', [{ code: 'resume_unavailable', symbol, oldestSeq: this.hub.ring.coverageStart, lastSeq: this.hub.lastSeq, ...detail }]);
  }

  /**
   * Sends up to REPLAY_FRAMES_PER_TICK ring frames per replaying subscription while the socket has room. When
   * the ring has nothing after the cursor the subscription turns live: since the hub fills the ring before it
   * offers an item, nothing can fall between the last replayed item and the first live one. Returns true while
   * some replay remains.
   */
  private replayStep(): boolean {
    let more = false;
    const ring = this.hub.ring;
    for (const [symbol, sub] of this.subs) {
      if (!sub.replaying) continue;
      if (!ring.canResumeFrom(sub.cursor)) {
        // The ring moved past the cursor during a long replay (a burst while this client read slowly).
        sub.replaying = false;
        sub.cursor = this.hub.liveFrom();
        this.resumeUnavailable(symbol, { message: 'replay fell behind the resume window; streaming live' });
        continue;
      }
      for (let n = 0; n < REPLAY_FRAMES_PER_TICK && sub.replaying; n++) {
        if (this.transport.bufferedAmount >= this.o.maxBufferedBytes / 2) break;
        const items = ring.after(sub.cursor, symbol, this.o.maxBatch);
        if (items.length === 0) {
          sub.replaying = false;
          break;
        }
        sub.cursor = (items[items.length - 1] as RingItem).seq;
        this.sendTrades(items.map((i) => i.json));
      }
      if (this.closed) return false;
      if (sub.replaying) more = true;
    }
    return more;
  }

  private control(type: FrameType, items: unknown[]): void {
    if (this.closed || !this.roomLeft()) return;
    this.sendQueued();
    this.transport.send(frame(type, items));
    this.events.frameSent(type, items.length);
  }

  private sendQueued(): void {
    if (this.indexQueue.length > 0 && !this.closed) {
      const items = this.indexQueue;
      this.indexQueue = [];
      this.transport.send(frameFromJson('index', items.map((q) => q.json)));
      this.events.frameSent('index', items.length);
    }
    while (this.queue.length > 0 && !this.closed) {
      const batch = this.queue.length <= this.o.maxBatch ? this.queue : this.queue.slice(0, this.o.maxBatch);
      this.queue = this.queue.length <= this.o.maxBatch ? [] : this.queue.slice(this.o.maxBatch);
      this.sendTrades(batch);
    }
  }

  private sendTrades(jsons: string[]): void {
    this.transport.send(frameFromJson('trades', jsons));
    this.events.frameSent('trades', jsons.length);
  }

  /** False (and the client closed with 1013) once its unsent bytes pass the bound. */
  private roomLeft(): boolean {
    if (this.transport.bufferedAmount <= this.o.maxBufferedBytes) return true;
    this.dispose();
    this.events.slowClosed();
    this.transport.close(CloseCode.tryAgainLater, 'client too slow: send buffer over limit');
    return false;
  }

  private schedule(now = false): void {
    if (this.timer || this.closed) return;
    const wait = now ? 0 : this.lastFlushAt + this.o.flushMs - Date.now();
    // setImmediate runs after the I/O callbacks of this turn: the rest of a NATS read joins the same frame.
    this.timer = wait > 0 ? { kind: 'timeout', h: setTimeout(() => this.flush(), wait) } : { kind: 'immediate', h: setImmediate(() => this.flush()) };
  }

  private cancelTimer(): void {
    if (this.timer?.kind === 'timeout') clearTimeout(this.timer.h);
    else if (this.timer?.kind === 'immediate') clearImmediate(this.timer.h);
    this.timer = undefined;
  }
}
