import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { findBinary } from './binaries';
import { freePort, retryOnPortClash } from './free-port';
import { redisPing } from './probes';
import { DEFAULT_START_TIMEOUT_MS, ServerProcess, startOrDispose, type Launch, type ServerHandleBase } from './server-process';
import { tempDir } from './temp-dir';
import { waitFor } from './wait-for';

export interface SentinelHandle extends ServerHandleBase {
  readonly host: string;
  readonly port: number;
  readonly dir: string;
}

export interface StartSentinelOptions {
  /** The master to monitor. */
  master: { host?: string; port: number; name?: string };
  /** Sentinels that must agree the master is down (1 for a single Sentinel in tests). */
  quorum?: number;
  /** Time-scaled (decision 12): how long the master must be silent before it is considered down. */
  downAfterMs?: number;
  failoverTimeoutMs?: number;
  timeoutMs?: number;
}

class SentinelServer extends ServerProcess implements SentinelHandle {
  readonly host = '127.0.0.1';

  constructor(
    readonly port: number,
    readonly dir: string,
    private readonly conf: string,
    timeoutMs: number,
  ) {
    super(`sentinel-${port}`, [dir], timeoutMs);
  }

  protected launch(): Launch {
    // Sentinel rewrites its config file with what it learns (replicas, epochs), so it lives in the temp dir.
    return { command: findBinary('redis-sentinel'), args: [this.conf], cwd: this.dir };
  }

  protected async ready(signal: AbortSignal, timeoutMs: number): Promise<void> {
    await waitFor(() => redisPing(this.port, { timeoutMs: 1000 }), { what: `${this.name} to answer PING`, timeoutMs, signal, intervalMs: 25 });
  }
}

/** One Debian `redis-sentinel` on a free loopback port monitoring one master. */
export async function startSentinel(o: StartSentinelOptions): Promise<SentinelHandle> {
  findBinary('redis-sentinel');
  return retryOnPortClash(async () => {
    const port = await freePort();
    const dir = await tempDir('sentinel');
    const conf = path.join(dir, 'sentinel.conf');
    const name = o.master.name ?? 'mymaster';
    await writeFile(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        'daemonize no',
        `dir ${dir}`,
        `sentinel monitor ${name} ${o.master.host ?? '127.0.0.1'} ${o.master.port} ${o.quorum ?? 1}`,
        `sentinel down-after-milliseconds ${name} ${o.downAfterMs ?? 1_000}`,
        `sentinel failover-timeout ${name} ${o.failoverTimeoutMs ?? 5_000}`,
        '',
      ].join('\n'),
    );
    const s = new SentinelServer(port, dir, conf, o.timeoutMs ?? DEFAULT_START_TIMEOUT_MS);
    return startOrDispose(s);
  });
}
