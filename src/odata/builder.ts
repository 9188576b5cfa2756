import { isSpace } from '../core/chars.js';
import { BatchwireError } from '../core/errors.js';
import { isArray } from '../core/options.js';
import { dateToLiteralText } from './datetime.js';
import { callerError, describeValue } from './diagnostics.js';
import { formatFilter, isPropertyPath, literalText, quoteString } from './format.js';
import { parseFilter } from './parse.js';
import { schemaIndex } from './schema-index.js';
import type {
  ComparisonOperator,
  FilterExpression,
  FilterOperator,
  FilterPropertyType,
  FilterSchema,
  LiteralNode,
} from './types.js';

declare const filterTextBrand: unique symbol;

/**
 * Filter text made by the builder: a plain string at run time, branded so that the type system
 * keeps arbitrary strings out of {@link and} and {@link or}.
 */
export type FilterText = string & { readonly [filterTextBrand]: true };

/** A value the builder turns into a literal: string, integer, boolean or Date. */
export type FilterValue = string | number | boolean | Date;

/** The TypeScript type of a value for a property of the given schema type. */
export interface FilterValueTypes {
  String: string;
  Int: number;
  Boolean: boolean;
  DateTime: Date;
}

/** The property paths of a schema. */
export type FilterPropertyOf<S extends FilterSchema> = Extract<keyof S['properties'], string>;

/** The property paths of a schema that allow operator `Op`. */
export type FilterPropertyWith<S extends FilterSchema, Op extends FilterOperator> = {
  [P in FilterPropertyOf<S>]: Op extends S['properties'][P]['operators'][number] ? P : never;
}[FilterPropertyOf<S>];

/** The value type a property of schema `S` takes. */
export type FilterValueOf<
  S extends FilterSchema,
  P extends FilterPropertyOf<S>,
> = FilterValueTypes[S['properties'][P]['type'] & FilterPropertyType];

// Parsing trusted builder output: the limits guard hostile input, not this.
const UNLIMITED = { maxFilterLength: Number.POSITIVE_INFINITY, maxFilterDepth: Number.POSITIVE_INFINITY };

function invalid(message: string): BatchwireError {
  return new BatchwireError('INVALID_FIELD', message, 0);
}

/**
 * The literal node for a JavaScript value: strings as they are, safe integers, booleans, and
 * valid Dates (years 0–9999) as UTC `DateTime'...'`.
 *
 * @throws {BatchwireError} `INVALID_FIELD` for NaN, Infinity, non-integers, invalid Dates and
 * any other type.
 *
 * @example
 * ```ts
 * toLiteral(new Date(Date.UTC(2011, 4, 8, 8, 49, 37))); // { kind: 'datetime', value: '2011-05-08T08:49:37Z', ... }
 * ```
 */
export function toLiteral(value: FilterValue): LiteralNode {
  try {
    return literalOf(value);
  } catch (error) {
    // A proxy posing as a Date, or a Date whose methods were replaced, threw.
    throw callerError(error, 'toLiteral');
  }
}

function literalOf(value: FilterValue): LiteralNode {
  switch (typeof value) {
    case 'string':
      return { kind: 'string', value, start: 0, end: 0 };
    case 'number':
      if (!Number.isSafeInteger(value)) {
        throw invalid(`filter numbers must be safe integers; got ${String(value)}`);
      }
      return { kind: 'int', value: value === 0 ? 0 : value, start: 0, end: 0 };
    case 'boolean':
      return { kind: 'boolean', value, start: 0, end: 0 };
    case 'object':
      if (value instanceof Date) {
        const time = value.getTime();
        // toISOString writes years past 9999 as +YYYYYY, which no DateTime literal accepts.
        if (Number.isNaN(time) || value.getUTCFullYear() < 0 || value.getUTCFullYear() > 9999) {
          throw invalid(`not a valid Date for a filter (time ${time})`);
        }
        return { kind: 'datetime', value: dateToLiteralText(value), time, start: 0, end: 0 };
      }
      throw invalid(`unsupported filter value: ${value === null ? 'null' : 'object'}`);
    default:
      throw invalid(`unsupported filter value of type ${typeof value}`);
  }
}

function checkPath(property: string): void {
  if (typeof property !== 'string' || !isPropertyPath(property)) {
    throw invalid(`not a property path: ${describeValue(property)}`);
  }
}

function compare(
  operator: ComparisonOperator,
  property: string,
  value: FilterValue,
  schema: FilterSchema | undefined,
): FilterText {
  checkPath(property);
  const text = `${property} ${operator} ${literalText(toLiteral(value))}`;
  if (schema !== undefined) parseFilter(text, { ...UNLIMITED, schema });
  return text as FilterText;
}

