// Low-level UTF-8 / UTF-16 helpers shared by the text codecs. No regular expression here sees
// untrusted input, and every loop is linear.

type NodeBufferLike = {
  from(
    buffer: ArrayBufferLike,
    byteOffset: number,
    length: number,
  ): Uint8Array & {
    toString(encoding: string, start?: number, end?: number): string;
    swap16(): unknown;
  };
  from(text: string, encoding: string): Uint8Array;
};

// Node's Buffer copies UTF-16 code units verbatim (lone surrogates too) at memcpy speed;
// browsers fall back to TextDecoder and a portable loop.
const NodeBuffer = (globalThis as { Buffer?: NodeBufferLike }).Buffer;

const fatalDecoders = new Map<string, TextDecoder>();

function fatalDecoder(label: 'utf-16le' | 'utf-16be'): TextDecoder {
  let decoder = fatalDecoders.get(label);
  if (!decoder) {
    // ignoreBOM: a U+FEFF at the start of a chunk is data; the stream's own mark is stripped once.
    decoder = new TextDecoder(label, { fatal: true, ignoreBOM: true });
    fatalDecoders.set(label, decoder);
  }
  return decoder;
}

let utf8Decoder: TextDecoder | undefined;

/**
 * Decodes UTF-8 made of whole sequences. Throws TypeError when it is not valid UTF-8.
 */
export function decodeUtf8Strict(bytes: Uint8Array): string {
  // Streaming mode is about twice as fast in Node (ICU) as one-shot decoding of non-ASCII text;
  // callers pass whole sequences only, so the decoder never holds state between calls.
  utf8Decoder ??= new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  try {
    const text = utf8Decoder.decode(bytes, { stream: true });
    // Flushing throws if the bytes ended inside a sequence, and leaves the shared decoder clean.
    utf8Decoder.decode();
    return text;
  } catch (error) {
    utf8Decoder = undefined; // its state after a failure is unspecified: start afresh
    throw error;
  }
}

/**
 * Offset of the first byte of the first invalid UTF-8 sequence in `bytes[start, end)`, or -1
 * when the range is valid. A sequence cut by `end` counts as invalid.
 */
export function utf8ErrorOffset(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      else if (b === 0xed) hi = 0x9f; // UTF-16 surrogates are not characters in UTF-8
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      else if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = i + k < end ? bytes[i + k]! : -1;
      const min = k === 1 ? lo : 0x80;
      const max = k === 1 ? hi : 0xbf;
      if (c < min || c > max) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** How many bytes at the end of `bytes[start, end)` form the valid beginning of an unfinished UTF-8 sequence. */
export function utf8IncompleteTail(bytes: Uint8Array, start: number, end: number): number {
  // Walk back over at most three continuation bytes to the lead byte.
  for (let back = 1; back <= 4 && end - back >= start; back++) {
    const b = bytes[end - back]!;
    if ((b & 0xc0) === 0x80) continue;
    // Only a valid lead byte starts a sequence worth waiting for; anything else is invalid now.
    if (b < 0xc2 || b > 0xf4) return 0;
    return utf8SequenceLength(b) > back ? back : 0;
  }
  return 0;
}

/** The length in bytes of a UTF-8 sequence that starts with `lead` (1 for an invalid lead). */
export function utf8SequenceLength(lead: number): number {
  return lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
}

/**
 * Size of `text[start, end)` in UTF-8 bytes, without slicing (lone surrogates count 3, as WTF-8
 * would write them; a pair cut by `end` counts as a lone surrogate).
 */
export function utf8Length(text: string, start = 0, end = text.length): number {
  let n = end - start;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
      const d = text.charCodeAt(i + 1);
      n += 2; // a pair: four bytes for two code units; a lone high surrogate: three for one
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    } else n += 2;
  }
  return n;
}

/** Index of the first unpaired surrogate in `text`, or -1. */
export function loneSurrogateIndex(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff) {
      const d = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
    }
    return i;
  }
  return -1;
}

const hasIsWellFormed = typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === 'function';

/** True when `text` has no unpaired surrogate; native where the runtime has `isWellFormed`. */
export function isWellFormedText(text: string): boolean {
  return hasIsWellFormed
    ? (text as string & { isWellFormed(): boolean }).isWellFormed()
    : loneSurrogateIndex(text) < 0;
}

function unitsToString(bytes: Uint8Array, start: number, end: number, littleEndian: boolean): string {
  const parts: string[] = [];
  const block: number[] = [];
  for (let i = start; i + 1 < end; i += 2) {
    block.push(littleEndian ? bytes[i]! | (bytes[i + 1]! << 8) : (bytes[i]! << 8) | bytes[i + 1]!);
    if (block.length === 4096) {
      parts.push(String.fromCharCode(...block));
      block.length = 0;
    }
  }
  if (block.length > 0) parts.push(String.fromCharCode(...block));
  return parts.join('');
}

/**
 * The UTF-16 code units in `bytes[start, end)` (an even-length range) as a string, lone
 * surrogates kept verbatim: the WHATWG decoder would replace them with U+FFFD.
 */
export function decodeUtf16Units(
  bytes: Uint8Array,
  start: number,
  end: number,
  littleEndian: boolean,
): string {
  if (end <= start) return '';
  if (NodeBuffer) {
    if (littleEndian) {
      return NodeBuffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf16le');
    }
    // A copy, whatever `bytes` is: Buffer#slice is a view, and swap16 would reorder the caller's bytes.
    const copy = new Uint8Array(end - start);
    copy.set(bytes.subarray(start, end));
    const view = NodeBuffer.from(copy.buffer, copy.byteOffset, copy.byteLength);
    view.swap16();
    return view.toString('utf16le');
  }
  try {
    return fatalDecoder(littleEndian ? 'utf-16le' : 'utf-16be').decode(bytes.subarray(start, end));
  } catch {
    return unitsToString(bytes, start, end, littleEndian);
  }
}

/** `text` as UTF-16 code units in the given byte order, lone surrogates kept. */
export function encodeUtf16(
  text: string,
  littleEndian: boolean,
  prefix?: Uint8Array,
): Uint8Array<ArrayBuffer> {
  const offset = prefix ? prefix.length : 0;
  const out = new Uint8Array(offset + text.length * 2);
  if (prefix) out.set(prefix);
  if (NodeBuffer && littleEndian) {
    out.set(NodeBuffer.from(text, 'utf16le'), offset);
    return out;
  }
  for (let i = 0, j = offset; i < text.length; i++, j += 2) {
    const c = text.charCodeAt(i);
    if (littleEndian) {
      out[j] = c & 0xff;
      out[j + 1] = c >>> 8;
    } else {
      out[j] = c >>> 8;
      out[j + 1] = c & 0xff;
    }
  }
  return out;
}
