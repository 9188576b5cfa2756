// requireEnd (issue 21, section 6): a Get Responses call with `count=N` answers a window of N
// responses without the closing record; `requireEnd: false` reads it, and only it.
import { genericResponse } from 'batchwire/arbitraries';
import { type Emulator, startEmulator } from 'batchwire/emulator';
import {
  decodeGenericBody,
  decodeGenericResponses,
  encodeGenericRequests,
  encodeGenericResponses,
  GenericResponseDecoder,
} from 'batchwire/generic';
import { hpcPack, type RequestDescriptor } from 'batchwire/requests';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, splitAt } from '../support/chunks.js';

const records = [
  { action: 'urn:a', output: 'one', userData: 'u1' },
  { action: 'urn:a', output: 'two', userData: 'u2' },
];

describe('requireEnd: false reads a window', () => {
  for (const encoding of ['utf-8', 'utf-16le', 'utf-16be'] as const) {
    const whole = encodeGenericResponses(records, { encoding });
    const window = whole.subarray(
      0,
      whole.length - encodeGenericResponses([], { encoding, count: 2 }).length,
    );

    it(`${encoding}: a body that ends after a whole record is a window (every chunking)`, () => {
      const expected = records.map((r) => ({ kind: 'response', ...r }));
      for (const cuts of [[], [1], [3, 4, 5], [window.length - 1]]) {
        expect(run(new GenericResponseDecoder({ requireEnd: false }), splitAt(window, cuts))).toEqual({
          records: expected,
        });
      }
      expect(decodeGenericBody(window, { requireEnd: false })).toEqual({ responses: expected });
      // verifyCount: false alone does not read it.
      expect(run(new GenericResponseDecoder({ verifyCount: false }), [window]).error?.code).toBe('TRUNCATED');
    });

    it(`${encoding}: a body cut inside a record is still TRUNCATED`, () => {
      const cut = window.subarray(0, window.length - 3);
      const outcome = run(new GenericResponseDecoder({ requireEnd: false }), [cut]);
      expect(outcome.error?.code).toBe('TRUNCATED');
      expect(outcome.records).toHaveLength(1);
    });

    it(`${encoding}: the closing record is still read and checked when it comes`, () => {
      const outcome = run(new GenericResponseDecoder({ requireEnd: false }), [whole]);
      expect(outcome.records.at(-1)).toMatchObject({ kind: 'end', count: 2 });
      const wrong = encodeGenericResponses(records, { encoding, count: 3 });
      expect(run(new GenericResponseDecoder({ requireEnd: false }), [wrong]).error?.code).toBe(
        'COUNT_MISMATCH',
      );
    });
  }

  it('requireEnd of the wrong type is INVALID_ARGUMENT', () => {
    expect(() => new GenericResponseDecoder({ requireEnd: 'no' as unknown as boolean })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});

// The class, not the example: any records, any encoding, any place the body ends, any chunking.
// With requireEnd: false a body that ends after a whole record (or before the first) gives the
// records before the end and no error; a body that ends anywhere else is TRUNCATED after the same
// records; and requireEnd: true gives the same records and TRUNCATED for every cut but the whole.
describe('requireEnd: false, as a property', () => {
  it('a cut body is a window exactly when it ends on a record boundary', () => {
    fc.assert(
      fc.property(
        fc.array(genericResponse({ loneSurrogates: true }), { maxLength: 6 }),
        fc.constantFrom('utf-16le' as const, 'utf-16be' as const, 'utf-8' as const),
        fc.boolean(),
        fc.nat(),
        fc.array(fc.nat({ max: 400 }), { maxLength: 8 }),
        (list, encoding, bom, at, cuts) => {
          // UTF-8 cannot carry a lone surrogate: keep those records to UTF-16.
          const responses =
            encoding === 'utf-8'
              ? list.filter((r) => !/[\ud800-\udfff]/.test(Object.values(r).join('')))
              : list;
          const whole = encodeGenericResponses(responses, { encoding, bom });
          const closing = encodeGenericResponses([], { encoding, count: responses.length }).length;
          // The encoder writes a byte order mark when asked, or when the text needs one to be
          // sniffed right: read it from the bytes.
          const mark = { 'utf-8': [0xef, 0xbb, 0xbf], 'utf-16le': [0xff, 0xfe], 'utf-16be': [0xfe, 0xff] }[
            encoding
          ];
          const bomLength = mark.every((b, i) => whole[i] === b) ? mark.length : 0;
          // Where each whole record ends, the end of the mark first.
          const boundaries = [bomLength];
          for (const r of responses) {
            const text = `${r.action}\uffff${r.output}\uffff${r.userData}\u0000`;
            const size = encoding === 'utf-8' ? new TextEncoder().encode(text).length : 2 * text.length;
            boundaries.push(boundaries.at(-1)! + size);
          }
          const end = at % (whole.length - closing + 1);
          const body = whole.subarray(0, end);
          const window = run(
            new GenericResponseDecoder({ encoding, requireEnd: false }),
            splitAt(body, cuts),
          );
          const strict = run(new GenericResponseDecoder({ encoding }), splitAt(body, cuts));
          const before = boundaries.filter((b) => b > bomLength && b <= end).length;
          const expected = responses.slice(0, before).map((r) => ({ kind: 'response', ...r }));
          expect(window.records).toEqual(expected);
          expect(strict.records).toEqual(expected);
          expect(strict.error?.code).toBe('TRUNCATED');
          if (end < bomLength) return;
          if (boundaries.includes(end)) expect(window.error).toBeUndefined();
          else expect(window.error?.code).toBe('TRUNCATED');
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('windows of a count-limited Get Responses from the emulator', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ seed: 3 });
  });
  afterAll(() => emulator.close());

  function send({ method, url, headers, body }: RequestDescriptor): Promise<Response> {
    return fetch(url, { method, headers, body: (body ?? null) as BodyInit | null });
  }

  it('reads count=2 windows with requireEnd: false, then the last with its closing record', async () => {
    const baseUrl = emulator.url;
    const created = await send(
      hpcPack.createSession({ baseUrl, body: '{"ServiceName":"Echo"}', accept: 'application/json' }),
    );
    const { Id: sessionId } = (await created.json()) as { Id: number };
    const inputs = ['a', 'b', 'c', 'd', 'e'].map((input, i) => ({ input, userData: `u${i}` }));
    const body = encodeGenericRequests(inputs, { encoding: 'utf-16le' });
    await send(
      hpcPack.sendRequests({ baseUrl, sessionId, batchName: 'w', genericService: true, commit: true, body }),
    );
    const seen: string[] = [];
    let end: unknown;
    for (let round = 0; round < 5 && end === undefined; round++) {
      const response = await send(
        hpcPack.getResponses({ baseUrl, sessionId, batchName: 'w', genericService: true, count: 2 }),
      );
      expect(response.status).toBe(200);
      for await (const record of decodeGenericResponses(response, {
        requireEnd: false,
        verifyCount: false,
      })) {
        if (record.kind === 'response') seen.push(record.userData);
        else end = record;
      }
    }
    expect(seen).toEqual(['u0', 'u1', 'u2', 'u3', 'u4']);
    expect(end).toMatchObject({ kind: 'end' });
  });
});