function prefixFilter(property: string, prefix: string, schema: FilterSchema | undefined): FilterText {
  checkPath(property);
  if (typeof prefix !== 'string')
    throw invalid(`startswith takes a string prefix; got ${describeValue(prefix)}`);
  const text = `startswith(${property}, ${quoteString(prefix)})`;
  if (schema !== undefined) parseFilter(text, { ...UNLIMITED, schema });
  return text as FilterText;
}

function combine(
  kind: 'and' | 'or',
  parts: readonly unknown[],
  schema: FilterSchema | undefined,
): FilterText {
  try {
    return combineParts(kind, parts, schema);
  } catch (error) {
    // An operand's getter or proxy trap threw.
    throw callerError(error, kind);
  }
}

function combineParts(
  kind: 'and' | 'or',
  parts: readonly unknown[],
  schema: FilterSchema | undefined,
): FilterText {
  // and([a, b, c]) as well as and(a, b, c): a spread of 150 000 arguments overflows the caller's stack.
  const list = parts.length === 1 && isArray(parts[0]) ? (parts[0] as readonly unknown[]) : parts;
  if (list.length === 0) {
    throw new BatchwireError('INVALID_ARGUMENT', `${kind}() needs at least one filter`, 0);
  }
  const operands: FilterExpression[] = [];
  for (let i = 0; i < list.length; i++) {
    const part = list[i];
    let ast: FilterExpression;
    if (typeof part === 'string') {
      // Strings are parsed, so only a complete, valid expression can be combined.
      ast = parseFilter(part, schema ? { ...UNLIMITED, schema } : UNLIMITED);
    } else if (typeof part === 'object' && part !== null && !isArray(part)) {
      ast = part as FilterExpression;
    } else {
      throw new BatchwireError(
        'INVALID_ARGUMENT',
        `${kind}() takes filters (builder text or ASTs); operand ${i + 1} is ${part === null ? 'null' : isArray(part) ? 'an array' : typeof part}`,
        0,
      );
    }
    // Flatten a same-kind operand; one push at a time (a spread of a wide node would overflow the stack).
    if (ast.kind === kind && isArray(ast.operands))
      for (const operand of ast.operands) operands.push(operand);
    else operands.push(ast);
  }
  const node: FilterExpression = operands.length === 1 ? operands[0]! : { kind, operands, start: 0, end: 0 };
  return formatFilter(node) as FilterText;
}

/** Whether the static text before a placeholder leaves it outside quotes and apart from other tokens. */
function checkTemplate(strings: readonly string[]): void {
  let quotes = 0;
  for (let i = 0; i < strings.length - 1; i++) {
    const before = strings[i]!;
    const after = strings[i + 1]!;
    for (let j = 0; j < before.length; j++) if (before.charCodeAt(j) === 0x27) quotes++;
    if (quotes % 2 === 1) {
      throw new BatchwireError(
        'INVALID_ARGUMENT',
        `placeholder number ${i + 1} is inside quotes: leave it bare, values are quoted for you`,
        0,
      );
    }
    const prev = before.length === 0 ? (i === 0 ? 0x20 : -1) : before.charCodeAt(before.length - 1);
    const next = i + 1 === strings.length - 1 && after.length === 0 ? 0x20 : after.charCodeAt(0);
    // Two adjacent placeholders (prev === -1) or a placeholder glued to a word would merge tokens.
    const okBefore = isSpace(prev) || prev === 0x28 || prev === 0x2c;
    const okAfter = isSpace(next) || next === 0x29 || next === 0x2c;
    if (!okBefore || !okAfter) {
      throw new BatchwireError(
        'INVALID_ARGUMENT',
        `placeholder number ${i + 1} must be separated from the text around it by a space, '(' , ')' or ','`,
        0,
      );
    }
  }
}

function template(
  schema: FilterSchema | undefined,
  strings: TemplateStringsArray,
  values: FilterValue[],
): FilterText {
  try {
    return fillTemplate(schema, strings, values);
  } catch (error) {
    throw callerError(error, 'odata');
  }
}

