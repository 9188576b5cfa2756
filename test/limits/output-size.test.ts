// Issue 12: output bounded by a documented multiple of the input plus a constant, for every
// decoder, validator and formatter of the generic codec, faults, status documents and request
// descriptors. The bounds tested here are the ones the README's "Limits" section states.
import { isBatchwireError } from 'batchwire';
import {
  dliBatchStateBody,
  faultBody,
  fc,
  genericRequestsBody,
  genericResponsesBody,
  jobPrepReleasePageBody,
  mutate,
  soapMessageArray,
} from 'batchwire/arbitraries';
import { formatDotNet, parseFault } from 'batchwire/faults';
import {
  decodeGenericBody,
  encodeGenericRequests,
  encodeGenericResponses,
  GenericRequestDecoder,
  GenericResponseDecoder,
} from 'batchwire/generic';
import { azureBatch, dli, encodePathSegment, hpcPack } from 'batchwire/requests';
import { MessageArrayReader, type SoapReadOptions, type SoapRecord } from 'batchwire/soap';
import { parseDliBatchState, parseJobPrepReleaseStatusPage } from 'batchwire/status';
import { describe, expect, it } from 'vitest';
import { outputSize } from '../stress/harness.js';

const RUNS = { numRuns: 150 };

/** Characters in every string of a value (keys included), walked without recursion. */
function textIn(value: unknown): number {
  let total = 0;
  const stack = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') total += item.length;
    else if (typeof item === 'object' && item !== null && !(item instanceof Date)) {
      for (const key of Object.keys(item)) {
        total += key.length;
        stack.push((item as Record<string, unknown>)[key]);
      }
    }
  }
  return total;
}

/** What a call ends in: its value, or the BatchwireError (a foreign error fails the test). */
function outcome<T>(action: () => T): { value?: T; error?: { message: string; excerpt?: string } } {
  try {
    return { value: action() };
  } catch (error) {
    if (!isBatchwireError(error)) throw error;
    return { error };
  }
}

// An error is a short report, whatever the input: message and excerpt are bounded constants.
function expectShortError(error: { message: string; excerpt?: string } | undefined): void {
  if (error === undefined) return;
  expect(error.message.length).toBeLessThanOrEqual(1024);
  expect(error.excerpt?.length ?? 0).toBeLessThanOrEqual(256);
}

const encodings = ['utf-8', 'utf-16le', 'utf-16be'] as const;
const genericBodies = fc.oneof(
  ...encodings.map((encoding) => {
    const valid = genericResponsesBody({ encodings: [encoding], maxResponses: 30 }).map((b) => b.bytes);
    return fc.oneof(
      valid,
      mutate(`generic-${encoding}`, valid, { growBy: 3000 }).map((m) => m.bytes),
    );
  }),
  fc.uint8Array({ maxLength: 512 }),
);

