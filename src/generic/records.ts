// The shared engine of the generic decoders: frames records on the bytes (U+0000 is the byte 00 in
// UTF-8 and the aligned unit 00 00 in UTF-16, U+FFFF is EF BF BF or FF FF), so that
//  - an unfinished record is copied into one buffer of the decoder's own, doubled when full:
//    writes of any size cost linear time, the caller's chunk is never kept after `write` returns,
//    and a pending record costs at most about 3x its size (a buffer at most twice its size, then
//    its decoded fields);
//  - whole records are decoded straight from the caller's bytes in runs of about REGION bytes (a
//    longer record on its own): no join, and no decoded string outlives the records it holds;
//  - a field keeps alive at most about twice its own characters: V8 makes a slice of 13 or more
//    characters point into its parent string, so a shorter part of a larger string is copied
//    (`own`), and the first field repeated from the previous record is the previous string.
// Over 500 lines as one state machine (byte and string input share the record and field handling);
// its byte searches (units.ts), pending record (pending.ts) and limit errors (problems.ts) are apart.
import { DETECT_BYTES, decideEncoding, type EncodingOption, type TextEncodingName } from '../core/charset.js';
import { BatchwireError, textExcerpt, toBatchwireError } from '../core/errors.js';
import { type ChunkInput, toChunk } from '../core/source.js';
import type { LoneSurrogates } from '../core/text-stream.js';
import { isWellFormedText, loneSurrogateIndex, utf8Length } from '../core/unicode.js';
import { joinBytes, PendingBytes, PendingText } from './pending.js';
import { endedInBytes, endedInText, oversizeError, oversizeTextError, trailingError } from './problems.js';
import {
  alignUnits,
  decodeStrict,
  encodingError,
  findSeparator,
  lenientExcerpt,
  own,
  SLICE_MIN,
  surrogateError,
  Terminators,
} from './units.js';

/** Ends a record. */
const RECORD_END = '\u0000';
/** Separates the fields of a record. */
const FIELD_SEPARATOR = '\uFFFF';
/**
 * Bytes of whole records decoded into one string at a time (a longer record is decoded alone).
 * Measured on 16 MB of 1 KB UTF-16LE records in 64 KiB writes: 2 KiB (about a decode call per
 * record) was 25% slower, 16 to 256 KiB within the noise of each other; a string of this size
 * stays in V8's young generation, and copying a field out of it costs less than it keeps alive.
 */
const REGION = 32 * 1024;
/**
 * A body decoded in memory (`decodeGenericBody`) is one chunk: its fields are slices of runs of up
 * to this many bytes (far below V8's longest string). Measured (bench/generic-shapes.ts, 16 MB of
 * 1 KB records): UTF-16 is fastest decoded whole (one copy of the bytes), UTF-8 in 1 MiB runs
 * (TextDecoder took twice as long over the whole body).
 */
const WHOLE_REGION = 256 * 1024 * 1024;
const WHOLE_REGION_UTF8 = 1024 * 1024;
// Splitters reading one body held in memory (see markInMemory).
const IN_MEMORY = new WeakSet<object>();

/**
 * Marks a splitter as reading one body held in memory, written at once: its fields may be slices
 * of the decoded body, which holds no more than the one chunk the caller handed over.
 */
export function markInMemory(splitter: object): void {
  IN_MEMORY.add(splitter);
}
const EMPTY = new Uint8Array(0);

/** The options every generic decoder reads, checked. */
export interface RecordOptions {
  encoding: EncodingOption;
  contentType: string | undefined;
  loneSurrogates: LoneSurrogates;
  maxRecordBytes: number;
}

/**
 * Splits a generic-service stream into records and each record into fields. Subclasses say how
 * many fields a record has and what to make of them (`onRecord`, `onEnd`).
 */
