import { END_OF_GET_RESPONSE_ACTION, endOfResponses, parseCount } from '../core/end-of-responses.js';
import { BatchwireError, textExcerpt, toBatchwireError } from '../core/errors.js';
import { DEFAULT_LIMITS, MAX_STRING_LENGTH } from '../core/limits.js';
import { choiceOption, flagOption, limitOption, optionsObject, textOption } from '../core/options.js';
import { type ChunkInput, toChunk } from '../core/source.js';
import { TextStream, type TextStreamOptions } from '../core/text-stream.js';
import type { GenericDecodeOptions, GenericRecord, GenericRequest } from './types.js';

/** Ends a record. */
const RECORD_END = '\u0000';
/** Separates the fields of a record. */
const FIELD_SEPARATOR = '\uFFFF';

/**
 * The shared engine of the generic decoders: splits text into records at U+0000 and records
 * into fields at U+FFFF, buffering an unfinished record as a list of pieces (joined once, when
 * its terminator arrives) so that a long record costs linear time.
 */
abstract class RecordSplitter<T> {
  protected readonly text: TextStream;
  private readonly maxRecord: number;
  // Pieces of the record that the last chunk left unfinished, and their size in input units.
  private pieces: string[] = [];
  private pendingSize = 0;
  // Input offset where the unfinished record starts (valid while pieces is not empty).
  private pendingStart = 0;
  // The error that stopped this decoder: thrown again by every later call.
  private failure: BatchwireError | undefined;
  private ended = false;
  /** Set by a subclass once the closing record has been read: any text after it is trailing data. */
  protected closed = false;
  /** The `verifyCount` option (read here, so each option is read once). */
  protected readonly verifyCount: boolean;
  // Progress counters (bytesRead, recordsRead).
  private unitsWritten = 0;
  private recordsOut = 0;

  /** Input written so far: bytes for byte chunks, characters (UTF-16 code units) for string chunks. */
  get bytesRead(): number {
    return this.unitsWritten;
  }

  /** Records returned so far by `write` and `end`. */
  get recordsRead(): number {
    return this.recordsOut;
  }

  constructor(options: GenericDecodeOptions | undefined, what: string) {
    const read = readOptions(options, what);
    this.text = new TextStream(read.text);
    this.maxRecord = read.maxRecordBytes;
    this.verifyCount = read.verifyCount;
  }

  /** Handles one complete record; `locate(i)` maps an index in `record` to an input offset. */
  protected abstract onRecord(record: string, locate: (index: number) => number, out: T[]): void;

