/**
 * A small Dockerfile reader: stages, their instructions (continuation lines joined), global ARG defaults. Enough for
 * the project's own checks and the image rehearsal, which must read the SAME file the image is built from.
 */
export interface Instruction {
  cmd: string;
  args: string;
  line: number;
}

export interface Stage {
  name: string;
  /** Base as written (may be `${NODE_IMAGE}` or another stage's name). */
  from: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  args: Record<string, string>;
  stages: Stage[];
}

export class DockerfileError extends Error {
  readonly code = 'dockerfile_invalid';
  constructor(message: string) {
    super(message);
    this.name = 'DockerfileError';
  }
}

export function parseDockerfile(text: string): Dockerfile {
  const out: Dockerfile = { args: {}, stages: [] };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let l = lines[i] ?? '';
    if (/^\s*(#|$)/.test(l)) continue;
    while (l.trimEnd().endsWith('\\') && i + 1 < lines.length) {
      l = `${l.trimEnd().slice(0, -1).trimEnd()} ${(lines[++i] ?? '').trim()}`;
      while (i + 1 < lines.length && /^\s*#/.test(lines[i + 1] ?? '')) i++;
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(l);
    if (!m) throw new DockerfileError(`line ${start + 1}: cannot parse ${JSON.stringify(l)}`);
    const cmd = (m[1] as string).toUpperCase();
    const args = (m[2] as string).trim();
    if (cmd === 'FROM') {
      const f = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!f) throw new DockerfileError(`line ${start + 1}: bad FROM`);
      out.stages.push({ name: f[2] ?? `stage-${out.stages.length}`, from: f[1] as string, instructions: [] });
      continue;
    }
    const stage = out.stages[out.stages.length - 1];
    if (!stage) {
      if (cmd !== 'ARG') throw new DockerfileError(`line ${start + 1}: ${cmd} before the first FROM`);
      const a = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(args);
      if (a) out.args[a[1] as string] = (a[2] ?? '').replace(/^"(.*)"$/, '$1');
      continue;
    }
    stage.instructions.push({ cmd, args, line: start + 1 });
  }
  return out;
}

/** `${NAME}` / `$NAME` in a FROM, resolved from the global ARG defaults. */
export function resolveFrom(df: Dockerfile, from: string): string {
  return from.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, n: string) => df.args[n] ?? '');
}

/** The chain of stages a target is built on, base first (stages FROM other stages). */
export function stageChain(df: Dockerfile, target: string): Stage[] {
  const chain: Stage[] = [];
  let s = df.stages.find((x) => x.name === target);
  if (!s) throw new DockerfileError(`no stage ${target}`);
  while (s) {
    chain.unshift(s);
    const base: string = s.from;
    s = df.stages.find((x) => x.name === base);
  }
  return chain;
}

/** The last value of an instruction along a chain (USER, HEALTHCHECK, CMD, ENTRYPOINT, WORKDIR), or undefined. */
export function effective(chain: Stage[], cmd: string): string | undefined {
  let v: string | undefined;
  for (const s of chain) for (const i of s.instructions) if (i.cmd === cmd) v = i.args;
  return v;
}

/** ENV along a chain (both `ENV A=1 B=2` and `ENV A 1`), later wins. */
export function effectiveEnv(chain: Stage[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const s of chain)
    for (const i of s.instructions) {
      if (i.cmd !== 'ENV') continue;
      if (!i.args.includes('=')) {
        const [k, ...v] = i.args.split(/\s+/);
        env[k as string] = v.join(' ');
        continue;
      }
      for (const m of i.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("([^"]*)"|\S+)/g)) env[m[1] as string] = m[3] ?? (m[2] as string);
    }
  return env;
}

/** A JSON-array (exec form) instruction argument, e.g. CMD ["node", "x.js"]; shell form is refused. */
export function execForm(args: string): string[] {
  const json = args.replace(/^(--\S+\s+)*/, '').replace(/^CMD\s+/, '');
  try {
    const v: unknown = JSON.parse(json);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch {
    // fall through
  }
  throw new DockerfileError(`expected exec form ["..."], got ${args}`);
}
