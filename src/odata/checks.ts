// The schema checks of a parsed comparison or startswith(...): property known, operator allowed,
// literal of the property's type; each problem reported with the fix where there is one.

import { HINT_DATETIME_FORMS, parseDateTimeText } from './datetime.js';
import { clip } from './diagnostics.js';
import { report, type TokenState } from './lexer.js';
import type { SchemaEntry } from './schema-index.js';
import { suggestProperty } from './suggest.js';
import type {
  ComparisonOperator,
  DateTimeLiteralNode,
  LiteralNode,
  PropertyNode,
  StringLiteralNode,
} from './types.js';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * The schema entry of `property` (`known`, when the parser found it); reports an unknown
 * property. Undefined without a schema too.
 */
export function lookup(
  s: TokenState,
  property: PropertyNode,
  known: SchemaEntry | undefined,
): SchemaEntry | undefined {
  const index = s.index;
  if (index === undefined || known !== undefined) return known;
  // A did-you-mean costs an edit distance per schema path: only for a diagnostic that is kept.
  const hint =
    s.sink?.wants(property.start) === false ? undefined : suggestProperty(property.path, index.paths);
  report(
    s,
    'FILTER_UNKNOWN_PROPERTY',
    `unknown property '${clip(property.path)}' for ${clip(index.name)}`,
    property.start,
    property.end,
    hint,
  );
  return undefined;
}

/** `property operator value`, the operator's text at [opStart, opEnd). */
export function checkComparison(
  s: TokenState,
  property: PropertyNode,
  known: SchemaEntry | undefined,
  operator: ComparisonOperator,
  opStart: number,
  opEnd: number,
  value: LiteralNode,
): void {
  const entry = lookup(s, property, known);
  if (entry === undefined) return;
  if (!entry.allowed.includes(operator)) {
    report(
      s,
      'FILTER_OPERATOR_NOT_ALLOWED',
      `operator ${operator} is not allowed on ${clip(property.path)}`,
      opStart,
      opEnd,
      `allowed: ${entry.allowedText}`,
    );
  }
  const type = entry.type;
  const kind = value.kind;
  if (
    (type === 'String' && kind === 'string') ||
    (type === 'Boolean' && kind === 'boolean') ||
    (type === 'DateTime' && kind === 'datetime')
  ) {
    return;
  }
  if (type === 'Int' && kind === 'int') {
    if (value.value < INT32_MIN || value.value > INT32_MAX) {
      report(s, 'FILTER_TYPE_MISMATCH', `${value.value} is out of the Int32 range`, value.start, value.end);
    }
    return;
  }
  const raw = s.text.slice(value.start, value.end);
  report(
    s,
    'FILTER_TYPE_MISMATCH',
    `${clip(property.path)} is ${type === 'Int' ? 'an Int' : `a ${type}`}; ${clip(raw)} is ${describe(kind)}`,
    value.start,
    value.end,
    typeHint(type, value, raw),
  );
}

/**
 * `startswith(property, prefix)`, the name's text at [start, nameEnd); the prefix as a string
 * literal node, or undefined when it is another kind of literal (reported).
 */
export function checkStartsWith(
  s: TokenState,
  property: PropertyNode,
  known: SchemaEntry | undefined,
  start: number,
  nameEnd: number,
  prefix: LiteralNode,
): StringLiteralNode | undefined {
  const entry = lookup(s, property, known);
  if (entry !== undefined && !entry.allowed.includes('startswith')) {
    report(
      s,
      'FILTER_OPERATOR_NOT_ALLOWED',
      `startswith is not allowed on ${clip(property.path)}`,
      start,
      nameEnd,
      `allowed: ${entry.allowedText}`,
    );
  }
  if (prefix.kind === 'string') return prefix;
  report(
    s,
    'FILTER_TYPE_MISMATCH',
    'startswith takes a string prefix',
    prefix.start,
    prefix.end,
    prefix.kind === 'int' ? `write '${prefix.value}'` : undefined,
  );
  return undefined;
}

/** How to write `value` (whose text is `raw`) as the property's `type`, where there is a way. */
function typeHint(type: SchemaEntry['type'], value: LiteralNode, raw: string): string | undefined {
  const kind = value.kind;
  if (kind === 'string') {
    if (type === 'DateTime' && !Number.isNaN(parseDateTimeText(value.value))) return `write DateTime${raw}`;
    if (type === 'Int' && isIntegerText(value.value)) return `write ${value.value} without quotes`;
    if (type === 'Boolean' && (value.value === 'true' || value.value === 'false')) {
      return `write ${value.value} without quotes`;
    }
    return undefined;
  }
  if (type === 'String') {
    return `quote it: '${clip(kind === 'datetime' ? (value as DateTimeLiteralNode).value : raw)}'`;
  }
  return type === 'DateTime' ? HINT_DATETIME_FORMS : undefined;
}

function describe(kind: LiteralNode['kind']): string {
  switch (kind) {
    case 'string':
      return 'a string';
    case 'int':
      return 'an integer';
    case 'boolean':
      return 'a boolean';
    case 'datetime':
      return 'a DateTime';
  }
}

function isIntegerText(s: string): boolean {
  let i = s.charCodeAt(0) === 0x2d ? 1 : 0; // -
  if (i >= s.length || s.length > 12) return false;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}
