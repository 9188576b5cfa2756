// replayCase: sends a finding's case again and says whether it still fails. A case written by
// runFuzz holds its operations, so the same sequence runs again with every check (ids the backend
// hands out are resolved afresh); a case that only has requests is sent as it is, with the
// checks every answer gets.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isBatchwireError } from '../core/errors.js';
import { type FuzzFailure, Stopped, signatureOf } from './failure.js';
import { Transport, type WireRequest } from './http.js';
import {
  callbackOption,
  driverOf,
  headersOption,
  invalid,
  numberOption,
  optionsRecord,
  SERVICES,
  signalOption,
  targetOf,
} from './options.js';
import { runSequence } from './runner.js';
import { type CommandSpec, decodeParams, FuzzCommand, type RunEnv, Sequence } from './sequence.js';
import type { FuzzCase, FuzzExchange, FuzzService, ReplayOptions, ReplayResult } from './types.js';

interface LoadedCase {
  case: Partial<FuzzCase> & { requests: FuzzCase['requests'] };
  files: Record<string, Uint8Array>;
}

function load(input: FuzzCase | string): LoadedCase {
  if (typeof input === 'string') {
    let text: string;
    try {
      text = readFileSync(input, 'utf8');
    } catch (error) {
      throw invalid(`cannot read ${JSON.stringify(input)}: ${(error as Error).message}`);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw invalid(`${input} is not JSON: ${(error as Error).message}`);
    }
    const c = check(value);
    const files: Record<string, Uint8Array> = {};
    const dir = dirname(input);
    for (const r of c.requests) {
      if (r.body === undefined) continue;
      if (
        typeof r.body !== 'string' ||
        r.body.includes('/') ||
        r.body.includes('\\') ||
        r.body.startsWith('..')
      )
        throw invalid(`a request body must name a file beside case.json; got ${JSON.stringify(r.body)}`);
      try {
        files[r.body] = new Uint8Array(readFileSync(join(dir, r.body)));
      } catch (error) {
        throw invalid(`cannot read the body file ${r.body}: ${(error as Error).message}`);
      }
    }
    return { case: c, files };
  }
  const c = check(input);
  const files = typeof input.files === 'object' && input.files !== null ? input.files : {};
  return { case: c, files };
}

function check(value: unknown): LoadedCase['case'] {
  const c = optionsRecord(value, 'replayCase') as LoadedCase['case'];
  if (!Array.isArray(c.requests)) throw invalid('a case has a "requests" array');
  for (const r of c.requests) {
    if (typeof r !== 'object' || r === null || typeof r.method !== 'string' || typeof r.url !== 'string')
      throw invalid('each request of a case has a "method" and a "url"');
    if (r.headers !== undefined && (typeof r.headers !== 'object' || r.headers === null))
      throw invalid('request headers must be an object');
  }
  return c;
}

function serviceOfCase(c: LoadedCase['case']): FuzzService {
  if (typeof c.service === 'string' && (SERVICES as readonly string[]).includes(c.service)) return c.service;
  const path = (() => {
    try {
      return new URL(c.requests[0]?.url ?? '').pathname.toLowerCase();
    } catch {
      return '';
    }
  })();
  if (path.includes('/windowshpc')) return 'hpc-pack';
  if (path.includes('/v2.0/')) return 'dli';
  return 'azure-batch';
}

/** `url` moved from the case's target onto the new one (URLs elsewhere stay as they are). */
function rebase(url: string, from: string | undefined, to: string): string {
  if (from !== undefined && url.startsWith(from)) return to + url.slice(from.length);
  try {
    const u = new URL(url);
    const t = new URL(to);
    if (from === undefined) return `${t.origin}${u.pathname}${u.search}`;
  } catch {
    return url;
  }
  return url;
}

/**
 * Sends a finding's case to `target` again and says whether it still fails the same way. Give the
 * path of a `case.json` (bodies are read from beside it) or the {@link FuzzCase} of a report.
 *
 * @throws {@link BatchwireError} `INVALID_ARGUMENT` for a file that is not a case, or bad options
 * @example
 * ```ts
 * import { replayCase } from 'batchwire/fuzz';
 * const { stillFails, failure } = await replayCase('fuzz-out/getResponses.lost-response.200/case.json', {
 *   target: 'http://127.0.0.1:8080',
 * });
 * ```
 */
