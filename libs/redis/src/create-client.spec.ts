import { spawnSync } from 'node:child_process';
import { writeFileSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import vm from 'node:vm';
import tls from 'node:tls';
import { ConfigReader, readRedis, type RedisEndpoint } from '@feed/config';
import { cleanupAll, freePort, startRedis, tempDir, waitFor, type RedisServerHandle } from '@feed/testing';
import type { Redis } from 'ioredis';
import { connectRedis, createRedisClient } from './create-client';

jest.setTimeout(60_000);

const clients: Redis[] = [];
function track(c: Redis): Redis {
  clients.push(c);
  return c;
}

/** Disconnects and waits for ioredis to report the end, so no socket or timer outlives the file. */
async function close(c: Redis): Promise<void> {
  // A client between attempts ('reconnecting') has no socket: disconnect() only cancels its retry timer.
  if (c.status !== 'ready' && c.status !== 'connect' && c.status !== 'connecting') {
    c.disconnect();
    return;
  }
  const ended = new Promise<void>((r) => c.once('end', () => r()));
  c.disconnect();
  await waitFor(() => ended.then(() => true), { what: `${c.options.connectionName ?? 'client'} to end`, timeoutMs: 5_000 });
}

afterAll(async () => {
  for (const c of clients) await close(c);
  await cleanupAll();
});

/** The endpoint exactly as an app gets it: through libs/config from environment variables. */
function endpoint(env: Record<string, string>): RedisEndpoint {
  const r = new ConfigReader(env);
  const ep = readRedis(r, 'primary');
  r.done();
  return ep;
}

/** ioredis' offline queue (not part of its typed API): what a fail-fast client must never grow. */
function offlineQueueLength(c: Redis): number {
  return (c as unknown as { offlineQueue: { length: number } }).offlineQueue.length;
}

async function errorOf(p: Promise<unknown>): Promise<Error & { code?: unknown }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { code?: unknown };
  }
  throw new Error('expected a rejection');
}

describe('createRedisClient + connectRedis, plain TCP', () => {
  let server: RedisServerHandle;
  beforeAll(async () => {
    server = await startRedis();
  });

  it('connects lazily, answers commands and names its connection', async () => {
    const c = track(createRedisClient(endpoint({ REDIS_PORT: String(server.port) }), { name: 'feed-test-plain', failFast: false }));
    expect(c.status).toBe('wait'); // lazy: nothing happens before connectRedis
    await connectRedis(c, 5_000, 'test redis');
    expect(c.status).toBe('ready');
    await c.set('k', 'v');
    expect(await c.get('k')).toBe('v');
    expect(await c.client('GETNAME')).toBe('feed-test-plain');
    expect(String(await c.client('LIST'))).toContain('name=feed-test-plain');
  });

  it('selects the configured database', async () => {
    const c = track(createRedisClient(endpoint({ REDIS_PORT: String(server.port), REDIS_DB: '3' }), { name: 'feed-test-db', failFast: true }));
    await connectRedis(c, 5_000, 'test redis');
    await c.set('db3-key', 'x');
    const info = String(await c.info('keyspace'));
    expect(info).toMatch(/^db3:keys=1,/m);
  });

  it('connectRedis is a no-op on a client that is already connected', async () => {
    const c = track(createRedisClient(endpoint({ REDIS_PORT: String(server.port) }), { name: 'feed-test-twice', failFast: true }));
    await connectRedis(c, 5_000, 'test redis');
    await connectRedis(c, 5_000, 'test redis');
    expect(await c.ping()).toBe('PONG');
  });
});