  /** Checks, at the end of input, that nothing is missing. */
  protected abstract onEnd(offset: number, out: T[]): void;

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
      this.text.write(input, (text) => this.consume(text, out));
    } catch (error) {
      return this.counted(this.fail(error, out));
    }
    return this.counted(out);
  }

  private counted(out: T[]): T[] {
    this.recordsOut += out.length;
    return out;
  }

  end(): T[] {
    this.check();
    this.ended = true;
    const out: T[] = [];
    try {
      this.text.end((text) => this.consume(text, out));
      if (this.pieces.length > 0) {
        throw new BatchwireError(
          'TRUNCATED',
          `input ends inside a record that starts at offset ${this.pendingStart}`,
          this.text.offset,
          { excerpt: textExcerpt(this.pieces[0]!, 0) },
        );
      }
      this.onEnd(this.text.offset, out);
    } catch (error) {
      return this.counted(this.fail(error, out));
    }
    return this.counted(out);
  }

  private check(): void {
    if (this.failure) throw this.failure;
    if (this.ended)
      throw new BatchwireError('INVALID_ARGUMENT', 'the decoder has ended; create a new one', 0);
  }

  // Records decoded before a problem are never lost: they are returned now and the problem
  // is thrown by the next call.
  private fail(error: unknown, out: T[]): T[] {
    const failure = toBatchwireError(error, this.text.offset);
    this.failure = failure;
    if (out.length === 0) throw failure;
    return out;
  }

  private consume(text: string, out: T[]): void {
    const base = this.text.start;
    let pos = 0;
    while (!this.closed) {
      const stop = text.indexOf(RECORD_END, pos);
      if (stop < 0) break;
      if (this.pieces.length === 0) {
        const record = text.slice(pos, stop);
        const from = pos;
        this.checkSize(record, () => base + this.text.measure(text.slice(0, from)));
        this.onRecord(record, (i) => base + this.text.measure(text.slice(0, from + i)), out);
      } else {
        this.pieces.push(text.slice(pos, stop));
        const record = this.joinPieces();
        const start = this.pendingStart;
        this.pieces = [];
        this.pendingSize = 0;
        this.checkSize(record, () => start);
        this.onRecord(record, (i) => start + this.text.measure(record.slice(0, i)), out);
      }
      pos = stop + 1;
    }
    if (pos >= text.length) return;
    if (this.closed) {
      throw new BatchwireError(
        'TRAILING_DATA',
        'input continues after the closing EndOfGetResponse record',
        base + this.text.measure(text.slice(0, pos)),
        { excerpt: textExcerpt(text, pos) },
      );
    }
    this.hold(text, pos);
  }

  // Keeps the unfinished end of `text` for the next chunk, checking the record limit first.
  private hold(text: string, pos: number): void {
    const tail = pos === 0 ? text : text.slice(pos);
    let size: number;
    if (pos === 0) size = this.text.offset - this.text.start;
    else size = this.text.measure(tail);
    if (this.pieces.length === 0) this.pendingStart = this.text.offset - size;
    this.pendingSize += size;
    if (this.pendingSize > this.maxRecord) {
      throw new BatchwireError(
        'LIMIT_EXCEEDED',
        `a record starting at offset ${this.pendingStart} is longer than maxRecordBytes (${this.maxRecord})`,
        this.pendingStart + this.maxRecord,
      );
    }
    this.pieces.push(tail);
  }

  private checkSize(record: string, start: () => number): void {
    // Only measure when the record could be too long: a code unit is at most 3 UTF-8 bytes.
    if (record.length * 3 <= this.maxRecord) return;
    if (this.text.measure(record) > this.maxRecord) {
      const at = start();
      throw new BatchwireError(
        'LIMIT_EXCEEDED',
        `a record starting at offset ${at} is longer than maxRecordBytes (${this.maxRecord})`,
        at + this.maxRecord,
      );
    }
  }

  private joinPieces(): string {
    let length = 0;
    for (const piece of this.pieces) length += piece.length;
    if (length > MAX_STRING_LENGTH) {
      throw new BatchwireError(
        'LIMIT_EXCEEDED',
        `a record starting at offset ${this.pendingStart} is longer than a JavaScript string can be`,
        this.pendingStart,
      );
    }
    return this.pieces.join('');
  }
}

const ENCODINGS = ['auto', 'utf-8', 'utf-16le', 'utf-16be'] as const;
const LONE_SURROGATES = ['keep', 'error'] as const;

// Every option checked once, up front: a wrong type is INVALID_ARGUMENT, never a misread body.
function readOptions(
  value: GenericDecodeOptions | undefined,
  what: string,
): { text: TextStreamOptions; maxRecordBytes: number; verifyCount: boolean } {
  const options = optionsObject(value, what);
  const contentType = textOption(options, 'contentType', what);
  const text: TextStreamOptions = {
    encoding: choiceOption(options, 'encoding', ENCODINGS, 'auto', what),
    loneSurrogates: choiceOption(options, 'loneSurrogates', LONE_SURROGATES, 'keep', what),
  };
  if (contentType !== undefined) text.contentType = contentType;
  return {
    text,
    maxRecordBytes: limitOption(options, 'maxRecordBytes', DEFAULT_LIMITS.maxRecordBytes, what),
    verifyCount: flagOption(options, 'verifyCount', true, what),
  };
}

function malformed(message: string, offset: number, record: string, index: number): BatchwireError {
  return new BatchwireError('MALFORMED_RECORD', message, offset, {
    excerpt: textExcerpt(record, Math.max(0, index - 20)),
  });
}

