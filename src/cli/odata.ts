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

/**
 * A diagnostic as text: the message, where it is, the source line and a caret line under the
 * offending span (clipped to that line), and the hint.
 */
export function renderDiagnostic(text: string, d: FilterDiagnostic): string {
  const lineStart = text.lastIndexOf('\n', d.start - 1) + 1;
  let lineEnd = text.indexOf('\n', d.start);
  if (lineEnd < 0) lineEnd = text.length;
  let line = 1;
  for (let i = 0; i < lineStart; i++) if (text.charCodeAt(i) === 0x0a) line++;
  const source = text.slice(lineStart, lineEnd).replace(/\r$/, '');
  const column = d.start - lineStart;
  const width = Math.max(1, Math.min(d.end, lineStart + source.length) - d.start);
  const out = [
    `error[${d.code}]: ${d.message}`,
    `  --> line ${line}, column ${column + 1} (offset ${d.start})`,
    `   | ${visible(source)}`,
    `   | ${' '.repeat(column)}${'^'.repeat(width)}`,
  ];
  if (d.hint !== undefined) out.push(`   = hint: ${d.hint}`);
  return `${out.join('\n')}\n`;
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

function printDiagnostics(text: string, diagnostics: FilterDiagnostic[], context: CommandContext): void {
  for (const d of diagnostics) context.stdout.write(renderDiagnostic(text, d));
  const n = diagnostics.length;
  context.stdout.write(`${n} problem${n === 1 ? '' : 's'}\n`);
}

/**
 * `batchwire filter check|format "<expr>" [--schema NAME]`: validates a Batch `$filter` (every
 * problem, with a caret under it; exit 1 when there is any), or prints its canonical form.
 */
export const filterCommand: Command = {
  summary: 'check or format an Azure Batch OData $filter (check|format "<expr>" [--schema NAME])',
  usage: `Usage: batchwire filter check "<expr>" [--schema NAME]
       batchwire filter format "<expr>" [--schema NAME]

check   prints every problem in the filter with the source line and a caret line under the
        offending text, and a hint where one helps; exits 1 when there is any, 0 when none.
format  prints the canonical form (lowercase keywords, DateTime'...', parentheses only where
        needed); on a bad filter prints the problems as check does and exits 1.

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
      printDiagnostics(text, diagnostics, context);
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
