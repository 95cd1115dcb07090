import { ValidationError } from './errors';

/**
 * Times on the log are integer epoch MICROseconds held in a JavaScript number. Epoch µs today is ~1.8e15,
 * well inside Number.MAX_SAFE_INTEGER (9.007e15, i.e. year 2255), so integers stay exact.
 *
 *  - venueTimeUs: when the venue says the thing happened (trade match time, quote update time).
 *  - recvTimeUs:  when our ingest read the frame off the socket (our clock, NTP-disciplined in production).
 */

/** Earliest accepted event time: 2009-01-03 (the Bitcoin genesis block). Anything older is corrupt. */
export const MIN_TIME_US = 1_230_940_800_000_000;
/** Latest accepted event time: 2100-01-01. */
export const MAX_TIME_US = 4_102_444_800_000_000;

export function nowUs(): number {
  // performance.timeOrigin + now() gives sub-ms precision that Date.now() lacks.
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

export function msToUs(ms: number): number {
  return Math.round(ms * 1000);
}

export function isTimeUs(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= MIN_TIME_US && v <= MAX_TIME_US;
}

export function assertTimeUs(v: unknown, field: string): number {
  if (typeof v !== 'number') throw new ValidationError('wrong_type', field, 'time must be an integer number of µs');
  if (!isTimeUs(v)) throw new ValidationError('bad_time', field, `time ${v} is not an integer µs between 2009 and 2100`);
  return v;
}

/** The last whole second formatted: trades arrive in time order, so most calls reuse it (no Date per call). */
let lastSecond = Number.NaN;
let lastSecondText = '';

/** ISO-8601 UTC with microseconds, as the API shows times: "2026-11-29T08:02:13.010918Z". */
export function isoFromUs(us: number): string {
  const second = Math.floor(us / 1_000_000);
  if (second !== lastSecond) {
    lastSecondText = new Date(second * 1000).toISOString().slice(0, 19);
    lastSecond = second;
  }
  return `${lastSecondText}.${String(us - second * 1_000_000).padStart(6, '0')}Z`;
}

/** Parse an ISO-8601 UTC timestamp with up to 9 fraction digits into epoch µs (truncating below 1 µs). */
export function usFromIso(text: string, field = 'time'): number {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]00:00)$/.exec(text);
  if (!m) throw new ValidationError('bad_time', field, `not an ISO-8601 UTC time: ${JSON.stringify(text.slice(0, 40))}`);
  const ms = Date.parse(`${m[1]}Z`);
  // V8 rolls impossible dates over ("2026-02-30" -> March 2, "T24:00:00" -> next day): require a round trip.
  if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 19) !== m[1]) {
    throw new ValidationError('bad_time', field, `invalid date ${m[1]}`);
  }
  const frac = (m[2] ?? '').padEnd(6, '0').slice(0, 6);
  return assertTimeUs(ms * 1000 + Number(frac), field);
}
