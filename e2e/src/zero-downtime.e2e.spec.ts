import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { FeedStack, ROOT, sumSamples } from '@feed/feed-stack';
import { freePort, registry, spawnApp, tempDir, waitFor, type AppProcess } from '@feed/testing';
import WebSocket from 'ws';

/**
 * Zero-downtime rehearsal (issue 7): the api's replicas are replaced one at a time, start-first, the way the swarm
 * rolls a service, behind a real haproxy running the production edge config (deploy/edge/haproxy.cfg, TLS and all),
 * while a REST client polls and a WebSocket client streams trades. No request may fail, and the WebSocket client,
 * cut off when its replica drains, resumes from its last sequence without a gap or a duplicate.
 *
 * Swarm service discovery is played by a small DNS responder: haproxy resolves the api name through it exactly
 * as it resolves `tasks.feed_api` through Docker's embedded DNS, and like the swarm it drops a task from DNS before
 * the task gets SIGTERM. Replicas listen on distinct loopback addresses with the same port, as tasks do.
 */
const API_HOST = 'api.feed.test';

/** A DNS server answering A queries for one name with the current address list (TTL 1 s). */
async function dnsServer(name: string, addresses: () => string[]): Promise<{ port: number; close: () => void }> {
  const sock = dgram.createSocket('udp4');
  sock.on('message', (q, rinfo) => {
    if (q.length < 12) return;
    let i = 12;
    const labels: string[] = [];
    while (i < q.length && q[i] !== 0) {
      const len = q[i] as number;
      labels.push(q.subarray(i + 1, i + 1 + len).toString('ascii'));
      i += len + 1;
    }
    const qtype = q.readUInt16BE(i + 1);
    const question = q.subarray(12, i + 5);
    const ips = labels.join('.').toLowerCase() === name && qtype === 1 ? addresses() : [];
    const known = labels.join('.').toLowerCase() === name;
    const header = Buffer.alloc(12);
    q.copy(header, 0, 0, 2);
    header.writeUInt16BE(known ? 0x8180 : 0x8183, 2); // response, RD+RA; NXDOMAIN for other names
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(ips.length, 6);
    const answers = ips.map((ip) => {
      const a = Buffer.alloc(16);
      a.writeUInt16BE(0xc00c, 0);
      a.writeUInt16BE(1, 2);
      a.writeUInt16BE(1, 4);
      a.writeUInt32BE(1, 6);
      a.writeUInt16BE(4, 10);
      ip.split('.').forEach((o, k) => a.writeUInt8(Number(o), 12 + k));
      return a;
    });
    sock.send(Buffer.concat([header, question, ...answers]), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return { port: sock.address().port, close: () => sock.close() };
}

interface Poller {
  ok: number;
  failures: string[];
  stop: () => Promise<void>;
}

/** GETs /v1/trades through the edge over TLS, back to back, on keep-alive connections; records every failure. */
function poll(url: string): Poller {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 2, rejectUnauthorized: false });
  const p: Poller = { ok: 0, failures: [], stop: async () => undefined };
  let running = true;
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const req = https.get(url, { agent, timeout: 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode === 200 && Array.isArray((JSON.parse(Buffer.concat(chunks).toString()) as { trades?: unknown }).trades)) p.ok++;
          else p.failures.push(`HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 200)}`);
          resolve();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e) => {
        p.failures.push(e.message);
        resolve();
      });
    });
  const loop = (async (): Promise<void> => {
    while (running) await one();
  })();
  p.stop = async () => {
    running = false;
    await loop;
    agent.destroy();
  };
  return p;
}

interface Trade {
  seq: number;
  tradeId: string;
}

/** A WebSocket client that, when its connection ends, reconnects through the edge and resumes from its last seq. */
class ResumingClient {
  readonly trades: Trade[] = [];
  readonly closes: number[] = [];
  readonly errors: unknown[] = [];
  private ws: WebSocket | undefined;
  private stopped = false;
  constructor(private readonly url: string) {}

  get lastSeq(): number | undefined {
    return this.trades[this.trades.length - 1]?.seq;
  }

