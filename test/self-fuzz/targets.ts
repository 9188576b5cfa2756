// What the robustness run feeds to which decoder. Each target draws valid payloads and mutated
// ones from batchwire/arbitraries and must answer with a value or a BatchwireError.

import { isBatchwireError } from 'batchwire';
import {
  brokerClientStatusBody,
  dliBatchStateBody,
  faultBody,
  filterText,
  genericRequestsBody,
  genericResponsesBody,
  jobPrepReleasePageBody,
  mutate,
  soapMessageArray,
} from 'batchwire/arbitraries';
import { verifyAkSk, verifyBasic, verifySharedKey } from 'batchwire/auth';
import { parseFault } from 'batchwire/faults';
import {
  decodeGenericBody,
  decodeGenericRequests,
  encodeGenericRequests,
  encodeGenericResponses,
  GenericResponseDecoder,
} from 'batchwire/generic';
import { buildListQuery, eq, odata, parseFilter, schemas, startswith, validateFilter } from 'batchwire/odata';
import { azureBatch, dli, hpcPack } from 'batchwire/requests';
import {
  MessageArrayReader,
  parseBrokerClientStatus,
  parseMessageArray,
  writeMessageArray,
} from 'batchwire/soap';
import { parseDliBatchState, parseJobPrepReleaseStatusPage } from 'batchwire/status';
import fc from 'fast-check';
import { misuseTarget } from './misuse-target.js';
import { sdkHelpersTarget } from './sdk-helpers-target.js';

export interface FuzzCase {
  input: Uint8Array | string;
  labels: string[];
}

export interface FuzzTarget<I = Uint8Array | string> {
  name: string;
  cases: fc.Arbitrary<{ input: I; labels: string[] }>;
  decode(input: I): unknown;
  /** How a failing input is printed (default: its bytes in hex). */
  show?(input: I): string;
  /** A line printed at the end of a run without failure (known findings, counts). */
  summary?(): string | undefined;
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

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const lenient = new TextDecoder();

// Valid documents, the same mutated with the strategies of their syntax, and random bytes.
function documentCases(
  format: 'xml' | 'json' | 'filter',
  documents: fc.Arbitrary<string>,
  options: { growBy?: number; depth?: number } = {},
): fc.Arbitrary<FuzzCase> {
  const bytes = documents.map(utf8);
  return fc.oneof(bytes.map(valid), mutate(format, bytes, options).map(mutated), randomBytes);
}

const messageArrays = documentCases(
  'xml',
  soapMessageArray().map((a) => a.xml),
  { growBy: 5000, depth: 200 },
);

const jobPrepSchema = schemas.jobPreparationAndReleaseTaskStatus;

// Builders and encoders take caller values, not bytes: every one of them gets the same text
// (lone surrogates, separators, quotes, slashes) and must build or refuse with a BatchwireError.
const builders: ((text: string) => unknown)[] = [
  (t) => eq('nodeId', t),
  (t) => startswith('id', t),
  (t) => odata`nodeId eq ${t} or poolId ne ${t}`,
  (t) => buildListQuery({ filter: eq('nodeId', t), select: t, skipToken: t, apiVersion: t }),
  (t) => parseFilter(eq('nodeId', t)),
  (t) =>
    azureBatch.listJobPreparationAndReleaseTaskStatus({
      baseUrl: 'https://a.b',
      jobId: t,
      apiVersion: t,
      filter: t,
    }),
  (t) =>
    hpcPack.getResponses({
      baseUrl: 'https://h',
      cluster: t,
      sessionId: t,
      batchName: t,
      action: t,
      clientData: t,
    }),
  (t) => hpcPack.getResponses({ baseUrl: t, sessionId: 1, batchName: 'b', headers: { [t]: t } }),
  (t) => dli.getBatch({ endpoint: 'https://dli', projectId: t, batchId: t }),
  (t) => encodeGenericResponses([{ action: 'http://a/b', output: t, userData: t }], { encoding: 'utf-8' }),
  (t) => encodeGenericResponses([{ action: t, output: t, userData: t }], { encoding: 'utf-16be' }),
  (t) => encodeGenericRequests([{ input: t, userData: t }]),
  (t) =>
    writeMessageArray([{ action: t, userData: t, body: { name: 'R', namespace: 'http://t/', result: t } }]),
  (t) => writeMessageArray([{ action: 'http://a', body: { name: t, namespace: t, xml: t } }]),
];

async function drain(iterable: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const _ of iterable) n++;
  return n;
}

