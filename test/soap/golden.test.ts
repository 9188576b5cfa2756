import { readFileSync } from 'node:fs';
import {
  MessageArrayReader,
  parseBrokerClientStatus,
  parseMessageArray,
  type SoapMessage,
  type SoapRecord,
  writeMessageArray,
} from 'batchwire/soap';
import { describe, expect, it } from 'vitest';
import { run } from '../support/chunks.js';
import { thrownBy } from '../support/errors.js';
import { parseFragment } from '../support/xml.js';

const samples = new URL('../../samples/', import.meta.url);
const sample = (name: string) => readFileSync(new URL(name, samples));

const S = 'http://www.w3.org/2003/05/soap-envelope';
const A = 'http://www.w3.org/2005/08/addressing';

function envelope(header: string, body: string, attrs = ''): string {
  return `<s:Envelope xmlns:s="${S}" xmlns:a="${A}"${attrs}><s:Header>${header}</s:Header><s:Body>${body}</s:Body></s:Envelope>`;
}
const END = (n: number, reason = 'Success') =>
  envelope(
    '<a:Action s:mustUnderstand="1">http://hpc.microsoft.com/EndOfGetResponse</a:Action>',
    `<EndOfResponses xmlns="http://tempuri.org/"><Count>${n}</Count><Reason>${reason}</Reason></EndOfResponses>`,
  );
const REPLY = (user: string, result = '1') =>
  envelope(
    `<a:Action s:mustUnderstand="1">http://tempuri.org/IService/EchoResponse</a:Action><HPCPack2008_Broker_UserDataNS xmlns="http://www.microsoft.com/hpc">${user}</HPCPack2008_Broker_UserDataNS>`,
    `<EchoResponse xmlns="http://tempuri.org/"><EchoResult>${result}</EchoResult></EchoResponse>`,
  );
const array = (...envelopes: string[]) =>
  `<HPCPack2008_WebAPI_MessageArray>${envelopes.join('')}</HPCPack2008_WebAPI_MessageArray>`;

const errorOf = thrownBy;

const SOLVE_XML =
  '<SolveResult i:type="d:Solution"><d:Residual>1E-09</d:Residual><d:Note><![CDATA[x < y && "done"]]></d:Note></SolveResult>';
const DETAIL_XML =
  '<SessionFault xmlns="http://hpc.microsoft.com/session/"><Code>16777225</Code><Context xmlns:b="http://schemas.microsoft.com/2003/10/Serialization/Arrays" i:nil="true"/><Reason>Service task failed</Reason></SessionFault>';

