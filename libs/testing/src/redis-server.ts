import { findBinary } from './binaries';
import { freePort, retryOnPortClash } from './free-port';
import { redisPing } from './probes';
import { DEFAULT_START_TIMEOUT_MS, ServerProcess, startOrDispose, type Launch, type ServerHandleBase } from './server-process';
import { tempDir } from './temp-dir';
import { waitFor } from './wait-for';

export interface RedisServerHandle extends ServerHandleBase {
  /** `redis://127.0.0.1:<port>`, with `:<password>@` when a password is set. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly password: string | undefined;
  readonly dir: string;
  kill9(): Promise<void>;
  /** Same port and arguments. With the default `--save ''` the data does not survive, as in production. */
  restart(): Promise<void>;
}

export interface StartRedisOptions {
  port?: number;
  /** Extra redis-server arguments, appended last so they override the defaults (e.g. TLS settings). */
  args?: string[];
  password?: string;
  /**
   * Readiness check; defaults to a RESP PING on the plain port. Replace it when the args turn the plain
   * port off (`--port 0` with `--tls-port`).
   */
  ready?: (h: RedisServerHandle) => Promise<boolean>;
  timeoutMs?: number;
}

class RedisServer extends ServerProcess implements RedisServerHandle {
  readonly host = '127.0.0.1';
  readonly url: string;

  constructor(
    readonly port: number,
    readonly dir: string,
    readonly password: string | undefined,
    private readonly args: string[],
    private readonly probe: ((h: RedisServerHandle) => Promise<boolean>) | undefined,
    timeoutMs: number,
  ) {
    super(`redis-${port}`, [dir], timeoutMs);
    const auth = password !== undefined ? `:${encodeURIComponent(password)}@` : '';
    this.url = `redis://${auth}127.0.0.1:${port}`;
  }

  protected launch(): Launch {
    return { command: findBinary('redis-server'), args: this.args, cwd: this.dir };
  }

  protected async ready(signal: AbortSignal, timeoutMs: number): Promise<void> {
    const probe = this.probe ?? (() => redisPing(this.port, { password: this.password, timeoutMs: 1000 }));
    await waitFor(() => probe(this), { what: `${this.name} (${this.host}:${this.port}) to answer PING`, timeoutMs, signal, intervalMs: 25 });
  }
}

/** One redis-server on a free loopback port, no persistence, `noeviction` as in production. */
export async function startRedis(opts: StartRedisOptions = {}): Promise<RedisServerHandle> {
  findBinary('redis-server');
  return retryOnPortClash(() => launchRedis(opts));
}

async function launchRedis(opts: StartRedisOptions): Promise<RedisServerHandle> {
  const port = opts.port ?? (await freePort());
  const dir = await tempDir('redis');
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--save', '',
    '--appendonly', 'no',
    '--dir', dir,
    '--maxmemory-policy', 'noeviction',
    '--daemonize', 'no',
  ];
  if (opts.password !== undefined) args.push('--requirepass', opts.password);
  args.push(...(opts.args ?? []));
  const server = new RedisServer(port, dir, opts.password, args, opts.ready, opts.timeoutMs ?? DEFAULT_START_TIMEOUT_MS);
  return startOrDispose(server);
}
