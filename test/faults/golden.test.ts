import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  BatchwireError,
  BatchwireServiceError,
  formatDotNet,
  hpcFaultInfo,
  isBatchwireError,
  isRetriableStatus,
  parseFault,
  parseRetryAfter,
} from 'batchwire/faults';
import { describe, expect, it } from 'vitest';

const samples = fileURLToPath(new URL('../../samples/', import.meta.url));
const sample = (name: string) => readFileSync(`${samples}${name}`);
// The HpcWebServiceFault example of seed 000 (Get Request Status), cut out verbatim.
const seed000Fault = readFileSync(
  new URL('../vectors/seeds/000-hpc-web-service-fault.xml', import.meta.url),
  'utf8',
);

describe('HPC Pack faults', () => {
  it('reads the seed 000 HpcWebServiceFault (Values i:nil)', () => {
    const fault = parseFault({
      status: 400,
      contentType: 'application/xml',
      body: seed000Fault,
    });
    expect(fault).toEqual({
      service: 'hpc-pack',
      code: '267386880',
      message: 'Error message text.',
      formatted: 'Error message text.',
      values: [],
      status: 400,
      retriable: false,
      category: 'Unknown',
    });
  });

  it('reads a KeyValuePairOfstringstring list and fills the placeholders', () => {
    const fault = parseFault({ status: 404, body: sample('fault-hpc-values.xml') });
    expect(fault.code).toBe('50331649');
    expect(fault.name).toBe('InvalidSessionId');
    expect(fault.category).toBe('SessionFatalError');
    expect(fault.values).toEqual([
      { key: 'SessionId', value: '42' },
      { key: 'Cluster', value: 'HEADNODE' },
    ]);
    expect(fault.formatted).toBe('The session 42 does not exist on cluster HEADNODE.');
    expect(fault.message).toBe('The session {0} does not exist on cluster {1}.');
  });

  it('reads the JSON form and marks BrokerNotActive retriable', () => {
    const fault = parseFault({
      status: 400,
      contentType: 'application/json',
      body: sample('fault-hpc.json'),
    });
    expect(fault).toMatchObject({
      service: 'hpc-pack',
      code: '33554447',
      name: 'BrokerNotActive',
      category: 'SessionError',
      formatted: 'The broker for session 42 is not active.',
      retriable: true,
    });
  });

  it('reads JSON with Values null and Json.NET Key/Value casing', () => {
    expect(parseFault({ body: '{"Code":50331650,"Message":"denied","Values":null}' })).toMatchObject({
      code: '50331650',
      name: 'AuthenticationFailure',
      values: [],
    });
    expect(
      parseFault({ body: '{"Code":"1","Message":"{0}","Values":[{"Key":"k","Value":"v"}]}' }).formatted,
    ).toBe('v');
  });

  it('reads the pre-2011 <string> body', () => {
    const fault = parseFault({ status: 400, body: sample('fault-hpc-legacy.xml') });
    expect(fault).toMatchObject({ service: 'hpc-pack', code: '', message: 'The session 42 is not found.' });
    expect(fault.category).toBeUndefined();
  });

  it('reads UTF-16LE bytes with a BOM and an XML declaration', () => {
    const text = `<?xml version="1.0" encoding="utf-16"?><HpcWebServiceFault xmlns="http://schemas.microsoft.com/HPCS2008R2/common"><Code>50331700</Code><Message>é😀</Message></HpcWebServiceFault>`;
    const bytes = new Uint8Array(2 + text.length * 2);
    bytes.set([0xff, 0xfe]);
    for (let i = 0; i < text.length; i++) {
      bytes[2 + i * 2] = text.charCodeAt(i) & 0xff;
      bytes[3 + i * 2] = text.charCodeAt(i) >> 8;
    }
    expect(parseFault({ body: bytes })).toMatchObject({
      code: '50331700',
      name: 'APIVersionIncorrect',
      message: 'é😀',
    });
  });

  it('names categories from the high byte and every documented code', () => {
    expect(hpcFaultInfo('16777217')).toEqual({ category: 'SessionConnectionError' });
    expect(hpcFaultInfo('67108865')).toEqual({ category: 'ApplicationError' });
    expect(hpcFaultInfo('83886081')).toEqual({ category: 'BrokerProxyError' });
    expect(hpcFaultInfo('251723775')).toEqual({ category: 'Unknown', name: 'ArgumentError' });
    expect(hpcFaultInfo('50331701')).toEqual({ category: 'SessionFatalError', name: 'AccessDenied' });
    expect(hpcFaultInfo('50331697').name).toBe('NotSupportInprocessBroker');
    expect(hpcFaultInfo('33554448').name).toBe('FailedToSendRequest');
    expect(hpcFaultInfo('33554449').name).toBe('FailedToConnectToSessionService');
    expect(hpcFaultInfo('33554450').name).toBe('FailedToConnectToBrokerService');
    expect(hpcFaultInfo('50331648').name).toBe('InvalidArgument');
    expect(hpcFaultInfo('251658240').name).toBe('UnknownError');
    expect(hpcFaultInfo('abc')).toEqual({});
    expect(hpcFaultInfo('99999999999')).toEqual({});
    expect(hpcFaultInfo('-1')).toEqual({});
  });
});

