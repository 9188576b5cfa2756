import { BatchwireError, BatchwireErrorBase, brandServiceError, isBatchwireServiceError } from './errors.js';
import type { ServiceFault } from './service-fault.js';

// The message: `service code (HTTP status): text`, from a fault checked to be one.
function summary(fault: ServiceFault): string {
  let parts: { service: unknown; code: unknown; status: unknown; text: unknown };
  try {
    parts = {
      service: fault.service,
      code: fault.code,
      status: fault.status,
      text: fault.formatted || fault.message,
    };
  } catch (error) {
    throw new BatchwireError('INVALID_ARGUMENT', 'BatchwireServiceError: reading the fault threw', 0, {
      cause: error,
    });
  }
  if (typeof parts.service !== 'string' || typeof parts.code !== 'string') {
    throw new BatchwireError(
      'INVALID_ARGUMENT',
      'BatchwireServiceError needs a ServiceFault (as parseFault returns it)',
      0,
    );
  }
  const what = parts.code === '' ? parts.service : `${parts.service} ${parts.code}`;
  const status = typeof parts.status === 'number' ? ` (HTTP ${parts.status})` : '';
  const text = typeof parts.text === 'string' ? parts.text.slice(0, 500) : '';
  return `${what}${status}${text === '' ? '' : `: ${text}`}`;
}

/**
 * A service's error response as an exception, for callers who throw: `code` is always
 * `'SERVICE_FAULT'`; the service's own code, message and retry advice are on `fault` (and
 * `status` and `retryAfterMs` are copied from it). It is one member of the {@link BatchwireError}
 * union, so `error.code === 'SERVICE_FAULT'` narrows to it; `instanceof` and
 * {@link isBatchwireServiceError} also recognise one thrown by another copy of batchwire.
 *
 * @example
 * ```ts
 * import { BatchwireServiceError, parseFault } from 'batchwire/faults';
 * if (!response.ok) throw new BatchwireServiceError(await parseFault(response));
 * ```
 */
export class BatchwireServiceError extends BatchwireErrorBase {
  override readonly name: string = 'BatchwireServiceError';
  override readonly code: 'SERVICE_FAULT' = 'SERVICE_FAULT';
  /** The normalised error response. */
  readonly fault: ServiceFault;
  /** The HTTP status of the response, when known (the fault's `status`). */
  readonly status?: number;
  /** How long the response asked the client to wait, in milliseconds (the fault's `retryAfterMs`). */
  readonly retryAfterMs?: number;

  /**
   * @throws {@link BatchwireError} `INVALID_ARGUMENT` when `fault` is not a `ServiceFault` (an
   *   object with string `service` and `code`, as {@link parseFault} returns)
   */
  constructor(fault: ServiceFault, options: { cause?: unknown } = {}) {
    super('SERVICE_FAULT', summary(fault), 0, options ?? {});
    this.fault = fault;
    try {
      if (typeof fault.status === 'number') this.status = fault.status;
      if (typeof fault.retryAfterMs === 'number') this.retryAfterMs = fault.retryAfterMs;
    } catch {
      // A fault whose getters throw: the error without these two copies.
    }
    brandServiceError(this);
  }

  /** True for a service error from any copy of the package. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // `this` is the class `instanceof` was asked about: a subclass gets the ordinary check.
    // biome-ignore lint/complexity/noThisInStatic: see above
    if (this === BatchwireServiceError) return isBatchwireServiceError(value);
    // biome-ignore lint/complexity/noThisInStatic: the subclass asked about
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }

  /** Whether retrying the same request may succeed (the fault's `retriable`). */
  get retriable(): boolean {
    return this.fault.retriable;
  }

  /** A plain object with the error's facts and the fault, for logging and JSON output. */
  override toJSON(): ReturnType<BatchwireErrorBase['toJSON']> & { fault: ServiceFault } {
    return { ...super.toJSON(), fault: this.fault };
  }
}
