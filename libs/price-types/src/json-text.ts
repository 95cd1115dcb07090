import { ValidationError } from './errors';

/** The JSON number grammar (RFC 8259 section 6). */
const JSON_NUMBER_RE = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * JSON.parse, except every JSON number arrives as its original text (a string).
 *
 * Why: decision 3 forbids a float round trip for prices and sizes, and some venues (Kraken v2) send them as
 * JSON numbers; `JSON.parse('{"p":67234.01000000}')` already lost the text. Node 20's JSON.parse has no
 * access to source text, so number tokens outside strings are quoted before parsing. One linear pass.
 * Integer fields (ids, times) come back as strings too; mappers convert the ones they use.
 * `numberMark` (optional) is put in front of every number's text, so a reader can still tell a JSON number from a
 * JSON string (a venue documenting a field as a string must not have a number accepted there).
 */
export function parseJsonNumbersAsText(text: string, numberMark = ''): unknown {
  let out = '';
  let last = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 34) {
      inString = true;
      continue;
    }
    if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      let j = i + 1;
      while (j < text.length) {
        const d = text.charCodeAt(j);
        // digits . e E + -
        if ((d >= 48 && d <= 57) || d === 46 || d === 101 || d === 69 || d === 43 || d === 45) j++;
        else break;
      }
      const token = text.slice(i, j);
      // Quoting must not turn a token JSON forbids ("01", "1.", "-", "1.2.3") into a valid string.
      if (!JSON_NUMBER_RE.test(token)) throw new ValidationError('bad_json', '$', `malformed number ${JSON.stringify(token.slice(0, 32))}`);
      out += text.slice(last, i) + '"' + numberMark + token + '"';
      last = j;
      i = j - 1;
    }
  }
  out += text.slice(last);
  try {
    return JSON.parse(out);
  } catch (e) {
    throw new ValidationError('bad_json', '$', (e as Error).message.slice(0, 100));
  }
}
