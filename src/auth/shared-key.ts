// Azure Batch SharedKey: the string to sign, the signer and the verifier. The string is built the
// way @azure/batch 10.x's BatchSharedKeyCredentials.signRequest builds it (read in its source),
// so the signatures are byte-identical for every request that SDK can send; where the SDK's
// behaviour cannot reach the service intact, the service's documented rule is followed instead
// (see the README, "Signing requests").
import { BatchwireError, invalidArgument } from '../core/errors.js';
import { utf8Length } from '../core/unicode.js';
import { base64, constantTimeEqual, fromBase64, hmacSha256, utf8 } from './crypto.js';
import { httpDate, parseHttpDate } from './dates.js';
import {
  dateOption,
  type HeaderList,
  headerValue,
  type IncomingRequest,
  isArray,
  optionsOf,
  queryParameters,
  read,
  readIncoming,
  readSignable,
  type SignableRequest,
  type SignedRequest,
  secretOption,
  signedDescriptor,
} from './request.js';
import { type AuthVerdict, DEFAULT_MAX_SKEW_MS, failure, splitAuthorization } from './verdict.js';

/** Credentials of an Azure Batch account, and the time to sign at. */
export interface SharedKeyOptions {
  /** The Batch account name (`mybatch` in `https://mybatch.westus.batch.azure.com`). */
  account: string;
  /** One of the account's keys: the base64 text the portal shows (never echoed in an error). */
  key: string;
  /**
   * The time written to `ocp-date` when the request has none (a request that has one keeps it).
   * @defaultValue now
   */
  date?: Date | number;
}

/** What {@link verifySharedKey} checks a request against. */
export interface VerifySharedKeyOptions {
  /** The account name the request must name. */
  account: string;
  /** The account's key, or its keys (Batch accounts have a primary and a secondary): any one verifies. */
  key: string | readonly string[];
  /**
   * The server's clock.
   * @defaultValue `Date.now()`
   */
  now?: Date | number;
  /**
   * How far the request's `ocp-date` (or `Date`) may be from `now`, either way.
   * @defaultValue 900 000 (15 minutes, the Batch service's window)
   */
  maxSkewMs?: number;
}

const SCHEME = 'SharedKey';

// The standard headers after the verb, in order; Content-Length comes third and has its own rule.
const BEFORE_LENGTH = ['content-encoding', 'content-language'];
const AFTER_LENGTH = [
  'content-md5',
  'content-type',
  'date',
  'if-modified-since',
  'if-match',
  'if-none-match',
  'if-unmodified-since',
  'range',
];

/**
 * Content-Length as the SDK writes it: the header when set; else the body's UTF-8 byte length
 * when there is a body (an empty string is none, empty bytes are a body of 0 bytes, as the SDK's
 * truthiness test has it); else `0` for a POST and nothing for any other verb.
 */
function contentLength(method: string, headers: HeaderList, body: string | Uint8Array | undefined): string {
  const header = headerValue(headers, 'content-length');
  if (header) return header;
  if (typeof body === 'string' && body !== '') return String(utf8Length(body));
  if (body instanceof Uint8Array) return String(body.length);
  return method === 'POST' ? '0' : '';
}

/** `ocp-*` headers, lowercase, sorted by name, `name:value` lines; empty values are left out, as the SDK does. */
function canonicalizedHeaders(headers: HeaderList): string {
  const names = [...headers.keys()].filter((name) => name.startsWith('ocp-')).sort();
  let out = '';
  for (const name of names) {
    const value = headerValue(headers, name);
    if (value) out += `${name}:${value}\n`;
  }
  return out;
}

/**
 * `/account/path`, then a `\nname:value` line per query parameter: names lowercased and sorted,
 * names and values decoded (`+` as a space), the values of a repeated name sorted and joined with
 * commas (the service's rule; the SDK keeps the first only).
 */
