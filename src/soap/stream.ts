import type { EndOfResponses } from '../core/end-of-responses.js';
import {
  type ByteSource,
  type Chunk,
  decodeSource,
  driveSync,
  faultReader,
  type StreamOptions,
  transformerOf,
} from '../core/source.js';
import { MessageArrayReader } from './reader.js';
import type { SoapFaultMessage, SoapMessage, SoapReadOptions, SoapRecord } from './types.js';

/**
 * Reads a SOAP message array from any source, streaming: each envelope is yielded as soon as its
 * end tag has been read, then the closing `{ kind: 'end' }` record. Memory stays bounded by one
 * envelope, whatever the size of the array.
 *
 * @param source - bytes, a string, an (async) iterable of chunks, a Node `Readable`, a `ReadableStream`
 *   or a fetch `Response` (its body, decoded as its `content-type` says; no body reads as empty input)
 * @param options - also `signal`: aborting it stops the reading, cancels the source and rejects
 *   with the signal's reason
 * @throws {@link BatchwireError} after yielding every record that preceded the problem
 *
 * @example
 * ```ts
 * import { readMessageArray } from 'batchwire/soap';
 * const response = await fetch(`${base}/batch/${batch}/Response`, { method: 'POST', headers: { 'api-version': '2012-11-01.4.0' } });
 * for await (const record of readMessageArray(response.body!, {
 *   contentType: response.headers.get('content-type') ?? undefined,
 * })) {
 *   if (record.kind === 'response') console.log(record.userData, record.body.result);
 *   else if (record.kind === 'fault') console.error(record.code, record.reason);
 * }
 * ```
 */
export function readMessageArray(
  source: ByteSource,
  options: SoapReadOptions & StreamOptions = {},
): AsyncIterable<SoapRecord> {
  // A non-2xx Response is a service fault (batchwire/faults, loaded only then).
  return decodeSource(
    source,
    options,
    (o) => new MessageArrayReader(o),
    faultReader(() => import('../faults/index.js')),
  );
}

/**
 * Reads a whole SOAP message array held in memory. `end` is there unless `requireEnd` is false
 * and the array had no closing envelope.
 *
 * @throws {@link BatchwireError} `XML_SYNTAX`, `DOCTYPE_FORBIDDEN`, `LIMIT_EXCEEDED`, `TRUNCATED`,
 *   `COUNT_MISMATCH`, `MALFORMED_RECORD`, `TRAILING_DATA`, `INVALID_ENCODING`
 *
 * @example
 * ```ts
 * import { parseMessageArray } from 'batchwire/soap';
 * const { messages, end } = parseMessageArray(new Uint8Array(await response.arrayBuffer()));
 * console.log(messages.length, end?.reason);
 * ```
 */
export function parseMessageArray(
  input: Uint8Array | ArrayBuffer | string,
  options: SoapReadOptions = {},
): { messages: (SoapMessage | SoapFaultMessage)[]; end?: EndOfResponses } {
  const messages: (SoapMessage | SoapFaultMessage)[] = [];
  let end: EndOfResponses | undefined;
  for (const record of driveSync(input, new MessageArrayReader(options))) {
    if (record.kind === 'end') end = record;
    else messages.push(record);
  }
  return end === undefined ? { messages } : { messages, end };
}

/**
 * A WHATWG `TransformStream` from message array bytes (or text) to SOAP records.
 *
 * @example
 * ```ts
 * import { MessageArrayReaderStream } from 'batchwire/soap';
 * const records = response.body!.pipeThrough(new MessageArrayReaderStream());
 * for await (const record of records) console.log(record.kind);
 * ```
 */
export class MessageArrayReaderStream extends TransformStream<Chunk, SoapRecord> {
  constructor(options: SoapReadOptions = {}) {
    super(transformerOf(new MessageArrayReader(options)));
  }
}
