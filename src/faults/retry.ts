// "Should I retry, and when?": the status rule Azure's SDKs use, transient service codes, and
// the Retry-After family of headers.

import type { HeadersInput } from '../core/service-fault.js';

export type { HeadersInput } from '../core/service-fault.js';

/**
 * True for 408, 429 and every 5xx except 501 (Not Implemented) and 505 (HTTP Version Not
 * Supported): the rule Azure's SDKs retry by.
 *
 * @example
 * ```ts
 * isRetriableStatus(503); // true
 * isRetriableStatus(501); // false
 * ```
 */
export function isRetriableStatus(status: number | undefined): boolean {
  // A number only: '503' must not pass through JavaScript's loose comparison.
  if (typeof status !== 'number') return false;
  return (
    status === 408 || status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505)
  );
}

/**
 * Service codes that name a transient condition, whatever the HTTP status. Azure Batch:
 * `ServerBusy` (503), `OperationTimedOut` and `InternalError` (500). HPC Pack: the broker or
 * session service was not reachable or not yet active. DLI: `DLI.0999` (server-side error) and
 * the API gateway's throttling code `APIGW.0308`.
 */
export const TRANSIENT_FAULT_CODES: ReadonlySet<string> = new Set([
  'ServerBusy',
  'OperationTimedOut',
  'InternalError',
  'TooManyRequests',
  'ServiceUnavailable',
  'BrokerNotActive',
  'FailedToConnectToSessionService',
  'FailedToConnectToBrokerService',
  'DLI.0999',
  'APIGW.0308',
]);

/** One header of `headers`, matched without regard to case; several values are joined by `, `. */
export function headerValue(headers: HeadersInput | undefined, name: string): string | undefined {
  if (headers === undefined || headers === null || typeof headers !== 'object') return undefined;
  try {
    if (typeof (headers as { get?: unknown }).get === 'function') {
      const value = (headers as { get(name: string): string | null }).get(name);
      return typeof value === 'string' ? value : undefined;
    }
    const wanted = name.toLowerCase();
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() !== wanted) continue;
      const value = (headers as Record<string, unknown>)[key];
      if (typeof value === 'string') return value;
      if (typeof value === 'number') return String(value);
      if (Array.isArray(value)) return value.filter((v) => typeof v === 'string').join(', ');
    }
  } catch {
    // A headers object whose getter throws is treated as having no such header.
  }
  return undefined;
}

// Longest header value looked at: longer ones are not a delay anyone sends.
const MAX_RETRY_AFTER_LENGTH = 64;

/**
 * The longest wait a `Retry-After` can ask for, in milliseconds: 2^31-1 (about 24.8 days), the
 * longest delay `setTimeout` can wait. A longer delay, or a later date, is read as this.
 */
export const MAX_RETRY_AFTER_MS = 2 ** 31 - 1;

/**
 * Milliseconds to wait from a `Retry-After` value: delay-seconds (`120`, a fraction tolerated)
 * or an HTTP-date in one of the three forms RFC 9110 allows (IMF-fixdate
 * `Sun, 06 Nov 1994 08:49:37 GMT`, RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT`, asctime
 * `Sun Nov  6 08:49:37 1994`), read strictly, measured from `now`. A date in the past gives 0; a
 * longer wait is capped at {@link MAX_RETRY_AFTER_MS}. Anything else gives `undefined`: other
 * date forms (`Mon, 1`), a number of more than 10 digits (64 nines is junk, not 1e67 ms),
 * negative numbers, values over 64 characters.
 *
 * @param now - the current time in milliseconds since the epoch @defaultValue `Date.now()`
 * @example
 * ```ts
 * parseRetryAfter('120'); // 120000
 * parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', Date.UTC(2015, 9, 21, 7, 28)); // 30000
 * parseRetryAfter('Mon, 1'); // undefined
 * ```
 */
export function parseRetryAfter(value: string | undefined, now?: number): number | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text.length === 0 || text.length > MAX_RETRY_AFTER_LENGTH) return undefined;
  const seconds = decimalOf(text, MAX_SECONDS_DIGITS);
  if (seconds !== undefined) return capped(seconds * 1000);
  const time = parseHttpDate(text, now);
  if (time === undefined) return undefined;
  const clock = typeof now === 'number' && Number.isFinite(now) ? now : Date.now();
  return capped(time - clock);
}

/**
 * Milliseconds from a `retry-after-ms` style header: a plain non-negative number of at most 13
 * digits, capped at {@link MAX_RETRY_AFTER_MS}.
 */
