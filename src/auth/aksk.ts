// Huawei Cloud API Gateway AK/SK signing, `SDK-HMAC-SHA256`: the canonical request, the signer and
// the verifier. Built the way @huaweicloud/huaweicloud-sdk-core's AKSKSigner.sign builds it (read
// in its source), so the signatures are byte-identical for every request that SDK sends; the
// README lists the quirks matched and the deliberate differences.
import { invalidArgument } from '../core/errors.js';
import { percentEncode } from '../core/percent.js';
import { constantTimeEqual, hex, hmacSha256, sha256, utf8 } from './crypto.js';
import { parseSdkDate, sdkDate } from './dates.js';
import {
  dateOption,
  type HeaderList,
  headerValue,
  type IncomingRequest,
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
import { clockOptions, quote } from './shared-key.js';
import { type AuthVerdict, failure, splitAuthorization } from './verdict.js';

/** An access key pair, and the time to sign at. */
export interface AkSkOptions {
  /** The access key id (AK). */
  ak: string;
  /** The secret access key (SK), never echoed in an error. */
  sk: string;
  /**
   * The time written to `X-Sdk-Date` when the request has none (a request that has one keeps it).
   * @defaultValue now
   */
  date?: Date | number;
}

/** What {@link verifyAkSk} checks a request against. */
export interface VerifyAkSkOptions {
  /** The access key id the request must name. */
  ak: string;
  /** Its secret access key. */
  sk: string;
  /**
   * The server's clock.
   * @defaultValue `Date.now()`
   */
  now?: Date | number;
  /**
   * How far `X-Sdk-Date` may be from `now`, either way.
   * @defaultValue 900 000 (15 minutes, the API Gateway's window)
   */
  maxSkewMs?: number;
}

const ALGORITHM = 'SDK-HMAC-SHA256';
const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

// RFC 3986 unreserved characters stay, everything else is %XX of its UTF-8 bytes: the SDK's
// urlEncode. The inputs (a URL's path, decoded query parameters) are always well-formed text.
const encode = (text: string) => percentEncode(text, 'a URL component', 'INVALID_ARGUMENT');

/**
 * Each path segment encoded again as it stands in the URL (no decoding first: a `%20` in the
 * path is signed as `%2520`, as the SDK signs it), and a `/` at the end.
 */
function canonicalUri(pathname: string): string {
  const path = pathname.split('/').map(encode).join('/');
  return path.endsWith('/') ? path : `${path}/`;
}

/** `name=value` pairs: names sorted as decoded, then encoded; a repeated name's values sorted. */
function canonicalQuery(search: string, strict: boolean, what: string): string {
  const values = new Map<string, string[]>();
  for (const [name, value] of queryParameters(search, strict, what)) {
    const list = values.get(name);
    if (list === undefined) values.set(name, [value]);
    else list.push(value);
  }
  const out: string[] = [];
  for (const name of [...values.keys()].sort()) {
    for (const value of values.get(name)!.sort()) out.push(`${encode(name)}=${encode(value)}`);
  }
  return out.join('&');
}

interface CanonicalInput {
  method: string;
  url: URL;
  /** The signed headers in order, lowercase names, values as they are. */
  signed: ReadonlyArray<readonly [string, string]>;
  payloadHash: string;
  strict: boolean;
  what: string;
}

async function stringToSign(
  input: CanonicalInput,
  stamp: string,
): Promise<{ canonical: string; text: string }> {
  let headers = '';
  for (const [name, value] of input.signed) headers += `${name}:${value}\n`;
  const canonical = [
    input.method,
    canonicalUri(input.url.pathname),
    canonicalQuery(input.url.search, input.strict, input.what),
    headers,
    input.signed.map(([name]) => name).join(';'),
    input.payloadHash,
  ].join('\n');
  return { canonical, text: `${ALGORITHM}\n${stamp}\n${hex(await sha256(utf8(canonical)))}` };
}

async function payloadHash(headers: HeaderList, body: string | Uint8Array | undefined): Promise<string> {
  // A request may declare its payload hash (or `UNSIGNED-PAYLOAD`) in X-Sdk-Content-Sha256.
  const declared = headerValue(headers, 'x-sdk-content-sha256');
  if (declared) return declared;
  if (body === undefined || body.length === 0) return EMPTY_BODY_SHA256;
  const bytes = typeof body === 'string' ? utf8(body) : new Uint8Array(body);
  return hex(await sha256(bytes));
}

function accessKeyOf(options: Record<string, unknown>, what: string): string {
  const ak = read(options, 'ak', what);
  if (typeof ak !== 'string' || ak === '') throw invalidArgument(`${what}: ak must be a non-empty string`);
  for (let i = 0; i < ak.length; i++) {
    const c = ak.charCodeAt(i);
    // Visible ASCII but the comma, which separates the Authorization header's parameters.
    if (c <= 0x20 || c >= 0x7f || c === 0x2c)
      throw invalidArgument(`${what}: ak must be visible ASCII without commas`);
  }
  return ak;
}

/**
 * Signs a request descriptor with a Huawei Cloud access key pair (API Gateway `SDK-HMAC-SHA256`,
 * as DLI and every Huawei Cloud service behind the gateway take it): adds `x-sdk-date` (unless
 * the request has one, which must then be `YYYYMMDDTHHmmssZ`) and
 * `Authorization: SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...`. Every header of
 * the request is signed (a `multipart/form-data` content type excepted, as the SDK does), plus
 * `host` (the URL's, or the request's `host` header) and `x-sdk-date`; the body's SHA-256 is in
 * the canonical request, unless the request declares it in `x-sdk-content-sha256` (which may be
 * `UNSIGNED-PAYLOAD`). Resolves to a new descriptor; the one given is not changed.
 * Byte-identical to `@huaweicloud/huaweicloud-sdk-core` `AKSKSigner.sign` (tested over every
 * `batchwire/requests` operation); header values are signed as written, as the SDK does.
 *
 * @throws {@link BatchwireError} (the promise rejects) `INVALID_ARGUMENT` for a request or
 *   options of the wrong shape, a URL that is not absolute http(s), a header name that is not a
 *   token or given twice, an `x-sdk-date` not in the format, a malformed percent-escape in the
 *   query; `INVALID_FIELD` for a header value HTTP cannot carry. No message holds the SK.
 * @example
 * ```ts
 * import { signAkSk } from 'batchwire/auth';
 * import { dli } from 'batchwire/requests';
 *
 * const request = dli.getBatchState({ baseUrl: 'https://dli.cn-north-4.myhuaweicloud.com', projectId, batchId });
 * const signed = await signAkSk(request, { ak: process.env.HW_AK!, sk: process.env.HW_SK! });
 * const response = await fetch(signed.url, signed);
 * ```
 */
export async function signAkSk<R extends SignableRequest>(
  request: R,
  options: AkSkOptions,
): Promise<SignedRequest<R>> {
  const what = 'signAkSk';
  const snapshot = readSignable(request, what);
  const opts = optionsOf(options, what);
  const ak = accessKeyOf(opts, what);
  const sk = secretOption(opts, 'sk', what);
  const date = dateOption(opts, 'date', what) ?? new Date();
  const headers: HeaderList = new Map(snapshot.headers);
  // A stale signature is neither signed nor kept.
  headers.delete('authorization');
  const added: [string, string][] = [];
  let stamp = headerValue(headers, 'x-sdk-date');
  if (stamp) {
    if (parseSdkDate(stamp) === undefined)
      throw invalidArgument(`${what}: the request's x-sdk-date is not a date of the form 20240102T030405Z`);
  } else {
    stamp = sdkDate(date);
    headers.set('x-sdk-date', { name: 'x-sdk-date', value: stamp });
    added.push(['x-sdk-date', stamp]);
  }
  const signed = new Map<string, string>();
  for (const [name, { value }] of headers) {
    if (name === 'content-type' && value.includes('multipart/form-data')) continue;
    signed.set(name, value);
  }
  if (!signed.has('host')) signed.set('host', snapshot.parsed.host);
  const names = [...signed.keys()].sort();
  const { text } = await stringToSign(
    {
      method: snapshot.method,
      url: snapshot.parsed,
      signed: names.map((name) => [name, signed.get(name)!] as const),
      payloadHash: await payloadHash(headers, snapshot.body),
      strict: true,
      what,
    },
    stamp,
  );
  const signature = hex(await hmacSha256(utf8(sk), utf8(text)));
  added.push([
    'authorization',
    `${ALGORITHM} Access=${ak}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
  ]);
  return signedDescriptor<R>(snapshot, added);
}

/** The Authorization parameters, or `undefined` when one of the three is missing. */
function parameters(rest: string): { access: string; signedHeaders: string; signature: string } | undefined {
  const found = new Map<string, string>();
  for (const part of rest.split(',')) {
    const text = part.trim();
    const equals = text.indexOf('=');
    if (equals <= 0) continue;
    const name = text.slice(0, equals).trim();
    if (!found.has(name)) found.set(name, text.slice(equals + 1).trim());
  }
  const access = found.get('Access');
  const signedHeaders = found.get('SignedHeaders');
  const signature = found.get('Signature');
  if (!access || !signedHeaders || !signature) return undefined;
  return { access, signedHeaders, signature };
}

const PREFIX = 'Incorrect IAM authentication information: ';

/**
 * Verifies an incoming request's `SDK-HMAC-SHA256` signature, as the API Gateway does: the
 * access key must be the expected one, `host` and `x-sdk-date` among the signed headers,
 * `X-Sdk-Date` within `maxSkewMs` of `now`, and the signature (compared in constant time) the
 * one the secret key gives for the canonical request rebuilt from the request as received: the
 * signed headers in the order the client listed them, the body's SHA-256 (or the value of a
 * signed `x-sdk-content-sha256`). Resolves to a verdict, never rejects for what the request
 * holds; a refusal carries the gateway's answer (401, `APIG.0301`,
 * `Incorrect IAM authentication information: ...`).
 *
 * @throws {@link BatchwireError} (the promise rejects) `INVALID_ARGUMENT` for a request or
 *   options of the wrong shape. No message holds the SK.
 * @example
 * ```ts
 * import { verifyAkSk } from 'batchwire/auth';
 *
 * const verdict = await verifyAkSk(
 *   { method: request.method!, url: request.url!, headers: request.headers, body },
 *   { ak: 'AKEXAMPLE', sk: secretKey },
 * );
 * if (!verdict.ok) {
 *   response.writeHead(verdict.status, { 'content-type': 'application/json' });
 *   response.end(JSON.stringify({ error_code: verdict.code, error_msg: verdict.message, request_id: id }));
 * }
 * ```
 */
export async function verifyAkSk(request: IncomingRequest, options: VerifyAkSkOptions): Promise<AuthVerdict> {
  const what = 'verifyAkSk';
  const opts = optionsOf(options, what);
  const ak = accessKeyOf(opts, what);
  const sk = secretOption(opts, 'sk', what);
  const { now, maxSkewMs } = clockOptions(opts, what);
  const incoming = readIncoming(request, what);
  const fail = failure.bind(undefined, ALGORITHM);
  if (incoming.parsed === undefined)
    return fail('malformed-request', `${PREFIX}the request URI is not valid`);
  const authorization = splitAuthorization(headerValue(incoming.headers, 'authorization') ?? '');
  if (authorization === undefined)
    return fail('missing-authorization', `${PREFIX}no Authorization header in the request`);
  if (authorization.scheme.toUpperCase() !== ALGORITHM) {
    return fail(
      'unsupported-scheme',
      `${PREFIX}the authorization scheme '${quote(authorization.scheme)}' is not ${ALGORITHM}`,
    );
  }
  const found = parameters(authorization.rest);
  if (found === undefined) {
    return fail(
      'malformed-authorization',
      `${PREFIX}the Authorization header lacks Access, SignedHeaders or Signature`,
    );
  }
  const principal = found.access;
  if (principal !== ak)
    return fail('unknown-principal', `${PREFIX}unknown access key '${quote(principal)}'`, { principal });
  const names = found.signedHeaders.split(';');
  if (names.some((name) => name === '' || name !== name.toLowerCase())) {
    return fail('malformed-authorization', `${PREFIX}SignedHeaders must list lowercase header names`, {
      principal,
    });
  }
  for (const required of ['host', 'x-sdk-date']) {
    if (!names.includes(required))
      return fail('missing-signed-header', `${PREFIX}${required} is not a signed header`, { principal });
  }
  const stamp = headerValue(incoming.headers, 'x-sdk-date');
  if (!stamp) return fail('missing-date', `${PREFIX}no X-Sdk-Date header in the request`, { principal });
  const date = parseSdkDate(stamp);
  if (date === undefined)
    return fail(
      'malformed-date',
      `${PREFIX}X-Sdk-Date '${quote(stamp)}' is not of the form 20240102T030405Z`,
      { principal },
    );
  const skewMs = date.getTime() - now;
  if (Math.abs(skewMs) > maxSkewMs) {
    return fail(
      'date-out-of-range',
      `${PREFIX}X-Sdk-Date '${quote(stamp)}' is more than ${maxSkewMs} ms from the server's time`,
      {
        principal,
        skewMs,
      },
    );
  }
  // An origin-form target names no host: the Host header must.
  const absolute = incoming.absolute;
  const signed: [string, string][] = [];
  for (const name of names) {
    const value =
      headerValue(incoming.headers, name) ?? (name === 'host' && absolute ? incoming.parsed.host : undefined);
    if (value === undefined)
      return fail('missing-signed-header', `${PREFIX}signed header ${quote(name)} is not in the request`, {
        principal,
      });
    signed.push([name, value]);
  }
  const declared = names.includes('x-sdk-content-sha256')
    ? headerValue(incoming.headers, 'x-sdk-content-sha256')
    : undefined;
  const { canonical, text } = await stringToSign(
    {
      method: incoming.method,
      url: incoming.parsed,
      signed,
      payloadHash: declared || (await payloadHash(new Map(), incoming.body)),
      strict: false,
      what,
    },
    stamp,
  );
  const expected = utf8(hex(await hmacSha256(utf8(sk), utf8(text))));
  if (!constantTimeEqual(expected, utf8(found.signature))) {
    return fail('bad-signature', `${PREFIX}verify aksk signature fail`, {
      principal,
      stringToSign: text,
      canonicalRequest: canonical,
    });
  }
  return { ok: true, scheme: ALGORITHM, principal, date };
}
