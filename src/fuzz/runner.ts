// runFuzz: generates sequences with fast-check's model-based commands, runs them against the
// backend, and when a check fires, lets fast-check shrink the sequence while only that failure
// (same signature) counts, so one bug becomes one minimal finding. Then it goes on exploring,
// with the bugs already found no longer failing the property. A seed's sequences come in
// numbered chunks of 25 (each from its own seed), so a shard, a worker or a lane takes chunks by
// number and N of them cover what one would. The run is bounded whatever the target does: a
// deadline cuts waits and aborts requests in flight, findings and the bodies they keep are capped.
import { connect } from 'node:net';
import fc from 'fast-check';
import { BatchwireError, invalidArgument, isBatchwireError } from '../core/errors.js';
import {
  callbackOption,
  flagOption,
  headersOption,
  nonEmptyTextOption,
  numberOption,
  optionsObject,
  optionValue,
  signalOption,
} from '../core/options.js';
import { caseOf } from './case.js';
import { type FuzzFailure, isFuzzFailure, Stopped, signatureOf } from './failure.js';
import { Transport } from './http.js';
import { driverOf, secretNamesOf, serviceOption, shardOf, targetOf } from './options.js';
import { Secrets } from './secrets.js';
import { type RunEnv, Sequence, type ServiceDriver, sequenceArbitrary } from './sequence.js';
import { authProbeOf, preparerOf, signerOption, tlsOptions } from './sign.js';
import type {
  FuzzDiscovery,
  FuzzExchange,
  FuzzFinding,
  FuzzOptions,
  FuzzReport,
  FuzzRequestSigner,
  FuzzShard,
} from './types.js';

/** Sequences per chunk: each chunk has its own seed, derived from the run's seed and its number. */
export const CHUNK = 25;
/** Most omitted signatures remembered (so each is counted once); past it, all are counted. */
const MAX_SIGNATURES = 10_000;

