// Where the parser's problems go: the first one ends parseFilter; validateFilter keeps a bounded
// number, so a hostile filter (one problem per character) cannot make its report outgrow it.
import { BatchwireError, isBatchwireError } from '../core/errors.js';
import { isArray } from '../core/options.js';
import type { FilterDiagnostic, FilterDiagnosticCode } from './types.js';

/** Longest piece of the filter (a name, a literal) quoted inside a message or hint. */
export const MAX_QUOTED = 48;
/** Longest message, and longest hint, of any diagnostic (in UTF-16 code units). */
export const MAX_MESSAGE_LENGTH = 240;

const ELLIPSIS = '\u2026';

/** `text` cut to at most `max` code units with an ellipsis at the end, never inside a surrogate pair. */
export function clip(text: string, max: number = MAX_QUOTED): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end) + ELLIPSIS;
}

/**
 * What a wrong value is, for a message: its kind, or a short quote of a string or number. Never
 * runs the value's own code (no toString, toJSON or getters), so describing cannot throw.
 */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(clip(value));
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'undefined':
      return 'undefined';
    case 'object':
      return 'an object';
    default:
      return `a ${typeof value}`;
  }
}

/**
 * An exception met while reading a caller's object (an AST, a record, options, a schema): a
 * BatchwireError passes; anything else came from the caller's getter or proxy trap, and becomes
 * INVALID_ARGUMENT with it as the cause, so no foreign exception leaves the library.
 */
export function callerError(error: unknown, what: string): BatchwireError {
  if (isBatchwireError(error)) return error;
  return new BatchwireError('INVALID_ARGUMENT', `${what}: reading the value given threw`, 0, {
    cause: error,
  });
}

/** Thrown inside the parser to stop at the first problem (parseFilter) or at a fatal one (limits). */
export class Stop {
  constructor(readonly diagnostic: FilterDiagnostic) {}
}

/** One diagnostic, its message and hint clipped to {@link MAX_MESSAGE_LENGTH}. */
export function diagnostic(
  code: FilterDiagnosticCode,
  message: string,
  start: number,
  end: number,
  hint?: string,
): FilterDiagnostic {
  const m = clip(message, MAX_MESSAGE_LENGTH);
  return hint === undefined
    ? { code, message: m, start, end }
    : { code, message: m, start, end, hint: clip(hint, MAX_MESSAGE_LENGTH) };
}

// Text order: by start, then by end.
function before(a: FilterDiagnostic, b: FilterDiagnostic): boolean {
  return a.start < b.start || (a.start === b.start && a.end < b.end);
}

/**
 * Collects up to `max` diagnostics, the first ones in text order, and counts the rest. Problems are
 * found nearly in text order (a type check can follow the lexing of the next token), so the one
 * that sorts last is tracked and swapped out when an earlier one arrives late.
 */
export class DiagnosticSink {
  private readonly kept: FilterDiagnostic[] = [];
  // Index in `kept` of the diagnostic that sorts last; -1 while `kept` is empty.
  private last = -1;
  private omitted = 0;
  private omittedStart = Number.POSITIVE_INFINITY;
  private omittedEnd = 0;

  constructor(private readonly max: number) {}

  /** Whether a diagnostic starting at `start` would be kept: skip costly hints for the others. */
  wants(start: number): boolean {
    return this.kept.length < this.max || (this.last >= 0 && start < this.kept[this.last]!.start);
  }

  /** Adds `d`; `force` keeps it even when full (a fatal limit, which ends the report). */
  add(d: FilterDiagnostic, force = false): void {
    const kept = this.kept;
    if (kept.length < this.max) {
      kept.push(d);
      if (this.last < 0 || !before(d, kept[this.last]!)) this.last = kept.length - 1;
      return;
    }
    if (this.last < 0 || !(force || before(d, kept[this.last]!))) {
      this.omit(d);
      return;
    }
    this.omit(kept[this.last]!);
    kept[this.last] = d;
    let last = 0;
    for (let i = 1; i < kept.length; i++) if (!before(kept[i]!, kept[last]!)) last = i;
    this.last = last;
  }

  private omit(d: FilterDiagnostic): void {
    this.omitted++;
    if (d.start < this.omittedStart) this.omittedStart = d.start;
    if (d.end > this.omittedEnd) this.omittedEnd = d.end;
  }

  /** The kept diagnostics in text order, then, when some were left out, one entry that counts them. */
  result(): FilterDiagnostic[] {
    const out = this.kept.sort((a, b) => a.start - b.start || a.end - b.end);
    if (this.omitted > 0) {
      const n = this.omitted;
      out.push({
        code: 'LIMIT_EXCEEDED',
        message: `and ${n} more problem${n === 1 ? '' : 's'} (maxDiagnostics is ${this.max})`,
        start: this.omittedStart,
        end: this.omittedEnd,
        hint: 'raise maxDiagnostics to list them all',
        omitted: n,
      });
    }
    return out;
  }
}
