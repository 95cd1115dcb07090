import { Match, MsgHdrsImpl, canonicalMIMEHeaderKey } from '@nats-io/nats-core/internal';

/**
 * Exact-match fast paths for nats.js message headers (nats-core 3.3.1, pinned: request-patch.spec.ts), with the same
 * results and the same errors. Every event carries headers (`Nats-Msg-Id` at least), and unpatched each `set` runs
 * `delete` + `append`, each of which lists every key into a new array and filters it (`findKeys`), builds the key's
 * canonical form char by char, and compiles a fresh regex for the value; each `get`/`has` lists and filters again, and
 * `decode` splits, slices and maps every received block. Under load that was the largest allocator in ingest
 * (~37 % of its bytes) and the normalizer (~25 %), and a visible share of every app's GC (docs/benchmarks.md).
 *
 * Patched, for `Match.Exact` (the default, and the only mode Feed uses) a lookup is one `Map` operation, a key name
 * is validated once and remembered, `decode` walks the block with `indexOf`, and `encode` takes its bytes from
 * Node's pooled `Buffer.from` (TextEncoder allocates a fresh ArrayBuffer per call: ~3x slower). Other match modes,
 * and blocks with a status line (`NATS/1.0 408 ...`, nats.js's own control messages), take the original code.
 * headers-patch.spec.ts compares every method against a pristine copy of the library on random operation sequences
 * and odd blocks.
 */
interface HdrsInternals {
  headers: Map<string, string[]>;
  append(k: string, v: string, match?: string): void;
}

type HdrsClass = typeof MsgHdrsImpl & { validHeaderValue(v: string): string; decode(a: Uint8Array): MsgHdrsImpl };

const HEADER = 'NATS/1.0';
const CR_OR_LF = /[\r\n]/;
const decoder = new TextDecoder();
/** Key names already validated; bounded so a stream of odd names cannot grow it. */
const validKeys = new Set<string>();
const MAX_VALID_KEYS = 256;
let applied = false;

const isExact = (match: string | undefined): boolean => match === undefined || match === Match.Exact;

function checkKey(k: string): void {
  if (validKeys.has(k)) return;
  canonicalMIMEHeaderKey(k); // throws nats.js's own error for a bad name
  if (validKeys.size < MAX_VALID_KEYS) validKeys.add(k);
}

export function applyHeadersPatch(): void {
  if (applied) return;
  applied = true;
  const cls = MsgHdrsImpl as HdrsClass;
  type Method = (this: HdrsInternals, ...a: unknown[]) => unknown;
  const proto = MsgHdrsImpl.prototype as unknown as Record<string, Method>;
  const orig = {
    findKeys: proto['findKeys']!,
    get: proto['get']!,
    last: proto['last']!,
    has: proto['has']!,
    set: proto['set']!,
    append: proto['append']!,
    delete: proto['delete']!,
  };
  const origValidValue = cls.validHeaderValue.bind(cls);
  const origDecode = cls.decode.bind(cls);

  const validValue = (v: string): string => CR_OR_LF.test(v) ? origValidValue(v) : v.trim();
  cls.validHeaderValue = validValue;

  Object.assign(proto, {
    findKeys(this: HdrsInternals, k: string, match?: string): string[] {
      if (!isExact(match)) return orig.findKeys.call(this, k, match) as string[];
      return this.headers.has(k) ? [k] : [];
    },
    get(this: HdrsInternals, k: string, match?: string): string {
      if (!isExact(match)) return orig.get.call(this, k, match) as string;
      const v = this.headers.get(k);
      return v ? (Array.isArray(v) ? v[0]! : v) : '';
    },
    last(this: HdrsInternals, k: string, match?: string): string {
      if (!isExact(match)) return orig.last.call(this, k, match) as string;
      const v = this.headers.get(k);
      return v ? (Array.isArray(v) ? v[v.length - 1]! : v) : '';
    },
    has(this: HdrsInternals, k: string, match?: string): boolean {
      if (!isExact(match)) return orig.has.call(this, k, match) as boolean;
      return this.headers.has(k);
    },
    delete(this: HdrsInternals, k: string, match?: string): void {
      if (!isExact(match)) return void orig.delete.call(this, k, match);
      this.headers.delete(k);
    },
    append(this: HdrsInternals, k: string, v: string, match?: string): void {
      if (!isExact(match)) return void orig.append.call(this, k, v, match);
      checkKey(k);
      const value = validValue(v);
      const a = this.headers.get(k);
      if (a) a.push(value);
      else this.headers.set(k, [value]);
    },
    /** Same bytes as the original (`TextEncoder.encode(toString())`), from Node's pooled slab: ~3x faster. */
    encode(this: HdrsInternals & { toString(): string }): Uint8Array {
      return Buffer.from(this.toString(), 'utf8');
    },
    set(this: HdrsInternals, k: string, v: string, match?: string): void {
      if (!isExact(match)) return void orig.set.call(this, k, v, match);
      // Same order as the original (delete, then append): a bad value still removes the old one.
      this.headers.delete(k);
      this.append(k, v);
    },
  });

  cls.decode = (a: Uint8Array): MsgHdrsImpl => {
    const s = decoder.decode(a);
    const firstEnd = s.indexOf('\r\n');
    if ((firstEnd === -1 ? s : s.slice(0, firstEnd)) !== HEADER) return origDecode(a);
    const mh = new MsgHdrsImpl() as unknown as HdrsInternals;
    if (firstEnd === -1) return mh as unknown as MsgHdrsImpl;
    let pos = firstEnd + 2;
    while (pos < s.length) {
      let end = s.indexOf('\r\n', pos);
      if (end === -1) end = s.length;
      if (end > pos) {
        const colon = s.indexOf(':', pos);
        if (colon > -1 && colon < end) mh.append(s.slice(pos, colon), s.slice(colon + 1, end).trim());
      }
      pos = end + 2;
    }
    return mh as unknown as MsgHdrsImpl;
  };
}
