import fc from 'fast-check';
import { BatchwireError } from '../core/errors.js';
import { dateToLiteralText, parseDateTimeText } from '../odata/datetime.js';
import { formatFilter } from '../odata/format.js';
import type {
  ComparisonOperator,
  FilterExpression,
  FilterPropertyType,
  FilterSchema,
  LiteralNode,
  PropertyNode,
  StringLiteralNode,
} from '../odata/types.js';
import { building, countOption, optionsObject, optionValue } from './options.js';

/** Options of the filter arbitraries. */
export interface FilterArbitraryOptions {
  /** Draw properties, operators and literal types from this schema (valid filters for it). */
  schema?: FilterSchema;
  /** Deepest `and`/`or` nesting. @defaultValue 3 */
  maxDepth?: number;
}

const COMPARISONS: readonly ComparisonOperator[] = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'];
const LITERAL_TYPES: readonly FilterPropertyType[] = ['String', 'DateTime', 'Int', 'Boolean'];
const YEAR_1 = new Date(0);
YEAR_1.setUTCFullYear(1, 0, 1);
const YEAR_9999 = new Date(0);
YEAR_9999.setUTCFullYear(9999, 11, 31);

function node<T>(value: T): T & { start: number; end: number } {
  return { ...value, start: 0, end: 0 };
}

/**
 * A string literal value: any text, weighted towards quotes, spaces and filter keywords so the
 * escaping and tokenising paths are exercised.
 *
 * @example
 * ```ts
 * fc.sample(filterStringValue(), 3); // e.g. ["O''Brien", "' or 1 eq 1 or '", '']
 * ```
 */
export function filterStringValue(): fc.Arbitrary<string> {
  const tricky = fc.constantFrom(
    "'",
    "''",
    ' ',
    ' or ',
    ' and ',
    ')',
    '(',
    "' or poolId ne '",
    'DateTime',
    '%27',
    '\u00e9',
    '\ud83d\ude80',
    '\u0000',
    '\n',
  );
  return fc.oneof(
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
    {
      weight: 2,
      arbitrary: fc
        .array(fc.oneof(tricky, fc.string({ maxLength: 4 })), { maxLength: 6 })
        .map((a) => a.join('')),
    },
    {
      weight: 1,
      arbitrary: fc.string({
        unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
        maxLength: 12,
      }),
    },
  );
}

/**
 * A `DateTime'...'` literal node, in ISO 8601 (with or without milliseconds) or RFC 1123 form.
 *
 * @example
 * ```ts
 * fc.sample(filterDateTimeLiteral(), 1)[0].value; // e.g. '2011-05-08T08:49:37Z'
 * ```
 */
export function filterDateTimeLiteral(): fc.Arbitrary<LiteralNode> {
  const iso = fc.date({ min: YEAR_1, max: YEAR_9999, noInvalidDate: true }).map(dateToLiteralText);
  const rfc = fc
    .date({
      min: new Date('1900-01-01T00:00:00Z'),
      max: new Date('2199-12-31T23:59:59Z'),
      noInvalidDate: true,
    })
    .map((d) => new Date(Math.floor(d.getTime() / 1000) * 1000).toUTCString());
  return fc
    .oneof(iso, rfc)
    .map((value) => node({ kind: 'datetime' as const, value, time: parseDateTimeText(value) }));
}

/**
 * A literal node of the given schema type, or of any type.
 *
 * @example
 * ```ts
 * fc.sample(filterLiteral('Int'), 2); // e.g. [{ kind: 'int', value: -3, ... }, ...]
 * ```
 */