  connect(): void {
    const ws = new WebSocket(this.url, { rejectUnauthorized: false });
    this.ws = ws;
    ws.on('open', () => ws.send(JSON.stringify({ op: 'subscribe', channel: 'trades', symbol: 'BTC-USDT', ...(this.lastSeq !== undefined ? { fromSeq: this.lastSeq } : {}) })));
    ws.on('message', (d: Buffer) => {
      const f = JSON.parse(d.toString()) as { type: string; data: Array<Record<string, unknown>> };
      if (f.type === 'trades') for (const t of f.data) this.trades.push({ seq: Number(t['seq']), tradeId: String(t['tradeId']) });
      if (f.type === 'error') this.errors.push(f.data);
    });
    ws.on('error', () => undefined);
    ws.on('close', (code) => {
      this.closes.push(code);
      if (!this.stopped) setTimeout(() => this.connect(), 100);
    });
  }

  stop(): void {
    this.stopped = true;
    this.ws?.close();
  }
}

describe('zero-downtime api rollout behind the haproxy edge', () => {
  let stack: FeedStack | undefined;
  let dns: { close: () => void } | undefined;
  afterAll(async () => {
    dns?.close();
    await stack?.stop();
  });

  it('replaces every api replica one at a time, start-first: no request fails, the WebSocket resumes without a gap', async () => {
    stack = await FeedStack.start({ sim: { rate: 150, maxTrades: 100_000 } });
    await stack.startApp('persister');
    await stack.startApp('normalizer');
    await stack.startApp('ingest');
    const apiPort = await freePort();
    // Replica i of generation g listens on 127.0.<g>.<i>: distinct addresses, one port, like swarm tasks.
    const inDns = new Map<AppProcess, string>();
    // Started here rather than by stack.startApp: a generous start deadline on a loaded machine.
    const startApi = async (ip: string): Promise<AppProcess> => {
      const s = stack as FeedStack;
      const env: Record<string, string> = { ...s.baseEnv('api'), HTTP_HOST: ip, HTTP_PORT: String(apiPort) };
      const app = spawnApp({ name: `api:${env['INSTANCE_ID'] ?? ip}`, script: path.join(ROOT, 'dist/apps/api/main.js'), env });
      await app.waitForJson((j) => j['msg'] === 'api listening', 60_000);
      inDns.set(app, ip);
      return app;
    };
    const old = [await startApi('127.0.1.1'), await startApi('127.0.1.2')];
    const d = await dnsServer(API_HOST, () => [...inDns.values()]);
    dns = d;

    // The production edge config, with a throw-away certificate.
    const dir = await tempDir('edge');
    const pem = path.join(dir, 'feed.pem');
    const ssl = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'k.pem'), '-out', path.join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=feed.test']);
    expect(ssl.status).toBe(0);
    writeFileSync(pem, readFileSync(path.join(dir, 'c.pem'), 'utf8') + readFileSync(path.join(dir, 'k.pem'), 'utf8'));
    const [httpPort, httpsPort] = [await freePort(), await freePort()];
    const haproxy = spawn('haproxy', ['-db', '-f', path.join(ROOT, 'deploy/edge/haproxy.cfg')], {
      env: {
        PATH: process.env['PATH'] ?? '',
        FEED_TLS_CERT: pem,
        FEED_API_HOST: API_HOST,
        FEED_API_PORT: String(apiPort),
        FEED_HTTP_BIND: `127.0.0.1:${httpPort}`,
        FEED_HTTPS_BIND: `127.0.0.1:${httpsPort}`,
        FEED_DNS: `127.0.0.1:${d.port}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // haproxy's log (stdout) and notices (stderr), shown when an assertion on failures fails.
    const haproxyErr: string[] = [];
    let stopClients = async (): Promise<void> => undefined;
    for (const st of [haproxy.stdout, haproxy.stderr]) st.on('data', (b: Buffer) => haproxyErr.push(...b.toString().split('\n').filter(Boolean)));
    if (haproxy.pid) registry.trackChild(haproxy.pid, 'haproxy');
    try {
      const edge = `https://127.0.0.1:${httpsPort}`;
      // Ready when the edge serves the API (it has resolved and health-checked the replicas).
      await waitFor(
        async () => {
          const r = await new Promise<number>((resolve) => https.get(`${edge}/v1/trades?symbol=BTC-USDT&limit=1`, { rejectUnauthorized: false }, (res) => (res.resume(), resolve(res.statusCode ?? 0))).on('error', () => resolve(0)));
          return r === 200;
        },
        { what: `the edge to serve the api\n${haproxyErr.join('')}`, timeoutMs: 30_000 },
      );
      // The public edge never serves the operational endpoints.
      const metrics = await new Promise<number>((resolve) => https.get(`${edge}/metrics`, { rejectUnauthorized: false }, (res) => (res.resume(), resolve(res.statusCode ?? 0))));
      expect(metrics).toBe(404);

      const poller = poll(`${edge}/v1/trades?symbol=BTC-USDT&limit=5`);
      const ws = new ResumingClient(`wss://127.0.0.1:${httpsPort}/v1/stream`);
      stopClients = async () => {
        ws.stop();
        await poller.stop();
      };
      ws.connect();
      await waitFor(() => ws.trades.length >= 50, { what: 'the WebSocket client to receive trades', timeoutMs: 30_000 });

      // The rollout: for each old replica, start its replacement, wait until the edge routes to it, then drop the
      // old one from DNS and SIGTERM it (what the swarm does with order: start-first, parallelism 1).
      const fresh: AppProcess[] = [];
      for (const [i, o] of old.entries()) {
        const n = await startApi(`127.0.2.${i + 1}`);
        fresh.push(n);
        const served = async (): Promise<number> => sumSamples(await (await fetch(`http://127.0.2.${i + 1}:${apiPort}/metrics`)).text(), 'feed_api_http_request_duration_seconds_count', { route: '/v1/trades' });
        await waitFor(async () => (await served()) > 0, { what: 'the edge to route requests to the new replica', timeoutMs: 30_000 });
        const seenBefore = ws.trades.length;
        inDns.delete(o);
        const stopped = await o.stop('SIGTERM', 20_000);
        expect(stopped.code).toBe(0);
        await waitFor(() => ws.trades.length > seenBefore + 20, { what: 'trades to keep flowing after the replica left', timeoutMs: 30_000 });
      }
      const total = ws.trades.length;
      await waitFor(() => ws.trades.length >= total + 50, { what: 'trades from the new replicas', timeoutMs: 30_000 });
      await poller.stop();
      ws.stop();

      expect({ failures: poller.failures, edge: poller.failures.length ? haproxyErr.filter((l) => !/ 200 /.test(l)).slice(-40) : [] }).toEqual({ failures: [], edge: [] });
      expect(poller.ok).toBeGreaterThan(50);
      // The client really lost its connection at least once (its replica drained) and came back.
      expect(ws.closes.filter((c) => c === 1001).length).toBeGreaterThanOrEqual(1);
      expect(ws.errors).toEqual([]);
      // No gap, no duplicate: the trades received are a contiguous run of what the simulator sent, in order.
      const seqs = ws.trades.map((t) => t.seq);
      expect(seqs.every((s, k) => k === 0 || s > (seqs[k - 1] as number))).toBe(true);
      const sent = (await stack.simClient.record()).map((t) => t.tradeId);
      const got = ws.trades.map((t) => t.tradeId);
      const first = sent.indexOf(got[0] as string);
      const last = sent.indexOf(got[got.length - 1] as string);
      expect(first).toBeGreaterThanOrEqual(0);
      const run = sent.slice(first, last + 1);
      const have = new Set(got);
      const missing = run.filter((id) => !have.has(id));
      // Where a missing trade was lost: not persisted either = upstream of the api (venue -> ingest -> log).
      const persisted = new Set((await stack.redis.zrange('feed:trades:BTC-USDT', '0', '-1')).map((m) => String((JSON.parse(m.slice(m.indexOf('|') + 1)) as { tradeId: string }).tradeId)));
      expect({ missing, notPersistedEither: missing.filter((id) => !persisted.has(id)) }).toEqual({ missing: [], notPersistedEither: [] });
      expect(got).toEqual(run);
    } finally {
      await stopClients();
      haproxy.kill('SIGTERM');
      if (haproxy.pid) registry.untrackChild(haproxy.pid);
    }
  }, 180_000);
});
