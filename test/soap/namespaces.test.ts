import { parseFault } from 'batchwire/faults';
import {
  MessageArrayReader,
  parseBrokerClientStatus,
  parseMessageArray,
  type SoapFaultMessage,
} from 'batchwire/soap';
import { describe, expect, it } from 'vitest';
import { run } from '../support/chunks.js';
import { thrownBy } from '../support/errors.js';

const S = 'http://www.w3.org/2003/05/soap-envelope';
const A = 'http://www.w3.org/2005/08/addressing';
const WCF = 'http://schemas.microsoft.com/net/2005/12/windowscommunicationfoundation/dispatcher';

const status = (xml: string) => thrownBy(() => parseBrokerClientStatus(xml));

describe('XML Namespaces 1.0, checked by batchwire over saxes', () => {
  it('refuses what the namespaces rec forbids, at the tag', () => {
    for (const xml of [
      '<p:a/>', // unbound element prefix
      '<a p:x="1"/>', // unbound attribute prefix
      '<a xmlns:p=""/>', // undeclaring a prefix (XML 1.0)
      '<a xmlns:xml="urn:x"/>', // rebinding xml
      '<a xmlns:x="http://www.w3.org/XML/1998/namespace"/>', // binding the xml namespace to another prefix
      '<a xmlns:xmlns="urn:x"/>', // declaring xmlns
      '<a xmlns="http://www.w3.org/2000/xmlns/"/>', // the xmlns namespace as default
      '<xmlns:a/>', // the xmlns prefix on an element
      '<a:/>', // empty local name
      '<a:b:c xmlns:a="urn:a"/>', // two colons
      '<a xmlns:p="urn:x" xmlns:q="urn:x" p:b="1" q:b="2"/>', // one attribute under two prefixes
      '<a><?p:i x?></a>', // a colon in a PI target
    ]) {
      expect(status(xml).code, xml).toBe('XML_SYNTAX');
    }
    const error = status('<a>\n  <b><p:c/></b></a>');
    expect(error).toMatchObject({ code: 'XML_SYNTAX', offset: 9, line: 2 });
  });

  it('accepts what it allows: redeclaring, the xml prefix, xmlns="" and prefixes bound again inside', () => {
    for (const xml of [
      '<BrokerClientStatus xmlns="urn:a"><x:y xmlns:x="urn:b" xml:lang="en"/></BrokerClientStatus>',
      '<p:BrokerClientStatus xmlns:p="urn:a" p:x="1"><p:y xmlns:p="urn:b" p:x="2"/></p:BrokerClientStatus>',
      '<BrokerClientStatus xmlns="urn:a"><y xmlns=""/></BrokerClientStatus>',
      '<BrokerClientStatus xmlns:xml="http://www.w3.org/XML/1998/namespace"><y/></BrokerClientStatus>',
    ]) {
      expect(status(xml).code, xml).toBe('UNKNOWN_STATUS');
    }
  });

  it('resolves fault codes by namespace: the same fault under any prefixes, and parseFault agrees', () => {
    const fault = (s: string, a: string, w: string, extra = '') =>
      `<${s}:Envelope xmlns:${s}="${S}" xmlns:${a}="${A}"${extra}><${s}:Header><${a}:Action>http://hpc.microsoft.com/session/RetryOperationError</${a}:Action></${s}:Header><${s}:Body><${s}:Fault><${s}:Code><${s}:Value>${s}:Receiver</${s}:Value><${s}:Subcode><${s}:Value xmlns:${w}="${WCF}">${w}:InternalServiceFault</${s}:Value><${s}:Subcode><${s}:Value>${a}:DestinationUnreachable</${s}:Value></${s}:Subcode></${s}:Subcode></${s}:Code><${s}:Reason><${s}:Text xml:lang="en">boom</${s}:Text></${s}:Reason></${s}:Fault></${s}:Body></${s}:Envelope>`;
    const code = { namespace: S, name: 'Receiver' };
    const subcodes = [
      { namespace: WCF, name: 'InternalServiceFault' },
      { namespace: A, name: 'DestinationUnreachable' },
    ];
    for (const [s, a, w] of [
      ['s', 'a', 'w'],
      ['soap', 'wsa', 'd'],
      ['e', 'x', 'e2'],
    ] as const) {
      const envelope = fault(s, a, w);
      const { messages } = parseMessageArray(`<r>${envelope}</r>`, { requireEnd: false });
      const record = messages[0] as SoapFaultMessage;
      expect(record).toMatchObject({ kind: 'fault', code, subcodes, reason: 'boom' });
      expect(record.rawCode).toBe(`${s}:Receiver`);
      expect(record.rawSubcodes).toEqual([`${w}:InternalServiceFault`, `${a}:DestinationUnreachable`]);
      const parsed = parseFault({ status: 500, body: envelope });
      expect(parsed.soap).toEqual({
        code: record.code,
        subcodes: record.subcodes,
        rawCode: record.rawCode,
        rawSubcodes: record.rawSubcodes,
      });
      expect(parsed.code).toBe('DestinationUnreachable');
      expect(parsed.retriable).toBe(true);
    }
  });

  it('a fault code with no prefix takes the default namespace; an unbound prefix gives no namespace', () => {
    const envelope = (value: string, extra = '') =>
      `<r><s:Envelope xmlns:s="${S}"><s:Body><s:Fault${extra}><s:Code><s:Value>${value}</s:Value></s:Code><s:Reason><s:Text>x</s:Text></s:Reason></s:Fault></s:Body></s:Envelope></r>`;
    const read = (xml: string) =>
      (parseMessageArray(xml, { requireEnd: false }).messages[0] as SoapFaultMessage).code;
    expect(read(envelope('Receiver'))).toEqual({ namespace: '', name: 'Receiver' });
    expect(read(envelope('Receiver', ' xmlns="urn:d"'))).toEqual({ namespace: 'urn:d', name: 'Receiver' });
    expect(read(envelope(' q:Receiver '))).toEqual({ namespace: '', name: 'Receiver' });
  });

  it('gives the same records whatever the chunking, 1 byte at a time included', () => {
    const body = `<r xmlns:x="urn:x"><s:Envelope xmlns:s="${S}" xmlns:a="${A}"><s:Header><a:Action>act</a:Action></s:Header><s:Body><x:R><x:RResult>é😀</x:RResult></x:R></s:Body></s:Envelope></r>`;
    const bytes = new TextEncoder().encode(body);
    const whole = run(new MessageArrayReader({ requireEnd: false }), [bytes]);
    const pieces: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i++) pieces.push(bytes.subarray(i, i + 1));
    expect(run(new MessageArrayReader({ requireEnd: false }), pieces)).toEqual(whole);
    expect(whole.records[0]).toMatchObject({
      body: { result: 'é😀', xml: '<x:RResult>é😀</x:RResult>', namespaces: { x: 'urn:x' } },
    });
  });
});