const byteTargets: FuzzTarget[] = [
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
  {
    name: 'soap message array',
    cases: messageArrays,
    decode: (input) => parseMessageArray(input, { maxMessageBytes: 4096, maxTextLength: 2048, maxDepth: 32 }),
  },
  {
    name: 'soap message array, 5-byte chunks',
    cases: messageArrays,
    decode(input) {
      const reader = new MessageArrayReader({ maxMessageBytes: 4096 });
      const bytes = typeof input === 'string' ? utf8(input) : input;
      let n = 0;
      for (let i = 0; i < bytes.length; i += 5) n += reader.write(bytes.subarray(i, i + 5)).length;
      return n + reader.end().length;
    },
  },
  {
    name: 'broker client status',
    cases: fc.oneof(
      brokerClientStatusBody().map((b) => valid(utf8(b.body))),
      documentCases(
        'xml',
        brokerClientStatusBody().map((b) => b.body),
      ),
    ),
    decode: (input) => parseBrokerClientStatus(input),
  },
  {
    name: 'filter (parse and validate against the job prep schema)',
    cases: documentCases('filter', filterText({ schema: jobPrepSchema }), { depth: 2000 }),
    decode(input) {
      const text = typeof input === 'string' ? input : lenient.decode(input);
      // validateFilter never throws: a bug inside it would surface as an "internal error" diagnostic.
      const internal = validateFilter(text, jobPrepSchema).find((d) =>
        d.message.startsWith('internal error'),
      );
      if (internal) throw new Error(`validateFilter: ${internal.message}`);
      return parseFilter(text, { schema: jobPrepSchema });
    },
  },
  {
    name: 'fault (must never throw at all)',
    cases: fc.oneof(
      documentCases(
        'json',
        faultBody().map((f) => f.body),
      ),
      documentCases(
        'xml',
        faultBody().map((f) => f.body),
      ),
    ),
    decode(input) {
      try {
        return parseFault({ status: 500, body: input });
      } catch (error) {
        // parseFault promises a ServiceFault for any body: even a BatchwireError is a failure here.
        throw new Error(`parseFault threw ${String(error)}`);
      }
    },
  },
  {
    name: 'dli batch state',
    cases: documentCases(
      'json',
      dliBatchStateBody().map((s) => s.body),
    ),
    decode: (input) => parseDliBatchState(input),
  },
  {
    name: 'job prep/release status page',
    cases: documentCases(
      'json',
      jobPrepReleasePageBody().map((p) => p.body),
    ),
    decode: (input) => parseJobPrepReleaseStatusPage(input),
  },
  {
    // A server hands the verifiers whatever a client sent: each must resolve to a verdict.
    name: 'auth verifiers (hostile Authorization headers, dates, targets, bodies)',
    cases: fc
      .oneof(
        fc.string({ unit: 'binary', maxLength: 96 }),
        fc
          .tuple(
            fc.constantFrom(
              'SharedKey acct:',
              'SDK-HMAC-SHA256 Access=AK, SignedHeaders=',
              'Basic ',
              'Bearer ',
            ),
            fc.string({ unit: 'binary', maxLength: 64 }),
          )
          .map(([scheme, rest]) => scheme + rest),
      )
      .map((text): FuzzCase => ({ input: text, labels: ['request text'] })),
    async decode(input) {
      const text = typeof input === 'string' ? input : lenient.decode(input);
      const now = new Date('2024-06-01T12:00:00Z');
      const requests = [
        { method: 'GET', url: '/jobs', headers: { authorization: text, 'ocp-date': now.toUTCString() } },
        {
          method: text,
          url: text,
          headers: { authorization: 'SharedKey acct:x', date: text, 'x-sdk-date': text },
        },
        {
          method: 'POST',
          url: `/v2.0/p/batches?${text}`,
          headers: { authorization: text, host: text },
          body: text,
        },
      ];
      const options = { account: 'acct', key: 'a2V5', ak: 'AK', sk: 'SK', user: 'u', password: 'p', now };
      let refused = 0;
      for (const request of requests) {
        for (const verify of [verifySharedKey, verifyAkSk, verifyBasic]) {
          if (!(await verify(request, options)).ok) refused++;
        }
      }
      return refused;
    },
  },
  {
    name: 'builders and encoders (caller values)',
    cases: fc
      .oneof(
        fc.string({ unit: 'binary', maxLength: 64 }),
        fc.string({
          unit: fc.constantFrom(
            '/',
            "'",
            '\uffff',
            '\u0000',
            '\ud800',
            '\udc00',
            '%',
            '&',
            '<',
            ']]>',
            ' ',
            'a',
            '\r\n',
          ),
        }),
      )
      .map((text): FuzzCase => ({ input: text, labels: ['caller text'] })),
    decode(input) {
      const text = typeof input === 'string' ? input : lenient.decode(input);
      let refused = 0;
      for (const build of builders) {
        try {
          build(text);
        } catch (error) {
          if (!isBatchwireError(error)) throw error;
          refused++;
        }
      }
      return refused;
    },
  },
];

/** Every target of the run: the API-misuse target first, then the decoders over bytes. */
export const targets: readonly FuzzTarget<unknown>[] = [
  misuseTarget() as unknown as FuzzTarget<unknown>,
  sdkHelpersTarget as unknown as FuzzTarget<unknown>,
  ...(byteTargets as unknown as FuzzTarget<unknown>[]),
];