/** The seed of chunk `chunk` of a run (splitmix-style mixing: nearby inputs spread). */
export function chunkSeed(seed: number, lane: number, chunk: number): number {
  let h = (seed ^ Math.imul(lane + 1, 0x9e3779b1) ^ Math.imul(chunk + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) | 0;
}

/** The options as the run uses them. */
interface Settings {
  env: RunEnv;
  driver: ServiceDriver<unknown>;
  seed: number;
  runs: number;
  timeLimitMs: number;
  concurrency: number;
  shrinkTimeLimitMs: number;
  maxShrinkRuns: number;
  maxCommands: number;
  maxFindings: number;
  shard: FuzzShard | undefined;
  signal: AbortSignal | undefined;
  onFinding: ((found: FuzzDiscovery) => void) | undefined;
  requestTimeoutMs: number;
  retryBudgetMs: number;
  maxResponseBytes: number;
  rate: number;
  sign: FuzzRequestSigner | undefined;
  tls: { ca?: string | Uint8Array; rejectUnauthorized: boolean };
}

const WHAT = 'runFuzz';
const MAX_SEED = 2 ** 53 - 1;
const HOUR = 3_600_000;

/** Reads and checks runFuzz's options (`null` is the default for each). */
function settingsOf(options: unknown): Settings {
  const o = optionsObject(options, WHAT);
  if (options === undefined || options === null) throw invalidArgument(`${WHAT} expects an options object`);
  const num = (key: string, min: number, max: number, integer = false) =>
    numberOption(o, key, { min, max, integer }, undefined, WHAT);
  const target = targetOf(optionValue(o, 'target', WHAT), flagOption(o, 'allowRemote', false, WHAT), WHAT);
  const service = serviceOption(o, WHAT);
  const timeLimitMs = num('timeLimitMs', 0, Number.POSITIVE_INFINITY);
  // A short run does not wait 10 s for one answer, nor 30 s to shrink: both scale down with it.
  const scaled = (share: number, min: number, max: number) =>
    timeLimitMs === undefined ? max : Math.min(max, Math.max(min, timeLimitMs * share));
  const env: RunEnv = {
    transport: undefined as unknown as Transport,
    target,
    service,
    headers: headersOption(o, 'headers', WHAT),
    onRequest: callbackOption<(exchange: FuzzExchange) => void>(o, 'onRequest', WHAT),
    apiVersion: nonEmptyTextOption(o, 'apiVersion', WHAT),
    projectId: nonEmptyTextOption(o, 'projectId', WHAT) ?? 'batchwire-fuzz',
    serviceName: nonEmptyTextOption(o, 'serviceName', WHAT) ?? 'Echo',
    secrets: new Secrets(secretNamesOf(optionValue(o, 'secretHeaders', WHAT), WHAT)),
    maxCaseBodyBytes: num('maxCaseBodyBytes', 0, 2 ** 31, true) ?? 64 * 1024,
    signal: undefined,
  };
  const sign = signerOption(o, WHAT);
  env.authProbe = authProbeOf(o, sign, env.headers, env.secrets, WHAT);
  const runs = num('runs', 0, Number.MAX_SAFE_INTEGER, true);
  return {
    env,
    driver: driverOf(service),
    seed: num('seed', -MAX_SEED, MAX_SEED, true) ?? (Math.random() * 2 ** 31) | 0,
    runs: runs ?? (timeLimitMs === undefined ? 100 : Number.POSITIVE_INFINITY),
    timeLimitMs: timeLimitMs ?? Number.POSITIVE_INFINITY,
    concurrency: num('concurrency', 1, 64, true) ?? 1,
    shrinkTimeLimitMs: num('shrinkTimeLimitMs', 0, HOUR) ?? scaled(0.5, 5000, 30_000),
    maxShrinkRuns: num('maxShrinkRuns', 0, 1_000_000, true) ?? 500,
    maxCommands: num('maxCommands', 1, 1000, true) ?? 16,
    maxFindings: num('maxFindings', 1, 100_000, true) ?? 100,
    shard: shardOf(optionValue(o, 'shard', WHAT), WHAT),
    signal: signalOption(o, 'signal', WHAT),
    onFinding: callbackOption<(found: FuzzDiscovery) => void>(o, 'onFinding', WHAT),
    requestTimeoutMs: num('requestTimeoutMs', 1, HOUR) ?? scaled(0.1, 1000, 10_000),
    retryBudgetMs: num('retryBudgetMs', 0, HOUR) ?? 30_000,
    maxResponseBytes: num('maxResponseBytes', 1024, 2 ** 31, true) ?? 16 * 1024 * 1024,
    rate: num('rate', Number.MIN_VALUE, Number.POSITIVE_INFINITY) ?? Number.POSITIVE_INFINITY,
    sign,
    tls: tlsOptions(o, WHAT),
  };
}

/** What every lane of a run shares. */
interface Shared {
  settings: Settings;
  /** Aborts when the run must stop: the caller's signal, or the deadline. */
  stop: AbortSignal;
  started: number;
  runsStarted: number;
  /** The next chunk to take, counted within this run's shard. */
  nextChunk: number;
  /** Signatures found, or being shrunk: exploration no longer fails on them. */
  claimed: Set<string>;
  findings: FuzzFinding[];
  /** Failures met while shrinking another one, kept unshrunk in case exploration never meets them again. */
  strays: Map<string, FuzzFinding>;
  /** Signatures met after the findings were full (at most MAX_SIGNATURES remembered). */
  omitted: Set<string>;
  omittedCount: number;
  /** An exception that is no finding (the caller's hook threw, or the runner has a bug): the run stops and rethrows it. */
  fatal?: { error: unknown };
}

/** Findings kept or being shrunk (a signature claimed is one, whether shrinking ended or not). */
function kept(shared: Shared): number {
  return shared.claimed.size + shared.strays.size;
}

function explorationOver(shared: Shared): boolean {
  return shared.stop.aborted || shared.fatal !== undefined || shared.runsStarted >= shared.settings.runs;
}

/** The global number of this run's next chunk, and how many sequences it holds; undefined when none is left. */
function takeChunk(shared: Shared): { chunk: number; runs: number } | undefined {
  const { shard, runs } = shared.settings;
  const chunk = shard === undefined ? shared.nextChunk : shard.index - 1 + shared.nextChunk * shard.count;
  const left = runs - chunk * CHUNK;
  if (left <= 0) return undefined;
  shared.nextChunk++;
  return { chunk, runs: Math.min(CHUNK, left) };
}

/** One sequence, start to end; resolves to the failure it met, if any. */
export async function runSequence(
  env: RunEnv,
  driver: ServiceDriver<unknown>,
  phase: FuzzExchange['phase'],
  commands: Iterable<fc.AsyncCommand<Sequence<unknown>, Sequence<unknown>>>,
): Promise<{ sequence: Sequence<unknown>; failure?: FuzzFailure; stopped: boolean }> {
  const sequence = new Sequence(env, driver.initialState(env), phase);
  let failure: FuzzFailure | undefined;
  let stopped = false;
  try {
    await fc.asyncModelRun(() => ({ model: sequence, real: sequence }), commands);
  } catch (error) {
    if (error instanceof Stopped) stopped = true;
    else if (isFuzzFailure(error)) failure = error;
    else throw error;
  }
  if (!stopped && !env.signal?.aborted) {
    sequence.phase = 'cleanup';
    try {
      await driver.cleanup(sequence);
    } catch (error) {
      if (!(error instanceof Stopped)) throw error;
    }
  }
  return failure === undefined ? { sequence, stopped } : { sequence, failure, stopped };
}

function foundNow(shared: Shared): FuzzFinding['foundAfter'] {
  return {
    runs: shared.runsStarted,
    requests: shared.settings.env.transport.requests,
    ms: Math.round(performance.now() - shared.started),
  };
}

function announce(shared: Shared, failure: FuzzFailure, foundAfter: FuzzFinding['foundAfter']): void {
  const hook = shared.settings.onFinding;
  if (hook === undefined) return;
  const found: FuzzDiscovery = {
    signature: signatureOf(failure),
    check: failure.check,
    operation: failure.operation,
    message: shared.settings.env.secrets.scrub(failure.message),
    foundAfter,
  };
  if (failure.status !== undefined) found.status = failure.status;
  if (failure.code !== undefined) found.code = failure.code;
  hook(found);
}

/** Whether a failure with a new signature may become a finding; counts it when the findings are full. */
function mayKeep(shared: Shared, signature: string): boolean {
  if (kept(shared) < shared.settings.maxFindings) return true;
  if (!shared.omitted.has(signature)) {
    shared.omittedCount++;
    if (shared.omitted.size < MAX_SIGNATURES) shared.omitted.add(signature);
  }
  return false;
}

async function runChunk(shared: Shared, chunk: number, numRuns: number): Promise<void> {
  const { settings } = shared;
  const { env, driver } = settings;
  let target: string | undefined;
  let best: { sequence: Sequence<unknown>; failure: FuzzFailure } | undefined;
  let shrinkStarted = 0;
  let shrinkRuns = 0;
  let shrinkCut = false;
  let foundAfter = { runs: 0, requests: 0, ms: 0 };
  const property = fc.asyncProperty(sequenceArbitrary(driver, settings.maxCommands), async (commands) => {
    if (target === undefined) {
      if (explorationOver(shared)) return;
      shared.runsStarted++;
    } else {
      if (
        shared.stop.aborted ||
        shared.fatal !== undefined ||
        shrinkRuns >= settings.maxShrinkRuns ||
        performance.now() - shrinkStarted >= settings.shrinkTimeLimitMs
      ) {
        shrinkCut = true;
        return;
      }
      shrinkRuns++;
    }
    let outcome: Awaited<ReturnType<typeof runSequence>>;
    try {
      outcome = await runSequence(env, driver, target === undefined ? 'explore' : 'shrink', commands);
    } catch (error) {
      // Not a check that fired: stop everything and hand it to the caller, unshrunk.
      shared.fatal ??= { error };
      return;
    }
    const { sequence, failure } = outcome;
    // A shrink run the deadline cut short: the finding is kept as far as it got.
    if (outcome.stopped && target !== undefined) shrinkCut = true;
    if (failure === undefined) return;
    const signature = signatureOf(failure);
    if (target === undefined) {
      if (shared.claimed.has(signature) || !mayKeep(shared, signature)) return;
      shared.claimed.add(signature);
      target = signature;
      shrinkStarted = performance.now();
      foundAfter = foundNow(shared);
      best = { sequence, failure };
      announce(shared, failure, foundAfter);
      throw failure;
    }
    if (signature === target) {
      best = { sequence, failure };
      throw failure;
    }
    if (!shared.claimed.has(signature) && !shared.strays.has(signature) && mayKeep(shared, signature)) {
      const at = foundNow(shared);
      shared.strays.set(signature, findingOf(settings, sequence, failure, `${chunk}:`, false, 0, at));
      announce(shared, failure, at);
    }
  });
  const details = await fc.check(property, {
    seed: chunkSeed(settings.seed, 0, chunk),
    numRuns,
    endOnFailure: false,
  });
  if (details.failed && target !== undefined && best !== undefined) {
    const path = `${chunk}:${details.counterexamplePath ?? ''}`;
    shared.findings.push(
      findingOf(settings, best.sequence, best.failure, path, !shrinkCut, shrinkRuns, foundAfter),
    );
    shared.strays.delete(target);
  } else if (details.failed) {
    // Not a check that fired: a fault in the runner itself. Never hide it.
    const error = details.errorInstance;
    if (error instanceof Stopped) return;
    shared.fatal ??= {
      error:
        error instanceof Error
          ? error
          : new BatchwireError('INTERNAL_ERROR', `the fuzz runner failed: ${String(error)}`, 0),
    };
  }
}

async function runLane(shared: Shared): Promise<void> {
  while (!explorationOver(shared)) {
    const next = takeChunk(shared);
    if (next === undefined) return;
    await runChunk(shared, next.chunk, next.runs);
  }
}

function findingOf(
  settings: Settings,
  sequence: Sequence<unknown>,
  failure: FuzzFailure,
  path: string,
  shrunk: boolean,
  shrinkRuns: number,
  foundAfter: FuzzFinding['foundAfter'],
): FuzzFinding {
  const c = caseOf(settings.env, settings.seed, path, sequence, failure);
  const finding: FuzzFinding = {
    signature: c.signature,
    check: failure.check,
    operation: failure.operation,
    message: c.message,
    shrunk,
    shrinkRuns,
    foundAfter,
    case: c,
  };
  if (failure.status !== undefined) finding.status = failure.status;
  if (failure.code !== undefined) finding.code = failure.code;
  return finding;
}

/**
 * Whether the target accepts a connection: a TCP connect to its host and port, nothing sent.
 * @throws {@link BatchwireError} `TARGET_UNREACHABLE` when it does not within `timeoutMs`
 */
export function probeTarget(target: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const url = new URL(target);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const finish = (error?: string) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (error === undefined) resolve();
      else reject(new BatchwireError('TARGET_UNREACHABLE', `cannot reach ${target}: ${error}`, 0));
    };
    const onAbort = () => finish('the run was stopped');
    const timer = setTimeout(() => finish(`no connection within ${timeoutMs} ms`), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish());
    socket.once('error', (error: NodeJS.ErrnoException) =>
      finish(`${error.code ?? 'error'}: ${error.message}`),
    );
  });
}

