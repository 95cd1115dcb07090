import { createServer } from 'node:net';

// Ports handed out by this process. The kernel may offer the same ephemeral port again once a probe socket
// is closed, and two servers started in one test must never race for it.
const issued = new Set<number>();
// The machine's own services live here; a test must never talk to them by accident.
const RESERVED = new Set([4222, 6222, 8222, 6379, 26379]);

function probePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error('freePort: no port from the kernel'))));
    });
  });
}

/** A loopback TCP port that was free a moment ago and has not been handed out before by this process. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await probePort();
    if (!issued.has(port) && !RESERVED.has(port)) {
      issued.add(port);
      return port;
    }
  }
  throw new Error('freePort: the kernel kept offering ports already handed out; 50 attempts');
}

/** Several distinct free ports at once (a cluster needs them all before any node starts). */
export async function freePorts(n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await freePort());
  return out;
}

/** The server failed because a port was taken between `freePort()` and its bind (another process won it). */
export function isPortClash(e: unknown): boolean {
  return e instanceof Error && /address already in use/i.test(e.message);
}

/**
 * Runs `start` again, which picks fresh ports, when it fails on a port clash. The issued-port set only covers
 * this process; parallel jest workers and unrelated clients can still take a port in the gap.
 */
export async function retryOnPortClash<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await start();
    } catch (e) {
      if (i >= attempts || !isPortClash(e)) throw e;
    }
  }
}
