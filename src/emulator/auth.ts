// Authenticated emulation: each service checks the credentials its real counterpart takes
// (Azure Batch SharedKey or a bearer token, DLI AK/SK or an IAM X-Auth-Token, HPC Pack Basic)
// with batchwire/auth's verifiers, on the emulator's clock, and refuses in the service's own
// shape. Configured per service; a service left out of the options takes any request.
import { timingSafeEqual } from 'node:crypto';
import { type AuthVerdict, verifyAkSk, verifyBasic, verifySharedKey } from '../auth/index.js';
import { invalidArgument } from '../core/errors.js';
import type { ServiceId } from '../core/services.js';
import type { AzureBatchService } from './azure-batch.js';
import type { ParsedRequest, ResponsePlan } from './plan.js';
import { BodyTooLarge } from './request.js';
import type { EmulatedService } from './service.js';

/**
 * A secret in the auth options: the value itself, or `{ "env": "NAME" }` for the value of an
 * environment variable (read once, when the emulator starts).
 */
export type EmulatorSecret = string | { env: string };

/** Azure Batch: SharedKey for an account (any of its keys), and bearer tokens taken as they are. */
export interface AzureBatchAuth {
  /** The account name the SharedKey signature must name. */
  account?: EmulatorSecret;
  /** The account key (base64, as the portal shows it), or its keys (primary and secondary). */
  key?: EmulatorSecret | readonly EmulatorSecret[];
  /** The name of an environment variable holding the key (instead of `key`). */
  keyEnv?: string;
  /** `Authorization: Bearer TOKEN` values accepted (what Entra ID would issue). */
  tokens?: readonly EmulatorSecret[];
}

/** DLI: Huawei API Gateway AK/SK (`SDK-HMAC-SHA256`), and IAM tokens (`X-Auth-Token`). */
export interface DliAuth {
  ak?: EmulatorSecret;
  sk?: EmulatorSecret;
  /** The name of an environment variable holding the SK (instead of `sk`). */
  skEnv?: string;
  akEnv?: string;
  /** `X-Auth-Token` values accepted (what IAM would issue). */
  tokens?: readonly EmulatorSecret[];
}

/** HPC Pack: Basic credentials, and bearer tokens. */
export interface HpcPackAuth {
  user?: EmulatorSecret;
  password?: EmulatorSecret;
  /** The name of an environment variable holding the password (instead of `password`). */
  passwordEnv?: string;
  /** The realm of the `WWW-Authenticate: Basic` challenge. @defaultValue `'batchwire'` */
  realm?: string;
  /** `Authorization: Bearer TOKEN` values accepted. */
  tokens?: readonly EmulatorSecret[];
}

/**
 * The credentials each service takes, as `batchwire serve --auth FILE` reads them:
 * `{ "azure-batch": { "account", "key" }, "dli": { "ak", "sk" }, "hpc-pack": { "user", "password" } }`.
 * A service left out takes any request.
 */
export interface EmulatorAuthOptions {
  'azure-batch'?: AzureBatchAuth | null;
  dli?: DliAuth | null;
  'hpc-pack'?: HpcPackAuth | null;
}

interface Resolved {
  'azure-batch'?: { account?: string; keys: string[]; tokens: string[] };
  dli?: { ak?: string; sk?: string; tokens: string[] };
  'hpc-pack'?: { user?: string; password?: string; realm: string; tokens: string[] };
}

const WHAT = 'startEmulator: auth';
const KNOWN: Record<ServiceId, readonly string[]> = {
  'azure-batch': ['account', 'accountEnv', 'key', 'keyEnv', 'tokens'],
  dli: ['ak', 'akEnv', 'sk', 'skEnv', 'tokens'],
  'hpc-pack': ['user', 'userEnv', 'password', 'passwordEnv', 'realm', 'tokens'],
};

/** A secret's value: the text, or the environment variable it names (never echoed). */
function secretOf(value: unknown, where: string, env: NodeJS.ProcessEnv): string {
  if (typeof value === 'string') {
    if (value === '') throw invalidArgument(`${WHAT}: ${where} is empty`);
    return value;
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const name = (value as { env?: unknown }).env;
    if (typeof name === 'string' && /^[A-Za-z_][A-Za-z0-9_]{0,200}$/.test(name)) {
      const found = env[name];
      if (found === undefined || found === '')
        throw invalidArgument(`${WHAT}: ${where} names the environment variable ${name}, which is not set`);
      return found;
    }
  }
  throw invalidArgument(`${WHAT}: ${where} must be a string or { "env": "VARIABLE" }`);
}

