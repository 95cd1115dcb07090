import { waitFor } from '@feed/testing';

export interface SimTrade {
  index: number;
  tradeId: string;
  price: string;
  qty: string;
  tradeTimeMs: number;
  buyerIsMaker: boolean;
}

/** The venue simulator's control API (JSON over HTTP on its port). */
export class SimClient {
  constructor(readonly controlUrl: string) {}

  async get<T>(path: string): Promise<T> {
    const res = await fetch(`${this.controlUrl}${path}`);
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  async control(name: string, body: Record<string, unknown> = {}): Promise<unknown> {
    const res = await fetch(`${this.controlUrl}/control/${name}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`POST /control/${name}: ${res.status} ${await res.text()}`);
    return res.json();
  }

  /** Every trade the simulator sent for a symbol (paged through /record). */
  async record(symbol = 'BTCUSDT', venue?: string): Promise<SimTrade[]> {
    const out: SimTrade[] = [];
    let from = 0;
    const v = venue ? `&venue=${venue}` : '';
    for (;;) {
      const page = await this.get<{ count: number; trades: Array<Record<string, unknown>>; nextFrom: number }>(`/record?symbol=${encodeURIComponent(symbol)}${v}&from=${from}&limit=10000`);
      for (const t of page.trades) {
        out.push({
          index: Number(t['index']),
          tradeId: String(t['tradeId']),
          price: String(t['price']),
          qty: String(t['qty']),
          tradeTimeMs: Number(t['tradeTimeMs']),
          buyerIsMaker: Boolean(t['buyerIsMaker']),
        });
      }
      if (page.trades.length === 0 || page.nextFrom >= page.count) break;
      from = page.nextFrom;
    }
    return out;
  }

  async count(symbol = 'BTCUSDT', venue?: string): Promise<number> {
    return (await this.get<{ count: number }>(`/record?symbol=${encodeURIComponent(symbol)}${venue ? `&venue=${venue}` : ''}&from=0&limit=1`)).count;
  }

  /** Waits until the market has sent `n` trades (maxTrades reached). */
  async waitForCount(n: number, timeoutMs: number, symbol = 'BTCUSDT', venue?: string): Promise<void> {
    await waitFor(async () => (await this.count(symbol, venue)) >= n, { what: `simulator to send ${n} ${venue ?? ''} ${symbol} trades`, timeoutMs, intervalMs: 200 });
  }
}
