import fc from 'fast-check';
import { HPC_FAULT_CODES } from '../faults/hpc.js';
import type { FaultService, FaultValue } from '../faults/types.js';
import { escapeText } from '../soap/escape.js';
import { soapText } from './soap.js';

/** An error body and what `parseFault` must make of it. */
export interface FaultSample {
  body: string;
  contentType: string;
  /** The HTTP status the sample goes with. */
  status: number;
  expected: { service: FaultService; code: string; message: string; values: FaultValue[] };
}

const HPC_NS = 'http://schemas.microsoft.com/HPCS2008R2/common';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const KV_NS = 'http://schemas.datacontract.org/2004/07/System.Collections.Generic';

// Text any service could put in a message: XML-hostile characters, braces, astral characters.
function messageText(): fc.Arbitrary<string> {
  return fc.oneof(
    soapText({ maxLength: 30 }),
    fc.constantFrom('Session {0} not found.', '{{literal}} {0,5} {1:N}', 'Error message text.', ''),
  );
}

function values(): fc.Arbitrary<FaultValue[]> {
  return fc.array(fc.record({ key: soapText({ maxLength: 10 }), value: soapText({ maxLength: 20 }) }), {
    maxLength: 4,
  });
}

/** HPC Pack fault codes: the documented ones and any other .NET int. */
export function hpcFaultCode(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...Object.keys(HPC_FAULT_CODES), '267386880'),
    fc.integer({ min: -2147483648, max: 2147483647 }).map(String),
  );
}

/**
 * An `HpcWebServiceFault` XML body as the Web API writes it (DataContract serializer): `Values`
 * nil or a list of `KeyValuePairOfstringstring`.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(hpcFaultXmlBody(), (s) => parseFault({ body: s.body }).code === s.expected.code));
 * ```
 */
export function hpcFaultXmlBody(): fc.Arbitrary<FaultSample> {
  return fc
    .record({
      code: hpcFaultCode(),
      message: messageText(),
      values: values(),
      status: fc.constantFrom(400, 403, 404, 500),
    })
    .map(({ code, message, values, status }) => {
      const list =
        values.length === 0
          ? `<Values i:nil="true" xmlns:a="${KV_NS}"/>`
          : `<Values xmlns:a="${KV_NS}">${values
              .map(
                (v) =>
                  `<a:KeyValuePairOfstringstring><a:key>${escapeText(v.key)}</a:key><a:value>${escapeText(v.value)}</a:value></a:KeyValuePairOfstringstring>`,
              )
              .join('')}</Values>`;
      const body = `<HpcWebServiceFault xmlns="${HPC_NS}" xmlns:i="${XSI}"><Code>${code}</Code><Message>${escapeText(message)}</Message>${list}</HpcWebServiceFault>`;
      return {
        body,
        contentType: 'application/xml; charset=utf-8',
        status,
        expected: { service: 'hpc-pack' as const, code, message, values },
      };
    });
}

/**
 * An `HpcWebServiceFault` in JSON (`Accept: application/json`): `{"Code","Message","Values"}`.
 *
 * @example
 * ```ts
 * fc.sample(hpcFaultJsonBody(), 1)[0]!.body; // '{"Code":50331649,"Message":"...","Values":[...]}'
 * ```
 */
export function hpcFaultJsonBody(): fc.Arbitrary<FaultSample> {
  return fc
    .record({ code: hpcFaultCode(), message: fc.string(), values: values(), nil: fc.boolean() })
    .map(({ code, message, values, nil }) => ({
      body: JSON.stringify({
        Code: Number(code),
        Message: message,
        Values: nil && values.length === 0 ? null : values,
      }),
      contentType: 'application/json; charset=utf-8',
      status: 400,
      expected: { service: 'hpc-pack' as const, code, message, values },
    }));
}

