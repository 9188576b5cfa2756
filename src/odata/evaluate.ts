import { BatchwireError } from '../core/errors.js';
import { isArray } from '../core/options.js';
import { parseDateTimeText } from './datetime.js';
import { callerError, describeValue } from './diagnostics.js';
import type { ComparisonOperator, FilterExpression, LiteralNode } from './types.js';

const COMPARISONS: ReadonlySet<string> = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);

/** The value at `a/b/c` in `record`, through own properties only; undefined when any step is missing. */
function lookup(record: unknown, path: string): unknown {
  let current = record;
  let from = 0;
  for (;;) {
    if (current === null || typeof current !== 'object') return undefined;
    const slash = path.indexOf('/', from);
    const key = slash < 0 ? path.slice(from) : path.slice(from, slash);
    // Own properties only: a filter on 'constructor' or '__proto__' never reaches the prototype.
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
    if (slash < 0) return current;
    from = slash + 1;
  }
}

function order(a: number | string, b: number | string, operator: ComparisonOperator): boolean {
  switch (operator) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
  }
}

function instantOf(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'string') return parseDateTimeText(value);
  return Number.NaN;
}

/**
 * Lowercased strings, each folded once per evaluation: a record value compared by many clauses
 * is folded once, so time is linear in the filter plus the record, not their product.
 */
type Folds = Map<string, string>;

function fold(text: string, folds: Folds): string {
  let lower = folds.get(text);
  if (lower === undefined) {
    lower = text.toLowerCase();
    folds.set(text, lower);
  }
  return lower;
}

function compare(value: unknown, literal: LiteralNode, operator: ComparisonOperator, folds: Folds): boolean {
  switch (literal.kind) {
    case 'string':
      // Batch: "property values are case insensitive".
      return typeof value === 'string' && order(fold(value, folds), fold(literal.value, folds), operator);
    case 'int':
      return typeof value === 'number' && !Number.isNaN(value) && order(value, literal.value, operator);
    case 'boolean':
      return typeof value === 'boolean' && order(Number(value), Number(literal.value), operator);
    case 'datetime': {
      const time = instantOf(value);
      return !Number.isNaN(time) && order(time, literal.time, operator);
    }
  }
}