describe('generic codec', () => {
  it('decoders: the fields hold at most the input (characters <= input units), one record per 3 units', () => {
    fc.assert(
      fc.property(genericBodies, fc.integer({ min: 1, max: 64 }), (bytes, chunk) => {
        const decoder = new GenericResponseDecoder({ verifyCount: false });
        const records: unknown[] = [];
        let failure: { message: string; excerpt?: string } | undefined;
        try {
          for (let i = 0; i < bytes.length; i += chunk)
            records.push(...decoder.write(bytes.subarray(i, i + chunk)));
          records.push(...decoder.end());
        } catch (error) {
          if (!isBatchwireError(error)) throw error;
          failure = error;
        }
        expectShortError(failure);
        let text = 0;
        for (const record of records as Record<string, unknown>[]) {
          if (record.kind === 'response') {
            text += (record.action as string).length + (record.output as string).length;
            text += (record.userData as string).length;
          } else text += (record.rawReason as string).length;
        }
        expect(text).toBeLessThanOrEqual(bytes.length);
        expect(records.length).toBeLessThanOrEqual(Math.floor(bytes.length / 3) + 1);
      }),
      RUNS,
    );
  });

  it('string input: the same bounds in UTF-16 code units', () => {
    const text = fc.string({
      unit: fc.constantFrom('a', '\uffff', '\u0000', '\ud800', 'é', '😀'),
      maxLength: 400,
    });
    fc.assert(
      fc.property(text, (input) => {
        const found = outcome(() => decodeGenericBody(input, { verifyCount: false }));
        expectShortError(found.error);
        if (found.value === undefined) return;
        const records = [...found.value.responses, found.value.end];
        expect(
          textIn(found.value.responses.map((r) => [r.action, r.output, r.userData])),
        ).toBeLessThanOrEqual(input.length);
        expect(records.length).toBeLessThanOrEqual(Math.floor(input.length / 3) + 1);
      }),
      RUNS,
    );
    const requests = new GenericRequestDecoder();
    const body = encodeGenericRequests([{ input: 'x'.repeat(1000), userData: 'u' }]);
    const out = [...requests.write(body), ...requests.end()];
    expect(textIn(out.map((r) => [r.input, r.userData]))).toBeLessThanOrEqual(body.length);
  });

  it('encoders: at most 3 bytes per character plus 9 per record, plus 128', () => {
    const field = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !/[\u0000\uffff]/.test(s));
    fc.assert(
      fc.property(
        fc.array(fc.record({ action: field, output: field, userData: field }), { maxLength: 20 }),
        fc.constantFrom(...encodings),
        fc.boolean(),
        (responses, encoding, bom) => {
          const found = outcome(() => encodeGenericResponses(responses, { encoding, bom }));
          expectShortError(found.error);
          if (found.value === undefined) return;
          const chars = textIn(responses.map((r) => [r.action, r.output, r.userData]));
          expect(found.value.length).toBeLessThanOrEqual(3 * chars + 9 * responses.length + 128);
          const requests = encodeGenericRequests(
            responses.map((r) => ({ input: r.output, userData: r.userData })),
            { encoding, bom },
          );
          expect(requests.length).toBeLessThanOrEqual(3 * chars + 9 * responses.length + 128);
        },
      ),
      RUNS,
    );
  });

  it('a Send Requests body decodes to no more text than it has', () => {
    fc.assert(
      fc.property(genericRequestsBody(), ({ bytes }) => {
        const decoder = new GenericRequestDecoder();
        const out = [...decoder.write(bytes), ...decoder.end()];
        expect(textIn(out.map((r) => [r.input, r.userData]))).toBeLessThanOrEqual(bytes.length);
      }),
      RUNS,
    );
  });
});

