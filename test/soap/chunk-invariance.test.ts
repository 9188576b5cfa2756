// Issue 22, the SOAP reader's hostile round: a chunk boundary anywhere (inside a reference in an
// attribute of a top-level body child, inside CDATA, a comment or a PI holding '<', inside a CR LF
// pair, a multi-byte character or a surrogate pair) gives exactly the records of the whole input.
// Documents are built from the markup that broke it before; every split position is tried.
import { fc } from 'batchwire/arbitraries';
import { MessageArrayReader, parseMessageArray, type SoapRecord } from 'batchwire/soap';
import { describe, expect, it } from 'vitest';
import { type Outcome, run, splitAt } from '../support/chunks.js';

const S = 'http://www.w3.org/2003/05/soap-envelope';
const S11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const A = 'http://www.w3.org/2005/08/addressing';
const HPC = 'http://www.microsoft.com/hpc';
const END = 'http://hpc.microsoft.com/EndOfGetResponse';

// Text with references, line ends and characters of 2, 3 and 4 UTF-8 bytes (a surrogate pair).
const text = fc
  .array(
    fc.constantFrom(
      'a',
      'Zz',
      ' ',
      '\r\n',
      '\r',
      '\n',
      '&amp;',
      '&lt;',
      '&gt;',
      '&quot;',
      '&apos;',
      '&#38;',
      '&#x3C;',
      '&#x1F600;',
      '&#13;',
      'é',
      '€',
      '😀',
      '𝄞',
      ']',
      ']]',
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(''));
// Attribute values: the same, without '<' and with the quote escaped.
const value = text.map((t) => t.replace(/"/g, '&quot;'));

// Markup a body may hold between its children: CDATA, comments and PIs with '<' in them.
const aside = fc.constantFrom(
  '<![CDATA[<b>&amp;</b>]]>',
  '<![CDATA[]]]]><![CDATA[>]]>',
  '<![CDATA[a\r\nb]]]>',
  '<!-- <x> & - -->',
  '<!---->',
  '<?pi <x y="1"?>?>',
  '<?pi?>',
  '\r\n  ',
  '',
);

// A top-level body child: prefixed or default, attributes with references, inherited prefixes.
const child = fc
  .record({
    name: fc.constantFrom('x:Item', 'Item', 'y:Link', 'x:OpResult', 'OpResult', 'Count'),
    href: value,
    other: value,
    prefixed: fc.boolean(),
    content: fc.oneof(
      text,
      fc.tuple(text, aside, text).map(([a, b, c]) => a + b + c),
      text.map((t) => `<x:Inner z:q="${t.replace(/"/g, '&quot;')}">${t}</x:Inner>`),
      fc.constant(''),
    ),
    empty: fc.boolean(),
    declares: fc.boolean(),
  })
  .map(({ name, href, other, prefixed, content, empty, declares }) => {
    const attributes = `href="${href}"${prefixed ? ` y:k='${other.replace(/'/g, '&apos;')}'` : ''}${declares ? ' xmlns:w="urn:w"' : ''}`;
    return empty ? `<${name} ${attributes}/>` : `<${name}\r\n ${attributes}>${content}</${name}>`;
  });

const response = fc
  .record({
    action: text,
    userData: text,
    messageId: text,
    children: fc.array(fc.tuple(aside, child), { maxLength: 4 }),
    bodyDefault: fc.boolean(),
  })
  .map(
    ({ action, userData, messageId, children, bodyDefault }) =>
      `<s:Envelope xmlns:a="${A}"><s:Header><a:Action s:mustUnderstand="1">urn:act${action}</a:Action>` +
      `<a:MessageID>${messageId}</a:MessageID><!-- h < --><?h <?>` +
      `<HPCServer2008_Broker_UserDataNS xmlns="${HPC}">${userData}</HPCServer2008_Broker_UserDataNS>` +
      `</s:Header>\r\n<s:Body><x:OpResponse${bodyDefault ? ' xmlns="urn:body-default"' : ''}>` +
      `${children.map(([a, c]) => a + c).join('')}</x:OpResponse></s:Body></s:Envelope>`,
  );

const fault = fc
  .record({ reason: text, detail: fc.array(fc.tuple(aside, child), { maxLength: 3 }), soap11: fc.boolean() })
  .map(({ reason, detail, soap11 }) => {
    const inner = detail.map(([a, c]) => a + c).join('');
    return soap11
      ? `<e:Envelope xmlns:e="${S11}" xmlns=""><e:Body><e:Fault><faultcode>e:Server</faultcode>` +
          `<faultstring>${reason}</faultstring><detail>${inner}</detail></e:Fault></e:Body></e:Envelope>`
      : `<s:Envelope><s:Body><s:Fault><s:Code><s:Value>s:Receiver</s:Value></s:Code>` +
          `<s:Reason><s:Text xml:lang="en">${reason}</s:Text></s:Reason>` +
          `<s:Detail x:a="&lt;&#x20;">${inner}</s:Detail></s:Fault></s:Body></s:Envelope>`;
  });

/** A message array whose root declares what its envelopes inherit (a long URI among them). */
const document = fc
  .record({
    envelopes: fc.array(fc.oneof({ weight: 3, arbitrary: response }, { weight: 1, arbitrary: fault }), {
      minLength: 1,
      maxLength: 3,
    }),
    declaration: fc.boolean(),
    rootDefault: fc.boolean(),
    long: fc.integer({ min: 1, max: 120 }),
  })
  .map(({ envelopes, declaration, rootDefault, long }) => {
    const end =
      `<s:Envelope xmlns:a="${A}"><s:Header><a:Action>\r\n ${END} </a:Action></s:Header>` +
      `<s:Body><EndOfResponses xmlns="http://tempuri.org/"><Count>${envelopes.length}</Count>` +
      `<Reason>Success</Reason></EndOfResponses></s:Body></s:Envelope>`;
    return (
      `${declaration ? '<?xml version="1.0" encoding="utf-8"?>\r\n' : ''}<!-- < -->\r\n<?pi <?>\r\n` +
      `<r xmlns:s="${S}" xmlns:x="urn:x:${'long/'.repeat(long)}" xmlns:y="urn:y" xmlns:z="urn:z"` +
      `${rootDefault ? ' xmlns="urn:root-default"' : ''}>\r\n${envelopes.join('\r\n')}\r\n${end}\r\n</r>\r\n`
    );
  });

function utf16le(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'utf16le'));
}