function fillTemplate(
  schema: FilterSchema | undefined,
  strings: TemplateStringsArray,
  values: FilterValue[],
): FilterText {
  if (
    !isArray(strings) ||
    strings.length !== values.length + 1 ||
    !strings.every((piece) => typeof piece === 'string')
  ) {
    throw new BatchwireError(
      'INVALID_ARGUMENT',
      'odata is a tagged template (odata`...`), not a function to call with a string',
      0,
    );
  }
  checkTemplate(strings);
  let text = strings[0]!;
  for (let i = 0; i < values.length; i++) {
    text += literalText(toLiteral(values[i]!)) + strings[i + 1]!;
  }
  parseFilter(text, schema ? { ...UNLIMITED, schema } : UNLIMITED);
  return text as FilterText;
}

/**
 * `property eq value`, with the value written as a literal (strings quoted with `''` doubling,
 * Dates as `DateTime'...Z'`). No value can become syntax.
 *
 * @throws {BatchwireError} `INVALID_FIELD` for a property that is not identifiers joined by `/`,
 * or a value that is not a string, safe integer, boolean or valid Date.
 *
 * @example
 * ```ts
 * eq('nodeId', "tvm-'1'"); // "nodeId eq 'tvm-''1'''"
 * ```
 */
export function eq(property: string, value: FilterValue): FilterText {
  return compare('eq', property, value, undefined);
}

/**
 * `property ne value`. See {@link eq}.
 *
 * @example
 * ```ts
 * ne('jobPreparationTaskExecutionInfo/exitCode', 0); // 'jobPreparationTaskExecutionInfo/exitCode ne 0'
 * ```
 */
export function ne(property: string, value: FilterValue): FilterText {
  return compare('ne', property, value, undefined);
}

/**
 * `property gt value`. See {@link eq}.
 *
 * @example
 * ```ts
 * gt('creationTime', new Date('2011-05-08T08:49:37Z')); // "creationTime gt DateTime'2011-05-08T08:49:37Z'"
 * ```
 */
export function gt(property: string, value: FilterValue): FilterText {
  return compare('gt', property, value, undefined);
}

/**
 * `property ge value`. See {@link eq}.
 *
 * @example
 * ```ts
 * ge('executionInfo/exitCode', 1); // 'executionInfo/exitCode ge 1'
 * ```
 */
export function ge(property: string, value: FilterValue): FilterText {
  return compare('ge', property, value, undefined);
}

/**
 * `property lt value`. See {@link eq}.
 *
 * @example
 * ```ts
 * lt('executionInfo/exitCode', -1); // 'executionInfo/exitCode lt -1'
 * ```
 */
export function lt(property: string, value: FilterValue): FilterText {
  return compare('lt', property, value, undefined);
}

/**
 * `property le value`. See {@link eq}.
 *
 * @example
 * ```ts
 * le('lastModified', new Date(0)); // "lastModified le DateTime'1970-01-01T00:00:00Z'"
 * ```
 */
export function le(property: string, value: FilterValue): FilterText {
  return compare('le', property, value, undefined);
}

/**
 * `startswith(property, 'prefix')`, the one function Batch filters support.
 *
 * @example
 * ```ts
 * startswith('id', 'render-'); // "startswith(id, 'render-')"
 * ```
 */
export function startswith(property: string, prefix: string): FilterText {
  return prefixFilter(property, prefix, undefined);
}

/**
 * Joins filters with `and`, adding parentheses where an operand is an `or`. Takes builder output
 * (or ASTs); a plain string is parsed first, so only a complete, valid expression is accepted.
 * Takes the filters as arguments or as one array (`and(list)`: no argument-count limit, so
 * 150 000 operands are fine); builds without recursion, whatever the width.
 *
 * @throws {BatchwireError} `INVALID_ARGUMENT` with no operands or an operand that is neither
 * text nor an AST; a `FILTER_*` code for a bad string; `INVALID_FIELD` for a hand-built AST
 * that cannot be written (see {@link formatFilter}).
 *
 * @example
 * ```ts
 * and(eq('poolId', 'p1'), or(eq('nodeId', 'a'), eq('nodeId', 'b')));
 * // "poolId eq 'p1' and (nodeId eq 'a' or nodeId eq 'b')"
 * ```
 */
export function and(...filters: (FilterText | FilterExpression)[]): FilterText;
export function and(filters: readonly (FilterText | FilterExpression)[]): FilterText;
export function and(...filters: unknown[]): FilterText {
  return combine('and', filters, undefined);
}

/**
 * Joins filters with `or`. See {@link and}.
 *
 * @example
 * ```ts
 * or(eq('state', 'active'), startswith('id', 'tmp-')); // "state eq 'active' or startswith(id, 'tmp-')"
 * ```
 */