describe('SOAP message array: golden vectors', () => {
  it("reads the documentation's example (seed 001) with its ... replaced by real envelopes", () => {
    const { messages, end } = parseMessageArray(sample('soap-responses.xml'));
    expect(messages).toHaveLength(2);
    expect(messages[0]).toEqual({
      kind: 'response',
      action: 'http://tempuri.org/service_interface_name/service_reply_action_name',
      relatesTo: 'urn:uuid:b1cc0d55-db71-4379-a3df-a2c42c28573d',
      to: 'http://www.w3.org/2005/08/addressing/anonymous',
      requestAction: 'http://tempuri.org/service_interface_name/service_operation_name',
      userData: 'SOA_response1_user_data',
      body: {
        name: 'service_reply_action_name',
        namespace: 'http://tempuri.org/',
        result: 'SOA_response1_output_string',
        xml: '\n                <service_operation_nameResult>SOA_response1_output_string</service_operation_nameResult>\n            ',
        namespaces: { '': 'http://tempuri.org/' },
      },
    });
    expect(messages[1]).toMatchObject({
      userData: 'SOA_response2_user_data',
      body: { result: 'SOA_response2_output_string' },
    });
    expect(end).toEqual({ kind: 'end', count: 2, reason: 'Success', rawReason: 'Success', received: 2 });
  });

  it("reads the runtime's HPCServer2008_ names, other prefixes, a default-namespace envelope, BrokerInstanceUnavailable and a session fault", () => {
    const { messages, end } = parseMessageArray(sample('soap-runtime-mixed.xml'));
    expect(messages.map((m) => m.kind)).toEqual(['response', 'response', 'response', 'fault']);
    expect(messages[0]).toMatchObject({
      userData: 'task-1',
      clientId: 'client-7',
      requestAction: 'http://tempuri.org/ICalculator/Add',
      body: {
        name: 'AddResponse',
        result: '3',
        xml: '<AddResult>3</AddResult>',
        namespaces: { '': 'http://tempuri.org/' },
      },
    });
    // The XML as written; the declarations it uses from the root and the envelope beside it.
    const solve = messages[1]!;
    if (solve.kind !== 'response') throw new Error('expected a response');
    expect(solve.userData).toBe('task-2 & friends');
    expect(solve.body.result).toBeUndefined();
    expect(solve.body.xml).toBe(SOLVE_XML);
    expect(solve.body.namespaces).toEqual({
      '': 'http://tempuri.org/',
      i: 'http://www.w3.org/2001/XMLSchema-instance',
      d: 'http://schemas.datacontract.org/2004/07/Calc',
    });
    const [tree] = parseFragment(solve.body.xml, solve.body.namespaces);
    expect(tree!.children.map((c) => [c.name, c.namespace, c.text])).toEqual([
      ['Residual', 'http://schemas.datacontract.org/2004/07/Calc', '1E-09'],
      ['Note', 'http://schemas.datacontract.org/2004/07/Calc', 'x < y && "done"'],
    ]);
    expect(messages[2]).toMatchObject({
      kind: 'response',
      action: 'http://hpc.microsoft.com/BrokerInstanceUnavailable',
      body: { name: 'BrokerInstanceUnavailable', namespace: 'http://hpc.microsoft.com/' },
    });
    expect(messages[3]).toEqual({
      kind: 'fault',
      action: 'http://hpc.microsoft.com/session/SessionFault',
      relatesTo: 'urn:uuid:11111111-2222-4333-8444-555555555555',
      code: { namespace: S, name: 'Receiver' },
      subcodes: [{ namespace: A, name: 'DestinationUnreachable' }],
      rawCode: 's:Receiver',
      rawSubcodes: ['a:DestinationUnreachable'],
      reason: 'The service host crashed while processing the request.',
      detail: DETAIL_XML,
      // Declared on the Detail element, used inside it.
      detailNamespaces: { i: 'http://www.w3.org/2001/XMLSchema-instance' },
    });
    expect(end).toMatchObject({ count: 4, received: 4 });
  });

  it('matches namespaces by URI, never by prefix', () => {
    const odd = `<x:Envelope xmlns:x="${S}"><x:Header><y:Action xmlns:y="${A}">act</y:Action></x:Header><x:Body><q:R xmlns:q="urn:q"><q:RResult>v</q:RResult></q:R></x:Body></x:Envelope>`;
    const fake = `<s:Envelope xmlns:s="${S}" xmlns:a="urn:not-addressing"><s:Header><a:Action>ignored</a:Action></s:Header><s:Body><R/></s:Body></s:Envelope>`;
    const { messages } = parseMessageArray(`<root>${odd}</root>`, { requireEnd: false });
    expect(messages[0]).toMatchObject({
      action: 'act',
      body: { name: 'R', namespace: 'urn:q', result: 'v' },
    });
    expect(messages[0]?.kind === 'response' && messages[0].body).toMatchObject({
      xml: '<q:RResult>v</q:RResult>',
      namespaces: { q: 'urn:q' },
    });
    // An Action in another namespace is not the WS-Addressing Action.
    expect(errorOf(() => parseMessageArray(`<root>${fake}</root>`, { requireEnd: false })).code).toBe(
      'MALFORMED_RECORD',
    );
    // An Envelope in a namespace other than SOAP is not an envelope.
    expect(errorOf(() => parseMessageArray('<root><s:Envelope xmlns:s="urn:x"/></root>')).code).toBe(
      'MALFORMED_RECORD',
    );
  });

  it('gives each body the declarations its XML uses from outside, once, message after message', () => {
    const action = '<a:Action>http://tempuri.org/IService/MixResponse</a:Action>';
    const first = envelope(
      action,
      '<p:Mix xmlns:p="urn:p" xmlns="urn:d"><One>1</One><p:Two/><Three xmlns="urn:own"><p:x/></Three><Four a:y="1">4</Four></p:Mix>',
    );
    // Fewer children that need declarations than the message before: nothing may carry over.
    const second = envelope(action, '<Mix xmlns="urn:d"><One>1</One><Two xmlns="urn:two"/></Mix>');
    const third = envelope(action, '<Mix xmlns="urn:d"/>');
    const { messages } = parseMessageArray(array(first, second, third, END(3)));
    const bodies = messages.map((m) => (m.kind === 'response' ? [m.body.xml, m.body.namespaces] : []));
    expect(bodies).toEqual([
      // In order of first use; a declaration made inside the XML (urn:own) is not repeated.
      [
        '<One>1</One><p:Two/><Three xmlns="urn:own"><p:x/></Three><Four a:y="1">4</Four>',
        { '': 'urn:d', p: 'urn:p', a: A },
      ],
      // Fewer than the message before: nothing may carry over.
      ['<One>1</One><Two xmlns="urn:two"/>', { '': 'urn:d' }],
      ['', {}],
    ]);
    const [, , three] = parseFragment(bodies[0]![0] as string, bodies[0]![1] as Record<string, string>);
    expect([three!.namespace, three!.children[0]!.namespace]).toEqual(['urn:own', 'urn:p']);
  });

  it('reads SOAP 1.1 faults (faultcode, faultstring, detail)', () => {
    const soap11 = `<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body><e:Fault><faultcode>e:Server</faultcode><faultstring xml:lang="en">Broker is down</faultstring><detail><x:Info xmlns:x="urn:x">42</x:Info></detail></e:Fault></e:Body></e:Envelope>`;
    const { messages } = parseMessageArray(array(soap11, END(1)));
    expect(messages).toEqual([
      {
        kind: 'fault',
        code: { namespace: 'http://schemas.xmlsoap.org/soap/envelope/', name: 'Server' },
        subcodes: [],
        rawCode: 'e:Server',
        rawSubcodes: [],
        reason: 'Broker is down',
        detail: '<x:Info xmlns:x="urn:x">42</x:Info>',
        detailNamespaces: {},
      },
    ]);
  });

  it('reads EndOfResponses reasons by name or number, and checks the count', () => {
    expect(parseMessageArray(array(REPLY('u'), END(1, '2'))).end).toMatchObject({
      reason: 'ClientTimeout',
      rawReason: '2',
    });
    expect(parseMessageArray(array(END(0, 'ClientPurged'))).end).toMatchObject({
      count: 0,
      reason: 'ClientPurged',
    });
    const mismatch = errorOf(() => parseMessageArray(array(REPLY('u'), END(3))));
    expect(mismatch.code).toBe('COUNT_MISMATCH');
    expect(parseMessageArray(array(REPLY('u'), END(3)), { verifyCount: false }).end?.count).toBe(3);
    expect(errorOf(() => parseMessageArray(array(END(-1)))).code).toBe('MALFORMED_RECORD');
  });

  it('decodes the five entities, character references and CDATA, and joins text sax splits', () => {
    const long = 'x'.repeat(200_000);
    const { messages } = parseMessageArray(
      array(REPLY('&lt;&amp;&gt;&quot;&apos;&#x1F600;&#233;<![CDATA[<]]>', long), END(1)),
    );
    expect(messages[0]).toMatchObject({ userData: '<&>"\'😀é<', body: { result: long } });
  });

  it('reads UTF-16LE and UTF-16BE bodies by BOM, by sniffing and by Content-Type', () => {
    const text = array(REPLY('é😀'), END(1));
    const le = new Uint8Array(Buffer.from(text, 'utf16le'));
    const be = new Uint8Array(Buffer.from(text, 'utf16le').swap16());
    for (const [bytes, options] of [
      [new Uint8Array([0xff, 0xfe, ...le]), {}],
      [new Uint8Array([0xfe, 0xff, ...be]), {}],
      [le, {}],
      [be, {}],
      [le, { contentType: 'text/xml; charset=utf-16' }],
    ] as const) {
      expect(parseMessageArray(bytes, options).messages[0]).toMatchObject({ userData: 'é😀' });
    }
  });

  it('writes what it reads: the seed array round-trips through writeMessageArray', () => {
    const { messages, end } = parseMessageArray(sample('soap-runtime-mixed.xml'));
    for (const flavour of ['HPCPack2008', 'HPCServer2008'] as const) {
      const again = parseMessageArray(writeMessageArray([...messages, end!], { flavour, declaration: true }));
      expect(again.messages).toEqual(messages);
      expect(again.end).toEqual(end);
    }
  });
});

