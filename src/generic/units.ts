// Byte-level pieces of the generic framing: where records end and fields split in UTF-8 and UTF-16
// bytes, strict decoding of a range with the index of its first problem, and the errors for it.
import type { TextEncodingName } from '../core/charset.js';
import { BatchwireError, hexExcerpt, textExcerpt } from '../core/errors.js';
import {
  decodeUtf8Strict,
  decodeUtf16Units,
  isWellFormedText,
  loneSurrogateIndex,
  utf8ErrorOffset,
} from '../core/unicode.js';

type Search = (this: Uint8Array, value: number | Uint8Array, from: number) => number;
// Node's Buffer#indexOf and #lastIndexOf search bytes at memchr speed (TypedArray#indexOf looks at
// one element after another, five times slower); they take any Uint8Array as `this`.
const nodeBuffer = (globalThis as { Buffer?: { prototype: { indexOf: Search; lastIndexOf: Search } } }).Buffer
  ?.prototype;

/** V8 slices strings of this many characters or more (shorter ones are copied anyway). */
export const SLICE_MIN = 13;

/**
 * `field`, a slice of a string `parent` characters long, copied when it is less than half of it:
 * V8 makes a slice of 13 or more characters point into its parent, so a kept field would keep the
 * whole parent alive. The copy is what V8 makes when it flattens a concatenation.
 */
export function own(field: string, parent: number): string {
  return field.length < SLICE_MIN || field.length * 2 >= parent ? field : `\u0000${field}`.slice(1);
}

const UTF8_SEPARATOR = new Uint8Array([0xef, 0xbf, 0xbf]);
const UTF16_SEPARATOR = new Uint8Array([0xff, 0xff]);

/**
 * The record terminators of one chunk: the byte 00 in UTF-8 (never part of another character),
 * the unit 00 00 at an even input offset in UTF-16 (see {@link alignUnits}).
 */
export class Terminators {
  // A Uint16Array over the chunk's units, made when first needed.
  private units: Uint16Array | undefined;
  private unitsFrom = 0;

  constructor(
    private readonly data: Uint8Array,
    private readonly utf8: boolean,
  ) {}

  /** Index of the first terminator at or after `from` (a unit boundary), or -1. */
  next(from: number): number {
    const data = this.data;
    if (this.utf8) return nodeBuffer ? nodeBuffer.indexOf.call(data, 0, from) : data.indexOf(0, from);
    if (data.length - from < 64) {
      for (let j = from; j + 1 < data.length; j += 2) if (data[j] === 0 && data[j + 1] === 0) return j;
      return -1;
    }
    const u = this.view(from).indexOf(0, (from - this.unitsFrom) >> 1);
    return u < 0 ? -1 : this.unitsFrom + 2 * u;
  }

  /** Index of the last terminator that starts at or before `at` and at or after `from`, or -1. */
  last(from: number, at: number): number {
    const data = this.data;
    let j: number;
    if (this.utf8) j = nodeBuffer ? nodeBuffer.lastIndexOf.call(data, 0, at) : data.lastIndexOf(0, at);
    else {
      const u = this.view(from).lastIndexOf(0, (at - this.unitsFrom) >> 1);
      j = u < 0 ? -1 : this.unitsFrom + 2 * u;
    }
    return j < from ? -1 : j;
  }

  private view(from: number): Uint16Array {
    if (this.units === undefined) {
      const data = this.data;
      this.unitsFrom = from & 1;
      this.units = new Uint16Array(
        data.buffer,
        data.byteOffset + this.unitsFrom,
        (data.length - this.unitsFrom) >> 1,
      );
    }
    return this.units;
  }
}

/**
 * `data` (whose first byte is at input offset `base`) with its UTF-16 units at even memory
 * addresses, as a Uint16Array over them needs: `data` itself, or a copy shifted into place.
 */
export function alignUnits(data: Uint8Array, base: number): Uint8Array {
  const first = base & 1; // index of the first unit that starts in data
  if (((data.byteOffset + first) & 1) === 0) return data;
  const copy = new Uint8Array(data.length + first);
  copy.set(data, first);
  return copy.subarray(first);
}

/**
 * Index of the next field separator in `bytes[from, to)`: EF BF BF in UTF-8 (only ever U+FFFF in
 * valid UTF-8), the unit FF FF in UTF-16 (`from` a unit boundary, the units aligned); or -1.
 */
