import { build } from 'esbuild';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { spawnApp } from './app-process';
import { ProcessRegistry, cleanupAll, realProcess, registry } from './registry';
import { tempDir } from './temp-dir';
import { waitFor } from './wait-for';

jest.setTimeout(60_000);

// A runner process that uses the harness the way a test file does, then dies without cleaning up.
const RUNNER = `
const t = require(process.env.HARNESS);
(async () => {
  const nats = await t.startNats();
  const redis = await t.startRedis();
  const app = t.spawnApp({ name: 'grandchild', script: process.env.SLEEPER });
  await app.waitForLine(/sleeping/);
  console.log(JSON.stringify({ msg: 'up', pids: [nats.pid, redis.pid, app.pid], dirs: [nats.storeDir, redis.dir] }));
  // The test checks everything is up, then asks for an exit that skips any cleanup.
  process.on('SIGUSR2', () => process.exit(3));
})().catch((e) => { console.error(e.stack); process.exit(99); });
`;
const SLEEPER = `console.log('sleeping'); setInterval(() => undefined, 1 << 30);`;

let dir: string;
let env: Record<string, string>;

/** Gone, or a zombie waiting for a reaper that is not ours to be. */
async function isGone(pid: number): Promise<boolean> {
  try {
    const s = await readFile(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}

beforeAll(async () => {
  dir = await tempDir('no-leak');
  const harness = path.join(dir, 'harness.js');
  await build({ entryPoints: [path.join(__dirname, 'index.ts')], outfile: harness, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' });
  await writeFile(path.join(dir, 'runner.js'), RUNNER);
  await writeFile(path.join(dir, 'sleeper.js'), SLEEPER);
  env = { HARNESS: harness, SLEEPER: path.join(dir, 'sleeper.js') };
});

afterAll(async () => {
  await cleanupAll();
  expect(registry.alive()).toEqual([]);
});

async function expectAllGone(pids: number[], dirs: string[]): Promise<void> {
  await waitFor(
    async () => {
      const left = [];
      for (const p of pids) if (!(await isGone(p))) left.push(`pid ${p}`);
      for (const d of dirs) if (await exists(d)) left.push(d);
      return left.length === 0 || (left as unknown as false);
    },
    { what: 'every server, app and temp dir of the dead runner to be gone', timeoutMs: 10_000 },
  );
}

describe('nothing outlives the test process', () => {
  it.each([
    ['exits without cleanup (exit hook, and the reaper)', 'exit'],
    ['is SIGKILLed, as by a jest timeout (detached reaper)', 'kill9'],
  ])('when the test process %s', async (_label, mode) => {
    const runner = spawnApp({ name: `runner-${mode}`, script: path.join(dir, 'runner.js'), args: [mode], env });
    const up = await runner.waitForJson<{ pids: number[]; dirs: string[] }>((o) => o['msg'] === 'up', 30_000);
    expect(up.pids).toHaveLength(3);
    for (const p of up.pids) expect(await isGone(p)).toBe(false);
    for (const d of up.dirs) expect(await exists(d)).toBe(true);
    if (mode === 'kill9') {
      await runner.kill9();
      expect(await runner.exited).toEqual({ code: null, signal: 'SIGKILL' });
    } else {
      expect(await runner.stop('SIGUSR2')).toMatchObject({ code: 3, signal: null });
    }
    await expectAllGone(up.pids, up.dirs);
  });

  it('hooks exit on the real process, not on the jest sandbox copy, and unhooks once clean', async () => {
    const real = realProcess();
    expect(real).not.toBe(process);
    const own = new ProcessRegistry();
    const before = real.listenerCount('exit');
    own.trackDir(await tempDir('hook'));
    expect(real.listenerCount('exit')).toBe(before + 1);
    await own.cleanupAll();
    expect(real.listenerCount('exit')).toBe(before);
  });
});
