// Error documents shaped as each service writes them, so that a client's own fault handling
// (and batchwire's parseFault) reads the emulator's errors as it would read the real ones.
import type { ServiceId } from '../core/services.js';
import { HPC_FAULT_NUMBERS } from '../faults/hpc-codes.js';
import { escapeXml } from './xml.js';

/** The three emulated services: `hpc-pack`, `azure-batch`, `dli` (the ids used everywhere). */
export type ServiceName = ServiceId;

/** A key/value pair of a fault. */
export interface FaultPair {
  key: string;
  value: string;
}

const HPC_COMMON = 'http://schemas.microsoft.com/HPCS2008R2/common';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const COLLECTIONS = 'http://schemas.datacontract.org/2004/07/System.Collections.Generic';

/**
 * HPC Pack SOA fault codes by name: `batchwire/faults`' one table (`HPC_FAULT_NUMBERS`), under the
 * name the emulator has always exported it by.
 */
export const HPC_CODES: Readonly<Record<string, number>> = HPC_FAULT_NUMBERS;

// Messages for the codes the emulator raises; the runtime's resources are not public, so these
// are paraphrases. Their .NET format items (`{0}`) stay in Message and Values carry the arguments,
// as in HpcWebServiceFault: a client fills them in (parseFault's `formatted`).
const HPC_MESSAGES: Readonly<Record<string, string>> = {
  BrokerNotActive: 'The broker is not active for session {0}. Try to attach to the session first.',
  InvalidSessionId: 'Session {0} does not exist.',
  APIVersionIncorrect: 'The api-version {0} is not supported. Supported versions: {1}.',
  ArgumentError: 'The argument {0} is not valid: {1}',
  InvalidArgument: 'The argument {0} is not valid: {1}',
  UnknownError: 'An unknown error occurred ({0}).',
  Broker_FlushRejected: "Flush() is not allowed for this client. The client is now in the '{0}' state.",
  Broker_EOMReject_EndRequests: 'EndRequests is rejected: the client has already called EndRequests.',
  Broker_EOMReject_GetResponse: 'EndRequests is rejected: the client is in the Finished state.',
  Broker_EOMReject_NoRequest: 'EndRequests is rejected: no request was sent by this client.',
  Broker_EOMRejected: "EndRequests is rejected: the client is in the '{0}' state.",
};

/** The XML or JSON `HpcWebServiceFault` document. */
export function hpcFaultBody(
  code: number,
  message: string,
  values: readonly FaultPair[],
  json: boolean,
): string {
  if (json) {
    return JSON.stringify({ Code: code, Message: message, Values: values.length === 0 ? null : values });
  }
  const items = values
    .map(
      (v) =>
        `<a:KeyValuePairOfstringstring><a:key>${escapeXml(v.key)}</a:key><a:value>${escapeXml(v.value)}</a:value></a:KeyValuePairOfstringstring>`,
    )
    .join('');
  const valuesElement =
    values.length === 0
      ? `<Values i:nil="true" xmlns:a="${COLLECTIONS}"/>`
      : `<Values xmlns:a="${COLLECTIONS}">${items}</Values>`;
  return `<HpcWebServiceFault xmlns="${HPC_COMMON}" xmlns:i="${XSI}"><Code>${code}</Code><Message>${escapeXml(message)}</Message>${valuesElement}</HpcWebServiceFault>`;
}

/** The code and message format of an HPC fault named `name` (a name, or a number as text). */
export function hpcFaultByName(name: string): { code: number; message: string } {
  if (/^-?[0-9]{1,10}$/.test(name)) {
    const code = Number(name) | 0;
    return { code, message: `The emulator injected HPC Pack fault ${code}.` };
  }
  if (Object.hasOwn(HPC_CODES, name)) {
    return {
      code: HPC_CODES[name]!,
      message: Object.hasOwn(HPC_MESSAGES, name)
        ? HPC_MESSAGES[name]!
        : `The emulator injected the fault ${name}.`,
    };
  }
  // Not an HPC Pack name (ServerBusy, DLI.0999, ...): the service's catch-all code, naming it.
  return { code: HPC_CODES.UnknownError!, message: `The emulator injected the fault ${name}.` };
}

