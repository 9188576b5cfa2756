// HPC Pack fault codes (SOAFaultCode in the SOA runtime) and .NET composite formatting.
import { BatchwireError, invalidArgument } from '../core/errors.js';
import { isArray, limitOption, optionsObject } from '../core/options.js';
import { HPC_FAULT_CODES } from './hpc-codes.js';

/** Fault code categories: the high byte of an HPC Pack SOA fault code. */
export const HPC_FAULT_CATEGORIES: Readonly<Record<number, string>> = Object.freeze({
  1: 'SessionConnectionError',
  2: 'SessionError',
  3: 'SessionFatalError',
  4: 'ApplicationError',
  5: 'BrokerProxyError',
  15: 'Unknown',
});

export { HPC_FAULT_CODES };

/**
 * The category and name of an HPC Pack SOA fault code given as decimal text (a .NET `int`,
 * so possibly negative) or an integer. Codes that are not integers (or not text) have neither.
 *
 * @example
 * ```ts
 * hpcFaultInfo('33554447'); // { category: 'SessionError', name: 'BrokerNotActive' }
 * ```
 */
export function hpcFaultInfo(code: string | number): { category?: string; name?: string } {
  if (typeof code === 'number' && Number.isSafeInteger(code)) code = String(code);
  if (typeof code !== 'string' || !isInt32Text(code)) return {};
  const value = Number(code) | 0;
  const category = HPC_FAULT_CATEGORIES[(value >>> 24) & 0xff];
  const name = Object.hasOwn(HPC_FAULT_CODES, String(value)) ? HPC_FAULT_CODES[String(value)] : undefined;
  return {
    ...(category === undefined ? {} : { category }),
    ...(name === undefined ? {} : { name }),
  };
}

/** True for `-?[0-9]{1,10}` within the 32-bit range (.NET `int`). */
export function isInt32Text(text: string): boolean {
  if (typeof text !== 'string') return false;
  const start = text.charCodeAt(0) === 0x2d ? 1 : 0;
  if (text.length <= start || text.length - start > 10) return false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  const value = Number(text);
  return value >= -2147483648 && value <= 4294967295;
}

// Alignment is honoured up to this width: a hostile `{0,999999999}` must not allocate a gigabyte.
const MAX_ALIGNMENT = 1024;

/** What marks a {@link formatDotNet} result cut at its `maxLength`. */
export const FORMAT_ELLIPSIS = '\u2026';

/** Options of {@link formatDotNet}. */
export interface FormatDotNetOptions {
  /**
   * Longest result, in characters; a longer expansion is cut and ends with `…` (U+2026).
   * @defaultValue twice the length of the format and of the arguments it uses, plus 1024
   */
  maxLength?: number;
}

// The argument at `index` as a string; anything else is the caller's mistake.
function argumentAt(args: readonly string[], index: number): string | undefined {
  let value: unknown;
  try {
    if (index >= args.length) return undefined;
    value = args[index];
  } catch (error) {
    throw invalidArgument(`formatDotNet: reading argument ${index} threw`, error);
  }
  if (typeof value !== 'string') {
    throw invalidArgument(
      `formatDotNet: argument ${index} must be a string, got ${value === null ? 'null' : typeof value}`,
    );
  }
  return value;
}

/**
 * Fills a .NET composite format string (`String.Format`): `{0}` takes `args[0]`, `{{` and `}}`
 * are literal braces, `{0,8}` / `{0,-8}` pad to a width (at most 1024), and `{0:format}` keeps the
 * argument as is (the arguments are strings, which .NET formats as themselves). Where .NET would
 * throw (an index past the arguments, a malformed item) the item is kept as written. Linear
 * passes, no regular expressions.
 *
 * The result is bounded, because a short format can repeat a long argument (`{0}{0}{0}...`): at
 * most `maxLength` characters, by default twice the length of the format and of the distinct
 * arguments it uses, plus 1024. A longer expansion is cut there and ends with `…` (U+2026).
 *
 * @throws {@link BatchwireError} `INVALID_ARGUMENT` when `format` is not a string, `args` not an
 *   array, a used argument not a string, or `maxLength` not a positive integer
 * @example
 * ```ts
 * formatDotNet('Session {0} not found ({{id}})', ['42']); // 'Session 42 not found ({id})'
 * formatDotNet('{0}{0}{0}', ['abc'], { maxLength: 5 }); // 'abca…'
 * ```
 */
