// runFuzz: generates sequences with fast-check's model-based commands, runs them against the
// backend, and when a check fires, lets fast-check shrink the sequence while only that failure
// (same signature) counts, so one bug becomes one minimal finding. Then it goes on exploring,
// with the bugs already found no longer failing the property.
import fc from 'fast-check';
import { BatchwireError, isBatchwireError } from '../core/errors.js';
import { caseOf } from './case.js';
import { type FuzzFailure, Stopped, signatureOf } from './failure.js';
import { Transport } from './http.js';
import {
  callbackOption,
  driverOf,
  headersOption,
  invalid,
  numberOption,
  optionsRecord,
  serviceOption,
  signalOption,
  stringOption,
  targetOf,
} from './options.js';
import { type RunEnv, Sequence, type ServiceDriver, sequenceArbitrary } from './sequence.js';
import type { FuzzExchange, FuzzFinding, FuzzOptions, FuzzReport } from './types.js';

/** Runs per fast-check call: each chunk has its own seed, derived from the run's seed. */
const CHUNK = 25;

/** A 32-bit seed for lane `lane`, chunk `chunk` (splitmix-style mixing: nearby inputs spread). */
export function chunkSeed(seed: number, lane: number, chunk: number): number {
  let h = (seed ^ Math.imul(lane + 1, 0x9e3779b1) ^ Math.imul(chunk + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) | 0;
}

/** The options as the run uses them. */
export interface Settings {
  env: RunEnv;
  driver: ServiceDriver<unknown>;
  seed: number;
  runs: number;
  timeLimitMs: number;
  concurrency: number;
  shrinkTimeLimitMs: number;
  maxShrinkRuns: number;
  maxCommands: number;
  signal: AbortSignal | undefined;
}

/** Reads and checks runFuzz's options; a foreign exception (a throwing getter) becomes INVALID_ARGUMENT. */
function settingsOf(
  options: FuzzOptions,
): Settings & { transportSettings: ConstructorParameters<typeof Transport>[0] } {
  try {
    const o = { ...optionsRecord(options, 'runFuzz') };
    const target = targetOf(o.target, o.allowRemote);
    const service = serviceOption(o.service);
    const seedValue = numberOption(o, 'seed', -(2 ** 53 - 1), 2 ** 53 - 1, true);
    const runs = numberOption(o, 'runs', 0, Number.MAX_SAFE_INTEGER, true);
    const timeLimitMs = numberOption(o, 'timeLimitMs', 0, Number.POSITIVE_INFINITY, false);
    const concurrency = numberOption(o, 'concurrency', 1, 64, true) ?? 1;
    const rate =
      numberOption(o, 'rate', Number.MIN_VALUE, Number.POSITIVE_INFINITY, false) ?? Number.POSITIVE_INFINITY;
    // A short run does not wait 10 s for one answer, nor 30 s to shrink: both scale down with it.
    const scaled = (share: number, min: number, max: number) =>
      timeLimitMs === undefined ? max : Math.min(max, Math.max(min, timeLimitMs * share));
    const requestTimeoutMs =
      numberOption(o, 'requestTimeoutMs', 1, 3_600_000, false) ?? scaled(0.1, 1000, 10_000);
    const retryBudgetMs = numberOption(o, 'retryBudgetMs', 0, 3_600_000, false) ?? 30_000;
    const shrinkTimeLimitMs =
      numberOption(o, 'shrinkTimeLimitMs', 0, 3_600_000, false) ?? scaled(0.5, 5000, 30_000);
    const maxShrinkRuns = numberOption(o, 'maxShrinkRuns', 0, 1_000_000, true) ?? 500;
    const maxCommands = numberOption(o, 'maxCommands', 1, 1000, true) ?? 16;
    const maxResponseBytes = numberOption(o, 'maxResponseBytes', 1024, 2 ** 31, true) ?? 16 * 1024 * 1024;
    const signal = signalOption(o.signal);
    const onRequest = callbackOption<(exchange: FuzzExchange) => void>(o.onRequest, 'onRequest');
    const env: RunEnv = {
      transport: undefined as unknown as Transport,
      target,
      service,
      headers: headersOption(o.headers),
      onRequest,
      apiVersion: stringOption(o, 'apiVersion'),
      projectId: stringOption(o, 'projectId') ?? 'batchwire-fuzz',
      serviceName: stringOption(o, 'serviceName') ?? 'Echo',
    };
    return {
      env,
      driver: driverOf(service),
      seed: seedValue === undefined ? (Math.random() * 2 ** 31) | 0 : seedValue,
      runs: runs ?? (timeLimitMs === undefined ? 100 : Number.POSITIVE_INFINITY),
      timeLimitMs: timeLimitMs ?? Number.POSITIVE_INFINITY,
      concurrency,
      shrinkTimeLimitMs,
      maxShrinkRuns,
      maxCommands,
      signal,
      transportSettings: {
        requestTimeoutMs,
        retryBudgetMs,
        maxResponseBytes,
        rate,
        ...(signal === undefined ? {} : { signal }),
      },
    };
  } catch (error) {
    if (isBatchwireError(error)) throw error;
    throw invalid(`runFuzz options could not be read: ${(error as Error)?.message ?? String(error)}`);
  }
}

/** What every lane of a run shares. */
interface Shared {
  settings: Settings;
  started: number;
  runsStarted: number;
  /** Signatures found, or being shrunk: exploration no longer fails on them. */
  claimed: Set<string>;
  findings: FuzzFinding[];
  /** Failures met while shrinking another one, kept unshrunk in case exploration never meets them again. */
  strays: Map<string, FuzzFinding>;
  /** An exception that is no finding (the caller's onRequest threw, or the runner has a bug): the run stops and rethrows it. */
  fatal?: { error: unknown };
}

function explorationOver(shared: Shared): boolean {
  const s = shared.settings;
  return (
    (s.signal?.aborted ?? false) ||
    shared.fatal !== undefined ||
    shared.runsStarted >= s.runs ||
    performance.now() - shared.started >= s.timeLimitMs
  );
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
    else if ((error as { name?: unknown })?.name === 'FuzzFailure') failure = error as FuzzFailure;
    else throw error;
  }
  if (!stopped) {
    sequence.phase = 'cleanup';
    try {
      await driver.cleanup(sequence);
    } catch (error) {
      if (!(error instanceof Stopped)) throw error;
    }
  }
  return failure === undefined ? { sequence, stopped } : { sequence, failure, stopped };
}

