/**
 * The HPC Pack SOA generic-service record stream: Get Responses and Send Requests bodies in
 * UTF-8, UTF-16LE or UTF-16BE.
 *
 * @packageDocumentation
 */

export { BatchwireError, type BatchwireErrorCode, isBatchwireError } from '../core/batchwire-error.js';
export type { EncodingOption, TextEncodingName } from '../core/charset.js';
export { END_OF_GET_RESPONSE_ACTION } from '../core/end-of-responses.js';
export type { ByteSource, Chunk, ChunkInput, ResponseLike, StreamOptions } from '../core/source.js';
export type { LoneSurrogates } from '../core/text-stream.js';
export { GenericRequestDecoder, GenericResponseDecoder } from './decoder.js';
export {
  encodeGenericRequests,
  encodeGenericResponses,
  type GenericRequestInput,
  type GenericResponseInput,
} from './encoder.js';
export {
  decodeGenericBody,
  decodeGenericRequests,
  decodeGenericResponses,
  GenericRequestDecoderStream,
  GenericResponseDecoderStream,
} from './stream.js';
export type * from './types.js';
