// Waiting for a job to finish: poll a status document with backoff until a predicate holds,
// retrying transient faults through the retry policy. No transport: the caller's function
// fetches; batchwire decides when, parses, and stops.

import { isBatchwireServiceError } from '../core/batchwire-error.js';
import { type BodyInput, decodeBody } from '../core/body.js';
import { BatchwireError, invalidArgument } from '../core/errors.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { limitOption } from '../core/options.js';
import { isResponseLike, type ResponseLike, readWhole, signalOption, untilAborted } from '../core/source.js';
import { BatchwireServiceError } from '../faults/error.js';
import {
  awaitable,
  checkSource,
  durationOption,
  functionOption,
  guarded,
  isBodyValue,
  snapshotOptions,
  statusOf,
} from '../faults/guard.js';
import { type HeadersInput, headerValue } from '../faults/retry.js';
import {
  delayOf,
  faultOfResponse,
  isSuccess,
  nowOf,
  type RetryOptions,
  type RetrySettings,
  retrySettings,
  type WaitClock,
  waitFor,
} from '../faults/retry-policy.js';
import type { BrokerClientStatus } from '../soap/status.js';
import type { BatchJob, BatchTask } from './batch-types.js';
import type { DliBatchState } from './types.js';

/** What `fetchState` may return when `parse` is given: the body, or the response with it. */
export type StateResult =
  | BodyInput
  | ResponseLike
  | { status: number; headers?: HeadersInput | undefined; body?: unknown };

/** Options of {@link pollUntil}. */
export interface PollOptions<S> {
  /**
   * Turns the body (decoded to text by its charset) into the state: `parseDliBatchState`,
   * `parseBrokerClientStatus`, `JSON.parse`, ... Without it, the state is what `fetchState`
   * resolves to (a non-2xx response is still a fault).
   */
  parse?: (body: string) => S;
  /** True when the state is final: polling stops and `pollUntil` resolves to it. Must return a boolean. */
  done: (state: S) => boolean;
  /** The first wait between polls, in ms. @defaultValue 1000 */
  intervalMs?: number;
  /** The longest wait between polls: each wait doubles up to it. @defaultValue 30 000 */
  maxIntervalMs?: number;
  /**
   * Give up after this long (from the call), with `LIMIT_EXCEEDED`; `Infinity` for never.
   * @defaultValue 86 400 000 (24 hours)
   */
  timeoutMs?: number;
  /** Aborting it stops polling at once: a wait or fetch in progress rejects with its reason. */
  signal?: AbortSignal;
  /** Called with each state read (before `done` is asked) and the 1-based number of the poll. */
  onProgress?: (state: S, poll: number) => void;
  /**
   * How faults are retried (the options of `withRetries`; attempts count consecutive faults);
   * `false`: the first fault rejects. @defaultValue `true` (the policy's defaults)
   */
  retry?: RetryOptions | boolean;
  /** How to tell the time and wait (a manual clock in tests). @defaultValue the platform's timers */
  clock?: WaitClock;
  /** Largest body read from a response, in bytes. @defaultValue `DEFAULT_LIMITS.maxBodyBytes` (4 MiB) */
  maxBodyBytes?: number;
}

/** The caller's transport: fetch the state once. `signal` aborts on the caller's abort or the timeout. */
export type FetchState<R> = (signal: AbortSignal) => R | Promise<R>;

const WHAT = 'pollUntil';
const KEYS = [
  'parse',
  'done',
  'intervalMs',
  'maxIntervalMs',
  'timeoutMs',
  'signal',
  'onProgress',
  'retry',
  'clock',
  'maxBodyBytes',
];
const DEFAULT_TIMEOUT_MS = 24 * 60 * 60 * 1000;

interface PollSettings<S> {
  parse: ((body: string) => S) | undefined;
  done: (state: S) => boolean;
  intervalMs: number;
  maxIntervalMs: number;
  timeoutMs: number;
  signal: AbortSignal | undefined;
  onProgress: ((state: S, poll: number) => void) | undefined;
  retry: RetrySettings | undefined;
  clock: WaitClock | undefined;
  maxBodyBytes: number;
}

