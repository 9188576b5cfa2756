// replayCase: sends a finding's case again and says whether it still fails. A case written by
// runFuzz holds its operations and the run's service parameters (api-version, project id,
// ServiceName), so the same sequence runs again with every check and nothing guessed (ids the
// backend hands out are resolved afresh); a case that only has requests is sent as it is, with
// the checks every answer gets. A case's secret headers were never written down: the caller
// gives them again.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { invalidArgument, isBatchwireError } from '../core/errors.js';
import {
  callbackOption,
  flagOption,
  headersOption,
  numberOption,
  optionsObject,
  optionValue,
  signalOption,
} from '../core/options.js';
import { serviceIdOf } from '../core/services.js';
import { type FuzzFailure, isFuzzFailure, Stopped, signatureOf } from './failure.js';
import { Transport, type WireRequest } from './http.js';
import { driverOf, secretNamesOf, targetOf } from './options.js';
import { runSequence } from './runner.js';
import { Secrets, secretEnvName } from './secrets.js';
import { type CommandSpec, decodeParams, FuzzCommand, type RunEnv, Sequence } from './sequence.js';
import { authProbeOf, preparerOf, signerOption, tlsOptions } from './sign.js';
import type { FuzzCase, FuzzExchange, ReplayOptions, ReplayResult } from './types.js';

const WHAT = 'replayCase';

interface LoadedCase {
  case: Partial<FuzzCase> & { requests: FuzzCase['requests'] };
  files: Record<string, Uint8Array>;
}

