import { bytesOf } from './bytes.js';
import { BatchwireError } from './errors.js';
import { isArray } from './options.js';

/** One piece of input: bytes, or text that is already decoded. */
export type Chunk = Uint8Array | string;

/**
 * A fetch `Response`, or anything shaped like one: its body (`null` for a 204 or a HEAD), its
 * headers (for `content-type`) and its status.
 */
export interface ResponseLike {
  readonly body: ReadableStream<Uint8Array> | null;
  readonly headers: { get(name: string): string | null };
  readonly status: number;
  /** The URL the response came from (empty for a `Response` made in code). */
  readonly url?: string;
}

/**
 * Anything a batchwire streaming decoder reads from: bytes or text in memory, a sync or async
 * iterable of chunks (a Node `Readable` is one), a WHATWG `ReadableStream`, or a fetch
 * `Response` (its body, with its `content-type` guiding the decoding).
 */
export type ByteSource =
  | Uint8Array
  | ArrayBuffer
  | string
  | Iterable<Chunk>
  | AsyncIterable<Chunk>
  | ReadableStream<Uint8Array>
  | ReadableStream<Chunk>
  | ResponseLike;

/** Options every async decoder takes besides its format's own. */
export interface StreamOptions {
  /**
   * Aborting it stops the reading: the source is cancelled (a `ReadableStream` or `Response`
   * body) or destroyed (a Node stream), and the iteration rejects with the signal's reason.
   */
  signal?: AbortSignal;
}

