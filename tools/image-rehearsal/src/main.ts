/**
 * Image rehearsal (issue 7): `node dist/tools/image-rehearsal/main.js [target...]` rebuilds each image target's
 * runtime tree from the Dockerfile's COPY set with production dependencies only, runs it as an unprivileged user
 * on a read-only tree against real nats-server and redis-server, and checks readiness, the image's health check
 * and a clean shutdown. Exit 0 when every target passed. Needs nats-server and redis-server on PATH.
 */
import path from 'node:path';
import { cleanupAll } from '@feed/testing';
import { rehearse } from './rehearsal';
import { verdict } from './verdict';

async function main(): Promise<number> {
  const root = path.resolve(__dirname, '../../..');
  const targets = process.argv.slice(2);
  const results = await rehearse({ root, ...(targets.length ? { targets } : {}), log: (m) => console.error(m) });
  let failed = 0;
  for (const r of results) {
    const problems = verdict(r);
    failed += problems.length > 0 ? 1 : 0;
    console.log(JSON.stringify({ target: r.target, ok: problems.length === 0, uid: r.uid, problems }));
    if (problems.length > 0) console.error(r.output.slice(-30).join('\n'));
  }
  return failed === 0 ? 0 : 1;
}

main()
  .then(async (code) => {
    await cleanupAll();
    process.exit(code);
  })
  .catch(async (e: unknown) => {
    console.error(e instanceof Error ? e.stack : String(e));
    await cleanupAll();
    process.exit(1);
  });