describe('SOAP message array: hostile and broken input', () => {
  it('refuses any DOCTYPE, before any entity could expand', () => {
    const bomb = `<!DOCTYPE a [<!ENTITY x "xxxxxxxx"><!ENTITY y "&x;&x;&x;&x;">]>${array(REPLY('&y;'), END(1))}`;
    expect(errorOf(() => parseMessageArray(bomb)).code).toBe('DOCTYPE_FORBIDDEN');
    expect(errorOf(() => parseMessageArray(`<!DOCTYPE a SYSTEM "file:///etc/passwd">${array()}`)).code).toBe(
      'DOCTYPE_FORBIDDEN',
    );
  });

  it('treats HTML entities as errors, with offset, line and column', () => {
    const error = errorOf(() => parseMessageArray(`<a>\n  &nbsp;</a>`));
    expect(error.code).toBe('XML_SYNTAX');
    expect(error.line).toBe(2);
    expect(error.offset).toBeGreaterThanOrEqual(6);
    expect(error.offset).toBeLessThanOrEqual(11);
  });

  it('gives byte offsets for byte input and character offsets for text', () => {
    const text = `<a>é😀</c></a>`;
    expect(errorOf(() => parseMessageArray(text)).offset).toBe(text.indexOf('</c>') + 3);
    expect(errorOf(() => parseMessageArray(new TextEncoder().encode(text))).offset).toBe(
      new TextEncoder().encode(text.slice(0, text.indexOf('</c>') + 3)).length,
    );
  });

  it('yields every complete message before TRUNCATED', () => {
    const body = array(REPLY('1'), REPLY('2'), END(2));
    const cut = body.slice(0, body.indexOf('</s:Envelope>', body.indexOf('>2<')) + 5);
    const outcome = run(new MessageArrayReader(), [cut]);
    expect(outcome.records.map((r) => r.kind === 'response' && r.userData)).toEqual(['1']);
    expect(outcome.error?.code).toBe('TRUNCATED');
    // Closing tag present but no EndOfResponses: also truncated, after the messages.
    const noEnd = run(new MessageArrayReader(), [array(REPLY('1'))]);
    expect(noEnd.records).toHaveLength(1);
    expect(noEnd.error?.code).toBe('TRUNCATED');
    expect(run(new MessageArrayReader({ requireEnd: false }), [array(REPLY('1'))]).error).toBeUndefined();
    expect(run(new MessageArrayReader(), ['']).error?.code).toBe('TRUNCATED');
  });

  it('enforces depth, message size and text limits', () => {
    const deep = `${'<d>'.repeat(100)}${'</d>'.repeat(100)}`;
    const nested = array(envelope('<a:Action>x</a:Action>', `<R>${deep}</R>`), END(1));
    expect(errorOf(() => parseMessageArray(nested)).code).toBe('LIMIT_EXCEEDED');
    expect(parseMessageArray(nested, { maxDepth: 200 }).messages).toHaveLength(1);
    const big = array(REPLY('u', 'y'.repeat(5000)), END(1));
    expect(errorOf(() => parseMessageArray(big, { maxMessageBytes: 2000 })).code).toBe('LIMIT_EXCEEDED');
    expect(errorOf(() => parseMessageArray(big, { maxTextLength: 1000 })).code).toBe('LIMIT_EXCEEDED');
    // Size is checked at chunk ends too, so a huge envelope never sits in memory whole.
    const chunks = [array(REPLY('u', 'z'.repeat(3000))).slice(0, 1500), 'z'.repeat(3000)];
    expect(run(new MessageArrayReader({ maxMessageBytes: 2000 }), chunks).error?.code).toBe('LIMIT_EXCEEDED');
  });

  it('refuses an envelope after EndOfResponses, a second root, and an XML declaration in another charset', () => {
    expect(errorOf(() => parseMessageArray(array(END(0), REPLY('late')))).code).toBe('TRAILING_DATA');
    expect(errorOf(() => parseMessageArray(`${array(END(0))}<again/>`)).code).toBe('XML_SYNTAX');
    const latin1 = new TextEncoder().encode(`<?xml version="1.0" encoding="ISO-8859-1"?>${array(END(0))}`);
    expect(errorOf(() => parseMessageArray(latin1)).code).toBe('INVALID_ENCODING');
    expect(errorOf(() => parseMessageArray(new Uint8Array([0x3c, 0x61, 0x3e, 0xff, 0x3c]))).code).toBe(
      'INVALID_ENCODING',
    );
  });

  it('reads attributes named after Object.prototype members like any other (sax used to crash on them)', () => {
    // sax called tag.attributes.hasOwnProperty(name), which an earlier attribute of that name
    // shadowed; saxes keeps attributes in prototype-free objects.
    for (const name of ['hasOwnProperty', '__proto__', 'constructor', 'toString']) {
      const text = array(
        envelope('<a:Action>x</a:Action>', `<R ${name}="1" b="2"><RResult>v</RResult></R>`),
        END(1),
      );
      expect((parseMessageArray(text).messages[0] as SoapMessage).body.result).toBe('v');
    }
    expect(errorOf(() => parseBrokerClientStatus('<BrokerClientStatus hasOwnProperty="" x=""/>')).code).toBe(
      'UNKNOWN_STATUS',
    );
    // Twice the same attribute is not well-formed, whatever its name.
    const twice = array(
      envelope('<a:Action>x</a:Action>', '<R hasOwnProperty="1" hasOwnProperty="2"/>'),
      END(1),
    );
    expect(errorOf(() => parseMessageArray(twice)).code).toBe('XML_SYNTAX');
  });

  it('refuses envelopes without a Body or an Action, and unbound prefixes', () => {
    const noBody = `<s:Envelope xmlns:s="${S}"><s:Header/></s:Envelope>`;
    expect(errorOf(() => parseMessageArray(array(noBody, END(1)))).code).toBe('MALFORMED_RECORD');
    expect(errorOf(() => parseMessageArray(array(envelope('', '<R/>'), END(1)))).code).toBe(
      'MALFORMED_RECORD',
    );
    expect(errorOf(() => parseMessageArray(array(envelope('', '<R><p:x/></R>'), END(1)))).code).toBe(
      'XML_SYNTAX',
    );
  });
});

