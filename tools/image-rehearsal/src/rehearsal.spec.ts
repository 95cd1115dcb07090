import path from 'node:path';
import { cleanupAll } from '@feed/testing';
import { REHEARSED_TARGETS, rehearse } from './rehearsal';
import { verdict } from './verdict';

/**
 * The image rehearsal (issue 7), as CI runs it: every target rebuilt from the Dockerfile's COPY set with
 * `npm ci --omit=dev` in a temp folder, run as nobody on a read-only tree against real nats-server and
 * redis-server. Slow by nature (a production install, ~1 min warm); one test for all targets.
 */
afterAll(cleanupAll);

it('every image target becomes ready as an unprivileged user on a read-only tree, passes its HEALTHCHECK and stops cleanly', async () => {
  const results = await rehearse({ root: path.resolve(__dirname, '../../..') });
  expect(results.map((r) => r.target)).toEqual([...REHEARSED_TARGETS]);
  for (const r of results) expect({ target: r.target, problems: verdict(r), tail: verdict(r).length ? r.output.slice(-15) : [] }).toEqual({ target: r.target, problems: [], tail: [] });
  // The setup job really applied the streams the apps then found.
  expect(results.find((r) => r.target === 'streams')?.output.join('\n')).toContain('"msg":"streams"');
}, 600_000);