function invalid(message: string): BatchwireError {
  return new BatchwireError('INVALID_ARGUMENT', message, 0);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function pathOf(property: unknown): string {
  const path = isObject(property) ? property.path : undefined;
  if (typeof path !== 'string') throw invalid(`not a property node: path ${describeValue(path)}`);
  return path;
}

// The JS type each literal kind's value must have (a datetime compares by its `time`).
function checkLiteral(literal: unknown): LiteralNode {
  if (!isObject(literal)) throw invalid(`not a literal node: ${describeValue(literal)}`);
  const { kind, value } = literal;
  const ok =
    kind === 'string'
      ? typeof value === 'string'
      : kind === 'int'
        ? typeof value === 'number'
        : kind === 'boolean'
          ? typeof value === 'boolean'
          : kind === 'datetime' && typeof literal.time === 'number';
  if (!ok) {
    throw invalid(
      kind === 'datetime'
        ? 'a datetime literal without a numeric time'
        : `a ${describeValue(kind)} literal with the value ${describeValue(value)}`,
    );
  }
  return literal as unknown as LiteralNode;
}

/** A comparison or startswith node against `record`; checks the node's shape as it goes. */
function leaf(node: Record<string, unknown>, record: unknown, folds: Folds): boolean {
  const kind = node.kind;
  if (kind === 'comparison') {
    const operator = node.operator;
    if (typeof operator !== 'string' || !COMPARISONS.has(operator)) {
      throw invalid(`not a comparison operator: ${describeValue(operator)}`);
    }
    const path = pathOf(node.property);
    return compare(lookup(record, path), checkLiteral(node.value), operator as ComparisonOperator, folds);
  }
  if (kind === 'startswith') {
    const path = pathOf(node.property);
    const prefix = checkLiteral(node.prefix);
    if (prefix.kind !== 'string') throw invalid('startswith needs a string prefix');
    const value = lookup(record, path);
    return typeof value === 'string' && fold(value, folds).startsWith(fold(prefix.value, folds));
  }
  throw invalid(`not a filter node: ${describeValue(kind)}`);
}

/**
 * Node visits before the walk starts remembering results: past it, an AST that shares subtrees
 * (or contains itself) is walked again with a result per logical node, in time linear in its
 * objects, instead of once per path through it.
 */
const PLAIN_VISITS = 1 << 18;

/**
 * Whether `record` matches the filter, as the Batch service would decide it; for emulators and
 * tests. Strings compare case-insensitively (Batch: "property values are case insensitive"),
 * date-times as instants (the record may hold Dates or ISO 8601 / RFC 1123 strings), integers as
 * numbers; `a/b` paths walk nested objects through own properties only.
 *
 * A comparison on a property that is missing, `null`, or of another type than the literal is
 * false, whatever the operator (so `ne` is false too, as SQL treats NULL). Never recurses; any
 * width and depth is fine, and a hand-built AST that shares subtrees costs time linear in its
 * objects. Each string is lowercased once per call, so time is linear in the filter plus the
 * record however many clauses compare the same long value.
 *
 * @throws {BatchwireError} `INVALID_ARGUMENT` for an `ast` that is not a filter AST: not an
 * object, an unknown node kind, an `and`/`or` without operands or containing itself, a literal
 * whose value has the wrong JavaScript type; also when a getter of the AST or the record throws.
 *
 * @example
 * ```ts
 * const ast = parseFilter("nodeId eq 'TVM-1' and jobPreparationTaskExecutionInfo/exitCode ne 0");
 * evaluateFilter(ast, { nodeId: 'tvm-1', jobPreparationTaskExecutionInfo: { exitCode: 1 } }); // true
 * ```
 */
export function evaluateFilter(ast: FilterExpression, record: unknown): boolean {
  if (!isObject(ast)) throw invalid(`expected a filter AST, got ${describeValue(ast)}`);
  try {
    // The second walk has a memo, so it always ends with a result (or throws).
    const folds: Folds = new Map();
    return walk(ast, record, undefined, folds) ?? walk(ast, record, new Map(), folds)!;
  } catch (error) {
    // A getter or proxy trap of the AST or the record threw.
    throw callerError(error, 'evaluateFilter');
  }
}

/**
 * The value of `ast` for `record`, by explicit stacks. Without `memo`: undefined after
 * PLAIN_VISITS visits. With it: each logical node's result is kept, and meeting a node still
 * being evaluated ('pending') means the AST contains itself.
 */
function walk(
  ast: object,
  record: unknown,
  memo: Map<object, boolean | 'pending'> | undefined,
  folds: Folds,
): boolean | undefined {
  // The logical nodes open from the root down, as parallel stacks (no object per level): the
  // node, its operands, and the index of the next operand to evaluate.
  const open: Record<string, unknown>[] = [];
  const operandLists: unknown[][] = [];
  const nexts: number[] = [];
  let node: unknown = ast;
  let visits = 0;
  for (;;) {
    let result: boolean;
    // Down to a leaf, or to a logical node whose result is known.
    for (;;) {
      if (!isObject(node)) throw invalid(`not a filter node: ${describeValue(node)}`);
      if (memo === undefined && ++visits > PLAIN_VISITS) return undefined;
      const kind = node.kind;
      if (kind !== 'and' && kind !== 'or') {
        result = leaf(node, record, folds);
        break;
      }
      const known = memo?.get(node);
      if (known === 'pending') throw invalid(`an ${kind} node that contains itself`);
      if (known !== undefined) {
        result = known;
        break;
      }
      const operands = node.operands;
      if (!isArray(operands) || operands.length === 0) throw invalid(`${kind} without operands`);
      memo?.set(node, 'pending');
      open.push(node);
      operandLists.push(operands);
      nexts.push(1);
      node = operands[0];
    }
    // Up while each result decides its node (false for and, true for or) or ends its operands.
    for (;;) {
      const top = open.length - 1;
      if (top < 0) return result;
      const operands = operandLists[top]!;
      const next = nexts[top]!;
      if (!(open[top]!.kind === 'and' ? !result : result) && next < operands.length) {
        nexts[top] = next + 1;
        node = operands[next];
        break;
      }
      const done = open.pop()!;
      memo?.set(done, result);
      operandLists.pop();
      nexts.pop();
    }
  }
}