describe('BrokerClientStatus', () => {
  it('reads the XML element and the JSON number', () => {
    expect(parseBrokerClientStatus(sample('status-finished.xml'))).toBe('Finished');
    expect(parseBrokerClientStatus(sample('status-processing.json'), 'application/json')).toBe('Processing');
    expect(parseBrokerClientStatus('0')).toBe('Unknown');
    expect(parseBrokerClientStatus(' 1 ', 'application/json; charset=utf-8')).toBe('Ready');
    expect(parseBrokerClientStatus('"Finished"', 'application/json')).toBe('Finished');
    const utf16 = new Uint8Array([
      0xff,
      0xfe,
      ...Buffer.from(
        '<BrokerClientStatus xmlns="http://hpc.microsoft.com">Ready</BrokerClientStatus>',
        'utf16le',
      ),
    ]);
    expect(parseBrokerClientStatus(utf16)).toBe('Ready');
    expect(
      parseBrokerClientStatus(
        '<s:BrokerClientStatus xmlns:s="http://hpc.microsoft.com"> Processing </s:BrokerClientStatus>',
      ),
    ).toBe('Processing');
  });

  it('gives UNKNOWN_STATUS for anything else, and XML errors for broken XML', () => {
    for (const body of [
      '4',
      '-1',
      '1.5',
      'null',
      '',
      '{}',
      'Done',
      '<BrokerClientStatus>Done</BrokerClientStatus>',
      '<Other>Ready</Other>',
      '<BrokerClientStatus><x/></BrokerClientStatus>',
    ]) {
      expect(errorOf(() => parseBrokerClientStatus(body)).code).toBe('UNKNOWN_STATUS');
    }
    expect(errorOf(() => parseBrokerClientStatus('<BrokerClientStatus>Ready')).code).toBe('TRUNCATED');
    expect(errorOf(() => parseBrokerClientStatus('<!DOCTYPE x><BrokerClientStatus/>')).code).toBe(
      'DOCTYPE_FORBIDDEN',
    );
  });
});

