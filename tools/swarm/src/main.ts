/**
 * Deploy helpers called by tools/swarm/*.sh and CI:
 *   lint <stack.yml...>                              the project's stack lint (exit 1 on problems)
 *   nats-auth --prefix <p> --passwords-dir <dir>     render the NATS accounts block from <dir>/<user> files
 *   monitoring-configs [--dir deploy/monitoring] [--redis-targets <file>]
 *                                                    the monitoring stack's config override (stdout)
 *   redis-targets --host <h> --port <p>              Prometheus file_sd targets of the Redis job (stdout)
 *   redis-password-map --host <h> --port <p> --primary-password-file <f> --standby-password-file <f>
 *                                                    redis_exporter's password map for the same targets (stdout)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { findMonitoringFiles, renderMonitoringOverride } from './monitoring-configs';
import { redisTargets, renderFileSd, renderPasswordMap } from './redis-targets';
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
    const redisTargetsFile = args.includes('--redis-targets') ? flag(args, 'redis-targets') : undefined;
    process.stdout.write(renderMonitoringOverride(findMonitoringFiles(flag(args, 'dir', 'deploy/monitoring')), redisTargetsFile ? { redisTargetsFile } : {}));
    return 0;
  }
  if (cmd === 'redis-targets' || cmd === 'redis-password-map') {
    const targets = redisTargets({ host: flag(args, 'host'), port: Number(flag(args, 'port')) });
    if (cmd === 'redis-targets') process.stdout.write(renderFileSd(targets));
    else {
      const read = (name: string): string => readFileSync(flag(args, name), 'utf8').trim();
      process.stdout.write(renderPasswordMap(targets, { primary: read('primary-password-file'), standby: read('standby-password-file') }));
    }
    return 0;
  }
  console.error('usage: swarm (lint <files...> | nats-auth --prefix <p> --passwords-dir <dir> | monitoring-configs [--dir <d>] [--redis-targets <f>] | redis-targets --host <h> --port <p> | redis-password-map ...)');
  return 64;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
}
