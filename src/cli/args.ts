// Command-line parsing with messages written for people: `node:util` parseArgs reports an
// unknown option with mismatched quotes and calls `--count -5` "ambiguous", so the CLI parses
// its (simple) grammar itself: `--name value`, `--name=value`, boolean flags, `-h`, `--`.
import { closest } from '../core/options.js';

export { closest };

/** An option a command takes: a flag, or one that takes a value. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** A string option that may be repeated: the values come joined by NUL, which no argument can hold. */
  multiple?: boolean;
}

/** Raised for a bad command line: the message names the bad argument. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * The value of the integer option `--name`, from `min` to `max`, or `undefined` when it is not
 * given. Digits only (and a leading `-` where `min` is negative), so `1e3`, `0x10` and ` 7` are
 * refused in the same words as a value out of range: `expected` (by default the range).
 *
 * @throws UsageError naming the option, what it expects and what it got
 */
export function integerOption(
  value: string | boolean | undefined,
  name: string,
  min: number,
  max: number,
  expected = `an integer from ${min} to ${max}`,
): number | undefined {
  if (value === undefined) return undefined;
  const digits = min < 0 ? /^-?[0-9]+$/ : /^[0-9]+$/;
  const n = typeof value === 'string' && digits.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name}: expected ${expected}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** Positional arguments and option values, as a command receives them. */
export interface ParsedArgs {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

function shown(arg: string): string {
  // Arguments are echoed in messages: keep control characters from reaching the terminal.
  const printable = arg.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return printable.length > 60 ? `${printable.slice(0, 60)}...` : printable;
}

function unknownOption(arg: string, specs: Record<string, OptionSpec>): UsageError {
  const long = Object.keys(specs);
  const bare = arg.replace(/^-+/, '').split('=')[0]!;
  const guess = closest(bare, long);
  const hint = guess === undefined ? '; run with --help to see the options' : ` (did you mean --${guess}?)`;
  return new UsageError(`unknown option ${shown(arg)}${hint}`);
}

/**
 * Parses `argv` against a command's options. A string option takes the next argument as its
 * value whatever it looks like (`--count -5` gives `-5`, which the command then refuses in its
 * own words); `--help`/`-h` is always known.
 *
 * @throws UsageError for an unknown option, a missing value, or a value given to a flag
 */
export function parseCommandLine(argv: readonly string[], options: Record<string, OptionSpec>): ParsedArgs {
  const specs: Record<string, OptionSpec> = { ...options, help: { type: 'boolean', short: 'h' } };
  const shorts = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) if (spec.short) shorts.set(spec.short, name);
  const values: Record<string, string | boolean | undefined> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-' || !arg.startsWith('-')) {
      positionals.push(arg);
      continue;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      if (eq >= 0) inline = arg.slice(eq + 1);
    } else if (arg.length === 2) {
      name = shorts.get(arg[1]!);
    }
    if (name === undefined || !Object.hasOwn(specs, name)) throw unknownOption(arg, specs);
    const spec = specs[name]!;
    if (spec.type === 'boolean') {
      if (inline !== undefined) throw new UsageError(`--${name} is a flag and takes no value`);
      values[name] = true;
      continue;
    }
    if (inline === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`--${name} needs a value`);
      inline = argv[++i]!;
    }
    const previous = values[name];
    values[name] = spec.multiple && typeof previous === 'string' ? `${previous}\0${inline}` : inline;
  }
  return { positionals, values };
}
