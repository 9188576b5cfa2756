// Reading what the signers and verifiers are given: a request descriptor (signers) or an incoming
// request (verifiers), both of arbitrary shape. Everything is read once, inside a try, into plain
// data; a getter or proxy trap that throws is INVALID_ARGUMENT, never the trap's own exception.
// Messages name the field, never its value: a header value may be a credential.
import { normaliseBody } from '../core/body.js';
import { BatchwireError, invalidArgument, isBatchwireError } from '../core/errors.js';
import { checkHeaderValue, isToken } from '../core/headers.js';

/**
 * Headers as a caller holds them: a record, a WHATWG `Headers`, a `Map`, or `[name, value]`
 * pairs. Names are case-insensitive, as in HTTP.
 */
export type AuthHeaders =
  | Readonly<Record<string, string>>
  | ReadonlyArray<readonly [string, string]>
  | { forEach(callback: (value: string, name: string) => void): void };

/**
 * A request to sign: a request descriptor, as every `batchwire/requests` function returns
 * (`{ method, url, headers, body? }`), or any object of that shape.
 */
export interface SignableRequest {
  /** The HTTP method, e.g. `GET` (signed as written: the services expect it in upper case). */
  method: string;
  /** The absolute `http:` or `https:` URL the request goes to. */
  url: string;
  headers?: AuthHeaders | null;
  /** The body: text (sent as UTF-8) or bytes. */
  body?: string | Uint8Array | ArrayBuffer | ArrayBufferView | null;
}

/**
 * A signed request: the descriptor given, with every property kept, and `headers` a new record
 * holding the given headers plus the ones the signer added.
 */
export type SignedRequest<R extends SignableRequest> = Omit<R, 'headers'> & {
  headers: Record<string, string>;
};

/**
 * Headers as a server receives them: besides the forms of {@link AuthHeaders}, a record whose
 * values may be lists or missing, as Node's `IncomingMessage.headers` is.
 */
export type IncomingHeaders = AuthHeaders | Readonly<Record<string, string | readonly string[] | undefined>>;

/** A request as a server received it, for the verifiers. */
export interface IncomingRequest {
  /** The request method. */
  method: string;
  /** The request target as received (`/jobs?api-version=...`, Node's `request.url`) or an absolute URL. */
  url: string;
  headers: IncomingHeaders;
  /** The body bytes (or text), when the request had one. */
  body?: string | Uint8Array | ArrayBuffer | ArrayBufferView | null;
}

/** One header: its name as given, and its value. */
export interface Header {
  name: string;
  value: string;
}

/** Headers by lowercase name, in the order given. */
export type HeaderList = Map<string, Header>;

/** What a signer reads from a descriptor. */
export interface SignableSnapshot {
  method: string;
  /** The URL as given. */
  url: string;
  parsed: URL;
  headers: HeaderList;
  body: string | Uint8Array | undefined;
  /** The descriptor's own enumerable properties, copied into the signed descriptor. */
  own: [string, unknown][];
}

/** What a verifier reads from an incoming request. */
export interface IncomingSnapshot {
  method: string;
  /** The target as URL, or `undefined` when it cannot be read as one. */
  parsed: URL | undefined;
  /** Whether the target was an absolute URL (an origin-form target names no host). */
  absolute: boolean;
  headers: HeaderList;
  body: string | Uint8Array | undefined;
}