function settingsOf<S>(options: unknown): PollSettings<S> {
  const read = snapshotOptions(options, WHAT, KEYS);
  return guarded(WHAT, () => {
    const done = functionOption<(state: S) => boolean>(read, 'done', WHAT);
    if (done === undefined)
      throw invalidArgument(
        `${WHAT}: needs a done(state) predicate (isDliBatchTerminal, isBatchJobCompleted, ...)`,
      );
    const retry = read.retry;
    if (retry !== undefined && typeof retry !== 'boolean' && typeof retry !== 'object')
      throw invalidArgument(`${WHAT}: retry must be retry options or a boolean`);
    const timeout = read.timeoutMs;
    // The retry settings' own clock, unless polling has one: one clock for every wait.
    const retrySet =
      retry === false ? undefined : retrySettings(retry === true || retry === undefined ? {} : retry, WHAT);
    const intervalMs = durationOption(read, 'intervalMs', 1000, WHAT);
    return {
      parse: functionOption<(body: string) => S>(read, 'parse', WHAT),
      done,
      intervalMs,
      maxIntervalMs: Math.max(
        intervalMs,
        durationOption(read, 'maxIntervalMs', Math.max(intervalMs, 30_000), WHAT),
      ),
      timeoutMs:
        timeout === Infinity ? Infinity : durationOption(read, 'timeoutMs', DEFAULT_TIMEOUT_MS, WHAT),
      signal: signalOption(read.signal),
      onProgress: functionOption<(state: S, poll: number) => void>(read, 'onProgress', WHAT),
      retry: retrySet,
      clock: retryClock(read.clock, retrySet),
      maxBodyBytes: limitOption(read, 'maxBodyBytes', DEFAULT_LIMITS.maxBodyBytes, WHAT),
    };
  });
}

function retryClock(value: unknown, retry: RetrySettings | undefined): WaitClock | undefined {
  if (value === undefined) return retry?.clock;
  // Read through the retry policy's checks, so both accept the same clocks.
  return retrySettings({ clock: value }, WHAT).clock;
}

const isBody = isBodyValue as (value: unknown) => value is BodyInput;

function isStatusObject(value: unknown): boolean {
  return isResponseLike(value) || statusOf(value) !== undefined;
}

/** One poll: fetch, turn an error response into a fault, read and parse the body. */
async function pollOnce<S>(
  fetchState: FetchState<unknown>,
  s: PollSettings<S>,
  signal: AbortSignal,
): Promise<S> {
  const result: unknown = await untilAborted(awaitable(fetchState(signal), WHAT), signal);
  const response = isStatusObject(result);
  if (response) {
    const status = guarded(WHAT, () => (result as { status: unknown }).status);
    if (!isSuccess(status))
      throw new BatchwireServiceError(await faultOfResponse(result, signal, s.maxBodyBytes));
  }
  if (s.parse === undefined) return result as S;
  let body: unknown = result;
  let contentType: string | undefined;
  if (response) {
    const { headers, raw } = guarded(WHAT, () => {
      const page = result as { headers?: HeadersInput; body?: unknown };
      return { headers: page.headers, raw: page.body };
    });
    contentType = headerValue(headers, 'content-type');
    body = raw ?? '';
    if (!isBody(body)) {
      if (typeof body !== 'object' || body === null)
        throw invalidArgument(`${WHAT}: a response body must be text, bytes or a stream`);
      checkSource(body, WHAT);
      body = await readWhole(body as ReadableStream<Uint8Array>, s.maxBodyBytes, { signal });
    }
  } else if (!isBody(body)) {
    throw invalidArgument(
      `${WHAT}: with parse, fetchState must return the body (text or bytes), a fetch Response or { status, headers, body }`,
    );
  }
  return s.parse(decodeBody(body, contentType, s.maxBodyBytes).text);
}

