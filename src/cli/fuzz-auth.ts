// The fuzz command's credentials and TLS trust: a signer from batchwire/auth built from
// environment variables only (a secret on the command line would sit in the shell history and
// in `ps`), a CA file to trust, and --insecure, said out loud.
import { readFileSync } from 'node:fs';
import { basicAuth, signAkSk, signSharedKey } from '../auth/index.js';
import type { FuzzRequestSigner } from '../fuzz/index.js';
import { UsageError } from './io.js';

type Options = Record<string, string | boolean | undefined>;

/** The fuzz options about auth and TLS, as `fuzz` and `fuzz replay` take them. */
export const FUZZ_AUTH_OPTIONS = {
  'shared-key': { type: 'string' },
  'key-env': { type: 'string' },
  'ak-env': { type: 'string' },
  'sk-env': { type: 'string' },
  'basic-env': { type: 'string' },
  ca: { type: 'string' },
  insecure: { type: 'boolean' },
} as const;

/** Their names, for the options a worker process is passed on. */
export const FUZZ_AUTH_NAMES: readonly string[] = Object.keys(FUZZ_AUTH_OPTIONS);

export const FUZZ_AUTH_USAGE = `  --shared-key ACCOUNT  sign every request with Azure Batch SharedKey for ACCOUNT, the key read
                     from the environment variable --key-env names
  --key-env VAR      the environment variable holding the account key (base64)
  --ak-env VAR --sk-env VAR  sign every request with Huawei APIG AK/SK (SDK-HMAC-SHA256), the
                     access key and secret key read from these environment variables
  --basic-env VAR    send HTTP Basic credentials (HPC Pack) read from VAR as user:password
                     Secrets come from the environment only, never from the command line, and
                     every header a signer writes is redacted from every file. With a signer,
                     the ignored-auth check sends, once per sequence, a read-only request
                     without credentials and one with its signature altered: a 2xx is a finding
  --ca FILE          trust this CA certificate (PEM) for an https:// target
  --insecure         do not check the https:// target's certificate (said in the summary and
                     in report.json as "insecure": true)
`;

function envValue(option: string, name: string | boolean | undefined): string {
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    throw new UsageError(`--${option} needs the name of an environment variable`);
  const value = process.env[name];
  if (value === undefined || value === '')
    throw new UsageError(`--${option}: the environment variable ${name} is not set`);
  return value;
}

/** The signer the options ask for, or `undefined`. */
function signerOf(options: Options): FuzzRequestSigner | undefined {
  const shared = options['shared-key'];
  const ak = options['ak-env'];
  const sk = options['sk-env'];
  const basic = options['basic-env'];
  const chosen = [shared !== undefined, ak !== undefined || sk !== undefined, basic !== undefined].filter(
    Boolean,
  );
  if (chosen.length > 1) throw new UsageError('give one of --shared-key, --ak-env/--sk-env and --basic-env');
  if (options['key-env'] !== undefined && shared === undefined)
    throw new UsageError('--key-env goes with --shared-key ACCOUNT');
  if (shared !== undefined) {
    if (typeof shared !== 'string' || shared === '')
      throw new UsageError('--shared-key needs the account name');
    if (options['key-env'] === undefined)
      throw new UsageError('--shared-key needs --key-env VAR (the key is read from the environment)');
    const key = envValue('key-env', options['key-env']);
    return (request) => signSharedKey(request, { account: shared, key });
  }
  if (ak !== undefined || sk !== undefined) {
    if (ak === undefined || sk === undefined) throw new UsageError('--ak-env and --sk-env go together');
    const pair = { ak: envValue('ak-env', ak), sk: envValue('sk-env', sk) };
    return (request) => signAkSk(request, pair);
  }
  if (basic !== undefined) {
    const text = envValue('basic-env', basic);
    const colon = text.indexOf(':');
    if (colon <= 0) throw new UsageError(`--basic-env: ${String(basic)} must hold user:password`);
    const credentials = { user: text.slice(0, colon), password: text.slice(colon + 1) };
    return (request) => basicAuth(request, credentials);
  }
  return undefined;
}

/** `sign`, `ca` and `insecure` for runFuzz and replayCase, from the command line. */
export function fuzzAuthOf(options: Options): { sign?: FuzzRequestSigner; ca?: string; insecure?: true } {
  const out: { sign?: FuzzRequestSigner; ca?: string; insecure?: true } = {};
  const sign = signerOf(options);
  if (sign !== undefined) out.sign = sign;
  const ca = options.ca;
  if (ca !== undefined) {
    if (typeof ca !== 'string') throw new UsageError('--ca needs a file name');
    try {
      out.ca = readFileSync(ca, 'utf8');
    } catch (error) {
      throw new UsageError(`--ca ${ca}: ${(error as Error).message}`);
    }
    if (!out.ca.includes('-----BEGIN CERTIFICATE-----'))
      throw new UsageError(`--ca ${ca}: no PEM certificate in it`);
  }
  if (options.insecure === true) out.insecure = true;
  return out;
}
