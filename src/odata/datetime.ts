// DateTime literal text <-> instants. Hand-written scanners (no regex on user text), exact ranges.

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

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

// Two digits at `at` (the caller has checked the bounds), or -1. `>>> 0` folds both range tests into one.
function two(text: string, at: number): number {
  const a = text.charCodeAt(at) - 0x30;
  const b = text.charCodeAt(at + 1) - 0x30;
  return a >>> 0 <= 9 && b >>> 0 <= 9 ? a * 10 + b : -1;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). Years
// here are 0-9999: shifted up one era they stay positive, so `| 0` is an exact floor (no Math.floor).
function daysFromCivil(y: number, m: number, d: number): number {
  y += m <= 2 ? 399 : 400;
  const era = (y / 400) | 0;
  const yoe = y - era * 400;
  const doy = (((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) | 0) + d - 1;
  const doe = yoe * 365 + ((yoe / 4) | 0) - ((yoe / 100) | 0) + doy;
  return (era - 1) * 146097 + doe - 719468;
}

function instant(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return Number.NaN;
  return daysFromCivil(y, mo, d) * 86_400_000 + h * 3_600_000 + mi * 60_000 + s * 1000 + ms;
}

/**
 * `YYYY-MM-DD[Thh:mm[:ss[.f...]]][Z|±hh:mm|±hhmm]` in text[start, end); no offset means UTC (as
 * Batch reads it). Returns milliseconds since the epoch, or NaN. Reads in place: no slicing.
 */
function parseIso(text: string, start: number, end: number): number {
  const length = end - start;
  // Every form is at least YYYY-MM-DD; a time needs Thh:mm too.
  if (length !== 10 && length < 16) return Number.NaN;
  const century = two(text, start);
  const year = two(text, start + 2);
  const mo = two(text, start + 5);
  const d = two(text, start + 8);
  if (century < 0 || year < 0 || mo < 0 || d < 0) return Number.NaN;
  const y = century * 100 + year;
  if (text.charCodeAt(start + 4) !== 0x2d || text.charCodeAt(start + 7) !== 0x2d) return Number.NaN;
  if (length === 10) return instant(y, mo, d, 0, 0, 0, 0);
  const t = text.charCodeAt(start + 10);
  if (t !== 0x54 && t !== 0x74) return Number.NaN; // T or t
  const h = two(text, start + 11);
  const mi = two(text, start + 14);
  if (h < 0 || mi < 0 || text.charCodeAt(start + 13) !== 0x3a) return Number.NaN;
  let at = start + 16;
  let s = 0;
  let ms = 0;
  if (at < end && text.charCodeAt(at) === 0x3a) {
    s = digits(text, at + 1, 2, end);
    if (s < 0) return Number.NaN;
    at += 3;
    if (at < end && text.charCodeAt(at) === 0x2e) {
      at++;
      const first = at;
      let scale = 100;
      while (at < end && isDigit(text.charCodeAt(at))) {
        // Keep milliseconds; finer digits are read but truncated.
        ms += (text.charCodeAt(at) - 0x30) * scale;
        scale /= 10;
        at++;
      }
      if (at === first || at - first > 9) return Number.NaN;
      ms = Math.floor(ms);
    }
  }
  let offset = 0;
  if (at < end) {
    const c = text.charCodeAt(at);
    if ((c === 0x5a || c === 0x7a) && at + 1 === end) {
      at++;
    } else if (c === 0x2b || c === 0x2d) {
      const oh = digits(text, at + 1, 2, end);
      if (oh < 0 || oh > 23) return Number.NaN;
      let om: number;
      if (at + 3 < end && text.charCodeAt(at + 3) === 0x3a) {
        om = digits(text, at + 4, 2, end);
        at += 6;
      } else {
        om = digits(text, at + 3, 2, end);
        at += 5;
      }
      if (om < 0 || om > 59 || at !== end) return Number.NaN;
      offset = (c === 0x2d ? -1 : 1) * (oh * 60 + om) * 60_000;
    } else {
      return Number.NaN;
    }
  }
  return instant(y, mo, d, h, mi, s, ms) - offset;
}

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
  return instant(y, mo, d, h, mi, s, 0);
}

/** The instant an ISO 8601 or RFC 1123 date-time denotes (ms since the epoch), or NaN. */
export function parseDateTimeText(text: string, start = 0, end = text.length): number {
  if (end - start < 10 || end - start > 64) return Number.NaN;
  if (isDigit(text.charCodeAt(start))) return parseIso(text, start, end);
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
