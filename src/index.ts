/**
 * batchwire: streaming, safe codecs for the wire formats of HPC Pack SOA, Azure Batch and
 * Huawei DLI batch-job APIs. Everything is exported here;
 * each format also has its own subpath (`batchwire/generic`, `batchwire/soap`, `batchwire/odata`,
 * `batchwire/faults`, `batchwire/status`, `batchwire/requests`, `batchwire/auth`) that loads only that codec. The
 * OData builder's short names (`eq`, `and`, `or`, ...) live in `batchwire/odata` only.
 *
 * @packageDocumentation
 */
export * from './auth/index.js';
export {
  type BatchwireCodecError,
  type BatchwireCodecErrorCode,
  BatchwireError,
  type BatchwireErrorCode,
  type BatchwireErrorConstructor,
  type BatchwireErrorDetails,
  isBatchwireError,
} from './core/batchwire-error.js';
export { type CharsetHint, charsetOf, detectEncoding } from './core/charset.js';
export {
  END_OF_GET_RESPONSE_ACTION,
  type EndOfResponses,
  type EndOfResponsesReason,
} from './core/end-of-responses.js';
export { DEFAULT_LIMITS } from './core/limits.js';
export type { ByteSource, Chunk, ChunkInput, ResponseLike, StreamOptions } from './core/source.js';
export * from './faults/index.js';
export * from './generic/index.js';
export {
  buildListQuery,
  defineFilterSchema,
  evaluateFilter,
  type FilterPropertyOf,
  type FilterPropertyWith,
  type FilterText,
  type FilterValue,
  type FilterValueOf,
  type FilterValueTypes,
  filterFor,
  formatFilter,
  type ListQueryOptions,
  odata,
  parseFilter,
  type SchemaName,
  schemas,
  type TypedFilterBuilder,
  toLiteral,
  validateFilter,
} from './odata/index.js';
export type * from './odata/types.js';
export * from './requests/index.js';
export * from './soap/index.js';
export * from './status/index.js';