export function filterLiteral(type?: FilterPropertyType): fc.Arbitrary<LiteralNode> {
  if (type !== undefined && !(LITERAL_TYPES as readonly unknown[]).includes(type)) {
    throw new BatchwireError(
      'INVALID_ARGUMENT',
      `filterLiteral: type must be one of ${LITERAL_TYPES.join(', ')}`,
      0,
    );
  }
  const string = filterStringValue().map((value) => node({ kind: 'string' as const, value }));
  const int = fc
    .oneof(fc.integer({ min: -5, max: 5 }), fc.integer(), fc.maxSafeInteger())
    .map((value) => node({ kind: 'int' as const, value: value === 0 ? 0 : value }));
  const int32 = fc.integer().map((value) => node({ kind: 'int' as const, value: value === 0 ? 0 : value }));
  const boolean = fc.boolean().map((value) => node({ kind: 'boolean' as const, value }));
  switch (type) {
    case 'String':
      return string;
    case 'Int':
      return int32;
    case 'Boolean':
      return boolean;
    case 'DateTime':
      return filterDateTimeLiteral();
    default:
      return fc.oneof(string, int, boolean, filterDateTimeLiteral());
  }
}

const SEGMENT = fc
  .tuple(
    fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_'),
    fc.string({ unit: fc.constantFrom(...'abcxyzABCXYZ_0189'), maxLength: 8 }),
  )
  .map(([first, rest]) => first + rest);

/**
 * A property path: identifiers joined by `/` (including keyword-like names such as `eq`).
 *
 * @example
 * ```ts
 * fc.sample(filterPropertyPath(), 2); // e.g. ['executionInfo/exitCode', 'a']
 * ```
 */
export function filterPropertyPath(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.array(SEGMENT, { minLength: 1, maxLength: 3 }).map((s) => s.join('/')),
    fc.constantFrom(
      'poolId',
      'nodeId',
      'jobPreparationTaskExecutionInfo/exitCode',
      'eq',
      'DateTime',
      'startswith',
      'id',
    ),
  );
}

function leaves(schema: FilterSchema | undefined): fc.Arbitrary<FilterExpression> {
  const property = (path: string): PropertyNode => node({ kind: 'property' as const, path });
  if (schema === undefined) {
    const comparison = fc
      .record({
        path: filterPropertyPath(),
        operator: fc.constantFrom(...COMPARISONS),
        value: filterLiteral(),
      })
      .map(({ path, operator, value }) =>
        node({ kind: 'comparison' as const, operator, property: property(path), value }),
      );
    const starts = fc
      .record({ path: filterPropertyPath(), prefix: filterLiteral('String') })
      .map(({ path, prefix }) =>
        node({ kind: 'startswith' as const, property: property(path), prefix: prefix as StringLiteralNode }),
      );
    return fc.oneof({ weight: 4, arbitrary: comparison }, { weight: 1, arbitrary: starts });
  }
  const entries = Object.entries(schema.properties);
  const options = entries.flatMap(([path, spec]) =>
    spec.operators.map((operator) =>
      operator === 'startswith'
        ? filterLiteral('String').map((prefix) =>
            node({
              kind: 'startswith' as const,
              property: property(path),
              prefix: prefix as StringLiteralNode,
            }),
          )
        : filterLiteral(spec.type).map((value) =>
            node({ kind: 'comparison' as const, operator, property: property(path), value }),
          ),
    ),
  );
  return fc.oneof(...(options as fc.Arbitrary<FilterExpression>[]));
}

/**
 * A filter AST (positions all 0): comparisons and `startswith` calls joined by `and`/`or` (two or
 * more operands each), up to `maxDepth` deep. With a schema every filter is valid for it.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(filterExpression({ schema: schemas.pools }), (ast) =>
 *   validateFilter(formatFilter(ast), schemas.pools).length === 0));
 * ```
 */
