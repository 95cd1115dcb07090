/**
 * The project's own Dockerfile checks (issue 7): the base pinned by version AND digest, every runtime target
 * runs as a non-root user and has a HEALTHCHECK (the setup job excepted: it runs to completion), exec-form CMD,
 * the OCI labels, and no `latest`, no ADD of URLs.
 */
import { type Dockerfile, effective, resolveFrom, stageChain } from './dockerfile';

export const APP_TARGETS = ['ingest', 'normalizer', 'persister', 'api', 'feed'] as const;
export const JOB_TARGETS = ['streams'] as const;
const PINNED = /^[\w./-]+:\d+\.\d+\.\d+[\w.-]*@sha256:[0-9a-f]{64}$/;

export function checkDockerfile(df: Dockerfile): string[] {
  const problems: string[] = [];
  const stageNames = new Set(df.stages.map((s) => s.name));
  for (const s of df.stages) {
    if (!stageNames.has(s.from)) {
      const base = resolveFrom(df, s.from);
      if (!PINNED.test(base)) problems.push(`stage ${s.name}: base ${JSON.stringify(base)} is not pinned by version and digest`);
    }
    for (const i of s.instructions) {
      if (i.cmd === 'ADD' && /https?:\/\//.test(i.args)) problems.push(`line ${i.line}: ADD of a URL (use a checked download)`);
      if (/:latest\b/.test(i.args)) problems.push(`line ${i.line}: uses latest`);
    }
  }
  for (const t of [...APP_TARGETS, ...JOB_TARGETS]) {
    if (!stageNames.has(t)) {
      problems.push(`no target ${t}`);
      continue;
    }
    const chain = stageChain(df, t);
    const user = effective(chain, 'USER');
    if (!user || /^(root|0)(:|$)/.test(user)) problems.push(`target ${t}: runs as root (no non-root USER)`);
    const hc = effective(chain, 'HEALTHCHECK');
    const isJob = (JOB_TARGETS as readonly string[]).includes(t);
    if (!isJob && (!hc || /^NONE\b/.test(hc))) problems.push(`target ${t}: no HEALTHCHECK`);
    if (!isJob && hc && !/CMD \["node", "\/app\/healthcheck\.js"\]/.test(hc)) problems.push(`target ${t}: HEALTHCHECK is not the Node /health probe`);
    const cmd = effective(chain, 'ENTRYPOINT') ?? effective(chain, 'CMD');
    if (!cmd || !cmd.trim().startsWith('[')) problems.push(`target ${t}: CMD/ENTRYPOINT not in exec form (signals would not reach the app)`);
    const labels = chain.flatMap((s) => s.instructions.filter((i) => i.cmd === 'LABEL').map((i) => i.args)).join(' ');
    for (const l of ['org.opencontainers.image.version', 'org.opencontainers.image.revision', 'io.feed.feature']) if (!labels.includes(l)) problems.push(`target ${t}: no ${l} label`);
  }
  return problems;
}
