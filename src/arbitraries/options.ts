// The arbitraries' options, checked like every other batchwire option: null means the defaults,
// a value of the wrong type (or one fast-check would refuse with its own error) is
// INVALID_ARGUMENT, and a getter that throws is read once, here.
import { invalidArgument, isBatchwireError } from '../core/errors.js';
import { optionValue } from '../core/options.js';

export { choiceOption, flagOption, optionsObject, optionValue } from '../core/options.js';

// fast-check takes lengths up to 2^31 - 1.
const MAX_COUNT = 0x7fff_ffff;

/** A size or count: an integer from `min` to 2^31 - 1. */
export function countOption(
  options: Record<string, unknown>,
  key: string,
  fallback: number,
  what: string,
  min = 0,
): number {
  const value = optionValue(options, key, what);
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > MAX_COUNT) {
    throw invalidArgument(`${what}: ${key} must be an integer from ${min} to ${MAX_COUNT}`);
  }
  return value;
}

/** A non-empty list drawn from `allowed`. */
export function listOption<T extends string>(
  options: Record<string, unknown>,
  key: string,
  allowed: readonly T[],
  fallback: readonly T[],
  what: string,
): T[] {
  const value = optionValue(options, key, what);
  if (value === undefined) return [...fallback];
  const list = Array.isArray(value) ? [...value] : undefined;
  if (
    list === undefined ||
    list.length === 0 ||
    !list.every((v) => (allowed as readonly unknown[]).includes(v))
  ) {
    throw invalidArgument(
      `${what}: ${key} must be a non-empty list of ${allowed.map((a) => `'${a}'`).join(', ')}`,
    );
  }
  return list as T[];
}

/** Runs the construction of an arbitrary from caller values: what it throws is INVALID_ARGUMENT. */
export function building<T>(what: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (isBatchwireError(error)) throw error;
    throw invalidArgument(
      `${what}: the options cannot make an arbitrary (${(error as Error)?.message ?? error})`,
      error,
    );
  }
}
