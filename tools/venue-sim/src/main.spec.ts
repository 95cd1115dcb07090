/**
 * The CLI as the launcher and the e2e harness use it: compiled JS, one JSON line on stdout, clean SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';
import WebSocket from 'ws';

const root = path.resolve(__dirname, '../../..');
const bundle = path.join(root, 'tmp/venue-sim-cli-spec', `main-${process.pid}.js`);

beforeAll(() => {
  buildSync({ entryPoints: [path.join(__dirname, 'main.ts')], outfile: bundle, bundle: true, platform: 'node', target: 'node20', format: 'cjs', packages: 'external', tsconfig: path.join(root, 'tsconfig.base.json'), logLevel: 'warning' });
});
afterAll(() => rmSync(path.dirname(bundle), { recursive: true, force: true }));

function run(args: string[], env: Record<string, string> = {}): { child: ChildProcess; stdout: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [bundle, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.resume();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, exited };
}

async function firstLine(get: () => string, timeoutMs = 10_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  while (!get().includes('\n')) {
    if (Date.now() > deadline) throw new Error('no line on stdout');
    await new Promise((r) => setTimeout(r, 10));
  }
  return JSON.parse(get().split('\n')[0] as string) as Record<string, unknown>;
}

describe('venue-sim CLI', () => {
  it('prints one JSON line, serves frames and the control API, and exits 0 on SIGTERM', async () => {
    const p = run(['--port', '0', '--rate', '200', '--symbols', 'BTCUSDT', '--max-trades', '20', '--seed', '1'], { VENUE_SIM_FIRST_TRADE_ID: '9007199254740993' });
    const line = await firstLine(p.stdout);
    expect(line).toEqual({ msg: 'venue-sim listening', url: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+$/), control: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), venues: ['binance'] });
    const frames: string[] = [];
    const ws = new WebSocket(`${String(line['url'])}/ws/btcusdt@trade`);
    ws.on('message', (d: Buffer) => frames.push(d.toString()));
    const deadline = Date.now() + 5000;
    while (frames.length < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(frames.length).toBe(20);
    expect(frames[0]).toContain('"t":9007199254740993,');
    const summary = (await (await fetch(`${String(line['control'])}/record/summary`)).json()) as { markets: Array<Record<string, unknown>> };
    expect(summary.markets[0]).toMatchObject({ symbol: 'BTCUSDT', count: 20, lastTradeId: '9007199254741012' });
    const closed = new Promise((r) => ws.on('close', r));
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    await closed;
    expect(p.stdout().trim().split('\n')).toHaveLength(1);
  });

  it('serves several venues with native symbols from --venue-symbols', async () => {
    const p = run(['--port', '0', '--rate', '200', '--venue-symbols', 'coinbase=BTC-USD,kraken=BTC/USD', '--max-trades', '5']);
    const line = await firstLine(p.stdout);
    expect(line['venues']).toEqual(['coinbase', 'kraken']);
    const frames: string[] = [];
    const ws = new WebSocket(`${String(line['url'])}/kraken/v2`);
    ws.on('message', (d: Buffer) => frames.push(d.toString()));
    await new Promise((r) => ws.on('open', r));
    ws.send('{"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD"]}}');
    const deadline = Date.now() + 5000;
    while (!frames.some((f) => f.startsWith('{"channel":"trade"')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(frames.find((f) => f.startsWith('{"channel":"trade"'))).toContain('"symbol":"BTC/USD"');
    ws.terminate();
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('exits 2 on a bad flag or a bad VENUE_SIM_* value', async () => {
    expect(await run(['--no-such-flag']).exited).toBe(2);
    expect(await run([], { VENUE_SIM_RATE: 'fast' }).exited).toBe(2);
  });
});
