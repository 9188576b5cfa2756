// The retry policy an SDK needs around every call: which faults to retry, how long to wait
// (exponential backoff with full jitter, the service's Retry-After first), and the loop itself,
// still without a transport (the caller's function makes the request).
import { isBatchwireServiceError } from '../core/batchwire-error.js';
import { type BatchwireError, invalidArgument } from '../core/errors.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { limitOption } from '../core/options.js';
import { isResponseLike, type ResponseLike, readWhole, signalOption, untilAborted } from '../core/source.js';
import { BatchwireServiceError } from './error.js';
import {
  awaitable,
  checkSource,
  durationOption,
  functionOption,
  guarded,
  isBodyValue,
  snapshotOptions,
  statusOf,
} from './guard.js';
import { parseFault } from './parse.js';
import { isFetchResponse } from './response.js';
import { type HeadersInput, MAX_RETRY_AFTER_MS } from './retry.js';
import type { ServiceFault } from './types.js';

/**
 * How the helpers tell the time and wait. By default `Date.now()` and `setTimeout`; a test gives
 * a manual clock (the emulator's: `{ now: () => emulator.clock.now(), sleep: (ms) =>
 * emulator.clock.advance(ms) }`) so that waits take no real time.
 */
export interface WaitClock {
  /** Milliseconds since the epoch. @defaultValue `Date.now()` */
  now?(): number;
  /** Waits `ms` milliseconds (an abort is handled around it). @defaultValue `setTimeout` */
  sleep?(ms: number): void | Promise<void>;
}

/** Options of {@link retryDelay} and {@link withRetries}, and the `retry` option of `paginate` and `pollUntil`. */
export interface RetryOptions {
  /** The first retry waits up to this; each later one up to twice the one before. @defaultValue 800 */
  baseMs?: number;
  /** The longest wait, backoff and `Retry-After` alike (at most 2^31-1). @defaultValue 60 000 */
  maxMs?: number;
  /** Most attempts in all, the first call included (1: no retry; `Infinity`: no limit). @defaultValue 4 */
  maxAttempts?: number;
  /** The jitter's source of numbers in [0, 1]. @defaultValue `Math.random` */
  random?: () => number;
  /** Aborting it stops the retries: a wait or call in progress rejects at once with its reason. */
  signal?: AbortSignal;
  /** Called before each wait, with the fault, the attempt about to be made and the wait. */
  onRetry?: (fault: ServiceFault, attempt: number, delayMs: number) => void;
  /** How to wait (a manual clock in tests). @defaultValue the platform's timers */
  clock?: WaitClock;
}

/** What {@link withRetries}'s `call` returns: a fetch `Response`, or `{ status, headers, body }`. */
export interface RetryResponse {
  status: number;
  headers?: HeadersInput | undefined;
  /** The body: text, bytes, a `ReadableStream` or an async iterable of bytes; read only for an error. */
  body?: unknown;
}

/** The defaults of {@link RetryOptions}. */
export const RETRY_DEFAULTS: Readonly<{ baseMs: number; maxMs: number; maxAttempts: number }> = Object.freeze(
  {
    baseMs: 800,
    maxMs: 60_000,
    maxAttempts: 4,
  },
);

const RETRY_KEYS = ['baseMs', 'maxMs', 'maxAttempts', 'random', 'signal', 'onRetry', 'clock'];

/** Retry options, read and checked once. @internal */
export interface RetrySettings {
  baseMs: number;
  maxMs: number;
  maxAttempts: number;
  random: () => number;
  signal: AbortSignal | undefined;
  onRetry: RetryOptions['onRetry'];
  clock: WaitClock | undefined;
}

/** Reads retry options of any shape into settings, or throws `INVALID_ARGUMENT`. @internal */
export function retrySettings(options: unknown, what: string): RetrySettings {
  const read = snapshotOptions(options, what, RETRY_KEYS);
  return guarded(what, () => ({
    baseMs: durationOption(read, 'baseMs', RETRY_DEFAULTS.baseMs, what),
    maxMs: durationOption(read, 'maxMs', RETRY_DEFAULTS.maxMs, what),
    maxAttempts: limitOption(read, 'maxAttempts', RETRY_DEFAULTS.maxAttempts, what),
    random: functionOption<() => number>(read, 'random', what) ?? Math.random,
    signal: signalOption(read.signal),
    onRetry: functionOption<RetryOptions['onRetry']>(read, 'onRetry', what),
    clock: clockOption(read.clock, what),
  }));
}

function clockOption(value: unknown, what: string): WaitClock | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) throw invalidArgument(`${what}: clock must be an object`);
  const { now, sleep } = value as { now?: unknown; sleep?: unknown };
  if (
    (now !== undefined && typeof now !== 'function') ||
    (sleep !== undefined && typeof sleep !== 'function')
  )
    throw invalidArgument(`${what}: clock.now and clock.sleep must be functions`);
  // Bound to the clock, so a class instance works as one.
  return {
    ...(now === undefined ? {} : { now: () => (now as () => number).call(value) }),
    ...(sleep === undefined
      ? {}
      : { sleep: (ms: number) => (sleep as (ms: number) => unknown).call(value, ms) }),
  } as WaitClock;
}

