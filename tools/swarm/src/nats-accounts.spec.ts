import { spawnSync } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { applyStreams, appPermissions, connectNats, DEFAULT_STREAM_SETTINGS, NATS_USERS, type NatsUser, renderNatsAuth } from '@feed/messaging';
import { cleanupAll, startNats, tempDir } from '@feed/testing';
import { lastFilteredSeq } from '@feed/projections';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

/**
 * The NATS accounts the swarm runs with, on a real nats-server: each app can do its job and nothing else, and the
 * preview account cannot see production streams. (The cluster rehearsal runs the whole pipeline under them.)
 */
const ROOT = path.resolve(__dirname, '../../..');
const MiB = 1024 * 1024;
const PASSWORDS = Object.fromEntries(NATS_USERS.map((u) => [u, `${u}-password-0123456789`])) as Record<NatsUser, string>;
const PREVIEW_PASSWORD = 'preview-password-0123456789';

afterAll(cleanupAll);

describe('renderNatsAuth', () => {
  it('renders one user per app in the FEED account and the PREVIEW account', () => {
    const text = renderNatsAuth({ prefix: 'feed', passwords: PASSWORDS, previewPassword: PREVIEW_PASSWORD });
    for (const u of NATS_USERS) expect(text).toContain(`{ user: "${u}", password: "${PASSWORDS[u]}"`);
    expect(text).toContain('PREVIEW {');
    expect(appPermissions('feed').ingest.publish).toContain('feed.raw.>');
    expect(appPermissions('feed').api.publish.some((s) => s.startsWith('$JS.ACK'))).toBe(false);
  });

  it('refuses a weak or unquotable password', () => {
    expect(() => renderNatsAuth({ prefix: 'feed', passwords: { ...PASSWORDS, api: 'short' } })).toThrow(/password for NATS user api/);
    expect(() => renderNatsAuth({ prefix: 'feed', passwords: { ...PASSWORDS, api: 'has "quotes" and spaces' } })).toThrow(/password for NATS user api/);
  });

  it('with deploy/nats/nats-cluster.conf, passes nats-server -t', async () => {
    const dir = await tempDir('nats-conf');
    copyFileSync(path.join(ROOT, 'deploy/nats/nats-cluster.conf'), path.join(dir, 'nats.conf'));
    writeFileSync(path.join(dir, 'auth.conf'), renderNatsAuth({ prefix: 'feed', passwords: PASSWORDS, previewPassword: PREVIEW_PASSWORD }));
    const r = spawnSync('nats-server', ['-t', '-c', path.join(dir, 'nats.conf')], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', NATS_SERVER_NAME: 'nats-1' } });
    expect(`${r.stdout}${r.stderr}`).toContain('is valid');
    expect(r.status).toBe(0);
  });
});

describe('on a real nats-server', () => {
  const conns: NatsConnection[] = [];
  let url = '';
  const as = async (user: string, pass: string): Promise<NatsConnection> => {
    const nc = await connectNats({ servers: [url], name: `spec-${user}`, user, pass, startupTimeoutMs: 5_000 });
    conns.push(nc);
    return nc;
  };
  afterAll(async () => {
    for (const nc of conns) await nc.close().catch(() => undefined);
  });

  beforeAll(async () => {
    const dir = await tempDir('nats-auth');
    const conf = path.join(dir, 'auth.conf');
    writeFileSync(conf, renderNatsAuth({ prefix: 'feed', passwords: PASSWORDS, previewPassword: PREVIEW_PASSWORD }));
    url = (await startNats({ args: ['-c', conf] })).url;
    const admin = await as('streams', PASSWORDS.streams);
    await applyStreams(admin, await jetstreamManager(admin), { ...DEFAULT_STREAM_SETTINGS, prefix: 'feed', rawMaxBytes: 64 * MiB, mdMaxBytes: 64 * MiB, dlqMaxBytes: 8 * MiB });
  });

  it('ingest publishes to RAW and is refused MD', async () => {
    const js = jetstream(await as('ingest', PASSWORDS.ingest), { timeout: 1_500 });
    const ack = await js.publish('feed.raw.binance.trade.BTC-USDT', 'x', { msgID: 'spec-1' });
    expect(ack.stream).toBe('FEED_RAW');
    await expect(js.publish('feed.md.v1.trade.BTC-USDT.binance', 'x')).rejects.toThrow();
  });

  it('the persister reads MD through its durable but cannot create consumers on RAW', async () => {
    const persister = await as('persister', PASSWORDS.persister);
    const jsm = await jetstreamManager(persister, { timeout: 1_500 });
    await jsm.consumers.add('FEED_MD', { durable_name: 'feed_persister_spec', ack_policy: AckPolicy.Explicit, filter_subject: 'feed.md.v1.>' });
    expect((await jsm.consumers.info('FEED_MD', 'feed_persister_spec')).name).toBe('feed_persister_spec');
    // It can pull (CONSUMER.MSG.NEXT) and ack what it gets.
    const md = jetstream(await as('normalizer', PASSWORDS.normalizer), { timeout: 1_500 });
    await md.publish('feed.md.v1.trade.BTC-USDT.binance', 'x', { msgID: 'spec-md-1' });
    const js = jetstream(persister, { timeout: 1_500 });
    const m = await (await js.consumers.get('FEED_MD', 'feed_persister_spec')).next({ expires: 2_000 });
    expect(m?.subject).toBe('feed.md.v1.trade.BTC-USDT.binance');
    expect(await m?.ackAck()).toBe(true);
    await expect(jsm.consumers.add('FEED_RAW', { durable_name: 'sneaky', ack_policy: AckPolicy.Explicit })).rejects.toThrow();
  });

  it('the snapshotter reads MD to its end through an ordered consumer, and can neither publish to the log nor read RAW', async () => {
    const md = jetstream(await as('normalizer', PASSWORDS.normalizer), { timeout: 1_500 });
    const last = (await md.publish('feed.md.v1.trade.BTC-USDT.binance', 'snap', { msgID: 'spec-snap-1' })).seq;
    const snap = await as('snapshotter', PASSWORDS.snapshotter);
    const jsm = await jetstreamManager(snap, { timeout: 1_500 });
    expect(await lastFilteredSeq(jsm, 'FEED_MD', 'feed.md.v1.>')).toBe(last);
    const js = jetstream(snap, { timeout: 1_500 });
    const c = await js.consumers.get('FEED_MD', { filter_subjects: 'feed.md.v1.>', deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: last });
    const m = await c.next({ expires: 2_000 });
    expect(m?.seq).toBe(last);
    await expect(js.publish('feed.md.v1.trade.BTC-USDT.binance', 'x')).rejects.toThrow();
    await expect(jsm.consumers.add('FEED_RAW', { durable_name: 'snap-raw', ack_policy: AckPolicy.Explicit })).rejects.toThrow();
  });

  it('the preview account does not see the production streams', async () => {
    const jsm = await jetstreamManager(await as('preview', PREVIEW_PASSWORD), { timeout: 1_500 });
    await expect(jsm.streams.info('FEED_RAW')).rejects.toThrow(/stream not found/);
  });

  it('a wrong password is refused', async () => {
    await expect(connectNats({ servers: [url], name: 'spec-bad', user: 'api', pass: 'wrong-password-0123456', startupTimeoutMs: 800 })).rejects.toThrow();
  });
});
