import { rm } from 'node:fs/promises';
import { isPortClash } from './free-port';
import { LogRing } from './log-ring';
import { ManagedChild, formatExit, minimalEnv } from './managed-child';
import { registry, type Tracked } from './registry';

export interface Launch {
  command: string;
  args: string[];
  cwd?: string;
}

/** How long a server may take to answer its readiness probe, and to exit after SIGTERM. */
export const DEFAULT_START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;
const RESTART_ATTEMPTS = 5;

/** What every server handle offers (nats-server, redis-server, redis-sentinel); each handle adds its own addresses. */
export interface ServerHandleBase {
  readonly name: string;
  /** Current process id; -1 while stopped. Changes on restart. */
  readonly pid: number;
  readonly running: boolean;
  logs(): string;
  tail(n?: number): string;
  stop(): Promise<void>;
  /** Same ports and arguments (and data dir). */
  restart(): Promise<void>;
  /** Stops for good and removes the temp dirs the harness created. */
  dispose(): Promise<void>;
}

/** Starts a server process; when the start fails it is disposed of (process and temp dirs) before the error. */
export async function startOrDispose<T extends ServerProcess>(server: T): Promise<T> {
  try {
    await server.start();
  } catch (e) {
    await server.dispose();
    throw e;
  }
  return server;
}

/**
 * Lifecycle shared by nats-server and redis-server: start and wait for readiness (failing fast, with the
 * server's own log, if the process dies first), stop, kill -9, restart with the same arguments (so the same
 * ports and data dir), dispose (stop for good and remove the dirs this handle created).
 */
export abstract class ServerProcess implements Tracked {
  private child: ManagedChild | undefined;
  private readonly ring = new LogRing(3000);
  private disposed = false;

  protected constructor(
    readonly name: string,
    private readonly ownedDirs: string[],
    private readonly startTimeoutMs: number,
  ) {
    registry.track(this);
  }

  protected abstract launch(): Launch;
  protected abstract ready(signal: AbortSignal, timeoutMs: number): Promise<void>;

  /** The pid of the current process; changes on restart. -1 when not running. */
  get pid(): number {
    return this.child?.running ? this.child.pid : -1;
  }

  get running(): boolean {
    return this.child?.running ?? false;
  }

  /** The server's stdout and stderr across all its runs (the most recent 3000 lines). */
  logs(): string {
    return this.ring.text();
  }

  tail(n = 50): string {
    return this.ring.tail(n);
  }

  async start(): Promise<void> {
    if (this.disposed) throw new Error(`${this.name}: start after dispose`);
    if (this.running) return;
    const { command, args, cwd } = this.launch();
    this.ring.push(`[harness] ${new Date().toISOString()} start: ${command} ${args.join(' ')}`);
    const child = new ManagedChild({
      name: this.name,
      command,
      args,
      cwd,
      env: minimalEnv(),
      onLine: (l) => this.ring.push(l),
    });
    this.child = child;
    const cmdline = `${command} ${args.join(' ')}`;
    const died = new AbortController();
    void child.exited.then((info) =>
      died.abort(new Error(`${this.name} exited (${formatExit(info)}) before it was ready`)),
    );
    try {
      await this.ready(died.signal, this.startTimeoutMs);
    } catch (e) {
      await child.kill9();
      const msg = e instanceof Error ? e.message : String(e);
      throw new Error(`${msg}\n--- command: ${cmdline}\n--- ${this.name} log (last 60 lines) ---\n${this.tail(60)}`);
    }
  }

  /** SIGTERM, SIGKILL after a bound, and wait for the exit. Data stays, so `restart()` brings it back. */
  async stop(): Promise<void> {
    if (!this.child?.running) return;
    const r = await this.child.stop('SIGTERM', STOP_TIMEOUT_MS);
    this.ring.push(`[harness] stopped (${formatExit(r)}) in ${r.ms} ms${r.forced ? ' after SIGKILL' : ''}`);
  }

  /** Dies without any chance to flush or say goodbye to peers, as in a crash or an OOM kill. */
  async kill9(): Promise<void> {
    if (!this.child?.running) return;
    const r = await this.child.kill9();
    this.ring.push(`[harness] killed (${formatExit(r)})`);
  }

  /** Same command line, so the same ports and data directory. Stops first if still running. */
  async restart(): Promise<void> {
    await this.stop();
    // While the server was down, a client's outgoing connection may have been given its port as a local
    // port; that lasts only as long as the connection, so a few spaced attempts get it back.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.start();
      } catch (e) {
        if (attempt >= RESTART_ATTEMPTS || !isPortClash(e)) throw e;
        this.ring.push(`[harness] port still taken, retrying restart (${attempt}/${RESTART_ATTEMPTS})`);
        await new Promise((r) => setTimeout(r, 250 * attempt));
      }
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    try {
      await this.stop();
    } finally {
      for (const dir of this.ownedDirs) {
        await rm(dir, { recursive: true, force: true, maxRetries: 3 });
        registry.untrackDir(dir);
      }
      registry.untrack(this);
    }
  }
}