function isAsyncIterable(value: object): value is AsyncIterable<unknown> {
  return typeof (value as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function';
}

function isIterable(value: object): value is Iterable<unknown> {
  return typeof (value as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function';
}

function isReadableStream(value: object): value is ReadableStream<unknown> {
  return typeof (value as Partial<ReadableStream<unknown>>).getReader === 'function';
}

/**
 * What a push decoder's `write` and a decoder stream take: a string, or bytes as a `Uint8Array`,
 * an `ArrayBuffer` or any other `ArrayBufferView` (a `DataView`, a typed array, a `Buffer`).
 */
export type ChunkInput = Chunk | ArrayBuffer | ArrayBufferView;

/** A short, safe description of a value for a message: never runs a getter or a proxy trap. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  try {
    return isArray(value) ? 'an array' : 'object';
  } catch {
    return 'a revoked proxy';
  }
}

/**
 * A chunk as the decoders want it: strings as they are, bytes of any kind as a plain
 * `Uint8Array` read through the engine's own accessors (see {@link bytesOf}: a subclass's
 * `subarray` or species is never used, shared memory is copied); anything else is an
 * `INVALID_ARGUMENT` error.
 */
export function toChunk(value: unknown): Chunk {
  if (typeof value === 'string') return value;
  const bytes = bytesOf(value);
  if (bytes !== undefined) return bytes;
  throw new BatchwireError(
    'INVALID_ARGUMENT',
    `expected a Uint8Array, ArrayBuffer, ArrayBufferView or string chunk, got ${kindOf(value)}`,
    0,
  );
}

/** True for a fetch `Response` or an object shaped like one (not a stream or an iterable). */
export function isResponseLike(value: unknown): value is ResponseLike {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<ResponseLike> & { arrayBuffer?: unknown };
  try {
    return (
      'body' in candidate &&
      typeof candidate.headers?.get === 'function' &&
      typeof candidate.status === 'number' &&
      !isReadableStream(candidate)
    );
  } catch {
    return false;
  }
}

/** A source opened for reading: pull the next chunk, or cancel it. */
interface OpenSource {
  /** The next chunk, or `undefined` at the end. */
  next(): Promise<Chunk | undefined> | Chunk | undefined;
  /** Stops the source early (the reader stopped: an error, a break, an abort). */
  cancel(reason?: unknown): Promise<void>;
}

function unsupported(what: string): BatchwireError {
  return new BatchwireError('INVALID_ARGUMENT', `unsupported input source: ${what}`, 0);
}

function openReadableStream(stream: ReadableStream<unknown>): OpenSource {
  // getReader works in every runtime; async iteration of ReadableStream does not (Safari).
  let reader: ReadableStreamDefaultReader<unknown>;
  try {
    reader = stream.getReader();
  } catch (error) {
    throw new BatchwireError(
      'INVALID_ARGUMENT',
      'the stream is locked or its body has already been read',
      0,
      {
        cause: error,
      },
    );
  }
  let done = false;
  return {
    async next() {
      if (done) return undefined;
      const result = await reader.read();
      if (result.done) {
        done = true;
        reader.releaseLock();
        return undefined;
      }
      return toChunk(result.value);
    },
    async cancel(reason) {
      if (done) return;
      done = true;
      // As the stream's own async iterator does: a network body is not left open.
      await reader.cancel(reason).catch(() => undefined);
      reader.releaseLock();
    },
  };
}

function openAsyncIterable(source: AsyncIterable<unknown>): OpenSource {
  const iterator = source[Symbol.asyncIterator]();
  let done = false;
  return {
    async next() {
      if (done) return undefined;
      const result = await iterator.next();
      if (result.done) {
        done = true;
        return undefined;
      }
      return toChunk(result.value);
    },
    async cancel(reason) {
      if (done) return;
      done = true;
      // A Node stream is destroyed at once (a pending read ends); other iterators are told to stop.
      const destroy = (source as { destroy?: unknown }).destroy;
      if (typeof destroy === 'function') {
        try {
          destroy.call(source);
        } catch {
          // Already destroyed.
        }
      }
      await Promise.resolve(iterator.return?.(reason)).catch(() => undefined);
    },
  };
}

function openIterable(source: Iterable<unknown>): OpenSource {
  const iterator = source[Symbol.iterator]() as Iterator<unknown>;
  let done = false;
  return {
    next() {
      if (done) return undefined;
      let result: IteratorResult<unknown>;
      try {
        result = iterator.next();
      } catch (error) {
        // An iterable in memory does no I/O: one that throws (a proxy, a platform object that
        // only passes instanceof) is not a source batchwire can read.
        if (error instanceof BatchwireError) throw error;
        throw new BatchwireError('INVALID_ARGUMENT', 'reading the iterable of chunks threw', 0, {
          cause: error,
        });
      }
      if (result.done) {
        done = true;
        return undefined;
      }
      return toChunk(result.value);
    },
    async cancel() {
      if (done) return;
      done = true;
      try {
        iterator.return?.();
      } catch {
        // The iterator's own cleanup failed: nothing more to release.
      }
    },
  };
}

function openMemory(chunk: Chunk): OpenSource {
  let done = false;
  return {
    next() {
      if (done) return undefined;
      done = true;
      return chunk;
    },
    async cancel() {
      done = true;
    },
  };
}

/** Opens any {@link ByteSource} for reading, once, so that each decoder has one loop. */
function openSource(source: ByteSource): OpenSource {
  if (typeof source === 'string') return openMemory(source);
  if (typeof source !== 'object' || source === null) {
    throw unsupported(source === null ? 'null' : typeof source);
  }
  const bytes = bytesOf(source);
  if (bytes !== undefined) return openMemory(bytes);
  try {
    if (isReadableStream(source)) return openReadableStream(source);
    if (isResponseLike(source)) {
      // A 204 or a HEAD has no body: an empty input, which each decoder judges as it would "".
      if (source.body === null || source.body === undefined) return openMemory(new Uint8Array(0));
      if (!isReadableStream(source.body)) throw unsupported("the response's body is not a ReadableStream");
      if ((source as { bodyUsed?: unknown }).bodyUsed === true)
        throw new BatchwireError('INVALID_ARGUMENT', "the response's body has already been read", 0);
      return openReadableStream(source.body);
    }
    if (isAsyncIterable(source)) return openAsyncIterable(source);
    if (isIterable(source)) return openIterable(source);
  } catch (error) {
    if (error instanceof BatchwireError) throw error;
    // A proxy whose traps throw, a revoked one, a getter that throws: not a source we can read.
    throw new BatchwireError('INVALID_ARGUMENT', 'reading the input source threw', 0, { cause: error });
  }
  throw unsupported(
    'expected bytes, a string, an iterable, an async iterable, a ReadableStream or a fetch Response',
  );
}

/**
 * Normalises any {@link ByteSource} into an async iterable of chunks. A source the reader stops
 * early (an error or a break) is cancelled.
 */
export async function* chunksOf(source: ByteSource, signal?: AbortSignal): AsyncGenerator<Chunk> {
  const open = openSource(source);
  let finished = false;
  try {
    for (;;) {
      const pending = open.next();
      const chunk = signal === undefined ? await pending : await untilAborted(pending, signal);
      if (chunk === undefined) {
        finished = true;
        return;
      }
      yield chunk;
      if (signal?.aborted) throw abortReason(signal);
    }
  } finally {
    if (!finished) await open.cancel(signal?.aborted ? abortReason(signal) : undefined);
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** Checks a caller's `signal` option: an `AbortSignal`, or nothing. */
export function signalOption(value: unknown): AbortSignal | undefined {
  if (value === undefined || value === null) return undefined;
  const candidate = value as Partial<AbortSignal>;
  let ok = false;
  try {
    ok =
      typeof value === 'object' &&
      typeof candidate.aborted === 'boolean' &&
      typeof candidate.addEventListener === 'function' &&
      typeof candidate.removeEventListener === 'function';
  } catch (error) {
    // A proxy whose traps throw, or an object that only passes instanceof AbortSignal.
    throw new BatchwireError('INVALID_ARGUMENT', 'signal must be an AbortSignal (reading it threw)', 0, {
      cause: error,
    });
  }
  if (!ok) throw new BatchwireError('INVALID_ARGUMENT', 'signal must be an AbortSignal', 0);
  return value as AbortSignal;
}

/** The `signal` of an options argument of any shape (a getter that throws counts as none given). */
export function signalOf(options: unknown): AbortSignal | undefined {
  if (typeof options !== 'object' || options === null) return undefined;
  let value: unknown;
  try {
    value = (options as { signal?: unknown }).signal;
  } catch (error) {
    throw new BatchwireError('INVALID_ARGUMENT', 'reading the signal option threw', 0, { cause: error });
  }
  return signalOption(value);
}

/**
 * Resolves as `work` does, or rejects with the signal's reason as soon as it is aborted
 * (whichever comes first): a stalled read does not hold an aborted decode.
 */
export function untilAborted<T>(work: Promise<T> | T, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  if (!(work instanceof Promise)) return Promise.resolve(work);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** The push API every batchwire streaming decoder offers. */
export interface PushDecoder<T> {
  write(chunk: Chunk): T[];
  end(): T[];
}

/**
 * Drives a push decoder over a source and yields its records one at a time: the shared body of
 * every `decode...`/`read...` async iterator. With a `signal`, an abort stops the reading at
 * once, cancels the source and rejects with the signal's reason.
 */
export async function* drive<T>(
  source: ByteSource,
  decoder: PushDecoder<T>,
  signal?: AbortSignal,
): AsyncGenerator<T, void, undefined> {
  if (signal?.aborted) throw abortReason(signal);
  for await (const chunk of chunksOf(source, signal)) {
    for (const record of decoder.write(chunk)) {
      // Checked before each record, so records already decoded are not handed out after an abort.
      if (signal?.aborted) throw abortReason(signal);
      yield record;
    }
  }
  if (signal?.aborted) throw abortReason(signal);
  yield* decoder.end();
}

/** `options` with `contentType` set, when the caller did not set it (options of any shape). */
function withContentType<O>(options: O, contentType: string): O {
  if (options === undefined || options === null) return { contentType } as O;
  if (typeof options !== 'object' || isArray(options)) return options;
  try {
    if ((options as { contentType?: unknown }).contentType !== undefined) return options;
    return { ...options, contentType };
  } catch {
    // A hostile options object: the decoder's own option checks report it.
    return options;
  }
}

/**
 * How a format turns a non-2xx `Response` into the error it rejects with: the service's fault,
 * read with `parseFault` (at most `maxBodyBytes` of the body; the rest is cancelled).
 */
export type FaultReader = (response: ResponseLike, signal: AbortSignal | undefined) => Promise<Error>;

/** What {@link faultReader} needs of `batchwire/faults`, by shape: core imports no format, not even its types. */
export interface FaultModule<F> {
  readonly BatchwireServiceError: new (fault: F) => Error;
  readonly parseFault: (response: ResponseLike, options: { signal?: AbortSignal }) => Promise<F>;
}

/**
 * A {@link FaultReader} over `batchwire/faults`, loaded by `load` only when a non-2xx `Response`
 * arrives: the fault parser brings the XML parser, which `batchwire/generic` does not load
 * otherwise. Each format hands in `() => import('../faults/index.js')` (core imports no format).
 */
export function faultReader<F>(load: () => Promise<FaultModule<F>>): FaultReader {
  return async (response, signal) => {
    const { BatchwireServiceError, parseFault } = await load();
    return new BatchwireServiceError(await parseFault(response, signal === undefined ? {} : { signal }));
  };
}

/** A status outside 200-299 (or none that is an integer): the body is an error, not a document. */
export function isErrorStatus(status: unknown): boolean {
  return typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 299;
}

/** The status of a `Response`-like object, `undefined` when reading it throws. */
function statusOf(response: ResponseLike): unknown {
  try {
    return response.status;
  } catch {
    return undefined;
  }
}

// Reads the fault on the first `next()`, as a body would have been read.
// biome-ignore lint/correctness/useYield: an iteration that rejects before its first record
async function* rejecting<T>(error: () => Promise<unknown>): AsyncGenerator<T, void, undefined> {
  throw await error();
}

/**
 * The body of every async decoder: reads any {@link ByteSource} (for a fetch `Response`, its body,
 * with its `content-type` as the `contentType` option unless one is given) with the push decoder
 * `make` builds from the options, honouring `options.signal`. A `Response` with a non-2xx status
 * is not read as a body: the iteration rejects with what `readFault` makes of it (a
 * `BatchwireServiceError` with the parsed fault, `status` and `retryAfterMs`), as `paginate` does.
 */
export function decodeSource<T, O>(
  source: ByteSource,
  options: O,
  make: (options: O) => PushDecoder<T>,
  readFault?: FaultReader,
): AsyncGenerator<T, void, undefined> {
  let resolved = options;
  const response = isResponseLike(source);
  if (response) {
    let contentType: string | null = null;
    try {
      contentType = source.headers.get('content-type');
    } catch {
      // Unreadable headers: decode without the hint.
    }
    if (typeof contentType === 'string') resolved = withContentType(options, contentType);
  }
  const signal = signalOf(options);
  // Options are checked at the call, whatever the input turns out to be.
  const decoder = make(resolved);
  if (response && readFault !== undefined && isErrorStatus(statusOf(source))) {
    return rejecting(async () => (signal?.aborted ? abortReason(signal) : await readFault(source, signal)));
  }
  return drive(source, decoder, signal);
}

/** Runs a push decoder over input that is all in memory and returns every record. */
export function driveSync<T>(input: Uint8Array | ArrayBuffer | string, decoder: PushDecoder<T>): T[] {
  const records = decoder.write(toChunk(input));
  for (const record of decoder.end()) records.push(record);
  return records;
}

/**
 * A WHATWG `TransformStream` over a push decoder: the shared body of every `...Stream` class.
 */
export function transformerOf<T>(decoder: PushDecoder<T>): Transformer<ChunkInput, T> {
  return {
    transform(chunk, controller) {
      // Chunks come from the caller's stream, so anything may arrive: bytes of any view, or junk.
      for (const record of decoder.write(toChunk(chunk))) controller.enqueue(record);
    },
    flush(controller) {
      for (const record of decoder.end()) controller.enqueue(record);
    },
  };
}

/**
 * Reads a whole source into memory, at most `limit` bytes (characters for text). With
 * `truncate`, reading stops past the limit and the result holds `limit + 1` units, so the caller
 * can tell it was cut; without, a longer source is a `LIMIT_EXCEEDED` error. Either way the rest
 * of the source is cancelled, never read.
 */
export async function readWhole(
  source: ByteSource,
  limit: number,
  options: { truncate?: boolean; signal?: AbortSignal | undefined } = {},
): Promise<Uint8Array<ArrayBuffer> | string> {
  const parts: Chunk[] = [];
  let size = 0;
  let text = true;
  for await (const chunk of chunksOf(source, options.signal)) {
    if (typeof chunk !== 'string') text = false;
    if (size + chunk.length > limit) {
      if (!options.truncate) {
        throw new BatchwireError('LIMIT_EXCEEDED', `the body is longer than ${limit} bytes`, limit);
      }
      parts.push(chunk.slice(0, limit + 1 - size));
      size = limit + 1;
      break;
    }
    parts.push(chunk);
    size += chunk.length;
  }
  if (text) return (parts as string[]).join('');
  // Bytes (text chunks among them, unusual, as UTF-8 in their place).
  const encoder = new TextEncoder();
  const pieces = parts.map((part) => (typeof part === 'string' ? encoder.encode(part) : part));
  let total = 0;
  for (const piece of pieces) total += piece.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}
