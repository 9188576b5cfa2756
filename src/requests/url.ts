// URL and header building shared by the request descriptors: every caller-supplied value is
// encoded or refused, never spliced in raw, so no id can change the path, query or headers.
import { bodyBytes } from '../core/bytes.js';
import { BatchwireError, invalidArgument, isBatchwireError } from '../core/errors.js';
import { checkHeaderValue, isToken } from '../core/headers.js';
import { isArray } from '../core/options.js';
import { percentEncode } from '../core/percent.js';
import { loneSurrogateIndex } from '../core/unicode.js';

/** An HTTP request, described: the caller's HTTP client sends it. */
export interface RequestDescriptor {
  method: 'GET' | 'POST' | 'DELETE';
  /** Absolute URL, every path segment and query value percent-encoded. */
  url: string;
  /** Header names in lowercase. */
  headers: Record<string, string>;
  /** The request body, when the operation has one (bytes over an `ArrayBuffer`: a fetch `BodyInit`). */
  body?: string | Uint8Array<ArrayBuffer>;
}

/** Options every operation takes. */
export interface CommonRequestOptions {
  /**
   * Extra headers (authorization, tracing...), added after the operation's own: a record, a
   * WHATWG `Headers`, a `Map` or `[name, value]` pairs. Values are checked like the operation's
   * own (no control characters, line breaks or characters above U+00FF: `INVALID_FIELD`).
   */
  headers?: HeadersOption | null;
}

/**
 * Percent-encodes one path segment: everything but RFC 3986 unreserved characters, so `/`,
 * `?`, `#`, `%` and `\` in an id are data, not structure. Empty values and the dot segments
 * `.` and `..` are refused: URL parsers remove those segments (also when written `%2E%2E`).
 *
 * @throws {@link BatchwireError} `INVALID_ARGUMENT`
 * @example
 * ```ts
 * encodePathSegment('job/1 a', 'jobId'); // 'job%2F1%20a'
 * ```
 */
export function encodePathSegment(value: string | number, name = 'value'): string {
  // The name only labels messages: anything but a string would make them throw.
  if (typeof name !== 'string') name = 'value';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0)
      throw invalidArgument(`${name} must be a non-negative integer or a string`);
    return String(value);
  }
  if (typeof value !== 'string') throw invalidArgument(`${name} must be a string`);
  if (value === '') throw invalidArgument(`${name} is empty`);
  if (value === '.' || value === '..')
    throw invalidArgument(`${name} ${JSON.stringify(value)} is a dot segment, which URL parsers remove`);
  return encodeComponent(value, name);
}

/** encodeURIComponent plus the sub-delimiters it leaves alone (`!'()*`). */
export function encodeComponent(value: string, name: string): string {
  return percentEncode(value, name, 'INVALID_ARGUMENT');
}

