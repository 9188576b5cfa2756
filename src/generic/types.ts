import type { EncodingOption } from '../core/charset.js';
import type { EndOfResponses } from '../core/end-of-responses.js';
import type { LoneSurrogates } from '../core/text-stream.js';

export type { EndOfResponses, EndOfResponsesReason } from '../core/end-of-responses.js';

/** One SOA response from a generic service: `action U+FFFF output U+FFFF userData U+0000`. */
export interface GenericResponse {
  kind: 'response';
  /** The reply action that produced the response. */
  action: string;
  /** The service's output string. */
  output: string;
  /** The user data sent with the request (empty when there was none). */
  userData: string;
}

/** What the generic response decoders yield: responses, then one closing record. */
export type GenericRecord = GenericResponse | EndOfResponses;

/** One SOA request for a generic service: `input U+FFFF userData U+0000`. */
export interface GenericRequest {
  /** The request's input string. */
  input: string;
  /** User data that comes back with the response (empty when there is none). */
  userData: string;
}

/** Options of every generic-stream decoder. */
export interface GenericDecodeOptions {
  /**
   * The byte encoding. `'auto'` takes a byte order mark, else the `charset` of `contentType`,
   * else sniffs the first two bytes (a body starts with an ASCII character).
   * @defaultValue `'auto'`
   */
  encoding?: EncodingOption;
  /** The response's Content-Type header, whose `charset` guides `'auto'`. */
  contentType?: string | undefined;
  /**
   * Check the closing record's count against the responses received (`COUNT_MISMATCH`).
   * @defaultValue `true`
   */
  verifyCount?: boolean;
  /**
   * Require the closing `EndOfGetResponse` record. A Get Responses call with `count=N` answers a
   * window of N responses without it: with `false`, a body that ends cleanly after a whole record
   * is read as such a window (a body cut inside a record is still `TRUNCATED`).
   * @defaultValue `true`
   */
  requireEnd?: boolean;
  /**
   * Largest record, in bytes of input (characters for string input); a longer one is
   * `LIMIT_EXCEEDED`, detected before it is buffered.
   * @defaultValue 64 MiB
   */
  maxRecordBytes?: number;
  /**
   * Unpaired UTF-16 surrogates (which .NET strings may carry): keep them in the string, or
   * fail with `INVALID_ENCODING`. Applies to UTF-16 and string input.
   * @defaultValue `'keep'`
   */
  loneSurrogates?: LoneSurrogates;
}

/** Options of the Send Requests decoders: those of {@link GenericDecodeOptions} a request body has. */
export type GenericRequestDecodeOptions = Omit<GenericDecodeOptions, 'verifyCount' | 'requireEnd'>;

/** Options of the generic encoders. */
export interface GenericEncodeOptions {
  /** @defaultValue `'utf-8'` (what Microsoft's REST client sample writes) */
  encoding?: 'utf-8' | 'utf-16le' | 'utf-16be';
  /**
   * Start with a byte order mark. One is written anyway where `'auto'` decoding could misread
   * the body without it: when the text starts with U+FEFF, or, in UTF-16, with a character
   * outside U+0001..U+00FF (byte-order sniffing expects an ASCII-range first character).
   * @defaultValue `false`
   */
  bom?: boolean;
}

/** Options of {@link encodeGenericResponses}. */
export interface GenericResponseEncodeOptions extends GenericEncodeOptions {
  /**
   * The closing record's reason.
   * @defaultValue `'Success'`
   */
  reason?: string;
  /**
   * The closing record's count.
   * @defaultValue the number of responses
   */
  count?: number;
}
