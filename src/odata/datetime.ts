// DateTime literal text <-> instants. Hand-written scanners (no regex on user text), exact ranges;
// the ISO 8601 reader is shared with the status documents (core/iso-date).
import { isDigit } from '../core/chars.js';
import { type IsoDateRules, parseIsoDateTime, utcInstant } from '../core/iso-date.js';

/** The hint for a DateTime literal that is not one. */
export const HINT_DATETIME_FORMS =
  "use ISO 8601 (DateTime'2011-05-08T08:49:37Z') or RFC 1123 (DateTime'Sun, 08 May 2011 08:49:37 GMT')";

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** `count` digits at `at` as a number, or -1 (also when they would run past `end`). */
function digits(text: string, at: number, count: number, end = text.length): number {
  if (at + count > end) return -1;
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const c = text.charCodeAt(i);
    if (!isDigit(c)) return -1;
    n = n * 10 + (c - 0x30);
  }
  return n;
}

/** DateTime'...' in Batch filters: a date alone is midnight UTC; `T` only; up to 9 fraction digits. */
const FILTER_DATE_RULES: IsoDateRules = {
  dateOnly: true,
  spaceSeparator: false,
  leapSecond: false,
  maxFractionDigits: 9,
};

/** `Sun, 08 May 2011 08:49:37 GMT` (RFC 1123, as .NET's "r" format writes it). */
function parseRfc1123(text: string): number {
  const dayName = text.slice(0, 3).toLowerCase();
  if (!DAY_NAMES.includes(dayName) || text.charCodeAt(3) !== 0x2c || text.charCodeAt(4) !== 0x20) {
    return Number.NaN;
  }
  let at = 5;
  let d = digits(text, at, 2);
  if (d >= 0) at += 2;
  else {
    d = digits(text, at, 1);
    if (d < 0) return Number.NaN;
    at += 1;
  }
  if (text.charCodeAt(at) !== 0x20) return Number.NaN;
  const mo = MONTH_NAMES.indexOf(text.slice(at + 1, at + 4).toLowerCase()) + 1;
  if (mo === 0 || text.charCodeAt(at + 4) !== 0x20) return Number.NaN;
  at += 5;
  const y = digits(text, at, 4);
  if (y < 0 || text.charCodeAt(at + 4) !== 0x20) return Number.NaN;
  at += 5;
  const h = digits(text, at, 2);
  const mi = digits(text, at + 3, 2);
  const s = digits(text, at + 6, 2);
  if (h < 0 || mi < 0 || s < 0 || text.charCodeAt(at + 2) !== 0x3a || text.charCodeAt(at + 5) !== 0x3a) {
    return Number.NaN;
  }
  if (text.charCodeAt(at + 8) !== 0x20) return Number.NaN;
  const zone = text.slice(at + 9);
  if (zone !== 'GMT' && zone !== 'UTC') return Number.NaN;
  return utcInstant(y, mo, d, h, mi, s, 0);
}

/** The instant an ISO 8601 or RFC 1123 date-time denotes (ms since the epoch), or NaN. */
export function parseDateTimeText(text: string, start = 0, end = text.length): number {
  if (end - start < 10 || end - start > 64) return Number.NaN;
  if (isDigit(text.charCodeAt(start))) return parseIsoDateTime(text, start, end, FILTER_DATE_RULES);
  return parseRfc1123(start === 0 && end === text.length ? text : text.slice(start, end));
}

/** Whether `text` starting at `at` looks like the start of an ISO date: `dddd-dd-dd`. */
export function looksLikeIsoDate(text: string, at: number): boolean {
  return (
    digits(text, at, 4) >= 0 &&
    text.charCodeAt(at + 4) === 0x2d &&
    digits(text, at + 5, 2) >= 0 &&
    text.charCodeAt(at + 7) === 0x2d &&
    digits(text, at + 8, 2) >= 0
  );
}

/** ISO 8601 UTC text for a Date: `2011-05-08T08:49:37Z`, with `.mmm` only when not zero. */
export function dateToLiteralText(date: Date): string {
  const iso = date.toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}
