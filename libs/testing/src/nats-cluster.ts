import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { findBinary } from './binaries';
import { freePorts, retryOnPortClash } from './free-port';
import { httpGet } from './http-get';
import { NatsServer, type NatsServerHandle } from './nats-server';
import { tempDir } from './temp-dir';
import { waitFor } from './wait-for';

export interface NatsClusterHandle {
  readonly name: string;
  /** One handle per node; each can be stopped, killed and restarted on its own. */
  readonly nodes: NatsServerHandle[];
  /** Every node's client URL, to hand to a client so it fails over between nodes. */
  readonly urls: string[];
  /**
   * Waits until every running node is healthy and agrees on a JetStream meta leader that sees every other
   * running node as current; resolves with the leader's server_name. Use after restarting a node.
   */
  waitReady(timeoutMs?: number): Promise<string>;
  dispose(): Promise<void>;
}

export interface StartNatsClusterOptions {
  /** Cluster name; node server_names are `<name>-n1`, `<name>-n2`, ... */
  name?: string;
  /** Extra command-line arguments for every node. */
  args?: string[];
  /** Extra configuration text appended to every node's config file. */
  extraConfig?: string;
  timeoutMs?: number;
}

interface Jsz {
  meta_cluster?: { leader?: string; replicas?: { name: string; current: boolean }[] };
}

// A config file per node rather than flags: 2.9.10 does accept --server_name/-js/--cluster_name/--routes
// together, but a file left in the node's dir shows exactly what ran when a test fails, and it is the only
// place for settings without flags (JetStream limits, accounts) passed in as `extraConfig`.
function nodeConfig(n: { name: string; port: number; monitorPort: number; clusterPort: number; storeDir: string }, cluster: string, routes: number[], extra: string): string {
  const q = (s: string): string => JSON.stringify(s);
  return [
    `server_name: ${q(n.name)}`,
    `listen: ${q(`127.0.0.1:${n.port}`)}`,
    `http: ${q(`127.0.0.1:${n.monitorPort}`)}`,
    `jetstream { store_dir: ${q(n.storeDir)} }`,
    'cluster {',
    `  name: ${q(cluster)}`,
    `  listen: ${q(`127.0.0.1:${n.clusterPort}`)}`,
    `  routes: [${routes.map((p) => q(`nats-route://127.0.0.1:${p}`)).join(', ')}]`,
    '}',
    extra,
    '',
  ].join('\n');
}

async function clusterLeader(nodes: NatsServer[]): Promise<string | false> {
  const up = nodes.filter((n) => n.running);
  if (up.length === 0) throw new Error('no node is running');
  const views = await Promise.all(
    up.map(async (n) => {
      const h = await httpGet(`${n.monitorUrl}/healthz`, 1000);
      if (h.status !== 200) throw new Error(`${n.name} /healthz: ${h.body.trim()}`);
      return n.monitor<Jsz>('/jsz');
    }),
  );
  const leaders = new Set(views.map((v) => v.meta_cluster?.leader ?? ''));
  const [leader] = leaders;
  // Followers keep naming a dead leader for a few seconds after it is killed, so the leader must confirm.
  if (leaders.size !== 1 || !leader) throw new Error(`nodes disagree on the meta leader: ${[...leaders].join(', ') || 'none'}`);
  const i = up.findIndex((n) => n.name === leader);
  if (i < 0) throw new Error(`meta leader ${leader} is not a running node`);
  const replicas = views[i]?.meta_cluster?.replicas ?? [];
  const lagging = up.filter((n) => n.name !== leader && !replicas.some((r) => r.name === n.name && r.current));
  if (lagging.length > 0) throw new Error(`meta leader ${leader} does not yet see as current: ${lagging.map((n) => n.name).join(', ')}`);
  return leader;
}

class NatsCluster implements NatsClusterHandle {
  readonly urls: string[];
  constructor(
    readonly name: string,
    private readonly servers: NatsServer[],
    private readonly defaultTimeoutMs: number,
  ) {
    this.urls = servers.map((s) => s.url);
  }

  get nodes(): NatsServerHandle[] {
    return this.servers;
  }

  waitReady(timeoutMs = this.defaultTimeoutMs): Promise<string> {
    return waitFor(() => clusterLeader(this.servers), { what: `NATS cluster ${this.name} to elect a meta leader`, timeoutMs, intervalMs: 100 });
  }

  async dispose(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.dispose()));
  }
}

/** `size` nats-server processes in one JetStream cluster on loopback, each with its own ports and store. */
export async function startNatsCluster(size = 3, opts: StartNatsClusterOptions = {}): Promise<NatsClusterHandle> {
  findBinary('nats-server');
  if (size < 1) throw new Error(`startNatsCluster: size must be >= 1, got ${size}`);
  return retryOnPortClash(() => launchCluster(size, opts));
}

async function launchCluster(size: number, opts: StartNatsClusterOptions): Promise<NatsClusterHandle> {
  const name = opts.name ?? 'feed-test';
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const ports = await freePorts(size * 3);
  const clusterPorts = ports.slice(2 * size);
  const servers: NatsServer[] = [];
  for (let i = 0; i < size; i++) {
    const dir = await tempDir(`nats-${name}-n${i + 1}`);
    const node = {
      name: `${name}-n${i + 1}`,
      port: ports[i] as number,
      monitorPort: ports[size + i] as number,
      clusterPort: clusterPorts[i] as number,
      storeDir: path.join(dir, 'store'),
    };
    const conf = path.join(dir, 'nats.conf');
    await writeFile(conf, nodeConfig(node, name, clusterPorts.filter((_, j) => j !== i), opts.extraConfig ?? ''));
    servers.push(
      new NatsServer({ ...node, cwd: dir, jetstream: true, args: ['-c', conf, ...(opts.args ?? [])], ownedDirs: [dir], timeoutMs }),
    );
  }
  const cluster = new NatsCluster(name, servers, timeoutMs);
  try {
    await Promise.all(servers.map((s) => s.start()));
    await cluster.waitReady();
  } catch (e) {
    await cluster.dispose();
    throw e;
  }
  return cluster;
}
