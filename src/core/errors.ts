/**
 * Every code a batchwire decoder, encoder or builder can throw. Codes are stable: match on them,
 * not on messages.
 */
export type BatchwireErrorCode =
  /** The input ended inside a record, a character or a message, or before the closing record. */
  | 'TRUNCATED'
  /** A record does not have the fields its format requires, or a field has the wrong form. */
  | 'MALFORMED_RECORD'
  /** The bytes are not valid in the text encoding in use (never replaced silently by U+FFFD). */
  | 'INVALID_ENCODING'
  /** The count in a closing record differs from the number of records received. */
  | 'COUNT_MISMATCH'
  /** Input continues after the closing record. */
  | 'TRAILING_DATA'
  /** A configured limit (record size, message size, depth, length) was exceeded. */
  | 'LIMIT_EXCEEDED'
  /** An encoder was given a value it cannot write without changing the meaning of the output. */
  | 'INVALID_FIELD'
  /** An API was called with an argument of the wrong type or in the wrong state. */
  | 'INVALID_ARGUMENT'
  /** XML that is not well-formed. */
  | 'XML_SYNTAX'
  /** XML with a document type declaration: refused, so no entity is ever expanded. */
  | 'DOCTYPE_FORBIDDEN'
  /** A status value that is not one of the documented members. */
  | 'UNKNOWN_STATUS'
  /** OData `$filter` text that does not follow the grammar. */
  | 'FILTER_SYNTAX'
  /** A `$filter` property that the schema does not list. */
  | 'FILTER_UNKNOWN_PROPERTY'
  /** A `$filter` operator that the schema does not allow on that property. */
  | 'FILTER_OPERATOR_NOT_ALLOWED'
  /** A `$filter` literal whose type does not match the property. */
  | 'FILTER_TYPE_MISMATCH'
  /** A body that does not have the shape of the document it should be. */
  | 'MALFORMED_DOCUMENT'
  /** A Node tool (the emulator) could not listen on the address and port asked for. */
  | 'LISTEN_FAILED'
  /** A Node tool (the fuzz runner's report, the emulator's journal) could not write a file. */
  | 'WRITE_FAILED'
  /** The fuzz runner could not reach its target at the start of a run (refused, no such host, no answer). */
  | 'TARGET_UNREACHABLE'
  /** A fault inside batchwire itself (a bug): never the caller's input. */
  | 'INTERNAL_ERROR'
  /** A service answered with an error body (see `BatchwireServiceError`). */
  | 'SERVICE_FAULT';

/** Extra facts an error can carry besides its code, offset and message. */
export interface BatchwireErrorDetails {
  /** 1-based line, for text formats where lines mean something (XML). */
  line?: number | undefined;
  /** 1-based column, in UTF-16 code units, for text formats where lines mean something. */
  column?: number | undefined;
  /** A short excerpt of the input around `offset`: text, or hex for bytes. */
  excerpt?: string | undefined;
  /** The error that caused this one, where there was one. */
  cause?: unknown;
}

// Global symbols, so that the guards (and `instanceof`) also recognise errors from another copy
// of the package: the ESM and CommonJS builds loaded side by side are two copies.
const BRAND = Symbol.for('batchwire.error');
const SERVICE_BRAND = Symbol.for('batchwire.serviceError');

/** Every code but `SERVICE_FAULT`: what a codec, builder or argument check throws. */
export type BatchwireCodecErrorCode = Exclude<BatchwireErrorCode, 'SERVICE_FAULT'>;

/** Text of any value, for a message: a value that cannot become a string gives a placeholder. */
function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return String(value);
  } catch {
    return '(a message that cannot be shown as text)';
  }
}

function readDetails(details: unknown): BatchwireErrorDetails {
  if (typeof details !== 'object' || details === null) return {};
  try {
    const { line, column, excerpt, cause } = details as BatchwireErrorDetails;
    return { line, column, excerpt, cause };
  } catch {
    // A details object whose getters throw: an error without the details.
    return {};
  }
}

// The class behind `BatchwireError`. It is exported under that name as a value whose type makes
// `BatchwireError` a union discriminated by `code` (see below); subclasses extend this class.
/** @internal */
export class BatchwireErrorBase extends Error {
  override readonly name: string = 'BatchwireError';
  readonly code: BatchwireErrorCode;
  readonly offset: number;
  readonly line?: number;
  readonly column?: number;
  readonly excerpt?: string;

