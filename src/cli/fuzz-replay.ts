// `batchwire fuzz replay CASE`: sends a case again and says whether it still fails. The case's
// secret headers come again from --header or from the environment variable the case names.
import { readFileSync } from 'node:fs';
import { isBatchwireError } from '../core/errors.js';
import { fuzzAuthOf } from './fuzz-auth.js';
import { type CommandContext, oneLine, UsageError } from './io.js';

type Options = CommandContext['options'];

/** `--header 'Name: value'` options (repeatable: joined by NUL), as a record. */
export function headersOf(value: string | boolean | undefined): Record<string, string> {
  if (value === undefined) return {};
  const headers: Record<string, string> = {};
  for (const spec of String(value).split('\0')) {
    const colon = spec.indexOf(':');
    const name = colon < 0 ? '' : spec.slice(0, colon).trim();
    if (colon < 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      throw new UsageError(`--header ${JSON.stringify(spec.slice(0, 80))}: expected 'Name: value'`);
    }
    headers[name.toLowerCase()] = spec.slice(colon + 1).trim();
  }
  return headers;
}

/** `--secret-header NAME` options (repeatable). */
export function secretNamesOf(value: string | boolean | undefined): string[] {
  if (value === undefined) return [];
  return String(value)
    .split('\0')
    .map((name) => {
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
        throw new UsageError(`--secret-header ${JSON.stringify(name.slice(0, 80))}: expected a header name`);
      return name.toLowerCase();
    });
}

/** A string option's value. */
export function stringOf(value: string | boolean | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} needs a value`);
  return value;
}

/** A number option's value, from `min` on. */
export function numberOf(
  value: string | boolean | undefined,
  name: string,
  min: number,
  integer: boolean,
): number | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value.trim() : '';
  const n = /^-?[0-9]+(\.[0-9]+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n)) || n > Number.MAX_SAFE_INTEGER) {
    throw new UsageError(
      `--${name}: expected ${integer ? 'an integer' : 'a number'} of at least ${min}, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

function readCase(path: string): { target?: unknown; secretHeaders?: unknown } {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { target?: unknown; secretHeaders?: unknown };
  } catch (error) {
    throw new UsageError(`cannot read the case ${JSON.stringify(path)}: ${(error as Error).message}`);
  }
}

/** The headers to replay with: --header, then each secret header of the case from its environment variable. */
function replayHeaders(options: Options, secrets: unknown): Record<string, string> {
  const headers = headersOf(options.header);
  if (typeof secrets !== 'object' || secrets === null) return headers;
  for (const [name, env] of Object.entries(secrets as Record<string, unknown>)) {
    if (Object.hasOwn(headers, name.toLowerCase())) continue;
    const value = typeof env === 'string' ? process.env[env] : undefined;
    if (value === undefined || value === '')
      throw new UsageError(
        `the case's ${name} header is a secret that was not written down: give --header '${name}: ...' or set ${String(env)}`,
      );
    headers[name.toLowerCase()] = value;
  }
  return headers;
}

/** Runs `batchwire fuzz replay`; resolves to the exit code. */
export async function runReplay(context: CommandContext): Promise<number> {
  const { args, options } = context;
  const path = args[1];
  if (path === undefined) throw new UsageError('fuzz replay needs the path of a case.json');
  if (args.length > 2) throw new UsageError(`unexpected argument ${JSON.stringify(args[2])}`);
  const c = readCase(path);
  const target = stringOf(options.target, 'target') ?? (typeof c.target === 'string' ? c.target : undefined);
  if (target === undefined) throw new UsageError('the case names no target: give --target URL');
  const timeout = numberOf(options.timeout, 'timeout', 0.001, false);
  const auth = fuzzAuthOf(options);
  // A signer writes the credentials: the case's secret headers need not come from the environment.
  const headers = replayHeaders(options, auth.sign === undefined ? c.secretHeaders : undefined);
  const { replayCase } = await import('../fuzz/index.js');
  let result: Awaited<ReturnType<typeof replayCase>>;
  try {
    result = await replayCase(path, {
      target,
      headers,
      secretHeaders: secretNamesOf(options['secret-header']),
      ...(options['allow-remote'] === true ? { allowRemote: true } : {}),
      ...(timeout === undefined ? {} : { requestTimeoutMs: timeout * 1000 }),
      ...auth,
    });
  } catch (error) {
    if (isBatchwireError(error) && error.code === 'INVALID_ARGUMENT') throw new UsageError(error.message);
    throw error;
  }
  if (result.stillFails && result.failure) {
    context.stdout.write(`still fails: ${result.failure.signature}\n  ${oneLine(result.failure.message)}\n`);
    return 1;
  }
  if (result.failure) {
    // Still failing, otherwise (or the target is down): not the all-clear exit 0 gives.
    context.stdout.write(
      `no longer fails that way; it failed otherwise: ${result.failure.signature}\n  ${oneLine(result.failure.message)}\n`,
    );
    return 1;
  }
  context.stdout.write(`no longer fails (${result.requests} requests sent)\n`);
  return 0;
}