export abstract class RecordSplitter<T> {
  /** The encoding, once known; `'text'` when the chunks are strings. */
  private encoding: TextEncodingName | 'text' | undefined;
  private readonly option: EncodingOption;
  private readonly contentType: string | undefined;
  private readonly strict: boolean;
  private readonly maxRecord: number;
  /** Fields in a record. */
  protected abstract readonly fields: number;
  /** Whether the first field often repeats (the reply action): then it is shared, not copied. */
  protected readonly shareFirst: boolean = false;
  private lastFirst = '';

  // Bytes seen before the encoding is decided (fewer than DETECT_BYTES), our own copy.
  private head: Uint8Array = EMPTY;
  // Input offset of the first unit of the data being framed.
  private consumed = 0;
  // Input offset where the unfinished record starts, or -1 when there is none.
  private pendingStart = -1;
  // The unfinished record: bytes in a buffer of our own, or string pieces.
  private readonly pending = new PendingBytes();
  private readonly pendingText = new PendingText();

  // The record being handed out, so that `fieldOffset` can place its fields on error paths only.
  private ctxText = '';
  private ctxFrom = 0;
  private ctxBase = 0;
  private readonly ctxStarts: number[] = [];
  private ctxAbsolute = false;
  private readonly found: string[] = [];

  private failure: BatchwireError | undefined;
  private ended = false;
  /** Set by a subclass once the closing record has been read: any input after it is trailing data. */
  protected closed = false;
  private unitsWritten = 0;
  private recordsOut = 0;

  constructor(options: RecordOptions) {
    this.option = options.encoding;
    this.contentType = options.contentType;
    this.strict = options.loneSurrogates === 'error';
    this.maxRecord = options.maxRecordBytes;
  }

  /** Input written so far: bytes for byte chunks, characters (UTF-16 code units) for string chunks. */
  get bytesRead(): number {
    return this.unitsWritten;
  }

  /** Records returned so far by `write` and `end`. */
  get recordsRead(): number {
    return this.recordsOut;
  }

  /** Handles one record of exactly `fields` fields (a third argument of `''` when there are two). */
  protected abstract onRecord(first: string, second: string, third: string, out: T[]): void;

  /** Checks, at the end of input, that nothing is missing. */
  protected abstract onEnd(offset: number, out: T[]): void;

  /** The message for a record with `found` fields (more than expected when `found` exceeds it). */
  protected abstract fieldCountMessage(found: number): string;

  /**
   * Decodes one chunk: a string, or bytes (`Uint8Array`, `ArrayBuffer`, any `ArrayBufferView`).
   * Anything else is `INVALID_ARGUMENT`, and leaves the decoder as it was.
   */
  write(chunk: ChunkInput): T[] {
    this.check();
    const input = toChunk(chunk);
    const out: T[] = [];
    this.unitsWritten += input.length;
    try {
      if (typeof input === 'string') this.writeText(input, out);
      else this.writeBytes(input, out);
    } catch (error) {
      return this.counted(this.fail(error, out));
    }
    return this.counted(out);
  }

  end(): T[] {
    this.check();
    this.ended = true;
    const out: T[] = [];
    try {
      if (this.encoding === undefined && this.head.length > 0) this.frameBytes(this.decide(this.head), out);
      if (this.pendingStart >= 0) this.endInsideRecord();
      this.onEnd(this.consumed, out);
    } catch (error) {
      return this.counted(this.fail(error, out));
    }
    return this.counted(out);
  }

  /** Input offset of the start of field `k` of the record being handed out. */
  protected fieldOffset(k: number): number {
    const start = this.ctxStarts[k] ?? 0;
    return this.ctxAbsolute ? start : this.offsetIn(this.ctxText, this.ctxFrom, start, this.ctxBase);
  }

  private counted(out: T[]): T[] {
    this.recordsOut += out.length;
    return out;
  }

  private check(): void {
    if (this.failure) throw this.failure;
    if (this.ended)
      throw new BatchwireError('INVALID_ARGUMENT', 'the decoder has ended; create a new one', 0);
  }

