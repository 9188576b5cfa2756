/**
 * OData `$filter` for Azure Batch list operations: a parser with exact positions, a validator
 * that reports every problem with hints, a formatter, a builder that cannot produce an invalid
 * or injected filter (typed against a schema with `filterFor`), an evaluator for emulators, the
 * documented per-operation schemas, and `buildListQuery`.
 *
 * @packageDocumentation
 */
export { BatchwireError, type BatchwireErrorCode, isBatchwireError } from '../core/batchwire-error.js';
export {
  and,
  eq,
  type FilterPropertyOf,
  type FilterPropertyWith,
  type FilterText,
  type FilterValue,
  type FilterValueOf,
  type FilterValueTypes,
  filterFor,
  ge,
  gt,
  le,
  lt,
  ne,
  odata,
  or,
  startswith,
  type TypedFilterBuilder,
  toLiteral,
} from './builder.js';
export { evaluateFilter } from './evaluate.js';
export { formatFilter } from './format.js';
export { parseFilter, validateFilter } from './parse.js';
export { buildListQuery, type ListQueryOptions } from './query.js';
export { defineFilterSchema, type SchemaName, schemas } from './schemas.js';
export type * from './types.js';
