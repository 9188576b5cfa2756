import { bytesOf } from './bytes.js';
import { BatchwireError } from './errors.js';

/** The byte encodings batchwire's text codecs read and write. */
export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be';

/** An encoding choice: a fixed one, or `'auto'` (byte order mark, then `contentType`, then sniffing). */
export type EncodingOption = 'auto' | TextEncodingName;

/**
 * What a `charset` parameter says: a definite encoding, `'utf-16'` (UTF-16 of unknown byte
 * order), another charset (its lowercase name), or `undefined` when there is none.
 */
export type CharsetHint = TextEncodingName | 'utf-16' | (string & {}) | undefined;

// Linear scan over a bounded header value: no regular expression sees untrusted text here.
function parameterOf(contentType: string, wanted: string): string | undefined {
  const parts = contentType.slice(0, 1024).split(';');
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i]!;
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim().toLowerCase() !== wanted) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    return value.toLowerCase();
  }
  return undefined;
}

/**
 * The charset named by a Content-Type header value, normalised: `utf8` and `utf-8` give
 * `'utf-8'`; `utf-16le`, `unicode` and `ucs-2` (what .NET calls UTF-16LE) give `'utf-16le'`;
 * `unicodefffe` and `utf-16be` give `'utf-16be'`; `utf-16` gives `'utf-16'`.
 *
 * @example
 * ```ts
 * charsetOf('text/plain; charset="UTF-16LE"'); // 'utf-16le'
 * ```
 */
export function charsetOf(contentType: string | undefined): CharsetHint {
  // Not a header value (undefined, null, a number...): no charset.
  if (typeof contentType !== 'string') return undefined;
  const charset = parameterOf(contentType, 'charset');
  switch (charset) {
    case undefined:
      return undefined;
    case 'utf-8':
    case 'utf8':
      return 'utf-8';
    case 'utf-16le':
    case 'utf16le':
    case 'unicode':
    case 'ucs-2':
    case 'ucs2':
      return 'utf-16le';
    case 'utf-16be':
    case 'utf16be':
    case 'unicodefffe':
      return 'utf-16be';
    case 'utf-16':
    case 'utf16':
      return 'utf-16';
    default:
      return charset;
  }
}

/** The encoding a byte order mark at the start of `bytes` names, and the mark's length. */
export function bomOf(bytes: Uint8Array): { encoding: TextEncodingName; length: number } | undefined {
  const [a, b, c] = bytes;
  if (a === 0xef && b === 0xbb && c === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (a === 0xff && b === 0xfe) return { encoding: 'utf-16le', length: 2 };
  if (a === 0xfe && b === 0xff) return { encoding: 'utf-16be', length: 2 };
  return undefined;
}

/**
 * How many leading bytes {@link detectEncoding} wants before it decides: enough for any byte
 * order mark and for the sniffing of the first character.
 */
export const DETECT_BYTES = 3;

/**
 * Chooses the encoding of a body from its first bytes: the byte order mark if there is one,
 * else a definite `charset` hint, else sniffing. Sniffing assumes the text begins with an ASCII
 * character (true of every format here: a URL, `<`, `{`): `xx 00` is UTF-16LE, `00 xx` UTF-16BE,
 * anything else UTF-8. A `'utf-16'` hint without a mark sniffs between the two byte orders and
 * falls back to little-endian, the order .NET writes.
 *
 * `head` should hold at least `DETECT_BYTES` (3) bytes unless the body is shorter.
 *
 * @example
 * ```ts
 * detectEncoding(new Uint8Array([0x68, 0x00, 0x74, 0x00])); // { encoding: 'utf-16le', bomLength: 0 }
 * ```
 */
export function detectEncoding(
  head: Uint8Array,
  hint?: CharsetHint,
): { encoding: TextEncodingName; bomLength: number } {
  // Read by its bytes, through the engine's accessors (a fake or a proxy is no Uint8Array).
  const bytes = bytesOf(head);
  if (bytes === undefined) {
    throw new BatchwireError('INVALID_ARGUMENT', 'detectEncoding: head must be a Uint8Array', 0);
  }
  head = bytes;
  const bom = bomOf(head);
  if (bom) return { encoding: bom.encoding, bomLength: bom.length };
  if (hint === 'utf-8' || hint === 'utf-16le' || hint === 'utf-16be') {
    return { encoding: hint as TextEncodingName, bomLength: 0 };
  }
  const [a, b] = head;
  if (head.length >= 2 && a === 0 && b !== 0) return { encoding: 'utf-16be', bomLength: 0 };
  if (hint === 'utf-16') return { encoding: 'utf-16le', bomLength: 0 };
  if (head.length >= 2 && a !== 0 && b === 0) return { encoding: 'utf-16le', bomLength: 0 };
  return { encoding: 'utf-8', bomLength: 0 };
}

/**
 * The encoding a stream's first bytes decide under the caller's `option`, and how many bytes of
 * byte order mark to skip. A fixed encoding skips its own byte order mark only; anything else
 * there is data. @internal
 */
export function decideEncoding(
  head: Uint8Array,
  option: EncodingOption,
  contentType: string | undefined,
): { encoding: TextEncodingName; skip: number } {
  const { encoding, bomLength } = detectEncoding(head, option === 'auto' ? charsetOf(contentType) : option);
  if (option === 'auto') return { encoding, skip: bomLength };
  return { encoding: option, skip: encoding === option ? bomLength : 0 };
}

/** The byte order mark of an encoding. */
export function bomBytes(encoding: TextEncodingName): Uint8Array<ArrayBuffer> {
  if (encoding === 'utf-8') return new Uint8Array([0xef, 0xbb, 0xbf]);
  return encoding === 'utf-16le' ? new Uint8Array([0xff, 0xfe]) : new Uint8Array([0xfe, 0xff]);
}
