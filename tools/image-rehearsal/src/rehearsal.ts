import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, startNats, startRedis } from '@feed/testing';
import { parseDockerfile } from './dockerfile';
import { runTarget, makeReadOnly, type RunResult } from './rehearse';
import { StageFs } from './stage-fs';

export const REHEARSED_TARGETS = ['streams', 'ingest', 'normalizer', 'persister', 'api', 'feed'] as const;

export interface RehearsalOptions {
  root: string;
  targets?: readonly string[];
  log?: (msg: string) => void;
}

/**
 * The whole rehearsal: real nats-server and redis-server (from @feed/testing), the stream setup job first (as
 * in the swarm), then every app target, and the all-in-one image running the api. The caller stops the servers
 * (cleanupAll).
 */
export async function rehearse(o: RehearsalOptions): Promise<RunResult[]> {
  const df = parseDockerfile(readFileSync(path.join(o.root, 'Dockerfile'), 'utf8'));
  const dir = mkdtempSync(path.join(tmpdir(), 'feed-image-rehearsal-'));
  const fs = new StageFs(df, { root: o.root, dir, ...(o.log ? { log: o.log } : {}) });
  const nats = await startNats();
  const redis = await startRedis();
  const results: RunResult[] = [];
  try {
    const targets = o.targets ?? REHEARSED_TARGETS;
    const trees = new Map<string, string>();
    for (const target of targets) {
      o.log?.(`laying out ${target}`);
      const rootfs = fs.layOut(target);
      makeReadOnly(rootfs);
      trees.set(target, rootfs);
    }
    const run = async (target: string): Promise<RunResult> => {
      const port = target === 'streams' ? undefined : await freePort();
      const env: Record<string, string> = {
        NATS_URL: nats.url,
        REDIS_HOST: '127.0.0.1',
        REDIS_PORT: String(redis.port),
        FEED_PREFIX: 'feed',
        STARTUP_TIMEOUT_MS: '45000',
        SHUTDOWN_TIMEOUT_MS: '5000',
        INSTANCE_ID: `rehearsal-${target}`,
        // Live venue source with a closed endpoint: venue freshness is data quality, never readiness (decision 9).
        INGEST_VENUES: 'binance',
        BINANCE_URL: 'ws://127.0.0.1:9',
        ...(port !== undefined ? { HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1' } : {}),
      };
      const rootfs = trees.get(target) as string;
      return runTarget(df, { target, rootfs, env, timeoutMs: 90_000, ...(port !== undefined ? { port } : {}), ...(target === 'feed' ? { args: ['api'] } : {}) });
    };
    // The setup job first, as in the swarm (the apps refuse to start without their streams); then the long-running
    // targets side by side, which keeps the rehearsal's CI time near one app start instead of five.
    if (targets.includes('streams')) results.push(await run('streams'));
    results.push(...(await Promise.all(targets.filter((t) => t !== 'streams').map(run))));
  } finally {
    spawnChmodBack(dir);
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

/** The trees were made read-only; give the owner write access back so they can be removed. */
function spawnChmodBack(dir: string): void {
  spawnSync('chmod', ['-R', 'u+w', dir]);
}
