// Issue 22: for every array the writer accepts, parseMessageArray(writeMessageArray(x)) gives x
// back exactly. The arrays are records as the reader gives them, built with any text in every
// text field (controls, lone surrogates, CR, ']]>', '&', spaces around the closing action), any
// prefixes and URIs, fragments with references, CDATA, comments and PIs: the writer refuses
// what it cannot write, and whatever it writes reads back as it was.
import { fc } from 'batchwire/arbitraries';
import {
  isBatchwireError,
  parseMessageArray,
  type SoapFaultMessage,
  type SoapMessage,
  type SoapRecord,
  writeMessageArray,
} from 'batchwire/soap';
import { describe, expect, it } from 'vitest';

const S = 'http://www.w3.org/2003/05/soap-envelope';
const A = 'http://www.w3.org/2005/08/addressing';
const END = 'http://hpc.microsoft.com/EndOfGetResponse';

// Mostly text the writer can carry; sometimes what it must refuse (controls, lone surrogates).
const text = fc.oneof(
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  {
    weight: 8,
    arbitrary: fc.string({
      unit: fc.constantFrom('a', ' ', '\r', '\n', '\t', '&', '<', '>', ']]>', '"', "'", 'é', '😀'),
      maxLength: 10,
    }),
  },
  { weight: 1, arbitrary: fc.constantFrom(END, ` ${END}\n`, `${END}x`, '', '\u0000', '\ud800', '\uffff') },
);
const prefix = fc.constantFrom('p', 'q', 'ns0', 'x_1', 'é');
const uri = fc.oneof(
  fc.constantFrom('urn:a', 'http://tempuri.org/', 'urn:a&b<c>"'),
  text.filter((u) => u !== ''),
);
const name = fc.constantFrom('R', 'AddResponse', 'Échange', 'x.y-z');

// An element content fragment that uses `p` (bound outside it) and, if given, the default namespace.
const fragment = fc
  .record({
    p: prefix,
    useDefault: fc.boolean(),
    value: text,
    extra: fc.constantFrom('', '<![CDATA[<a>&]]>', '<!-- c < -->', '<?pi <x?>', '&amp;&#x20;&lt;', '\r\n'),
  })
  .map(({ p, useDefault, value, extra }) => {
    const safe = value
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;');
    const inner = `<${p}:E ${p}:a="${safe}">${safe}${extra}</${p}:E>`;
    return { p, useDefault, xml: useDefault ? `<D>${inner}</D>` : inner };
  });

const body = fc
  .record({
    name,
    namespace: uri,
    fragment,
    inner: uri,
    outer: uri,
    resultOnly: fc.boolean(),
    result: text,
    // What the writer must refuse: a declaration the fragment does not use, a result it does not hold.
    unused: fc.option(fc.tuple(fc.constantFrom('u', 'p', ''), uri), { freq: 4 }),
    wrongResult: fc.option(text, { freq: 4 }),
  })
  .map(({ name, namespace, fragment: f, inner, outer, resultOnly, result, unused, wrongResult }) => {
    const record = build(name, namespace, f, inner, outer, resultOnly, result);
    if (unused !== null && !(unused[0] in record.namespaces)) record.namespaces[unused[0]] = unused[1];
    if (wrongResult !== null) record.result = wrongResult;
    return record;
  });

function build(
  name: string,
  namespace: string,
  f: { p: string; useDefault: boolean; xml: string },
  inner: string,
  outer: string,
  resultOnly: boolean,
  result: string,
): { name: string; namespace: string; result?: string; xml: string; namespaces: Record<string, string> } {
  {
    if (resultOnly) {
      // The usual WCF reply: one ...Result child holding text, in the body element's namespace.
      const safe = result
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/\r/g, '&#xD;');
      return { name, namespace, result, xml: `<OpResult>${safe}</OpResult>`, namespaces: { '': namespace } };
    }
    const namespaces: Record<string, string> = f.useDefault ? { '': inner, [f.p]: outer } : { [f.p]: outer };
    return { name, namespace, xml: f.xml, namespaces };
  }
}

const response = fc
  .record(
    {
      action: text,
      relatesTo: text,
      messageId: text,
      to: text,
      requestAction: text,
      userData: text,
      clientId: text,
      body,
    },
    { requiredKeys: ['action', 'body'] },
  )
  .map((m): SoapMessage => ({ kind: 'response', ...m }));

