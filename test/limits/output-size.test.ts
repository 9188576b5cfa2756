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