/**
 * Polls until a job is done: calls `fetchState(signal)`, parses what it returns, and resolves
 * to the first state for which `done(state)` is true, waiting between polls from `intervalMs`,
 * doubling up to `maxIntervalMs`. A retriable fault (a non-2xx response, or a
 * `BatchwireServiceError` from `fetchState` or `parse`) is retried through the retry policy
 * (`retryDelay`: `Retry-After` first, else backoff with jitter; `retry.maxAttempts` consecutive
 * faults at most); a fault that is not retriable rejects at once with its
 * {@link BatchwireServiceError}. `onProgress(state, poll)` sees every state read.
 *
 * `fetchState` returns a fetch `Response`, `{ status, headers, body }` or the body; the body is
 * read (at most `maxBodyBytes`), decoded by its charset and given to `parse` as text. Give
 * `fetch` the `signal` it is called with: it aborts on the caller's `signal` and at the timeout.
 * Ready-made predicates: {@link isDliBatchTerminal}, {@link isBrokerClientStatusTerminal},
 * {@link isBatchJobCompleted}, {@link isBatchTaskCompleted}.
 *
 * @throws {@link BatchwireServiceError} a fault that is not retried; {@link BatchwireError}
 *   `LIMIT_EXCEEDED` when `timeoutMs` passes (or a body is past `maxBodyBytes`),
 *   `INVALID_ARGUMENT` for arguments of the wrong type (`done` returning anything but a boolean
 *   included); the signal's reason on abort; what `fetchState`, `parse`, `done` or `onProgress`
 *   throws
 * @example
 * ```ts
 * import { isDliBatchTerminal, parseDliBatchState, pollUntil } from 'batchwire/status';
 * import { dli } from 'batchwire/requests';
 * const request = dli.getBatchState({ baseUrl, projectId, batchId });
 * const final = await pollUntil((signal) => fetch(request.url, { ...request, signal }), {
 *   parse: parseDliBatchState,
 *   done: isDliBatchTerminal,
 *   intervalMs: 2000,
 *   timeoutMs: 3 * 60 * 60 * 1000,
 *   onProgress: (state) => console.log(state.state),
 * });
 * console.log(final.state); // 'success' or 'dead'
 * ```
 */
export function pollUntil<S>(
  fetchState: FetchState<StateResult>,
  options: PollOptions<S> & { parse: (body: string) => S },
): Promise<S>;
export function pollUntil<S>(
  fetchState: FetchState<S>,
  options: PollOptions<S> & { parse?: undefined },
): Promise<S>;
export async function pollUntil<S>(fetchState: FetchState<unknown>, options: PollOptions<S>): Promise<S> {
  if (typeof fetchState !== 'function') throw invalidArgument(`${WHAT}: needs a fetchState function`);
  const s = settingsOf<S>(options);
  const { clock } = s;
  const started = nowOf(clock);
  const deadline = started + s.timeoutMs;
  const timedOut = (polls: number) =>
    new BatchwireError(
      'LIMIT_EXCEEDED',
      `${WHAT}: not done after timeoutMs (${s.timeoutMs} ms, ${polls} polls)`,
      0,
    );
  // One signal for every wait and fetch: the caller's abort, or the deadline on the real clock.
  const controller = new AbortController();
  const signal = controller.signal;
  const onAbort = () => controller.abort(s.signal!.reason);
  if (s.signal?.aborted) throw s.signal.reason;
  s.signal?.addEventListener('abort', onAbort, { once: true });
  let polls = 0;
  const timer =
    clock === undefined && Number.isFinite(s.timeoutMs)
      ? setTimeout(() => controller.abort(timedOut(polls)), s.timeoutMs)
      : undefined;
  // Waits `ms`, or until the deadline and then rejects.
  const pause = async (ms: number) => {
    const left = deadline - nowOf(clock);
    if (left <= 0) throw timedOut(polls);
    await waitFor(Math.min(ms, left), signal, clock);
    if (ms >= left && nowOf(clock) >= deadline) throw timedOut(polls);
  };
  try {
    let interval = s.intervalMs;
    let faults = 0;
    for (;;) {
      signal.throwIfAborted();
      let state: S;
      try {
        state = await pollOnce(fetchState, s, signal);
      } catch (error) {
        if (s.retry === undefined || !isBatchwireServiceError(error) || signal.aborted) throw error;
        faults++;
        const delay = delayOf(error.fault, faults + 1, s.retry);
        if (delay === undefined) throw error;
        s.retry.onRetry?.(error.fault, faults + 1, delay);
        await pause(delay);
        continue;
      }
      faults = 0;
      polls++;
      s.onProgress?.(state, polls);
      const finished = s.done(state);
      if (typeof finished !== 'boolean') throw invalidArgument(`${WHAT}: done(state) must return a boolean`);
      if (finished) return state;
      await pause(interval);
      interval = Math.min(s.maxIntervalMs, interval * 2);
    }
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    s.signal?.removeEventListener('abort', onAbort);
  }
}

