// Reading a caller's options: every public function takes arbitrary values here, so each reader
// either returns a value of the documented type or throws INVALID_ARGUMENT naming the option.
// `undefined` and `null` mean "not set" for the options object and for each value alike.
import { invalidArgument } from './errors.js';

/** Array.isArray, false for a revoked proxy (where the engine's own check throws). */
export function isArray(value: unknown): value is unknown[] {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : `the number ${value}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`;
  return typeof value;
}

/**
 * The options argument as an object: `undefined` and `null` give `{}`, an object (not an array)
 * gives itself, anything else is `INVALID_ARGUMENT`.
 */
export function optionsObject(value: unknown, what: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || isArray(value)) {
    throw invalidArgument(`${what}: options must be an object, got ${describeType(value)}`);
  }
  return value as Record<string, unknown>;
}

/** `options[key]`, with a getter that throws turned into `INVALID_ARGUMENT`; `null` reads as `undefined`. */
export function optionValue(options: Record<string, unknown>, key: string, what: string): unknown {
  let value: unknown;
  try {
    value = options[key];
  } catch (error) {
    throw invalidArgument(`${what}: reading option ${key} threw`, error);
  }
  return value === null ? undefined : value;
}

/**
 * A size limit: a positive integer, or `Infinity` for none. Anything else (a string, NaN, 0,
 * a negative or fractional number) is `INVALID_ARGUMENT`.
 */
export function limitOption(
  options: Record<string, unknown>,
  key: string,
  fallback: number,
  what: string,
): number {
  const value = optionValue(options, key, what);
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 1) || (!Number.isSafeInteger(value) && value !== Infinity)) {
    throw invalidArgument(
      `${what}: ${key} must be a positive integer (or Infinity), got ${describeType(value)}`,
    );
  }
  return value;
}

/** One of a closed list of strings. */
export function choiceOption<T extends string>(
  options: Record<string, unknown>,
  key: string,
  allowed: readonly T[],
  fallback: T,
  what: string,
): T {
  const value = optionValue(options, key, what);
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalidArgument(
      `${what}: ${key} must be ${allowed.map((a) => `'${a}'`).join(', ')}; got ${describeType(value)}`,
    );
  }
  return value as T;
}

/** A boolean. */
export function flagOption(
  options: Record<string, unknown>,
  key: string,
  fallback: boolean,
  what: string,
): boolean {
  const value = optionValue(options, key, what);
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean')
    throw invalidArgument(`${what}: ${key} must be a boolean, got ${describeType(value)}`);
  return value;
}

/** A string, or `undefined` when not set. */
export function textOption(options: Record<string, unknown>, key: string, what: string): string | undefined {
  const value = optionValue(options, key, what);
  if (value !== undefined && typeof value !== 'string') {
    throw invalidArgument(`${what}: ${key} must be a string, got ${describeType(value)}`);
  }
  return value;
}