function canonicalizedResource(account: string, url: URL, strict: boolean, what: string): string {
  const values = new Map<string, string[]>();
  for (const [name, value] of queryParameters(url.search, strict, what)) {
    const key = name.toLowerCase();
    const list = values.get(key);
    if (list === undefined) values.set(key, [value]);
    else list.push(value);
  }
  let out = `/${account}${url.pathname}`;
  for (const name of [...values.keys()].sort()) out += `\n${name}:${values.get(name)!.sort().join(',')}`;
  return out;
}

interface StringToSignInput {
  method: string;
  headers: HeaderList;
  contentLength: string;
  account: string;
  url: URL;
  strict: boolean;
  what: string;
}

function stringToSign(input: StringToSignInput): string {
  const { headers } = input;
  let out = `${input.method}\n`;
  for (const name of BEFORE_LENGTH) out += `${headerValue(headers, name) || ''}\n`;
  out += `${input.contentLength}\n`;
  for (const name of AFTER_LENGTH) out += `${headerValue(headers, name) || ''}\n`;
  return (
    out +
    canonicalizedHeaders(headers) +
    canonicalizedResource(input.account, input.url, input.strict, input.what)
  );
}

function accountOf(options: Record<string, unknown>, what: string): string {
  const account = read(options, 'account', what);
  if (typeof account !== 'string' || account === '')
    throw invalidArgument(`${what}: account must be a non-empty string`);
  for (let i = 0; i < account.length; i++) {
    const c = account.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || c > 0xff)
      throw invalidArgument(
        `${what}: account must not contain spaces, control characters or characters outside Latin-1`,
      );
  }
  return account;
}

function keyBytes(key: string, what: string): Uint8Array<ArrayBuffer> {
  const bytes = fromBase64(key);
  // The message never shows the key, not even a part of it.
  if (bytes === undefined || bytes.length === 0)
    throw invalidArgument(
      `${what}: key is not base64 text (an Azure Batch account key is the base64 text the portal shows)`,
    );
  return bytes;
}

/**
 * Signs a request descriptor with an Azure Batch account's shared key: adds `ocp-date` (unless
 * the request has one) and `Authorization: SharedKey account:signature`, where the signature is
 * the base64 HMAC-SHA256, under the base64-decoded key, of the Batch string to sign: the verb,
 * the standard headers (Content-Length as the Azure SDK writes it: `0` for a POST without a
 * body), the `ocp-*` headers, and `/account/path` with the query's parameters. Resolves to a new
 * descriptor; the one given is not changed. Byte-identical to `@azure/batch` 10.x
 * `BatchSharedKeyCredentials.signRequest` (tested over every `batchwire/requests` operation);
 * the README lists the quirks matched and the few deliberate differences.
 *
 * Header values are signed as written, as the SDK signs them: HTTP drops leading and trailing
 * whitespace in transit, so a value with surrounding whitespace gets a signature the service
 * refuses, from the SDK and from batchwire alike.
 *
 * @throws {@link BatchwireError} (the promise rejects) `INVALID_ARGUMENT` for a request or
 *   options of the wrong shape, a URL that is not absolute http(s), a header name that is not a
 *   token or given twice, a key that is not base64, a malformed percent-escape in the query;
 *   `INVALID_FIELD` for a header value HTTP cannot carry. No message holds the key.
 * @example
 * ```ts
 * import { signSharedKey } from 'batchwire/auth';
 * import { azureBatch } from 'batchwire/requests';
 *
 * const request = azureBatch.listJobs({ baseUrl: 'https://mybatch.westus.batch.azure.com', apiVersion: '2024-07-01.20.0' });
 * const signed = await signSharedKey(request, { account: 'mybatch', key: process.env.BATCH_KEY! });
 * const response = await fetch(signed.url, signed);
 * ```
 */
