/**
 * Helpers for this library's own specs (not exported): real `ws` clients on loopback and a deadline-based
 * waitFor. Kept local because a type:testing lib may only depend on type:lib projects.
 */
import WebSocket from 'ws';
import type { SimTrade } from './types';

/** One realistic trade for encoder specs (price 67234.01, size 0.0012, buyer is maker); `over` changes fields. */
export function sampleTrade(over: Partial<SimTrade> = {}): SimTrade {
  return {
    venue: 'binance',
    symbol: 'BTCUSDT',
    seq: 0,
    tradeId: '4665906',
    priceUnits: 6723401,
    priceDecimals: 2,
    qtyUnits: 120000,
    qtyDecimals: 8,
    tradeTimeMs: 1700000000123,
    eventTimeMs: 1700000000124,
    buyerIsMaker: true,
    ...over,
  };
}

export async function waitFor<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 5000,
  intervalMs = 5,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A WebSocket client that keeps every text frame it receives, its pings and how it was closed. */
export class TestClient {
  readonly ws: WebSocket;
  readonly frames: string[] = [];
  readonly pings: number[] = [];
  /** Receive time of each frame (Date.now()). */
  readonly frameTimes: number[] = [];
  closed: { code: number; reason: string; atMs: number } | null = null;
  openedAtMs = 0;
  readonly opened: Promise<void>;
  readonly whenClosed: Promise<{ code: number; reason: string; atMs: number }>;

  constructor(url: string, opts: WebSocket.ClientOptions = {}) {
    this.ws = new WebSocket(url, opts);
    this.ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) {
        this.frames.push(data.toString('utf8'));
        this.frameTimes.push(Date.now());
      }
    });
    this.ws.on('ping', () => this.pings.push(Date.now()));
    this.ws.on('error', () => undefined);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => {
        this.openedAtMs = Date.now();
        resolve();
      });
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      this.ws.once('error', reject);
    });
    this.whenClosed = new Promise((resolve) => {
      this.ws.once('close', (code: number, reason: Buffer) => {
        this.closed = { code, reason: reason.toString(), atMs: Date.now() };
        resolve(this.closed);
      });
    });
  }

  static async open(url: string, opts: WebSocket.ClientOptions = {}): Promise<TestClient> {
    const c = new TestClient(url, opts);
    await c.opened;
    return c;
  }

  /** Frames parsed as JSON (for frames known to be valid JSON). */
  json(): Array<Record<string, unknown>> {
    return this.frames.map((f) => JSON.parse(f) as Record<string, unknown>);
  }

  send(text: string): void {
    this.ws.send(text);
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.terminate();
    await this.whenClosed;
  }
}

export async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export async function postJson(url: string, body: unknown, raw?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw ?? JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The Binance trade payload of a frame: unwraps {"stream":..,"data":..} when combined. */
export function tradeOf(frame: string): Record<string, unknown> {
  const v = JSON.parse(frame) as Record<string, unknown>;
  return (typeof v['stream'] === 'string' ? v['data'] : v) as Record<string, unknown>;
}
