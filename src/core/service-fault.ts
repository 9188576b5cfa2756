// The normalised service error's types. They live in core because the BatchwireError union
// (core/batchwire-error.ts) names them: core knows no format folder, not even its types.
import type { BodyInput } from './body.js';
import type { QualifiedName } from './xml.js';

/** Response headers as a WHATWG `Headers` or a plain record (names compared without case). */
export type HeadersInput =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | number | undefined>>;

/** A SOAP fault's code and subcodes, resolved by namespace, and as written. */
export interface SoapFaultCode {
  /** `Code/Value` (SOAP 1.2) or `faultcode` (SOAP 1.1), resolved: `{ namespace: SOAP12_NAMESPACE, name: 'Receiver' }`. */
  code: QualifiedName;
  /** The `Subcode/Value` chain, outermost first, resolved (empty for SOAP 1.1). */
  subcodes: QualifiedName[];
  /** The code's QName as written (`'s:Receiver'`). */
  rawCode: string;
  /** The subcodes' QNames as written. */
  rawSubcodes: string[];
}

/** Which service's error shape a body had. */
export type FaultService = 'hpc-pack' | 'azure-batch' | 'dli' | 'soap' | 'unknown';

/** One key/value pair a fault carries (HPC `Values`, Azure Batch `values`, SOAP detail fields). */
export interface FaultValue {
  key: string;
  value: string;
}

/** An error response from any of the services, normalised. */
export interface ServiceFault {
  service: FaultService;
  /**
   * The service's code as text: an HPC Pack number (`'33554447'`), an Azure Batch code
   * (`'JobNotFound'`), a DLI code (`'DLI.0002'`), a SOAP fault code's local name, or `''`.
   */
  code: string;
  /** The message as the service wrote it (for HPC Pack, possibly a format string with `{0}`). */
  message: string;
  /**
   * `message` with its `{0}`-style placeholders filled from `values` (HPC Pack); else `message`.
   * Bounded: at most twice the length of the message and of the values it uses, plus 1024
   * characters (so at most twice the body plus 1024); a longer expansion is cut and ends with `…`.
   */
  formatted: string;
  values: FaultValue[];
  /** The HTTP status, when the caller passed it. */
  status?: number;
  /** Whether retrying the same request may succeed (status rule or a transient code). */
  retriable: boolean;
  /**
   * How long the response asked the client to wait (`retry-after-ms`, `x-ms-retry-after-ms` or
   * `Retry-After`), in milliseconds; at most `MAX_RETRY_AFTER_MS` (2^31-1, what `setTimeout`
   * can wait). A value that is no delay (`Mon, 1`, 64 nines) leaves it unset.
   */
  retryAfterMs?: number;
  /**
   * The id the service gave the request, for a support ticket: the `request-id`,
   * `client-request-id` or `x-request-id` response header (in that order), else the
   * `RequestId:` line of an Azure Batch message; `undefined` when there is none.
   */
  requestId?: string;
  /** HPC Pack: the code's category, from its high byte (`'SessionError'`, ...). */
  category?: string;
  /** HPC Pack: the code's name, for documented codes (`'BrokerNotActive'`, ...). */
  name?: string;
  /** SOAP: the WS-Addressing action of the fault envelope. */
  action?: string;
  /**
   * SOAP: the fault's code and subcodes resolved by namespace, with the QNames as written; equal
   * to the `code`, `subcodes`, `rawCode` and `rawSubcodes` the message array reader gives.
   */
  soap?: SoapFaultCode;
  /** JSON forms: top-level fields the shape does not define (`odata.metadata`, `request_id`, ...). */
  extra?: Record<string, unknown>;
  /** True when the body was longer than the limit and only its start was read. */
  truncated?: boolean;
}

/** What {@link parseFault} reads: the parts of an HTTP response it needs. */
export interface FaultResponse {
  /** The HTTP status code. */
  status?: number | undefined;
  /** The Content-Type; when absent it is taken from `headers`. */
  contentType?: string | undefined;
  /** Response headers (for `Retry-After` and Content-Type). */
  headers?: HeadersInput | undefined;
  /** The body, as text or bytes (UTF-8, or UTF-16 by BOM, charset or sniffing). */
  body: BodyInput;
}

/**
 * Options of {@link parseFault}. `parseFault` never throws, so options it cannot use (not an
 * object, a value of the wrong type) are ignored and the defaults apply.
 */
export interface ParseFaultOptions {
  /** The clock `Retry-After` dates are measured against, in ms since the epoch. @defaultValue `Date.now()` */
  now?: number | Date;
  /**
   * Largest body parsed, in input units; a longer one is kept as truncated text (the name of
   * `DEFAULT_LIMITS.maxBodyBytes`). @defaultValue 4 MiB
   */
  maxBodyBytes?: number;
  /** @deprecated The old name of `maxBodyBytes`, still read when `maxBodyBytes` is not given. */
  maxBytes?: number;
  /** For a fetch `Response`: aborting it stops reading the body (the promise rejects with its reason). */
  signal?: AbortSignal;
  /** Longest body text kept on an `unknown` fault, in characters. @defaultValue 4096 */
  maxTextLength?: number;
}