  constructor(
    code: BatchwireErrorCode,
    message: string,
    offset: number,
    details: BatchwireErrorDetails = {},
  ) {
    // Arguments of any type give an error, never another exception: an error is what a caller
    // is about to throw or report.
    const facts = readDetails(details);
    super(asText(message), facts.cause === undefined ? undefined : { cause: facts.cause });
    this.code = typeof code === 'string' ? code : 'INVALID_ARGUMENT';
    this.offset = typeof offset === 'number' && Number.isFinite(offset) ? offset : 0;
    if (typeof facts.line === 'number') this.line = facts.line;
    if (typeof facts.column === 'number') this.column = facts.column;
    if (typeof facts.excerpt === 'string') this.excerpt = facts.excerpt;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** `instanceof BatchwireError` holds for errors of every copy of the package, not only this one. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // `this` is the class `instanceof` was asked about: a subclass gets the ordinary check.
    // biome-ignore lint/complexity/noThisInStatic: see above
    if (this === BatchwireErrorBase) return isBatchwireError(value);
    // biome-ignore lint/complexity/noThisInStatic: the subclass asked about
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }

  /** A plain object with the error's facts, for logging and JSON output. */
  toJSON(): { name: string; code: BatchwireErrorCode; offset: number; message: string } & Omit<
    BatchwireErrorDetails,
    'cause'
  > {
    return {
      name: this.name,
      code: this.code,
      offset: this.offset,
      message: this.message,
      ...(this.line === undefined ? {} : { line: this.line }),
      ...(this.column === undefined ? {} : { column: this.column }),
      ...(this.excerpt === undefined ? {} : { excerpt: this.excerpt }),
    };
  }
}

/**
 * A {@link BatchwireError} thrown by a decoder, encoder, builder or argument check: any code but
 * `SERVICE_FAULT`, and no `fault`.
 */
export interface BatchwireCodecError extends BatchwireErrorBase {
  readonly code: BatchwireCodecErrorCode;
  /** Only a `SERVICE_FAULT` error carries a fault. */
  readonly fault?: undefined;
}

/**
 * A service error as errors.ts sees it: the class (service-error.ts) extends this file's base, so
 * the fault's type is left open here to keep the two apart; `BatchwireServiceError` has the typed one.
 * @internal
 */
export interface UntypedServiceError extends BatchwireErrorBase {
  readonly code: 'SERVICE_FAULT';
  readonly fault: object;
  readonly status?: number;
  readonly retryAfterMs?: number;
}

/**
 * The union batchwire's own code throws and catches. The public type of the same name, whose
 * service member carries a typed `fault`, is in `batchwire-error.ts`. @internal
 */
export type BatchwireError = BatchwireCodecError | UntypedServiceError;

/** The constructor of the internal {@link BatchwireError}. @internal */
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

/** `new BatchwireError(code, message, offset, details?)` (batchwire-error.ts has the public face). @internal */
export const BatchwireError: BatchwireErrorConstructor =
  BatchwireErrorBase as unknown as BatchwireErrorConstructor;

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
  return typeof value === 'object' && value !== null && branded(value, BRAND);
}

// Whether `value` carries `brand` as an own property. Never throws: a revoked proxy or one whose
// traps throw is simply not a batchwire error. The brand is an own data property, so reading its
// descriptor runs no getter of the value.
function branded(value: object, brand: symbol): boolean {
  try {
    return Object.getOwnPropertyDescriptor(value, brand)?.value === true;
  } catch {
    return false;
  }
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
export function isBatchwireServiceError(value: unknown): value is UntypedServiceError {
  if (!isBatchwireError(value) || !branded(value, SERVICE_BRAND)) return false;
  try {
    return value.code === 'SERVICE_FAULT';
  } catch {
    return false;
  }
}

/** Marks an error as a service error for {@link isBatchwireServiceError}. @internal */
export function brandServiceError(error: object): void {
  Object.defineProperty(error, SERVICE_BRAND, { value: true });
}

/** Hex of up to `max` bytes starting at `offset`, for error excerpts. */
export function hexExcerpt(bytes: Uint8Array, offset: number, max = 16): string {
  const end = Math.min(bytes.length, offset + max);
  let out = '';
  for (let i = Math.max(0, offset); i < end; i++) {
    out += (i > offset ? ' ' : '') + bytes[i]!.toString(16).padStart(2, '0');
  }
  return out;
}

/** Up to `max` characters of `text` from `offset`, with control characters made visible. */
export function textExcerpt(text: string, offset: number, max = 40): string {
  return JSON.stringify(text.slice(Math.max(0, offset), offset + max)).slice(1, -1);
}

/**
 * A decoder's catch-all: a BatchwireError passes through, the engine refusing a string or array
 * that large (RangeError) becomes `LIMIT_EXCEEDED` at `offset`, and anything else, being a bug
 * in batchwire, is rethrown as it is.
 */
export function toBatchwireError(error: unknown, offset: number): BatchwireError {
  if (isBatchwireError(error)) return error;
  if (error instanceof RangeError) {
    return new BatchwireError('LIMIT_EXCEEDED', `input too large: ${error.message}`, offset, {
      cause: error,
    });
  }
  throw error;
}

/** The error of an argument or option of the wrong type or value (internal: one spelling of it). */
export function invalidArgument(message: string, cause?: unknown): BatchwireError {
  return new BatchwireError('INVALID_ARGUMENT', message, 0, { cause });
}
