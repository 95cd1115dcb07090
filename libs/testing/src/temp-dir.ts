import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { registry } from './registry';

/**
 * A fresh directory under `os.tmpdir()/feed-test-<prefix>-XXXXXX`. It is tracked, so `cleanupAll()` (or the
 * exit hook, if the test run dies) removes it; `removeTempDir` removes it earlier.
 */
export async function tempDir(prefix = 'tmp'): Promise<string> {
  const safe = prefix.replace(/[^A-Za-z0-9_.-]/g, '-');
  const dir = await mkdtemp(path.join(os.tmpdir(), `feed-test-${safe}-`));
  registry.trackDir(dir);
  return dir;
}

export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  registry.untrackDir(dir);
}