/** `field`, or `{ env: fieldEnv }` when only that is given; undefined when neither. */
function fieldOf(
  o: Record<string, unknown>,
  field: string,
  where: string,
  env: NodeJS.ProcessEnv,
): string | undefined {
  const value = o[field];
  const named = o[`${field}Env`];
  if (value !== undefined && value !== null) return secretOf(value, `${where}.${field}`, env);
  if (named !== undefined && named !== null) return secretOf({ env: named }, `${where}.${field}Env`, env);
  return undefined;
}

function listOf(value: unknown, where: string, env: NodeJS.ProcessEnv): string[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  if (items.length > 1000) throw invalidArgument(`${WHAT}: ${where} lists more than 1000 values`);
  return items.map((item, i) => secretOf(item, `${where}[${i}]`, env));
}

function sectionOf(options: Record<string, unknown>, id: ServiceId): Record<string, unknown> | undefined {
  const value = options[id];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value))
    throw invalidArgument(`${WHAT}: "${id}" must be an object`);
  const o = value as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!KNOWN[id].includes(key))
      throw invalidArgument(
        `${WHAT}: "${id}" has an unknown field ${JSON.stringify(key.slice(0, 60))} (known: ${KNOWN[id].join(', ')})`,
      );
  }
  return o;
}

type Env = NodeJS.ProcessEnv;

function batchAuthOf(batch: Record<string, unknown>, env: Env): NonNullable<Resolved['azure-batch']> {
  const account = fieldOf(batch, 'account', 'azure-batch', env);
  const keys =
    batch.key !== undefined && batch.key !== null
      ? listOf(batch.key, 'azure-batch.key', env)
      : listOf(batch.keyEnv === undefined ? undefined : { env: batch.keyEnv }, 'azure-batch.keyEnv', env);
  const tokens = listOf(batch.tokens, 'azure-batch.tokens', env);
  if ((account === undefined) !== (keys.length === 0))
    throw invalidArgument(`${WHAT}: "azure-batch" needs both account and key (or neither, with tokens)`);
  if (keys.some((k) => !/^[A-Za-z0-9+/]+={0,2}$/.test(k)))
    throw invalidArgument(
      `${WHAT}: azure-batch.key is not base64 (an account key is the portal's base64 text)`,
    );
  if (account === undefined && tokens.length === 0)
    throw invalidArgument(`${WHAT}: "azure-batch" needs account and key, or tokens`);
  return { keys, tokens, ...(account === undefined ? {} : { account }) };
}

function dliAuthOf(dli: Record<string, unknown>, env: Env): NonNullable<Resolved['dli']> {
  const ak = fieldOf(dli, 'ak', 'dli', env);
  const sk = fieldOf(dli, 'sk', 'dli', env);
  const tokens = listOf(dli.tokens, 'dli.tokens', env);
  if ((ak === undefined) !== (sk === undefined))
    throw invalidArgument(`${WHAT}: "dli" needs both ak and sk (or neither, with tokens)`);
  if (ak === undefined && tokens.length === 0)
    throw invalidArgument(`${WHAT}: "dli" needs ak and sk, or tokens`);
  return { tokens, ...(ak === undefined || sk === undefined ? {} : { ak, sk }) };
}

function hpcAuthOf(hpc: Record<string, unknown>, env: Env): NonNullable<Resolved['hpc-pack']> {
  const user = fieldOf(hpc, 'user', 'hpc-pack', env);
  const password = fieldOf(hpc, 'password', 'hpc-pack', env);
  const tokens = listOf(hpc.tokens, 'hpc-pack.tokens', env);
  const realm = hpc.realm ?? 'batchwire';
  if (typeof realm !== 'string' || !/^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,200}$/.test(realm))
    throw invalidArgument(`${WHAT}: hpc-pack.realm must be printable ASCII without quotes or backslashes`);
  if ((user === undefined) !== (password === undefined))
    throw invalidArgument(`${WHAT}: "hpc-pack" needs both user and password (or neither, with tokens)`);
  if (user?.includes(':')) throw invalidArgument(`${WHAT}: hpc-pack.user must not contain ':'`);
  if (user === undefined && tokens.length === 0)
    throw invalidArgument(`${WHAT}: "hpc-pack" needs user and password, or tokens`);
  return { realm, tokens, ...(user === undefined || password === undefined ? {} : { user, password }) };
}