describe('writeMessageArray', () => {
  it('writes the documented shape, escaping every value', () => {
    const records: SoapRecord[] = [];
    const xml = writeMessageArray([
      {
        action: 'http://tempuri.org/IService/EchoResponse',
        userData: ']]><x>',
        body: { name: 'EchoResponse', namespace: 'http://tempuri.org/', result: 'a\r\nb' },
      },
      { kind: 'end' },
    ]);
    expect(xml).toContain(
      '<HPCPack2008_Broker_UserDataNS xmlns="http://www.microsoft.com/hpc">]]&gt;&lt;x&gt;</HPCPack2008_Broker_UserDataNS>',
    );
    expect(xml).toContain('<EchoResult>a&#xD;\nb</EchoResult>');
    records.push(...run(new MessageArrayReader(), [xml]).records);
    expect(records[0]).toMatchObject({ userData: ']]><x>', body: { result: 'a\r\nb' } });
    expect(records[1]).toMatchObject({ kind: 'end', count: 1, reason: 'Success' });
  });

  it('refuses values XML cannot carry, markup that is not a balanced fragment, and bad names', () => {
    const body = { name: 'R', namespace: '' };
    expect(errorOf(() => writeMessageArray([{ action: 'a\u0001', body }])).code).toBe('INVALID_FIELD');
    expect(errorOf(() => writeMessageArray([{ action: '\ud800', body }])).code).toBe('INVALID_FIELD');
    for (const xml of [
      '</R></s:Body></s:Envelope><s:Envelope>',
      '<a>',
      '</a>',
      '<a/><!DOCTYPE x>',
      '<?xml version="1.0"?><a/>',
      '&nbsp;',
    ]) {
      expect(errorOf(() => writeMessageArray([{ action: 'a', body: { ...body, xml } }])).code).toBe(
        'INVALID_FIELD',
      );
    }
    expect(
      errorOf(() => writeMessageArray([{ action: 'a', body: { name: 'x y', namespace: '' } }])).code,
    ).toBe('INVALID_FIELD');
    expect(
      errorOf(() => writeMessageArray([{ action: 'a', body: { name: 'p:x', namespace: '' } }])).code,
    ).toBe('INVALID_FIELD');
    expect(errorOf(() => writeMessageArray([{ kind: 'end' }, { action: 'a', body }])).code).toBe(
      'INVALID_FIELD',
    );
  });
});

