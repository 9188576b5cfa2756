// What a verifier answers: a closed vocabulary of reasons, each with what the service itself would
// answer (status, code, message), so a server can write the service's own error from it.

/** The authentication schemes batchwire signs and verifies. */
export type AuthScheme = 'SharedKey' | 'SDK-HMAC-SHA256' | 'Basic';

/**
 * Why a request was refused:
 * - `missing-authorization`: no `Authorization` header;
 * - `unsupported-scheme`: an `Authorization` of another scheme (`Bearer ...`: a server that takes
 *   tokens too checks those itself);
 * - `malformed-authorization`: the header is of the scheme but cannot be read;
 * - `malformed-request`: the request target cannot be read as a URL;
 * - `unknown-principal`: the account, access key or user is not the expected one;
 * - `missing-date`, `malformed-date`: no `ocp-date`/`Date` (SharedKey) or `X-Sdk-Date`
 *   (AK/SK), or one that is not in the format;
 * - `date-out-of-range`: the date is further from the server's clock than the window allows;
 * - `missing-signed-header`: `host` or `x-sdk-date` not among the signed headers, or a signed
 *   header the request does not carry (AK/SK);
 * - `bad-signature`: the signature is not the one the key gives for this request;
 * - `bad-password`: the Basic password is not the expected one.
 */
export type AuthFailureReason =
  | 'missing-authorization'
  | 'unsupported-scheme'
  | 'malformed-authorization'
  | 'malformed-request'
  | 'unknown-principal'
  | 'missing-date'
  | 'malformed-date'
  | 'date-out-of-range'
  | 'missing-signed-header'
  | 'bad-signature'
  | 'bad-password';

/** A request that carries valid credentials. */
export interface AuthSuccess {
  ok: true;
  scheme: AuthScheme;
  /** The account (SharedKey), access key (AK/SK) or user (Basic) the request authenticated as. */
  principal: string;
  /** The time the request says it was made (`ocp-date`/`Date`, `X-Sdk-Date`); none for Basic. */
  date?: Date;
}

/**
 * A refused request, with what the service answers:
 * - SharedKey (Azure Batch): `status` 403, `code` `AuthenticationFailed`, and `message` the
 *   `AuthenticationErrorDetail` text (Azure's own wording for a signature mismatch, which quotes
 *   the string the server signed, and for a date too old);
 * - AK/SK (Huawei API Gateway): `status` 401, `code` `APIG.0301`, `message` the `error_msg`
 *   (`Incorrect IAM authentication information: verify aksk signature fail` for a bad
 *   signature, the gateway's wording);
 * - Basic (HPC Pack): `status` 401 and `challenge`, the `WWW-Authenticate` value to send.
 *
 * Messages never hold a key, a secret key or a password.
 */
export interface AuthFailure {
  ok: false;
  scheme: AuthScheme;
  reason: AuthFailureReason;
  /** The HTTP status the service answers. */
  status: 401 | 403;
  /** The service's error code (`AuthenticationFailed`, `APIG.0301`); none for Basic. */
  code?: string;
  message: string;
  /** The account, access key or user the request named, when it named one. */
  principal?: string;
  /** For `bad-signature`: the string the server signed (no secret in it), to compare with the client's. */
  stringToSign?: string;
  /** For an AK/SK `bad-signature`: the canonical request the server hashed into `stringToSign`. */
  canonicalRequest?: string;
  /** For `date-out-of-range`: how far the request's date is from the server's clock (negative: in the past). */
  skewMs?: number;
  /** For Basic: the `WWW-Authenticate` header value to send with the 401. */
  challenge?: string;
}

/** What a verifier resolves to. */
export type AuthVerdict = AuthSuccess | AuthFailure;

/** The service's answer for each scheme. */
export function failure(
  scheme: AuthScheme,
  reason: AuthFailureReason,
  message: string,
  extra: Partial<
    Pick<AuthFailure, 'principal' | 'stringToSign' | 'canonicalRequest' | 'skewMs' | 'challenge'>
  > = {},
): AuthFailure {
  const out: AuthFailure = { ok: false, scheme, reason, status: scheme === 'SharedKey' ? 403 : 401, message };
  if (scheme === 'SharedKey') out.code = 'AuthenticationFailed';
  else if (scheme === 'SDK-HMAC-SHA256') out.code = 'APIG.0301';
  for (const key of ['principal', 'stringToSign', 'canonicalRequest', 'skewMs', 'challenge'] as const) {
    if (extra[key] !== undefined) (out as unknown as Record<string, unknown>)[key] = extra[key];
  }
  return out;
}

/** The `Authorization` header split into its scheme and the rest, or `undefined` for an empty one. */
export function splitAuthorization(value: string): { scheme: string; rest: string } | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  const space = text.search(/[ \t]/);
  if (space < 0) return { scheme: text, rest: '' };
  return { scheme: text.slice(0, space), rest: text.slice(space + 1).trim() };
}

/** The skew window option: a non-negative number of milliseconds, 15 minutes by default. */
export const DEFAULT_MAX_SKEW_MS = 15 * 60 * 1000;
