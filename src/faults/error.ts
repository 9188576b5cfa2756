import { BatchwireError } from '../core/errors.js';
import type { ServiceFault } from './types.js';

/**
 * A service's error response as an exception, for callers who throw: `code` is always
 * `'SERVICE_FAULT'`; the service's own code, message and retry advice are on `fault`.
 *
 * @example
 * ```ts
 * import { BatchwireServiceError, parseFault } from 'batchwire/faults';
 * if (!response.ok) {
 *   throw new BatchwireServiceError(parseFault({ status: response.status, headers: response.headers, body: await response.text() }));
 * }
 * ```
 */
export class BatchwireServiceError extends BatchwireError {
  override readonly name: string = 'BatchwireServiceError';
  /** The normalised error response. */
  readonly fault: ServiceFault;

  constructor(fault: ServiceFault, options: { cause?: unknown } = {}) {
    const what = fault.code === '' ? fault.service : `${fault.service} ${fault.code}`;
    const status = fault.status === undefined ? '' : ` (HTTP ${fault.status})`;
    const text = (fault.formatted || fault.message).slice(0, 500);
    super('SERVICE_FAULT', `${what}${status}${text === '' ? '' : `: ${text}`}`, 0, options);
    this.fault = fault;
  }

  /** Whether retrying the same request may succeed (the fault's `retriable`). */
  get retriable(): boolean {
    return this.fault.retriable;
  }
}
