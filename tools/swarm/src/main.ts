/**
 * Deploy helpers called by tools/swarm/*.sh and CI:
 *   lint <stack.yml...>                              the project's stack lint (exit 1 on problems)
 *   nats-auth --prefix <p> --passwords-dir <dir>     render the NATS accounts block from <dir>/<user> files
 *   monitoring-configs [--dir deploy/monitoring]     the monitoring stack's config override (stdout)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { findMonitoringFiles, renderMonitoringOverride } from './monitoring-configs';
import { NATS_USERS, renderNatsAuth, type NatsUser } from '@feed/messaging';
import { lintStack } from './stack-lint';

function flag(args: string[], name: string, fallback?: string): string {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? args[i + 1] : fallback;
  if (v === undefined) throw new Error(`--${name} is required`);
  return v;
}

function main(argv: string[]): number {
  const [cmd, ...args] = argv;
  if (cmd === 'lint') {
    let bad = 0;
    for (const f of args) {
      const problems = lintStack(readFileSync(f, 'utf8'));
      for (const p of problems) console.error(`${f}: ${p}`);
      bad += problems.length;
    }
    console.log(`stack lint: ${args.length} file(s), ${bad} problem(s)`);
    return bad > 0 || args.length === 0 ? 1 : 0;
  }
  if (cmd === 'nats-auth') {
    const dir = flag(args, 'passwords-dir');
    const read = (u: string): string => readFileSync(path.join(dir, u), 'utf8').trim();
    const passwords = Object.fromEntries(NATS_USERS.map((u) => [u, read(u)])) as Record<NatsUser, string>;
    process.stdout.write(renderNatsAuth({ prefix: flag(args, 'prefix', 'feed'), passwords, previewPassword: read('preview') }));
    return 0;
  }
  if (cmd === 'monitoring-configs') {
    process.stdout.write(renderMonitoringOverride(findMonitoringFiles(flag(args, 'dir', 'deploy/monitoring'))));
    return 0;
  }
  console.error('usage: swarm (lint <files...> | nats-auth --prefix <p> --passwords-dir <dir> | monitoring-configs [--dir <d>])');
  return 64;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
}