export function findSeparator(bytes: Uint8Array, from: number, to: number, utf8: boolean): number {
  if (nodeBuffer !== undefined) {
    const needle = utf8 ? UTF8_SEPARATOR : UTF16_SEPARATOR;
    for (let j = nodeBuffer.indexOf.call(bytes, needle, from); j >= 0 && j + needle.length <= to; ) {
      // In UTF-16, FF FF at an odd distance straddles two units.
      if (utf8 || ((j - from) & 1) === 0) return j;
      j = nodeBuffer.indexOf.call(bytes, needle, j + 1);
    }
    return -1;
  }
  if (utf8) {
    for (let j = bytes.indexOf(0xef, from); j >= 0 && j + 2 < to; j = bytes.indexOf(0xef, j + 1)) {
      if (bytes[j + 1] === 0xbf && bytes[j + 2] === 0xbf) return j;
    }
    return -1;
  }
  for (let j = from; j + 1 < to; j += 2) if (bytes[j] === 0xff && bytes[j + 1] === 0xff) return j;
  return -1;
}

/** Decoded text, and the index of the byte (or unpaired surrogate) where decoding stopped, or -1. */
export interface Decoded {
  text: string;
  bad: number;
}

/**
 * Decodes `bytes[from, to)` strictly: invalid UTF-8, and with `strict` an unpaired UTF-16
 * surrogate, stop it. The text before the problem comes back with the problem's index.
 */
export function decodeStrict(
  bytes: Uint8Array,
  from: number,
  to: number,
  encoding: TextEncodingName,
  strict: boolean,
): Decoded {
  if (from >= to) return { text: '', bad: -1 };
  if (encoding === 'utf-8') {
    try {
      return { text: decodeUtf8Strict(bytes.subarray(from, to)), bad: -1 };
    } catch (error) {
      const at = utf8ErrorOffset(bytes, from, to);
      if (at < 0) throw error; // not the bytes: the engine refusing a string that long
      return { text: decodeUtf8Strict(bytes.subarray(from, at)), bad: at };
    }
  }
  const text = decodeUtf16Units(bytes, from, to, encoding === 'utf-16le');
  if (strict && !isWellFormedText(text)) {
    const index = loneSurrogateIndex(text);
    return { text: text.slice(0, index), bad: from + 2 * index };
  }
  return { text, bad: -1 };
}

/** The error at `bytes[index]` (what {@link decodeStrict} stopped at), at input offset `base + index`. */
export function encodingError(
  bytes: Uint8Array,
  index: number,
  base: number,
  encoding: TextEncodingName,
): BatchwireError {
  const offset = base + index;
  if (encoding === 'utf-8') {
    return new BatchwireError('INVALID_ENCODING', `invalid UTF-8 at byte ${offset}`, offset, {
      excerpt: hexExcerpt(bytes, index, 8),
    });
  }
  const to = index + ((Math.min(index + 16, bytes.length) - index) & ~1);
  return surrogateError(
    offset,
    textExcerpt(decodeUtf16Units(bytes, index, to, encoding === 'utf-16le'), 0, 8),
  );
}

export function surrogateError(offset: number, excerpt?: string): BatchwireError {
  return new BatchwireError(
    'INVALID_ENCODING',
    `unpaired UTF-16 surrogate at offset ${offset} (loneSurrogates: 'error')`,
    offset,
    { excerpt },
  );
}

export function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Whether the UTF-16 unit at `bytes[at]` is a high surrogate. */
export function isHighUnit(bytes: Uint8Array, at: number, encoding: TextEncodingName): boolean {
  const code =
    encoding === 'utf-16le' ? bytes[at]! | (bytes[at + 1]! << 8) : (bytes[at]! << 8) | bytes[at + 1]!;
  return isHighSurrogate(code);
}

/** Readable text of up to 80 bytes from `index`, for an excerpt (bad bytes become U+FFFD). */
export function lenientExcerpt(data: Uint8Array, index: number, encoding: TextEncodingName): string {
  try {
    return textExcerpt(new TextDecoder(encoding).decode(data.subarray(index, index + 80)), 0);
  } catch {
    return ''; // no decoder for this encoding here
  }
}