const qname = fc
  .record({ p: fc.constantFrom('s', 'a', '', 'c', 'w'), local: name, namespace: uri })
  .map(({ p, local, namespace }) => ({
    code: { namespace: p === 's' ? S : p === 'a' ? A : p === '' ? '' : namespace, name: local },
    raw: p === '' ? local : `${p}:${local}`,
  }));

const fault = fc
  .record(
    {
      action: text,
      relatesTo: text,
      userData: text,
      reason: text,
      code: qname,
      subcodes: fc.array(qname, { maxLength: 3 }),
      detail: fragment,
      outer: uri,
    },
    { requiredKeys: ['reason', 'code', 'subcodes', 'outer'] },
  )
  .map(({ code, subcodes, detail, outer, ...rest }): SoapFaultMessage => {
    const record: SoapFaultMessage = {
      kind: 'fault',
      ...rest,
      code: code.code,
      subcodes: subcodes.map((s) => s.code),
      rawCode: code.raw,
      rawSubcodes: subcodes.map((s) => s.raw),
    };
    if (detail !== undefined) {
      record.detail = detail.useDefault
        ? detail.xml.replace('<D>', '<s:D>').replace('</D>', '</s:D>')
        : detail.xml;
      record.detailNamespaces = { [detail.p]: outer };
    }
    return record;
  });

const records = fc.array(fc.oneof({ weight: 3, arbitrary: response }, { weight: 1, arbitrary: fault }), {
  maxLength: 4,
});

describe('soap round trip: what the writer accepts reads back exactly', () => {
  it('refuses a namespaces entry the fragment does not use, and a result the fragment does not hold', () => {
    const message = (body: object) => ({ action: 'urn:a', body: { name: 'R', namespace: 'urn:r', ...body } });
    const code = (body: object) => {
      try {
        writeMessageArray([message(body)]);
        return 'accepted';
      } catch (error) {
        return isBatchwireError(error) ? error.code : 'foreign';
      }
    };
    expect(code({ xml: '<x/>', namespaces: { p: 'urn:unused' } })).toBe('INVALID_FIELD');
    expect(code({ xml: '<p:x/>', namespaces: { p: 'urn:p', '': 'urn:d' } })).toBe('INVALID_FIELD');
    expect(code({ xml: '<x/>', namespaces: { '': 'urn:d' } })).toBe('accepted');
    expect(code({ xml: '<p:x/>', namespaces: { p: 'urn:p' } })).toBe('accepted');
    expect(code({ xml: '<OpResult>yes</OpResult>', result: 'no', namespaces: {} })).toBe('INVALID_FIELD');
    expect(code({ xml: '<OpResult>yes</OpResult>', result: 'yes', namespaces: {} })).toBe('accepted');
    // xsi:type names its type by a prefix: that declaration is used.
    expect(
      code({
        xml: '<v i:type="t:T"/>',
        namespaces: { i: 'http://www.w3.org/2001/XMLSchema-instance', t: 'urn:t' },
      }),
    ).toBe('accepted');
  });

  it('parseMessageArray(writeMessageArray(x)) = x, for every x the writer accepts', () => {
    let accepted = 0;
    let refused = 0;
    let faults = 0;
    fc.assert(
      fc.property(
        records,
        fc.constantFrom('HPCPack2008' as const, 'HPCServer2008' as const),
        (x, flavour) => {
          let written: string;
          try {
            written = writeMessageArray([...x, { kind: 'end', reason: 'Success' }], { flavour });
          } catch (error) {
            if (!isBatchwireError(error)) throw error;
            expect(error.code).toBe('INVALID_FIELD');
            refused++;
            return;
          }
          accepted++;
          if (x.some((r) => r.kind === 'fault' && r.detail !== undefined && r.subcodes.length > 0)) faults++;
          const read = parseMessageArray(written);
          expect(read.messages).toEqual(x as SoapRecord[]);
          expect(read.end).toMatchObject({ kind: 'end', count: x.length, received: x.length });
        },
      ),
      { numRuns: 800 },
    );
    // Both sides of the property are exercised.
    expect(accepted).toBeGreaterThan(40);
    expect(refused).toBeGreaterThan(40);
    expect(faults).toBeGreaterThan(5);
  });
});