/**
 * The push decoder for a generic-service Get Responses body: feed it chunks, get records.
 * Records are `action U+FFFF output U+FFFF userData U+0000`; the body closes with the
 * `http://hpc.microsoft.com/EndOfGetResponse` record, which comes out as `{ kind: 'end' }`.
 *
 * `write` and `end` return the records their input completed. A problem found after some
 * records in the same call is thrown by the next call, so no record is lost; after a problem,
 * every call throws it again.
 *
 * @throws {@link BatchwireError} `TRUNCATED`, `MALFORMED_RECORD`, `INVALID_ENCODING`,
 *   `COUNT_MISMATCH`, `TRAILING_DATA`, `LIMIT_EXCEEDED`
 *
 * @example
 * ```ts
 * import { GenericResponseDecoder } from 'batchwire/generic';
 * const decoder = new GenericResponseDecoder({ encoding: 'utf-16le' });
 * for (const chunk of chunks) for (const record of decoder.write(chunk)) handle(record);
 * for (const record of decoder.end()) handle(record);
 * ```
 */
export class GenericResponseDecoder extends RecordSplitter<GenericRecord> {
  private received = 0;

  /** @throws {@link BatchwireError} `INVALID_ARGUMENT` for options of the wrong type */
  constructor(options?: GenericDecodeOptions) {
    super(options, 'GenericResponseDecoder');
  }

  protected onRecord(record: string, locate: (index: number) => number, out: GenericRecord[]): void {
    const first = record.indexOf(FIELD_SEPARATOR);
    const second = first < 0 ? -1 : record.indexOf(FIELD_SEPARATOR, first + 1);
    if (second < 0) {
      const fields = first < 0 ? 1 : 2;
      throw malformed(
        `a record has ${fields} field${fields === 1 ? '' : 's'}; a response has 3 (action, output, user data)`,
        locate(record.length),
        record,
        record.length,
      );
    }
    const third = record.indexOf(FIELD_SEPARATOR, second + 1);
    if (third >= 0) {
      throw malformed('a record has more than 3 fields', locate(third), record, third);
    }
    const action = record.slice(0, first);
    const output = record.slice(first + 1, second);
    const userData = record.slice(second + 1);
    if (action === END_OF_GET_RESPONSE_ACTION) {
      this.closed = true;
      const count = parseCount(output, locate(first + 1));
      out.push(endOfResponses(count, userData, this.received, this.verifyCount, locate(first + 1)));
      return;
    }
    this.received++;
    out.push({ kind: 'response', action, output, userData });
  }

  protected onEnd(offset: number): void {
    if (!this.closed) {
      throw new BatchwireError(
        'TRUNCATED',
        `input ends before the closing EndOfGetResponse record (after ${this.received} responses)`,
        offset,
      );
    }
  }
}

/**
 * The push decoder for a generic-service Send Requests body: `input U+FFFF userData U+0000`
 * records, no closing record.
 *
 * @throws {@link BatchwireError} `TRUNCATED`, `MALFORMED_RECORD`, `INVALID_ENCODING`, `LIMIT_EXCEEDED`
 *
 * @example
 * ```ts
 * import { GenericRequestDecoder } from 'batchwire/generic';
 * const decoder = new GenericRequestDecoder();
 * const requests = [...decoder.write(body), ...decoder.end()];
 * ```
 */
export class GenericRequestDecoder extends RecordSplitter<GenericRequest> {
  /** @throws {@link BatchwireError} `INVALID_ARGUMENT` for options of the wrong type */
  constructor(options?: Omit<GenericDecodeOptions, 'verifyCount'>) {
    super(options, 'GenericRequestDecoder');
  }

  protected onRecord(record: string, locate: (index: number) => number, out: GenericRequest[]): void {
    const first = record.indexOf(FIELD_SEPARATOR);
    if (first < 0) {
      throw malformed(
        'a request record has 1 field; it has 2 (input, user data)',
        locate(record.length),
        record,
        record.length,
      );
    }
    const second = record.indexOf(FIELD_SEPARATOR, first + 1);
    if (second >= 0)
      throw malformed('a request record has more than 2 fields', locate(second), record, second);
    out.push({ input: record.slice(0, first), userData: record.slice(first + 1) });
  }

  protected onEnd(): void {}
}
