// The public entry points over the parser: parseFilter (first problem thrown) and validateFilter
// (every problem, up to maxDiagnostics), with their options checked before any work.
import { BatchwireError, textExcerpt } from '../core/errors.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { isArray } from '../core/options.js';
import { DiagnosticSink, describeValue, Stop } from './diagnostics.js';
import { FilterParser } from './parser.js';
import { type SchemaIndex, schemaIndex } from './schema-index.js';
import type {
  FilterDiagnostic,
  FilterExpression,
  FilterSchema,
  ParseFilterOptions,
  ValidateFilterOptions,
} from './types.js';

/** Default of `maxDiagnostics`: enough for any real filter, small enough to print. */
const DEFAULT_MAX_DIAGNOSTICS = 100;

interface Settings {
  index: SchemaIndex | undefined;
  maxLength: number;
  maxDepth: number;
  maxDiagnostics: number;
}

function invalid(message: string, cause?: unknown): BatchwireError {
  return new BatchwireError('INVALID_ARGUMENT', message, 0, cause === undefined ? {} : { cause });
}

/**
 * A limit as given: a positive integer, or Infinity for none (as every batchwire limit);
 * `undefined` and `null`: the default.
 */
function limit(value: unknown, key: string, fallback: number, what: string): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'number' && value >= 1 && (Number.isSafeInteger(value) || value === Infinity))
    return value;
  throw invalid(`${what}: ${key} must be a positive integer (or Infinity), got ${describeValue(value)}`);
}

const NO_OPTIONS: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * The options of parseFilter (`schema` among them) or validateFilter (`schema` given apart):
 * `undefined` and `null` mean none, for the object and for each value; a getter that throws is
 * INVALID_ARGUMENT. Read by name, not by a key variable: this runs on every call.
 */
function settings(
  what: 'parseFilter' | 'validateFilter',
  options: unknown,
  schemaArgument: unknown,
): Settings {
  let given = NO_OPTIONS;
  if (options !== undefined && options !== null) {
    if (typeof options !== 'object' || isArray(options)) {
      throw invalid(`${what}: options must be an object, got ${describeValue(options)}`);
    }
    given = options as Record<string, unknown>;
  }
  let schema: unknown;
  let length: unknown;
  let depth: unknown;
  let diagnostics: unknown;
  // The older names count only where the new ones are absent.
  let lengthKey = 'maxFilterLength';
  let depthKey = 'maxFilterDepth';
  try {
    schema = what === 'parseFilter' ? given.schema : schemaArgument;
    length = given.maxFilterLength;
    if (length === undefined || length === null) {
      lengthKey = 'maxLength';
      length = given.maxLength;
    }
    depth = given.maxFilterDepth;
    if (depth === undefined || depth === null) {
      depthKey = 'maxDepth';
      depth = given.maxDepth;
    }
    diagnostics = what === 'validateFilter' ? given.maxDiagnostics : undefined;
  } catch (error) {
    throw invalid(`${what}: reading an option threw`, error);
  }
  return {
    index: schema === undefined || schema === null ? undefined : schemaIndex(schema as FilterSchema),
    maxLength: limit(length, lengthKey, DEFAULT_LIMITS.maxFilterLength, what),
    maxDepth: limit(depth, depthKey, DEFAULT_LIMITS.maxFilterDepth, what),
    maxDiagnostics: limit(diagnostics, 'maxDiagnostics', DEFAULT_MAX_DIAGNOSTICS, what),
  };
}

function lengthDiagnostic(text: string, maxLength: number): FilterDiagnostic | undefined {
  if (text.length <= maxLength) return undefined;
  return {
    code: 'LIMIT_EXCEEDED',
    message: `filter is ${text.length} characters, more than the limit of ${maxLength}`,
    start: maxLength,
    end: text.length,
    hint: 'raise maxFilterLength if this filter is legitimate',
  };
}

/** 1-based line and column of `offset`. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** The BatchwireError for a diagnostic: its code, offset, line/column and an excerpt. */
function diagnosticError(text: string, d: FilterDiagnostic): BatchwireError {
  const { line, column } = lineColumn(text, d.start);
  const message = d.hint === undefined ? d.message : `${d.message} (${d.hint})`;
  return new BatchwireError(d.code, message, d.start, { line, column, excerpt: textExcerpt(text, d.start) });
}

