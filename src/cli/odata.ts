import { formatFilter, parseFilter, type SchemaName, schemas, validateFilter } from '../odata/index.js';
import type { FilterDiagnostic, FilterSchema } from '../odata/types.js';
import { type Command, type CommandContext, UsageError } from './io.js';

// Short names people type, beside the schema keys themselves.
const ALIASES: Record<string, SchemaName> = {
  jobprep: 'jobPreparationAndReleaseTaskStatus',
  'job-prep-release': 'jobPreparationAndReleaseTaskStatus',
  jobpreparationandreleasetaskstatus: 'jobPreparationAndReleaseTaskStatus',
  nodes: 'computeNodes',
  computenodes: 'computeNodes',
  'compute-nodes': 'computeNodes',
};

function schemaOption(value: string | boolean | undefined): FilterSchema | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') {
    if (Object.hasOwn(schemas, value)) return schemas[value as SchemaName];
    const alias = ALIASES[value.toLowerCase()];
    if (alias !== undefined && Object.hasOwn(ALIASES, value.toLowerCase())) return schemas[alias];
  }
  throw new UsageError(
    `--schema: expected one of ${Object.keys(schemas).join(', ')}, got ${JSON.stringify(value)}`,
  );
}

// Control characters would move the terminal cursor; show them as one visible column each.
function visible(line: string): string {
  let out = '';
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    out += c === 0x09 ? ' ' : c < 0x20 || c === 0x7f || (c >= 0x80 && c < 0xa0) ? '\u00b7' : line[i];
  }
  return out;
}

/** Columns of a long source line shown around a diagnostic; the rest is cut with an ellipsis. */
const SOURCE_COLUMNS = 100;
/** Of those, columns shown before the diagnostic's start. */
const COLUMNS_BEFORE = 40;

function isHigh(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLow(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/**
 * Walks the text's lines forward: rendering diagnostics in text order costs one pass over the
 * text in all, not a count of lines per diagnostic. An offset before the current line starts
 * again from the top.
 */
export class LineCursor {
  private line = 1;
  private start = 0;
  private end: number;

  constructor(private readonly text: string) {
    this.end = this.lineEnd(0);
  }

  private lineEnd(from: number): number {
    const newline = this.text.indexOf('\n', from);
    return newline < 0 ? this.text.length : newline;
  }

  /** The 1-based line holding `offset`, and where that line starts and ends (before its newline). */
  at(offset: number): { line: number; start: number; end: number } {
    if (offset < this.start) {
      this.line = 1;
      this.start = 0;
      this.end = this.lineEnd(0);
    }
    while (offset > this.end && this.end < this.text.length) {
      this.line++;
      this.start = this.end + 1;
      this.end = this.lineEnd(this.start);
    }
    return { line: this.line, start: this.start, end: this.end };
  }
}

/**
 * A diagnostic as text: the message, where it is, the source line and a caret line under the
 * offending span (clipped to that line), and the hint. A line longer than 100 columns is shown
 * as a window around the span, so every diagnostic renders in bounded size and time.
 */
export function renderDiagnostic(text: string, d: FilterDiagnostic, lines = new LineCursor(text)): string {
  if (d.omitted !== undefined) return `... ${d.message}\n`;
  const { line, start: lineStart, end } = lines.at(d.start);
  const lineEnd = end > lineStart && text.charCodeAt(end - 1) === 0x0d ? end - 1 : end; // \r\n
  // The window of the line shown: all of it when short, else from a little before the span.
  let from = lineStart;
  let to = lineEnd;
  if (to - from > SOURCE_COLUMNS) {
    from = Math.max(lineStart, Math.min(d.start - COLUMNS_BEFORE, lineEnd - SOURCE_COLUMNS));
    to = Math.min(lineEnd, from + SOURCE_COLUMNS);
    // Never cut a surrogate pair in two.
    if (from > lineStart && isLow(text.charCodeAt(from)) && isHigh(text.charCodeAt(from - 1))) from--;
    if (to < lineEnd && isHigh(text.charCodeAt(to - 1)) && isLow(text.charCodeAt(to))) to++;
  }
  const before = from > lineStart ? '\u2026' : '';
  const after = to < lineEnd ? '\u2026' : '';
  const column = d.start - from + before.length;
  const width = Math.max(1, Math.min(d.end, to) - d.start);
  const out = [
    `error[${d.code}]: ${d.message}`,
    `  --> line ${line}, column ${d.start - lineStart + 1} (offset ${d.start})`,
    `   | ${before}${visible(text.slice(from, to))}${after}`,
    `   | ${' '.repeat(column)}${'^'.repeat(width)}`,
  ];
  if (d.hint !== undefined) out.push(`   = hint: ${d.hint}`);
  return `${out.join('\n')}\n`;
}

/** Every diagnostic rendered (in text order: one pass over the text), then the count of problems. */
export function renderDiagnostics(text: string, diagnostics: readonly FilterDiagnostic[]): string {
  const lines = new LineCursor(text);
  let out = '';
  let n = 0;
  for (const d of diagnostics) {
    out += renderDiagnostic(text, d, lines);
    n += d.omitted ?? 1;
  }
  return `${out}${n} problem${n === 1 ? '' : 's'}\n`;
}

function expression(context: CommandContext): string {
  const [, expr, extra] = context.args;
  if (expr === undefined) throw new UsageError('give the filter expression as one argument (quote it)');
  if (extra !== undefined) {
    throw new UsageError(
      `unexpected argument ${JSON.stringify(extra)}: quote the whole filter as one argument`,
    );
  }
  return expr;
}

/**
 * `batchwire filter check|format "<expr>" [--schema NAME]`: validates a Batch `$filter` (every
 * problem on stderr, with a caret under it; exit 1 when there is any), or prints its canonical
 * form. Usage errors exit 2.
 */
export const filterCommand: Command = {
  summary: 'check or format an Azure Batch OData $filter (check|format "<expr>" [--schema NAME])',
  usage: `Usage: batchwire filter check "<expr>" [--schema NAME]
       batchwire filter format "<expr>" [--schema NAME]

check   prints "ok" when the filter is good (exit 0); else every problem (the first 100) on
        stderr with the source line, a caret line under the offending text and a hint where
        one helps, and exits 1.
format  prints the canonical form (lowercase keywords, DateTime'...', parentheses only where
        needed); on a bad filter reports the problems on stderr as check does and exits 1.

Options:
  --schema NAME   check property names, operators and value types for one list operation:
                  ${Object.keys(schemas).join(', ')}
                  (without it only the syntax is checked)
`,
  options: { schema: { type: 'string' } },
  async run(context) {
    const verb = context.args[0];
    if (verb !== 'check' && verb !== 'format') {
      throw new UsageError(
        verb === undefined
          ? 'give a sub-command: check or format'
          : `unknown sub-command ${JSON.stringify(verb)}; use check or format`,
      );
    }
    const schema = schemaOption(context.options.schema);
    const text = expression(context);
    const diagnostics = validateFilter(text, schema);
    if (diagnostics.length > 0) {
      // The report is an error: stderr, so `format` output piped on is only ever a filter.
      context.stderr.write(renderDiagnostics(text, diagnostics));
      return 1;
    }
    if (verb === 'check') {
      context.stdout.write(`ok${schema ? ` (${schema.name})` : ''}\n`);
      return 0;
    }
    context.stdout.write(`${formatFilter(parseFilter(text, schema ? { schema } : {}))}\n`);
    return 0;
  },
};
