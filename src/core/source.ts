import { BatchwireError } from './errors.js';

/** One piece of input: bytes, or text that is already decoded. */
export type Chunk = Uint8Array | string;

/**
 * Anything a batchwire streaming decoder reads from: bytes or text in memory, a sync or async
 * iterable of chunks (a Node `Readable` is one), or a WHATWG `ReadableStream`.
 */
export type ByteSource =
  | Uint8Array
  | ArrayBuffer
  | string
  | Iterable<Chunk>
  | AsyncIterable<Chunk>
  | ReadableStream<Uint8Array>
  | ReadableStream<Chunk>;

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

function isArrayBuffer(value: object): value is ArrayBuffer {
  // Also an ArrayBuffer from another realm (a worker, an iframe), where instanceof says no.
  return value instanceof ArrayBuffer || Object.prototype.toString.call(value) === '[object ArrayBuffer]';
}

/**
 * A chunk as the decoders want it: strings and `Uint8Array`s as they are, any other bytes
 * viewed as a `Uint8Array` (no copy); anything else is an `INVALID_ARGUMENT` error.
 */
export function toChunk(value: unknown): Chunk {
  if (typeof value === 'string' || value instanceof Uint8Array) return value;
  try {
    if (typeof value === 'object' && value !== null) {
      if (isArrayBuffer(value)) return new Uint8Array(value);
      if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    }
  } catch (error) {
    // A detached buffer, or a proxy whose traps throw.
    throw new BatchwireError('INVALID_ARGUMENT', "the chunk's bytes cannot be read (detached buffer?)", 0, {
      cause: error,
    });
  }
  throw new BatchwireError(
    'INVALID_ARGUMENT',
    `expected a Uint8Array, ArrayBuffer, ArrayBufferView or string chunk, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`,
    0,
  );
}

async function* fromReadableStream(stream: ReadableStream<unknown>): AsyncGenerator<Chunk> {
  // getReader works in every runtime; async iteration of ReadableStream does not (Safari).
  const reader = stream.getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      yield toChunk(value);
    }
  } finally {
    // Stopped early (the caller broke off, or the decoder threw): cancel the body, as the
    // stream's own async iterator does, so a network response is not left open.
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

async function* fromAsyncIterable(source: AsyncIterable<unknown>): AsyncGenerator<Chunk> {
  for await (const value of source) yield toChunk(value);
}

function* fromIterable(source: Iterable<unknown>): Generator<Chunk> {
  for (const value of source) yield toChunk(value);
}

/**
 * Normalises any {@link ByteSource} into an iterable of chunks, once, so that each decoder has
 * one loop. In-memory input comes back as a one-element array.
 */
export function chunksOf(source: ByteSource): Iterable<Chunk> | AsyncIterable<Chunk> {
  if (typeof source === 'string' || source instanceof Uint8Array || source instanceof ArrayBuffer) {
    return [toChunk(source)];
  }
  if (typeof source !== 'object' || source === null) {
    throw new BatchwireError('INVALID_ARGUMENT', `unsupported input source: ${typeof source}`, 0);
  }
  if (ArrayBuffer.isView(source)) return [toChunk(source)];
  if (isReadableStream(source)) return fromReadableStream(source);
  if (isAsyncIterable(source)) return fromAsyncIterable(source);
  if (isIterable(source)) return fromIterable(source);
  throw new BatchwireError(
    'INVALID_ARGUMENT',
    'unsupported input source: expected bytes, a string, an iterable, an async iterable or a ReadableStream',
    0,
  );
}

/** The push API every batchwire streaming decoder offers. */
export interface PushDecoder<T> {
  write(chunk: Chunk): T[];
  end(): T[];
}

/**
 * Drives a push decoder over a source and yields its records one at a time: the shared body of
 * every `decode...`/`read...` async iterator.
 */
export async function* drive<T>(
  source: ByteSource,
  decoder: PushDecoder<T>,
): AsyncGenerator<T, void, undefined> {
  for await (const chunk of chunksOf(source)) {
    yield* decoder.write(chunk);
  }
  yield* decoder.end();
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
