/**
 * Health model (decision 9):
 *  - liveness (`/health`): the process is alive and not wedged: event loop responsive, work loops running.
 *    Failing it makes the orchestrator replace the task, so it never depends on a venue or on data freshness.
 *  - readiness (`/ready`): dependencies connected (NATS, Redis). 503 when not.
 *  - details: data-quality state (venue freshness, lag), reported beside the checks, never failing them.
 */
export type CheckFn = () => boolean | Promise<boolean>;

export interface HealthReport {
  ok: boolean;
  checks: Record<string, boolean>;
  details?: Record<string, unknown>;
}

export class Health {
  private readonly liveness = new Map<string, CheckFn>();
  private readonly readiness = new Map<string, CheckFn>();
  private readonly details = new Map<string, () => unknown>();

  addLiveness(name: string, fn: CheckFn): this {
    this.liveness.set(name, fn);
    return this;
  }

  addReadiness(name: string, fn: CheckFn): this {
    this.readiness.set(name, fn);
    return this;
  }

  addDetail(name: string, fn: () => unknown): this {
    this.details.set(name, fn);
    return this;
  }

  live(): Promise<HealthReport> {
    return this.run(this.liveness);
  }

  ready(): Promise<HealthReport> {
    return this.run(this.readiness);
  }

  private async run(checks: Map<string, CheckFn>): Promise<HealthReport> {
    const out: Record<string, boolean> = {};
    let ok = true;
    for (const [name, fn] of checks) {
      let v = false;
      try {
        v = await Promise.race([Promise.resolve(fn()), new Promise<boolean>((r) => setTimeout(() => r(false), 1_000).unref())]);
      } catch {
        v = false;
      }
      out[name] = v;
      ok &&= v;
    }
    const report: HealthReport = { ok, checks: out };
    if (this.details.size > 0) {
      const d: Record<string, unknown> = {};
      for (const [name, fn] of this.details) {
        try {
          d[name] = fn();
        } catch (e) {
          d[name] = { error: e instanceof Error ? e.message : String(e) };
        }
      }
      report.details = d;
    }
    return report;
  }
}

/**
 * Event-loop responsiveness: a timer that should fire every `intervalMs`; `lagMs()` is how late the last one was,
 * `responsive()` is false once that passes `maxLagMs` or the timer stopped firing altogether.
 */
export class EventLoopMonitor {
  private last = Date.now();
  private lag = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly intervalMs = 500,
    private readonly maxLagMs = 5_000,
  ) {
    this.timer = setInterval(() => {
      const now = Date.now();
      this.lag = Math.max(0, now - this.last - this.intervalMs);
      this.last = now;
    }, intervalMs);
    this.timer.unref();
  }

  lagMs(): number {
    return Math.max(this.lag, Date.now() - this.last - this.intervalMs);
  }

  responsive(): boolean {
    return this.lagMs() < this.maxLagMs;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
