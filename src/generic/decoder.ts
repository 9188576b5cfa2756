import { END_OF_GET_RESPONSE_ACTION, endOfResponses, parseCount } from '../core/end-of-responses.js';
import { BatchwireError } from '../core/errors.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { choiceOption, flagOption, limitOption, optionsObject, textOption } from '../core/options.js';
import { type RecordOptions, RecordSplitter } from './records.js';
import type {
  GenericDecodeOptions,
  GenericRecord,
  GenericRequest,
  GenericRequestDecodeOptions,
} from './types.js';

const ENCODINGS = ['auto', 'utf-8', 'utf-16le', 'utf-16be'] as const;
const LONE_SURROGATES = ['keep', 'error'] as const;

// Every option checked once, up front: a wrong type is INVALID_ARGUMENT, never a misread body.
function readOptions(
  value: unknown,
  what: string,
): RecordOptions & { verifyCount: boolean; requireEnd: boolean } {
  const options = optionsObject(value, what);
  return {
    encoding: choiceOption(options, 'encoding', ENCODINGS, 'auto', what),
    contentType: textOption(options, 'contentType', what),
    loneSurrogates: choiceOption(options, 'loneSurrogates', LONE_SURROGATES, 'keep', what),
    maxRecordBytes: limitOption(options, 'maxRecordBytes', DEFAULT_LIMITS.maxRecordBytes, what),
    verifyCount: flagOption(options, 'verifyCount', true, what),
    requireEnd: flagOption(options, 'requireEnd', true, what),
  };
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
  protected readonly fields = 3;
  // The reply action repeats record after record: one string serves them all.
  protected override readonly shareFirst = true;
  private readonly verifyCount: boolean;
  private readonly requireEnd: boolean;
  private received = 0;

  /** @throws {@link BatchwireError} `INVALID_ARGUMENT` for options of the wrong type */
  constructor(options?: GenericDecodeOptions) {
    const read = readOptions(options, 'GenericResponseDecoder');
    super(read);
    this.verifyCount = read.verifyCount;
    this.requireEnd = read.requireEnd;
  }

  protected fieldCountMessage(found: number): string {
    if (found > 3) return 'a record has more than 3 fields';
    return `a record has ${found} field${found === 1 ? '' : 's'}; a response has 3 (action, output, user data)`;
  }

  protected onRecord(action: string, output: string, userData: string, out: GenericRecord[]): void {
    if (action === END_OF_GET_RESPONSE_ACTION) {
      this.closed = true;
      const at = this.fieldOffset(1);
      out.push(endOfResponses(parseCount(output, at), userData, this.received, this.verifyCount, at));
      return;
    }
    this.received++;
    out.push({ kind: 'response', action, output, userData });
  }

  protected onEnd(offset: number): void {
    if (!this.closed && this.requireEnd) {
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
  protected readonly fields = 2;

  /** @throws {@link BatchwireError} `INVALID_ARGUMENT` for options of the wrong type */
  constructor(options?: GenericRequestDecodeOptions) {
    super(readOptions(options, 'GenericRequestDecoder'));
  }

  protected fieldCountMessage(found: number): string {
    return found > 2
      ? 'a request record has more than 2 fields'
      : 'a request record has 1 field; it has 2 (input, user data)';
  }

  protected onRecord(input: string, userData: string, _: string, out: GenericRequest[]): void {
    out.push({ input, userData });
  }

  protected onEnd(): void {}
}
