import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { cleanupAll, freePort, httpGetJson, minimalEnv, registry, spawnApp, tempDir, waitFor, type AppProcess } from '@feed/testing';

/**
 * The local launcher end to end (`npm start --simulate`): every app built and started, simulated data served
 * and labelled as such, and Ctrl-C (SIGINT) ends everything it started.
 */
jest.setTimeout(600_000);

const ROOT = path.resolve(__dirname, '../../..');
const BUILD_ATTEMPTS = 6;

/** Builds every app and tool. The api is being finished in parallel; a failing build is retried a little later. */
async function buildAll(): Promise<void> {
  let last = '';
  for (let attempt = 1; attempt <= BUILD_ATTEMPTS; attempt++) {
    const r = spawnSync(process.execPath, ['tools/scripts/nx.mjs', 'run-many', '-t', 'build', '--outputStyle=static'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
    if (r.status === 0) return;
    last = `${r.stdout}\n${r.stderr}`.slice(-4000);
    if (attempt < BUILD_ATTEMPTS) await new Promise((res) => setTimeout(res, 30_000)); // a rebuild only makes sense after someone edits
  }
  throw new Error(`nx run-many -t build failed ${BUILD_ATTEMPTS} times; last output:\n${last}`);
}

interface ProcInfo {
  pid: number;
  ppid: number;
  state: string;
}

/** One process from /proc/<pid>/stat; the command name may hold spaces and parentheses, so parse after the last ')'. */
function readStat(pid: number): ProcInfo | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { pid, state: rest[0] as string, ppid: Number(rest[1]) };
}

function allProcesses(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const p = readStat(Number(name));
    if (p) out.push(p);
  }
  return out;
}

/** Every live descendant of `root`, found by walking parent pids. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const p of allProcesses()) {
    if (p.state === 'Z') continue;
    const list = children.get(p.ppid) ?? [];
    list.push(p.pid);
    children.set(p.ppid, list);
  }
  const out: number[] = [];
  const todo = [root];
  while (todo.length > 0) {
    const next = todo.pop() as number;
    for (const c of children.get(next) ?? []) {
      out.push(c);
      todo.push(c);
    }
  }
  return out;
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '(gone)';
  }
}

/** Alive means present and not a zombie (an exited child its parent has not reaped yet holds no resources). */
function alive(pid: number): boolean {
  const p = readStat(pid);
  return p !== undefined && p.state !== 'Z';
}

interface VenuePrice {
  venue: string;
  source?: string;
  price?: string;
}

