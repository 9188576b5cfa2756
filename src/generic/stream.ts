import {
  type ByteSource,
  type ChunkInput,
  decodeSource,
  driveSync,
  faultReader,
  type StreamOptions,
  toChunk,
  transformerOf,
} from '../core/source.js';
import { GenericRequestDecoder, GenericResponseDecoder } from './decoder.js';
import { markInMemory } from './records.js';
import type {
  EndOfResponses,
  GenericDecodeOptions,
  GenericRecord,
  GenericRequest,
  GenericRequestDecodeOptions,
  GenericResponse,
} from './types.js';

// A non-2xx Response is a service fault: batchwire/faults (and the XML parser it brings) is loaded
// only then, so that importing batchwire/generic loads neither.
const readFault = faultReader(() => import('../faults/index.js'));

/**
 * Decodes a generic-service Get Responses body from any source, streaming: each response is
 * yielded as soon as its terminator has been read, then the closing `{ kind: 'end' }` record.
 * Memory stays bounded by the largest record, whatever the size of the body.
 *
 * @param source - bytes, a string, an (async) iterable of chunks, a Node `Readable`, a `ReadableStream`
 *   or a fetch `Response` (its body, decoded as its `content-type` says; no body reads as empty input)
 * @param options - also `signal`: aborting it stops the reading, cancels the source and rejects
 *   with the signal's reason
 * @throws {@link BatchwireError} after yielding every record that preceded the problem
 *
 * @example
 * ```ts
 * import { decodeGenericResponses } from 'batchwire/generic';
 * const response = await fetch(url, { method: 'POST', headers: { 'api-version': '2012-11-01.4.0' } });
 * for await (const record of decodeGenericResponses(response, { signal: AbortSignal.timeout(60_000) })) {
 *   if (record.kind === 'response') console.log(record.userData, record.output);
 * }
 * ```
 */
export function decodeGenericResponses(
  source: ByteSource,
  options?: GenericDecodeOptions & StreamOptions,
): AsyncIterable<GenericRecord> {
  return decodeSource(source, options, (o) => new GenericResponseDecoder(o), readFault);
}

/**
 * Decodes a whole generic-service Get Responses body held in memory (a string, or bytes in a
 * `Uint8Array`, `ArrayBuffer` or any `ArrayBufferView`). The fields are slices of the decoded
 * body: what they keep alive is the one body the caller handed over. With `requireEnd: false` a
 * window without the closing record comes back without `end`.
 *
 * @throws {@link BatchwireError} `TRUNCATED`, `MALFORMED_RECORD`, `INVALID_ENCODING`,
 *   `COUNT_MISMATCH`, `TRAILING_DATA`, `LIMIT_EXCEEDED`; `INVALID_ARGUMENT` for input or options
 *   of the wrong type
 *
 * @example
 * ```ts
 * import { decodeGenericBody } from 'batchwire/generic';
 * const { responses, end } = decodeGenericBody(new Uint8Array(await response.arrayBuffer()));
 * console.log(responses.length, end.reason);
 * ```
 */
export function decodeGenericBody(
  bytes: Uint8Array | ArrayBuffer | ArrayBufferView | string,
  options?: GenericDecodeOptions & { requireEnd?: true },
): { responses: GenericResponse[]; end: EndOfResponses };
export function decodeGenericBody(
  bytes: Uint8Array | ArrayBuffer | ArrayBufferView | string,
  options?: GenericDecodeOptions,
): { responses: GenericResponse[]; end?: EndOfResponses };
export function decodeGenericBody(
  bytes: Uint8Array | ArrayBuffer | ArrayBufferView | string,
  options?: GenericDecodeOptions,
): { responses: GenericResponse[]; end?: EndOfResponses } {
  const decoder = new GenericResponseDecoder(options);
  markInMemory(decoder);
  const records = driveSync(toChunk(bytes), decoder);
  // The closing record can only be the last (anything after it is TRAILING_DATA): the array the
  // decoder filled is the responses, not copied into a second one (8M tiny records: 64 MB).
  const last = records.at(-1);
  if (last?.kind === 'end') records.pop();
  const responses = records as GenericResponse[];
  // Only `requireEnd: false` lets the decoder end cleanly without the closing record.
  return last?.kind === 'end' ? { responses, end: last } : { responses };
}

/**
 * Decodes a generic-service Send Requests body (`input U+FFFF userData U+0000` records, no
 * closing record) from any source, streaming.
 *
 * @throws {@link BatchwireError} `TRUNCATED`, `MALFORMED_RECORD`, `INVALID_ENCODING`, `LIMIT_EXCEEDED`
 *
 * @example
 * ```ts
 * import { decodeGenericRequests } from 'batchwire/generic';
 * for await (const { input, userData } of decodeGenericRequests(request.body)) reply(input, userData);
 * ```
 */
export function decodeGenericRequests(
  source: ByteSource,
  options?: GenericRequestDecodeOptions & StreamOptions,
): AsyncIterable<GenericRequest> {
  return decodeSource(source, options, (o) => new GenericRequestDecoder(o), readFault);
}

/**
 * A WHATWG `TransformStream` from body bytes to generic records.
 *
 * @example
 * ```ts
 * import { GenericResponseDecoderStream } from 'batchwire/generic';
 * const records = response.body!.pipeThrough(new GenericResponseDecoderStream());
 * for await (const record of records) console.log(record);
 * ```
 */
export class GenericResponseDecoderStream extends TransformStream<ChunkInput, GenericRecord> {
  constructor(options?: GenericDecodeOptions) {
    super(transformerOf(new GenericResponseDecoder(options)));
  }
}

/**
 * A WHATWG `TransformStream` from Send Requests body bytes to generic requests.
 *
 * @example
 * ```ts
 * import { GenericRequestDecoderStream } from 'batchwire/generic';
 * const requests = request.body!.pipeThrough(new GenericRequestDecoderStream());
 * ```
 */
export class GenericRequestDecoderStream extends TransformStream<ChunkInput, GenericRequest> {
  constructor(options?: GenericRequestDecodeOptions) {
    super(transformerOf(new GenericRequestDecoder(options)));
  }
}
