import type { Logger } from '@feed/logging';
import type { IndexValueV1 } from '@feed/projections';
import { indexView } from '../routes/index-routes';

/** Anything that takes pushed index items (a client session). */
export interface IndexSubscriber {
  deliverIndex(symbol: string, json: string): void;
}

/** What a session needs of the index channel. */
export interface IndexChannel {
  readonly symbols: ReadonlySet<string>;
  add(symbol: string, s: IndexSubscriber): void;
  remove(symbol: string, s: IndexSubscriber): void;
}

export interface IndexPushDeps {
  symbols: ReadonlySet<string>;
  /** The newest stored value of an index (IndexReader.latest). */
  latest: (symbol: string) => Promise<IndexValueV1 | undefined>;
  /** How often the newest value is read for symbols that have subscribers. */
  intervalMs: number;
  log: Logger;
}

/**
 * The WebSocket `index` channel. Index values are computed by the persisters into Redis (they are not events on
 * the log), so the api reads the newest value of each subscribed index every `intervalMs` and pushes it when its
 * grid second (or content: a late input revised the newest second) changed: one `index` frame item per new value,
 * serialized once for every subscriber; grid seconds never go back. A new subscriber gets the newest value at once. Revisions of older seconds (a late
 * input) are served by GET /v1/index/history, not pushed. Items carry `t` (grid second), `source`, `asOf` and
 * `stale: false` (a value pushed as it appears is current); they have no MD sequence, so no resume.
 */
export class IndexPush implements IndexChannel {
  private readonly subs = new Map<string, Set<IndexSubscriber>>();
  private readonly last = new Map<string, { stored: string; json: string }>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(private readonly d: IndexPushDeps) {}

  get symbols(): ReadonlySet<string> {
    return this.d.symbols;
  }

  start(): void {
    this.timer = setInterval(() => void this.poll(), this.d.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  add(symbol: string, s: IndexSubscriber): void {
    let set = this.subs.get(symbol);
    if (!set) this.subs.set(symbol, (set = new Set()));
    set.add(s);
    const last = this.last.get(symbol);
    if (last) s.deliverIndex(symbol, last.json);
    else void this.poll();
  }

  remove(symbol: string, s: IndexSubscriber): void {
    const set = this.subs.get(symbol);
    if (!set) return;
    set.delete(s);
    if (set.size === 0) {
      this.subs.delete(symbol);
      this.last.delete(symbol);
    }
  }

  /** Reads the newest value of every subscribed symbol and pushes the changed ones. Public for tests. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      for (const symbol of [...this.subs.keys()]) {
        let v: IndexValueV1 | undefined;
        try {
          v = await this.d.latest(symbol);
        } catch (e) {
          this.d.log.debug({ err: e instanceof Error ? e.message : String(e), symbol }, 'index read failed; retrying next tick');
          continue;
        }
        if (!v) continue;
        const stored = JSON.stringify(v);
        if (this.last.get(symbol)?.stored === stored) continue;
        const json = JSON.stringify({ ...indexView(v), stale: false });
        const set = this.subs.get(symbol);
        if (!set) continue;
        this.last.set(symbol, { stored, json });
        for (const s of set) s.deliverIndex(symbol, json);
      }
    } finally {
      this.polling = false;
    }
  }
}