export function parseRetryAfterMs(value: string | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text.length === 0 || text.length > MAX_RETRY_AFTER_LENGTH) return undefined;
  const ms = decimalOf(text, MAX_MS_DIGITS);
  return ms === undefined ? undefined : capped(ms);
}

// delay-seconds past 10 digits (over 317 years) is not a delay but junk; so is a 14-digit ms value.
const MAX_SECONDS_DIGITS = 10;
const MAX_MS_DIGITS = 13;

function capped(ms: number): number {
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, Math.round(ms)));
}

// `digits[.digits]`, checked by hand (no regex on header text), at most `maxDigits` significant
// digits before the point.
function decimalOf(text: string, maxDigits: number): number | undefined {
  let dot = -1;
  let significant = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e && dot < 0 && i > 0 && i < text.length - 1) {
      dot = i;
      continue;
    }
    if (c < 0x30 || c > 0x39) return undefined;
    if (dot < 0 && (significant > 0 || c !== 0x30)) significant++;
  }
  if (significant > maxDigits) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

// ---- HTTP-date (RFC 9110 section 5.6.7) -------------------------------------------------------

const MONTHS = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec';
// Fixed-length, anchored patterns without nested repetition: linear on any text (and the text is
// at most 64 characters). Names are case-sensitive, as the grammar says.
const IMF_FIXDATE = new RegExp(
  `^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\\d\\d) (${MONTHS}) (\\d{4}) (\\d\\d):(\\d\\d):(\\d\\d) GMT$`,
);
const RFC850_DATE = new RegExp(
  `^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\\d\\d)-(${MONTHS})-(\\d\\d) (\\d\\d):(\\d\\d):(\\d\\d) GMT$`,
);
const ASCTIME_DATE = new RegExp(
  `^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (${MONTHS}) ([ \\d]\\d) (\\d\\d):(\\d\\d):(\\d\\d) (\\d{4})$`,
);

const MONTH_INDEX: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries(MONTHS.split('|').map((name, index) => [name, index])),
);

/**
 * Milliseconds since the epoch of an HTTP-date in one of RFC 9110's three forms, or `undefined`
 * for anything else (a day or time out of range included). An RFC 850 two-digit year more than
 * 50 years ahead of `now` is read in the previous century, as RFC 9110 requires.
 */
export function parseHttpDate(text: string, now?: number): number | undefined {
  if (typeof text !== 'string' || text.length > MAX_RETRY_AFTER_LENGTH) return undefined;
  let match = IMF_FIXDATE.exec(text);
  if (match !== null) return timestamp(+match[3]!, match[2]!, +match[1]!, match, 4);
  match = ASCTIME_DATE.exec(text);
  if (match !== null) return timestamp(+match[6]!, match[1]!, +match[2]!.trim(), match, 3);
  match = RFC850_DATE.exec(text);
  if (match === null) return undefined;
  const clock = typeof now === 'number' && Number.isFinite(now) ? now : Date.now();
  const thisYear = new Date(clock).getUTCFullYear();
  let year = thisYear - (thisYear % 100) + +match[3]!;
  if (year > thisYear + 50) year -= 100;
  return timestamp(year, match[2]!, +match[1]!, match, 4);
}

function daysIn(year: number, month: number): number {
  if (month !== 1) return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month]!;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

// The time of day is in `match` from index `at`: hour, minute, second (60 is a leap second).
function timestamp(
  year: number,
  monthName: string,
  day: number,
  match: RegExpExecArray,
  at: number,
): number | undefined {
  const month = MONTH_INDEX[monthName]!;
  const hour = +match[at]!;
  const minute = +match[at + 1]!;
  const second = +match[at + 2]!;
  if (day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 60) return undefined;
  const date = new Date(0);
  // setUTCFullYear: Date.UTC would read years 0-99 as 1900-1999.
  date.setUTCFullYear(year, month, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

/**
 * The delay a response asks for, from `retry-after-ms`, `x-ms-retry-after-ms` (what Azure
 * services send for sub-second hints) or `Retry-After`, in that order.
 *
 * @example
 * ```ts
 * retryAfterMsOf(new Headers({ 'Retry-After': '2' })); // 2000
 * ```
 */
export function retryAfterMsOf(headers: HeadersInput | undefined, now?: number): number | undefined {
  return (
    parseRetryAfterMs(headerValue(headers, 'retry-after-ms')) ??
    parseRetryAfterMs(headerValue(headers, 'x-ms-retry-after-ms')) ??
    parseRetryAfter(headerValue(headers, 'retry-after'), now)
  );
}
