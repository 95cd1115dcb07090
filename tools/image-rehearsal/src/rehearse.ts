/**
 * Runs one image target as the image would run it, without a Docker engine: the target's tree laid out from the
 * Dockerfile's own COPY set (stage-fs.ts), made read-only for everyone, the process started as an unprivileged
 * user (nobody, via setpriv, when the rehearsal runs as root) with the image's ENV, WORKDIR and CMD, and then:
 * readiness (`/ready` 200), the image's own HEALTHCHECK command exiting 0, and a clean SIGTERM exit.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { registry } from '@feed/testing';
import { type Dockerfile, effective, effectiveEnv, execForm, stageChain } from './dockerfile';

export class RehearsalError extends Error {
  readonly code = 'rehearsal_failed';
  constructor(message: string) {
    super(message);
    this.name = 'RehearsalError';
  }
}

export interface RunSpec {
  target: string;
  rootfs: string;
  /** Replaces the image's CMD (the all-in-one image takes the app as its argument). */
  args?: string[];
  /** Deployment env on top of the image's ENV (servers, ports). */
  env: Record<string, string>;
  /** For a long-running app: the HTTP port it serves /health and /ready on. */
  port?: number;
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface RunResult {
  target: string;
  uid: number;
  ready: boolean;
  healthcheckExit: number | null;
  exitCode: number | null;
  readOnly: boolean;
  output: string[];
}

const NOBODY = 65534;

/** `node` -> this Node; `/app/...` -> inside the laid-out tree. */
function mapArgv(argv: string[], rootfs: string): string[] {
  return argv.map((a, i) => (i === 0 && a === 'node' ? process.execPath : a.startsWith('/') ? path.join(rootfs, a) : a));
}

function asUnprivileged(argv: string[]): { cmd: string; args: string[]; uid: number } {
  const uid = process.getuid?.() ?? 0;
  if (uid !== 0) return { cmd: argv[0] as string, args: argv.slice(1), uid };
  return { cmd: 'setpriv', args: [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--', ...argv], uid: NOBODY };
}

export function imageCommand(df: Dockerfile, target: string, args?: string[]): string[] {
  const chain = stageChain(df, target);
  const entry = effective(chain, 'ENTRYPOINT');
  const cmd = args ?? execForm(effective(chain, 'CMD') ?? '[]');
  return [...(entry ? execForm(entry) : []), ...cmd];
}

/** chmod -R a-w on the tree and the folders above it traversable: the tree is read-only for every user. */
export function makeReadOnly(rootfs: string): void {
  const r = spawnSync('chmod', ['-R', 'a+rX,a-w', rootfs]);
  if (r.status !== 0) throw new RehearsalError(`chmod failed: ${r.stderr.toString()}`);
  spawnSync('chmod', ['a+rx', path.dirname(rootfs)]);
}

async function httpStatus(url: string): Promise<number> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2_000) })).status;
  } catch {
    return 0;
  }
}

export async function runTarget(df: Dockerfile, s: RunSpec): Promise<RunResult> {
  const chain = stageChain(df, s.target);
  const workdir = path.join(s.rootfs, effective(chain, 'WORKDIR') ?? '/');
  const env: Record<string, string> = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: '/nonexistent', ...effectiveEnv(chain), ...s.env };
  const argv = asUnprivileged(mapArgv(imageCommand(df, s.target, s.args), s.rootfs));
  const output: string[] = [];
  const res: RunResult = { target: s.target, uid: argv.uid, ready: false, healthcheckExit: null, exitCode: null, readOnly: false, output };

  // The tree really is read-only for the user the app runs as.
  const probe = asUnprivileged([process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(path.join(workdir, '.w'))}, 'x')`]);
  res.readOnly = spawnSync(probe.cmd, probe.args, { env }).status !== 0;

  const child = spawn(argv.cmd, argv.args, { cwd: workdir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid) registry.trackChild(child.pid, `rehearsal:${s.target}`);
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  for (const st of [child.stdout, child.stderr])
    st.on('data', (b: Buffer) => {
      for (const l of b.toString().split('\n').filter(Boolean)) {
        output.push(l);
        s.log?.(l);
      }
    });
  const deadline = Date.now() + (s.timeoutMs ?? 60_000);
  try {
    if (s.port === undefined) {
      // A job (the stream setup): runs to completion.
      res.exitCode = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), s.timeoutMs ?? 60_000))]);
      return res;
    }
    let done = false;
    void exited.then(() => (done = true));
    while (!done && Date.now() < deadline) {
      if ((await httpStatus(`http://127.0.0.1:${s.port}/ready`)) === 200) {
        res.ready = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    if (res.ready) {
      // The image's own HEALTHCHECK command, as the same user, in the same tree.
      const hc = effective(chain, 'HEALTHCHECK') ?? '';
      const m = /CMD\s+(\[.*\])\s*$/.exec(hc);
      if (m) {
        const h = asUnprivileged(mapArgv(execForm(m[1] as string), s.rootfs));
        res.healthcheckExit = spawnSync(h.cmd, h.args, { cwd: workdir, env, timeout: 10_000 }).status;
      }
    }
    child.kill('SIGTERM');
    res.exitCode = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 20_000))]);
    return res;
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    if (child.pid) registry.untrackChild(child.pid);
  }
}
