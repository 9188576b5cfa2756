// A schema as the parser reads it: checked once, indexed for lookups in place, and never stale.
// Schemas are plain caller data. A deep-frozen one (the built-in `schemas`, or any the caller
// freezes) is indexed once for good; any other is compared against its index on every use
// (O(properties), no allocation beyond Object.keys) and re-indexed when it has changed, so a
// property added, removed or edited after the first call is seen by the next one.
import { BatchwireError } from '../core/errors.js';
import { isArray } from '../core/options.js';
import { callerError, clip, describeValue } from './diagnostics.js';
import { isPropertyPathText, keyword } from './lexer.js';
import type { SchemaEntry, SchemaIndex } from './schema-entry.js';
import type { FilterOperator, FilterPropertyType, FilterSchema } from './types.js';

/** Every operator a schema can allow, in the order hints list them. */
const OPERATORS: readonly FilterOperator[] = ['startswith', 'eq', 'ne', 'gt', 'ge', 'lt', 'le'];
const TYPES: ReadonlySet<string> = new Set<FilterPropertyType>(['String', 'DateTime', 'Int', 'Boolean']);

// One operator as a bit, to dedupe and order a schema's list once.
const OPERATOR_BIT: Readonly<Record<FilterOperator, number>> = {
  startswith: 1,
  eq: 2,
  ne: 4,
  gt: 8,
  ge: 16,
  lt: 32,
  le: 64,
};

export type { SchemaEntry, SchemaIndex } from './schema-entry.js';

function invalid(message: string): BatchwireError {
  return new BatchwireError('INVALID_ARGUMENT', message, 0);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !isArray(value);
}

function build(schema: FilterSchema): SchemaIndex {
  if (!isObject(schema)) throw invalid(`schema must be a filter schema object, got ${describeValue(schema)}`);
  const { name, properties } = schema;
  if (typeof name !== 'string') throw invalid(`schema.name must be a string, got ${describeValue(name)}`);
  if (!isObject(properties)) {
    throw invalid(`schema.properties must be an object of property specs, got ${describeValue(properties)}`);
  }
  const paths = Object.keys(properties);
  const byPath = new Map<string, SchemaEntry>();
  const byLength = new Map<number, SchemaEntry[]>();
  const byFirst: SchemaEntry[][] = [];
  const specs: unknown[] = [];
  const operators: (readonly unknown[])[] = [];
  const operatorLists: string[][] = [];
  let frozen = Object.isFrozen(schema) && Object.isFrozen(properties);
  for (const path of paths) {
    const spec = properties[path];
    const where = `schema ${clip(name)}, property ${JSON.stringify(clip(path))}`;
    if (!isObject(spec)) throw invalid(`${where}: expected { type, operators }, got ${describeValue(spec)}`);
    const { type, operators: list } = spec;
    if (typeof type !== 'string' || !TYPES.has(type)) {
      throw invalid(`${where}: type must be String, DateTime, Int or Boolean, got ${describeValue(type)}`);
    }
    if (!isArray(list)) throw invalid(`${where}: operators must be an array, got ${describeValue(list)}`);
    let bits = 0;
    for (const op of list) {
      const bit =
        typeof op === 'string' && Object.hasOwn(OPERATOR_BIT, op) ? OPERATOR_BIT[op as FilterOperator] : 0;
      if (bit === 0) throw invalid(`${where}: unknown operator ${describeValue(op)}`);
      bits |= bit;
    }
    frozen &&= Object.isFrozen(spec) && Object.isFrozen(list);
    specs.push(spec);
    operators.push(list);
    operatorLists.push([...list] as string[]);
    const allowed = OPERATORS.filter((op) => (bits & OPERATOR_BIT[op]) !== 0);
    const first = path.charCodeAt(0);
    // Only real paths: a keyword-named property must still lex as a keyword where it is one.
    const whole = first < 128 && isPropertyPathText(path) && keyword(path, 0, path.length) === '';
    const entry: SchemaEntry = {
      path,
      type: type as FilterPropertyType,
      allowed,
      allowedText: allowed.join(', '),
      whole,
    };
    byPath.set(path, entry);
    const bucket = byLength.get(path.length);
    if (bucket === undefined) byLength.set(path.length, [entry]);
    else bucket.push(entry);
    if (whole) {
      const same = byFirst[first];
      if (same === undefined) byFirst[first] = [entry];
      else same.push(entry);
    }
  }
  for (let c = 0; c < byFirst.length; c++) {
    const bucket = byFirst[c];
    // The lexer compares each path of a bucket in turn: a large one would make every identifier
    // cost as much as the schema has paths. Those paths are read token by token instead, and
    // looked up by the parser.
    if (bucket !== undefined && bucket.length > MAX_MATCHED_WHOLE) delete byFirst[c];
    else bucket?.sort((a, b) => b.path.length - a.path.length);
  }
  return { name, byPath, byLength, byFirst, paths, properties, specs, operators, operatorLists, frozen };
}

/** Whether `schema` still holds exactly what `index` was built from. */
function unchanged(schema: FilterSchema, index: SchemaIndex): boolean {
  if (schema.name !== index.name || schema.properties !== index.properties) return false;
  const keys = Object.keys(schema.properties);
  if (keys.length !== index.paths.length) return false;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const spec = schema.properties[key];
    if (key !== index.paths[i] || spec === undefined || spec !== index.specs[i]) return false;
    const entry = index.byPath.get(key)!;
    const list = spec.operators;
    const was = index.operatorLists[i]!;
    if (spec.type !== entry.type || list !== index.operators[i] || list.length !== was.length) return false;
    for (let k = 0; k < was.length; k++) if (list[k] !== was[k]) return false;
  }
  return true;
}

/** Most paths of one first letter the lexer compares at an identifier; see build(). */
const MAX_MATCHED_WHOLE = 32;
/** Most paths of one length the parser compares in place; past it, one map lookup. */
export const MAX_COMPARED_IN_PLACE = 16;

const indexes = new WeakMap<object, SchemaIndex>();
// The last schema used: most callers validate against one schema over and over.
let lastSchema: FilterSchema | undefined;
let lastIndex: SchemaIndex | undefined;

/**
 * The index of `schema`, built on first use and rebuilt whenever the schema has changed.
 *
 * @throws {BatchwireError} `INVALID_ARGUMENT` when `schema` is not a filter schema.
 */
export function schemaIndex(schema: FilterSchema): SchemaIndex {
  if (schema === lastSchema && lastIndex !== undefined && lastIndex.frozen) return lastIndex;
  let index = isObject(schema) ? indexes.get(schema) : undefined;
  try {
    if (index === undefined || !(index.frozen || unchanged(schema, index))) {
      index = build(schema);
      indexes.set(schema, index);
    }
  } catch (error) {
    // A getter or proxy trap of the schema threw.
    throw callerError(error, 'schema');
  }
  lastSchema = schema;
  lastIndex = index;
  return index;
}

/** Freezes a schema and everything in it, so its index never needs checking. */
export function deepFreeze<const S extends FilterSchema>(schema: S): S {
  for (const spec of Object.values(schema.properties)) {
    Object.freeze(spec.operators);
    Object.freeze(spec);
  }
  Object.freeze(schema.properties);
  return Object.freeze(schema);
}
