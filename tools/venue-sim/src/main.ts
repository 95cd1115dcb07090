/**
 * venue-sim CLI: serves simulated venue WebSockets and the control API on one port (see @feed/venue-sim).
 *   node dist/tools/venue-sim/main.js --port 0 --rate 100 --symbols BTCUSDT --max-trades 20000 \
 *     --ping-interval-ms 20000 --pong-timeout-ms 60000 --lifetime-ms 86400000 --seed 1 --first-trade-id 5000000000
 * Several venues on one port, venue-native symbols per venue (each venue under /<venue>/..., REST recent trades too):
 *   node dist/tools/venue-sim/main.js --venue-symbols binance=BTCUSDT,coinbase=BTC-USD,kraken=BTC/USD,bitstamp=btcusd,okx=BTC-USDT,bybit=BTCUSDT \
 *     --quote-rate 10 --idle-timeout-ms 30000 --heartbeat-interval-ms 1000
 * (--venues all serves every venue with its default BTC symbol.) Faults: POST /control/{gap,stallHeartbeats,reject429,...}.
 * Every flag also reads from VENUE_SIM_<FLAG> (e.g. VENUE_SIM_RATE); the flag wins. On start it prints one
 * JSON line to stdout: {"msg":"venue-sim listening","url":..,"control":..,"venues":[..]}. SIGTERM/SIGINT
 * close the server and exit 0.
 */
import { CliError, cliUsage, parseCliArgs, startVenueSim } from '@feed/venue-sim';

function fail(message: string, code: number): never {
  process.stderr.write(`${JSON.stringify({ msg: 'venue-sim failed', error: message })}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseCliArgs(process.argv.slice(2), process.env);
  } catch (err) {
    if (err instanceof CliError) fail(err.message, 2);
    throw err;
  }
  if (parsed.help) {
    process.stdout.write(`${cliUsage()}\n`);
    return;
  }
  let sim;
  try {
    sim = await startVenueSim(parsed.options);
  } catch (err) {
    fail((err as Error).message, err instanceof RangeError ? 2 : 1);
  }
  process.stdout.write(`${JSON.stringify({ msg: 'venue-sim listening', url: sim.url, control: sim.controlUrl, venues: sim.venues })}\n`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    sim
      .close()
      .then(() => {
        process.stderr.write(`${JSON.stringify({ msg: 'venue-sim stopped', signal, counters: sim.counters })}\n`);
        process.exit(0);
      })
      .catch((err: unknown) => fail(String(err), 1));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => fail(err instanceof Error ? (err.stack ?? err.message) : String(err), 1));