export async function signSharedKey<R extends SignableRequest>(
  request: R,
  options: SharedKeyOptions,
): Promise<SignedRequest<R>> {
  const what = 'signSharedKey';
  const snapshot = readSignable(request, what);
  const opts = optionsOf(options, what);
  const account = accountOf(opts, what);
  const key = keyBytes(secretOption(opts, 'key', what), what);
  const date = dateOption(opts, 'date', what) ?? new Date();
  const headers: HeaderList = new Map(snapshot.headers);
  const added: [string, string][] = [];
  // The SDK adds ocp-date when the request has none, or an empty one.
  if (!headerValue(headers, 'ocp-date')) {
    const value = httpDate(date);
    headers.set('ocp-date', { name: 'ocp-date', value });
    added.push(['ocp-date', value]);
  }
  const text = stringToSign({
    method: snapshot.method,
    headers,
    contentLength: contentLength(snapshot.method, headers, snapshot.body),
    account,
    url: snapshot.parsed,
    strict: true,
    what,
  });
  const signature = base64(await hmacSha256(key, utf8(text)));
  added.push(['authorization', `${SCHEME} ${account}:${signature}`]);
  return signedDescriptor<R>(snapshot, added);
}

function keysOf(options: Record<string, unknown>, what: string): Uint8Array<ArrayBuffer>[] {
  const value = read(options, 'key', what);
  let list: unknown[];
  try {
    // A copy: a list whose items are getters (or a proxy) is read once, here.
    list = isArray(value, what) ? [...(value as unknown[])] : [value];
  } catch (error) {
    if (error instanceof BatchwireError) throw error;
    throw new BatchwireError('INVALID_ARGUMENT', `${what}: reading the list of keys threw`, 0, {
      cause: error,
    });
  }
  if (list.length === 0)
    throw invalidArgument(`${what}: key must be a string or a non-empty list of strings`);
  return list.map((key) => {
    if (typeof key !== 'string' || key === '')
      throw invalidArgument(`${what}: key must be a string or a non-empty list of strings`);
    return keyBytes(key, what);
  });
}

/** `now` and `maxSkewMs` of a verifier's options. */
export function clockOptions(
  options: Record<string, unknown>,
  what: string,
): { now: number; maxSkewMs: number } {
  const now = dateOption(options, 'now', what)?.getTime() ?? Date.now();
  const skew = read(options, 'maxSkewMs', what);
  if (skew === undefined || skew === null) return { now, maxSkewMs: DEFAULT_MAX_SKEW_MS };
  if (typeof skew !== 'number' || Number.isNaN(skew) || skew < 0)
    throw invalidArgument(`${what}: maxSkewMs must be a non-negative number of milliseconds (or Infinity)`);
  return { now, maxSkewMs: skew };
}

/** A header value quoted in a message: at most 200 characters. */
export function quote(value: string): string {
  return value.length > 200 ? `${value.slice(0, 200)}…` : value;
}

/**
 * Verifies an incoming request's SharedKey signature, as the Batch service does: the account
 * must be the expected one, `ocp-date` (else `Date`) an HTTP date within `maxSkewMs` of `now`,
 * and the signature the one one of the keys gives (compared in constant time; for a request
 * without a body, its Content-Length may have been signed as `0` or as nothing). The string to
 * sign is built from the request as received (`url` the request target, as Node's
 * `request.url` holds it, or an absolute URL; `headers` as Node gives them; `body` the bytes
 * read). Resolves to a verdict, never rejects for what the request holds: a refusal says why
 * and carries what the service answers (403 `AuthenticationFailed` with the
 * `AuthenticationErrorDetail` text, which for a bad signature quotes the string the server
 * signed, as Azure's does).
 *
 * @throws {@link BatchwireError} (the promise rejects) `INVALID_ARGUMENT` for a request or
 *   options of the wrong shape, or a key that is not base64. No message holds a key.
 * @example
 * ```ts
 * import { verifySharedKey } from 'batchwire/auth';
 *
 * // In a node:http handler, with the body read into `body`:
 * const verdict = await verifySharedKey(
 *   { method: request.method!, url: request.url!, headers: request.headers, body },
 *   { account: 'mybatch', key: [primaryKey, secondaryKey] },
 * );
 * if (!verdict.ok) {
 *   response.writeHead(verdict.status, { 'content-type': 'application/json' });
 *   response.end(JSON.stringify({ code: verdict.code, message: { value: 'Server failed to authenticate the request.' },
 *     values: [{ key: 'AuthenticationErrorDetail', value: verdict.message }] }));
 * }
 * ```
 */