describe('with --requirepass and the password from config', () => {
  const PASSWORD = 'p@ss w0rd:with/odd#chars';
  let server: RedisServerHandle;
  let secretFile: string;
  beforeAll(async () => {
    server = await startRedis({ password: PASSWORD });
    const dir = await tempDir('redis-secret');
    secretFile = path.join(dir, 'redis_password');
    writeFileSync(secretFile, `${PASSWORD}\n`); // Docker secrets usually end in a newline
  });

  it('authenticates with REDIS_PASSWORD_FILE (a Docker secret)', async () => {
    const ep = endpoint({ REDIS_PORT: String(server.port), REDIS_PASSWORD_FILE: secretFile });
    expect(ep.password).toBe(PASSWORD);
    const c = track(createRedisClient(ep, { name: 'feed-test-auth-file', failFast: true }));
    await connectRedis(c, 5_000, 'auth redis');
    expect(await c.ping()).toBe('PONG');
    await c.set('secret-ok', '1');
    expect(await c.get('secret-ok')).toBe('1');
  });

  it('authenticates with plain REDIS_PASSWORD', async () => {
    const c = track(createRedisClient(endpoint({ REDIS_PORT: String(server.port), REDIS_PASSWORD: PASSWORD }), { name: 'feed-test-auth-plain', failFast: false }));
    await connectRedis(c, 5_000, 'auth redis');
    expect(await c.ping()).toBe('PONG');
  });

  it('without the password (or with a wrong one) connectRedis fails with REDIS_UNREACHABLE at its deadline', async () => {
    for (const env of [{}, { REDIS_PASSWORD: 'wrong' }] as Array<Record<string, string>>) {
      const c = track(createRedisClient(endpoint({ REDIS_PORT: String(server.port), ...env }), { name: 'feed-test-noauth', failFast: true }));
      const t0 = Date.now();
      const e = await errorOf(connectRedis(c, 1_000, 'auth redis'));
      expect(e.code).toBe('REDIS_UNREACHABLE');
      // The server's refusal is what gets reported, not the client's "stream isn't writeable" while it retries.
      expect(e.message).toMatch(/^cannot reach auth redis within 1000 ms: (NOAUTH|WRONGPASS)/);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1_000);
      await close(c);
    }
  });
});

describe('a failFast client during an outage', () => {
  it('rejects commands at once while Redis is down, queues nothing, and recovers after the restart', async () => {
    const server = await startRedis();
    const ep = endpoint({ REDIS_PORT: String(server.port) });
    const fast = track(createRedisClient(ep, { name: 'feed-test-failfast', failFast: true }));
    // The other mode, for contrast: the read path keeps an offline queue.
    const queued = track(createRedisClient(ep, { name: 'feed-test-queued', failFast: false }));
    await connectRedis(fast, 5_000, 'redis');
    await connectRedis(queued, 5_000, 'redis');
    await fast.set('before', '1');

    await server.stop();
    await waitFor(() => fast.status !== 'ready' && queued.status !== 'ready', { what: 'both clients to notice the outage' });

    const t0 = Date.now();
    const results = await Promise.allSettled(Array.from({ length: 1_000 }, (_v, i) => fast.set(`k${i}`, 'x')));
    const ms = Date.now() - t0;
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/enableOfflineQueue options is false|Connection is closed|Stream isn't writeable/);
    expect(ms).toBeLessThan(500); // no connect timeout, no retry wait: at once
    expect(offlineQueueLength(fast)).toBe(0);

    // The non-fail-fast client holds commands in memory until Redis returns.
    const held = queued.set('held', '1').catch((e: unknown) => e);
    expect(offlineQueueLength(queued)).toBe(1);

    await server.restart();
    await waitFor(() => fast.status === 'ready', { what: 'the fail-fast client to reconnect', timeoutMs: 15_000 });
    expect(await fast.ping()).toBe('PONG');
    await fast.set('after', '2');
    expect(await fast.get('after')).toBe('2');
    // Nothing from the outage was written late.
    expect(await fast.exists('k0', 'k999')).toBe(0);
    await held; // settles one way or the other once the queued client is back or gives up
  });
});

