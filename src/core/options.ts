// Reading a caller's options: every public function takes arbitrary values here, so each reader
// either returns a value of the documented type or throws INVALID_ARGUMENT naming the option.
// `undefined` and `null` mean "not set" for the options object and for each value alike.
import { invalidArgument, isBatchwireError } from './errors.js';

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

/** Bounds of a number option. */
export interface NumberBounds {
  min: number;
  max: number;
  /** Only integers (safe ones). @defaultValue false */
  integer?: boolean;
}

/**
 * A number from `min` to `max` (an integer when `integer`), or `fallback` when not set.
 * NaN, a string, or a value out of range is `INVALID_ARGUMENT` naming the range.
 */
export function numberOption<F extends number | undefined>(
  options: Record<string, unknown>,
  key: string,
  bounds: NumberBounds,
  fallback: F,
  what: string,
): number | F {
  const value = optionValue(options, key, what);
  if (value === undefined) return fallback;
  const { min, max, integer = false } = bounds;
  if (
    typeof value !== 'number' ||
    Number.isNaN(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isSafeInteger(value))
  ) {
    throw invalidArgument(
      `${what}: ${key} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${describeType(value)}`,
    );
  }
  return value;
}

/** A non-empty string, or `undefined` when not set. */
export function nonEmptyTextOption(
  options: Record<string, unknown>,
  key: string,
  what: string,
): string | undefined {
  const value = textOption(options, key, what);
  if (value === '') throw invalidArgument(`${what}: ${key} must be a non-empty string`);
  return value;
}

/** A function, or `undefined` when not set. */
export function callbackOption<T extends (...args: never[]) => unknown>(
  options: Record<string, unknown>,
  key: string,
  what: string,
): T | undefined {
  const value = optionValue(options, key, what);
  if (value === undefined) return undefined;
  if (typeof value !== 'function')
    throw invalidArgument(`${what}: ${key} must be a function, got ${describeType(value)}`);
  return value as T;
}

/**
 * An `AbortSignal` (from this realm or another: anything with a boolean `aborted` and
 * `addEventListener`), or `undefined` when not set.
 */
export function signalOption(
  options: Record<string, unknown>,
  key: string,
  what: string,
): AbortSignal | undefined {
  const value = optionValue(options, key, what);
  if (value === undefined) return undefined;
  let ok = false;
  try {
    ok =
      typeof value === 'object' &&
      typeof (value as AbortSignal).aborted === 'boolean' &&
      typeof (value as AbortSignal).addEventListener === 'function' &&
      typeof (value as AbortSignal).removeEventListener === 'function';
  } catch (error) {
    throw invalidArgument(`${what}: reading ${key} threw`, error);
  }
  if (!ok) throw invalidArgument(`${what}: ${key} must be an AbortSignal, got ${describeType(value)}`);
  return value as AbortSignal;
}

// RFC 9110 token characters: what a header name (and a method) may contain.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Whether `name` is an HTTP token (RFC 9110): what a header name or a method may be. */
export function isHttpToken(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && name.length <= 1024 && TOKEN.test(name);
}

/**
 * Why `value` cannot be an HTTP header value, or `undefined` when it can: what HTTP clients accept
 * is HTAB, visible ASCII, space and the bytes 0x80-0xFF (`fetch` takes a ByteString, Node's http
 * refuses the rest). `index` is the offending character's.
 */
export function headerValueProblem(value: string): { what: string; index: number; code: number } | undefined {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c >= 0x20 && c < 0x7f) || c === 0x09 || (c >= 0x80 && c <= 0xff)) continue;
    let what: string;
    if (c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029) what = 'a line break';
    else if (c < 0x20 || c === 0x7f) what = 'a control character';
    else if (c >= 0xd800 && c <= 0xdfff) {
      const next = value.charCodeAt(i + 1);
      const paired = c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff;
      what = paired ? 'a character outside Latin-1' : 'a lone surrogate';
    } else what = 'a character outside Latin-1';
    return { what, index: i, code: c };
  }
  return undefined;
}

/**
 * The `[name, value]` pairs of headers as a caller gives them: a record, a WHATWG `Headers`, a
 * `Map` or a list of pairs. Unchecked (see {@link headersOption}); a value that is none of these,
 * or that throws while being read, is `INVALID_ARGUMENT`.
 */