export async function verifySharedKey(
  request: IncomingRequest,
  options: VerifySharedKeyOptions,
): Promise<AuthVerdict> {
  const what = 'verifySharedKey';
  const opts = optionsOf(options, what);
  const account = accountOf(opts, what);
  const keys = keysOf(opts, what);
  const { now, maxSkewMs } = clockOptions(opts, what);
  const incoming = readIncoming(request, what);
  const fail = failure.bind(undefined, SCHEME);
  if (incoming.parsed === undefined) return fail('malformed-request', 'The request URI is not valid.');
  const authorization = splitAuthorization(headerValue(incoming.headers, 'authorization') ?? '');
  if (authorization === undefined)
    return fail('missing-authorization', 'The request has no Authorization header.');
  if (authorization.scheme.toLowerCase() !== SCHEME.toLowerCase()) {
    return fail(
      'unsupported-scheme',
      `The authorization scheme '${quote(authorization.scheme)}' is not SharedKey.`,
    );
  }
  const colon = authorization.rest.lastIndexOf(':');
  if (colon <= 0 || colon === authorization.rest.length - 1) {
    return fail(
      'malformed-authorization',
      'The Authorization header is not in the form SharedKey account:signature.',
    );
  }
  const named = authorization.rest.slice(0, colon);
  const signature = authorization.rest.slice(colon + 1);
  if (named !== account) {
    return fail('unknown-principal', `The account '${quote(named)}' is not this account.`, {
      principal: named,
    });
  }
  const dateText = headerValue(incoming.headers, 'ocp-date') || headerValue(incoming.headers, 'date');
  if (!dateText) return fail('missing-date', 'Request date header not specified.', { principal: named });
  const date = parseHttpDate(dateText);
  if (date === undefined) {
    return fail('malformed-date', `The date header is not an HTTP date: '${quote(dateText)}'.`, {
      principal: named,
    });
  }
  const skewMs = date.getTime() - now;
  if (Math.abs(skewMs) > maxSkewMs) {
    const message =
      skewMs < 0
        ? `Request date header too old: '${quote(dateText)}'.`
        : `Request date header is in the future: '${quote(dateText)}'.`;
    return fail('date-out-of-range', message, { principal: named, skewMs });
  }
  const body = incoming.body === '' || incoming.body?.length === 0 ? undefined : incoming.body;
  const base = {
    method: incoming.method,
    headers: incoming.headers,
    account,
    url: incoming.parsed,
    strict: false,
    what,
  };
  const length = contentLength(incoming.method, incoming.headers, body);
  const text = stringToSign({ ...base, contentLength: length });
  // An empty body's length is signed as '0' by the SDK for a POST and as nothing otherwise, while
  // fetch sends `Content-Length: 0` for a PUT or POST without a body: either form verifies.
  const texts = [text];
  if (body === undefined && (length === '0' || length === ''))
    texts.push(stringToSign({ ...base, contentLength: length === '0' ? '' : '0' }));
  const received = fromBase64(signature);
  let matched = false;
  for (const key of keys) {
    for (const candidate of texts) {
      const expected = await hmacSha256(key, utf8(candidate));
      // Every key and form is tried, so the time taken does not say which one matched.
      if (received !== undefined && constantTimeEqual(expected, received)) matched = true;
    }
  }
  if (!matched) {
    return fail(
      'bad-signature',
      `The MAC signature found in the HTTP request '${quote(signature)}' is not the same as any computed signature. Server used following string to sign: '${text}'.`,
      { principal: named, stringToSign: text },
    );
  }
  return { ok: true, scheme: SCHEME, principal: named, date };
}
