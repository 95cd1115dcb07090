import type { HostileKind } from '../types';

/**
 * Hostile variants of a venue's own trade message (hard rule 3 of the brief: venue input is hostile), built
 * by editing the text of a genuine message, so every venue gets every kind with one implementation.
 */
export interface HostileShape {
  /** Field names inside the trade object. */
  readonly price: string;
  readonly qty: string;
  readonly id: string;
  /** Prices and sizes are JSON numbers (Kraken) rather than strings. */
  readonly numeric: boolean;
  /** The trade id is a JSON number (Kraken, Bitstamp) rather than a string. */
  readonly idNumeric: boolean;
  /** The field naming the message type or channel, and the unknown value written there. */
  readonly typeField: string;
  readonly unknownType: string;
  /** The trade's time field and how the venue writes it (epoch ms as a number or a string, µs string, RFC 3339). */
  readonly time: string;
  readonly timeForm: 'ms' | 'ms_text' | 'us_text' | 'iso';
}

/** The future_time kind's trade time: 2099-01-01T00:00:00Z, valid as a date, 70+ years ahead of any receive time. */
export const FUTURE_MS = 4_070_908_800_000;

function futureTime(form: HostileShape['timeForm']): string {
  switch (form) {
    case 'ms':
      return String(FUTURE_MS);
    case 'ms_text':
      return JSON.stringify(String(FUTURE_MS));
    case 'us_text':
      return JSON.stringify(`${FUTURE_MS}000`);
    case 'iso':
      return JSON.stringify('2099-01-01T00:00:00.000000Z');
  }
}

/** The huge_number kind's price: 30 digits, far beyond any market and beyond 2^64. */
export const HUGE = '123456789012345678901234567890';

const VALUE = '("(?:[^"\\\\]|\\\\.)*"|-?[0-9][0-9.eE+-]*|true|false|null)';

function setField(text: string, name: string, value: string): string {
  return text.replace(new RegExp(`"${name}":${VALUE}`), `"${name}":${value}`);
}

function fieldValue(text: string, name: string): string {
  const m = new RegExp(`"${name}":${VALUE}`).exec(text);
  return m ? (m[1] as string) : 'null';
}

function removeField(text: string, name: string): string {
  const withComma = new RegExp(`,"${name}":${VALUE}`);
  return withComma.test(text) ? text.replace(withComma, '') : text.replace(new RegExp(`"${name}":${VALUE},?`), '');
}

export function hostileText(kind: HostileKind, genuine: string, shape: HostileShape, padding: string): string {
  const str = (s: string): string => JSON.stringify(s);
  switch (kind) {
    case 'non_numeric':
      return setField(genuine, shape.price, str('abc'));
    case 'negative':
      return setField(genuine, shape.price, shape.numeric ? '-1' : str('-1'));
    case 'nan':
      return setField(genuine, shape.price, str('NaN'));
    case 'infinity':
      return setField(genuine, shape.price, str('Infinity'));
    case 'zero_size':
      return setField(genuine, shape.qty, shape.numeric ? '0' : str('0'));
    case 'wrong_types': {
      const price = fieldValue(genuine, shape.price);
      const swapped = shape.numeric ? str(price) : price.replace(/"/g, '');
      return setField(setField(genuine, shape.price, swapped), shape.id, shape.idNumeric ? str('x') : '12345');
    }
    case 'missing_field':
      return removeField(genuine, shape.price);
    case 'unknown_type':
      return setField(genuine, shape.typeField, str(shape.unknownType));
    case 'not_json':
      return genuine.slice(0, Math.min(15, genuine.length - 1));
    case 'oversize':
      return `${genuine.slice(0, -1)},"z":"${padding}"}`;
    case 'huge_number':
      return setField(genuine, shape.price, shape.numeric ? HUGE : str(HUGE));
    case 'future_time':
      return setField(genuine, shape.time, futureTime(shape.timeForm));
  }
}
