// Issue 12: request descriptors given wrong types (finding 4) and header values HTTP cannot carry
// (finding 6) answer with a BatchwireError, never a TypeError here or in the HTTP client later.
import { validateHeaderValue } from 'node:http';
import { fc } from 'batchwire/arbitraries';
import { azureBatch, dli, hpcPack, isBatchwireError, type RequestDescriptor } from 'batchwire/requests';
import { describe, expect, it } from 'vitest';

function outcome(fn: () => unknown): { code?: string; offset?: number; value?: unknown } {
  try {
    return { value: fn() };
  } catch (error) {
    if (isBatchwireError(error)) return { code: error.code, offset: error.offset };
    throw error;
  }
}
const code = (fn: () => unknown) => outcome(fn).code;

const hpc = { baseUrl: 'https://head', sessionId: 42, batchName: 'b1' };
const batch = { baseUrl: 'https://a.b.batch.azure.com', jobId: 'j', apiVersion: '2024-07-01.20.0' };
const dliBase = { endpoint: 'https://dli.example.com', projectId: 'p', batchId: 'b' };

// Every operation, with options that make a valid request, and a way to add options.
const operations: [string, (extra: Record<string, unknown>) => RequestDescriptor][] = [
  ['hpcPack.getClusters', (x) => hpcPack.getClusters({ ...hpc, ...x })],
  ['hpcPack.createSession', (x) => hpcPack.createSession({ ...hpc, ...x })],
  ['hpcPack.attachSession', (x) => hpcPack.attachSession({ ...hpc, ...x })],
  ['hpcPack.closeSession', (x) => hpcPack.closeSession({ ...hpc, ...x })],
  ['hpcPack.sendRequests', (x) => hpcPack.sendRequests({ ...hpc, body: '<a/>', ...x })],
  ['hpcPack.getRequestStatus', (x) => hpcPack.getRequestStatus({ ...hpc, ...x })],
  ['hpcPack.commitRequests', (x) => hpcPack.commitRequests({ ...hpc, ...x })],
  ['hpcPack.deleteRequests', (x) => hpcPack.deleteRequests({ ...hpc, ...x })],
  ['hpcPack.getResponses', (x) => hpcPack.getResponses({ ...hpc, ...x })],
  [
    'azureBatch.listJobPreparationAndReleaseTaskStatus',
    (x) => azureBatch.listJobPreparationAndReleaseTaskStatus({ ...batch, ...x }),
  ],
  ['dli.createBatch', (x) => dli.createBatch({ ...dliBase, body: { file: 'f' }, ...x })],
  ['dli.listBatches', (x) => dli.listBatches({ ...dliBase, ...x })],
  ['dli.getBatch', (x) => dli.getBatch({ ...dliBase, ...x })],
  ['dli.getBatchState', (x) => dli.getBatchState({ ...dliBase, ...x })],
  ['dli.cancelBatch', (x) => dli.cancelBatch({ ...dliBase, ...x })],
];
const everyFunction: [string, (options: unknown) => unknown][] = [
  ...Object.entries(hpcPack).map(([name, fn]): [string, (o: unknown) => unknown] => [
    `hpcPack.${name}`,
    fn as never,
  ]),
  ...Object.entries(azureBatch).map(([name, fn]): [string, (o: unknown) => unknown] => [
    `azureBatch.${name}`,
    fn as never,
  ]),
  ...Object.entries(dli).map(([name, fn]): [string, (o: unknown) => unknown] => [`dli.${name}`, fn as never]),
];

const throwing = (key: string) =>
  Object.defineProperty({ ...hpc, ...batch, ...dliBase }, key, {
    enumerable: true,
    get() {
      throw new Error('boom');
    },
  });

describe('options of the wrong type', () => {
  for (const [name, fn] of everyFunction) {
    it(`${name}: no options, null, a number, a string, an array, throwing getters and proxies`, () => {
      for (const options of [undefined, null, 5, 'x', [], true, Symbol('s')]) {
        expect(code(() => fn(options))).toBe('INVALID_ARGUMENT');
      }
      for (const key of ['baseUrl', 'endpoint', 'headers', 'apiVersion']) {
        expect(code(() => fn(throwing(key)))).toBe('INVALID_ARGUMENT');
      }
      const proxy = new Proxy(
        {},
        {
          ownKeys() {
            throw new Error('trap');
          },
          get() {
            throw new Error('trap');
          },
        },
      );
      expect(code(() => fn(proxy))).toBe('INVALID_ARGUMENT');
    });
  }

  for (const [name, build] of operations) {
    it(`${name}: headers null is no headers; other types are INVALID_ARGUMENT`, () => {
      const plain = build({});
      expect(build({ headers: null }).headers).toEqual(plain.headers);
      expect(build({ headers: undefined }).headers).toEqual(plain.headers);
      for (const headers of [5, 'x', true, [['a']], [[1, 2, 3]], { a: 5 }, { a: null }, [{ a: 'b' }]]) {
        expect(
          code(() => build({ headers })),
          JSON.stringify(headers),
        ).toBe('INVALID_ARGUMENT');
      }
      const getter = Object.defineProperty({}, 'x-a', {
        enumerable: true,
        get() {
          throw new Error('boom');
        },
      });
      expect(code(() => build({ headers: getter }))).toBe('INVALID_ARGUMENT');
    });

    it(`${name}: headers as a record, Headers, Map or pairs`, () => {
      for (const headers of [
        { 'X-Trace': 'abc' },
        new Headers({ 'X-Trace': 'abc' }),
        new Map([['X-Trace', 'abc']]),
        [['X-Trace', 'abc']],
      ]) {
        expect(build({ headers }).headers['x-trace']).toBe('abc');
      }
    });
  }
});