describe('faults', () => {
  const hostileJson = fc
    .tuple(
      fc.array(fc.constantFrom('{0}', '{0,1024}', '{0,-1024}', '{1}', '{{', '}}', 'x', '{0:', '{ '), {
        maxLength: 200,
      }),
      fc.array(fc.string({ maxLength: 300 }), { maxLength: 3 }),
      fc.array(fc.constantFrom(1e20, -1e-7, 123456789, true, null), { maxLength: 50 }),
    )
    .map(([parts, values, numbers]) =>
      JSON.stringify({
        Code: 1,
        Message: parts.join(''),
        Values: values.map((value, i) => ({ key: `k${i}`, value })),
        Numbers: numbers,
      }),
    );
  const bodies = fc.oneof(
    hostileJson,
    hostileJson.map((b) => b.replace('"Code":1', '"error_code":"DLI.1","error_msg":[1e20,1e20,1e20]')),
    faultBody().map((f) => f.body),
    mutate(
      'json',
      faultBody().map((f) => new TextEncoder().encode(f.body)),
      { growBy: 2000, depth: 2000 },
    ).map((m) => m.bytes),
    fc.uint8Array({ maxLength: 300 }),
  );

  it('parseFault: formatted <= 2 x body + 1024; every string together <= 5 x body + 8 KiB', () => {
    fc.assert(
      fc.property(bodies, (body) => {
        const fault = parseFault({ status: 500, body });
        const size = typeof body === 'string' ? body.length : body.byteLength;
        expect(fault.formatted.length).toBeLessThanOrEqual(2 * size + 1024);
        expect(fault.message.length).toBeLessThanOrEqual(Math.max(size, 4096));
        expect(textIn(fault)).toBeLessThanOrEqual(5 * size + 8192);
      }),
      RUNS,
    );
  });

  it('formatDotNet: at most 2 x (format + the arguments it uses) + 1024, or maxLength', () => {
    const format = fc
      .array(fc.constantFrom('{0}', '{1,1024}', '{0,-7}', '{2:x}', '{{', '}}', 'ab', '{', '}', '{9}'), {
        maxLength: 300,
      })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(
        format,
        fc.array(fc.string({ maxLength: 200 }), { maxLength: 4 }),
        fc.option(fc.integer({ min: 1, max: 5000 }), { nil: undefined }),
        (f, args, maxLength) => {
          const out = formatDotNet(f, args, maxLength === undefined ? {} : { maxLength });
          const used = new Set([...f.matchAll(/\{(\d)/g)].map((m) => Number(m[1])));
          const usedLength = [...used].reduce((sum, i) => sum + (args[i]?.length ?? 0), 0);
          expect(out.length).toBeLessThanOrEqual(maxLength ?? 2 * (f.length + usedLength) + 1024);
        },
      ),
      RUNS,
    );
  });
});

describe('status documents', () => {
  const pages = fc.oneof(
    jobPrepReleasePageBody().map((p) => p.body),
    mutate(
      'json',
      jobPrepReleasePageBody().map((p) => new TextEncoder().encode(p.body)),
      { growBy: 2000, depth: 2000 },
    ).map((m) => new TextDecoder().decode(m.bytes)),
  );
  const states = fc.oneof(
    dliBatchStateBody().map((s) => s.body),
    mutate(
      'json',
      dliBatchStateBody().map((s) => new TextEncoder().encode(s.body)),
      { growBy: 2000, depth: 2000 },
    ).map((m) => new TextDecoder().decode(m.bytes)),
  );

  it('parsers: at most 2 characters of output per character of body, plus 256', () => {
    fc.assert(
      fc.property(pages, states, (page, state) => {
        for (const [body, parse] of [
          [page, parseJobPrepReleaseStatusPage],
          [state, parseDliBatchState],
        ] as const) {
          const found = outcome(() => (parse as (b: string) => unknown)(body));
          expectShortError(found.error);
          if (found.value !== undefined)
            expect(outputSize(found.value)).toBeLessThanOrEqual(2 * body.length + 256);
        }
      }),
      RUNS,
    );
  });
});

describe('request descriptors', () => {
  const text = fc.string({ unit: 'grapheme', maxLength: 40 });
  it('url, headers and body: at most 9 characters per character of input, plus 1 KiB', () => {
    fc.assert(
      fc.property(text, text, text, text, (id, name, value, token) => {
        const calls: [unknown, () => unknown][] = [
          [
            [id, name, value],
            () =>
              hpcPack.getResponses({ baseUrl: 'https://h', sessionId: id, batchName: name, action: value }),
          ],
          [
            [id, value],
            () => hpcPack.sendRequests({ baseUrl: 'https://h', sessionId: 1, batchName: id, body: value }),
          ],
          [
            [id, name, token],
            () =>
              azureBatch.listJobPreparationAndReleaseTaskStatus({
                baseUrl: 'https://a.b',
                jobId: id,
                apiVersion: '1',
                select: [name],
                clientRequestId: token,
              }),
          ],
          [
            [id, name, value],
            () => dli.createBatch({ baseUrl: 'https://d', projectId: id, body: { [name]: value } }),
          ],
          [
            [id, token],
            () => dli.getBatch({ baseUrl: 'https://d', projectId: id, batchId: '1', authToken: token }),
          ],
          [[id], () => encodePathSegment(id, 'id')],
        ];
        for (const [input, call] of calls) {
          const found = outcome(call);
          expectShortError(found.error);
          if (found.value !== undefined)
            expect(textIn(found.value)).toBeLessThanOrEqual(9 * textIn(input) + 1024);
        }
      }),
      RUNS,
    );
  });
});