/**
 * The auth options, checked and with every environment variable read; `undefined` when none.
 * @throws {@link BatchwireError} `INVALID_ARGUMENT` naming the field (never its value)
 */
export function readAuthOptions(value: unknown, env: NodeJS.ProcessEnv = process.env): Resolved | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value))
    throw invalidArgument(`${WHAT}: auth must be an object keyed by service id`);
  const o = value as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!Object.hasOwn(KNOWN, key))
      throw invalidArgument(
        `${WHAT}: unknown service ${JSON.stringify(key.slice(0, 60))} (known: azure-batch, dli, hpc-pack)`,
      );
  }
  const out: Resolved = {};
  const batch = sectionOf(o, 'azure-batch');
  if (batch !== undefined) out['azure-batch'] = batchAuthOf(batch, env);
  const dli = sectionOf(o, 'dli');
  if (dli !== undefined) out.dli = dliAuthOf(dli, env);
  const hpc = sectionOf(o, 'hpc-pack');
  if (hpc !== undefined) out['hpc-pack'] = hpcAuthOf(hpc, env);
  return out;
}

/** Whether `given` is one of `tokens`, compared without a timing difference per token. */
function tokenListed(given: string, tokens: readonly string[]): boolean {
  const a = Buffer.from(given);
  let found = false;
  for (const token of tokens) {
    const b = Buffer.from(token);
    if (a.length === b.length && timingSafeEqual(a, b)) found = true;
  }
  return found;
}

function bearerOf(headers: Readonly<Record<string, string>>): string | undefined {
  const m = /^Bearer[ \t]+(\S+)\s*$/i.exec(headers.authorization ?? '');
  return m?.[1];
}

/** What the emulator's auth check needs from its core. */
export interface AuthContext {
  now(): number;
  /** The emulator's base URL: its host stands in for a missing Host header (emulator.handle). */
  url(): string;
  batch: AzureBatchService;
  /** Reads the whole body within the document limit, keeping it for the handler. */
  bytes(): Promise<Uint8Array>;
}

const BATCH_MESSAGE =
  'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.';

function randomHex(): string {
  return [...globalThis.crypto.getRandomValues(new Uint8Array(16))]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');
}

function refusalOf(
  service: ServiceId,
  verdict: { status: number; message: string; challenge?: string },
  ctx: AuthContext,
): ResponsePlan {
  if (service === 'azure-batch') {
    return ctx.batch.error(
      verdict.status,
      'AuthenticationFailed',
      [{ key: 'AuthenticationErrorDetail', value: verdict.message }],
      BATCH_MESSAGE,
    );
  }
  if (service === 'dli') {
    // API Gateway's own error document (it answers before DLI sees the request).
    const body = JSON.stringify({
      error_msg: verdict.message,
      error_code: 'APIG.0301',
      request_id: randomHex(),
    });
    return {
      status: 401,
      headers: { 'content-type': 'application/json', 'x-request-id': randomHex() },
      body: { kind: 'bytes', bytes: Buffer.from(body, 'utf8') },
    };
  }
  // IIS in front of the HPC Pack REST API: a 401 page and the Basic challenge.
  const page =
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN"><html><head><title>401 - Unauthorized: Access is denied due to invalid credentials.</title></head><body><h2>401 - Unauthorized: Access is denied due to invalid credentials.</h2></body></html>';
  return {
    status: 401,
    headers: {
      'content-type': 'text/html',
      'www-authenticate': verdict.challenge ?? 'Basic realm="batchwire", charset="UTF-8"',
    },
    body: { kind: 'bytes', bytes: Buffer.from(page, 'utf8') },
  };
}

/** The body bytes, when the request has one (a verifier needs them): none read for an empty one. */
async function bodyOf(request: ParsedRequest, ctx: AuthContext): Promise<Uint8Array | undefined> {
  const chunked = request.headers['transfer-encoding'] !== undefined;
  if (!chunked && (request.contentLength ?? 0) === 0) return undefined;
  return await ctx.bytes();
}

