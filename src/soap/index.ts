/**
 * HPC Pack SOA SOAP bodies: the Get Responses / Send Requests `..._WebAPI_MessageArray` of SOAP
 * 1.2 envelopes (a streaming reader and a writer) and the Get Request Status `BrokerClientStatus`.
 *
 * @packageDocumentation
 */

export { BatchwireError, type BatchwireErrorCode, isBatchwireError } from '../core/batchwire-error.js';
export type { EncodingOption, TextEncodingName } from '../core/charset.js';
export { END_OF_GET_RESPONSE_ACTION } from '../core/end-of-responses.js';
export type { ByteSource, Chunk, ResponseLike, StreamOptions } from '../core/source.js';
export {
  HPC_NAMESPACE,
  MessageArrayReader,
  SOAP11_NAMESPACE,
  SOAP12_NAMESPACE,
  WSA_NAMESPACE,
} from './reader.js';
export { BROKER_CLIENT_STATUSES, type BrokerClientStatus, parseBrokerClientStatus } from './status.js';
export { MessageArrayReaderStream, parseMessageArray, readMessageArray } from './stream.js';
export type * from './types.js';
export {
  type EndOfResponsesInput,
  type SoapMessageInput,
  type SoapWriteOptions,
  type SoapWriteRecord,
  writeMessageArray,
} from './writer.js';