/**
 * Fuzzes a live backend of one service: generates sequences of valid and near-valid requests
 * with fast-check (model-based commands), sends them, checks every answer, and shrinks each
 * failure to a minimal sequence with minimal field values. Findings are grouped by signature
 * (operation, check, status, fault or decoder code): one bug, one finding. The same seed against
 * the same backend behaviour sends the same requests (with `concurrency` 1).
 *
 * @throws {@link BatchwireError} `INVALID_ARGUMENT` for unusable options (a non-loopback target
 *   without `allowRemote`, an unknown service, a bad number); `TARGET_UNREACHABLE` when the
 *   target accepts no connection at the start
 * @example
 * ```ts
 * import { startEmulator } from 'batchwire/emulator';
 * import { runFuzz } from 'batchwire/fuzz';
 * const emulator = await startEmulator();
 * const report = await runFuzz({ target: emulator.url, service: 'dli', seed: 7, runs: 50 });
 * console.log(report.requests, report.findings.map((f) => f.signature)); // e.g. 412 []
 * await emulator.close();
 * ```
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  let settings: Settings;
  try {
    settings = settingsOf(options);
  } catch (error) {
    if (isBatchwireError(error)) throw error;
    throw invalidArgument(
      `${WHAT}: the options could not be read: ${(error as Error)?.message ?? String(error)}`,
      error,
    );
  }
  const controller = new AbortController();
  const stop = controller.signal;
  const onAbort = () => controller.abort();
  settings.signal?.addEventListener('abort', onAbort, { once: true });
  if (settings.signal?.aborted) controller.abort();
  let timedOut = false;
  const deadline = Number.isFinite(settings.timeLimitMs)
    ? setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, settings.timeLimitMs)
    : undefined;
  deadline?.unref?.();
  const transport = new Transport({
    requestTimeoutMs: settings.requestTimeoutMs,
    retryBudgetMs: settings.retryBudgetMs,
    maxResponseBytes: settings.maxResponseBytes,
    rate: settings.rate,
    signal: stop,
    secrets: settings.env.secrets,
    tls: settings.tls,
    ...(settings.sign === undefined ? {} : { prepare: preparerOf(settings.sign, settings.env.secrets) }),
  });
  settings.env.transport = transport;
  settings.env.signal = stop;
  const shared: Shared = {
    settings,
    stop,
    started: performance.now(),
    runsStarted: 0,
    nextChunk: 0,
    claimed: new Set(),
    findings: [],
    strays: new Map(),
    omitted: new Set(),
    omittedCount: 0,
  };
  try {
    await probeTarget(settings.env.target, Math.min(settings.requestTimeoutMs, 10_000), stop);
    const lanes = Array.from({ length: settings.concurrency }, () => runLane(shared));
    const results = await Promise.allSettled(lanes);
    const rejected = results.find((r) => r.status === 'rejected');
    if (rejected) throw (rejected as PromiseRejectedResult).reason;
    if (shared.fatal !== undefined) throw shared.fatal.error;
  } catch (error) {
    // Stopped before the probe could answer: an empty report, as for any stopped run.
    if (!(isBatchwireError(error) && error.code === 'TARGET_UNREACHABLE' && stop.aborted)) throw error;
  } finally {
    if (deadline !== undefined) clearTimeout(deadline);
    settings.signal?.removeEventListener('abort', onAbort);
    transport.close();
  }
  for (const [signature, stray] of shared.strays)
    if (!shared.findings.some((f) => f.signature === signature)) shared.findings.push(stray);
  const report: FuzzReport = {
    seed: settings.seed,
    service: settings.env.service,
    target: settings.env.target,
    requests: transport.requests,
    runs: shared.runsStarted,
    durationMs: Math.round(performance.now() - shared.started),
    stoppedBy: settings.signal?.aborted ? 'signal' : timedOut ? 'time' : 'runs',
    findings: shared.findings,
    findingsOmitted: shared.omittedCount,
  };
  if (settings.shard !== undefined) report.shard = settings.shard;
  if (!settings.tls.rejectUnauthorized) report.insecure = true;
  return report;
}