/** `Array.isArray`, which throws for a revoked proxy: that is INVALID_ARGUMENT here. */
export function isArray(value: unknown, what: string): boolean {
  try {
    return Array.isArray(value);
  } catch (error) {
    throw new BatchwireError(
      'INVALID_ARGUMENT',
      `${what}: an argument cannot be read (a revoked proxy?)`,
      0,
      {
        cause: error,
      },
    );
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  try {
    if (Array.isArray(value)) return 'an array';
  } catch {
    return 'a revoked proxy';
  }
  return typeof value;
}

/** The options argument as an object; nothing else (and a string's text is never echoed). */
export function optionsOf(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || isArray(value, what)) {
    throw invalidArgument(`${what}: options must be an object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

/** `object[key]`, a throwing getter or proxy trap turned into INVALID_ARGUMENT. */
export function read(object: Record<string, unknown>, key: string, what: string): unknown {
  try {
    return object[key];
  } catch (error) {
    throw new BatchwireError('INVALID_ARGUMENT', `${what}: reading ${key} threw`, 0, { cause: error });
  }
}

/** A required string option, never echoed in a message (it may be a secret). */
export function secretOption(options: Record<string, unknown>, key: string, what: string): string {
  const value = read(options, key, what);
  if (typeof value !== 'string')
    throw invalidArgument(`${what}: ${key} must be a string, got ${describe(value)}`);
  if (value === '') throw invalidArgument(`${what}: ${key} is empty`);
  return value;
}

/** A date option: a valid `Date` or a finite number of milliseconds; `undefined` (or `null`) when not set. */
export function dateOption(options: Record<string, unknown>, key: string, what: string): Date | undefined {
  const value = read(options, key, what);
  if (value === undefined || value === null) return undefined;
  let time: number | undefined;
  if (typeof value === 'number') time = value;
  else {
    try {
      // instanceof throws for a revoked proxy, getTime for an impostor with Date's prototype.
      if (value instanceof Date) time = Date.prototype.getTime.call(value);
    } catch {
      time = undefined;
    }
  }
  if (time === undefined)
    throw invalidArgument(
      `${what}: ${key} must be a Date or a number of milliseconds, got ${describe(value)}`,
    );
  // Years 0 to 9999: the date formats both services use have four-digit years.
  if (!Number.isFinite(time) || time < -62167219200000 || time > 253402300799999) {
    throw invalidArgument(`${what}: ${key} must be a valid date between the years 0 and 9999`);
  }
  return new Date(time);
}

function entriesOf(headers: unknown, what: string): [unknown, unknown][] {
  if (headers === undefined || headers === null) return [];
  if (typeof headers !== 'object')
    throw invalidArgument(`${what}: headers must be an object, got ${typeof headers}`);
  const pairs: [unknown, unknown][] = [];
  try {
    if (Array.isArray(headers)) {
      for (const pair of headers as unknown[]) {
        if (!Array.isArray(pair) || pair.length !== 2)
          throw invalidArgument(`${what}: headers must list [name, value] pairs`);
        pairs.push([pair[0], pair[1]]);
      }
    } else if (typeof (headers as { forEach?: unknown }).forEach === 'function') {
      // A WHATWG Headers or a Map: forEach(value, name).
      (headers as { forEach(callback: (value: unknown, name: unknown) => void): void }).forEach(
        (value, name) => {
          pairs.push([name, value]);
        },
      );
    } else {
      for (const name of Object.keys(headers)) pairs.push([name, (headers as Record<string, unknown>)[name]]);
    }
  } catch (error) {
    if (isBatchwireError(error)) throw error;
    throw new BatchwireError('INVALID_ARGUMENT', `${what}: reading the headers threw`, 0, { cause: error });
  }
  return pairs;
}

/**
 * A descriptor's headers: names must be tokens and given once (in any letter case), values strings
 * HTTP can carry (`INVALID_FIELD` otherwise, as `batchwire/requests` refuses them).
 */
function signableHeaders(headers: unknown, what: string): HeaderList {
  const list: HeaderList = new Map();
  for (const [name, value] of entriesOf(headers, what)) {
    if (typeof name !== 'string' || !isToken(name))
      throw invalidArgument(`${what}: a header name is not a token`);
    if (typeof value !== 'string')
      throw invalidArgument(`${what}: header ${name} must be a string, got ${describe(value)}`);
    checkHeaderValue(name, value);
    const key = name.toLowerCase();
    if (list.has(key))
      throw invalidArgument(`${what}: header ${name} is given twice (names are case-insensitive)`);
    list.set(key, { name, value });
  }
  return list;
}

/**
 * An incoming request's headers: a list value is joined with `, ` (as HTTP combines repeated
 * fields), a missing one skipped, and a name given twice joined the same way.
 */
function incomingHeaders(headers: unknown, what: string): HeaderList {
  if (headers === undefined || headers === null)
    throw invalidArgument(`${what}: request.headers is required`);
  const list: HeaderList = new Map();
  for (const [name, raw] of entriesOf(headers, what)) {
    if (typeof name !== 'string') throw invalidArgument(`${what}: a header name is not a string`);
    if (raw === undefined) continue;
    let value: string | undefined;
    if (typeof raw === 'string') value = raw;
    else {
      try {
        if (Array.isArray(raw) && raw.every((item) => typeof item === 'string')) value = raw.join(', ');
      } catch {
        // A revoked proxy, or a list whose items throw.
        value = undefined;
      }
    }
    if (value === undefined)
      throw invalidArgument(
        `${what}: header ${name} must be a string or a list of strings, got ${describe(raw)}`,
      );
    const key = name.toLowerCase();
    const before = list.get(key);
    list.set(key, { name, value: before === undefined ? value : `${before.value}, ${value}` });
  }
  return list;
}

function bodyOf(body: unknown, what: string): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  let normalised: string | Uint8Array | undefined;
  try {
    normalised = normaliseBody(body);
  } catch (error) {
    throw new BatchwireError(
      'INVALID_ARGUMENT',
      `${what}: the body's bytes cannot be read (a detached buffer?)`,
      0,
      {
        cause: error,
      },
    );
  }
  if (normalised === undefined) {
    throw invalidArgument(
      `${what}: body must be a string, Uint8Array, ArrayBuffer or ArrayBufferView, got ${describe(body)}`,
    );
  }
  return normalised;
}

function requestObject(request: unknown, what: string): Record<string, unknown> {
  if (typeof request !== 'object' || request === null || isArray(request, what)) {
    throw invalidArgument(
      `${what}: expected a request { method, url, headers, body? }, got ${describe(request)}`,
    );
  }
  return request as Record<string, unknown>;
}