// ---- Ready-made predicates --------------------------------------------------------------------

/** The state text of a state object or string; anything else is the caller's mistake. */
function stateText(value: unknown, what: string, expected: string): string {
  return guarded(what, () => {
    if (typeof value === 'string') return value;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const state = (value as { state?: unknown }).state;
      if (typeof state === 'string') return state;
      if (state === undefined || state === null) return '';
    }
    throw invalidArgument(`${what}: expected ${expected}`);
  });
}

const DLI_TERMINAL = new Set(['success', 'dead']);

/**
 * True for a DLI batch job that will not change state again: `success` or `dead` (compared
 * without case). Takes what `parseDliBatchState` returns, or the state text.
 *
 * @throws {@link BatchwireError} `INVALID_ARGUMENT` for anything else
 * @example
 * ```ts
 * isDliBatchTerminal(parseDliBatchState('{"id":"x","state":"Success"}')); // true
 * isDliBatchTerminal('running'); // false
 * ```
 */
export function isDliBatchTerminal(state: DliBatchState | string): boolean {
  const text = stateText(state, 'isDliBatchTerminal', 'a DliBatchState or its state');
  return DLI_TERMINAL.has(text.trim().toLowerCase());
}

const BROKER_TERMINAL = new Set(['finished', 'failed', 'canceled', 'cancelled']);

/**
 * True for an HPC Pack batch whose requests are all processed: `BrokerClientStatus` `Finished`
 * (from `parseBrokerClientStatus`), and also `Failed` and `Canceled` (the end states of the
 * session's HPC Pack job, so that the same predicate serves a job state), compared without case.
 * `Unknown`, `Ready` and `Processing` are not final.
 *
 * @throws {@link BatchwireError} `INVALID_ARGUMENT` for anything but a string
 * @example
 * ```ts
 * isBrokerClientStatusTerminal(parseBrokerClientStatus('3', 'application/json')); // true (Finished)
 * isBrokerClientStatusTerminal('Processing'); // false
 * ```
 */
export function isBrokerClientStatusTerminal(status: BrokerClientStatus | (string & {})): boolean {
  if (typeof status !== 'string')
    throw invalidArgument('isBrokerClientStatusTerminal: expected a BrokerClientStatus (a string)');
  return BROKER_TERMINAL.has(status.trim().toLowerCase());
}

/**
 * True for an Azure Batch job in state `completed` (all its tasks done, or terminated). Takes a
 * job (from `parseJobListPage` or a Get Job body) or its state text.
 *
 * @throws {@link BatchwireError} `INVALID_ARGUMENT` for anything else
 * @example
 * ```ts
 * isBatchJobCompleted({ id: 'job-1', state: 'completed' }); // true
 * isBatchJobCompleted('terminating'); // false
 * ```
 */
export function isBatchJobCompleted(job: BatchJob | string): boolean {
  return stateText(job, 'isBatchJobCompleted', 'a job or its state').trim().toLowerCase() === 'completed';
}

/**
 * True for an Azure Batch task in state `completed` (its exit code and failure info are final).
 * Takes a task (from `parseTaskListPage` or a Get Task body) or its state text.
 *
 * @throws {@link BatchwireError} `INVALID_ARGUMENT` for anything else
 * @example
 * ```ts
 * isBatchTaskCompleted({ id: 't1', state: 'running' }); // false
 * ```
 */
export function isBatchTaskCompleted(task: BatchTask | string): boolean {
  return stateText(task, 'isBatchTaskCompleted', 'a task or its state').trim().toLowerCase() === 'completed';
}
