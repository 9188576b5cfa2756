import { DETECT_BYTES, decideEncoding, type EncodingOption, type TextEncodingName } from './charset.js';
import { BatchwireError, hexExcerpt, textExcerpt } from './errors.js';
import type { Chunk } from './source.js';
import {
  decodeUtf8Strict,
  decodeUtf16Units,
  isWellFormedText,
  loneSurrogateIndex,
  utf8ErrorOffset,
  utf8IncompleteTail,
  utf8Length,
  utf8SequenceLength,
} from './unicode.js';

/** What to do with an unpaired UTF-16 surrogate: keep it in the string, or fail. */
export type LoneSurrogates = 'keep' | 'error';

export interface TextStreamOptions {
  /** @defaultValue `'auto'` */
  encoding?: EncodingOption | undefined;
  /** A Content-Type header value whose `charset` guides `'auto'`. */
  contentType?: string | undefined;
  /** @defaultValue `'keep'` */
  loneSurrogates?: LoneSurrogates;
}

// Inputs longer than this are decoded a slice at a time, so no temporary string grows with
// the size of one huge chunk.
const SLICE_BYTES = 1 << 20;

const EMPTY = new Uint8Array(0);

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Receives each piece of decoded text; `start`/`offset` of the stream frame it while it runs. */
export type TextSink = (text: string) => void;

/**
 * Turns a stream of byte (or string) chunks into text, with exact error offsets. It hands only
 * whole characters to its sink: a partial UTF-8 sequence, an odd UTF-16 byte and a trailing high
 * surrogate are held back until the next chunk completes them.
 *
 * Offsets are in input units: bytes for byte input, UTF-16 code units for string input. While
 * the sink runs, the text it was given covers input `[start, offset)`. When the input turns bad,
 * `write`/`end` hand the good text before the problem to the sink and then throw the problem
 * themselves (and again on every later call): no caller can forget to check for it.
 */
export class TextStream {
  /** The encoding in use, once known; `'text'` when the chunks are strings. */
  encoding: TextEncodingName | 'text' | undefined;
  /** Input offset where the text handed to the sink begins. */
  start = 0;
  /** Input offset just after the text handed out so far. */
  offset = 0;

  private readonly option: EncodingOption;
  private readonly contentType: string | undefined;
  private readonly strictSurrogates: boolean;
  // Set once the input has turned out bad; everything before it has been handed out.
  private failure: BatchwireError | undefined;
  // Bytes seen before the encoding is decided (at most DETECT_BYTES).
  private head: Uint8Array = EMPTY;
  // The start of a UTF-8 sequence, or an odd UTF-16 byte, that the next chunk completes.
  private carry: Uint8Array = EMPTY;
  // A high surrogate whose low half may start the next chunk.
  private pendingHigh = '';

  constructor(options: TextStreamOptions = {}) {
    this.option = options.encoding ?? 'auto';
    this.contentType = options.contentType;
    this.strictSurrogates = options.loneSurrogates === 'error';
  }

  /** Size of `text` in input units: what `offset` advances by when `text` is consumed. */
  measure(text: string): number {
    if (this.encoding === 'utf-8') return utf8Length(text);
    if (this.encoding === 'utf-16le' || this.encoding === 'utf-16be') return text.length * 2;
    return text.length;
  }

  /**
   * Decodes one chunk and hands the text it completes to `sink` (in pieces of at most about
   * 1 MiB of input, so no temporary string grows with one huge chunk). Throws the problem, if the
   * chunk turns out bad, after the good text before it has been handed out.
   */
  write(chunk: Chunk, sink: TextSink): void {
    if (this.failure) throw this.failure;
    this.start = this.offset;
    if (typeof chunk === 'string') {
      this.emit(this.writeText(chunk), sink);
      return;
    }
    if (this.encoding === 'text') {
      throw new BatchwireError(
        'INVALID_ARGUMENT',
        'a byte chunk after string chunks: one stream takes one kind',
        this.offset,
      );
    }
    if (this.encoding === undefined) {
      if (this.head.length + chunk.length < DETECT_BYTES) {
        // A copy of our own: the caller may reuse its buffer once write returns.
        this.head = concat(this.head, chunk, true);
        return;
      }
      chunk = this.decide(concat(this.head, chunk));
    }
    if (chunk.length <= SLICE_BYTES) {
      this.emit(this.decodeBytes(chunk), sink);
      return;
    }
    for (let i = 0; i < chunk.length; i += SLICE_BYTES) {
      this.start = this.offset;
      this.emit(this.decodeBytes(chunk.subarray(i, i + SLICE_BYTES)), sink);
    }
  }

  /**
   * Flushes held-back input at the end of the stream into `sink`. Throws `TRUNCATED` for a
   * partial character, or the problem an earlier call found.
   */
  end(sink: TextSink): void {
    if (this.failure) throw this.failure;
    this.start = this.offset;
    if (this.encoding === undefined && this.head.length > 0) {
      this.emit(this.decodeBytes(this.decide(this.head)), sink);
      this.start = this.offset;
    }
    if (this.carry.length > 0) {
      const what = this.encoding === 'utf-8' ? 'an unfinished UTF-8 sequence' : 'half a UTF-16 code unit';
      this.failure = new BatchwireError(
        'TRUNCATED',
        `input ends inside ${what}`,
        this.offset + this.measure(this.pendingHigh),
        { excerpt: hexExcerpt(this.carry, 0) },
      );
      throw this.failure;
    }
    const high = this.pendingHigh;
    this.pendingHigh = '';
    if (high && this.strictSurrogates) {
      this.failure = this.surrogateError(this.offset);
      throw this.failure;
    }
    this.offset += this.measure(high);
    this.emit(high, sink);
  }