describe('local launcher (tools/stack) with --simulate', () => {
  let launcher: AppProcess;
  let dataDir: string;
  let apiPort: number;

  beforeAll(async () => {
    await buildAll();
    for (const f of ['dist/tools/stack/main.js', 'dist/tools/venue-sim/main.js', 'dist/apps/ingest/main.js', 'dist/apps/normalizer/main.js', 'dist/apps/persister/main.js', 'dist/apps/api/main.js']) {
      expect(existsSync(path.join(ROOT, f))).toBe(true);
    }
    dataDir = await tempDir('stack-data');
    apiPort = await freePort();
  });

  afterAll(async () => {
    await cleanupAll();
  });

  it('serves simulated prices, labels them SIMULATED, and SIGINT stops everything it started', async () => {
    launcher = spawnApp({
      name: 'stack',
      script: path.join(ROOT, 'dist/tools/stack/main.js'),
      args: ['--simulate'],
      cwd: ROOT,
      env: {
        PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin',
        FEED_STACK_API_PORT: String(apiPort),
        FEED_STACK_DATA_DIR: dataDir,
        FEED_STACK_SIM_RATE: '50',
      },
    });

    await launcher.waitForLine(/dashboard/, 120_000);
    const base = `http://127.0.0.1:${apiPort}`;
    const lines = launcher.lines();
    expect(lines).toContain(`feed: dashboard      ${base}/dashboard`);
    expect(lines.some((l) => /^feed: running on SIMULATED data \(venue simulator at ws:\/\/127\.0\.0\.1:\d+/.test(l))).toBe(true);
    expect(lines.some((l) => /LIVE/.test(l))).toBe(false);

    // Simulated trades flow venue-sim -> ingest -> NATS -> normalizer -> persister -> Redis -> api.
    const latest = await waitFor(
      async () => {
        const body = await httpGetJson<{ symbol: string; venues: VenuePrice[] }>(`${base}/v1/prices/latest?symbol=BTC-USDT`);
        return body.venues.find((v) => v.venue === 'binance' && v.source === 'simulated') ? body : undefined;
      },
      { what: 'a simulated binance BTC-USDT price from the api', timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(latest.symbol).toBe('BTC-USDT');
    // Nothing served is labelled live.
    expect(latest.venues.map((v) => v.source)).toEqual(latest.venues.map(() => 'simulated'));
    expect(latest.venues.find((v) => v.venue === 'binance')?.price).toMatch(/^\d+(\.\d+)?$/);
    // The six venues production ingests all flow, so both composite indices have their constituents.
    for (const [symbol, venues] of [
      ['BTC-USDT', ['binance', 'bybit', 'okx']],
      ['BTC-USD', ['bitstamp', 'coinbase', 'kraken']],
    ] as const) {
      await waitFor(
        async () => {
          const body = await httpGetJson<{ venues: VenuePrice[] }>(`${base}/v1/prices/latest?symbol=${symbol}`);
          const got = body.venues.filter((v) => v.source === 'simulated').map((v) => v.venue).sort();
          return JSON.stringify(got) === JSON.stringify(venues) ? got : undefined;
        },
        { what: `simulated ${symbol} prices from ${venues.join(', ')}`, timeoutMs: 60_000, intervalMs: 250 },
      );
      await waitFor(
        async () => {
          const ix = await httpGetJson<{ price: string | null; degraded: boolean; included: number }>(`${base}/v1/index?symbol=${symbol}`);
          return ix.price !== null && !ix.degraded && ix.included === venues.length ? ix : undefined;
        },
        { what: `a ${symbol} index from all ${venues.length} constituents, not degraded`, timeoutMs: 60_000, intervalMs: 250 },
      );
    }
    // The standby Redis and its persister group run too: the api sees both, reads on the primary.
    await waitFor(
      async () => {
        const st = await httpGetJson<{ readTarget: string; primary: { up: boolean }; standby: { up: boolean; checkpoint: number } | null }>(`${base}/v1/status`);
        return st.readTarget === 'primary' && st.primary.up && st.standby?.up === true && st.standby.checkpoint > 0;
      },
      { what: 'the api to report both Redis up and the standby projected', timeoutMs: 30_000, intervalMs: 250 },
    );

    // Everything the launcher started, before it is told to stop.
    const started = descendants(launcher.pid);
    const commands = started.map((pid) => `${pid} ${cmdline(pid)}`);
    for (const what of ['nats-server', 'redis-server', 'dist/tools/venue-sim/main.js', 'dist/apps/ingest/main.js', 'dist/apps/normalizer/main.js', 'dist/apps/persister/main.js', 'dist/apps/api/main.js']) {
      expect({ what, found: commands.some((c) => c.includes(what)), commands }).toEqual({ what, found: true, commands });
    }

    // stop() rejects, after a SIGKILL, when the launcher is still running 30 s after the signal.
    const exit = await launcher.stop('SIGINT', 30_000);
    expect({ code: exit.code, signal: exit.signal, tail: exit.code === 0 ? '' : launcher.tail(40) }).toEqual({ code: 0, signal: null, tail: '' });
    expect(exit.ms).toBeLessThan(30_000);
    expect(launcher.lines()).toContain('feed: stopped');

    // The harness' reaper (a helper that SIGKILLs the children should the launcher itself be killed) ends when
    // its stdin pipe closes, which can be a few milliseconds after the launcher's own exit: a short grace, so
    // only a process that actually stays behind fails this.
    const stayed = await waitFor(() => started.every((pid) => !alive(pid)), { what: 'every process the launcher started to be gone', timeoutMs: 2_000, intervalMs: 10 }).catch(() => false);
    expect({ stayed: stayed ? [] : started.filter(alive).map((pid) => `${pid} ${cmdline(pid).slice(0, 120)}`) }).toEqual({ stayed: [] });

    // The data folders: a JetStream store, Redis' dir, and one log file per app.
    expect(statSync(path.join(dataDir, 'nats')).isDirectory()).toBe(true);
    expect(existsSync(path.join(dataDir, 'nats', 'jetstream'))).toBe(true);
    expect(statSync(path.join(dataDir, 'redis')).isDirectory()).toBe(true);
    expect(readdirSync(path.join(dataDir, 'logs')).sort()).toEqual(['api.log', 'ingest.log', 'normalizer.log', 'persister-standby.log', 'persister.log']);
    expect(statSync(path.join(dataDir, 'redis-standby')).isDirectory()).toBe(true);
    for (const app of ['api', 'ingest', 'normalizer', 'persister', 'persister-standby']) {
      const log = readFileSync(path.join(dataDir, 'logs', `${app}.log`), 'utf8');
      expect(log).toMatch(/"msg":"(ops|api) listening"/);
    }
  });

  it('a terminal Ctrl-C (SIGINT to the whole process group) also ends with exit 0 and nothing left', async () => {
    // What a terminal does on Ctrl-C: every process in the foreground group gets SIGINT at once, the apps and
    // servers as well as the launcher. spawnApp children share jest's group, so this one gets its own group.
    const dir = await tempDir('stack-data-pgrp');
    const port = await freePort();
    const out: string[] = [];
    const child = spawn(process.execPath, ['--enable-source-maps', path.join(ROOT, 'dist/tools/stack/main.js'), '--simulate'], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: minimalEnv({ FEED_STACK_API_PORT: String(port), FEED_STACK_DATA_DIR: dir, FEED_STACK_SIM_RATE: '50' }),
    });
    const pid = child.pid as number;
    registry.trackChild(pid, 'stack-pgrp');
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('close', (code, signal) => r({ code, signal })));
    for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on('line', (l) => void out.push(l));

    await waitFor(() => out.some((l) => l.includes('dashboard')), { what: 'the launcher to print the dashboard URL', timeoutMs: 120_000 });
    await waitFor(
      async () => (await httpGetJson<{ venues: VenuePrice[] }>(`http://127.0.0.1:${port}/v1/prices/latest?symbol=BTC-USDT`)).venues.some((v) => v.source === 'simulated'),
      { what: 'a simulated price from the api', timeoutMs: 60_000, intervalMs: 250 },
    );
    const started = descendants(pid);
    expect(started.length).toBeGreaterThanOrEqual(7);

    process.kill(-pid, 'SIGINT');
    const exit = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000).unref())]);
    if (exit === 'timeout') {
      process.kill(-pid, 'SIGKILL');
      throw new Error(`the launcher did not exit within 30 s of a group SIGINT:\n${out.slice(-40).join('\n')}`);
    }
    registry.untrackChild(pid);
    expect({ exit, out: exit.code === 0 ? [] : out.slice(-40) }).toEqual({ exit: { code: 0, signal: null }, out: [] });
    expect(out).toContain('feed: stopped');
    expect(out.filter((l) => /exited unexpectedly/.test(l))).toEqual([]);
    const stayed = await waitFor(() => started.every((p) => !alive(p)), { what: 'every process the launcher started to be gone', timeoutMs: 2_000, intervalMs: 10 }).catch(() => false);
    expect({ stayed: stayed ? [] : started.filter(alive).map((p) => `${p} ${cmdline(p).slice(0, 120)}`) }).toEqual({ stayed: [] });
  });
});