export function formatDotNet(format: string, args: readonly string[], options?: FormatDotNetOptions): string {
  if (typeof format !== 'string') throw invalidArgument('formatDotNet: the format must be a string');
  if (args === undefined || args === null) args = [];
  if (!isArray(args)) throw invalidArgument('formatDotNet: the arguments must be an array of strings');
  const settings = optionsObject(options, 'formatDotNet');
  const given = limitOption(settings, 'maxLength', -1, 'formatDotNet');
  const maxLength = given < 0 ? defaultMaxLength(format, args) : given;
  const out: string[] = [];
  let length = 0;
  // Adds a piece; false once the result is full (then `out` holds it, cut, with the marker).
  const add = (piece: string): boolean => {
    if (length + piece.length <= maxLength) {
      out.push(piece);
      length += piece.length;
      return true;
    }
    out.push(piece);
    const whole = out.join('');
    let room = Math.max(0, maxLength - FORMAT_ELLIPSIS.length);
    // Never end on half a surrogate pair.
    const last = whole.charCodeAt(room - 1);
    if (room > 0 && last >= 0xd800 && last <= 0xdbff) room--;
    out.length = 0;
    out.push(whole.slice(0, room), FORMAT_ELLIPSIS);
    return false;
  };
  const n = format.length;
  let literalStart = 0;
  let i = 0;
  while (i < n) {
    const c = format.charCodeAt(i);
    if (c === 0x7d) {
      // '}}' is one literal brace; a lone '}' is kept as written.
      if (!add(format.slice(literalStart, i + 1))) return out.join('');
      i += format.charCodeAt(i + 1) === 0x7d ? 2 : 1;
      literalStart = i;
      continue;
    }
    if (c !== 0x7b) {
      i++;
      continue;
    }
    if (format.charCodeAt(i + 1) === 0x7b) {
      if (!add(format.slice(literalStart, i + 1))) return out.join('');
      i += 2;
      literalStart = i;
      continue;
    }
    const item = readItem(format, i + 1);
    const value = item === undefined ? undefined : argumentAt(args, item.index);
    if (item === undefined || value === undefined) {
      i++;
      continue;
    }
    if (!add(format.slice(literalStart, i)) || !add(align(value, item.width))) return out.join('');
    i = item.end;
    literalStart = i;
  }
  add(format.slice(literalStart));
  return out.join('');
}

// Twice the format and the distinct arguments it uses, plus 1024: room for every real message
// (an argument used once or twice, small alignments), not for `{0}` repeated.
function defaultMaxLength(format: string, args: readonly string[]): number {
  const used = new Set<number>();
  let total = format.length;
  for (let i = format.indexOf('{'); i >= 0; i = format.indexOf('{', i + 1)) {
    if (format.charCodeAt(i + 1) === 0x7b) {
      i++;
      continue;
    }
    const item = readItem(format, i + 1);
    if (item === undefined || used.has(item.index)) continue;
    used.add(item.index);
    total += argumentAt(args, item.index)?.length ?? 0;
  }
  return 2 * total + MAX_ALIGNMENT;
}

function align(value: string, width: number): string {
  const size = Math.min(Math.abs(width), MAX_ALIGNMENT);
  if (value.length >= size) return value;
  return width < 0 ? value.padEnd(size) : value.padStart(size);
}

// Reads `index[,width][:format]}` from `from`; `end` is just past the closing brace.
function readItem(format: string, from: number): { index: number; width: number; end: number } | undefined {
  const n = format.length;
  let i = from;
  const spaces = () => {
    while (format.charCodeAt(i) === 0x20) i++;
  };
  const digits = (): number | undefined => {
    const start = i;
    while (i < n && i - start < 9) {
      const c = format.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      i++;
    }
    return i === start ? undefined : Number(format.slice(start, i));
  };
  spaces();
  const index = digits();
  if (index === undefined) return undefined;
  spaces();
  let width = 0;
  if (format.charCodeAt(i) === 0x2c) {
    i++;
    spaces();
    const negative = format.charCodeAt(i) === 0x2d;
    if (negative) i++;
    const w = digits();
    if (w === undefined) return undefined;
    width = negative ? -w : w;
    spaces();
  }
  if (format.charCodeAt(i) === 0x3a) {
    // A format for a string argument changes nothing; skip to the closing brace ('}}' escapes one).
    i++;
    while (i < n) {
      const c = format.charCodeAt(i);
      if (c === 0x7b) return undefined;
      if (c === 0x7d) {
        if (format.charCodeAt(i + 1) === 0x7d) {
          i += 2;
          continue;
        }
        break;
      }
      i++;
    }
  }
  if (format.charCodeAt(i) !== 0x7d) return undefined;
  return { index, width, end: i + 1 };
}
