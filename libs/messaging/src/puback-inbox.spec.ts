import { cleanupAll, startNats, startNatsWithClient } from '@feed/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { Hdr } from './headers';
import { PubAckInbox, PublishError } from './puback-inbox';

jest.setTimeout(30_000);

let nc: NatsConnection;

beforeAll(async () => {
  const s = await startNatsWithClient();
  nc = s.nc;
  await s.jsm.streams.add({ name: 'INBOX_A', subjects: ['inboxa.>'] });
});

afterAll(cleanupAll);

const codeOf = async (p: Promise<unknown>) => {
  const e = await p.catch((x: unknown) => x);
  expect(e).toBeInstanceOf(PublishError);
  return (e as PublishError).code;
};

describe('PubAckInbox (JetStream publishes answered on one inbox subscription)', () => {
  it('when 2,000 publishes go out at once, then each gets its own PubAck, in stream order, with the duplicate flag', async () => {
    const inbox = new PubAckInbox(nc, 5_000);
    const h = (id: string) => {
      const x = headers();
      x.set(Hdr.msgId, id);
      return x;
    };
    const acks = await Promise.all(Array.from({ length: 2_000 }, (_, i) => inbox.publish('inboxa.x', `m${i}`, h(`a-${i}`))));
    expect(acks.map((a) => a.seq)).toEqual(Array.from({ length: 2_000 }, (_, i) => i + 1));
    expect(acks.every((a) => a.stream === 'INBOX_A' && a.duplicate === false)).toBe(true);
    await expect(inbox.publish('inboxa.x', 'again', h('a-7'))).resolves.toEqual({ stream: 'INBOX_A', seq: 8, duplicate: true });
    // Without headers at all (no msg id): stored, not a duplicate.
    await expect(inbox.publish('inboxa.x', 'plain', undefined)).resolves.toMatchObject({ seq: 2_001, duplicate: false });
    expect(inbox.size).toBe(0);
  });

  it('when no stream captures the subject, then the publish fails at once with NO_RESPONDERS', async () => {
    const inbox = new PubAckInbox(nc, 5_000);
    const t0 = Date.now();
    expect(await codeOf(inbox.publish('nostream.here', 'x', undefined))).toBe('NO_RESPONDERS');
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it('when JetStream answers with an error, then the publish fails with PUBACK_ERROR and its description', async () => {
    const inbox = new PubAckInbox(nc, 5_000);
    const h = headers();
    h.set('Nats-Expected-Stream', 'NOT_THIS_ONE');
    const e = await inbox.publish('inboxa.y', 'x', h).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PublishError);
    expect((e as PublishError).code).toBe('PUBACK_ERROR');
    expect((e as PublishError).message).toMatch(/expected stream/i);
    expect(inbox.size).toBe(0);
  });

  it('given a server that stops answering, then pending publishes fail with PUBACK_TIMEOUT after the timeout, and CONNECTION_CLOSED once the connection closes', async () => {
    const own = await startNats();
    const c = await connect({ servers: own.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    await (await jetstreamManager(c)).streams.add({ name: 'INBOX_T', subjects: ['inboxt.>'] });
    const inbox = new PubAckInbox(c, 400);
    await expect(inbox.publish('inboxt.x', 'before', undefined)).resolves.toMatchObject({ seq: 1 });
    await own.stop();
    const t0 = Date.now();
    const timedOut = inbox.publish('inboxt.x', 'lost', undefined);
    expect(await codeOf(timedOut)).toBe('PUBACK_TIMEOUT');
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(390);
    expect(took).toBeLessThan(3_000);
    const pending = inbox.publish('inboxt.x', 'never', undefined);
    await c.close();
    expect(await codeOf(pending)).toBe('CONNECTION_CLOSED');
    expect(await codeOf(inbox.publish('inboxt.x', 'after close', undefined))).toBe('CONNECTION_CLOSED');
    expect(inbox.size).toBe(0);
  });
});
