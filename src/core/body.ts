// Whole bodies in memory: error and status documents, read at once. One strict decoder (exact
// offsets, bad bytes are errors) and one lenient one (for error text that only needs to be read).

import { bytesOf } from './bytes.js';
import { charsetOf, detectEncoding, type TextEncodingName } from './charset.js';
import { BatchwireError } from './errors.js';
import type { Chunk } from './source.js';
import { TextStream } from './text-stream.js';

/** A response body as the caller's HTTP client hands it over. */
export type BodyInput = string | Uint8Array | ArrayBuffer;

/** A body as text, with a way back from character indexes to input offsets. */
export interface DecodedBody {
  text: string;
  /** How the body was decoded: `'text'` for a string (offsets count characters, else bytes). */
  encoding: TextEncodingName | 'text';
  /** Input offset (bytes for byte input, characters for strings) of character index `index`. */
  offsetOf(index: number): number;
}

/** The body as a string or bytes (any `ArrayBuffer` or view), or `undefined` for anything else. */
export function normaliseBody(body: unknown): Chunk | undefined {
  if (typeof body === 'string') return body;
  // Read through the engine's own accessors; a detached buffer is INVALID_ARGUMENT.
  return bytesOf(body);
}

/**
 * Decodes a whole body strictly: the size limit is checked first (in input units), then the
 * bytes are decoded as `contentType`'s charset or the byte order mark say (UTF-8 otherwise), a
 * mark is dropped, and bad bytes are an `INVALID_ENCODING` error at their offset. The one place
 * a whole body is decoded, for faults, status documents and XML documents alike.
 *
 * @throws {@link BatchwireError} `INVALID_ARGUMENT` (not a body), `LIMIT_EXCEEDED`,
 *   `INVALID_ENCODING`, `TRUNCATED` (a character cut at the end)
 */
export function decodeBody(body: unknown, contentType: string | undefined, maxBytes: number): DecodedBody {
  const input = normaliseBody(body);
  if (input === undefined) {
    throw new BatchwireError(
      'INVALID_ARGUMENT',
      'expected the body as a string, Uint8Array, ArrayBuffer or ArrayBufferView',
      0,
    );
  }
  if (input.length > maxBytes) {
    throw new BatchwireError('LIMIT_EXCEEDED', `the body is longer than maxBytes (${maxBytes})`, maxBytes);
  }
  const stream = new TextStream({ contentType });
  const pieces: string[] = [];
  let base = -1;
  const sink = (piece: string) => {
    if (base < 0) base = stream.start;
    pieces.push(piece);
  };
  stream.write(input, sink);
  stream.end(sink);
  const text = pieces.length === 1 ? pieces[0]! : pieces.join('');
  // Text starts after a byte order mark, which offsets still count.
  const start = base < 0 ? stream.offset : base;
  return {
    text,
    encoding: stream.encoding ?? (typeof input === 'string' ? 'text' : 'utf-8'),
    offsetOf(index) {
      return start + stream.measure(text.slice(0, Math.max(0, Math.min(index, text.length))));
    },
  };
}

/**
 * Decodes at most `maxBytes` of the body and never fails: bad bytes become U+FFFD. For error
 * bodies, where a readable message matters more than byte-exactness.
 */
export function decodeLenient(input: Chunk, contentType: string | undefined, maxBytes: number): string {
  if (typeof input === 'string') {
    const text = input.length > maxBytes ? input.slice(0, maxBytes) : input;
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }
  const bytes = input.length > maxBytes ? input.subarray(0, maxBytes) : input;
  const { encoding } = detectEncoding(bytes.subarray(0, 3), charsetOf(contentType));
  try {
    return new TextDecoder(encoding, { fatal: false }).decode(bytes);
  } catch {
    // A runtime without UTF-16BE support: UTF-8 still yields something readable.
    return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  }
}