describe('connectRedis on a dead port', () => {
  it.each([true, false])('failFast=%s: rejects with code REDIS_UNREACHABLE after its deadline', async (failFast) => {
    const port = await freePort(); // nothing listens here
    const c = track(createRedisClient(endpoint({ REDIS_PORT: String(port) }), { name: 'feed-test-dead', failFast }));
    const t0 = Date.now();
    const e = await errorOf(connectRedis(c, 1_500, `Redis 127.0.0.1:${port}`));
    const ms = Date.now() - t0;
    await close(c);
    expect(e.code).toBe('REDIS_UNREACHABLE');
    expect(e.message).toMatch(new RegExp(`^cannot reach Redis 127\\.0\\.0\\.1:${port} within 1500 ms: `));
    expect(ms).toBeGreaterThanOrEqual(1_500);
    expect(ms).toBeLessThan(1_500 + 1_000);
    expect(e.message).toMatch(/ECONNREFUSED/);
  });

  it('a server that accepts TCP and never answers: still gives up at the deadline', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      for (const failFast of [true, false]) {
        const c = track(createRedisClient(endpoint({ REDIS_PORT: String(port) }), { name: 'feed-test-silent', failFast }));
        const t0 = Date.now();
        const e = await errorOf(connectRedis(c, 1_000, 'silent redis'));
        const ms = Date.now() - t0;
        for (const s of sockets) s.destroy();
        await close(c);
        expect(e.code).toBe('REDIS_UNREACHABLE');
        expect(ms).toBeGreaterThanOrEqual(1_000);
        expect(ms).toBeLessThan(2_000);
      }
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// TLS, with a CA and a server certificate generated here by the openssl CLI.

function hasOpenssl(): boolean {
  return spawnSync('sh', ['-c', 'command -v openssl'], { encoding: 'utf8' }).status === 0;
}

function openssl(cwd: string, args: string[]): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
}

/** A self-signed CA: `<name>.crt`, `<name>.key`. */
function makeCa(dir: string, name: string): string {
  openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  return path.join(dir, `${name}.crt`);
}

/** A server certificate for 127.0.0.1 and localhost signed by the CA `ca`. */
function makeServerCert(dir: string, ca: string): { cert: string; key: string } {
  writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
  openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  openssl(dir, ['x509', '-req', '-in', 'server.csr', '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'server.ext']);
  return { cert: path.join(dir, 'server.crt'), key: path.join(dir, 'server.key') };
}

/** PING over TLS (the plain port is off, so the harness' default probe cannot be used). */
function tlsPing(port: number, ca: Buffer): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const sock = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost' });
    let data = '';
    const fail = (e: Error) => {
      sock.destroy();
      reject(e);
    };
    sock.setTimeout(1_000, () => fail(new Error('tls ping timed out')));
    sock.on('secureConnect', () => sock.write('*1\r\n$4\r\nPING\r\n'));
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      data += d;
      if (data.includes('\r\n')) {
        sock.destroy();
        resolve(data.startsWith('+PONG'));
      }
    });
    sock.on('error', fail);
  });
}

const OPENSSL = hasOpenssl();
const IN_CI = process.env['CI'] === 'true';

