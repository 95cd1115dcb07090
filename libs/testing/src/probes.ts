import net from 'node:net';

/**
 * Opens a TCP connection, writes `send` (if any) and resolves with what arrived once `complete` says the
 * reply is whole. Readiness is judged on the wire, because a listening socket alone does not mean the
 * server has finished loading its data.
 */
function exchange(
  port: number,
  host: string,
  send: string | undefined,
  complete: (data: string) => boolean,
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    const sock = net.connect({ port, host });
    const fail = (e: Error): void => {
      sock.destroy();
      reject(e);
    };
    sock.setTimeout(timeoutMs, () => fail(new Error(`${host}:${port}: no complete reply within ${timeoutMs} ms (got ${JSON.stringify(data)})`)));
    sock.setEncoding('utf8');
    sock.on('connect', () => {
      if (send !== undefined) sock.write(send);
    });
    sock.on('data', (chunk: string) => {
      data += chunk;
      if (complete(data)) {
        sock.destroy();
        resolve(data);
      }
    });
    sock.on('error', fail);
    sock.on('close', () => reject(new Error(`${host}:${port}: closed before a complete reply (got ${JSON.stringify(data)})`)));
  });
}

/** True when a NATS server greets a new client with its INFO line, i.e. it accepts clients. */
export async function natsAcceptsClients(port: number, host = '127.0.0.1', timeoutMs = 2000): Promise<boolean> {
  const greeting = await exchange(port, host, undefined, (d) => d.includes('\r\n'), timeoutMs);
  return greeting.startsWith('INFO ');
}

function resp(...parts: string[]): string {
  return `*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join('')}`;
}

/**
 * PING over raw RESP (with AUTH first when a password is set). Resolves true on PONG; a Redis still loading
 * its dataset answers `-LOADING`, which is reported as an error so the caller keeps waiting.
 */
export async function redisPing(port: number, opts: { host?: string; password?: string; timeoutMs?: number } = {}): Promise<boolean> {
  const { host = '127.0.0.1', password, timeoutMs = 2000 } = opts;
  const request = (password !== undefined ? resp('AUTH', password) : '') + resp('PING');
  const expected = password !== undefined ? 2 : 1;
  const reply = await exchange(port, host, request, (d) => d.split('\r\n').length > expected, timeoutMs);
  const lines = reply.split('\r\n').slice(0, expected);
  const err = lines.find((l) => l.startsWith('-'));
  if (err) throw new Error(`redis ${host}:${port}: ${err.slice(1)}`);
  return lines[expected - 1] === '+PONG';
}