  // Records decoded before a problem are never lost: they are returned now and the problem
  // is thrown by the next call.
  private fail(error: unknown, out: T[]): T[] {
    const failure = toBatchwireError(error, this.consumed);
    this.failure = failure;
    if (out.length === 0) throw failure;
    return out;
  }

  // ---- bytes -------------------------------------------------------------------------------

  private writeBytes(bytes: Uint8Array, out: T[]): void {
    if (this.encoding === 'text') {
      throw new BatchwireError(
        'INVALID_ARGUMENT',
        'a byte chunk after string chunks: one stream takes one kind',
        this.consumed,
      );
    }
    if (bytes.length === 0) return;
    if (this.encoding === undefined) {
      const joined = joinBytes(this.head, bytes);
      if (joined.length < DETECT_BYTES) {
        // Our own copy: the caller may reuse its buffer once write returns.
        this.head = joined === bytes ? bytes.slice() : joined;
        return;
      }
      bytes = this.decide(joined);
    }
    this.frameBytes(bytes, out);
  }

  private decide(bytes: Uint8Array): Uint8Array {
    this.head = EMPTY;
    const { encoding, skip } = decideEncoding(bytes, this.option, this.contentType);
    this.encoding = encoding;
    this.consumed = skip;
    return bytes.subarray(skip);
  }

  private get unit(): number {
    return this.encoding === 'utf-8' ? 1 : 2;
  }

  /** The byte encoding (only asked once it is decided and is not text). */
  private get bytesEncoding(): TextEncodingName {
    return this.encoding as TextEncodingName;
  }

  /** Frames `data`, which starts at input offset `this.consumed`. */
  private frameBytes(data: Uint8Array, out: T[]): void {
    const base = this.consumed;
    if (data.length === 0) return;
    if (this.closed) this.trailing(data, 0, base);
    if (this.encoding !== 'utf-8') data = alignUnits(data, base);
    const ends = new Terminators(data, this.encoding === 'utf-8');
    let i = 0;
    if (this.pendingStart >= 0) i = this.finishPending(data, ends, base, out);
    if (i >= 0) {
      i = this.frameRecords(data, ends, i, base, out);
      if (i < data.length) {
        this.pendingStart = base + i;
        this.append(data, i, data.length);
      }
    }
    this.consumed = base + data.length;
  }

  /** Completes the pending record from the start of `data`: the index after its terminator, or -1. */
  private finishPending(data: Uint8Array, ends: Terminators, base: number, out: T[]): number {
    let end: number;
    if (this.unit === 2 && (base & 1) === 1) {
      // The unit that the last chunk left half written.
      if (this.pending.bytes[this.pending.length - 1] === 0 && data[0] === 0) {
        this.pending.length--;
        this.completePending(out);
        return 1;
      }
      end = ends.next(1);
    } else end = ends.next(0);
    if (end < 0) {
      this.append(data, 0, data.length);
      return -1;
    }
    this.append(data, 0, end);
    this.completePending(out);
    return end + this.unit;
  }

  // Hands out the pending record, whole in the buffer (its terminator read).
  private completePending(out: T[]): void {
    const start = this.pendingStart;
    const bytes = this.pending.take();
    this.pendingStart = -1;
    if (bytes.length > this.maxRecord) this.oversize(bytes, 0, start);
    this.bufferedRecord(bytes, start, out);
  }