function methodOf(value: unknown, what: string): string {
  if (typeof value !== 'string' || !isToken(value))
    throw invalidArgument(`${what}: request.method must be an HTTP method`);
  return value;
}

/** Reads a descriptor to sign. */
export function readSignable(request: unknown, what: string): SignableSnapshot {
  const object = requestObject(request, what);
  let own: [string, unknown][];
  try {
    own = Object.keys(object).map((key) => [key, object[key]]);
  } catch (error) {
    throw new BatchwireError('INVALID_ARGUMENT', `${what}: reading the request threw`, 0, { cause: error });
  }
  const method = methodOf(read(object, 'method', what), what);
  const url = read(object, 'url', what);
  if (typeof url !== 'string')
    throw invalidArgument(`${what}: request.url must be a string, got ${describe(url)}`);
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
    throw invalidArgument(`${what}: request.url must be an absolute http or https URL`);
  }
  const headers = signableHeaders(read(object, 'headers', what), what);
  const body = bodyOf(read(object, 'body', what), what);
  return { method, url, parsed, headers, body, own };
}

/** Reads an incoming request to verify. */
export function readIncoming(request: unknown, what: string): IncomingSnapshot {
  const object = requestObject(request, what);
  const method = read(object, 'method', what);
  if (typeof method !== 'string')
    throw invalidArgument(`${what}: request.method must be a string, got ${describe(method)}`);
  const url = read(object, 'url', what);
  if (typeof url !== 'string')
    throw invalidArgument(`${what}: request.url must be a string, got ${describe(url)}`);
  const headers = incomingHeaders(read(object, 'headers', what), what);
  const body = bodyOf(read(object, 'body', what), what);
  return { method, parsed: targetOf(url), absolute: !url.startsWith('/'), headers, body };
}

/**
 * The URL of a request target: origin-form (`/path?query`, what Node's `request.url` holds) is
 * read against a placeholder origin, without letting `//host/...` name another host; an absolute
 * URL as it is. `undefined` when it is neither.
 */
function targetOf(url: string): URL | undefined {
  try {
    return new URL(url.startsWith('/') ? `http://target.invalid${url}` : url);
  } catch {
    return undefined;
  }
}

/**
 * The signed descriptor: the given one's own properties, `method` and `url` as given, `body` as
 * given (the same value: nothing is copied or changed), and `headers` a new record. Headers the
 * signer replaces are removed whatever their letter case; the ones it adds have lowercase names.
 */
export function signedDescriptor<R extends SignableRequest>(
  snapshot: SignableSnapshot,
  added: ReadonlyArray<readonly [string, string]>,
): SignedRequest<R> {
  const out: Record<string, unknown> = {};
  const define = (key: string, value: unknown) =>
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  for (const [key, value] of snapshot.own) define(key, value);
  if (!Object.hasOwn(out, 'method')) define('method', snapshot.method);
  if (!Object.hasOwn(out, 'url')) define('url', snapshot.url);
  if (!Object.hasOwn(out, 'body') && snapshot.body !== undefined) define('body', snapshot.body);
  const replaced = new Set(added.map(([name]) => name));
  const headers: Record<string, string> = {};
  const set = (name: string, value: string) =>
    Object.defineProperty(headers, name, { value, enumerable: true, writable: true, configurable: true });
  for (const [key, { name, value }] of snapshot.headers) if (!replaced.has(key)) set(name, value);
  for (const [name, value] of added) set(name, value);
  define('headers', headers);
  return out as SignedRequest<R>;
}

/** A header's value by lowercase name, or `undefined`. */
export function headerValue(headers: HeaderList, name: string): string | undefined {
  return headers.get(name)?.value;
}

/**
 * The query's parameters, decoded as HTML forms and the services' own parsers do (`+` is a
 * space, then percent-decoding). Empty pieces (`a=1&&b=2`) and pieces without a name (`=x`) are
 * skipped; a parameter without `=` has the value `''`. A malformed percent-escape is an error
 * for a signer (`strict`: nothing to sign could match it) and kept as written for a verifier.
 */
export function queryParameters(search: string, strict: boolean, what: string): [string, string][] {
  const out: [string, string][] = [];
  const text = search.startsWith('?') ? search.slice(1) : search;
  if (text === '') return out;
  for (const piece of text.split('&')) {
    if (piece === '') continue;
    const equals = piece.indexOf('=');
    const rawName = equals < 0 ? piece : piece.slice(0, equals);
    const rawValue = equals < 0 ? '' : piece.slice(equals + 1);
    if (rawName === '') continue;
    out.push([decodeComponent(rawName, strict, what), decodeComponent(rawValue, strict, what)]);
  }
  return out;
}

function decodeComponent(text: string, strict: boolean, what: string): string {
  const spaced = text.replaceAll('+', ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    if (strict) throw invalidArgument(`${what}: the URL's query has a malformed percent-escape`);
    return spaced;
  }
}
