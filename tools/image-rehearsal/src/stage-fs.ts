/**
 * Materialises Dockerfile stages on the local disk, from the same COPY and RUN lines the image build runs:
 *  - a stage whose context is copied whole (`COPY . .`, the build stage) IS the workspace: its paths map to the
 *    repository root and its RUN lines run there, except `npm ci` (the workspace's install from the same lockfile
 *    stands in for it; re-installing dev dependencies here would change everyone's node_modules);
 *  - any other builder stage (deps) gets its own folder: its COPYs from the context are copied there and its RUN
 *    lines run there verbatim (so `npm ci --omit=dev` really installs production dependencies only);
 *  - a runtime chain is laid out under <dir>/rootfs by replaying its COPY lines.
 */
import { execFileSync, execSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { type Dockerfile, DockerfileError, type Instruction, type Stage, stageChain } from './dockerfile';

export interface CopyLine {
  from: string | undefined;
  sources: string[];
  dest: string;
}

export function parseCopy(i: Instruction): CopyLine {
  const parts = i.args.split(/\s+/);
  let from: string | undefined;
  while (parts[0]?.startsWith('--')) {
    const f = parts.shift() as string;
    if (f.startsWith('--from=')) from = f.slice('--from='.length);
    else if (!/^--(chown|chmod|link)/.test(f)) throw new DockerfileError(`line ${i.line}: unsupported COPY flag ${f}`);
  }
  if (parts.length < 2) throw new DockerfileError(`line ${i.line}: COPY needs a source and a destination`);
  return { from, sources: parts.slice(0, -1), dest: parts[parts.length - 1] as string };
}

const isContextRooted = (s: Stage): boolean => s.instructions.some((i) => i.cmd === 'COPY' && /^\.\s+\.$/.test(i.args.trim()));

export interface StageFsOptions {
  /** The build context (the repository root). */
  root: string;
  /** Scratch folder for builder stages and runtime trees. */
  dir: string;
  log?: (msg: string) => void;
}

export class StageFs {
  private readonly built = new Set<string>();
  constructor(
    private readonly df: Dockerfile,
    private readonly o: StageFsOptions,
  ) {}

  private stage(name: string): Stage {
    const s = this.df.stages.find((x) => x.name === name);
    if (!s) throw new DockerfileError(`COPY --from=${name}: no such stage`);
    return s;
  }

  /** Where an absolute path inside a builder stage lives on this disk. */
  hostPath(stageName: string, abs: string): string {
    const s = this.stage(stageName);
    if (isContextRooted(s)) {
      const wd = workdirAt(s, s.instructions.length);
      const rel = path.posix.relative(wd, abs);
      if (rel.startsWith('..')) throw new DockerfileError(`${abs} is outside stage ${stageName}'s context folder ${wd}`);
      return path.join(this.o.root, rel);
    }
    return path.join(this.o.dir, 'stages', stageName, abs);
  }

  /** Runs a builder stage once (its COPYs from the context and its RUN lines). */
  buildStage(name: string): void {
    if (this.built.has(name)) return;
    this.built.add(name);
    const s = this.stage(name);
    const rooted = isContextRooted(s);
    let wd = '/';
    for (const i of s.instructions) {
      if (i.cmd === 'WORKDIR') wd = path.posix.resolve(wd, i.args);
      if (i.cmd === 'COPY' && !rooted) this.copy(parseCopy(i), (abs) => this.hostPath(name, abs), wd);
      if (i.cmd === 'RUN') {
        if (rooted && /^npm ci\b/.test(i.args)) continue;
        const cwd = rooted ? this.o.root : this.hostPath(name, wd);
        mkdirSync(cwd, { recursive: true });
        this.o.log?.(`[${name}] RUN ${i.args}`);
        execSync(i.args, { cwd, stdio: ['ignore', 'ignore', 'inherit'], env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp' } });
      }
    }
  }

  /** Lays out a runtime target's filesystem under <dir>/rootfs-<target>; returns that folder. */
  layOut(target: string): string {
    const rootfs = path.join(this.o.dir, `rootfs-${target}`);
    const chain = stageChain(this.df, target);
    let wd = '/';
    for (const s of chain)
      for (const i of s.instructions) {
        if (i.cmd === 'WORKDIR') wd = path.posix.resolve(wd, i.args);
        if (i.cmd !== 'COPY') continue;
        const c = parseCopy(i);
        if (c.from) this.buildStage(c.from);
        this.copy(c, (abs) => path.join(rootfs, abs), wd, c.from);
      }
    return rootfs;
  }

  private copy(c: CopyLine, toHost: (abs: string) => string, wd: string, from?: string): void {
    const destAbs = path.posix.resolve(wd, c.dest);
    const destIsDir = c.dest.endsWith('/') || c.sources.length > 1;
    for (const src of c.sources) {
      const srcHost = from ? this.hostPath(from, path.posix.resolve('/', src)) : path.join(this.o.root, src);
      if (!existsSync(srcHost)) throw new DockerfileError(`COPY ${from ? `--from=${from} ` : ''}${src}: ${srcHost} does not exist (build first?)`);
      const isDir = statSync(srcHost).isDirectory();
      const dest = toHost(isDir || !destIsDir ? destAbs : path.posix.join(destAbs, path.basename(src)));
      mkdirSync(isDir ? dest : path.dirname(dest), { recursive: true });
      // Hard links for the big node_modules tree (same disk, read-only afterwards): fast and space-free.
      if (isDir && path.basename(srcHost) === 'node_modules') execFileSync('cp', ['-al', `${srcHost}/.`, dest]);
      else cpSync(srcHost, dest, { recursive: true });
    }
  }
}

function workdirAt(s: Stage, n: number): string {
  let wd = '/';
  for (const i of s.instructions.slice(0, n)) if (i.cmd === 'WORKDIR') wd = path.posix.resolve(wd, i.args);
  return wd;
}