function load(input: FuzzCase | string): LoadedCase {
  if (typeof input !== 'string') {
    const c = check(input);
    const files = typeof input.files === 'object' && input.files !== null ? input.files : {};
    return { case: c, files };
  }
  let text: string;
  try {
    text = readFileSync(input, 'utf8');
  } catch (error) {
    throw invalidArgument(`${WHAT}: cannot read ${JSON.stringify(input)}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalidArgument(`${WHAT}: ${input} is not JSON: ${(error as Error).message}`);
  }
  const c = check(value);
  const files: Record<string, Uint8Array> = {};
  const dir = dirname(input);
  for (const r of c.requests) {
    if (r.body === undefined) continue;
    if (typeof r.body !== 'string' || /[/\\]/.test(r.body) || r.body.startsWith('..'))
      throw invalidArgument(
        `${WHAT}: a request body must name a file beside case.json; got ${JSON.stringify(r.body)}`,
      );
    try {
      files[r.body] = new Uint8Array(readFileSync(join(dir, r.body)));
    } catch (error) {
      throw invalidArgument(`${WHAT}: cannot read the body file ${r.body}: ${(error as Error).message}`);
    }
  }
  return { case: c, files };
}

function check(value: unknown): LoadedCase['case'] {
  const c = optionsObject(value, WHAT) as LoadedCase['case'];
  if (!Array.isArray(c.requests)) throw invalidArgument(`${WHAT}: a case has a "requests" array`);
  for (const r of c.requests) {
    if (typeof r !== 'object' || r === null || typeof r.method !== 'string' || typeof r.url !== 'string')
      throw invalidArgument(`${WHAT}: each request of a case has a "method" and a "url"`);
    if (r.headers !== undefined && (typeof r.headers !== 'object' || r.headers === null))
      throw invalidArgument(`${WHAT}: request headers must be an object`);
  }
  if (serviceIdOf(c.service) === undefined)
    throw invalidArgument(`${WHAT}: a case names its "service" (hpc-pack, azure-batch or dli)`);
  return c;
}

/** `url` moved from the case's target onto the new one (URLs elsewhere stay as they are). */
function rebase(url: string, from: string | undefined, to: string): string {
  return from !== undefined && url.startsWith(from) ? to + url.slice(from.length) : url;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Sends a finding's case to `target` again and says whether it still fails the same way. Give the
 * path of a `case.json` (bodies are read from beside it) or the {@link FuzzCase} of a report.
 *
 * @throws {@link BatchwireError} `INVALID_ARGUMENT` for a file that is not a case, bad options,
 *   or a secret header of the case not given again in `headers`
 * @example
 * ```ts
 * import { replayCase } from 'batchwire/fuzz';
 * const { stillFails, failure } = await replayCase('fuzz-out/getResponses.lost-response.200/case.json', {
 *   target: 'http://127.0.0.1:8080',
 * });
 * ```
 */
export async function replayCase(input: FuzzCase | string, options: ReplayOptions): Promise<ReplayResult> {
  let loaded: LoadedCase;
  let env: RunEnv;
  try {
    const o = optionsObject(options, WHAT);
    loaded = load(input);
    const c = loaded.case;
    const target = targetOf(optionValue(o, 'target', WHAT), flagOption(o, 'allowRemote', false, WHAT), WHAT);
    const signal = signalOption(o, 'signal', WHAT);
    const headers = headersOption(o, 'headers', WHAT);
    const sign = signerOption(o, WHAT);
    const secretHeaders =
      c.secretHeaders !== null && typeof c.secretHeaders === 'object' ? c.secretHeaders : {};
    for (const name of Object.keys(secretHeaders)) {
      // A signer writes its own credentials (and dates): only the others must be given again.
      if (!Object.hasOwn(headers, name.toLowerCase()) && sign === undefined)
        throw invalidArgument(
          `${WHAT}: the case's ${name} header is a secret that was not written down: give it again (headers, or --header / ${secretEnvName(name)})`,
        );
    }
    const secrets = new Secrets([
      ...secretNamesOf(optionValue(o, 'secretHeaders', WHAT), WHAT),
      ...Object.keys(secretHeaders),
    ]);
    const num = (key: string, min: number, max: number, fallback: number) =>
      numberOption(o, key, { min, max }, fallback, WHAT);
    const transport = new Transport({
      requestTimeoutMs: num('requestTimeoutMs', 1, 3_600_000, 10_000),
      retryBudgetMs: num('retryBudgetMs', 0, 3_600_000, 30_000),
      maxResponseBytes: num('maxResponseBytes', 1024, 2 ** 31, 16 * 1024 * 1024),
      rate: Number.POSITIVE_INFINITY,
      secrets,
      tls: tlsOptions(o, WHAT),
      ...(signal === undefined ? {} : { signal }),
      ...(sign === undefined ? {} : { prepare: preparerOf(sign, secrets) }),
    });
    env = {
      transport,
      target,
      service: serviceIdOf(c.service)!,
      headers,
      onRequest: callbackOption<(exchange: FuzzExchange) => void>(o, 'onRequest', WHAT),
      apiVersion: text(c.apiVersion),
      projectId: text(c.projectId) ?? 'batchwire-fuzz',
      serviceName: text(c.serviceName) ?? 'Echo',
      secrets,
      maxCaseBodyBytes: 64 * 1024,
      signal,
      authProbe: authProbeOf(o, sign, headers, secrets, WHAT),
    };
  } catch (error) {
    if (isBatchwireError(error)) throw error;
    throw invalidArgument(`${WHAT}: ${(error as Error)?.message ?? String(error)}`, error);
  }
  const c = loaded.case;
  try {
    let failure: FuzzFailure | undefined;
    if (Array.isArray(c.commands) && c.commands.length > 0) {
      const driver = driverOf(env.service);
      const commands = c.commands.map((record) => {
        const spec = driver.commands.find((s) => s.name === record?.name);
        if (spec === undefined)
          throw invalidArgument(
            `${WHAT}: unknown operation ${JSON.stringify(record?.name)} in the case's commands`,
          );
        return new FuzzCommand(spec as CommandSpec<unknown, unknown>, decodeParams(record.params));
      });
      failure = (await runSequence(env, driver, 'replay', commands)).failure;
    } else {
      failure = await sendRaw(env, loaded);
    }
    const result: ReplayResult = { stillFails: false, requests: env.transport.requests };
    if (failure !== undefined) {
      const signature = signatureOf(failure);
      const info = failure.info;
      result.failure = { signature, ...info, message: env.secrets.scrub(info.message) };
      result.stillFails = c.signature === undefined || signature === c.signature;
    }
    return result;
  } catch (error) {
    if (error instanceof Stopped) return { stillFails: false, requests: env.transport.requests };
    throw error;
  } finally {
    env.transport.close();
  }
}

/** Sends each request as recorded, with the checks every answer gets; the first failure, if any. */
async function sendRaw(env: RunEnv, loaded: LoadedCase): Promise<FuzzFailure | undefined> {
  const c = loaded.case;
  const sequence = new Sequence(env, {}, 'replay');
  const from = typeof c.target === 'string' ? c.target.replace(/\/+$/, '') : undefined;
  try {
    for (const r of c.requests) {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(r.headers ?? {}))
        if (typeof v === 'string' && !env.secrets.isSecret(k)) headers[k.toLowerCase()] = v;
      // The caller's headers, the secrets given again among them.
      for (const [k, v] of Object.entries(env.headers)) headers[k] = v;
      const wire: WireRequest = { method: r.method, url: rebase(r.url, from, env.target), headers };
      if (typeof r.body === 'string') {
        const body = loaded.files[r.body];
        if (body === undefined)
          throw invalidArgument(
            `${WHAT}: the case names a body file ${JSON.stringify(r.body)} it does not hold`,
          );
        wire.body = body;
      }
      await sequence.sendWire(typeof r.operation === 'string' ? r.operation : 'request', wire, {
        outcome: 'either',
      });
    }
  } catch (error) {
    if (isFuzzFailure(error)) return error;
    throw error;
  }
  return undefined;
}