describe('header values HTTP cannot carry (INVALID_FIELD)', () => {
  const bad: [string, string][] = [
    ['NUL', 'a\u0000b'],
    ['SOH', 'a\u0001b'],
    ['unit separator', 'a\u001fb'],
    ['DEL', 'a\u007fb'],
    ['CR', 'a\rb'],
    ['LF', 'a\nb'],
    ['CRLF injection', 'a\r\nX-Injected: 1'],
    ['U+2028', 'a\u2028b'],
    ['U+2029', 'a\u2029b'],
    ['a lone high surrogate', 'a\ud800b'],
    ['a lone low surrogate', 'a\udc00b'],
    ['a high surrogate at the end', 'ab\ud800'],
    ['an astral character', 'a😀b'],
    ['a character above U+00FF', 'aāb'],
  ];
  for (const [what, value] of bad) {
    it(`${what}: refused in every header an operation writes`, () => {
      for (const [name, build] of operations) {
        const found = outcome(() => build({ headers: { 'X-A': value } }));
        expect(found.code, name).toBe('INVALID_FIELD');
        expect(found.offset, name).toBe(value.search(/[^\t\x20-\x7e\x80-\xff]/));
      }
      expect(code(() => hpcPack.getClusters({ ...hpc, apiVersion: value }))).toBe('INVALID_FIELD');
      expect(code(() => hpcPack.getClusters({ ...hpc, accept: value }))).toBe('INVALID_FIELD');
      expect(code(() => hpcPack.sendRequests({ ...hpc, body: 'x', contentType: value }))).toBe(
        'INVALID_FIELD',
      );
      expect(code(() => dli.getBatch({ ...dliBase, authToken: value }))).toBe('INVALID_FIELD');
      expect(
        code(() => azureBatch.listJobPreparationAndReleaseTaskStatus({ ...batch, clientRequestId: value })),
      ).toBe('INVALID_FIELD');
    });
  }

  it('keeps what HTTP carries: HTAB, visible ASCII, space and Latin-1', () => {
    const value = 'a\tb c~\u0080é\u00ff';
    expect(hpcPack.getClusters({ ...hpc, headers: { 'X-A': value } }).headers['x-a']).toBe(value);
  });

  it('every header value a descriptor produces is one Node http and fetch accept', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 20 }),
        fc.string({ maxLength: 10 }),
        (value, token) => {
          let request: RequestDescriptor;
          try {
            request = hpcPack.getResponses({
              ...hpc,
              apiVersion: value,
              headers: { 'x-a': value, authorization: `Bearer ${token}${value}` },
            });
          } catch (error) {
            if (!isBatchwireError(error)) throw error;
            return;
          }
          for (const [name, v] of Object.entries(request.headers)) {
            validateHeaderValue(name, v);
            new Headers([[name, v]]);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('request bodies', () => {
  const cyclic: Record<string, unknown> = { file: 'f' };
  cyclic.self = cyclic;
  let deep: unknown = { file: 'f' };
  for (let i = 0; i < 20_000; i++) deep = { a: deep };
  const bodies: [string, unknown][] = [
    ['cyclic', cyclic],
    ['with a BigInt', { file: 'f', size: 10n }],
    ['20 000 levels deep', deep],
    [
      'with a toJSON that throws',
      {
        toJSON() {
          throw new Error('boom');
        },
      },
    ],
    ['with a toJSON giving nothing', { toJSON: () => undefined }],
    [
      'with a getter that throws',
      Object.defineProperty({}, 'file', {
        enumerable: true,
        get() {
          throw new Error('boom');
        },
      }),
    ],
  ];
  for (const [what, body] of bodies) {
    it(`dli.createBatch: a body ${what} is INVALID_FIELD`, () => {
      expect(code(() => dli.createBatch({ ...dliBase, body: body as never }))).toBe('INVALID_FIELD');
    });
  }

  it('string bodies with a lone surrogate (no UTF-8 form) are INVALID_FIELD', () => {
    expect(code(() => dli.createBatch({ ...dliBase, body: '{"file":"\ud800"}' }))).toBe('INVALID_FIELD');
    expect(code(() => hpcPack.sendRequests({ ...hpc, body: '<a>\udc00</a>' }))).toBe('INVALID_FIELD');
    expect(code(() => hpcPack.createSession({ ...hpc, body: '<a>\ud800' }))).toBe('INVALID_FIELD');
    // Escaped in JSON text, a lone surrogate is data: JSON.stringify writes \ud800.
    expect(dli.createBatch({ ...dliBase, body: { file: '\ud800' } }).body).toBe('{"file":"\\ud800"}');
  });

  it('bodies as bytes of any view; other types are INVALID_ARGUMENT', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    for (const body of [bytes, bytes.buffer, new DataView(bytes.buffer), Buffer.from(bytes)]) {
      const sent = hpcPack.sendRequests({ ...hpc, body: body as never }).body;
      expect(sent).toBeInstanceOf(Uint8Array);
      expect([...(sent as Uint8Array)]).toEqual([1, 2, 3]);
    }
    for (const body of [null, undefined, 5, {}, [1, 2]]) {
      expect(code(() => hpcPack.sendRequests({ ...hpc, body: body as never }))).toBe('INVALID_ARGUMENT');
    }
  });
});

describe('long values stay linear and exact', () => {
  it('a 1 MB id and query value are encoded, not refused', () => {
    const long = 'a/b '.repeat(250_000);
    const request = hpcPack.getResponses({ ...hpc, batchName: long, action: long });
    expect(request.url.length).toBeGreaterThan(2_000_000);
    expect(new URL(request.url).searchParams.get('action')).toBe(long);
  });
});
