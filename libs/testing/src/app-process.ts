import { LogRing } from './log-ring';
import { ManagedChild, formatExit, minimalEnv, type ExitInfo } from './managed-child';
import { registry, type Tracked } from './registry';

export type JsonLine = Record<string, unknown>;
export type LineMatch = RegExp | ((line: string) => boolean);

export interface SpawnAppOptions {
  name: string;
  /** A compiled .js entry point. */
  script: string;
  args?: string[];
  /** Node options that NODE_OPTIONS refuses (e.g. `--cpu-prof`), placed before the script. */
  nodeArgs?: string[];
  /** Added to a minimal env (PATH, HOME, NODE_ENV=test); the test's own env is not passed on. */
  env?: Record<string, string>;
  cwd?: string;
  /** Lines kept in memory (oldest dropped first). Default 100k. */
  maxLines?: number;
  /** Called with every output line as it arrives (the local launcher tees them into log files). */
  onLine?: (line: string) => void;
}

export interface AppStopResult {
  code: number | null;
  signal: string | null;
  ms: number;
}

type Waiter = (line: string, obj: JsonLine | undefined) => void;

function parseObject(line: string): JsonLine | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const v: unknown = JSON.parse(line);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as JsonLine) : undefined;
  } catch {
    return undefined;
  }
}

/** A spawned app (compiled JS under `node --enable-source-maps`) with its output collected line by line. */
export class AppProcess implements Tracked {
  readonly name: string;
  readonly pid: number;
  readonly exited: Promise<ExitInfo>;
  private readonly child: ManagedChild;
  private readonly raw: LogRing;
  private readonly parsed: JsonLine[] = [];
  private readonly maxLines: number;
  private readonly tap: ((line: string) => void) | undefined;
  private readonly waiters = new Set<Waiter>();

  constructor(opts: SpawnAppOptions) {
    this.name = opts.name;
    this.maxLines = opts.maxLines ?? 100_000;
    this.tap = opts.onLine;
    this.raw = new LogRing(this.maxLines);
    this.child = new ManagedChild({
      name: opts.name,
      command: process.execPath,
      args: ['--enable-source-maps', ...(opts.nodeArgs ?? []), opts.script, ...(opts.args ?? [])],
      env: minimalEnv({ NODE_ENV: 'test', ...opts.env }),
      cwd: opts.cwd,
      onLine: (l) => this.onLine(l),
    });
    this.pid = this.child.pid;
    this.exited = this.child.exited;
    registry.track(this);
    void this.exited.then(() => registry.untrack(this));
  }

  get running(): boolean {
    return this.child.running;
  }

  /** Raw stdout and stderr lines in arrival order. */
  lines(): string[] {
    return this.raw.lines();
  }

  /** Every line that parsed as a JSON object (the apps' structured logs). */
  json(): JsonLine[] {
    return this.parsed.slice();
  }

  /** The last `n` lines, for failure messages. */
  tail(n = 50): string {
    return this.raw.tail(n);
  }

  /**
   * The first line, among those already seen and those to come, that matches; rejects at the timeout or
   * when the app exits first, with the app's recent output in the message.
   */
  waitForLine(match: LineMatch, timeoutMs = 10_000): Promise<string> {
    // lastIndex is reset because a /g regex remembers where it stopped between calls.
    const test = typeof match === 'function' ? match : (l: string): boolean => ((match.lastIndex = 0), match.test(l));
    const seen = this.raw.lines().find(test);
    if (seen !== undefined) return Promise.resolve(seen);
    return this.waitUntil(`line matching ${String(match)}`, timeoutMs, (l) => (test(l) ? l : undefined));
  }

  /** The first JSON log object, seen or to come, for which `predicate` holds. */
  waitForJson<T extends JsonLine = JsonLine>(predicate: (o: JsonLine) => boolean, timeoutMs = 10_000): Promise<T> {
    const seen = this.parsed.find(predicate);
    if (seen !== undefined) return Promise.resolve(seen as T);
    return this.waitUntil('JSON line matching the predicate', timeoutMs, (_l, o) => (o !== undefined && predicate(o) ? (o as T) : undefined));
  }

  /**
   * Sends `signal` and waits for the exit. An app that is still running after `timeoutMs` is SIGKILLed and
   * the call rejects, because a bounded clean shutdown is a requirement the tests check.
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<AppStopResult> {
    const r = await this.child.stop(signal, timeoutMs);
    if (r.forced) {
      throw new Error(`${this.name} did not exit within ${timeoutMs} ms of ${signal}; SIGKILLed.\n--- ${this.name} output ---\n${this.tail()}`);
    }
    return { code: r.code, signal: r.signal, ms: r.ms };
  }

  async kill9(): Promise<void> {
    await this.child.kill9();
  }

  async dispose(): Promise<void> {
    await this.child.stop('SIGTERM', 5000);
    registry.untrack(this);
  }

  private onLine(line: string): void {
    this.tap?.(line);
    this.raw.push(line);
    const obj = parseObject(line);
    if (obj) {
      this.parsed.push(obj);
      if (this.parsed.length >= this.maxLines * 2) this.parsed.splice(0, this.parsed.length - this.maxLines);
    }
    for (const w of [...this.waiters]) w(line, obj);
  }

  private waitUntil<R>(what: string, timeoutMs: number, pick: (line: string, obj: JsonLine | undefined) => R | undefined): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const started = Date.now();
      const finish = (): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      const waiter: Waiter = (line, obj) => {
        const hit = pick(line, obj);
        if (hit === undefined) return;
        finish();
        resolve(hit);
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`${this.name}: no ${what} within ${timeoutMs} ms.\n--- ${this.name} output ---\n${this.tail()}`));
      }, timeoutMs);
      this.waiters.add(waiter);
      void this.exited.then((info) => {
        if (!this.waiters.has(waiter)) return;
        finish();
        reject(new Error(`${this.name} exited (${formatExit(info)}) after ${Date.now() - started} ms with no ${what}.\n--- ${this.name} output ---\n${this.tail()}`));
      });
    });
  }
}

/** Starts an app; `afterAll(cleanupAll)` stops it if the test does not. */
export function spawnApp(opts: SpawnAppOptions): AppProcess {
  return new AppProcess(opts);
}
