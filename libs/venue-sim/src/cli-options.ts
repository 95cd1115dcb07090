import type { VenueSimOptions } from './options';

/**
 * Command-line and environment settings of the simulator CLI (tools/venue-sim). Pure: the caller passes
 * argv and the environment, so this library never reads process.env. A flag wins over its VENUE_SIM_* variable.
 */
type Kind = 'int' | 'number' | 'list' | 'string' | 'bool' | 'id' | 'venueMap';
interface Setting {
  readonly flag: string;
  readonly key: keyof VenueSimOptions;
  readonly kind: Kind;
  readonly help: string;
}

export const CLI_SETTINGS: readonly Setting[] = [
  { flag: 'host', key: 'host', kind: 'string', help: 'interface to listen on (default 127.0.0.1)' },
  { flag: 'port', key: 'port', kind: 'int', help: 'port for WebSocket and control API, 0 = ephemeral (default 0)' },
  { flag: 'venues', key: 'venues', kind: 'list', help: 'comma-separated venues: binance,coinbase,kraken,bitstamp,okx,bybit or all (default binance)' },
  { flag: 'symbols', key: 'symbols', kind: 'list', help: 'comma-separated venue-native symbols for EVERY venue (default: each venue\'s own BTC symbol)' },
  { flag: 'venue-symbols', key: 'symbolsByVenue', kind: 'venueMap', help: 'per venue, wins over --symbols: coinbase=BTC-USD,kraken=BTC/USD,binance=BTCUSDT+ETHUSDT' },
  { flag: 'rate', key: 'rate', kind: 'number', help: 'trades per second per symbol (default 20)' },
  { flag: 'max-trades', key: 'maxTrades', kind: 'int', help: 'stop each market after N trades (default never)' },
  { flag: 'seed', key: 'seed', kind: 'int', help: 'PRNG seed (default 1)' },
  { flag: 'first-trade-id', key: 'firstTradeId', kind: 'id', help: 'first trade id per market (default 5000000000)' },
  { flag: 'ping-interval-ms', key: 'pingIntervalMs', kind: 'int', help: 'server ping period, 0 = none (default 20000)' },
  { flag: 'pong-timeout-ms', key: 'pongTimeoutMs', kind: 'int', help: 'close when no pong within, 0 = never (default 60000)' },
  { flag: 'lifetime-ms', key: 'connectionLifetimeMs', kind: 'int', help: 'connection lifetime, 0 = unlimited (default 86400000)' },
  { flag: 'messages-per-second', key: 'messagesPerSecond', kind: 'int', help: 'client message limit, 0 = none (default 5)' },
  { flag: 'idle-timeout-ms', key: 'idleTimeoutMs', kind: 'int', help: 'close a connection sent nothing for this long, 0 = never (default: venue, OKX 30000)' },
  { flag: 'heartbeat-interval-ms', key: 'heartbeatIntervalMs', kind: 'int', help: 'venue heartbeat message period, 0 = none (default 1000: Coinbase, Kraken)' },
  { flag: 'quote-rate', key: 'quoteRate', kind: 'number', help: 'best bid/ask updates per second per symbol (default 10)' },
  { flag: 'tick-ms', key: 'tickMs', kind: 'int', help: 'market engine tick (default 5)' },
  { flag: 'generate-without-subscribers', key: 'generateWithoutSubscribers', kind: 'bool', help: 'trade with nobody subscribed (default false)' },
  { flag: 'record-cap', key: 'recordCap', kind: 'int', help: 'trades held in memory per market (default 2000000)' },
  { flag: 'oversize-bytes', key: 'oversizeBytes', kind: 'int', help: 'size of an oversize hostile frame (default 262144)' },
];

export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

export function envName(flag: string): string {
  return `VENUE_SIM_${flag.toUpperCase().replace(/-/g, '_')}`;
}

function convert(s: Setting, raw: string, source: string): unknown {
  switch (s.kind) {
    case 'int':
      if (!/^\d{1,15}$/.test(raw)) throw new CliError(`${source}: expected a non-negative integer, got ${JSON.stringify(raw)}`);
      return Number(raw);
    case 'number':
      if (!/^\d{1,9}(\.\d{1,9})?$/.test(raw)) throw new CliError(`${source}: expected a non-negative number, got ${JSON.stringify(raw)}`);
      return Number(raw);
    case 'id':
      if (!/^\d{1,19}$/.test(raw)) throw new CliError(`${source}: expected a positive integer, got ${JSON.stringify(raw)}`);
      return raw;
    case 'list': {
      const items = raw.split(',').map((x) => x.trim()).filter((x) => x !== '');
      if (items.length === 0) throw new CliError(`${source}: expected a comma-separated list`);
      return items;
    }
    case 'bool':
      if (/^(1|true|yes)$/i.test(raw)) return true;
      if (/^(0|false|no)$/i.test(raw)) return false;
      throw new CliError(`${source}: expected true or false, got ${JSON.stringify(raw)}`);
    case 'string':
      return raw;
    case 'venueMap': {
      const out: Record<string, string[]> = {};
      for (const part of raw.split(',').map((x) => x.trim()).filter((x) => x !== '')) {
        const m = /^([a-z0-9]+)=(.+)$/.exec(part);
        if (!m) throw new CliError(`${source}: expected venue=SYMBOL[+SYMBOL..], got ${JSON.stringify(part)}`);
        out[m[1] as string] = (m[2] as string).split('+').filter((x) => x !== '');
      }
      if (Object.keys(out).length === 0) throw new CliError(`${source}: expected venue=SYMBOL pairs`);
      return out;
    }
  }
}

export interface CliParseResult {
  readonly help: boolean;
  readonly options: VenueSimOptions;
}

export function parseCliArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): CliParseResult {
  const out: Record<string, unknown> = {};
  for (const s of CLI_SETTINGS) {
    const raw = env[envName(s.flag)];
    if (raw !== undefined && raw !== '') out[s.key] = convert(s, raw, envName(s.flag));
  }
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    const s = m ? CLI_SETTINGS.find((x) => x.flag === m[1]) : undefined;
    if (!m || !s) throw new CliError(`unknown argument ${JSON.stringify(arg)} (try --help)`);
    let raw = m[2];
    if (raw === undefined) {
      const next = argv[i + 1];
      if (s.kind === 'bool' && (next === undefined || next.startsWith('--'))) raw = 'true';
      else if (next === undefined) throw new CliError(`--${s.flag} needs a value`);
      else raw = argv[++i] as string;
    }
    out[s.key] = convert(s, raw, `--${s.flag}`);
  }
  return { help, options: out as VenueSimOptions };
}

export function cliUsage(): string {
  const lines = CLI_SETTINGS.map((s) => `  --${s.flag.padEnd(30)} ${s.help} [${envName(s.flag)}]`);
  return ['usage: venue-sim [options]', ...lines].join('\n');
}
