// Authenticated targets: the per-request signer (`sign`), the TLS trust of an HTTPS target, and
// the `ignored-auth` probe. The signer runs last, for every attempt of every request (a
// signature covers the time it is sent at); every header it adds or changes is made secret for
// the run, so neither a signature nor anything else it wrote reaches an artifact. The probe
// sends, once per sequence, the first read-only request without credentials and with its
// signature altered: a target that answers 2xx to either is a finding.
import { BatchwireError, invalidArgument, isBatchwireError } from '../core/errors.js';
import { optionValue } from '../core/options.js';
import type { FailureInfo } from './failure.js';
import type { Transport, WireRequest, WireResult } from './http.js';
import type { Secrets } from './secrets.js';
import type { FuzzRequestSigner, FuzzService } from './types.js';

const WHAT = 'runFuzz';

/** The `sign` option: a function, or `undefined`. */
export function signerOption(options: Record<string, unknown>, what: string): FuzzRequestSigner | undefined {
  const value = optionValue(options, 'sign', what);
  if (value === undefined) return undefined;
  if (typeof value !== 'function')
    throw invalidArgument(`${what}: sign must be a function (request) => request`);
  return value as FuzzRequestSigner;
}

/** The TLS trust options (`ca`, `insecure`), checked. */
export function tlsOptions(
  options: Record<string, unknown>,
  what: string,
): { ca?: string | Uint8Array; rejectUnauthorized: boolean } {
  const ca = optionValue(options, 'ca', what);
  const insecure = optionValue(options, 'insecure', what) ?? false;
  if (typeof insecure !== 'boolean') throw invalidArgument(`${what}: insecure must be a boolean`);
  if (ca !== undefined && typeof ca !== 'string' && !(ca instanceof Uint8Array))
    throw invalidArgument(`${what}: ca must be PEM text (a string or bytes)`);
  return ca === undefined ? { rejectUnauthorized: !insecure } : { ca, rejectUnauthorized: !insecure };
}

/**
 * Whether to send the `ignored-auth` probes: `checkAuth` when given, else whether there is a
 * signer. (Static credential headers alone do not turn it on: a caller may send them to a
 * target that takes any request; `checkAuth: true` asks for the probes then.)
 */
export function authProbeOf(
  options: Record<string, unknown>,
  sign: FuzzRequestSigner | undefined,
  headers: Readonly<Record<string, string>>,
  secrets: Secrets,
  what: string,
): boolean {
  const given = optionValue(options, 'checkAuth', what);
  if (given !== undefined && typeof given !== 'boolean')
    throw invalidArgument(`${what}: checkAuth must be a boolean`);
  if (given === true && sign === undefined && !Object.keys(headers).some((name) => secrets.isSecret(name)))
    throw invalidArgument(`${what}: checkAuth needs credentials to remove: sign, or a credential header`);
  return given ?? sign !== undefined;
}

/** What a signer gave back, as a wire request: headers by lower-case name, the body as bytes. */
function wireOfSigned(value: unknown, given: WireRequest): WireRequest {
  if (typeof value !== 'object' || value === null)
    throw invalidArgument(`${WHAT}: sign must resolve to a request { method, url, headers, body? }`);
  const v = value as { method?: unknown; url?: unknown; headers?: unknown; body?: unknown };
  const headers: Record<string, string> = {};
  const raw = v.headers;
  if (typeof raw !== 'object' || raw === null)
    throw invalidArgument(`${WHAT}: the signed request has no headers record`);
  if (Array.isArray(raw) || typeof (raw as { forEach?: unknown }).forEach === 'function')
    throw invalidArgument(`${WHAT}: the signed request's headers must be a plain record`);
  const entries = Object.entries(raw);
  for (const [name, value] of entries) {
    if (typeof name !== 'string' || typeof value !== 'string')
      throw invalidArgument(`${WHAT}: the signed request's headers must be strings`);
    headers[name.toLowerCase()] = value;
  }
  const out: WireRequest = {
    method: typeof v.method === 'string' ? v.method : given.method,
    url: typeof v.url === 'string' ? v.url : given.url,
    headers,
  };
  const body = v.body ?? given.body;
  if (typeof body === 'string') out.body = new TextEncoder().encode(body);
  else if (body instanceof Uint8Array) out.body = body;
  else if (body !== undefined && body !== null)
    throw invalidArgument(`${WHAT}: the signed request's body must be a string or bytes`);
  return out;
}

/**
 * The transport's `prepare` for a signer: signs a copy, makes every header it added or changed
 * secret for the run, and keeps the names. A signer that throws stops the run with its error
 * (a foreign one wrapped in `SIGN_FAILED`... as `INVALID_ARGUMENT`, without its message: it may
 * hold a key).
 */
export function preparerOf(
  sign: FuzzRequestSigner,
  secrets: Secrets,
): (request: WireRequest) => Promise<WireRequest> {
  return async (given) => {
    const copy: WireRequest = { method: given.method, url: given.url, headers: { ...given.headers } };
    if (given.body !== undefined) copy.body = given.body;
    let signed: unknown;
    try {
      signed = await sign(copy);
    } catch (error) {
      if (isBatchwireError(error)) throw error;
      throw new BatchwireError('INVALID_ARGUMENT', `${WHAT}: the sign hook threw`, 0, { cause: error });
    }
    const out = wireOfSigned(signed, given);
    for (const [name, value] of Object.entries(out.headers)) {
      if (given.headers[name] !== value) secrets.addName(name);
    }
    return out;
  };
}

