import { BatchwireError } from '../core/errors.js';
import { parseDateTimeText } from './datetime.js';
import type { ComparisonOperator, FilterExpression, LiteralNode, LogicalNode } from './types.js';

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

function compare(value: unknown, literal: LiteralNode, operator: ComparisonOperator): boolean {
  switch (literal.kind) {
    case 'string':
      // Batch: "property values are case insensitive".
      return typeof value === 'string' && order(value.toLowerCase(), literal.value.toLowerCase(), operator);
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

function leaf(node: FilterExpression, record: unknown): boolean {
  if (node.kind === 'comparison') {
    return compare(lookup(record, node.property.path), node.value, node.operator);
  }
  if (node.kind === 'startswith') {
    const value = lookup(record, node.property.path);
    return typeof value === 'string' && value.toLowerCase().startsWith(node.prefix.value.toLowerCase());
  }
  throw new BatchwireError(
    'INVALID_ARGUMENT',
    `not a filter node: ${JSON.stringify((node as { kind?: unknown }).kind)}`,
    0,
  );
}

/**
 * Whether `record` matches the filter, as the Batch service would decide it; for emulators and
 * tests. Strings compare case-insensitively (Batch: "property values are case insensitive"),
 * date-times as instants (the record may hold Dates or ISO 8601 / RFC 1123 strings), integers as
 * numbers; `a/b` paths walk nested objects through own properties only.
 *
 * A comparison on a property that is missing, `null`, or of another type than the literal is
 * false, whatever the operator (so `ne` is false too, as SQL treats NULL). Never recurses.
 *
 * @example
 * ```ts
 * const ast = parseFilter("nodeId eq 'TVM-1' and jobPreparationTaskExecutionInfo/exitCode ne 0");
 * evaluateFilter(ast, { nodeId: 'tvm-1', jobPreparationTaskExecutionInfo: { exitCode: 1 } }); // true
 * ```
 */
export function evaluateFilter(ast: FilterExpression, record: unknown): boolean {
  const stack: { node: LogicalNode; next: number }[] = [];
  let node = ast;
  for (;;) {
    while (node.kind === 'and' || node.kind === 'or') {
      if (!Array.isArray(node.operands) || node.operands.length === 0) {
        throw new BatchwireError('INVALID_ARGUMENT', `${node.kind} without operands`, 0);
      }
      stack.push({ node, next: 1 });
      node = node.operands[0]!;
    }
    let result = leaf(node, record);
    let descended = false;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const decided = top.node.kind === 'and' ? !result : result;
      if (decided || top.next >= top.node.operands.length) {
        stack.pop();
        continue;
      }
      node = top.node.operands[top.next++]!;
      descended = true;
      break;
    }
    if (!descended) return result;
    result = false;
  }
}
