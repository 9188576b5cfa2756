import { BatchwireError } from '../core/errors.js';
import { parseDateTimeText } from './datetime.js';
import type { FilterExpression, LiteralNode, PropertyNode } from './types.js';

const COMPARISONS: ReadonlySet<string> = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);

function invalid(message: string): BatchwireError {
  return new BatchwireError('INVALID_FIELD', message, 0);
}

/** Whether `path` is identifier segments joined by `/` (so it can never carry syntax). */
export function isPropertyPath(path: string): boolean {
  if (path.length === 0) return false;
  let segmentStart = true;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    const letter = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
    if (segmentStart) {
      if (!letter) return false;
      segmentStart = false;
    } else if (c === 0x2f) {
      segmentStart = true;
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

function propertyText(node: PropertyNode): string {
  if (
    node === null ||
    typeof node !== 'object' ||
    typeof node.path !== 'string' ||
    !isPropertyPath(node.path)
  ) {
    throw invalid(`not a property path: ${JSON.stringify((node as { path?: unknown } | null)?.path)}`);
  }
  return node.path;
}

/** The canonical text of a literal node; throws INVALID_FIELD for a node that could not be written safely. */
export function literalText(node: LiteralNode): string {
  switch (node?.kind) {
    case 'string':
      if (typeof node.value !== 'string') throw invalid('string literal without a string value');
      return quoteString(node.value);
    case 'int':
      if (!Number.isSafeInteger(node.value)) throw invalid(`not a safe integer: ${String(node.value)}`);
      return String(node.value);
    case 'boolean':
      if (typeof node.value !== 'boolean') throw invalid('boolean literal without a boolean value');
      return node.value ? 'true' : 'false';
    case 'datetime':
      // Checked again here: a hand-built node must not smuggle a quote into the output.
      if (typeof node.value !== 'string' || Number.isNaN(parseDateTimeText(node.value))) {
        throw invalid(`not an ISO 8601 or RFC 1123 date-time: ${JSON.stringify(node.value)}`);
      }
      return `DateTime'${node.value}'`;
    default:
      throw invalid(`not a literal node: ${JSON.stringify((node as { kind?: unknown } | null)?.kind)}`);
  }
}

// Work items of the explicit stack: a node to write, or a piece of text to emit.
type Work = { node: FilterExpression; parent: 'and' | 'or' | undefined } | string;

/**
 * The canonical text of a filter AST: lowercase keywords, single spaces, `DateTime'...'`, quotes
 * doubled, parentheses only where needed (and kept where the AST nests `and` in `and`). Parsing
 * the result gives back the same AST, positions aside. Never recurses, so any depth is fine.
 *
 * @throws {BatchwireError} `INVALID_FIELD` for a hand-built node that cannot be written safely
 * (a path that is not identifiers joined by `/`, a non-integer, an invalid date-time).
 *
 * @example
 * ```ts
 * formatFilter(parseFilter("(PoolId EQ 'a') AND exitCode Ne 0 or startswith( id ,'x' )"));
 * // "PoolId eq 'a' and exitCode ne 0 or startswith(id, 'x')"
 * ```
 */
export function formatFilter(ast: FilterExpression): string {
  let out = '';
  const stack: Work[] = [{ node: ast, parent: undefined }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (typeof item === 'string') {
      out += item;
      continue;
    }
    const node = item.node;
    switch (node?.kind) {
      case 'comparison':
        if (!COMPARISONS.has(node.operator))
          throw invalid(`not a comparison operator: ${String(node.operator)}`);
        out += `${propertyText(node.property)} ${node.operator} ${literalText(node.value)}`;
        break;
      case 'startswith':
        if (node.prefix?.kind !== 'string') throw invalid('startswith needs a string prefix');
        out += `startswith(${propertyText(node.property)}, ${literalText(node.prefix)})`;
        break;
      case 'and':
      case 'or': {
        const operands = node.operands;
        if (!Array.isArray(operands) || operands.length === 0) throw invalid(`${node.kind} without operands`);
        // `or` inside `and` needs parentheses by precedence; a same-kind child had them in the source.
        const wrap = item.parent !== undefined && (item.parent === 'and' || node.kind === 'or');
        if (wrap) {
          out += '(';
          stack.push(')');
        }
        for (let i = operands.length - 1; i >= 0; i--) {
          stack.push({ node: operands[i]!, parent: node.kind });
          if (i > 0) stack.push(` ${node.kind} `);
        }
        break;
      }
      default:
        throw invalid(`not a filter node: ${JSON.stringify((node as { kind?: unknown } | null)?.kind)}`);
    }
  }
  return out;
}