/** The fault of a `ServiceFault` or a `BatchwireServiceError`, its three facts read once. */
function faultFacts(value: unknown): {
  fault: ServiceFault;
  retriable: boolean;
  status: unknown;
  retryAfterMs: unknown;
} {
  return guarded('retryDelay', () => {
    const fault = (isBatchwireServiceError(value) ? value.fault : value) as ServiceFault;
    if (typeof fault !== 'object' || fault === null)
      throw invalidArgument('retryDelay: needs a ServiceFault (parseFault) or a BatchwireServiceError');
    const retriable = fault.retriable;
    if (typeof retriable !== 'boolean')
      throw invalidArgument('retryDelay: the fault has no boolean retriable (use parseFault to make one)');
    return { fault, retriable, status: fault.status, retryAfterMs: fault.retryAfterMs };
  });
}

/** The wait before `attempt`, from settings already read. @internal */
export function delayOf(value: unknown, attempt: unknown, settings: RetrySettings): number | undefined {
  const { retriable, status, retryAfterMs } = faultFacts(value);
  if (typeof attempt !== 'number' || !Number.isSafeInteger(attempt) || attempt < 1)
    throw invalidArgument('retryDelay: attempt must be a positive integer (2 for the first retry)');
  if (!retriable) return undefined;
  // A 4xx other than 408 and 429 says the request itself is wrong: sending it again cannot help.
  if (typeof status === 'number' && status >= 400 && status <= 499 && status !== 408 && status !== 429)
    return undefined;
  if (attempt > settings.maxAttempts) return undefined;
  if (typeof retryAfterMs === 'number' && retryAfterMs >= 0) {
    return Math.min(retryAfterMs, settings.maxMs, MAX_RETRY_AFTER_MS);
  }
  // Attempt 2 (the first retry) waits up to baseMs, each later one up to twice as long.
  // The exponent is capped so that 2^n stays finite: 0 ms times Infinity would be NaN.
  const ceiling = Math.min(settings.maxMs, settings.baseMs * 2 ** Math.min(Math.max(attempt, 2) - 2, 1000));
  const r = settings.random();
  if (typeof r !== 'number' || !(r >= 0 && r <= 1))
    throw invalidArgument('retryDelay: random() must return a number from 0 to 1');
  // Full jitter: any whole number of milliseconds from 0 to the ceiling.
  return Math.min(ceiling, Math.floor(r * (Math.floor(ceiling) + 1)));
}

/**
 * The wait, in milliseconds, before attempt `attempt` of a call that failed with `fault`, or
 * `undefined` when it must not be tried again. Attempts count from 1 (the first call), so the
 * first retry is attempt 2 (attempt 1 is read as 2), and there is none past `maxAttempts`.
 *
 * - Not retried: a fault `parseFault` marks not `retriable`, and any 4xx but 408 and 429.
 * - The service's own wait (`retryAfterMs`, from `Retry-After` and its kin) wins, capped at `maxMs`.
 * - Otherwise exponential backoff with full jitter: a whole number of milliseconds from 0 to
 *   `min(maxMs, baseMs * 2^(attempt - 2))`, drawn with `random`.
 *
 * @param fault - a `ServiceFault` (from `parseFault`) or a `BatchwireServiceError`
 * @param attempt - the attempt about to be made, 1-based (2 for the first retry)
 * @throws {@link BatchwireError} `INVALID_ARGUMENT` for a value that is not a fault, an attempt
 *   that is not a positive integer, or options of the wrong type (`random` returning a number
 *   outside [0, 1] included)
 * @example
 * ```ts
 * import { parseFault, retryDelay } from 'batchwire/faults';
 * for (let attempt = 1; ; attempt++) {
 *   const response = await fetch(url);
 *   if (response.ok) break;
 *   const fault = await parseFault(response);
 *   const wait = retryDelay(fault, attempt + 1); // 0..800 ms, then 0..1600, 0..3200; or Retry-After
 *   if (wait === undefined) throw new BatchwireServiceError(fault);
 *   await new Promise((resolve) => setTimeout(resolve, wait));
 * }
 * ```
 */
