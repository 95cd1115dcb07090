import type { Logger } from '@feed/logging';
import type { Counter } from '@feed/metrics';
import type { TradeV1 } from '@feed/price-types';

/** Examples kept per summary line: enough to find the trades on the log, bounded however many arrive. */
const EXAMPLES = 5;

/**
 * Late trades (received after their 1s candle's finality horizon) are counted at once in
 * feed_candle_late_trades_total{venue} and logged as ONE warn line per interval: counts per venue, the largest
 * lateness and a few example ids. A burst of late trades (a venue replaying an hour of history) therefore costs
 * one line, not one per trade, and none is ever dropped silently.
 */
export class LateTradeLog {
  private byVenue = new Map<string, number>();
  private futureByVenue = new Map<string, number>();
  private examples: string[] = [];
  private maxLateMs = 0;
  private lastLogMs = 0;

  constructor(
    private readonly log: Pick<Logger, 'warn'>,
    private readonly counter: Pick<Counter<'venue'>, 'inc'>,
    private readonly intervalMs = 10_000,
    private readonly now: () => number = Date.now,
    /** Trades kept out of the candles because their venue time is too far in the future (feed_candle_skipped_trades_total). */
    private readonly futureCounter?: Pick<Counter<'venue' | 'reason'>, 'inc'>,
  ) {}

  record(late: readonly TradeV1[], future: readonly TradeV1[] = []): void {
    for (const t of future) {
      this.futureCounter?.inc({ venue: t.venue, reason: 'future_time' });
      this.futureByVenue.set(t.venue, (this.futureByVenue.get(t.venue) ?? 0) + 1);
      if (this.examples.length < EXAMPLES) this.examples.push(t.id);
    }
    if (late.length === 0 && future.length === 0) return;
    for (const t of late) {
      this.counter.inc({ venue: t.venue });
      this.byVenue.set(t.venue, (this.byVenue.get(t.venue) ?? 0) + 1);
      if (this.examples.length < EXAMPLES) this.examples.push(t.id);
      // lateness after the 1s bar's end (receive time - bar end)
      const barEndUs = (Math.floor(t.venueTimeUs / 1_000_000) + 1) * 1_000_000;
      this.maxLateMs = Math.max(this.maxLateMs, Math.round((t.recvTimeUs - barEndUs) / 1000));
    }
    if (this.now() - this.lastLogMs >= this.intervalMs) this.flush();
  }

  /** Logs what accumulated since the last line (also at shutdown). */
  flush(): void {
    if (this.byVenue.size === 0 && this.futureByVenue.size === 0) return;
    this.lastLogMs = this.now();
    const total = [...this.byVenue.values()].reduce((a, b) => a + b, 0);
    const future = [...this.futureByVenue.values()].reduce((a, b) => a + b, 0);
    this.log.warn(
      { lateTrades: total, byVenue: Object.fromEntries(this.byVenue), maxLateAfterBarEndMs: this.maxLateMs, futureTimeTrades: future, futureByVenue: Object.fromEntries(this.futureByVenue), examples: this.examples },
      'candles: late trades (received after the finality horizon: counted as late, not in OHLCV) or venue times in the future (kept out of the candles)',
    );
    this.byVenue = new Map();
    this.futureByVenue = new Map();
    this.examples = [];
    this.maxLateMs = 0;
  }
}