  /**
   * A record from our own buffer: each field decoded on its own (so none is a slice of a larger
   * string, and the decoded text needs no more room than the fields), every byte checked before
   * the fields are counted, as a region would be.
   */
  private bufferedRecord(bytes: Uint8Array, start: number, out: T[]): void {
    const found = this.found;
    const starts = this.ctxStarts;
    const utf8 = this.encoding === 'utf-8';
    const length = bytes.length;
    let from = 0;
    let k = 0;
    for (; k < this.fields - 1; k++) {
      const sep = findSeparator(bytes, from, length, utf8);
      if (sep < 0) break;
      found[k] = this.decodeField(bytes, from, sep, start);
      starts[k] = start + from;
      from = sep + (utf8 ? 3 : 2);
    }
    found[k] = this.decodeField(bytes, from, length, start);
    starts[k] = start + from;
    this.ctxAbsolute = true;
    const last = found[k]!;
    if (k < this.fields - 1) {
      this.malformed(k + 1, start + length, found.slice(0, k + 1).join(FIELD_SEPARATOR), Infinity);
    }
    const extra = last.indexOf(FIELD_SEPARATOR);
    if (extra >= 0)
      this.malformed(this.fields + 1, start + from + this.measure(last.slice(0, extra)), last, extra);
    this.onRecord(found[0]!, found[1]!, this.fields === 3 ? found[2]! : '', out);
  }

  private decodeField(bytes: Uint8Array, from: number, to: number, start: number): string {
    const { text, bad } = decodeStrict(bytes, from, to, this.bytesEncoding, this.strict);
    if (bad >= 0) throw encodingError(bytes.subarray(0, to), bad, start, this.bytesEncoding);
    return text;
  }

  /** Frames whole records in `data` from `i`; returns the index after the last one. */
  private frameRecords(data: Uint8Array, ends: Terminators, i: number, base: number, out: T[]): number {
    const unit = this.unit;
    const region = !IN_MEMORY.has(this) ? REGION : unit === 1 ? WHOLE_REGION_UTF8 : WHOLE_REGION;
    while (i < data.length && !this.closed) {
      const first = ends.next(i);
      if (first < 0) break;
      let end = first;
      if (first - i < region) {
        const last = ends.last(first, Math.min(data.length - unit, i + region));
        if (last > first) end = last;
      }
      if (end - i > this.maxRecord) this.checkRecordSizes(data, ends, i, end, base, out);
      this.region(data, i, end + unit, base, out);
      i = end + unit;
    }
    if (this.closed && i < data.length) this.trailing(data, i, base);
    return i;
  }

  /**
   * Checks the size of each record in `data[i, end]` (only when they may be over the limit):
   * frames the records before an oversized one, then fails on it.
   */
  private checkRecordSizes(
    data: Uint8Array,
    ends: Terminators,
    i: number,
    end: number,
    base: number,
    out: T[],
  ): void {
    for (let start = i; start <= end; ) {
      const stop = ends.next(start);
      if (stop - start > this.maxRecord) {
        if (start > i) this.region(data, i, start, base, out);
        if (this.closed) this.trailing(data, start, base);
        this.oversize(data.subarray(0, stop), start, base + start);
      }
      start = stop + this.unit;
    }
  }

  /** Decodes `data[from, to)`, whole records, and hands them out. */
  private region(data: Uint8Array, from: number, to: number, base: number, out: T[]): void {
    const { text, bad } = decodeStrict(data, from, to, this.bytesEncoding, this.strict);
    const whole = bad < 0 ? text.length : text.lastIndexOf(RECORD_END) + 1;
    const stop = this.records(text, 0, whole, base + from, out);
    if (bad < 0) return;
    // The problem comes after the records it did not cut, and after a closing record nothing counts.
    if (this.closed) this.trailing(data, from + this.measure(text.slice(0, stop)), base);
    throw encodingError(data.subarray(0, to), bad, base, this.bytesEncoding);
  }

  // ---- strings -----------------------------------------------------------------------------

