// The ISO 8601 reader shared by DateTime'...' filter literals and the status documents' dates.
import { parseFilter } from 'batchwire/odata';
import { parseDateTime } from 'batchwire/status';
import { describe, expect, it } from 'vitest';

function utc(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, ms);
  return date.getTime();
}

function filterTime(literal: string): number {
  return (parseFilter(`t eq DateTime'${literal}'`) as { value: { time: number } }).value.time;
}

describe('one ISO 8601 reader for filters and status documents', () => {
  it('reads the same instant through both entry points where their rules overlap', () => {
    for (const text of [
      '2015-05-01T10:20:31Z',
      '2024-02-29T00:00:00.5-01:30',
      '2024-01-01T00:00',
      '2011-05-08T10:49:37.1234567+0200',
      '9999-12-31T23:59:59.999z',
      '0000-01-01T00:00:00Z',
    ]) {
      expect(parseDateTime(text)?.getTime()).toBe(filterTime(text));
    }
  });

  it('status dates are right for years 0000-0099 too (leap day of year 0, offsets across a year end)', () => {
    expect(parseDateTime('0000-02-29T00:00:00Z')?.getTime()).toBe(utc(0, 2, 29));
    expect(parseDateTime('0050-12-31T23:00:00-02:00')?.getTime()).toBe(utc(51, 1, 1, 1));
    expect(parseDateTime('0099-03-01T12:00:00Z')?.getTime()).toBe(utc(99, 3, 1, 12));
    for (let y = 0; y <= 9999; y += y < 120 ? 1 : 97) {
      const p = (n: number, w: number) => String(n).padStart(w, '0');
      for (const [mo, d] of [
        [1, 1],
        [2, 28],
        [12, 31],
      ] as const) {
        const text = `${p(y, 4)}-${p(mo, 2)}-${p(d, 2)}T23:59:58.25Z`;
        expect(parseDateTime(text)?.getTime()).toBe(utc(y, mo, d, 23, 59, 58, 250));
      }
    }
  });

  it('keeps each side its own rules', () => {
    // Status documents: a space for T, a leap second, any number of fraction digits; never a bare date.
    expect(parseDateTime('2015-05-01 10:20:31Z')?.getTime()).toBe(utc(2015, 5, 1, 10, 20, 31));
    expect(parseDateTime('2016-12-31T23:59:60Z')?.getTime()).toBe(utc(2016, 12, 31, 23, 59, 59));
    expect(parseDateTime('2015-05-01T10:20:31.1234567890123Z')?.getTime()).toBe(
      utc(2015, 5, 1, 10, 20, 31, 123),
    );
    expect(parseDateTime('2015-05-01')).toBeUndefined();
    expect(parseDateTime(null as unknown as string)).toBeUndefined();
    expect(parseDateTime(20150501 as unknown as string)).toBeUndefined();
    // Filters: a bare date is midnight; no space, no leap second, at most 9 fraction digits.
    expect(filterTime('2015-05-01')).toBe(utc(2015, 5, 1));
    for (const bad of ['2015-05-01 10:20:31Z', '2016-12-31T23:59:60Z', '2015-05-01T10:20:31.1234567890Z']) {
      expect(() => parseFilter(`t eq DateTime'${bad}'`)).toThrow(/not a valid date-time/);
    }
  });
});