describe('formatDotNet', () => {
  it('fills, escapes and aligns like String.Format', () => {
    expect(formatDotNet('{0} and {1}', ['a', 'b'])).toBe('a and b');
    expect(formatDotNet('{{0}} {0}', ['x'])).toBe('{0} x');
    expect(formatDotNet('[{0,4}] [{0,-4}] [{0:N2}]', ['ab'])).toBe('[  ab] [ab  ] [ab]');
    expect(formatDotNet('{ 0 }', ['x'])).toBe('x');
  });

  it('keeps what .NET would reject as written', () => {
    expect(formatDotNet('{2} {x} {0', ['a'])).toBe('{2} {x} {0');
    expect(formatDotNet('a } b', [])).toBe('a } b');
    expect(formatDotNet('{0,-999999999}|', ['a'])).toBe(`${'a'.padEnd(1024)}|`);
  });

  it('is linear on hostile input', () => {
    const hostile = '{0:'.repeat(50_000) + '{ '.repeat(50_000) + '}'.repeat(50_000);
    const started = Date.now();
    const out = formatDotNet(hostile, ['v']);
    expect(out.length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('Azure Batch, DLI and SOAP faults', () => {
  it('reads the Azure Batch error JSON with odata.metadata kept in extra', () => {
    const fault = parseFault({
      status: 400,
      headers: { 'Content-Type': 'application/json; odata=minimalmetadata' },
      body: sample('fault-azure-batch.json'),
    });
    expect(fault.service).toBe('azure-batch');
    expect(fault.code).toBe('InvalidQueryParameterValue');
    expect(fault.message.startsWith('Value for one of the query parameters')).toBe(true);
    expect(fault.values[0]).toEqual({ key: 'QueryParameterName', value: 'state' });
    expect(fault.values).toHaveLength(3);
    expect(fault.extra?.['odata.metadata']).toContain('$metadata#');
    expect(fault.retriable).toBe(false);
  });

  it('marks ServerBusy, OperationTimedOut and InternalError retriable whatever the status', () => {
    for (const code of ['ServerBusy', 'OperationTimedOut', 'InternalError']) {
      expect(
        parseFault({ status: 400, body: JSON.stringify({ code, message: { value: 'x' } }) }).retriable,
      ).toBe(true);
    }
    expect(parseFault({ status: 404, body: '{"code":"JobNotFound","message":"gone"}' })).toMatchObject({
      message: 'gone',
      retriable: false,
    });
  });

  it('reads the wrapped forms {"error":{...}} and {"odata.error":{...}}', () => {
    expect(parseFault({ body: '{"error":{"code":"Conflict","message":"busy"}}' })).toMatchObject({
      service: 'azure-batch',
      code: 'Conflict',
      message: 'busy',
    });
    expect(
      parseFault({ body: '{"odata.error":{"code":"X","message":{"lang":"en-US","value":"m"}}}' }),
    ).toMatchObject({ code: 'X', message: 'm' });
  });

  it('reads DLI error bodies, both forms', () => {
    expect(parseFault({ status: 400, body: sample('fault-dli.json') })).toMatchObject({
      service: 'dli',
      code: 'DLI.0002',
      message: 'There is no queue named testqueue',
      retriable: false,
    });
    expect(
      parseFault({ body: '{"is_success":false,"message":"Queue not found","error_code":""}' }),
    ).toMatchObject({
      service: 'dli',
      code: '',
      message: 'Queue not found',
    });
    expect(parseFault({ status: 500, body: '{"error_code":"DLI.0999","error_msg":"x"}' }).retriable).toBe(
      true,
    );
    const gw = parseFault({ body: '{"error_msg":"No API","error_code":"APIGW.0101","request_id":"r1"}' });
    expect(gw.extra).toEqual(Object.assign(Object.create(null), { request_id: 'r1' }));
  });

  it('reads a SOAP 1.2 fault with an HPC SessionFault detail', () => {
    const fault = parseFault({ status: 500, body: sample('fault-soap12.xml') });
    expect(fault).toMatchObject({
      service: 'soap',
      code: '33554447',
      name: 'BrokerNotActive',
      action: 'http://hpc.microsoft.com/session/SessionFault',
      message: 'The broker for session {0} is not active.',
      formatted: 'The broker for session 42 is not active.',
      values: [{ key: '0', value: '42' }],
      retriable: true,
    });
  });

  it('reads SOAP 1.2 subcodes, SOAP 1.1 faults and WCF exception details', () => {
    const soap12 = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing"><s:Header><a:Action>http://hpc.microsoft.com/session/RetryOperationError</a:Action></s:Header><s:Body><s:Fault><s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value xmlns:a="http://schemas.microsoft.com/net/2005/12/windowscommunicationfoundation/dispatcher">a:InternalServiceFault</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">Try again</s:Text></s:Reason><s:Detail><ExceptionDetail xmlns="http://schemas.datacontract.org/2004/07/System.ServiceModel" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><HelpLink i:nil="true"/><Message>boom</Message><Type>System.Exception</Type></ExceptionDetail></s:Detail></s:Fault></s:Body></s:Envelope>`;
    expect(parseFault({ status: 400, body: soap12 })).toMatchObject({
      service: 'soap',
      code: 'InternalServiceFault',
      message: 'Try again',
      retriable: true,
      values: [
        { key: 'HelpLink', value: '' },
        { key: 'Message', value: 'boom' },
        { key: 'Type', value: 'System.Exception' },
      ],
    });
    const soap11 = `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Client</faultcode><faultstring>Bad &amp; wrong</faultstring></soap:Fault></soap:Body></soap:Envelope>`;
    expect(parseFault({ status: 400, body: soap11 })).toMatchObject({
      service: 'soap',
      code: 'Client',
      message: 'Bad & wrong',
      retriable: false,
    });
  });
});

describe('unknown bodies', () => {
  it('keeps the status and the bounded body text', () => {
    const html = '<html><body><h1>502 Bad Gateway</h1></body></html>';
    expect(parseFault({ status: 502, body: html })).toMatchObject({
      service: 'unknown',
      code: '',
      message: html,
      status: 502,
      retriable: true,
    });
    const big = 'x'.repeat(100_000);
    const fault = parseFault({ status: 500, body: big });
    expect(fault.message.length).toBe(4096);
    expect(fault.truncated).toBe(true);
    expect(parseFault({ body: big }, { maxTextLength: 10 }).message).toBe('x'.repeat(10));
  });

  it('bounds a body over maxBytes without parsing it', () => {
    const fault = parseFault(
      { body: `{"code":"ServerBusy","message":"${'y'.repeat(200)}"}` },
      { maxBytes: 64 },
    );
    expect(fault.service).toBe('unknown');
    expect(fault.truncated).toBe(true);
  });

  it('refuses DOCTYPE and entity tricks without throwing', () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><HpcWebServiceFault xmlns="http://schemas.microsoft.com/HPCS2008R2/common"><Code>1</Code><Message>&b;</Message></HpcWebServiceFault>`;
    const fault = parseFault({ status: 400, body: bomb });
    expect(fault.service).toBe('unknown');
    expect(fault.message).toContain('<!DOCTYPE');
  });

  it('reads JSON strings, arrays, empty and missing bodies as unknown', () => {
    expect(parseFault({ body: '"plain text error"', contentType: 'application/json' })).toMatchObject({
      service: 'unknown',
      message: 'plain text error',
    });
    expect(parseFault({ body: '[1,2]' }).service).toBe('unknown');
    expect(parseFault({ body: '' })).toMatchObject({ service: 'unknown', message: '' });
    expect(parseFault({ body: undefined as unknown as string }).service).toBe('unknown');
    expect(parseFault(null as unknown as { body: string }).service).toBe('unknown');
  });
});

describe('retry advice', () => {
  it('follows the Azure SDK status rule', () => {
    for (const s of [408, 429, 500, 502, 503, 504, 599]) expect(isRetriableStatus(s)).toBe(true);
    for (const s of [200, 400, 401, 404, 409, 501, 505]) expect(isRetriableStatus(s)).toBe(false);
  });

  it('reads Retry-After in seconds and as an HTTP date, from Headers or a record', () => {
    const now = Date.UTC(2015, 9, 21, 7, 28, 0);
    expect(
      parseFault({ status: 503, headers: new Headers({ 'Retry-After': '7' }), body: '' }).retryAfterMs,
    ).toBe(7000);
    expect(
      parseFault(
        { status: 429, headers: { 'retry-after': 'Wed, 21 Oct 2015 07:28:30 GMT' }, body: '' },
        { now: new Date(now) },
      ).retryAfterMs,
    ).toBe(30_000);
    expect(parseFault({ status: 503, headers: { 'RETRY-AFTER': ['2'] }, body: '' }).retryAfterMs).toBe(2000);
    expect(
      parseFault({ status: 503, headers: { 'x-ms-retry-after-ms': '150' }, body: '' }).retryAfterMs,
    ).toBe(150);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('-5')).toBeUndefined();
    expect(parseRetryAfter('1.5')).toBe(1500);
    expect(parseFault({ status: 503, body: '' }).retryAfterMs).toBeUndefined();
  });

  it('takes the Content-Type from the headers when not given', () => {
    const fault = parseFault({ headers: new Headers({ 'content-type': 'application/json' }), body: '"x"' });
    expect(fault.message).toBe('x');
  });
});

describe('BatchwireServiceError', () => {
  it('is a BatchwireError with code SERVICE_FAULT carrying the fault', () => {
    const fault = parseFault({ status: 503, body: '{"code":"ServerBusy","message":{"value":"busy"}}' });
    const error = new BatchwireServiceError(fault);
    expect(error).toBeInstanceOf(BatchwireError);
    expect(isBatchwireError(error)).toBe(true);
    expect(error.code).toBe('SERVICE_FAULT');
    expect(error.name).toBe('BatchwireServiceError');
    expect(error.fault).toBe(fault);
    expect(error.retriable).toBe(true);
    expect(error.message).toBe('azure-batch ServerBusy (HTTP 503): busy');
  });
});
