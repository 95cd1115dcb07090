import { Redis } from 'ioredis';

/**
 * Logical databases of one test redis-server, handed out fresh (FLUSHDB) so tests in one file never see each
 * other's keys, and every client closed at the end. Clients fail fast (no retries): a test meeting a dead server
 * should fail, not hang.
 */
export class RedisDbs {
  private readonly clients: Redis[] = [];
  private next = 0;

  constructor(private readonly port: () => number) {}

  /** A client on logical database `db` (e.g. a second connection to a test's database). */
  client(db: number): Redis {
    const c = new Redis({ host: '127.0.0.1', port: this.port(), db, maxRetriesPerRequest: 0, retryStrategy: () => null });
    this.clients.push(c);
    return c;
  }

  /** The next of the 16 logical databases, emptied, and a client on it. */
  async fresh(): Promise<Redis> {
    const c = this.client(this.next++ % 16);
    await c.flushdb();
    return c;
  }

  /** QUIT lets the server close the socket; disconnect() of a socket already closed would leave ioredis' 2 s timer behind. */
  async closeAll(): Promise<void> {
    await Promise.all(
      this.clients.map(async (c) => (c.status === 'ready' ? c.quit().catch(() => c.disconnect()) : c.status !== 'end' ? c.disconnect() : undefined)),
    );
  }
}