export function filterExpression(options: FilterArbitraryOptions = {}): fc.Arbitrary<FilterExpression> {
  const o = optionsObject(options, 'filterExpression');
  const schema = optionValue(o, 'schema', 'filterExpression');
  const maxDepth = countOption(o, 'maxDepth', 3, 'filterExpression');
  if (schema !== undefined && (typeof schema !== 'object' || Array.isArray(schema))) {
    throw new BatchwireError('INVALID_ARGUMENT', 'filterExpression: schema must be a filter schema', 0);
  }
  // A schema object of the wrong shape (no properties, no operators) cannot make filters.
  const leaf = building('filterExpression', () => leaves(schema as FilterSchema | undefined));
  const tree = fc.letrec<{ expr: FilterExpression }>((tie) => ({
    expr: fc.oneof(
      { depthSize: 'small', maxDepth, withCrossShrink: true },
      leaf,
      fc
        .record({
          kind: fc.constantFrom('and' as const, 'or' as const),
          operands: fc.array(tie('expr'), { minLength: 2, maxLength: 4 }),
        })
        .map(({ kind, operands }) => node({ kind, operands })),
    ),
  }));
  return tree.expr;
}

// A deterministic source of choices for the noisy renderer.
function chooser(choices: readonly number[]): (n: number) => number {
  let i = 0;
  return (n) => (choices[i++ % choices.length] ?? 0) % n;
}

function noisyLiteral(value: LiteralNode, pick: (n: number) => number): string {
  const text = formatFilter({
    kind: 'comparison',
    operator: 'eq',
    property: node({ kind: 'property' as const, path: 'x' }),
    value,
    start: 0,
    end: 0,
  }).slice(5);
  if (value.kind === 'boolean') return pick(2) ? text.toUpperCase() : text;
  if (value.kind === 'datetime') return ['DateTime', 'datetime', 'DATETIME'][pick(3)] + text.slice(8);
  return text;
}

function noisy(ast: FilterExpression, pick: (n: number) => number): string {
  const space = () => ' '.repeat(1 + pick(3));
  const keyword = (k: string) => [k, k.toUpperCase(), k[0]!.toUpperCase() + k.slice(1)][pick(3)]!;
  const render = (n: FilterExpression, parent: 'and' | 'or' | undefined): string => {
    let text: string;
    if (n.kind === 'comparison') {
      text = `${n.property.path}${space()}${keyword(n.operator)}${space()}${noisyLiteral(n.value, pick)}`;
    } else if (n.kind === 'startswith') {
      text = `${keyword('startswith')}(${pick(2) ? ' ' : ''}${n.property.path} ,${space()}${noisyLiteral(n.prefix, pick)})`;
    } else {
      text = n.operands.map((o) => render(o, n.kind)).join(`${space()}${keyword(n.kind)}${space()}`);
      if (parent !== undefined && (parent === 'and' || n.kind === 'or')) return `(${text})`;
    }
    // Redundant parentheses never change the AST.
    return pick(4) === 0 ? `(${space()}${text}${space()})` : text;
  };
  return render(ast, undefined);
}

/**
 * Valid filter text: the canonical form of {@link filterExpression}, or a noisy form (keyword
 * case, extra spaces and parentheses) that parses to the same AST.
 *
 * @example
 * ```ts
 * fc.sample(filterText({ schema: schemas.jobPreparationAndReleaseTaskStatus }), 1);
 * // e.g. ["nodeId ne 'a' or jobPreparationTaskExecutionInfo/exitCode le -2"]
 * ```
 */
export function filterText(options: FilterArbitraryOptions = {}): fc.Arbitrary<string> {
  return filterTextWithAst(options).map((sample) => sample.text);
}

/**
 * Valid filter text with the AST it must parse to (positions 0), for round-trip tests.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(filterTextWithAst(), ({ text, ast }) => formatFilter(parseFilter(text)) === formatFilter(ast)));
 * ```
 */
export function filterTextWithAst(
  options: FilterArbitraryOptions = {},
): fc.Arbitrary<{ text: string; ast: FilterExpression }> {
  return fc
    .tuple(filterExpression(options), fc.boolean(), fc.array(fc.nat(), { minLength: 16, maxLength: 16 }))
    .map(([ast, plain, choices]) => ({
      ast,
      text: plain ? formatFilter(ast) : noisy(ast, chooser(choices)),
    }));
}