  private writeText(text: string, out: T[]): void {
    let from = 0;
    if (this.encoding === undefined) {
      this.encoding = 'text';
      if (text.charCodeAt(0) === 0xfeff) {
        from = 1;
        this.consumed = 1;
      }
    } else if (this.encoding !== 'text') {
      throw new BatchwireError(
        'INVALID_ARGUMENT',
        'a string chunk after byte chunks: one stream takes one kind',
        this.consumed,
      );
    }
    const base = this.consumed - from;
    if (from >= text.length) return;
    if (this.closed) this.trailingText(text, from, base);
    if (this.pendingStart >= 0) {
      const stop = text.indexOf(RECORD_END, from);
      if (stop < 0) {
        this.pendingText.hold(own(from === 0 ? text : text.slice(from), text.length));
        this.consumed = base + text.length;
        this.checkPendingSize();
        return;
      }
      this.pendingText.hold(text.slice(from, stop));
      this.consumed = base + stop + 1;
      this.completeText(out);
      from = stop + 1;
    }
    const last = this.closed ? -1 : text.lastIndexOf(RECORD_END);
    if (last >= from) {
      let end = last + 1;
      if (this.strict) {
        const whole = text.slice(from, end);
        if (!isWellFormedText(whole)) end = from + loneSurrogateIndex(whole);
      }
      const stop = this.records(text, from, end, base + from, out);
      if (end <= last) {
        if (this.closed) this.trailingText(text, stop, base);
        throw surrogateError(base + end, textExcerpt(text, end, 8));
      }
      from = last + 1;
    }
    if (from < text.length) {
      if (this.closed) this.trailingText(text, from, base);
      this.pendingStart = base + from;
      this.pendingText.hold(own(text.slice(from), text.length));
    }
    this.consumed = base + text.length;
    this.checkPendingSize();
  }

  private completeText(out: T[]): void {
    const start = this.pendingStart;
    const record = this.pendingText.text(start);
    this.pendingText.clear();
    this.pendingStart = -1;
    if (record.length > this.maxRecord) this.oversizeText(record, start);
    if (this.strict && !isWellFormedText(record)) {
      const index = loneSurrogateIndex(record);
      throw surrogateError(start + index, textExcerpt(record, index, 8));
    }
    // A record of its own string: its fields are copied only when much shorter than it.
    this.records(`${record}${RECORD_END}`, 0, record.length + 1, start, out);
  }

  // ---- records and fields --------------------------------------------------------------------

  /**
   * Hands out the records of `text[from, to)`, each ended by U+0000, with `base` the input offset
   * of `text[from]`. Returns the index after the last record handed out (where a closing record
   * left trailing data).
   */
  private records(text: string, from: number, to: number, base: number, out: T[]): number {
    let pos = from;
    // In memory, the text is the caller's one chunk: slices of it are what the caller handed over.
    const parent = IN_MEMORY.has(this) ? 0 : text.length;
    const three = this.fields === 3;
    this.ctxText = text;
    this.ctxFrom = from;
    this.ctxBase = base;
    this.ctxAbsolute = false;
    const starts = this.ctxStarts;
    // The first separator at or after pos: found once per record, for the record before it.
    let sep = text.indexOf(FIELD_SEPARATOR, pos);
    while (pos < to) {
      if (this.closed) throw trailingError(this.offsetIn(text, from, pos, base), textExcerpt(text, pos));
      const stop = text.indexOf(RECORD_END, pos);
      if (stop < 0 || stop >= to) break;
      if (this.encoding === 'text' && stop - pos > this.maxRecord) {
        this.oversizeText(text.slice(pos, stop), this.offsetIn(text, from, pos, base));
      }
      starts[0] = pos;
      if (sep < 0 || sep > stop) this.malformedAt(1, text, pos, stop, stop);
      let next = text.indexOf(FIELD_SEPARATOR, sep + 1);
      let second = '';
      let last = sep;
      if (three) {
        if (next < 0 || next > stop) this.malformedAt(2, text, pos, stop, stop);
        starts[1] = sep + 1;
        second = own(text.slice(sep + 1, next), parent);
        last = next;
        next = text.indexOf(FIELD_SEPARATOR, next + 1);
      }
      if (next >= 0 && next < stop) this.malformedAt(this.fields + 1, text, pos, stop, next);
      starts[three ? 2 : 1] = last + 1;
      const first = this.first(text, pos, sep, parent);
      const final = own(text.slice(last + 1, stop), parent);
      if (three) this.onRecord(first, second, final, out);
      else this.onRecord(first, final, '', out);
      sep = next;
      pos = stop + 1;
    }
    return pos;
  }