const BATCH_MESSAGES: Readonly<Record<string, string>> = {
  ServerBusy: 'The server is currently unable to receive requests. Please retry your request.',
  OperationTimedOut: 'Operation could not be completed within the specified time.',
  InternalError: 'Server encountered an internal error. Please try again after some time.',
  TooManyRequests: 'The request rate is too high. Please retry your request later.',
  JobNotFound: 'The specified job does not exist.',
  PoolNotFound: 'The specified pool does not exist.',
  JobPreparationTaskOrReleaseTaskNotSpecified:
    'The specified job does not have either job preparation task or job release task.',
  InvalidQueryParameterValue:
    'Value for one of the query parameters specified in the request URI is invalid.',
  MissingRequiredQueryParameter: "A query parameter that's mandatory for this request is not specified.",
  UnsupportedQueryParameter: 'One of the query parameters specified in the request URI is not supported.',
  InvalidUri: 'The requested URI does not represent any resource on the server.',
  UnsupportedHttpVerb: 'The resource does not support the specified HTTP verb.',
  RequestBodyTooLarge: 'The request body is too large and exceeds the maximum permissible limit.',
  InvalidRequestBody: 'The specified request body is not valid.',
};

/** Facts an Azure Batch error body repeats: the request id and the time. */
export interface BatchErrorContext {
  baseUrl: string;
  requestId: string;
  time: number;
}

/** An Azure Batch error document (`odata.metadata`, `code`, `message`, `values`). */
export function batchErrorBody(
  code: string,
  message: string | undefined,
  values: readonly FaultPair[],
  context: BatchErrorContext,
): string {
  const text =
    message ??
    (Object.hasOwn(BATCH_MESSAGES, code)
      ? BATCH_MESSAGES[code]!
      : `The emulator injected the fault ${code}.`);
  const body: Record<string, unknown> = {
    'odata.metadata': `${context.baseUrl}/$metadata#Microsoft.Azure.Batch.Protocol.Entities.Container.errors/@Element`,
    code,
    message: {
      lang: 'en-US',
      value: `${text}\nRequestId:${context.requestId}\nTime:${new Date(context.time).toISOString()}`,
    },
  };
  if (values.length > 0) body.values = values;
  return JSON.stringify(body);
}

const DLI_MESSAGES: Readonly<Record<string, string>> = {
  'DLI.0001': 'Parameter check errors occur.',
  'DLI.0002': 'The object does not exist.',
  'DLI.0013': 'X-Auth-Token is not defined in request. It is mandatory. Please define and send the request.',
  'DLI.0019': 'The task timed out.',
  'DLI.0023': 'No related resources were found.',
  'DLI.0999': 'Server-side errors occur.',
  'DLI.1028': 'The quota is insufficient.',
  'APIGW.0308': 'The throttling threshold has been reached.',
  'APIG.0101': 'The API does not exist or has not been published in the environment.',
};

/** A DLI error document (`error_code`, `error_msg`). */
export function dliErrorBody(code: string, message?: string): string {
  const text =
    message ??
    (Object.hasOwn(DLI_MESSAGES, code) ? DLI_MESSAGES[code]! : `The emulator injected the fault ${code}.`);
  return JSON.stringify({ error_code: code, error_msg: text });
}

/** The fault name a `status` rule uses when it names none: the service's usual code for that status. */
export function defaultFaultName(service: ServiceName, status: number): string {
  if (service === 'hpc-pack') return status >= 500 ? 'UnknownError' : 'ArgumentError';
  if (service === 'dli') {
    if (status === 429) return 'APIGW.0308';
    return status >= 500 ? 'DLI.0999' : 'DLI.0001';
  }
  if (status === 503) return 'ServerBusy';
  if (status === 429) return 'TooManyRequests';
  if (status === 408) return 'OperationTimedOut';
  return status >= 500 ? 'InternalError' : 'InvalidRequestBody';
}