export async function replayCase(input: FuzzCase | string, options: ReplayOptions): Promise<ReplayResult> {
  let settings: { loaded: LoadedCase; env: RunEnv; transport: Transport; signal: AbortSignal | undefined };
  try {
    const o = { ...optionsRecord(options, 'replayCase') };
    const loaded = load(input);
    const target = targetOf(o.target, o.allowRemote);
    const signal = signalOption(o.signal);
    const transport = new Transport({
      requestTimeoutMs: numberOption(o, 'requestTimeoutMs', 1, 3_600_000, false) ?? 10_000,
      retryBudgetMs: numberOption(o, 'retryBudgetMs', 0, 3_600_000, false) ?? 30_000,
      maxResponseBytes: numberOption(o, 'maxResponseBytes', 1024, 2 ** 31, true) ?? 16 * 1024 * 1024,
      rate: Number.POSITIVE_INFINITY,
      ...(signal === undefined ? {} : { signal }),
    });
    const c = loaded.case;
    const env: RunEnv = {
      transport,
      target,
      service: serviceOfCase(c),
      headers: headersOption(o.headers),
      onRequest: callbackOption<(exchange: FuzzExchange) => void>(o.onRequest, 'onRequest'),
      apiVersion: undefined,
      projectId: 'batchwire-fuzz',
      serviceName: typeof c.serviceName === 'string' && c.serviceName !== '' ? c.serviceName : 'Echo',
    };
    // The run's service parameters, as the case's own requests show them.
    adoptParameters(env, c);
    settings = { loaded, env, transport, signal };
  } catch (error) {
    if (isBatchwireError(error)) throw error;
    throw invalid(`replayCase: ${(error as Error)?.message ?? String(error)}`);
  }
  const { loaded, env, transport } = settings;
  const c = loaded.case;
  try {
    let failure: FuzzFailure | undefined;
    if (Array.isArray(c.commands) && c.commands.length > 0) {
      const driver = driverOf(env.service);
      const commands = c.commands.map((record) => {
        const spec = driver.commands.find((s) => s.name === record?.name);
        if (spec === undefined)
          throw invalid(`unknown operation ${JSON.stringify(record?.name)} in the case's commands`);
        return new FuzzCommand(spec as CommandSpec<unknown, unknown>, decodeParams(record.params));
      });
      const result = await runSequence(env, driver, 'replay', commands);
      failure = result.failure;
    } else {
      failure = await sendRaw(env, loaded);
    }
    const result: ReplayResult = { stillFails: false, requests: transport.requests };
    if (failure !== undefined) {
      const signature = signatureOf(failure);
      result.failure = { signature, ...failure.info };
      result.stillFails = c.signature === undefined || signature === c.signature;
    }
    return result;
  } catch (error) {
    if (error instanceof Stopped) return { stillFails: false, requests: transport.requests };
    throw error;
  } finally {
    transport.close();
  }
}

function adoptParameters(env: RunEnv, c: LoadedCase['case']): void {
  // The value most requests carried (near-valid ones carry others).
  const versions = new Map<string, number>();
  for (const r of c.requests) {
    let version: string | undefined = env.service === 'hpc-pack' ? r.headers?.['api-version'] : undefined;
    try {
      const url = new URL(r.url);
      const m = /\/v2\.0\/([^/]+)\/batches/.exec(url.pathname);
      if (m) env.projectId = decodeURIComponent(m[1]!);
      if (env.service === 'azure-batch') version = url.searchParams.get('api-version') ?? undefined;
    } catch {
      // A URL the case cannot have had: it fails when sent.
    }
    if (typeof version === 'string' && version !== '')
      versions.set(version, (versions.get(version) ?? 0) + 1);
  }
  let best = 0;
  for (const [version, n] of versions) {
    if (n > best) {
      best = n;
      env.apiVersion = version;
    }
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
        if (typeof v === 'string') headers[k.toLowerCase()] = v;
      for (const [k, v] of Object.entries(env.headers)) headers[k] = v;
      const wire: WireRequest = { method: r.method, url: rebase(r.url, from, env.target), headers };
      if (typeof r.body === 'string') {
        const body = loaded.files[r.body];
        if (body === undefined)
          throw invalid(`the case names a body file ${JSON.stringify(r.body)} it does not hold`);
        wire.body = body;
      }
      await sequence.sendWire(typeof r.operation === 'string' ? r.operation : 'request', wire, {
        outcome: 'either',
      });
    }
  } catch (error) {
    if ((error as { name?: unknown })?.name === 'FuzzFailure') return error as FuzzFailure;
    throw error;
  }
  return undefined;
}
