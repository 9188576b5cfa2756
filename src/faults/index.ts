/**
 * Error responses from HPC Pack, Azure Batch, DLI and SOAP services, normalised into one
 * `ServiceFault` with the service's code, message and values and an answer to "should I retry?",
 * and the retry policy built on it (`retryDelay`, `withRetries`).
 *
 * @packageDocumentation
 */

export {
  BatchwireError,
  type BatchwireErrorCode,
  isBatchwireError,
  isBatchwireServiceError,
} from '../core/batchwire-error.js';
export type { BodyInput } from '../core/body.js';
export type { ResponseLike } from '../core/source.js';
export { BatchwireServiceError } from './error.js';
export {
  FORMAT_ELLIPSIS,
  type FormatDotNetOptions,
  formatDotNet,
  HPC_FAULT_CATEGORIES,
  HPC_FAULT_CODES,
  hpcFaultInfo,
} from './hpc.js';
export { HPC_FAULT_NUMBERS } from './hpc-codes.js';
export { HPC_FAULT_NAMESPACE, HPC_SESSION_NAMESPACE, parseFault, SERIALIZATION_NAMESPACE } from './parse.js';
export {
  type HeadersInput,
  headerValue,
  isRetriableStatus,
  MAX_RETRY_AFTER_MS,
  parseRetryAfter,
  retryAfterMsOf,
  TRANSIENT_FAULT_CODES,
} from './retry.js';
export {
  RETRY_DEFAULTS,
  type RetryOptions,
  type RetryResponse,
  retryDelay,
  type WaitClock,
  withRetries,
} from './retry-policy.js';
export type * from './types.js';
