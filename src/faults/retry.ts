// "Should I retry, and when?": the status rule Azure's SDKs use, transient service codes, and
// the Retry-After family of headers.

/** Response headers as a WHATWG `Headers` or a plain record (names compared without case). */
export type HeadersInput =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | number | undefined>>;

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
 * Milliseconds to wait from a `Retry-After` value: delay-seconds (`120`, a fraction tolerated)
 * or an HTTP-date (`Wed, 21 Oct 2015 07:28:00 GMT`) measured from `now`. A date in the past
 * gives 0; anything else gives `undefined`.
 *
 * @param now - the current time in milliseconds since the epoch @defaultValue `Date.now()`
 * @example
 * ```ts
 * parseRetryAfter('120'); // 120000
 * parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', Date.UTC(2015, 9, 21, 7, 28)); // 30000
 * ```
 */
export function parseRetryAfter(value: string | undefined, now?: number): number | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text.length === 0 || text.length > MAX_RETRY_AFTER_LENGTH) return undefined;
  const seconds = decimalOf(text);
  if (seconds !== undefined) return Math.round(seconds * 1000);
  const first = text.charCodeAt(0) | 0x20;
  // Every HTTP-date form (IMF-fixdate, RFC 850, asctime) starts with a day name.
  if (first < 0x61 || first > 0x7a) return undefined;
  const time = Date.parse(text);
  if (!Number.isFinite(time)) return undefined;
  const clock = typeof now === 'number' && Number.isFinite(now) ? now : Date.now();
  return Math.max(0, time - clock);
}

/** Milliseconds from a `retry-after-ms` style header: a plain non-negative number. */
export function parseRetryAfterMs(value: string | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text.length === 0 || text.length > MAX_RETRY_AFTER_LENGTH) return undefined;
  const ms = decimalOf(text);
  return ms === undefined ? undefined : Math.round(ms);
}

// `digits[.digits]`, checked by hand (no regex on header text).
function decimalOf(text: string): number | undefined {
  let dot = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e && !dot && i > 0 && i < text.length - 1) {
      dot = true;
      continue;
    }
    if (c < 0x30 || c > 0x39) return undefined;
  }
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
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