async function verdictOf(
  service: ServiceId,
  auth: Resolved,
  request: ParsedRequest,
  ctx: AuthContext,
): Promise<AuthVerdict | { ok: false; status: number; message: string; challenge?: string }> {
  const headers: Record<string, string> = { ...request.headers };
  headers.host ??= new URL(ctx.url()).host;
  const url = `${request.path}${request.search}`;
  const now = ctx.now();
  if (service === 'azure-batch') {
    const conf = auth['azure-batch']!;
    const token = bearerOf(headers);
    if (token !== undefined) {
      if (tokenListed(token, conf.tokens)) return { ok: true, scheme: 'SharedKey', principal: 'bearer' };
      return { ok: false, status: 403, message: 'The bearer token is not one this account accepts.' };
    }
    if (conf.account === undefined)
      return { ok: false, status: 403, message: 'The request has no bearer token.' };
    const body = headers['content-length'] === undefined ? await bodyOf(request, ctx) : undefined;
    return await verifySharedKey(
      { method: request.method, url, headers, ...(body === undefined ? {} : { body }) },
      { account: conf.account, key: conf.keys, now },
    );
  }
  if (service === 'dli') {
    const conf = auth.dli!;
    const token = headers['x-auth-token'];
    if (token !== undefined) {
      if (tokenListed(token, conf.tokens)) return { ok: true, scheme: 'SDK-HMAC-SHA256', principal: 'token' };
      return {
        ok: false,
        status: 401,
        message: 'Incorrect IAM authentication information: the token is not valid',
      };
    }
    if (conf.ak === undefined)
      return { ok: false, status: 401, message: 'Incorrect IAM authentication information: no X-Auth-Token' };
    const signsBody = !/(^|;)x-sdk-content-sha256(;|,|\s|$)/i.test(headers.authorization ?? '');
    const body = signsBody ? await bodyOf(request, ctx) : undefined;
    return await verifyAkSk(
      { method: request.method, url, headers, ...(body === undefined ? {} : { body }) },
      { ak: conf.ak, sk: conf.sk!, now },
    );
  }
  const conf = auth['hpc-pack']!;
  const challenge = `Basic realm="${conf.realm}", charset="UTF-8"`;
  const token = bearerOf(headers);
  if (token !== undefined && tokenListed(token, conf.tokens))
    return { ok: true, scheme: 'Basic', principal: 'bearer' };
  if (conf.user === undefined)
    return { ok: false, status: 401, message: 'No valid bearer token.', challenge };
  return await verifyBasic(
    { method: request.method, url, headers },
    { user: conf.user, password: conf.password!, realm: conf.realm },
  );
}

/** The emulator's authentication: one check per request, before interceptors and handlers. */
export class EmulatorAuth {
  constructor(private readonly auth: Resolved) {}

  /** Whether requests of this service must authenticate. */
  guards(service: ServiceId): boolean {
    return this.auth[service] !== undefined;
  }

  /** The service's refusal for a request without valid credentials, or `undefined` to let it through. */
  async check(
    service: EmulatedService,
    request: ParsedRequest,
    ctx: AuthContext,
  ): Promise<ResponsePlan | undefined> {
    if (!this.guards(service.id)) return undefined;
    let verdict: Awaited<ReturnType<typeof verdictOf>>;
    try {
      verdict = await verdictOf(service.id, this.auth, request, ctx);
    } catch (error) {
      if (error instanceof BodyTooLarge) return service.refusal(request, 'too-large', 413, error.message);
      // A request the verifiers cannot read at all (a header list of the wrong shape): refused.
      return refusalOf(
        service.id,
        { status: service.id === 'azure-batch' ? 403 : 401, message: 'The request cannot be authenticated.' },
        ctx,
      );
    }
    return verdict.ok ? undefined : refusalOf(service.id, verdict, ctx);
  }
}

/** The emulator's auth from its options, or `undefined` when it has none. */
export function emulatorAuthOf(value: unknown): EmulatorAuth | undefined {
  const resolved = readAuthOptions(value);
  return resolved === undefined ? undefined : new EmulatorAuth(resolved);
}
