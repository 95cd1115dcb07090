import { readFileSync } from 'node:fs';
import { imagesToBuild } from './affected';
import { APPS, assertImmutableRef, imageTags, ImageTagError } from './image-tag';

export const USAGE = `usage:
  image-tag tags --app <${APPS.join('|')}> --branch <name> --version <x.y.z> --sha <40 hex> [--registry <host/ns>]
  image-tag affected --projects <comma list from nx show projects --affected> --files <file with one changed path a line>
  image-tag check-ref <image reference>     exit 1 unless pinned by git-sha tag or digest`;

function flags(args: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i < args.length; i += 2) {
    const k = args[i] ?? '';
    const v = args[i + 1];
    if (!k.startsWith('--') || v === undefined) throw new ImageTagError(`expected --flag value pairs, got ${JSON.stringify(args.slice(i))}`);
    m.set(k.slice(2), v);
  }
  return m;
}

function need(m: Map<string, string>, k: string): string {
  const v = m.get(k);
  if (v === undefined) throw new ImageTagError(`--${k} is required`);
  return v;
}

/** Runs one command; returns the text to print. Throws ImageTagError on bad input. */
export function run(argv: string[], readFile: (p: string) => string = (p) => readFileSync(p, 'utf8')): string {
  const [cmd, ...rest] = argv;
  if (cmd === 'tags') {
    const f = flags(rest);
    const registry = f.get('registry');
    return JSON.stringify(imageTags({ app: need(f, 'app'), branch: need(f, 'branch'), version: need(f, 'version'), sha: need(f, 'sha'), ...(registry ? { registry } : {}) }));
  }
  if (cmd === 'affected') {
    const f = flags(rest);
    const projects = need(f, 'projects').split(/[\s,]+/).filter(Boolean);
    const files = readFile(need(f, 'files')).split('\n').map((s) => s.trim()).filter(Boolean);
    return JSON.stringify(imagesToBuild(projects, files));
  }
  if (cmd === 'check-ref' && rest.length === 1) return assertImmutableRef(rest[0] as string);
  throw new ImageTagError(USAGE);
}
