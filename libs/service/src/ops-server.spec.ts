import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@feed/logging';
import { Counter, Gauge, Registry } from '@feed/metrics';
import { Health } from './health';
import { startOpsServer } from './ops-server';

const servers: Server[] = [];
const logLines: Array<Record<string, unknown>> = [];
const log = createLogger({ service: 'ops-spec', instanceId: 't', level: 'info', destination: { write: (s: string) => void logLines.push(JSON.parse(s) as Record<string, unknown>) } });

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
});

async function start(health: Health, registry: Registry): Promise<string> {
  const server = await startOpsServer({ host: '127.0.0.1', port: 0, health, registry, log });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function get(url: string, init: RequestInit = {}): Promise<{ status: number; type: string | null; body: string }> {
  const res = await fetch(url, { ...init, headers: { connection: 'close', ...(init.headers ?? {}) } });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

describe('startOpsServer', () => {
  let base: string;
  let live = true;
  let ready = true;
  const registry = new Registry();
  const c = new Counter({ name: 'feed_spec_events_total', help: 'events seen by the spec', labelNames: ['venue'], registers: [registry] });

  beforeAll(async () => {
    const h = new Health()
      .addLiveness('event_loop', () => live)
      .addReadiness('nats', () => ready)
      .addDetail('venues', () => ({ binance: 'stale' }));
    base = await start(h, registry);
  });

  it('logs the port it listens on', () => {
    const line = logLines.find((l) => l['msg'] === 'ops listening');
    expect(line?.['port']).toBe(Number(new URL(base).port));
  });

  it('/health is 200 while alive and 503 when a liveness check fails; the body is JSON with the checks and details', async () => {
    live = true;
    let r = await get(`${base}/health`);
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^application\/json/);
    expect(JSON.parse(r.body)).toEqual({ status: 'up', ok: true, checks: { event_loop: true }, details: { venues: { binance: 'stale' } } });
    live = false;
    r = await get(`${base}/health`);
    expect(r.status).toBe(503);
    expect(JSON.parse(r.body)).toMatchObject({ status: 'down', ok: false, checks: { event_loop: false } });
    live = true;
    // Aliases and a query string answer the same.
    expect((await get(`${base}/healthz`)).status).toBe(200);
    expect((await get(`${base}/live`)).status).toBe(200);
    expect((await get(`${base}/health?verbose=1`)).status).toBe(200);
  });

  it('/ready follows the readiness checks only', async () => {
    ready = true;
    let r = await get(`${base}/ready`);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ status: 'ready', ok: true, checks: { nats: true } });
    ready = false;
    r = await get(`${base}/ready`);
    expect(r.status).toBe(503);
    expect(JSON.parse(r.body)).toMatchObject({ status: 'not_ready', ok: false, checks: { nats: false } });
    // Not ready is not dead.
    expect((await get(`${base}/health`)).status).toBe(200);
    ready = true;
  });

  it('/metrics serves the Prometheus text of the registry', async () => {
    c.inc({ venue: 'binance' }, 3);
    c.inc({ venue: 'kraken' });
    const r = await get(`${base}/metrics`);
    expect(r.status).toBe(200);
    expect(r.type).toBe(registry.contentType);
    expect(r.body).toContain('# HELP feed_spec_events_total events seen by the spec');
    expect(r.body).toContain('# TYPE feed_spec_events_total counter');
    expect(r.body).toContain('feed_spec_events_total{venue="binance"} 3');
    expect(r.body).toContain('feed_spec_events_total{venue="kraken"} 1');
  });

  it('unknown paths and other methods get a 404 JSON error', async () => {
    for (const [path, method] of [
      ['/nope', 'GET'],
      ['/', 'GET'],
      ['/health/extra', 'GET'],
      ['/health', 'POST'],
      ['/metrics', 'DELETE'],
    ] as const) {
      const r = await get(`${base}${path}`, { method });
      expect(r.status).toBe(404);
      expect(r.type).toMatch(/^application\/json/);
      expect(JSON.parse(r.body)).toEqual({ error: { code: 'not_found', message: `no route ${method} ${path}` } });
    }
  });

  it('HEAD /health answers with the status and no body', async () => {
    const r = await get(`${base}/health`, { method: 'HEAD' });
    expect(r.status).toBe(200);
    expect(r.body).toBe('');
  });
});

describe('startOpsServer failures', () => {
  it('a handler that fails answers 500 JSON without details, and logs the error', async () => {
    const registry = new Registry();
    new Gauge({
      name: 'feed_spec_broken',
      help: 'a collector that throws',
      registers: [registry],
      collect() {
        throw new Error('collector exploded');
      },
    });
    const base = await start(new Health(), registry);
    const r = await get(`${base}/metrics`);
    expect(r.status).toBe(500);
    expect(JSON.parse(r.body)).toEqual({ error: { code: 'internal', message: 'internal error' } });
    expect(r.body).not.toContain('exploded');
    expect(logLines.some((l) => l['msg'] === 'ops handler failed' && String(l['err']).includes('collector exploded'))).toBe(true);
    // The server survives it.
    expect((await get(`${base}/health`)).status).toBe(200);
  });

  it('rejects when the port is taken (fail loud at start)', async () => {
    const base = await start(new Health(), new Registry());
    const port = Number(new URL(base).port);
    await expect(startOpsServer({ host: '127.0.0.1', port, health: new Health(), registry: new Registry(), log })).rejects.toThrow(/EADDRINUSE/);
  });
});