export function retryDelay(
  fault: ServiceFault | BatchwireServiceError,
  attempt: number,
  options?: RetryOptions,
): number | undefined {
  return delayOf(fault, attempt, retrySettings(options, 'retryDelay'));
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/**
 * Waits `ms` on the clock; an abort rejects at once with the signal's reason (and clears the
 * timer). @internal
 */
export function waitFor(
  ms: number,
  signal: AbortSignal | undefined,
  clock: WaitClock | undefined,
): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  if (clock?.sleep !== undefined) {
    const slept = awaitable(clock.sleep(ms), 'clock.sleep').then(() => undefined);
    return signal === undefined ? slept : untilAborted(slept, signal);
  }
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The clock's reading, in ms. @internal */
export function nowOf(clock: WaitClock | undefined): number {
  if (clock?.now === undefined) return Date.now();
  const value = clock.now();
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw invalidArgument('clock.now() must return a finite number of milliseconds');
  return value;
}

/**
 * The fault of an error response (a fetch `Response` or `{ status, headers, body }` whose body
 * may be a stream): the body read up to `maxBodyBytes` and the rest cancelled. @internal
 */
export async function faultOfResponse(
  response: unknown,
  signal: AbortSignal | undefined,
  maxBodyBytes: number = DEFAULT_LIMITS.maxBodyBytes,
): Promise<ServiceFault> {
  if (isFetchResponse(response)) {
    return parseFault(response, signal === undefined ? { maxBodyBytes } : { maxBodyBytes, signal });
  }
  const { status, headers, body } = guarded('the response', () => {
    const page = response as RetryResponse;
    return { status: page.status, headers: page.headers, body: page.body };
  });
  let bytes: unknown = body;
  if (body !== undefined && body !== null && !isBodyValue(body) && typeof body === 'object') {
    checkSource(body, 'the response body');
    bytes = await readWhole(body as ReadableStream<Uint8Array>, maxBodyBytes, {
      truncate: true,
      signal,
    }).catch((error: unknown) => {
      if (signal?.aborted) throw error;
      // The body could not be read: the status and headers still tell.
      return '';
    });
  }
  return parseFault({
    status: Number.isInteger(status) ? status : undefined,
    headers,
    body: isBodyValue(bytes) ? (bytes as string) : '',
  });
}

/** True for a 2xx status. @internal */
export function isSuccess(status: unknown): boolean {
  return typeof status === 'number' && Number.isInteger(status) && status >= 200 && status <= 299;
}

/**
 * Runs `call()` and, while it answers with a retriable fault, runs it again after
 * {@link retryDelay} (attempt 2, 3, ... up to `maxAttempts`). Resolves to the first 2xx answer,
 * as `call` returned it (its body unread); rejects with the last fault as a
 * {@link BatchwireServiceError} once the fault is not retriable or the attempts are spent.
 *
 * `call` returns (or resolves to) a fetch `Response` or `{ status, headers, body }`; an error
 * answer's body is read (at most 4 MiB, the rest cancelled) for {@link parseFault}. A
 * `BatchwireServiceError` that `call` throws counts as its fault; any other exception of
 * `call` (a network error) rejects at once, as it is. `signal` is honoured throughout: an
 * abort during a wait or a call rejects at once with the signal's reason. `onRetry(fault,
 * attempt, delayMs)` is called before each wait.
 *
 * @throws {@link BatchwireServiceError} the last fault; {@link BatchwireError}
 *   `INVALID_ARGUMENT` for a `call` that is not a function or answers something that is not a
 *   response, or options of the wrong type; the signal's reason on abort; what `call` or
 *   `onRetry` throws
 * @example
 * ```ts
 * import { withRetries } from 'batchwire/faults';
 * import { dli } from 'batchwire/requests';
 * const request = dli.getBatchState({ baseUrl, projectId, batchId });
 * const response = await withRetries(() => fetch(request.url, { ...request, signal }), {
 *   signal,
 *   onRetry: (fault, attempt, delayMs) => console.warn(`${fault.code}: attempt ${attempt} in ${delayMs} ms`),
 * });
 * ```
 */
export async function withRetries<R extends ResponseLike | RetryResponse>(
  call: () => R | Promise<R>,
  options?: RetryOptions,
): Promise<R> {
  if (typeof call !== 'function') throw invalidArgument('withRetries: needs a call function');
  const settings = retrySettings(options, 'withRetries');
  const { signal } = settings;
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    let fault: ServiceFault;
    let thrown: BatchwireServiceError | undefined;
    try {
      const pending = awaitable(call(), 'withRetries');
      const result: unknown = signal === undefined ? await pending : await untilAborted(pending, signal);
      if (!isResponseLike(result) && statusOf(result) === undefined) {
        throw invalidArgument('withRetries: call must return a fetch Response or { status, headers, body }');
      }
      const status = guarded('withRetries', () => (result as RetryResponse).status);
      if (isSuccess(status)) return result as R;
      fault = await faultOfResponse(result, signal);
    } catch (error) {
      if (!isBatchwireServiceError(error) || signal?.aborted) throw error;
      thrown = error;
      fault = error.fault;
    }
    const delay = delayOf(fault, attempt + 1, settings);
    if (delay === undefined) throw thrown ?? new BatchwireServiceError(fault);
    settings.onRetry?.(fault, attempt + 1, delay);
    await waitFor(delay, signal, settings.clock);
  }
}