// Issue 22: the SOAP reader copied the root's declarations onto every top-level body child (a
// 56 KB array gave 64 MB of body.xml). Every field of every record together, keys included, is
// now at most SOAP_FACTOR x the input plus SOAP_SLACK, however the namespaces are arranged.
const SOAP_FACTOR = 4;
const SOAP_SLACK = 64 * 1024;
const S12 = 'http://www.w3.org/2003/05/soap-envelope';
const WSA = 'http://www.w3.org/2005/08/addressing';

/** Reads `xml` in `chunk`-character pieces: the records it gave, and the BatchwireError it ended in. */
function readArray(xml: string, chunk: number, options: SoapReadOptions = {}) {
  const reader = new MessageArrayReader({ requireEnd: false, verifyCount: false, ...options });
  const records: SoapRecord[] = [];
  let error: { code: string; message: string; excerpt?: string } | undefined;
  try {
    for (let i = 0; i < xml.length; i += chunk) records.push(...reader.write(xml.slice(i, i + chunk)));
    records.push(...reader.end());
  } catch (caught) {
    if (!isBatchwireError(caught)) throw caught;
    error = caught;
  }
  return { records, error };
}

/** A message array whose root declares `x` (a URI of `uriLength` characters) and a default. */
function hostileArray(envelopes: string[], uriLength: number): string {
  const uri = `urn:${'n'.repeat(uriLength)}`;
  return `<r xmlns:x="${uri}" xmlns="${uri}d" xmlns:s="${S12}" xmlns:a="${WSA}">${envelopes.join('')}</r>`;
}

function envelope(body: string): string {
  return `<s:Envelope><s:Header><a:Action>urn:a</a:Action></s:Header><s:Body>${body}</s:Body></s:Envelope>`;
}

function faultEnvelope(subcodes: number, prefix: string): string {
  let code = `<s:Code><s:Value>${prefix}:c</s:Value>`;
  for (let i = 0; i < subcodes; i++) code += `<s:Subcode><s:Value>${prefix}:c</s:Value>`;
  code += '</s:Subcode>'.repeat(subcodes);
  return `<s:Envelope><s:Body><s:Fault>${code}</s:Code><s:Reason><s:Text>r</s:Text></s:Reason><s:Detail><x:d/><d/></s:Detail></s:Fault></s:Body></s:Envelope>`;
}

// Shapes that multiply a long URI: many children, many small messages, QNames in fault codes.
const hostileSoap = fc
  .record({
    uriLength: fc.integer({ min: 1, max: 8000 }),
    messages: fc.integer({ min: 1, max: 60 }),
    children: fc.integer({ min: 0, max: 300 }),
    shape: fc.constantFrom('children', 'body', 'attributes', 'fault', 'fault-default', 'mixed'),
  })
  .map(({ uriLength, messages, children, shape }) => {
    const one = (i: number): string => {
      switch (i % 4 === 3 && shape === 'mixed' ? 'fault' : shape) {
        case 'children':
        case 'mixed':
          return envelope(`<x:R>${'<x:c/><c/>'.repeat(children)}</x:R>`);
        case 'body':
          return envelope('<x:R/>');
        case 'attributes':
          return envelope(`<R>${'<c x:a="1"/>'.repeat(children)}</R>`);
        case 'fault-default':
          return faultEnvelope(Math.min(children, 50), 'x').replace(/x:c/g, 'c');
        default:
          return faultEnvelope(Math.min(children, 50), 'x');
      }
    };
    return hostileArray(
      Array.from({ length: messages }, (_, i) => one(i)),
      uriLength,
    );
  });

