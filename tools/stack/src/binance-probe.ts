import WebSocket from 'ws';

/**
 * Is the live Binance stream reachable from here? Opens the public trade stream and waits for one message.
 * Offline machines fail fast (DNS); a firewalled one hits the timeout. Either way the launcher falls back to the
 * simulator and says so.
 */
export function probeBinance(url: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      ws.terminate();
      resolve(ok);
    };
    const ws = new WebSocket(`${url.replace(/\/+$/, '')}/ws/btcusdt@trade`, { handshakeTimeout: timeoutMs });
    const timer = setTimeout(() => finish(false), timeoutMs);
    ws.on('message', () => finish(true));
    ws.on('error', () => finish(false));
    ws.on('close', () => finish(false));
  });
}
