// HTTP Basic authentication (RFC 7617), as HPC Pack's REST head node takes it: `user:password` in
// UTF-8, base64. No WebCrypto is needed to sign; the verifier compares digests in constant time.
import { invalidArgument } from '../core/errors.js';
import { loneSurrogateIndex } from '../core/unicode.js';
import { base64, constantTimeEqual, fromBase64, sha256, utf8 } from './crypto.js';
import {
  headerValue,
  type IncomingRequest,
  optionsOf,
  read,
  readIncoming,
  readSignable,
  type SignableRequest,
  type SignedRequest,
  signedDescriptor,
} from './request.js';
import { quote } from './shared-key.js';
import { type AuthVerdict, failure, splitAuthorization } from './verdict.js';

/** Basic credentials. */
export interface BasicAuthOptions {
  /** The user name (`DOMAIN\\user` for a domain account); no `:` (RFC 7617). */
  user: string;
  /** The password (never echoed in an error). */
  password: string;
}

/** What {@link verifyBasic} checks a request against. */
export interface VerifyBasicOptions extends BasicAuthOptions {
  /**
   * The realm named in the `WWW-Authenticate` challenge of a refusal.
   * @defaultValue `'batchwire'`
   */
  realm?: string;
}

const hasControl = (text: string) => /[\u0000-\u001f\u007f]/.test(text);

/** User and password, checked; neither is echoed in a message. */
function credentialsOf(options: Record<string, unknown>, what: string): { user: string; password: string } {
  const user = read(options, 'user', what);
  if (typeof user !== 'string' || user === '')
    throw invalidArgument(`${what}: user must be a non-empty string`);
  if (user.includes(':')) throw invalidArgument(`${what}: user must not contain ':' (RFC 7617)`);
  if (hasControl(user) || loneSurrogateIndex(user) >= 0)
    throw invalidArgument(`${what}: user must not contain control characters or lone surrogates`);
  const password = read(options, 'password', what);
  if (typeof password !== 'string') throw invalidArgument(`${what}: password must be a string`);
  // Said without the password or where in it: a message must not narrow a secret down.
  if (hasControl(password) || loneSurrogateIndex(password) >= 0)
    throw invalidArgument(`${what}: password must not contain control characters or lone surrogates`);
  return { user, password };
}

/**
 * Adds `Authorization: Basic base64(user:password)` (UTF-8, RFC 7617) to a request descriptor,
 * for HPC Pack's REST API (send it over HTTPS only). Resolves to a new descriptor; the one given
 * is not changed.
 *
 * @throws {@link BatchwireError} (the promise rejects) `INVALID_ARGUMENT` for a request or
 *   options of the wrong shape, a user with `:`, or control characters or lone surrogates in
 *   the user or password. No message holds the password.
 * @example
 * ```ts
 * import { basicAuth } from 'batchwire/auth';
 * import { hpcPack } from 'batchwire/requests';
 *
 * const request = hpcPack.getClusters({ baseUrl: 'https://head.contoso.com' });
 * const signed = await basicAuth(request, { user: 'CONTOSO\\hpcuser', password: process.env.HPC_PASSWORD! });
 * signed.headers.authorization; // 'Basic Q09OVE9TT1xocGN1c2VyOi4uLg==' for the password '...'
 * ```
 */
export async function basicAuth<R extends SignableRequest>(
  request: R,
  options: BasicAuthOptions,
): Promise<SignedRequest<R>> {
  const what = 'basicAuth';
  const snapshot = readSignable(request, what);
  const { user, password } = credentialsOf(optionsOf(options, what), what);
  return signedDescriptor<R>(snapshot, [['authorization', `Basic ${base64(utf8(`${user}:${password}`))}`]]);
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

/** `user` and `password` of a Basic header's token, or `undefined` when it is not one. */
function decodeToken(token: string): { user: string; password: string } | undefined {
  const bytes = fromBase64(token);
  if (bytes === undefined) return undefined;
  let text: string;
  try {
    text = fatalUtf8.decode(bytes);
  } catch {
    return undefined;
  }
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

async function digest(text: string): Promise<Uint8Array> {
  return sha256(utf8(text));
}

/**
 * Verifies an incoming request's Basic credentials: the user and the password are compared as
 * SHA-256 digests, in constant time, so neither their lengths nor their first difference show in
 * the time taken. Resolves to a verdict, never rejects for what the request holds; a refusal is
 * 401 with `challenge`, the `WWW-Authenticate` value to send
 * (`Basic realm="...", charset="UTF-8"`).
 *
 * @throws {@link BatchwireError} (the promise rejects) `INVALID_ARGUMENT` for a request or
 *   options of the wrong shape, or a realm that cannot be quoted. No message holds a password.
 * @example
 * ```ts
 * import { verifyBasic } from 'batchwire/auth';
 *
 * const verdict = await verifyBasic(
 *   { method: request.method!, url: request.url!, headers: request.headers },
 *   { user: 'CONTOSO\\hpcuser', password, realm: 'head.contoso.com' },
 * );
 * if (!verdict.ok) response.writeHead(verdict.status, { 'www-authenticate': verdict.challenge! }).end();
 * ```
 */
export async function verifyBasic(
  request: IncomingRequest,
  options: VerifyBasicOptions,
): Promise<AuthVerdict> {
  const what = 'verifyBasic';
  const opts = optionsOf(options, what);
  const expected = credentialsOf(opts, what);
  const realm = read(opts, 'realm', what) ?? 'batchwire';
  if (typeof realm !== 'string' || /["\\\u0000-\u001f\u007f]/.test(realm) || /[^\u0000-\u00ff]/.test(realm))
    throw invalidArgument(
      `${what}: realm must be a string without quotes, backslashes or control characters`,
    );
  const incoming = readIncoming(request, what);
  const challenge = `Basic realm="${realm}", charset="UTF-8"`;
  const fail = (reason: Parameters<typeof failure>[1], message: string, principal?: string) =>
    failure('Basic', reason, message, principal === undefined ? { challenge } : { challenge, principal });
  const authorization = splitAuthorization(headerValue(incoming.headers, 'authorization') ?? '');
  if (authorization === undefined)
    return fail('missing-authorization', 'The request has no Authorization header.');
  if (authorization.scheme.toLowerCase() !== 'basic')
    return fail(
      'unsupported-scheme',
      `The authorization scheme '${quote(authorization.scheme)}' is not Basic.`,
    );
  const given = decodeToken(authorization.rest);
  if (given === undefined)
    return fail('malformed-authorization', 'The Basic credentials are not base64 of UTF-8 user:password.');
  // Both comparisons always run: the time taken does not say which one failed.
  const [a, b, c, d] = await Promise.all([
    digest(given.user),
    digest(expected.user),
    digest(given.password),
    digest(expected.password),
  ]);
  const userMatches = constantTimeEqual(a, b);
  const passwordMatches = constantTimeEqual(c, d);
  // The user given is in `principal`, not in the message: a client may have typed a secret there.
  if (!userMatches) return fail('unknown-principal', 'The user is not known.', given.user);
  if (!passwordMatches) return fail('bad-password', 'The password is not valid.', given.user);
  return { ok: true, scheme: 'Basic', principal: given.user };
}
