import { cleanupAll, freePort, startNats, waitFor, type NatsServerHandle } from '@feed/testing';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats, trackConnection } from './connect';

jest.setTimeout(30_000);

const connections: NatsConnection[] = [];

afterAll(async () => {
  for (const c of connections) if (!c.isClosed()) await c.close().catch(() => undefined);
  await cleanupAll();
});

describe('connectNats', () => {
  it('gives up with code NATS_UNREACHABLE after the startup deadline when nothing listens', async () => {
    const port = await freePort(); // free a moment ago, and nothing of ours listens on it
    const t0 = Date.now();
    const err = (await connectNats({ servers: [`nats://127.0.0.1:${port}`], name: 'spec', startupTimeoutMs: 1_200 }).catch((e: unknown) => e)) as Error & { code?: string };
    const took = Date.now() - t0;
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe('NATS_UNREACHABLE');
    expect(err.message).toContain(`127.0.0.1:${port}`);
    expect(err.message).toContain('1200 ms');
    // Retried until the deadline (not the first refusal), and not much past it.
    expect(took).toBeGreaterThanOrEqual(1_200);
    expect(took).toBeLessThan(3_000);
  });

  it('connects, reports status changes, and keeps reconnecting once connected', async () => {
    const nats = await startNats({ jetstream: false });
    const statuses: string[] = [];
    const nc = await connectNats({ servers: [nats.url], name: 'spec-status', startupTimeoutMs: 5_000, onStatus: (t) => statuses.push(t) });
    connections.push(nc);
    expect(nc.isClosed()).toBe(false);
    await nats.stop();
    await waitFor(() => statuses.includes('disconnect'), { what: 'a disconnect status' });
    await nats.restart();
    await waitFor(() => statuses.includes('reconnect'), { what: 'a reconnect status', timeoutMs: 10_000 });
    expect(nc.isClosed()).toBe(false);
    await nc.flush();
  });

  it('connects with credentials the server requires, and fails loud with wrong ones', async () => {
    const nats = await startNats({ jetstream: false, args: ['--user', 'feed', '--pass', 's3cret'] });
    const nc = await connectNats({ servers: [nats.url], name: 'spec-auth', user: 'feed', pass: 's3cret', startupTimeoutMs: 5_000 });
    connections.push(nc);
    await nc.flush();
    const err = (await connectNats({ servers: [nats.url], name: 'spec-auth-bad', user: 'feed', pass: 'wrong', startupTimeoutMs: 800 }).catch((e: unknown) => e)) as Error & { code?: string };
    expect(err.code).toBe('NATS_UNREACHABLE');
    expect(err.message).toMatch(/authorization/i);
  });
});

describe('trackConnection', () => {
  it('connected() turns false when the server stops and true again after it restarts', async () => {
    const nats: NatsServerHandle = await startNats({ jetstream: false });
    const nc = await connectNats({ servers: [nats.url], name: 'spec-track', startupTimeoutMs: 5_000 });
    connections.push(nc);
    const state = trackConnection(nc);
    expect(state.connected()).toBe(true);

    await nats.stop();
    await waitFor(() => !state.connected(), { what: 'connected() false after the server stopped' });
    await nats.restart();
    await waitFor(() => state.connected(), { what: 'connected() true after the restart', timeoutMs: 10_000 });
    await nc.flush();

    // A second outage is seen as well (the status iterator keeps running).
    await nats.stop();
    await waitFor(() => !state.connected(), { what: 'connected() false again' });
    await nats.restart();
    await waitFor(() => state.connected(), { what: 'connected() true again', timeoutMs: 10_000 });

    await nc.close();
    expect(state.connected()).toBe(false);
  });
});
