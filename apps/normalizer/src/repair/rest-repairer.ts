import type { Logger } from '@feed/logging';
import { nowUs, type TradeV1, type VenueId } from '@feed/price-types';
import type { Hole } from '../gaps/gap-tracker';
import type { RestTradesVenue } from './venues';

/** One HTTP answer, as far as the repair needs it. */
export interface HttpAnswer {
  status: number;
  text: string;
  /** Retry-After in ms, when the venue sent one. */
  retryAfterMs?: number;
}

export type FetchText = (url: string, timeoutMs: number) => Promise<HttpAnswer>;

export interface RepairOptions {
  /** Configured endpoints: base URL per venue (absent = no repair for that venue). */
  endpoints: Partial<Record<VenueId, { rest: RestTradesVenue; baseUrl: string }>>;
  /** REST requests in flight at once, over all venues (bounded work). */
  maxInFlight: number;
  timeoutMs: number;
  /** Attempts per hole (429 and failures are retried after Retry-After or a growing delay). */
  maxAttempts: number;
  retryDelayMs: number;
}

export interface RepairHooks {
  /** The venue's recent trades: publish the ones the stream is missing; resolves to how many were published. */
  repairTrades(hole: Hole, trades: TradeV1[]): Promise<number>;
  /** The repair of `hole` is over (ok = the endpoint answered and its trades were handled). */
  done(hole: Hole, ok: boolean, published: number, note: string | undefined): void;
  /** feed_gap_repair_requests_total{venue,outcome}. */
  request(venue: VenueId, outcome: 'ok' | 'rate_limited' | 'http_error' | 'network' | 'bad_response' | 'publish_failed'): void;
}

interface Job {
  hole: Hole;
  attempt: number;
  notBeforeMs: number;
}

/**
 * Repairs declared gaps from the venues' public REST recent-trades endpoints, with bounded work: a bounded queue
 * (the tracker bounds open holes), at most `maxInFlight` requests at once, HTTP 429/418 honoured per venue
 * (Retry-After, else a growing delay: nothing is sent to that venue before it), failures counted and retried up to
 * `maxAttempts`. A hole that stays incomplete is the tracker's to give up after its grace.
 */
export class RestRepairer {
  private readonly queue: Job[] = [];
  private inFlight = 0;
  private readonly venueNotBefore = new Map<VenueId, number>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly o: RepairOptions,
    private readonly fetchText: FetchText,
    private readonly hooks: RepairHooks,
    private readonly log: Logger,
  ) {}

  canRepair(venue: VenueId): boolean {
    return this.o.endpoints[venue] !== undefined;
  }

  enqueue(hole: Hole): void {
    if (this.stopped) return;
    this.queue.push({ hole, attempt: 0, notBeforeMs: 0 });
    this.pump();
  }

  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.queue.length = 0;
  }

  private pump(): void {
    if (this.stopped) return;
    const now = Date.now();
    let wakeAt = Infinity;
    for (let i = 0; i < this.queue.length && this.inFlight < this.o.maxInFlight; ) {
      const job = this.queue[i] as Job;
      const at = Math.max(job.notBeforeMs, this.venueNotBefore.get(job.hole.stream.venue) ?? 0);
      if (at > now) {
        wakeAt = Math.min(wakeAt, at);
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      this.inFlight++;
      void this.run(job).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
    if (wakeAt !== Infinity) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => this.pump(), Math.max(1, wakeAt - now));
      this.timer.unref();
    }
  }

  private async run(job: Job): Promise<void> {
    const { hole } = job;
    const venue = hole.stream.venue;
    const ep = this.o.endpoints[venue];
    if (!ep) return this.hooks.done(hole, false, 0, 'no_rest');
    let answer: HttpAnswer;
    try {
      answer = await this.fetchText(ep.rest.url(ep.baseUrl, hole.stream.symbol), this.o.timeoutMs);
    } catch (e) {
      this.hooks.request(venue, 'network');
      return this.retry(job, 'rest_failed', undefined, e);
    }
    if (answer.status === 429 || answer.status === 418) {
      this.hooks.request(venue, 'rate_limited');
      const wait = answer.retryAfterMs ?? this.o.retryDelayMs * 2 ** job.attempt;
      this.venueNotBefore.set(venue, Math.max(this.venueNotBefore.get(venue) ?? 0, Date.now() + wait));
      return this.retry(job, 'rate_limited', wait);
    }
    if (answer.status < 200 || answer.status >= 300) {
      this.hooks.request(venue, 'http_error');
      return this.retry(job, 'rest_failed', undefined, new Error(`HTTP ${answer.status}`));
    }
    let trades: TradeV1[];
    try {
      trades = ep.rest.parse(answer.text, hole.stream.symbol, nowUs(), hole.stream.source);
    } catch (e) {
      this.hooks.request(venue, 'bad_response');
      return this.retry(job, 'rest_failed', undefined, e);
    }
    let published: number;
    try {
      published = await this.hooks.repairTrades(hole, trades);
    } catch (e) {
      this.hooks.request(venue, 'publish_failed');
      return this.retry(job, 'publish_failed', undefined, e);
    }
    this.hooks.request(venue, 'ok');
    // Still missing after a good answer: the trades are older than the endpoint's window (or not there yet).
    const stillMissing = hole.missing !== null && hole.missing.size > 0;
    this.hooks.done(hole, true, published, stillMissing ? 'outside_rest_window' : undefined);
  }

  private retry(job: Job, note: string, waitMs: number | undefined, e?: unknown): void {
    if (e !== undefined) this.log.warn({ venue: job.hole.stream.venue, hole: job.hole.key, attempt: job.attempt + 1, err: e instanceof Error ? e.message : String(e) }, 'gap repair request failed');
    if (job.attempt + 1 >= this.o.maxAttempts) {
      this.hooks.done(job.hole, false, 0, note);
      return;
    }
    this.queue.push({ hole: job.hole, attempt: job.attempt + 1, notBeforeMs: Date.now() + (waitMs ?? this.o.retryDelayMs * 2 ** job.attempt) });
  }
}

/** Plain `fetch` with a timeout; Retry-After (seconds) read when present. */
export const httpFetchText: FetchText = async (url, timeoutMs) => {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  const text = await res.text();
  const ra = Number(res.headers.get('retry-after'));
  return { status: res.status, text, ...(res.headers.has('retry-after') && Number.isFinite(ra) && ra >= 0 ? { retryAfterMs: ra * 1000 } : {}) };
};
