/**
 * The stream setup tool (decision 4): applies Feed's JetStream streams and KV buckets idempotently and reports
 * drift. The local launcher, the tests and the swarm setup job all run this one definition.
 *
 *   node dist/tools/streams/main.js apply   # create what is missing, fix fixable drift, print a JSON report
 *   node dist/tools/streams/main.js check   # change nothing; exit 2 when anything is missing or drifted
 *
 * Settings (env): NATS_URL, NATS_USER/NATS_PASSWORD[_FILE], FEED_PREFIX, STREAM_REPLICAS, DUPLICATE_WINDOW_MS,
 * RAW_MAX_AGE_MS, RAW_MAX_BYTES, MD_MAX_AGE_MS, MD_MAX_BYTES, DLQ_MAX_AGE_MS, DLQ_MAX_BYTES, LEASE_TTL_MS.
 */
import { fromProcessEnv, readCommon, readNats } from '@feed/config';
import { applyStreams, connectNats } from '@feed/messaging';
import { jetstreamManager } from '@nats-io/jetstream';
// In its own module because importing this one runs the tool.
import { readSettings } from './settings';

async function main(): Promise<void> {
  const mode = process.argv[2] ?? 'apply';
  if (mode !== 'apply' && mode !== 'check') {
    console.error('usage: streams (apply|check)');
    process.exit(64);
  }
  const r = fromProcessEnv();
  const common = readCommon(r);
  const nats = readNats(r, 'feed-streams-setup');
  const settings = readSettings(r, common.prefix);
  r.done();
  const nc = await connectNats({ ...nats, startupTimeoutMs: common.startupTimeoutMs });
  try {
    const jsm = await jetstreamManager(nc);
    const report = await applyStreams(nc, jsm, settings, { fix: mode === 'apply' });
    console.log(JSON.stringify({ msg: 'streams', mode, ...report }));
    const unfixed = report.drift.filter((d) => mode === 'check' || !d.fixable);
    if (unfixed.length > 0) process.exitCode = 2;
  } finally {
    await nc.drain();
  }
}

main().catch((e: unknown) => {
  console.error(JSON.stringify({ level: 'fatal', msg: 'stream setup failed', err: e instanceof Error ? e.message : String(e) }));
  process.exit(1);
});
