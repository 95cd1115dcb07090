import { ValidationError } from './errors';
import { SOURCES, VENUES, assertVenueId, isSource, isVenueId } from './venues';

function refusal(fn: () => unknown): { code: string; field: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return { code: e.code, field: e.field };
    throw e;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

describe('venue ids', () => {
  it('are lower-case tokens safe in subjects and Redis keys, without duplicates', () => {
    expect(VENUES.length).toBeGreaterThanOrEqual(3);
    expect(new Set(VENUES).size).toBe(VENUES.length);
    for (const v of VENUES) expect(v).toMatch(/^[a-z][a-z0-9]*$/);
    // the three venues the brief names
    expect(VENUES).toEqual(expect.arrayContaining(['binance', 'coinbase', 'kraken']));
  });

  it.each(VENUES.map((v) => [v]))('%s is a venue id', (v) => {
    expect(isVenueId(v)).toBe(true);
    expect(assertVenueId(v)).toBe(v);
  });

  it.each([['Binance'], ['BINANCE'], [' binance'], ['binance '], ['binance.us'], ['ftx'], [''], ['venue-sim'], ['*'], ['>'], ['constructor'], ['__proto__']])(
    '%j is not a venue id (bad_venue)',
    (v) => {
      expect(isVenueId(v)).toBe(false);
      expect(refusal(() => assertVenueId(v))).toEqual({ code: 'bad_venue', field: 'venue' });
    },
  );

  it('refuses non-strings as bad_venue and names the given field', () => {
    for (const v of [1, null, undefined, {}, ['binance'], true]) {
      expect(isVenueId(v)).toBe(false);
      expect(refusal(() => assertVenueId(v, 'exchange'))).toEqual({ code: 'bad_venue', field: 'exchange' });
    }
  });
});

describe('sources', () => {
  it('are exactly live and simulated', () => {
    expect([...SOURCES]).toEqual(['live', 'simulated']);
    expect(isSource('live')).toBe(true);
    expect(isSource('simulated')).toBe(true);
  });

  it.each([['Live'], ['sim'], ['simulator'], [''], [null], [undefined], [1], [true]])('%j is not a source', (v) => {
    expect(isSource(v)).toBe(false);
  });
});
