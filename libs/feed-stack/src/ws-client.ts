import WebSocket from 'ws';

export interface WsItem {
  seq: number;
  id: string;
  tradeId: string;
  price: string;
  size: string;
  source: string;
  [k: string]: unknown;
}

/** A test WebSocket client of /v1/stream that keeps every frame and every trade item it receives. */
export class WsClient {
  readonly frames: Array<{ v: number; type: string; data: unknown[] }> = [];
  readonly trades: WsItem[] = [];
  closeCode: number | undefined;
  /** Called with each batch of trade items and the wall-clock receive time (the benchmark measures latency). */
  onTrades: ((items: WsItem[], receivedAtMs: number) => void) | undefined;
  private readonly ws: WebSocket;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (d: Buffer) => {
      const f = JSON.parse(d.toString('utf8')) as { v: number; type: string; data: unknown[] };
      this.frames.push(f);
      if (f.type === 'trades') {
        this.trades.push(...(f.data as WsItem[]));
        this.onTrades?.(f.data as WsItem[], Date.now());
      }
    });
    ws.on('close', (code: number) => {
      this.closeCode = code;
    });
  }

  static async connect(url: string): Promise<WsClient> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new WsClient(ws);
  }

  send(o: unknown): void {
    this.ws.send(JSON.stringify(o));
  }

  close(): void {
    this.ws.close();
  }
}
