/**
 * batchwire: streaming, safe codecs for the wire formats of HPC Pack SOA, Azure Batch and
 * Huawei DLI batch-job APIs. Each format also has its own subpath (`batchwire/generic`, ...).
 *
 * @packageDocumentation
 */
export { type CharsetHint, charsetOf, detectEncoding } from './core/charset.js';
export {
  END_OF_GET_RESPONSE_ACTION,
  type EndOfResponses,
  type EndOfResponsesReason,
} from './core/end-of-responses.js';
export {
  BatchwireError,
  type BatchwireErrorCode,
  type BatchwireErrorDetails,
  isBatchwireError,
} from './core/errors.js';
export { DEFAULT_LIMITS } from './core/limits.js';
export type { ByteSource, Chunk } from './core/source.js';
export * from './generic/index.js';
