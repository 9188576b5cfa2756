// Reading a caller's arguments for the retry, paging and polling helpers: whatever the caller
// hands in (revoked proxies, traps or getters that throw, objects of the wrong kind), reading it
// gives a value or INVALID_ARGUMENT, never the engine's own TypeError.
import { invalidArgument, isBatchwireError } from '../core/errors.js';

/**
 * Runs `read` (which only reads the caller's values: no callback of theirs) and turns any foreign
 * exception into `INVALID_ARGUMENT` naming `what`.
 */
export function guarded<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (isBatchwireError(error)) throw error;
    throw invalidArgument(`${what}: reading the argument threw`, error);
  }
}

/**
 * The options argument copied once into a null-prototype object holding the listed keys that
 * are set (`undefined` and `null` mean "not set"). `undefined` and `null` options give `{}`;
 * anything but a plain object or class instance is `INVALID_ARGUMENT`.
 */
export function snapshotOptions(
  value: unknown,
  what: string,
  keys: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  if (value === undefined || value === null) return out;
  return guarded(what, () => {
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw invalidArgument(
        `${what}: options must be an object, got ${Array.isArray(value) ? 'an array' : typeof value}`,
      );
    }
    for (const key of keys) {
      const item = (value as Record<string, unknown>)[key];
      if (item !== undefined && item !== null) out[key] = item;
    }
    return out;
  });
}

/** A function option, or `undefined`. */
export function functionOption<F>(
  options: Record<string, unknown>,
  key: string,
  what: string,
): F | undefined {
  const value = options[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw invalidArgument(`${what}: ${key} must be a function`);
  return value as F;
}

/**
 * A duration in milliseconds: a finite number from 0 to `max` (at most 2^31-1, what
 * `setTimeout` can wait), or the fallback when not set.
 */
export function durationOption(
  options: Record<string, unknown>,
  key: string,
  fallback: number,
  what: string,
  max: number = 2 ** 31 - 1,
): number {
  const value = options[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0) || value > max) {
    throw invalidArgument(`${what}: ${key} must be a number of milliseconds from 0 to ${max}`);
  }
  return value;
}

const byteLengthOfArrayBuffer = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength')!.get!;

/**
 * True for a body given whole: a string, an `ArrayBuffer` (of any realm) or a view of one. A
 * brand check, so a proxy (revoked, or with traps that throw) is never taken for bytes.
 */
export function isBodyValue(value: unknown): value is string | ArrayBuffer | ArrayBufferView {
  if (typeof value === 'string') return true;
  if (typeof value !== 'object' || value === null) return false;
  if (ArrayBuffer.isView(value)) return true;
  try {
    byteLengthOfArrayBuffer.call(value);
    return true;
  } catch {
    return false;
  }
}

/** The numeric `status` of a response-shaped object, or `undefined` (a trap that throws included). */
export function statusOf(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  try {
    const status = (value as { status?: unknown }).status;
    return typeof status === 'number' ? status : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `value` (what a caller's function returned) as a promise. Looking up `then` on a revoked proxy
 * or a trap that throws is `INVALID_ARGUMENT`; a promise that rejects still rejects as it did.
 */
export function awaitable<T>(value: T | Promise<T>, what: string): Promise<T> {
  if ((typeof value === 'object' && value !== null) || typeof value === 'function') {
    guarded(what, () => (value as { then?: unknown }).then);
  }
  return Promise.resolve(value);
}

/** Checks that a body source can be looked at (a proxy that throws is `INVALID_ARGUMENT`). */
export function checkSource(value: object, what: string): void {
  guarded(what, () => {
    const source = value as {
      getReader?: unknown;
      [Symbol.asyncIterator]?: unknown;
      [Symbol.iterator]?: unknown;
    };
    return [source.getReader, source[Symbol.asyncIterator], source[Symbol.iterator]];
  });
}
