import { mkdir } from 'node:fs/promises';
import { findBinary } from './binaries';
import { freePort, retryOnPortClash } from './free-port';
import { httpGet, httpGetJson } from './http-get';
import { natsAcceptsClients } from './probes';
import { DEFAULT_START_TIMEOUT_MS, ServerProcess, startOrDispose, type Launch, type ServerHandleBase } from './server-process';
import { tempDir } from './temp-dir';
import { waitFor } from './wait-for';

export interface NatsServerHandle extends ServerHandleBase {
  /** `nats://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly monitorPort: number;
  /** `http://127.0.0.1:<monitorPort>` */
  readonly monitorUrl: string;
  /** Route port when the server is a cluster node. */
  readonly clusterPort: number | undefined;
  readonly storeDir: string;
  /** GET a monitoring endpoint such as `/jsz` or `/varz` and parse its JSON. */
  monitor<T = Record<string, unknown>>(path: string): Promise<T>;
  kill9(): Promise<void>;
  /** Same ports and store dir, so JetStream state survives. */
  restart(): Promise<void>;
}

export interface StartNatsOptions {
  /** Default true. */
  jetstream?: boolean;
  /** Extra command-line arguments, appended last. */
  args?: string[];
  port?: number;
  monitorPort?: number;
  /** A caller-provided store dir is left in place on dispose. */
  storeDir?: string;
  /** server_name; defaults to nats-<port>. */
  name?: string;
  timeoutMs?: number;
}

export interface NatsServerConfig {
  name: string;
  port: number;
  monitorPort: number;
  clusterPort?: number;
  storeDir: string;
  /** Working directory; defaults to the store dir (which nats-server creates if missing, unlike spawn). */
  cwd?: string;
  jetstream: boolean;
  /** Full command-line arguments after the binary. */
  args: string[];
  ownedDirs: string[];
  timeoutMs?: number;
}

export class NatsServer extends ServerProcess implements NatsServerHandle {
  readonly url: string;
  readonly port: number;
  readonly monitorPort: number;
  readonly monitorUrl: string;
  readonly clusterPort: number | undefined;
  readonly storeDir: string;
  private readonly cfg: NatsServerConfig;

  constructor(cfg: NatsServerConfig) {
    super(cfg.name, cfg.ownedDirs, cfg.timeoutMs ?? DEFAULT_START_TIMEOUT_MS);
    this.cfg = cfg;
    this.port = cfg.port;
    this.url = `nats://127.0.0.1:${cfg.port}`;
    this.monitorPort = cfg.monitorPort;
    this.monitorUrl = `http://127.0.0.1:${cfg.monitorPort}`;
    this.clusterPort = cfg.clusterPort;
    this.storeDir = cfg.storeDir;
  }

  protected launch(): Launch {
    return { command: findBinary('nats-server'), args: this.cfg.args, cwd: this.cfg.cwd ?? this.cfg.storeDir };
  }

  protected async ready(signal: AbortSignal, timeoutMs: number): Promise<void> {
    // js-enabled-only: a cluster node is "up" before a meta leader exists; cluster readiness is judged
    // separately. For a single server, JetStream restores its streams before clients are accepted, so the
    // INFO check below also means the stored streams are back.
    const path = this.cfg.jetstream ? '/healthz?js-enabled-only=true' : '/varz';
    await waitFor(
      async () => {
        const r = await httpGet(`${this.monitorUrl}${path}`, 1000);
        if (r.status !== 200) throw new Error(`${path}: HTTP ${r.status} ${r.body.slice(0, 200)}`);
        return natsAcceptsClients(this.port, '127.0.0.1', 1000);
      },
      { what: `${this.name} (${this.url}) to accept clients`, timeoutMs, signal, intervalMs: 25 },
    );
  }

  monitor<T = Record<string, unknown>>(path: string): Promise<T> {
    return httpGetJson<T>(`${this.monitorUrl}${path.startsWith('/') ? path : `/${path}`}`);
  }
}

/** One nats-server (JetStream on by default) on free loopback ports with its own store dir. */
export async function startNats(opts: StartNatsOptions = {}): Promise<NatsServerHandle> {
  findBinary('nats-server'); // before creating anything, so a missing package is the whole message
  return retryOnPortClash(() => launchNats(opts));
}

async function launchNats(opts: StartNatsOptions): Promise<NatsServerHandle> {
  const jetstream = opts.jetstream ?? true;
  const port = opts.port ?? (await freePort());
  const monitorPort = opts.monitorPort ?? (await freePort());
  const owned = opts.storeDir === undefined ? await tempDir('nats') : undefined;
  const storeDir = opts.storeDir ?? (owned as string);
  await mkdir(storeDir, { recursive: true });
  const name = opts.name ?? `nats-${port}`;
  const args = ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitorPort), '--server_name', name];
  if (jetstream) args.push('-js', '-sd', storeDir);
  args.push(...(opts.args ?? []));
  const server = new NatsServer({ name, port, monitorPort, storeDir, jetstream, args, ownedDirs: owned ? [owned] : [], timeoutMs: opts.timeoutMs });
  return startOrDispose(server);
}