  // Hands good text to the sink, then throws the failure if decoding stopped at one.
  private emit(text: string, sink: TextSink): void {
    if (text.length > 0) sink(text);
    if (this.failure) throw this.failure;
  }

  private decide(bytes: Uint8Array): Uint8Array {
    this.head = EMPTY;
    const { encoding, skip } = decideEncoding(bytes, this.option, this.contentType);
    this.encoding = encoding;
    this.offset = skip;
    this.start = skip;
    return bytes.subarray(skip);
  }

  private writeText(text: string): string {
    if (this.encoding === undefined) {
      // An empty first chunk decides nothing: the byte order mark may still come.
      if (text.length === 0) return '';
      this.encoding = 'text';
      if (text.charCodeAt(0) === 0xfeff) {
        text = text.slice(1);
        this.offset = 1;
        this.start = 1;
      }
    } else if (this.encoding !== 'text') {
      throw new BatchwireError(
        'INVALID_ARGUMENT',
        'a string chunk after byte chunks: one stream takes one kind',
        this.offset,
      );
    }
    return this.finishUtf16(text, 1);
  }

  private decodeBytes(bytes: Uint8Array): string {
    return this.encoding === 'utf-8' ? this.decodeUtf8(bytes) : this.decodeUtf16(bytes);
  }

  private decodeUtf8(bytes: Uint8Array): string {
    let text = '';
    let from = 0;
    if (this.carry.length > 0) {
      // Complete the sequence the last chunk cut, from the first bytes of this one.
      const need = utf8SequenceLength(this.carry[0]!) - this.carry.length;
      const take = Math.min(need, bytes.length);
      const joined = concat(this.carry, bytes.subarray(0, take));
      if (take < need) {
        this.carry = joined;
        return '';
      }
      from = take;
      try {
        text = decodeUtf8Strict(joined);
      } catch {
        this.failure = this.utf8Error(this.offset, joined, 0);
        return '';
      }
      this.carry = EMPTY;
      this.offset += joined.length;
    }
    const end = bytes.length - utf8IncompleteTail(bytes, from, bytes.length);
    try {
      text += decodeUtf8Strict(bytes.subarray(from, end));
    } catch {
      const bad = utf8ErrorOffset(bytes, from, end);
      const good = bad < 0 ? end : bad;
      text += decodeUtf8Strict(bytes.subarray(from, good));
      this.failure = this.utf8Error(this.offset + (good - from), bytes, good);
      this.offset += good - from;
      return text;
    }
    this.offset += end - from;
    if (end < bytes.length) this.carry = bytes.slice(end);
    return text;
  }

  private utf8Error(offset: number, bytes: Uint8Array, at: number): BatchwireError {
    return new BatchwireError('INVALID_ENCODING', `invalid UTF-8 at byte ${offset}`, offset, {
      excerpt: hexExcerpt(bytes, at, 8),
    });
  }

  private decodeUtf16(bytes: Uint8Array): string {
    const littleEndian = this.encoding === 'utf-16le';
    let text = '';
    let from = 0;
    if (this.carry.length > 0) {
      if (bytes.length === 0) return '';
      const pair = new Uint8Array([this.carry[0]!, bytes[0]!]);
      text = decodeUtf16Units(pair, 0, 2, littleEndian);
      this.carry = EMPTY;
      from = 1;
    }
    const end = from + ((bytes.length - from) & ~1);
    text += decodeUtf16Units(bytes, from, end, littleEndian);
    if (end < bytes.length) this.carry = bytes.slice(end);
    return this.finishUtf16(text, 2);
  }

  // Joins a held high surrogate, holds back a new trailing one, and checks pairing if asked.
  private finishUtf16(text: string, unit: number): string {
    if (this.pendingHigh) {
      text = this.pendingHigh + text;
      this.pendingHigh = '';
    }
    if (text.length > 0 && isHighSurrogate(text.charCodeAt(text.length - 1))) {
      this.pendingHigh = text.slice(-1);
      text = text.slice(0, -1);
    }
    if (this.strictSurrogates && !isWellFormedText(text)) {
      const bad = loneSurrogateIndex(text);
      this.failure = this.surrogateError(this.offset + bad * unit, textExcerpt(text, bad, 8));
      text = text.slice(0, bad);
    }
    this.offset += text.length * unit;
    return text;
  }

  private surrogateError(offset: number, excerpt?: string): BatchwireError {
    return new BatchwireError(
      'INVALID_ENCODING',
      `unpaired UTF-16 surrogate at offset ${offset} (loneSurrogates: 'error')`,
      offset,
      { excerpt },
    );
  }
}

/** `a` then `b` in one array: `b` itself when `a` is empty, unless `copy` asks for a new array. */
function concat(a: Uint8Array, b: Uint8Array, copy = false): Uint8Array {
  if (a.length === 0 && !copy) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
