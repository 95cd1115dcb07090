import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RequestOne } from '@nats-io/nats-core/internal';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { cleanupAll, startNats, type NatsServerHandle } from '@feed/testing';
import { connectNats } from './connect';
import { PATCHED_NATS_CORE_VERSION, applyRequestPatch } from './request-patch';

describe('the nats.js request patch', () => {
  let nats: NatsServerHandle;
  beforeAll(async () => {
    nats = await startNats();
  });
  afterAll(async () => cleanupAll());

  it('given the installed nats-core, then it is the version the patch was written against (re-check on upgrade)', () => {
    const pkg = JSON.parse(readFileSync(path.join(path.dirname(require.resolve('@nats-io/nats-core')), '..', 'package.json'), 'utf8')) as { version: string };
    expect(pkg.version).toBe(PATCHED_NATS_CORE_VERSION);
  });

  it('when a request settles, then cancel() only cleans up: no RequestError("cancelled") is built and rejected', () => {
    applyRequestPatch();
    const fake = () => {
      const r = Object.create(RequestOne.prototype) as Record<string, unknown> & { resolver(e: Error | null, m: unknown): void; cancel(e?: Error): void };
      r['timer'] = { cancel: jest.fn() };
      r['mux'] = { cancel: jest.fn() };
      r['deferred'] = { resolve: jest.fn(), reject: jest.fn() };
      return r;
    };
    const ok = fake();
    ok.resolver(null, { data: new Uint8Array() });
    const d = ok['deferred'] as { resolve: jest.Mock; reject: jest.Mock };
    expect(d.resolve).toHaveBeenCalledTimes(1);
    // Unpatched, cancel() rejects the settled promise with a freshly built RequestError (the cost removed).
    expect(d.reject).not.toHaveBeenCalled();
    expect((ok['mux'] as { cancel: jest.Mock }).cancel).toHaveBeenCalledWith(ok);
    expect((ok['timer'] as { cancel: jest.Mock }).cancel).toHaveBeenCalled();
    // An explicit cancel (e.g. the connection closing) still rejects as before.
    const open = fake();
    open.cancel(new Error('closed'));
    expect((open['deferred'] as { reject: jest.Mock }).reject).toHaveBeenCalledWith(expect.objectContaining({ message: 'closed' }));
  });

  it('given the patch, JetStream publishes, request timeouts and publish errors behave as before', async () => {
    const nc = await connectNats({ servers: [nats.url], name: 'patch-test', startupTimeoutMs: 5_000 });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'PATCH', subjects: ['patch.>'] });
      const js = jetstream(nc);
      for (let i = 0; i < 50; i++) expect((await js.publish('patch.x', 'x', { msgID: `m${i}` })).seq).toBe(i + 1);
      await expect(nc.request('nobody.here', 'x', { timeout: 300 })).rejects.toThrow();
      await expect(js.publish('nowhere.x', 'x', { timeout: 500 })).rejects.toThrow();
    } finally {
      await nc.close();
    }
  });
});
