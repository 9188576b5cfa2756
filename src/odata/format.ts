import { BatchwireError } from '../core/errors.js';
import { isArray } from '../core/options.js';
import { parseDateTimeText } from './datetime.js';
import { callerError, describeValue } from './diagnostics.js';
import type { FilterExpression, LiteralNode, LogicalNode, PropertyNode } from './types.js';

const COMPARISONS: ReadonlySet<unknown> = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);

/**
 * Longest text formatFilter writes, in characters (64 Mi): far past any URL a service takes, and
 * a bound on an AST that shares subtrees (`x = { kind: 'or', operands: [x1, x1] }`, nested 40
 * times, is a few objects that would format to a terabyte).
 */
export const MAX_FORMATTED_LENGTH = 64 * 1024 * 1024;

function invalid(message: string): BatchwireError {
  return new BatchwireError('INVALID_FIELD', message, 0);
}

/** Whether `path` is identifier segments joined by `/` (so it can never carry syntax). */
export function isPropertyPath(path: string): boolean {
  if (path.length === 0) return false;
  let segmentStart = true;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    const letter = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f; // a-z A-Z _
    if (segmentStart) {
      if (!letter) return false;
      segmentStart = false;
    } else if (c === 0x2f) {
      segmentStart = true; // /
    } else if (!letter && !(c >= 0x30 && c <= 0x39)) {
      return false;
    }
  }
  return !segmentStart;
}

/** `'text'` with every quote doubled: the only escaping OData strings have, and all they need. */
export function quoteString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function propertyText(node: PropertyNode): string {
  const path: unknown = isObject(node) ? node.path : undefined;
  if (typeof path !== 'string' || !isPropertyPath(path)) {
    throw invalid(`not a property path: ${describeValue(path)}`);
  }
  return path;
}

/** The canonical text of a literal node; throws INVALID_FIELD for a node that could not be written safely. */
export function literalText(node: LiteralNode): string {
  const kind: unknown = isObject(node) ? node.kind : undefined;
  const value: unknown = isObject(node) ? node.value : undefined;
  switch (kind) {
    case 'string':
      if (typeof value !== 'string')
        throw invalid(`string literal without a string value: ${describeValue(value)}`);
      return quoteString(value);
    case 'int':
      if (!Number.isSafeInteger(value)) throw invalid(`not a safe integer: ${describeValue(value)}`);
      return String(value);
    case 'boolean':
      if (typeof value !== 'boolean')
        throw invalid(`boolean literal without a boolean value: ${describeValue(value)}`);
      return value ? 'true' : 'false';
    case 'datetime':
      // Checked again here: a hand-built node must not smuggle a quote into the output.
      if (typeof value !== 'string' || Number.isNaN(parseDateTimeText(value))) {
        throw invalid(`not an ISO 8601 or RFC 1123 date-time: ${describeValue(value)}`);
      }
      return `DateTime'${value}'`;
    default:
      throw invalid(`not a literal node: ${describeValue(kind)}`);
  }
}

/**
 * Nodes written before formatFilter first measures the whole AST: past it, an AST that shares
 * subtrees (or contains itself) is found out in time linear in its objects, before its text is.
 */
const PLAIN_VISITS = 1 << 18;

/**
 * The canonical text of a filter AST: lowercase keywords, single spaces, `DateTime'...'`, quotes
 * doubled, parentheses only where needed (and kept where the AST nests `and` in `and`). Parsing
 * the result gives back the same AST, positions aside. Never recurses, so any depth and width is
 * fine; for an AST from {@link parseFilter} the text is at most twice the source's length.
 *
 * @throws {BatchwireError} `INVALID_ARGUMENT` when `ast` is not an object (or a getter of it
 * throws); `INVALID_FIELD` for a hand-built node that cannot be written safely (a path that is
 * not identifiers joined by `/`, a non-integer, an invalid date-time, a node that contains
 * itself); `LIMIT_EXCEEDED` when the text would pass 64 Mi characters.
 *
 * @example
 * ```ts
 * formatFilter(parseFilter("(PoolId EQ 'a') AND exitCode Ne 0 or startswith( id ,'x' )"));
 * // "PoolId eq 'a' and exitCode ne 0 or startswith(id, 'x')"
 * ```
 */
export function formatFilter(ast: FilterExpression): string {
  if (!isObject(ast)) {
    throw new BatchwireError('INVALID_ARGUMENT', `expected a filter AST, got ${describeValue(ast)}`, 0);
  }
  try {
    return format(ast);
  } catch (error) {
    throw callerError(error, 'formatFilter');
  }
}

function tooLong(): BatchwireError {
  return new BatchwireError(
    'LIMIT_EXCEEDED',
    `the formatted filter would be longer than ${MAX_FORMATTED_LENGTH} characters`,
    0,
  );
}

