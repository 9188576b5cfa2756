import { BatchwireError, toBatchwireError } from '../core/errors.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { choiceOption, flagOption, limitOption, optionsObject, textOption } from '../core/options.js';
import { type ChunkInput, type PushDecoder, toChunk } from '../core/source.js';
import { XmlFeed } from '../core/xml.js';
import { MessageArrayMachine } from './envelope.js';
import type { SoapReadOptions, SoapRecord } from './types.js';

export { HPC_NAMESPACE, SOAP11_NAMESPACE, SOAP12_NAMESPACE, WSA_NAMESPACE } from './header.js';

const ENCODINGS = ['auto', 'utf-8', 'utf-16le', 'utf-16be'] as const;
const WHAT = 'MessageArrayReader';

// Every option checked once, up front: a wrong type is INVALID_ARGUMENT, never a misread body.
function readOptions(value: SoapReadOptions | undefined) {
  const options = optionsObject(value, WHAT);
  return {
    encoding: choiceOption(options, 'encoding', ENCODINGS, 'auto', WHAT),
    contentType: textOption(options, 'contentType', WHAT),
    maxDepth: limitOption(options, 'maxDepth', DEFAULT_LIMITS.maxDepth, WHAT),
    maxMessageBytes: limitOption(options, 'maxMessageBytes', DEFAULT_LIMITS.maxMessageBytes, WHAT),
    maxTextLength: limitOption(options, 'maxTextLength', DEFAULT_LIMITS.maxTextLength, WHAT),
    verifyCount: flagOption(options, 'verifyCount', true, WHAT),
    requireEnd: flagOption(options, 'requireEnd', true, WHAT),
  };
}

/**
 * The push reader of a SOAP message array (a Get Responses body of a non-generic service, or a
 * Send Requests body): feed it chunks, get each envelope as a typed record as soon as its end
 * tag has been read. Memory is bounded by one envelope: only the current envelope's header
 * values and body text are kept, and dropped once its record is out.
 *
 * Namespaces are matched by URI, so any prefix or default namespace works; the root element may
 * have any name; both `HPCPack2008_` and `HPCServer2008_` broker headers are read. The
 * `http://hpc.microsoft.com/EndOfGetResponse` envelope gives the `{ kind: 'end' }` record.
 *
 * `write` takes strings and bytes (`Uint8Array`, `ArrayBuffer`, any `ArrayBufferView`); `write`
 * and `end` return the records their input completed. A problem found after some records in the
 * same call is thrown by the next call, so no record is lost; after a problem every call throws
 * it again.
 *
 * @throws {@link BatchwireError} `XML_SYNTAX`, `DOCTYPE_FORBIDDEN`, `LIMIT_EXCEEDED`, `TRUNCATED`,
 *   `COUNT_MISMATCH`, `MALFORMED_RECORD`, `TRAILING_DATA`, `INVALID_ENCODING`; `INVALID_ARGUMENT`
 *   for options or chunks of the wrong type
 *
 * @example
 * ```ts
 * import { MessageArrayReader } from 'batchwire/soap';
 * const reader = new MessageArrayReader({ contentType: response.headers.get('content-type') ?? undefined });
 * for await (const chunk of response.body!) for (const record of reader.write(chunk)) handle(record);
 * for (const record of reader.end()) handle(record);
 * ```
 */
export class MessageArrayReader implements PushDecoder<SoapRecord> {
  private readonly feed: XmlFeed;
  private readonly machine: MessageArrayMachine;
  private readonly requireEnd: boolean;
  private failure: BatchwireError | undefined;
  private ended = false;

  /** @throws {@link BatchwireError} `INVALID_ARGUMENT` for options of the wrong type */
  constructor(options?: SoapReadOptions) {
    const read = readOptions(options);
    this.requireEnd = read.requireEnd;
    this.feed = new XmlFeed(undefined, {
      encoding: read.encoding,
      contentType: read.contentType,
      maxDepth: read.maxDepth,
      maxTextLength: read.maxTextLength,
    });
    this.machine = new MessageArrayMachine(this.feed, {
      maxMessageBytes: read.maxMessageBytes,
      maxTextLength: read.maxTextLength,
      verifyCount: read.verifyCount,
    });
  }

  // Progress counters (bytesRead, messagesRead).
  private unitsWritten = 0;
  private recordsOut = 0;

  /** Input written so far: bytes for byte chunks, characters (UTF-16 code units) for string chunks. */
  get bytesRead(): number {
    return this.unitsWritten;
  }

  /** Records (messages, faults and the closing record) returned so far by `write` and `end`. */
  get messagesRead(): number {
    return this.recordsOut;
  }

  /** Reads one chunk; returns the records it completed. */
  write(chunk: ChunkInput): SoapRecord[] {
    this.check();
    const input = toChunk(chunk);
    this.unitsWritten += input.length;
    try {
      this.feed.write(input);
    } catch (error) {
      return this.fail(error);
    }
    return this.take();
  }

  /** Ends the input; returns the last records, or throws if the array is incomplete. */
  end(): SoapRecord[] {
    this.check();
    this.ended = true;
    try {
      this.finish();
    } catch (error) {
      return this.fail(error);
    }
    return this.take();
  }

  private finish(): void {
    const feed = this.feed;
    // A character cut at the very end is the more precise problem: it is reported first.
    feed.flush();
    const received = this.machine.received;
    if (!feed.rootClosed) {
      const where =
        feed.depth === 0
          ? 'before the message array began'
          : `inside ${feed.depth >= 2 ? 'an envelope' : 'the message array'}`;
      throw new BatchwireError(
        'TRUNCATED',
        `input ends ${where} (after ${received} message${received === 1 ? '' : 's'})`,
        feed.inputOffset,
      );
    }
    feed.close();
    if (this.requireEnd && !this.machine.closed) {
      throw new BatchwireError(
        'TRUNCATED',
        `the message array ends without its EndOfGetResponse envelope (after ${received} messages)`,
        feed.inputOffset,
      );
    }
  }

  private take(): SoapRecord[] {
    const out = this.machine.out;
    this.machine.out = [];
    this.recordsOut += out.length;
    return out;
  }

  private check(): void {
    if (this.failure) throw this.failure;
    if (this.ended) throw new BatchwireError('INVALID_ARGUMENT', 'the reader has ended; create a new one', 0);
  }

  // Records completed before a problem are returned now; the problem is thrown by the next call.
  private fail(error: unknown): SoapRecord[] {
    const failure = toBatchwireError(error, this.feed.inputOffset);
    this.failure = failure;
    this.machine.reset();
    const out = this.take();
    if (out.length === 0) throw failure;
    return out;
  }
}
