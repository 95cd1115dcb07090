import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { registry } from './registry';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StopResult extends ExitInfo {
  /** Milliseconds from sending the signal to the process having exited. */
  ms: number;
  /** True when the process ignored the signal past the bound and was SIGKILLed. */
  forced: boolean;
}

export interface ManagedChildOptions {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  onLine: (line: string, stream: 'stdout' | 'stderr') => void;
}

export function formatExit(info: ExitInfo): string {
  return info.signal ? `signal ${info.signal}` : `code ${info.code}`;
}

/** The least environment a child needs; the parent's env is not passed on, so tests see only what they set. */
export function minimalEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin',
    HOME: process.env['HOME'] ?? '/tmp',
    ...extra,
  };
}

function splitLines(stream: Readable | null, emit: (line: string) => void): void {
  if (!stream) return;
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    for (const p of parts) emit(p.endsWith('\r') ? p.slice(0, -1) : p);
  });
  stream.on('end', () => {
    if (rest) emit(rest);
    rest = '';
  });
}

/** One OS process with captured output, an exit promise, and a bounded stop. Registered while it runs. */
export class ManagedChild {
  readonly name: string;
  readonly pid: number;
  /** Resolves (never rejects) once the process has exited and its output is fully read. */
  readonly exited: Promise<ExitInfo>;
  private readonly proc: ChildProcess;
  private exitInfo: ExitInfo | undefined;

  constructor(opts: ManagedChildOptions) {
    this.name = opts.name;
    this.proc = spawn(opts.command, opts.args, {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.pid = this.proc.pid ?? -1;
    if (this.pid > 0) registry.trackChild(this.pid, this.name);
    splitLines(this.proc.stdout, (l) => opts.onLine(l, 'stdout'));
    splitLines(this.proc.stderr, (l) => opts.onLine(l, 'stderr'));

    this.exited = new Promise<ExitInfo>((resolve) => {
      const settle = (info: ExitInfo): void => {
        if (this.pid > 0) registry.untrackChild(this.pid);
        this.exitInfo ??= info;
        resolve(this.exitInfo);
      };
      this.proc.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        if (this.pid > 0) registry.untrackChild(this.pid);
      });
      // 'close' comes after stdout/stderr have ended, so every line is in before anyone hears of the exit.
      this.proc.once('close', (code, signal) => settle({ code, signal }));
      this.proc.once('error', (err) => {
        opts.onLine(`[harness] failed to run ${opts.command} in ${opts.cwd ?? process.cwd()}: ${err.message}`, 'stderr');
        if (this.pid <= 0) settle({ code: null, signal: null });
      });
    });
  }

  get running(): boolean {
    return this.exitInfo === undefined && this.pid > 0;
  }

  get exitStatus(): ExitInfo | undefined {
    return this.exitInfo;
  }

  signal(sig: NodeJS.Signals): void {
    if (this.running) this.proc.kill(sig);
  }

  /** Sends `signal`, waits up to `timeoutMs` for the exit, then SIGKILLs. Never throws. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<StopResult> {
    const t0 = Date.now();
    if (!this.running) return { ...(await this.exited), ms: 0, forced: false };
    this.proc.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([
      this.exited.then(() => true),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (!inTime) this.proc.kill('SIGKILL');
    const info = await this.exited;
    return { ...info, ms: Date.now() - t0, forced: !inTime };
  }

  async kill9(): Promise<ExitInfo> {
    this.signal('SIGKILL');
    return this.exited;
  }
}