export function headerPairs(value: unknown, what: string): [unknown, unknown][] {
  if (typeof value !== 'object' || value === null)
    throw invalidArgument(`${what}: headers must be an object, got ${describeType(value)}`);
  const pairs: [unknown, unknown][] = [];
  try {
    if (typeof (value as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function') {
      for (const pair of value as Iterable<unknown>) {
        if (!Array.isArray(pair) || pair.length !== 2)
          throw invalidArgument(`${what}: headers must list [name, value] pairs`);
        pairs.push([pair[0], pair[1]]);
      }
    } else {
      for (const name of Object.keys(value)) pairs.push([name, (value as Record<string, unknown>)[name]]);
    }
  } catch (error) {
    if (isBatchwireError(error)) throw error;
    throw invalidArgument(`${what}: reading the headers threw`, error);
  }
  return pairs;
}

/**
 * Headers as a record by lower-case name, each name an HTTP token and each value one HTTP can
 * carry (else `INVALID_ARGUMENT` naming the header); `{}` when not set. Takes what
 * {@link headerPairs} takes.
 */
export function headersOption(
  options: Record<string, unknown>,
  key: string,
  what: string,
): Record<string, string> {
  const value = optionValue(options, key, what);
  const out: Record<string, string> = {};
  if (value === undefined) return out;
  for (const [name, text] of headerPairs(value, what)) {
    if (!isHttpToken(name))
      throw invalidArgument(
        `${what}: header name ${JSON.stringify(String(name).slice(0, 60))} is not an HTTP token`,
      );
    if (typeof text !== 'string') throw invalidArgument(`${what}: header ${name} must be a string`);
    const problem = headerValueProblem(text);
    if (problem)
      throw invalidArgument(
        `${what}: header ${name} contains ${problem.what} at index ${problem.index}, which HTTP cannot carry`,
      );
    // defineProperty: a header named __proto__ stays an ordinary key.
    Object.defineProperty(out, name.toLowerCase(), {
      value: text,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** The 8 groups of an IPv6 address as numbers, or `undefined` when `text` is not one. */
function ipv6Groups(text: string): number[] | undefined {
  if (text.length > 45 || !/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  let head = text;
  let v4: number[] | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    v4 = ipv4Octets(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const part = (s: string) => (s === '' ? [] : s.split(':'));
  const left = part(halves[0]!);
  const right = halves.length === 2 ? part(halves[1]!) : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups: number[] = [];
  for (const g of [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right]) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    groups.push(Number.parseInt(g, 16));
  }
  if (v4) {
    groups[6] = (v4[0]! << 8) | v4[1]!;
    groups[7] = (v4[2]! << 8) | v4[3]!;
  }
  return groups;
}

/** The 4 octets of a dotted-quad IPv4 address, or `undefined`. */
function ipv4Octets(text: string): number[] | undefined {
  const m = /^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$/.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  return octets.every((o) => o <= 255) ? octets : undefined;
}

/**
 * Whether `host` (a host name or address, an IPv6 one with or without brackets) names this
 * machine only: `localhost` and `*.localhost` (RFC 6761), `127.0.0.0/8`, `::1`, and IPv4 loopback
 * mapped into IPv6 (`::ffff:127.0.0.1`). The one loopback rule of the emulator and the fuzz runner.
 *
 * @example
 * ```ts
 * isLoopbackHost('127.0.0.2'); // true
 * isLoopbackHost('[::1]'); // true
 * isLoopbackHost('api.localhost'); // true
 * isLoopbackHost('10.0.0.1'); // false
 * ```
 */
export function isLoopbackHost(host: unknown): boolean {
  if (typeof host !== 'string' || host.length === 0 || host.length > 255) return false;
  let h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  // A fully qualified name's trailing dot names the same host.
  if (h.endsWith('.') && !h.includes(':')) h = h.slice(0, -1);
  const lower = h.toLowerCase();
  if (lower === 'localhost' || (lower.endsWith('.localhost') && /^[a-z0-9.-]+$/.test(lower))) return true;
  const v4 = ipv4Octets(h);
  if (v4) return v4[0] === 127;
  const v6 = ipv6Groups(h);
  if (!v6) return false;
  if (v6.slice(0, 7).every((g) => g === 0) && v6[7] === 1) return true;
  // ::ffff:127.x.x.x
  return v6.slice(0, 5).every((g) => g === 0) && v6[5] === 0xffff && v6[6]! >> 8 === 127;
}

/** Edit distance with transpositions (optimal string alignment), for "did you mean". */
function distance(a: string, b: string): number {
  // Option names are short: O(a*b) is nothing.
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

/**
 * The known name closest to `name` (a prefix, or at most 2 edits away, case aside), for a "did
 * you mean"; `undefined` when none is that close.
 */
export function closest(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  // Names past 64 characters are nobody's typo of a known one (and keep the table small).
  if (lower.length > 64) return undefined;
  for (const candidate of known) {
    const lowerCandidate = candidate.toLowerCase();
    if (lower.length >= 3 && lowerCandidate.startsWith(lower)) return candidate;
    const d = distance(lower, lowerCandidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.min(2, Math.max(1, Math.floor(name.length / 3))) ? best : undefined;
}
