import {
  END_OF_GET_RESPONSE_ACTION,
  encodeGenericRequests,
  encodeGenericResponses,
  GenericRequestDecoder,
  GenericResponseDecoder,
} from 'batchwire/generic';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { run, splitAt } from '../support/chunks.js';

// Longer fields and bodies than fast-check's default 'small' size.
fc.configureGlobal({ baseSize: 'medium' });

const RUNS = { numRuns: 200 };

// Any code point except the two separators: astral characters included.
const wellFormedField = fc
  .string({ unit: 'binary', maxLength: 40 })
  .filter((s) => !/[\u0000\uffff]/u.test(s));
// Any UTF-16 code unit except the separators: lone surrogates included.
const codeUnitField = fc
  .string({ unit: fc.integer({ min: 1, max: 0xfffe }).map((c) => String.fromCharCode(c)), maxLength: 40 })
  .filter((s) => s !== END_OF_GET_RESPONSE_ACTION);
const action = fc.oneof(
  fc.constantFrom(
    'http://hpc.microsoft.com/GenericService/IGenericService/GenericOperationResponse',
    'http://tempuri.org/IService/EchoResponse',
  ),
  wellFormedField,
);

function responsesOf(field: fc.Arbitrary<string>) {
  return fc
    .array(fc.record({ action: fc.oneof(action, field), output: field, userData: field }), { maxLength: 8 })
    .map((list) => list.filter((r) => r.action !== END_OF_GET_RESPONSE_ACTION));
}

const encodings = fc.constantFrom('utf-8' as const, 'utf-16le' as const, 'utf-16be' as const);
const utf16 = fc.constantFrom('utf-16le' as const, 'utf-16be' as const);
const cuts = fc.array(fc.nat({ max: 4096 }), { maxLength: 12 });

describe('generic codec properties', () => {
  it('decode(encode(x)) = x for well-formed text in every encoding, with auto-detection', () => {
    fc.assert(
      fc.property(responsesOf(wellFormedField), encodings, fc.boolean(), (responses, encoding, bom) => {
        const body = encodeGenericResponses(responses, { encoding, bom, reason: 'ClientTimeout' });
        const outcome = run(new GenericResponseDecoder(), [body]);
        expect(outcome.error).toBeUndefined();
        expect(outcome.records).toEqual([
          ...responses.map((r) => ({ kind: 'response', ...r })),
          {
            kind: 'end',
            count: responses.length,
            reason: 'ClientTimeout',
            rawReason: 'ClientTimeout',
            received: responses.length,
          },
        ]);
      }),
      RUNS,
    );
  });

  it('decode(encode(x)) = x in UTF-16 for any code units, lone surrogates included', () => {
    fc.assert(
      fc.property(responsesOf(codeUnitField), utf16, (responses, encoding) => {
        const body = encodeGenericResponses(responses, { encoding });
        for (const options of [{}, { encoding }]) {
          const outcome = run(new GenericResponseDecoder(options), [body]);
          expect(outcome.records.slice(0, -1)).toEqual(responses.map((r) => ({ kind: 'response', ...r })));
          expect(outcome.error).toBeUndefined();
        }
      }),
      RUNS,
    );
  });

  it('request bodies round-trip', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ input: codeUnitField, userData: codeUnitField }), { maxLength: 8 }),
        utf16,
        (requests, encoding) => {
          const body = encodeGenericRequests(requests, { encoding });
          expect(run(new GenericRequestDecoder({ encoding }), [body])).toEqual({ records: requests });
        },
      ),
      RUNS,
    );
  });

  it('results do not depend on chunking (valid bodies, cuts anywhere, surrogate pairs and separators included)', () => {
    fc.assert(
      fc.property(responsesOf(wellFormedField), encodings, cuts, (responses, encoding, points) => {
        const body = encodeGenericResponses(responses, { encoding });
        const whole = run(new GenericResponseDecoder(), [body]);
        expect(run(new GenericResponseDecoder(), splitAt(body, points))).toEqual(whole);
      }),
      RUNS,
    );
  });

  it('results do not depend on chunking for string input either', () => {
    fc.assert(
      fc.property(responsesOf(codeUnitField), cuts, (responses, points) => {
        const text = new TextDecoder('utf-16le').decode(
          encodeGenericResponses(responses, { encoding: 'utf-16le' }),
        );
        // TextDecoder replaced lone surrogates; compare string input with itself across splits.
        const whole = run(new GenericResponseDecoder(), [text]);
        expect(run(new GenericResponseDecoder(), splitAt(text, points))).toEqual(whole);
      }),
      RUNS,
    );
  });

  it('mutated bodies give the same outcome for every chunking, and only BatchwireErrors', () => {
    const mutation = fc.oneof(
      fc.record({
        kind: fc.constant('flip' as const),
        at: fc.nat(),
        value: fc.integer({ min: 0, max: 255 }),
      }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('drop' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 4 }) }),
      fc.record({
        kind: fc.constant('insert' as const),
        at: fc.nat(),
        bytes: fc.constantFrom<number[]>(
          [0x00],
          [0x00, 0x00],
          [0xef, 0xbf, 0xbf],
          [0xff, 0xff],
          [0xfe, 0xff],
          [0xc3],
          [0xd8, 0x00],
        ),
      }),
    );
    fc.assert(
      fc.property(
        responsesOf(wellFormedField),
        encodings,
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        cuts,
        fc.constantFrom<'auto' | 'utf-8' | 'utf-16le' | 'utf-16be'>('auto', 'utf-8', 'utf-16le', 'utf-16be'),
        fc.constantFrom<'keep' | 'error'>('keep', 'error'),
        (responses, encoding, mutations, points, decodeAs, loneSurrogates) => {
          let bytes = Array.from(encodeGenericResponses(responses, { encoding }));
          for (const m of mutations) {
            const at = bytes.length === 0 ? 0 : m.at % (bytes.length + 1);
            if (m.kind === 'flip' && at < bytes.length) bytes[at] = m.value;
            else if (m.kind === 'cut') bytes = bytes.slice(0, at);
            else if (m.kind === 'drop') bytes.splice(at, m.length);
            else if (m.kind === 'insert') bytes.splice(at, 0, ...m.bytes);
          }
          const body = new Uint8Array(bytes);
          const options = { encoding: decodeAs, loneSurrogates, maxRecordBytes: 200 };
          const whole = run(new GenericResponseDecoder(options), [body]);
          expect(run(new GenericResponseDecoder(options), splitAt(body, points))).toEqual(whole);
          if (whole.error) expect(whole.error.offset).toBeLessThanOrEqual(body.length);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('random bytes give records or a BatchwireError, never another exception', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), cuts, (body, points) => {
        const whole = run(new GenericResponseDecoder(), [body]);
        expect(run(new GenericResponseDecoder(), splitAt(body, points))).toEqual(whole);
        run(new GenericRequestDecoder({ encoding: 'utf-16be' }), [body]);
      }),
      { numRuns: 400 },
    );
  });
});
