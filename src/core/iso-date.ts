// ISO 8601 / RFC 3339 date-times, read in place by a hand-written scanner: no regex on untrusted
// text, no engine-specific `Date.parse` leniency, exact calendar checks over years 0000-9999.

/** What a caller accepts beyond `YYYY-MM-DDThh:mm[:ss[.f...]][Z|±hh:mm|±hhmm]`. */
export interface IsoDateRules {
  /** A date alone, `YYYY-MM-DD`, is midnight UTC. */
  readonly dateOnly: boolean;
  /** A space may stand for the `T` (RFC 3339 allows it). */
  readonly spaceSeparator: boolean;
  /** Second 60 (a leap second) is read as 59, the last instant of the minute. */
  readonly leapSecond: boolean;
  /** Most fraction digits accepted (finer than milliseconds is read, then truncated). */
  readonly maxFractionDigits: number;
}

const HYPHEN = 0x2d; // -
const COLON = 0x3a; // :
const DOT = 0x2e; // .
const PLUS = 0x2b; // +
const SPACE = 0x20;
const DIGIT_0 = 0x30;
const UPPER_T = 0x54;
const LOWER_T = 0x74;
const UPPER_Z = 0x5a;
const LOWER_Z = 0x7a;

/** Two digits at `at` as a number, or -1 (also past the end: `charCodeAt` is NaN there). */
function two(text: string, at: number): number {
  const a = text.charCodeAt(at) - DIGIT_0;
  const b = text.charCodeAt(at + 1) - DIGIT_0;
  // `>>> 0` folds both range tests (0-9) into one, and turns NaN into 0 only after the test fails.
  return a >>> 0 <= 9 && b >>> 0 <= 9 ? a * 10 + b : -1;
}

/** Days in `month` (1-12) of proleptic Gregorian `year`. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). Years
// here are 0-9999: shifted up one era they stay positive, so `| 0` is an exact floor.
function daysFromCivil(y: number, m: number, d: number): number {
  y += m <= 2 ? 399 : 400;
  const era = (y / 400) | 0;
  const yoe = y - era * 400;
  const doy = (((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) | 0) + d - 1;
  const doe = yoe * 365 + ((yoe / 4) | 0) - ((yoe / 100) | 0) + doy;
  return (era - 1) * 146097 + doe - 719468;
}

/**
 * Milliseconds since the epoch of a UTC calendar date and time, or NaN when a field is out of
 * range (month 1-12, a day that exists in that month, hour 0-23, minute and second 0-59).
 */
export function utcInstant(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  ms: number,
): number {
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return Number.NaN;
  return daysFromCivil(y, mo, d) * 86_400_000 + h * 3_600_000 + mi * 60_000 + s * 1000 + ms;
}

/**
 * The instant `text[start, end)` denotes as an ISO 8601 date-time under `rules`, in
 * milliseconds since 1970-01-01T00:00:00Z, or NaN. No offset means UTC (as Azure reads it);
 * fraction digits past milliseconds are truncated.
 */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: the ISO 8601 grammar read character by character in one hot function; each branch is one production, and helpers would cost calls per character
export function parseIsoDateTime(text: string, start: number, end: number, rules: IsoDateRules): number {
  const length = end - start;
  // Every form is at least YYYY-MM-DD; a time needs Thh:mm too.
  if (length < 16 && !(rules.dateOnly && length === 10)) return Number.NaN;
  const century = two(text, start);
  const year = two(text, start + 2);
  const mo = two(text, start + 5);
  const d = two(text, start + 8);
  if (century < 0 || year < 0 || mo < 0 || d < 0) return Number.NaN;
  if (text.charCodeAt(start + 4) !== HYPHEN || text.charCodeAt(start + 7) !== HYPHEN) return Number.NaN;
  const y = century * 100 + year;
  if (length === 10) return utcInstant(y, mo, d, 0, 0, 0, 0);
  const t = text.charCodeAt(start + 10);
  if (t !== UPPER_T && t !== LOWER_T && !(t === SPACE && rules.spaceSeparator)) return Number.NaN;
  const h = two(text, start + 11);
  const mi = two(text, start + 14);
  if (h < 0 || mi < 0 || text.charCodeAt(start + 13) !== COLON) return Number.NaN;
  let at = start + 16;
  let s = 0;
  let ms = 0;
  if (at < end && text.charCodeAt(at) === COLON) {
    s = at + 3 <= end ? two(text, at + 1) : -1;
    if (s < 0) return Number.NaN;
    if (s === 60 && rules.leapSecond) s = 59;
    at += 3;
    if (at < end && text.charCodeAt(at) === DOT) {
      at++;
      const first = at;
      let scale = 100;
      for (; at < end; at++) {
        const digit = text.charCodeAt(at) - DIGIT_0;
        if (digit >>> 0 > 9) break;
        ms += digit * scale;
        scale /= 10;
      }
      if (at === first || at - first > rules.maxFractionDigits) return Number.NaN;
      ms = Math.floor(ms);
    }
  }
  let offset = 0;
  if (at < end) {
    const c = text.charCodeAt(at);
    if ((c === UPPER_Z || c === LOWER_Z) && at + 1 === end) {
      at++;
    } else if (c === PLUS || c === HYPHEN) {
      const oh = at + 3 <= end ? two(text, at + 1) : -1;
      if (oh < 0 || oh > 23) return Number.NaN;
      // ±hh:mm or ±hhmm
      const colon = at + 3 < end && text.charCodeAt(at + 3) === COLON ? 1 : 0;
      const om = at + 5 + colon <= end ? two(text, at + 3 + colon) : -1;
      at += 5 + colon;
      if (om < 0 || om > 59 || at !== end) return Number.NaN;
      offset = (c === HYPHEN ? -1 : 1) * (oh * 60 + om) * 60_000;
    } else {
      return Number.NaN;
    }
  }
  return utcInstant(y, mo, d, h, mi, s, ms) - offset;
}