describe('header blocks by namespace and exact local name', () => {
  const H = 'xmlns:h="http://www.microsoft.com/hpc"';
  const read = (header: string) =>
    parseMessageArray(
      array(envelope(`<a:Action>act</a:Action>${header}`, '<R xmlns="urn:r">1</R>', ` ${H}`), END(1)),
    ).messages[0];

  it('reads MessageID, the HPC MessageIdNS and both broker name flavours', () => {
    expect(
      read(
        '<a:MessageID>urn:uuid:1</a:MessageID><a:To>t</a:To><h:HPCServer2008_Broker_UserDataNS>u</h:HPCServer2008_Broker_UserDataNS><HPCPack2008_Broker_ClientIdNS xmlns="http://www.microsoft.com/hpc">c</HPCPack2008_Broker_ClientIdNS>',
      ),
    ).toMatchObject({ action: 'act', messageId: 'urn:uuid:1', to: 't', userData: 'u', clientId: 'c' });
    expect(read('<h:HPCPack2008_Broker_MessageIdNS>m-2</h:HPCPack2008_Broker_MessageIdNS>')).toMatchObject({
      messageId: 'm-2',
    });
  });

  it('ignores near names and other namespaces', () => {
    const m = read(
      '<a:Actions>x</a:Actions><a:Relates>x</a:Relates><h:HPCPack2008_Broker_UserDataNSx>x</h:HPCPack2008_Broker_UserDataNSx><h:HPCPack2008_Broker_>x</h:HPCPack2008_Broker_><To xmlns="urn:other">x</To><h:Action>x</h:Action>',
    );
    expect(m).toMatchObject({ action: 'act' });
    for (const key of ['relatesTo', 'userData', 'to', 'messageId']) expect(m).not.toHaveProperty(key);
  });
});