function read(chunks: Iterable<Uint8Array | string>): Outcome<SoapRecord> {
  return run(new MessageArrayReader(), chunks);
}

// The in-memory result, checked to be a whole, error-free array that holds the markup under test.
function wholeResult(xml: string): Outcome<SoapRecord> {
  const whole = read([xml]);
  expect(whole.error).toBeUndefined();
  const parsed = parseMessageArray(xml);
  expect([...parsed.messages, parsed.end]).toEqual(whole.records);
  return whole;
}

describe('SOAP reader chunk invariance (every split position)', () => {
  it('the documents hold what broke the reader before: hrefs with references, inherited namespaces', () => {
    const [xml] = fc.sample(document, { numRuns: 1, seed: 22 });
    const records = wholeResult(xml!).records;
    expect(records.at(-1)).toMatchObject({ kind: 'end' });
    const sample = fc.sample(document, { numRuns: 50, seed: 7 });
    const bodies = sample.flatMap((x) =>
      parseMessageArray(x).messages.flatMap((m) => (m.kind === 'response' ? [m.body] : [])),
    );
    // References stay as written in body.xml; the namespaces its prefixes need come beside it.
    expect(bodies.some((b) => /href="[^"]*&(amp|#38|lt);/.test(b.xml))).toBe(true);
    expect(bodies.some((b) => b.namespaces.x?.startsWith('urn:x:long/'))).toBe(true);
    expect(bodies.some((b) => b.xml.includes('<![CDATA[') && b.xml.includes('\r\n'))).toBe(true);
  });

  it('string input split at every position gives the records of the whole string', () => {
    fc.assert(
      fc.property(document, (xml) => {
        const whole = wholeResult(xml);
        for (let p = 0; p <= xml.length; p++) {
          const split = read([xml.slice(0, p), xml.slice(p)]);
          if (split.error !== undefined || split.records.length !== whole.records.length)
            expect({ at: p, ...split }).toEqual({ at: p, ...whole });
          expect(split.records).toEqual(whole.records);
        }
      }),
      { numRuns: 15 },
    );
  });

  it('UTF-8 bytes split at every position (inside multi-byte characters too)', () => {
    fc.assert(
      fc.property(document, (xml) => {
        const whole = wholeResult(xml);
        const bytes = new TextEncoder().encode(xml);
        for (let p = 0; p <= bytes.length; p++) {
          const split = read([bytes.subarray(0, p), bytes.subarray(p)]);
          expect(split.error, `at byte ${p}`).toBeUndefined();
          expect(split.records).toEqual(whole.records);
        }
      }),
      { numRuns: 12 },
    );
  });

  it('UTF-16 bytes split at every position (inside code units and surrogate pairs)', () => {
    fc.assert(
      fc.property(document, (xml) => {
        const whole = wholeResult(xml);
        const bytes = utf16le(`\ufeff${xml}`);
        for (let p = 0; p <= bytes.length; p++) {
          const split = read([bytes.subarray(0, p), bytes.subarray(p)]);
          expect(split.error, `at byte ${p}`).toBeUndefined();
          expect(split.records).toEqual(whole.records);
        }
      }),
      { numRuns: 12 },
    );
  });

  it('1-character, 1-byte and random chunks, in UTF-8, UTF-16 and strings', () => {
    const cuts = fc.array(fc.nat({ max: 4000 }), { maxLength: 60 });
    fc.assert(
      fc.property(document, cuts, (xml, points) => {
        const whole = wholeResult(xml).records;
        const utf8 = new TextEncoder().encode(xml);
        const utf16 = utf16le(`\ufeff${xml}`);
        expect(read([...xml]).records).toEqual(whole);
        expect(read(Array.from(utf8, (_, i) => utf8.subarray(i, i + 1))).records).toEqual(whole);
        expect(read(Array.from(utf16, (_, i) => utf16.subarray(i, i + 1))).records).toEqual(whole);
        expect(read(splitAt(xml, points)).records).toEqual(whole);
        expect(read(splitAt(utf8, points)).records).toEqual(whole);
        expect(read(splitAt(utf16, points)).records).toEqual(whole);
      }),
      { numRuns: 40 },
    );
  });
});