/** The base URL without a trailing slash; http(s) only, no query, fragment or credentials. */
export function baseUrlOf(baseUrl: string, name = 'baseUrl'): string {
  if (typeof baseUrl !== 'string') throw invalidArgument(`${name} must be a string`);
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw invalidArgument(`${name} ${JSON.stringify(baseUrl.slice(0, 200))} is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw invalidArgument(`${name} must be an http or https URL`);
  if (url.search !== '' || url.hash !== '')
    throw invalidArgument(`${name} must not have a query or fragment`);
  if (url.username !== '' || url.password !== '') throw invalidArgument(`${name} must not carry credentials`);
  let path = url.pathname;
  while (path.endsWith('/')) path = path.slice(0, -1);
  return `${url.origin}${path}`;
}

/** Query parameters in order, `undefined` values left out. */
export type QueryEntries = ReadonlyArray<readonly [string, string | number | boolean | undefined]>;

/**
 * `?a=1&b=x%20y`, or `''` when no value is set. Values are RFC 3986 percent-encoded (space as
 * `%20`, as the Azure SDKs and `buildListQuery` write it; `+` would read as a plus to some
 * servers); keys are the fixed names of the API (`$filter` keeps its `$`).
 */
export function queryString(entries: QueryEntries): string {
  const parts: string[] = [];
  for (const [key, value] of entries) {
    if (value === undefined) continue;
    parts.push(`${key}=${encodeComponent(String(value), `query parameter ${key}`)}`);
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

function invalidField(message: string, offset: number): BatchwireError {
  return new BatchwireError('INVALID_FIELD', message, offset);
}

/**
 * Sets a header on a descriptor's record: the name must be a token (`INVALID_ARGUMENT`), the
 * value a string HTTP can carry (see {@link checkHeaderValue}, `INVALID_FIELD`).
 */
export function setHeader(headers: Record<string, string>, name: string, value: string): void {
  if (typeof name !== 'string' || !isToken(name))
    throw invalidArgument(`header name ${JSON.stringify(String(name).slice(0, 100))} is not a token`);
  if (typeof value !== 'string') throw invalidArgument(`header ${name} must be a string`);
  checkHeaderValue(name, value);
  // defineProperty: a header named __proto__ stays an ordinary key.
  Object.defineProperty(headers, name.toLowerCase(), {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** Extra headers as a caller gives them: a record, a WHATWG `Headers`, a `Map` or `[name, value]` pairs. */
export type HeadersOption =
  | Readonly<Record<string, string>>
  | Iterable<readonly [string, string]>
  | { forEach(callback: (value: string, name: string) => void): void };

/**
 * Adds the caller's extra headers. `undefined` and `null` add none; a record, a `Headers`, a
 * `Map` or a list of pairs adds each; anything else, or one that throws while being read, is
 * `INVALID_ARGUMENT`.
 */
export function addHeaders(headers: Record<string, string>, extra: HeadersOption | null | undefined): void {
  if (extra === undefined || extra === null) return;
  if (typeof extra !== 'object') throw invalidArgument(`headers must be an object, got ${typeof extra}`);
  const pairs: [unknown, unknown][] = [];
  try {
    if (typeof (extra as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function') {
      for (const pair of extra as Iterable<unknown>) {
        if (!isArray(pair) || pair.length !== 2)
          throw invalidArgument('headers must list [name, value] pairs');
        pairs.push([pair[0], pair[1]]);
      }
    } else {
      for (const name of Object.keys(extra)) pairs.push([name, (extra as Record<string, unknown>)[name]]);
    }
  } catch (error) {
    if (isBatchwireError(error)) throw error;
    throw new BatchwireError('INVALID_ARGUMENT', 'reading the headers option threw', 0, { cause: error });
  }
  for (const [name, value] of pairs) setHeader(headers, name as string, value as string);
}

/**
 * A request body: a string (sent as UTF-8, so a lone surrogate, which has no UTF-8 form, is
 * `INVALID_FIELD`), or bytes (`Uint8Array`, `ArrayBuffer`, any `ArrayBufferView`). A fetch body
 * must be bytes over a plain `ArrayBuffer`: a view of a shared or resizable buffer is copied.
 */
export function checkBody(body: unknown, name = 'body'): string | Uint8Array<ArrayBuffer> {
  if (typeof body === 'string') {
    const bad = loneSurrogateIndex(body);
    if (bad >= 0) throw invalidField(`${name} contains a lone surrogate, which has no UTF-8 form`, bad);
    return body;
  }
  // Read through the engine's own accessors: a fake or a proxy is not bytes, shared memory is copied.
  const bytes = bodyBytes(body);
  if (bytes === undefined) throw invalidArgument(`${name} must be a string or bytes`);
  return bytes;
}

/**
 * A value as JSON text for a request body. What `JSON.stringify` cannot write (a cycle, a
 * `BigInt`, nesting deeper than the engine's stack, a `toJSON` that throws, nothing at all) is
 * `INVALID_FIELD`, never the engine's own TypeError or RangeError.
 */
export function jsonBody(value: unknown, name = 'body'): string {
  let text: unknown;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    const why =
      error instanceof RangeError
        ? 'it is nested too deeply'
        : `${(error as Error)?.message ?? 'JSON.stringify failed'}`.slice(0, 200);
    throw new BatchwireError('INVALID_FIELD', `${name} cannot be written as JSON: ${why}`, 0, {
      cause: error,
    });
  }
  if (typeof text !== 'string') throw invalidField(`${name} has no JSON form`, 0);
  return text;
}

/**
 * Wraps an operation so that it reads its options argument once, into a plain copy: an options
 * value that is not an object is `INVALID_ARGUMENT`, and so is one whose getters (or proxy traps)
 * throw. The operation then sees data only.
 */
export function operation<O extends object, R>(describe: (options: O) => R): (options: O) => R {
  return (options) => describe(plainOptions(options));
}

function plainOptions<O extends object>(options: O): O {
  if (typeof options !== 'object' || options === null || isArray(options)) {
    throw invalidArgument(`expected an options object, got ${options === null ? 'null' : typeof options}`);
  }
  const copy: Record<string, unknown> = {};
  try {
    // for...in: own and inherited enumerable options alike (an options class works too).
    for (const key in options) {
      Object.defineProperty(copy, key, {
        value: (options as Record<string, unknown>)[key],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  } catch (error) {
    throw new BatchwireError('INVALID_ARGUMENT', 'reading the options threw', 0, { cause: error });
  }
  return copy as O;
}

/** Checks an optional integer option against a range. */
export function integerOption(
  value: number | undefined,
  name: string,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalidArgument(`${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** Checks an optional boolean option. */
export function booleanOption(value: boolean | undefined, name: string): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') throw invalidArgument(`${name} must be a boolean`);
  return value;
}

/** Checks an optional string option. */
export function stringOption(value: string | undefined, name: string): string | undefined {
  if (value !== undefined && typeof value !== 'string') throw invalidArgument(`${name} must be a string`);
  return value;
}
