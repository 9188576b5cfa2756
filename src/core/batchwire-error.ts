// The public face of batchwire's error: the `BatchwireError` union with the typed service member,
// its constructor and guards. It lives apart from errors.ts because the service member's class
// (service-error.ts) extends the base class errors.ts defines: errors.ts stays free of it, so no
// import circle runs through the error class.

import {
  type BatchwireCodecError,
  type BatchwireCodecErrorCode,
  BatchwireError as BatchwireErrorClass,
  type BatchwireErrorCode,
  type BatchwireErrorDetails,
  isBatchwireError as isAnyBatchwireError,
  isBatchwireServiceError as isAnyServiceError,
} from './errors.js';
import type { BatchwireServiceError } from './service-error.js';

export type {
  BatchwireCodecError,
  BatchwireCodecErrorCode,
  BatchwireErrorCode,
  BatchwireErrorDetails,
} from './errors.js';

/**
 * The one error type batchwire throws. `code` is stable; `offset` says where in the input the
 * problem was detected: a byte offset for byte input, a character (UTF-16 code unit) offset for
 * string input.
 *
 * The type is a union discriminated by `code`: after `error.code === 'SERVICE_FAULT'` TypeScript
 * knows `error` is a {@link BatchwireServiceError} with a typed `fault`. `instanceof` and
 * {@link isBatchwireError} also recognise errors thrown by another copy of batchwire (the ESM and
 * CommonJS builds loaded side by side, or two installed versions).
 *
 * @example
 * ```ts
 * import { BatchwireError, decodeGenericBody } from 'batchwire';
 * try {
 *   decodeGenericBody(bytes);
 * } catch (error) {
 *   if (error instanceof BatchwireError) {
 *     if (error.code === 'SERVICE_FAULT') console.error(error.fault.service, error.fault.code);
 *     else console.error(error.code, error.offset, error.message);
 *   }
 * }
 * ```
 */
export type BatchwireError = BatchwireCodecError | BatchwireServiceError;

/** The constructor of {@link BatchwireError}. */
export interface BatchwireErrorConstructor {
  new (
    code: BatchwireCodecErrorCode,
    message: string,
    offset: number,
    details?: BatchwireErrorDetails,
  ): BatchwireCodecError;
  new (
    code: BatchwireErrorCode,
    message: string,
    offset: number,
    details?: BatchwireErrorDetails,
  ): BatchwireError;
  readonly prototype: BatchwireError;
  /** True for a batchwire error from any copy of the package. */
  [Symbol.hasInstance](value: unknown): value is BatchwireError;
}

/**
 * The one error type batchwire throws: `new BatchwireError(code, message, offset, details?)`.
 * See the {@link BatchwireError} type.
 */
export const BatchwireError: BatchwireErrorConstructor =
  BatchwireErrorClass as unknown as BatchwireErrorConstructor;

/**
 * True when `value` is a {@link BatchwireError}, also one thrown by another copy of batchwire
 * (the ESM and CommonJS builds, or two versions).
 *
 * @example
 * ```ts
 * if (isBatchwireError(error) && error.code === 'TRUNCATED') retry();
 * ```
 */
export function isBatchwireError(value: unknown): value is BatchwireError {
  return isAnyBatchwireError(value);
}

/**
 * True when `value` is a {@link BatchwireServiceError} (code `SERVICE_FAULT`, with a typed
 * `fault`), also one thrown by another copy of batchwire.
 *
 * @example
 * ```ts
 * try {
 *   for await (const job of paginate(fetchPage, { parse: parseJobListPage })) console.log(job.id);
 * } catch (error) {
 *   if (isBatchwireServiceError(error) && error.fault.retriable) await sleep(error.fault.retryAfterMs ?? 1000);
 * }
 * ```
 */
export function isBatchwireServiceError(value: unknown): value is BatchwireServiceError {
  return isAnyServiceError(value);
}