/**
 * An Azure Batch error body: `code`, `message.lang`/`message.value`, `values[{key, value}]`,
 * `odata.metadata`.
 *
 * @example
 * ```ts
 * fc.sample(azureBatchErrorBody(), 1);
 * ```
 */
export function azureBatchErrorBody(): fc.Arbitrary<FaultSample> {
  return fc
    .record({
      code: fc.constantFrom(
        'InvalidQueryParameterValue',
        'JobNotFound',
        'JobPreparationTaskNotSpecified',
        'ServerBusy',
        'OperationTimedOut',
        'InternalError',
        'AuthenticationFailed',
      ),
      message: fc.string(),
      values: values(),
      metadata: fc.boolean(),
      status: fc.constantFrom(400, 403, 404, 409, 500, 503),
    })
    .map(({ code, message, values, metadata, status }) => {
      const document: Record<string, unknown> = {};
      if (metadata) {
        document['odata.metadata'] =
          'https://acct.region.batch.azure.com/$metadata#Microsoft.Azure.Batch.Protocol.Entities.Container.errors/@Element';
      }
      document.code = code;
      document.message = { lang: 'en-US', value: message };
      if (values.length > 0) document.values = values;
      return {
        body: JSON.stringify(document),
        contentType: 'application/json; odata=minimalmetadata',
        status,
        expected: { service: 'azure-batch' as const, code, message, values },
      };
    });
}

/**
 * A DLI error body: `{"error_code","error_msg"}`, or the v1.0 `{"is_success":false,"message"}`.
 *
 * @example
 * ```ts
 * fc.sample(dliErrorBody(), 1);
 * ```
 */
export function dliErrorBody(): fc.Arbitrary<FaultSample> {
  return fc
    .record({
      code: fc.constantFrom('DLI.0001', 'DLI.0002', 'DLI.0999', 'DLI.1028', 'APIGW.0101', ''),
      message: fc.string(),
      v1: fc.boolean(),
    })
    .map(({ code, message, v1 }) => ({
      body: v1
        ? JSON.stringify({ is_success: false, message, ...(code === '' ? { error_code: '' } : {}) })
        : JSON.stringify({ error_code: code, error_msg: message }),
      contentType: 'application/json;charset=UTF-8',
      status: 400,
      expected: { service: 'dli' as const, code: v1 ? '' : code, message, values: [] },
    }));
}

/**
 * A SOAP 1.1 or 1.2 `Fault` envelope with a plain code and reason.
 *
 * @example
 * ```ts
 * fc.sample(soapFaultEnvelopeBody(), 1);
 * ```
 */
export function soapFaultEnvelopeBody(): fc.Arbitrary<FaultSample> {
  return fc
    .record({
      v12: fc.boolean(),
      code: fc.constantFrom('Sender', 'Receiver', 'Client', 'Server'),
      reason: soapText(),
    })
    .map(({ v12, code, reason }) => {
      const body = v12
        ? `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><s:Fault><s:Code><s:Value>s:${code}</s:Value></s:Code><s:Reason><s:Text xml:lang="en-US">${escapeText(reason)}</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>`
        : `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:${code}</faultcode><faultstring>${escapeText(reason)}</faultstring></s:Fault></s:Body></s:Envelope>`;
      return {
        body,
        contentType: v12 ? 'application/soap+xml; charset=utf-8' : 'text/xml; charset=utf-8',
        status: 500,
        expected: { service: 'soap' as const, code, message: reason, values: [] },
      };
    });
}

/**
 * Any recognised fault body: HPC Pack XML or JSON, Azure Batch, DLI, SOAP.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(faultBody(), (s) => parseFault(s).service === s.expected.service));
 * ```
 */
export function faultBody(): fc.Arbitrary<FaultSample> {
  return fc.oneof(
    hpcFaultXmlBody(),
    hpcFaultJsonBody(),
    azureBatchErrorBody(),
    dliErrorBody(),
    soapFaultEnvelopeBody(),
  );
}
