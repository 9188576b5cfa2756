// URL and header building shared by the request descriptors: every caller-supplied value is
// encoded or refused, never spliced in raw, so no id can change the path, query or headers.
import { BatchwireError } from '../core/errors.js';
import { percentEncode } from '../core/percent.js';

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
  /** Extra headers (authorization, tracing...), added after the operation's own. */
  headers?: Readonly<Record<string, string>>;
}

function invalid(message: string): BatchwireError {
  return new BatchwireError('INVALID_ARGUMENT', message, 0);
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
export function encodePathSegment(value: string | number, name: string): string {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0)
      throw invalid(`${name} must be a non-negative integer or a string`);
    return String(value);
  }
  if (typeof value !== 'string') throw invalid(`${name} must be a string`);
  if (value === '') throw invalid(`${name} is empty`);
  if (value === '.' || value === '..')
    throw invalid(`${name} ${JSON.stringify(value)} is a dot segment, which URL parsers remove`);
  return encodeComponent(value, name);
}

/** encodeURIComponent plus the sub-delimiters it leaves alone (`!'()*`). */
export function encodeComponent(value: string, name: string): string {
  return percentEncode(value, name, 'INVALID_ARGUMENT');
}

/** The base URL without a trailing slash; http(s) only, no query, fragment or credentials. */
export function baseUrlOf(baseUrl: string, name = 'baseUrl'): string {
  if (typeof baseUrl !== 'string') throw invalid(`${name} must be a string`);
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw invalid(`${name} ${JSON.stringify(baseUrl.slice(0, 200))} is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw invalid(`${name} must be an http or https URL`);
  if (url.search !== '' || url.hash !== '') throw invalid(`${name} must not have a query or fragment`);
  if (url.username !== '' || url.password !== '') throw invalid(`${name} must not carry credentials`);
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

// RFC 9110 token characters: what a header name may contain.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Sets a header on a descriptor's record, checking the name is a token and the value has no line break. */
export function setHeader(headers: Record<string, string>, name: string, value: string): void {
  if (typeof name !== 'string' || !TOKEN.test(name))
    throw invalid(`header name ${JSON.stringify(name)} is not a token`);
  if (typeof value !== 'string') throw invalid(`header ${name} must be a string`);
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x0a || c === 0x0d || c === 0x00) throw invalid(`header ${name} contains a line break or NUL`);
  }
  // defineProperty: a header named __proto__ stays an ordinary key.
  Object.defineProperty(headers, name.toLowerCase(), {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** Adds the caller's extra headers. */
export function addHeaders(
  headers: Record<string, string>,
  extra: Readonly<Record<string, string>> | undefined,
): void {
  if (extra === undefined) return;
  for (const name of Object.keys(extra)) setHeader(headers, name, extra[name]!);
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
    throw invalid(`${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** Checks an optional boolean option. */
export function booleanOption(value: boolean | undefined, name: string): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') throw invalid(`${name} must be a boolean`);
  return value;
}

/** Checks an optional string option. */
export function stringOption(value: string | undefined, name: string): string | undefined {
  if (value !== undefined && typeof value !== 'string') throw invalid(`${name} must be a string`);
  return value;
}
