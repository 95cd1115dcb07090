import type { RunResult } from './rehearse';

/** What a passing rehearsal of one target means; returns the problems (empty = passed). */
export function verdict(r: RunResult): string[] {
  const p: string[] = [];
  if (r.uid === 0) p.push('ran as root');
  if (!r.readOnly) p.push('the tree was writable by the app user');
  if (r.target === 'streams') {
    if (r.exitCode !== 0) p.push(`setup job exited ${String(r.exitCode)}`);
    return p;
  }
  if (!r.ready) p.push('never became ready (/ready 200)');
  if (r.healthcheckExit !== 0) p.push(`the image HEALTHCHECK exited ${String(r.healthcheckExit)}`);
  if (r.exitCode !== 0) p.push(`did not exit 0 on SIGTERM (${String(r.exitCode)})`);
  return p;
}
