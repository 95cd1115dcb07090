import { stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findBinary } from './binaries';
import { freePort, freePorts, retryOnPortClash } from './free-port';
import { cleanupAll, registry } from './registry';
import { removeTempDir, tempDir } from './temp-dir';

afterAll(async () => {
  await cleanupAll();
  expect(registry.trackedDirs()).toEqual([]);
});

describe('freePort', () => {
  it('never hands out the same port twice, nor the machine services ports', async () => {
    const ports = [...(await freePorts(40)), await freePort()];
    expect(new Set(ports).size).toBe(ports.length);
    for (const p of ports) {
      expect(p).toBeGreaterThan(1024);
      expect([4222, 6379]).not.toContain(p);
    }
  });
});

describe('retryOnPortClash', () => {
  it('starts again on a port clash, and only on that', async () => {
    let calls = 0;
    const clash = (): Promise<string> => (++calls < 3 ? Promise.reject(new Error('bind: Address already in use')) : Promise.resolve('up'));
    await expect(retryOnPortClash(clash)).resolves.toBe('up');
    expect(calls).toBe(3);
    calls = 0;
    await expect(retryOnPortClash(() => (++calls, Promise.reject(new Error('bad config'))))).rejects.toThrow('bad config');
    expect(calls).toBe(1);
  });
});

describe('findBinary', () => {
  it('finds the Debian server binaries, including /usr/sbin when it is not on PATH', () => {
    expect(findBinary('nats-server', '/nonexistent')).toMatch(/\/nats-server$/);
    expect(findBinary('redis-server')).toMatch(/\/redis-server$/);
  });

  it('says exactly how to install a missing binary', () => {
    expect(() => findBinary('nats-server', '/nonexistent', [])).toThrow('apt-get install -y nats-server');
    expect(() => findBinary('redis-server', '/nonexistent', [])).toThrow('apt-get install -y redis-server');
    expect(() => findBinary('redis-sentinel', '/nonexistent', [])).toThrow('apt-get install -y redis-sentinel');
  });
});

describe('tempDir', () => {
  it('creates feed-test-* dirs under the OS temp dir and removes them', async () => {
    const dir = await tempDir('basics');
    expect(path.dirname(dir)).toBe(os.tmpdir());
    expect(path.basename(dir)).toMatch(/^feed-test-basics-/);
    expect((await stat(dir)).isDirectory()).toBe(true);
    await removeTempDir(dir);
    await expect(stat(dir)).rejects.toThrow(/ENOENT/);
  });

  it('leaves dirs not removed by the test to cleanupAll', async () => {
    const dir = await tempDir('left');
    expect(registry.trackedDirs()).toContain(dir);
  });
});