// Read-only operations the probe may repeat without changing what the backend holds. HPC Pack's
// GETs hand out responses (Get Responses) or attach: only the cluster list is safe there.
const SAFE: Record<FuzzService, (operation: string) => boolean> = {
  'azure-batch': (op) => /^(list|get)/.test(op),
  dli: (op) => /^(list|get)/.test(op),
  'hpc-pack': (op) => op === 'getClusters',
};

const probed = new WeakSet<object>();

/** What the probe needs of a sequence (sequence.ts calls it: no import back, no cycle). */
export interface ProbedSequence {
  env: {
    authProbe?: boolean;
    service: FuzzService;
    transport: Transport;
    secrets: Secrets;
    maxCaseBodyBytes: number;
  };
  phase: string;
  exchanges: {
    push(record: {
      operation: string;
      request: WireRequest;
      result: WireResult & { bodyBytes: number };
    }): unknown;
  };
  fail(info: FailureInfo): never;
}

/** The request with `text`'s first letter or digit at or after `from` changed to another of its kind. */
function altered(text: string, from: number): string {
  for (let i = Math.max(0, from); i < text.length; i++) {
    const c = text[i]!;
    let next: string | undefined;
    if (/[0-9]/.test(c)) next = c === '0' ? '1' : '0';
    else if (/[a-z]/.test(c)) next = c === 'a' ? 'b' : 'a';
    else if (/[A-Z]/.test(c)) next = c === 'A' ? 'B' : 'A';
    if (next !== undefined) return text.slice(0, i) + next + text.slice(i + 1);
  }
  return `${text}x`;
}

/** Where the secret part of a credential starts: the signature, the password's base64, the token. */
function secretStart(value: string): number {
  const signature = /Signature=/i.exec(value);
  if (signature) return signature.index + signature[0].length;
  const sharedKey = /^SharedKey(Lite)?\s+[^:]*:/i.exec(value);
  if (sharedKey) return sharedKey[0].length;
  const scheme = /^[A-Za-z][A-Za-z0-9-]*\s+/.exec(value);
  return scheme ? scheme[0].length : 0;
}

/** The same request with its credentials altered (the signature, password or token changed). */
function withAlteredCredentials(request: WireRequest, secrets: Secrets): WireRequest | undefined {
  const headers = { ...request.headers };
  let changed = false;
  for (const name of ['authorization', 'x-auth-token']) {
    const value = headers[name];
    if (value === undefined) continue;
    headers[name] = altered(value, name === 'authorization' ? secretStart(value) : 0);
    changed = true;
  }
  if (!changed) {
    const name = Object.keys(headers).find((n) => secrets.isSecret(n));
    if (name === undefined) return undefined;
    headers[name] = altered(headers[name]!, 0);
  }
  return { ...request, headers };
}

/** The same request with every credential removed: no secret header, and not signed. */
function withoutCredentials(request: WireRequest, secrets: Secrets): WireRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers))
    if (!secrets.isSecret(name)) headers[name] = value;
  return { ...request, headers };
}

/**
 * The `ignored-auth` probe, before `request` goes out: once per sequence, for its first
 * read-only request, when the run authenticates. Throws the finding (a 2xx to a request
 * without credentials, or with altered ones); any other answer is what a target should give.
 */
export async function probeAuth(
  sequence: ProbedSequence,
  operation: string,
  request: WireRequest,
): Promise<void> {
  const env = sequence.env;
  if (!env.authProbe || sequence.phase === 'cleanup' || probed.has(sequence)) return;
  if (request.method !== 'GET' || !SAFE[env.service](operation)) return;
  probed.add(sequence);
  const transport = env.transport;
  const attempts: { how: string; send: () => ReturnType<typeof transport.sendProbe> }[] = [
    {
      how: 'without credentials',
      send: () => transport.sendProbe(withoutCredentials(request, env.secrets), undefined),
    },
    {
      how: 'with its signature altered',
      send: () => transport.sendProbe(request, (signed) => withAlteredCredentials(signed, env.secrets)),
    },
  ];
  for (const attempt of attempts) {
    const sent = await attempt.send();
    if (sent === undefined) continue;
    const { result } = sent;
    const status = result.status;
    if (status === undefined || status < 200 || status >= 300) continue;
    const size = result.body.length;
    const max = env.maxCaseBodyBytes;
    sequence.exchanges.push({
      operation,
      request: sent.request,
      result: { ...result, body: size > max ? result.body.slice(0, max) : result.body, bodyBytes: size },
    });
    const info: FailureInfo = {
      check: 'ignored-auth',
      operation,
      status,
      message: `HTTP ${status} to ${request.method} ${operation} sent ${attempt.how}: the target must refuse it (401 or 403)`,
    };
    sequence.fail(info);
  }
}
