import type { Logger } from '@feed/logging';
import type { FrameType } from './protocol';

/**
 * Channels whose items are READ from the projections rather than pushed from the log: candles and 24 h stats
 * (and the index channel to come). A channel names its frame type, validates a subscription into a topic, and
 * reads the current items of many topics at once. Adding a channel = one PolledChannel object registered in
 * server.ts; sessions, protocol and batching need no change.
 */
export interface PolledChannel {
  readonly name: string;
  readonly frameType: FrameType;
  /** A subscription's topic key (e.g. "BTC-USDT|binance|1m") and its echo for `subscribed`, or a client error. */
  topic(symbol: string, venue: string | undefined, interval: string | undefined): { key: string; echo: Record<string, unknown> } | { error: string };
  /** Current items of each topic as JSON text, each item with a stable `id` field (what "changed" is judged by). */
  read(topics: string[]): Promise<Map<string, Array<{ id: string; json: string }>>>;
}

export interface PolledSubscriber {
  deliverPolled(type: FrameType, itemsJson: string[]): void;
}

interface Topic {
  channel: PolledChannel;
  key: string;
  subs: Set<PolledSubscriber>;
  /** Subscribers that have not had the snapshot yet: they get every current item, others only changed ones. */
  fresh: Set<PolledSubscriber>;
  /** Last JSON sent per item id. */
  last: Map<string, string>;
}

/**
 * Polls the topics that have subscribers every `intervalMs` (one read per channel per tick for all its topics,
 * however many clients) and hands each subscriber the items that changed since the previous tick, batched into one
 * frame per topic. A read failure (Redis down) skips the tick: clients keep their last items, nothing is invented.
 */
export class PolledHub {
  private readonly topics = new Map<string, Topic>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  readonly channels: ReadonlyMap<string, PolledChannel>;

  constructor(
    channels: readonly PolledChannel[],
    private readonly intervalMs: number,
    private readonly log: Pick<Logger, 'warn'>,
  ) {
    this.channels = new Map(channels.map((c) => [c.name, c]));
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  subscribe(channel: PolledChannel, key: string, s: PolledSubscriber): void {
    const id = `${channel.name}|${key}`;
    let t = this.topics.get(id);
    if (!t) {
      t = { channel, key, subs: new Set(), fresh: new Set(), last: new Map() };
      this.topics.set(id, t);
    }
    t.subs.add(s);
    t.fresh.add(s);
  }

  unsubscribe(channel: string, key: string, s: PolledSubscriber): void {
    const id = `${channel}|${key}`;
    const t = this.topics.get(id);
    if (!t) return;
    t.subs.delete(s);
    t.fresh.delete(s);
    if (t.subs.size === 0) this.topics.delete(id);
  }

  get topicCount(): number {
    return this.topics.size;
  }

  /** One poll: read every channel's subscribed topics, deliver changes. Public for tests. */
  async tick(): Promise<void> {
    if (this.running) return; // a slow read never stacks ticks
    this.running = true;
    try {
      const byChannel = new Map<PolledChannel, Topic[]>();
      for (const t of this.topics.values()) byChannel.set(t.channel, [...(byChannel.get(t.channel) ?? []), t]);
      await Promise.all(
        [...byChannel].map(async ([channel, topics]) => {
          let items: Map<string, Array<{ id: string; json: string }>>;
          try {
            items = await channel.read(topics.map((t) => t.key));
          } catch (e) {
            this.log.warn({ channel: channel.name, err: e instanceof Error ? e.message : String(e) }, 'polled channel read failed; skipping this tick');
            return;
          }
          for (const t of topics) this.deliver(t, items.get(t.key) ?? []);
        }),
      );
    } finally {
      this.running = false;
    }
  }

  private deliver(t: Topic, items: Array<{ id: string; json: string }>): void {
    const changed = items.filter((i) => t.last.get(i.id) !== i.json);
    for (const i of changed) t.last.set(i.id, i.json);
    // forget items no longer current (bounded: the cache holds the current items only)
    const ids = new Set(items.map((i) => i.id));
    for (const id of t.last.keys()) if (!ids.has(id)) t.last.delete(id);
    const all = items.map((i) => i.json);
    const delta = changed.map((i) => i.json);
    for (const s of t.subs) {
      const out = t.fresh.has(s) ? all : delta;
      if (out.length > 0) s.deliverPolled(t.channel.frameType, out);
    }
    t.fresh.clear();
  }
}
