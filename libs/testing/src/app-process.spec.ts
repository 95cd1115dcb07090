import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { spawnApp } from './app-process';
import { cleanupAll, registry } from './registry';
import { tempDir } from './temp-dir';

jest.setTimeout(60_000);

// Behaves like the real apps: one JSON object per line, a clean exit on SIGTERM, plus modes for misbehaving.
const APP = `
const mode = process.argv[2] || 'normal';
const log = (o) => console.log(JSON.stringify(o));
console.error('plain stderr line');
process.stdout.write('split ');
process.stdout.write('across writes\\n');
let n = 0;
setInterval(() => log({ msg: 'tick', n: ++n }), 10);
if (mode === 'stubborn') process.on('SIGTERM', () => log({ msg: 'ignoring SIGTERM' }));
else process.on('SIGTERM', () => { log({ msg: 'stopping' }); setTimeout(() => process.exit(0), 10); });
if (mode === 'crash') setTimeout(() => { throw new Error('boom at startup'); }, 30);
// Only after the handlers are in place: tests signal the app as soon as they see this line.
log({ level: 'info', msg: 'started', mode, nodeEnv: process.env.NODE_ENV, foo: process.env.FOO, leaked: process.env.FEED_TEST_PARENT_ONLY });
`;

let script: string;

beforeAll(async () => {
  script = path.join(await tempDir('app'), 'app.js');
  await writeFile(script, APP);
});

afterAll(async () => {
  await cleanupAll();
  expect(registry.alive()).toEqual([]);
  expect(registry.pending()).toEqual([]);
  expect(registry.trackedDirs()).toEqual([]);
});

describe('spawnApp', () => {
  it('collects raw and JSON lines from stdout and stderr, with a minimal env', async () => {
    process.env['FEED_TEST_PARENT_ONLY'] = 'must not leak';
    const app = spawnApp({ name: 'normal', script, env: { FOO: 'bar' } });
    delete process.env['FEED_TEST_PARENT_ONLY'];
    const tick = await app.waitForJson<{ msg: string; n: number }>((o) => o['msg'] === 'tick' && Number(o['n']) >= 3, 10_000);
    expect(tick.n).toBe(3);
    expect(await app.waitForLine(/^plain stderr line$/)).toBe('plain stderr line');
    expect(await app.waitForLine((l) => l.startsWith('split'))).toBe('split across writes');
    const started = app.json()[0];
    expect(started).toEqual({ level: 'info', msg: 'started', mode: 'normal', nodeEnv: 'test', foo: 'bar' });
    expect(app.lines().length).toBeGreaterThan(app.json().length);
    expect(registry.alive().map((c) => c.pid)).toContain(app.pid);

    const r = await app.stop();
    expect(r).toMatchObject({ code: 0, signal: null });
    expect(r.ms).toBeLessThan(15_000);
    expect(app.json().some((o) => o['msg'] === 'stopping')).toBe(true);
    expect(app.tail(5)).toContain('stopping');
    expect(registry.alive().map((c) => c.pid)).not.toContain(app.pid);
    expect(await app.exited).toEqual({ code: 0, signal: null });
  });

  it('kill9 ends the process at once', async () => {
    const app = spawnApp({ name: 'victim', script });
    await app.waitForJson((o) => o['msg'] === 'started');
    await app.kill9();
    expect(await app.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(app.running).toBe(false);
  });

  it('stop rejects, with the output, when the app ignores SIGTERM past the bound, and the app is killed', async () => {
    const app = spawnApp({ name: 'stubborn', script, args: ['stubborn'] });
    await app.waitForJson((o) => o['msg'] === 'started');
    const err = await app.stop('SIGTERM', 300).catch((e: unknown) => e as Error);
    expect((err as Error).message).toMatch(/stubborn did not exit within 300 ms of SIGTERM; SIGKILLed/);
    expect((err as Error).message).toContain('ignoring SIGTERM');
    expect((await app.exited).signal).toBe('SIGKILL');
  });

  it('waitForLine fails fast, with the output, when the app exits first', async () => {
    const app = spawnApp({ name: 'crash', script, args: ['crash'] });
    const err = await app.waitForLine(/never printed/, 30_000).catch((e: unknown) => e as Error);
    expect((err as Error).message).toMatch(/^crash exited \(code 1\) after \d+ ms with no line matching \/never printed\//);
    expect((err as Error).message).toContain('boom at startup');
  });

  it('waitForJson times out with a message naming the app', async () => {
    const app = spawnApp({ name: 'patient', script });
    await expect(app.waitForJson((o) => o['msg'] === 'nope', 200)).rejects.toThrow(/^patient: no JSON line matching the predicate within 200 ms/);
    await app.stop();
  });

  it('cleanupAll stops apps the test left running', async () => {
    const app = spawnApp({ name: 'forgotten', script });
    await app.waitForJson((o) => o['msg'] === 'started');
    expect(registry.pending()).toContain('forgotten');
    await cleanupAll();
    expect(app.running).toBe(false);
    expect(registry.alive()).toEqual([]);
  });
});