function format(ast: FilterExpression): string {
  // The text in pieces, joined once (no rope of millions of pieces); its length so far.
  const parts: string[] = [];
  let length = 0;
  // The logical nodes open from the root down, as parallel stacks (no object per level): the
  // node, its operands, the index of the next one to write, and whether it is in parentheses.
  const open: LogicalNode[] = [];
  const operandLists: unknown[][] = [];
  const nexts: number[] = [];
  const wrapped: boolean[] = [];
  let node: unknown = ast;
  let parent: 'and' | 'or' | undefined;
  let visits = 0;
  for (;;) {
    if (++visits === PLAIN_VISITS) measure(ast);
    const kind: unknown = isObject(node) ? node.kind : undefined;
    if (kind === 'and' || kind === 'or') {
      const operands = operandsOf(node as LogicalNode);
      // `or` inside `and` needs parentheses by precedence; a same-kind child had them in the source.
      const wrap = parent !== undefined && (parent === 'and' || kind === 'or');
      if (wrap) {
        parts.push('(');
        length++;
      }
      open.push(node as LogicalNode);
      operandLists.push(operands);
      nexts.push(1);
      wrapped.push(wrap);
      node = operands[0];
      parent = kind;
      continue;
    }
    length += writeLeaf(node as FilterExpression, parts);
    // Up to the next operand still to write, closing what is finished.
    for (;;) {
      const top = open.length - 1;
      if (top < 0) return parts.join('');
      const operands = operandLists[top]!;
      const next = nexts[top]!;
      if (next < operands.length) {
        parent = open[top]!.kind;
        parts.push(parent === 'and' ? ' and ' : ' or ');
        length += 5;
        nexts[top] = next + 1;
        node = operands[next];
        break;
      }
      if (wrapped[top]) {
        parts.push(')');
        length++;
      }
      open.pop();
      operandLists.pop();
      nexts.pop();
      wrapped.pop();
    }
    if (length > MAX_FORMATTED_LENGTH) throw tooLong();
  }
}

function operandsOf(node: LogicalNode): unknown[] {
  const operands: unknown = node.operands;
  if (!isArray(operands) || operands.length === 0) throw invalid(`${node.kind} without operands`);
  return operands;
}

/**
 * Writes a comparison or startswith node's text as pieces onto `parts`; returns its length.
 * INVALID_FIELD for anything else.
 */
function writeLeaf(node: FilterExpression, parts: string[]): number {
  const kind: unknown = isObject(node) ? node.kind : undefined;
  if (kind === 'comparison') {
    const { operator, property, value } = node as FilterExpression & { kind: 'comparison' };
    if (!COMPARISONS.has(operator)) throw invalid(`not a comparison operator: ${describeValue(operator)}`);
    const path = propertyText(property);
    const literal = literalText(value);
    parts.push(path, ' ', operator as string, ' ', literal);
    return path.length + literal.length + 4;
  }
  if (kind === 'startswith') {
    const { property, prefix } = node as FilterExpression & { kind: 'startswith' };
    if (!isObject(prefix) || prefix.kind !== 'string') throw invalid('startswith needs a string prefix');
    const path = propertyText(property);
    const literal = literalText(prefix);
    parts.push('startswith(', path, ', ', literal, ')');
    return path.length + literal.length + 14;
  }
  throw invalid(`not a filter node: ${describeValue(kind)}`);
}

/**
 * Measures the text `ast` would give, each distinct node once (a result per logical node), and
 * throws before any of it is written: INVALID_FIELD for a node that contains itself,
 * LIMIT_EXCEEDED for a text past MAX_FORMATTED_LENGTH.
 */
function measure(ast: FilterExpression): void {
  const sizes = new Map<object, number>(); // -1 while the node is being measured
  const stack: { node: LogicalNode; operands: unknown[]; next: number; size: number }[] = [];
  let node: unknown = ast;
  for (;;) {
    let size: number;
    const kind: unknown = isObject(node) ? node.kind : undefined;
    if (kind === 'and' || kind === 'or') {
      const known = sizes.get(node as object);
      if (known === -1) throw invalid(`an ${kind} node that contains itself`);
      if (known === undefined) {
        const operands = operandsOf(node as LogicalNode);
        sizes.set(node as object, -1);
        // Parentheses and separators: an upper bound on what the node adds around its operands.
        stack.push({ node: node as LogicalNode, operands, next: 1, size: 2 + (operands.length - 1) * 4 });
        node = operands[0];
        continue;
      }
      size = known;
    } else {
      size = writeLeaf(node as FilterExpression, []);
    }
    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined) {
        if (size > MAX_FORMATTED_LENGTH) throw tooLong();
        return;
      }
      top.size += size;
      if (top.size > MAX_FORMATTED_LENGTH) throw tooLong();
      if (top.next < top.operands.length) {
        node = top.operands[top.next++];
        break;
      }
      stack.pop();
      sizes.set(top.node, top.size);
      size = top.size;
    }
  }
}
