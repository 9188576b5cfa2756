// What the robustness run feeds to which decoder. Each target draws valid payloads and mutated
// ones from batchwire/arbitraries and must answer with a value or a BatchwireError.
import { genericRequestsBody, genericResponsesBody, mutate } from 'batchwire/arbitraries';
import { decodeGenericBody, decodeGenericRequests, GenericResponseDecoder } from 'batchwire/generic';
import fc from 'fast-check';

export interface FuzzCase {
  input: Uint8Array | string;
  labels: string[];
}

export interface FuzzTarget {
  name: string;
  cases: fc.Arbitrary<FuzzCase>;
  decode(input: Uint8Array | string): unknown;
}

const valid = (bytes: Uint8Array): FuzzCase => ({ input: bytes, labels: ['valid'] });
const mutated = ({ bytes, labels }: { bytes: Uint8Array; labels: string[] }): FuzzCase => ({
  input: bytes,
  labels,
});
const randomBytes = fc
  .uint8Array({ maxLength: 2048 })
  .map((bytes): FuzzCase => ({ input: bytes, labels: ['random'] }));

function genericCases(encoding: 'utf-8' | 'utf-16le' | 'utf-16be'): fc.Arbitrary<FuzzCase> {
  const bodies = genericResponsesBody({ encodings: [encoding], maxResponses: 20 }).map((b) => b.bytes);
  return fc.oneof(
    bodies.map(valid),
    mutate(`generic-${encoding}`, bodies, { growBy: 5000 }).map(mutated),
    randomBytes,
  );
}

async function drain(iterable: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const _ of iterable) n++;
  return n;
}

export const targets: FuzzTarget[] = [
  ...(['utf-8', 'utf-16le', 'utf-16be'] as const).map((encoding) => ({
    name: `generic responses (${encoding})`,
    cases: genericCases(encoding),
    decode: (input: Uint8Array | string) => decodeGenericBody(input, { maxRecordBytes: 4096 }),
  })),
  {
    name: 'generic responses, 3-byte chunks, loneSurrogates: error',
    cases: genericCases('utf-16le'),
    decode(input) {
      const decoder = new GenericResponseDecoder({ loneSurrogates: 'error', maxRecordBytes: 4096 });
      let n = 0;
      for (let i = 0; i < input.length; i += 3) n += decoder.write(input.slice(i, i + 3)).length;
      return n + decoder.end().length;
    },
  },
  {
    name: 'generic requests',
    cases: fc.oneof(
      genericRequestsBody().map((b) => valid(b.bytes)),
      mutate(
        'generic-utf-8',
        genericRequestsBody({ encodings: ['utf-8'] }).map((b) => b.bytes),
      ).map(mutated),
      randomBytes,
    ),
    decode: (input) => drain(decodeGenericRequests(input)),
  },
];