describe('SOAP message array reader', () => {
  const bodies = fc.oneof(
    soapMessageArray().map((a) => a.xml),
    mutate(
      'xml',
      soapMessageArray().map((a) => new TextEncoder().encode(a.xml)),
      { growBy: 3000, depth: 200 },
    ).map((m) => new TextDecoder().decode(m.bytes)),
    hostileSoap,
  );

  it(`every field of every record together: at most ${SOAP_FACTOR} x the input + 64 KiB`, () => {
    fc.assert(
      fc.property(bodies, fc.integer({ min: 1, max: 70_000 }), (xml, chunk) => {
        const { records, error } = readArray(xml, chunk);
        expectShortError(error);
        expect(outputSize(records)).toBeLessThanOrEqual(SOAP_FACTOR * xml.length + SOAP_SLACK);
      }),
      { numRuns: 100 },
    );
  });

  it('the 56 KB array with a long namespace URI and many body children (once 64 MB of body.xml)', () => {
    const xml = hostileArray(
      Array.from({ length: 8 }, () => envelope(`<x:R>${'<x:c/>'.repeat(1000)}</x:R>`)),
      4000,
    );
    expect(xml.length).toBeGreaterThan(50_000);
    expect(xml.length).toBeLessThan(60_000);
    const { records, error } = readArray(xml, 4096);
    // A valid array: read whole, its namespaces once per message.
    expect(error).toBeUndefined();
    expect(records).toHaveLength(8);
    expect(records[0]).toMatchObject({ body: { namespaces: { x: `urn:${'n'.repeat(4000)}` } } });
    expect(outputSize(records)).toBeLessThanOrEqual(2 * xml.length);
  });

  it('1 MB of small messages in a long root namespace (body names, fault codes): bounded, and fast', () => {
    for (const body of [
      envelope('<x:R/>'),
      envelope('<R/>'),
      envelope('<x:R><x:c/></x:R>'),
      faultEnvelope(40, 'x'),
      faultEnvelope(40, 'x').replace(/x:c/g, 'c'),
    ]) {
      const count = Math.ceil(1_000_000 / body.length);
      const xml = hostileArray(Array(count).fill(body), 8000);
      const started = performance.now();
      const { records, error } = readArray(xml, 65_536);
      expect(performance.now() - started).toBeLessThan(10_000);
      expectShortError(error);
      expect(outputSize(records)).toBeLessThanOrEqual(SOAP_FACTOR * xml.length + SOAP_SLACK);
    }
  });

  it('parseFault over SOAP faults whose codes and detail use a long namespace: within its bound', () => {
    for (const [subcodes, uri] of [
      [0, 20_000],
      [10, 20_000],
      [28, 20_000],
      [20, 300],
    ] as const) {
      const inner = faultEnvelope(subcodes, 'x').replace('<s:Envelope>', '');
      const body = `<s:Envelope xmlns:s="${S12}" xmlns:x="urn:${'n'.repeat(uri)}" xmlns="urn:${'d'.repeat(uri)}">${inner}`;
      const fault = parseFault({ status: 500, body });
      // Read whole while the copies stay within twice the body; past that, an `unknown` fault.
      if (subcodes === 0 || uri === 300) expect(fault.soap?.subcodes).toHaveLength(subcodes);
      expect(textIn(fault)).toBeLessThanOrEqual(5 * body.length + 8192);
    }
    const detail = `<s:Envelope xmlns:s="${S12}" xmlns:x="urn:${'n'.repeat(5000)}"><s:Body><s:Fault><s:Code><s:Value>s:Receiver</s:Value></s:Code><s:Reason><s:Text>r</s:Text></s:Reason><s:Detail><x:E>${'<x:v>1</x:v>'.repeat(5000)}</x:E></s:Detail></s:Fault></s:Body></s:Envelope>`;
    const fault = parseFault({ status: 500, body: detail });
    expect(textIn(fault)).toBeLessThanOrEqual(5 * detail.length + 8192);
  });
});