describe('TLS', () => {
  if (!OPENSSL) {
    if (IN_CI) {
      it('needs the openssl CLI', () => {
        throw new Error('openssl is not installed but CI=true: the Redis TLS tests cannot run. Install it (sudo apt-get install -y openssl).');
      });
    } else {
      console.warn('SKIPPED: Redis TLS tests need the openssl CLI (sudo apt-get install -y openssl); CI=true turns this into a failure.');
      it.skip('Redis over TLS (openssl CLI missing)', () => undefined);
    }
    return;
  }

  let server: RedisServerHandle;
  let caFile: string;
  let otherCaFile: string;
  // Node's own warnings go to the real process object, which jest's sandbox hides behind a copy.
  const realProcess = vm.runInThisContext('process') as NodeJS.Process;
  const warnings: Error[] = [];
  const onWarning = (w: Error) => void warnings.push(w);
  afterAll(() => {
    realProcess.off('warning', onWarning);
  });
  beforeAll(async () => {
    realProcess.on('warning', onWarning);
    const dir = await tempDir('redis-tls');
    caFile = makeCa(dir, 'feed-ca');
    otherCaFile = makeCa(dir, 'other-ca');
    const { cert, key } = makeServerCert(dir, 'feed-ca');
    const ca = readFileSync(caFile);
    const tlsPort = await freePort();
    server = await startRedis({
      port: tlsPort,
      args: ['--port', '0', '--tls-port', String(tlsPort), '--tls-cert-file', cert, '--tls-key-file', key, '--tls-ca-cert-file', caFile, '--tls-auth-clients', 'no'],
      ready: (h) => tlsPing(h.port, ca),
    });
  });

  const tlsEnv = (ca: string, reqs = 'required') => ({ REDIS_PORT: String(server.port), REDIS_USE_TLS: 'true', REDIS_SSL_CERT_REQS: reqs, REDIS_CA_FILE: ca });

  it('a client with tls, certificate checks on and the right CA connects', async () => {
    const ep = endpoint(tlsEnv(caFile));
    expect(ep).toMatchObject({ tls: true, tlsVerify: true, caFile });
    const c = track(createRedisClient(ep, { name: 'feed-test-tls', failFast: true }));
    await connectRedis(c, 5_000, 'tls redis');
    await c.set('over-tls', 'yes');
    expect(await c.get('over-tls')).toBe('yes');
    expect(await c.client('GETNAME')).toBe('feed-test-tls');
    // An IP address is not sent as SNI (DEP0123), yet the certificate is still checked against it (next tests).
    expect(warnings.filter((w) => (w as { code?: string }).code === 'DEP0123').map((w) => w.message)).toEqual([]);
  });

  it('production shape: TLS with the right CA plus an ACL user whose password comes from a secret file', async () => {
    const admin = track(createRedisClient(endpoint(tlsEnv(caFile)), { name: 'feed-test-tls-admin', failFast: true }));
    await connectRedis(admin, 5_000, 'tls redis');
    await admin.call('ACL', 'SETUSER', 'feed-persister', 'on', '>tls-s3cret', '~*', '&*', '+@all');
    const dir = await tempDir('redis-tls-secret');
    const secret = path.join(dir, 'redis_password');
    writeFileSync(secret, 'tls-s3cret\n');
    const c = track(createRedisClient(endpoint({ ...tlsEnv(caFile), REDIS_USERNAME: 'feed-persister', REDIS_PASSWORD_FILE: secret }), { name: 'feed-test-tls-acl', failFast: true }));
    await connectRedis(c, 5_000, 'tls redis');
    expect(await c.acl('WHOAMI')).toBe('feed-persister');
    const wrong = path.join(dir, 'wrong');
    writeFileSync(wrong, 'not-it\n');
    const bad = track(createRedisClient(endpoint({ ...tlsEnv(caFile), REDIS_USERNAME: 'feed-persister', REDIS_PASSWORD_FILE: wrong }), { name: 'feed-test-tls-acl-bad', failFast: true }));
    bad.on('error', () => undefined); // its retries keep failing AUTH until closed below
    const e = await errorOf(connectRedis(bad, 1_500, 'tls redis'));
    await close(bad);
    expect(e.code).toBe('REDIS_UNREACHABLE');
    expect(e.message).toMatch(/WRONGPASS|invalid username-password/i);
  });

  it('a host name is checked against the certificate too (REDIS_HOST=localhost)', async () => {
    const c = track(createRedisClient(endpoint({ ...tlsEnv(caFile), REDIS_HOST: 'localhost' }), { name: 'feed-test-tls-name', failFast: true }));
    await connectRedis(c, 5_000, 'tls redis');
    expect(await c.ping()).toBe('PONG');
  });

  it('the legacy REDIS_USE_SSL name turns TLS on too', async () => {
    const c = track(createRedisClient(endpoint({ REDIS_PORT: String(server.port), REDIS_USE_SSL: 'true', REDIS_CA_FILE: caFile }), { name: 'feed-test-tls-legacy', failFast: false }));
    await connectRedis(c, 5_000, 'tls redis');
    expect(await c.ping()).toBe('PONG');
  });

  it('the same client with a different CA is refused: REDIS_UNREACHABLE naming the certificate problem', async () => {
    const c = track(createRedisClient(endpoint(tlsEnv(otherCaFile)), { name: 'feed-test-tls-wrong-ca', failFast: true }));
    const e = await errorOf(connectRedis(c, 1_500, 'tls redis'));
    await close(c);
    expect(e.code).toBe('REDIS_UNREACHABLE');
    expect(e.message).toMatch(/certificate/i);
  });

  it('without a CA file the self-made CA is not trusted either', async () => {
    const c = track(createRedisClient(endpoint({ REDIS_PORT: String(server.port), REDIS_USE_TLS: 'true' }), { name: 'feed-test-tls-no-ca', failFast: true }));
    const e = await errorOf(connectRedis(c, 1_000, 'tls redis'));
    await close(c);
    expect(e.code).toBe('REDIS_UNREACHABLE');
    expect(e.message).toMatch(/certificate/i);
  });

  it('REDIS_SSL_CERT_REQS=none skips the check (the wrong CA then connects)', async () => {
    const c = track(createRedisClient(endpoint(tlsEnv(otherCaFile, 'none')), { name: 'feed-test-tls-noverify', failFast: true }));
    await connectRedis(c, 5_000, 'tls redis');
    expect(await c.ping()).toBe('PONG');
  });

  it('a plain client cannot talk to the TLS-only server', async () => {
    const c = track(createRedisClient(endpoint({ REDIS_PORT: String(server.port) }), { name: 'feed-test-plain-to-tls', failFast: true, connectTimeoutMs: 500 }));
    const e = await errorOf(connectRedis(c, 1_000, 'tls redis'));
    await close(c);
    expect(e.code).toBe('REDIS_UNREACHABLE');
  });
});