  // The first field; a repeated one (the reply action) is the same string as last time.
  private first(text: string, from: number, to: number, parent: number): string {
    const length = to - from;
    if (!this.shareFirst || length < SLICE_MIN) return own(text.slice(from, to), parent);
    const last = this.lastFirst;
    // A slice compared whole is native and quick in V8 (startsWith with a position is not).
    const field = text.slice(from, to);
    if (field === last) return last;
    this.lastFirst = own(field, parent);
    return this.lastFirst;
  }

  // A record of `text[pos, stop)` with the wrong number of fields; `at` is where that shows.
  private malformedAt(found: number, text: string, pos: number, stop: number, at: number): never {
    this.malformed(
      found,
      this.offsetIn(text, this.ctxFrom, at, this.ctxBase),
      text.slice(pos, stop),
      at - pos,
    );
  }

  private malformed(found: number, offset: number, record: string, index: number): never {
    throw new BatchwireError('MALFORMED_RECORD', this.fieldCountMessage(found), offset, {
      excerpt: textExcerpt(record, Math.max(0, Math.min(index, record.length) - 20)),
    });
  }

  // ---- limits, ends, trailing data ----------------------------------------------------------

  /** Input offset of `text[index]`, where `text[from]` is at input offset `base`. */
  private offsetIn(text: string, from: number, index: number, base: number): number {
    return base + this.measure(text.slice(from, index));
  }

  /** Size of `text` in input units. */
  private measure(text: string): number {
    if (this.encoding === 'utf-8') return utf8Length(text);
    return this.encoding === 'text' ? text.length : text.length * 2;
  }

  // Whole units of the pending record over the limit: fail now, before more is buffered.
  private checkPendingSize(): void {
    if (this.pendingStart < 0) return;
    if (this.encoding === 'text') {
      if (this.pendingText.length > this.maxRecord) {
        this.oversizeText(this.pendingText.text(this.pendingStart), this.pendingStart);
      }
      return;
    }
    // In UTF-16 a last odd byte may start the terminator: only whole units count.
    const held = this.pending.length;
    if ((this.unit === 2 ? held & ~1 : held) > this.maxRecord)
      this.oversize(this.pending.view(), 0, this.pendingStart);
  }

  private oversize(bytes: Uint8Array, start: number, at: number): never {
    throw oversizeError(bytes, start, at, this.maxRecord, this.bytesEncoding, this.strict);
  }

  private oversizeText(record: string, at: number): never {
    throw oversizeTextError(record, at, this.maxRecord, this.strict);
  }

  // The input ended inside a record: a problem in its bytes first, then the cut itself.
  private endInsideRecord(): never {
    const start = this.pendingStart;
    if (this.encoding === 'text')
      throw endedInText(this.pendingText.text(start), start, this.consumed, this.strict);
    throw endedInBytes(this.pending.view(), start, this.consumed, this.bytesEncoding, this.strict);
  }

  private trailing(data: Uint8Array, index: number, base: number): never {
    throw trailingError(base + index, lenientExcerpt(data, index, this.bytesEncoding));
  }

  private trailingText(text: string, index: number, base: number): never {
    throw trailingError(base + index, textExcerpt(text, index));
  }

  // Copies data[from, to) to the pending record, but no more than a few bytes past the record limit,
  // which it then checks: nothing is buffered beyond it.
  private append(data: Uint8Array, from: number, to: number): void {
    this.pending.append(data, from, Math.min(to - from, this.maxRecord + 4 - this.pending.length));
    this.checkPendingSize();
  }
}