/**
 * Parses a Batch `$filter` into an AST whose nodes carry `start`/`end` offsets; with a `schema`,
 * also checks property names, operators and literal types. Throws at the first problem.
 *
 * Limits: `maxFilterLength` (default 32 768 characters) and `maxFilterDepth` (default 100 levels of
 * parentheses), named as in `DEFAULT_LIMITS` (so `{ ...DEFAULT_LIMITS }` works);
 * `maxLength` and `maxDepth` are older aliases, read only when the new name is absent.
 *
 * @throws {BatchwireError} `FILTER_SYNTAX`, `FILTER_UNKNOWN_PROPERTY`, `FILTER_OPERATOR_NOT_ALLOWED`,
 * `FILTER_TYPE_MISMATCH` or `LIMIT_EXCEEDED`, with the offset, line and column of the offending
 * text; `INVALID_ARGUMENT` when `text` is not a string, or an option or the schema has the wrong
 * shape.
 *
 * @example
 * ```ts
 * const ast = parseFilter("nodeId eq 'tvm-1' and jobPreparationTaskExecutionInfo/exitCode ne 0", {
 *   schema: schemas.jobPreparationAndReleaseTaskStatus,
 * });
 * ast.kind; // 'and'
 * ```
 */
export function parseFilter(text: string, options?: ParseFilterOptions | null): FilterExpression {
  if (typeof text !== 'string') {
    throw invalid(`parseFilter: expected filter text, got ${describeValue(text)}`);
  }
  const { index, maxLength, maxDepth } = settings('parseFilter', options, undefined);
  const tooLong = lengthDiagnostic(text, maxLength);
  if (tooLong) throw diagnosticError(text, tooLong);
  try {
    // Without a sink the parser stops at the first problem, so a result is complete.
    return new FilterParser(text, index, null, maxDepth).parse()!;
  } catch (error) {
    if (error instanceof Stop) throw diagnosticError(text, error.diagnostic);
    throw error;
  }
}

/**
 * Checks a `$filter` (against a schema, when given) and returns its problems in text order; empty
 * when the filter is good. After a syntax error it skips to the next `and`, `or` or `)` and
 * carries on. Hints say how to fix: did-you-mean for a misspelt property, "property names are
 * case-sensitive", "write DateTime'...'" for a bare date.
 *
 * The report is bounded whatever the input: at most `maxDiagnostics` problems (default 100, the
 * first ones in text order), then, when there were more, one last entry with code
 * `LIMIT_EXCEEDED` and `omitted` set to how many were left out (its span covers them); every
 * message and hint is at most 240 characters, quoting at most 48 characters of the filter.
 * Limits as {@link parseFilter}; a filter over `maxFilterLength` gives one `LIMIT_EXCEEDED`.
 *
 * Never throws on filter text (text that is not a string gives one `FILTER_SYNTAX` diagnostic);
 * throws `INVALID_ARGUMENT` for a schema or options of the wrong shape.
 *
 * @example
 * ```ts
 * validateFilter("nodeid eq 'x' and poolId gt 'p'", schemas.jobPreparationAndReleaseTaskStatus);
 * // [{ code: 'FILTER_UNKNOWN_PROPERTY', start: 0, end: 6, hint: "property names are case-sensitive: write 'nodeId'", ... },
 * //  { code: 'FILTER_OPERATOR_NOT_ALLOWED', start: 25, end: 27, hint: 'allowed: eq, ne', ... }]
 * ```
 */
export function validateFilter(
  text: string,
  schema?: FilterSchema | null,
  options?: ValidateFilterOptions | null,
): FilterDiagnostic[] {
  const { index, maxLength, maxDepth, maxDiagnostics } = settings('validateFilter', options, schema);
  if (typeof text !== 'string') {
    return [
      {
        code: 'FILTER_SYNTAX',
        message: `expected filter text, got ${describeValue(text)}`,
        start: 0,
        end: 0,
      },
    ];
  }
  const tooLong = lengthDiagnostic(text, maxLength);
  if (tooLong) return [tooLong];
  const sink = new DiagnosticSink(maxDiagnostics);
  try {
    // Only the problems are wanted: no tree is built.
    new FilterParser(text, index, sink, maxDepth, false).parse();
  } catch (error) {
    // Only a limit stops a collecting parse; anything else would be a bug, reported, not thrown.
    sink.add(
      error instanceof Stop
        ? error.diagnostic
        : { code: 'FILTER_SYNTAX', message: `internal error: ${String(error)}`, start: 0, end: text.length },
      true,
    );
  }
  return sink.result();
}