export function or(...filters: (FilterText | FilterExpression)[]): FilterText;
export function or(filters: readonly (FilterText | FilterExpression)[]): FilterText;
export function or(...filters: unknown[]): FilterText {
  return combine('or', filters, undefined);
}

/**
 * Tagged template: every `${value}` becomes a literal (strings quoted with `''` doubling, Dates as
 * `DateTime'...Z'`, integers, booleans), and the result is parsed, so it is always a valid filter.
 * Placeholders must stand alone (not inside quotes, not glued to a word).
 *
 * @throws {BatchwireError} `INVALID_FIELD` for an unsupported value; `INVALID_ARGUMENT` for a
 * misplaced placeholder; a `FILTER_*` code when the static text is not a valid filter.
 *
 * @example
 * ```ts
 * const node = "tvm-1'; drop";
 * odata`nodeId eq ${node} and jobPreparationTaskExecutionInfo/exitCode ne ${0}`;
 * // "nodeId eq 'tvm-1''; drop' and jobPreparationTaskExecutionInfo/exitCode ne 0"
 * ```
 */
export function odata(strings: TemplateStringsArray, ...values: FilterValue[]): FilterText {
  return template(undefined, strings, values);
}

/** The builder {@link filterFor} returns: property names and value types checked against `S`. */
export interface TypedFilterBuilder<S extends FilterSchema> {
  readonly schema: S;
  eq<P extends FilterPropertyWith<S, 'eq'>>(property: P, value: FilterValueOf<S, P>): FilterText;
  ne<P extends FilterPropertyWith<S, 'ne'>>(property: P, value: FilterValueOf<S, P>): FilterText;
  gt<P extends FilterPropertyWith<S, 'gt'>>(property: P, value: FilterValueOf<S, P>): FilterText;
  ge<P extends FilterPropertyWith<S, 'ge'>>(property: P, value: FilterValueOf<S, P>): FilterText;
  lt<P extends FilterPropertyWith<S, 'lt'>>(property: P, value: FilterValueOf<S, P>): FilterText;
  le<P extends FilterPropertyWith<S, 'le'>>(property: P, value: FilterValueOf<S, P>): FilterText;
  startswith(property: FilterPropertyWith<S, 'startswith'>, prefix: string): FilterText;
  /** Joins with `and`; the filters as arguments or as one array. */
  and(...filters: FilterText[]): FilterText;
  and(filters: readonly FilterText[]): FilterText;
  /** Joins with `or`; the filters as arguments or as one array. */
  or(...filters: FilterText[]): FilterText;
  or(filters: readonly FilterText[]): FilterText;
  /** The tagged template, with the result also checked against the schema at run time. */
  odata(strings: TemplateStringsArray, ...values: FilterValue[]): FilterText;
}

/**
 * A builder bound to a schema: property names, the operators each allows and value types are
 * checked at compile time (a misspelt property or a string for an Int is a type error), and again
 * at run time for JavaScript callers.
 *
 * @throws {BatchwireError} `INVALID_ARGUMENT` when `schema` is not a filter schema; (from the
 * returned functions) `FILTER_UNKNOWN_PROPERTY`, `FILTER_OPERATOR_NOT_ALLOWED`,
 * `FILTER_TYPE_MISMATCH`, or `INVALID_FIELD` as {@link eq}.
 *
 * @example
 * ```ts
 * const f = filterFor(schemas.jobPreparationAndReleaseTaskStatus);
 * f.and(f.eq('nodeId', 'tvm-1'), f.gt('jobPreparationTaskExecutionInfo/startTime', new Date()));
 * // f.eq('nodeid', 'x')  -> compile error: not a property of the schema
 * // f.gt('poolId', 'p')  -> compile error: poolId allows eq and ne only
 * ```
 */
export function filterFor<const S extends FilterSchema>(schema: S): TypedFilterBuilder<S> {
  schemaIndex(schema); // checked now: INVALID_ARGUMENT here rather than at the first use
  return {
    schema,
    eq: (property, value) => compare('eq', property, value, schema),
    ne: (property, value) => compare('ne', property, value, schema),
    gt: (property, value) => compare('gt', property, value, schema),
    ge: (property, value) => compare('ge', property, value, schema),
    lt: (property, value) => compare('lt', property, value, schema),
    le: (property, value) => compare('le', property, value, schema),
    startswith: (property, prefix) => prefixFilter(property, prefix, schema),
    and: (...filters: unknown[]) => combine('and', filters, schema),
    or: (...filters: unknown[]) => combine('or', filters, schema),
    odata: (strings, ...values) => template(schema, strings, values),
  };
}