async function runLane(shared: Shared, lane: number): Promise<void> {
  const { settings } = shared;
  const { env, driver } = settings;
  for (let chunk = 0; !explorationOver(shared); chunk++) {
    const chunkSeedValue = chunkSeed(settings.seed, lane, chunk);
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
          settings.signal?.aborted ||
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
      if (failure === undefined) return;
      const signature = signatureOf(failure);
      if (target === undefined) {
        if (shared.claimed.has(signature)) return;
        shared.claimed.add(signature);
        target = signature;
        shrinkStarted = performance.now();
        foundAfter = {
          runs: shared.runsStarted,
          requests: env.transport.requests,
          ms: Math.round(shrinkStarted - shared.started),
        };
        best = { sequence, failure };
        throw failure;
      }
      if (signature === target) {
        best = { sequence, failure };
        throw failure;
      }
      if (!shared.claimed.has(signature) && !shared.strays.has(signature)) {
        shared.strays.set(
          signature,
          findingOf(settings, sequence, failure, `${lane}:${chunk}:`, false, 0, {
            runs: shared.runsStarted,
            requests: env.transport.requests,
            ms: Math.round(performance.now() - shared.started),
          }),
        );
      }
    });
    const details = await fc.check(property, { seed: chunkSeedValue, numRuns: CHUNK, endOnFailure: false });
    if (details.failed && target !== undefined && best !== undefined) {
      const path = `${lane}:${chunk}:${details.counterexamplePath ?? ''}`;
      shared.findings.push(
        findingOf(settings, best.sequence, best.failure, path, !shrinkCut, shrinkRuns, foundAfter),
      );
      shared.strays.delete(target);
    } else if (details.failed) {
      // Not a check that fired: a fault in the runner itself. Never hide it.
      const error = details.errorInstance;
      if (error instanceof Stopped) return;
      throw error instanceof Error ? error : new BatchwireError('INVALID_ARGUMENT', String(error), 0);
    }
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
    message: failure.message,
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
 * Fuzzes a live backend of one service: generates sequences of valid and near-valid requests
 * with fast-check (model-based commands), sends them, checks every answer, and shrinks each
 * failure to a minimal sequence with minimal field values. Findings are grouped by signature
 * (operation, check, status, fault or decoder code): one bug, one finding. The same seed against
 * the same backend behaviour sends the same requests (with `concurrency` 1).
 *
 * @throws {@link BatchwireError} `INVALID_ARGUMENT` for unusable options (a non-loopback target
 *   without `allowRemote`, an unknown service, a bad number)
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
  const settings = settingsOf(options);
  const transport = new Transport(settings.transportSettings);
  settings.env.transport = transport;
  const shared: Shared = {
    settings,
    started: performance.now(),
    runsStarted: 0,
    claimed: new Set(),
    findings: [],
    strays: new Map(),
  };
  try {
    const lanes = Array.from({ length: settings.concurrency }, (_, lane) => runLane(shared, lane));
    const results = await Promise.allSettled(lanes);
    const rejected = results.find((r) => r.status === 'rejected');
    if (rejected) throw (rejected as PromiseRejectedResult).reason;
    if (shared.fatal !== undefined) throw shared.fatal.error;
  } finally {
    transport.close();
  }
  for (const [signature, stray] of shared.strays)
    if (!shared.claimed.has(signature)) shared.findings.push(stray);
  const durationMs = Math.round(performance.now() - shared.started);
  return {
    seed: settings.seed,
    service: settings.env.service,
    target: settings.env.target,
    requests: transport.requests,
    runs: shared.runsStarted,
    durationMs,
    stoppedBy: settings.signal?.aborted ? 'signal' : shared.runsStarted >= settings.runs ? 'runs' : 'time',
    findings: shared.findings,
  };
}
