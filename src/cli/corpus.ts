// The formats `batchwire gen` can write, each with its valid and broken payload generators and
// the decoder whose verdict goes into index.json as the expected outcome.
import type fc from 'fast-check';
import { BatchwireError, isBatchwireError } from '../core/errors.js';
import { utf8ErrorOffset } from '../core/unicode.js';

/** What a decoder said about a case: the expected outcome recorded in index.json. */
export type Verdict =
  | { outcome: 'valid'; summary: string }
  | { outcome: 'error'; code: string; offset: number; message: string };

/** A format `batchwire gen` writes. */
export interface CorpusFormat {
  /** File extension of each case. */
  extension: string;
  /** Valid payloads. */
  valid(arbitraries: Arbitraries): fc.Arbitrary<Uint8Array>;
  /** Near-valid broken payloads, labelled. */
  invalid(arbitraries: Arbitraries): fc.Arbitrary<{ bytes: Uint8Array; labels: string[] }>;
  /** Decodes a case with batchwire and reports the outcome. */
  verdict(bytes: Uint8Array): Promise<Verdict>;
}

/** The `batchwire/arbitraries` module, loaded only when `gen` runs (fast-check is optional). */
export type Arbitraries = typeof import('../arbitraries/index.js');

/** Runs a decode and turns its result or BatchwireError into a verdict. */
export async function verdictOf(decode: () => Promise<string> | string): Promise<Verdict> {
  try {
    return { outcome: 'valid', summary: await decode() };
  } catch (error) {
    if (isBatchwireError(error)) {
      return { outcome: 'error', code: error.code, offset: error.offset, message: error.message };
    }
    throw error;
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** UTF-8 bytes of a text payload. */
export const utf8 = (text: string): Uint8Array => encoder.encode(text);

async function genericFormats(): Promise<Record<string, CorpusFormat>> {
  const { decodeGenericBody, decodeGenericRequests } = await import('../generic/index.js');
  const responses = (a: Arbitraries) => a.genericResponsesBody({ maxResponses: 20 }).map((b) => b.bytes);
  const requests = (a: Arbitraries) => a.genericRequestsBody({ maxRequests: 20 }).map((b) => b.bytes);
  return {
    'generic-responses': {
      extension: 'bin',
      valid: responses,
      invalid: (a) =>
        a
          .genericResponsesBody({ maxResponses: 20 })
          .chain((body) =>
            a.mutate(`generic-${body.encoding}`, a.fc.constant(body.bytes), { growBy: 70_000 }),
          ),
      verdict: (bytes) =>
        verdictOf(() => {
          const { responses, end } = decodeGenericBody(bytes);
          return `${responses.length} responses, end ${end.count} ${end.reason}`;
        }),
    },
    'generic-requests': {
      extension: 'bin',
      valid: requests,
      invalid: (a) =>
        a.genericRequestsBody({ maxRequests: 20 }).chain((body) =>
          a.mutate(`generic-${body.encoding}`, a.fc.constant(body.bytes), {
            strategies: ['truncate', 'flip-byte', 'duplicate-separator', 'drop-separator', 'grow-field'],
          }),
        ),
      verdict: (bytes) =>
        verdictOf(async () => {
          let n = 0;
          for await (const _ of decodeGenericRequests(bytes)) n++;
          return `${n} requests`;
        }),
    },
  };
}

// A text document format: valid documents as UTF-8, broken ones from the mutations of its syntax.
function documentFormat(
  extension: string,
  syntax: 'xml' | 'json' | 'filter',
  documents: (a: Arbitraries) => fc.Arbitrary<string>,
  verdict: (bytes: Uint8Array) => Promise<Verdict>,
  options: { growBy?: number; depth?: number } = {},
): CorpusFormat {
  return {
    extension,
    valid: (a) => documents(a).map(utf8),
    invalid: (a) => a.mutate(syntax, documents(a).map(utf8), options),
    verdict,
  };
}

async function documentFormats(): Promise<Record<string, CorpusFormat>> {
  const [{ parseMessageArray }, { formatFilter, parseFilter, schemas }, { parseFault }, status] =
    await Promise.all([
      import('../soap/index.js'),
      import('../odata/index.js'),
      import('../faults/index.js'),
      import('../status/index.js'),
    ]);
  const schema = schemas.jobPreparationAndReleaseTaskStatus;
  return {
    soap: documentFormat(
      'xml',
      'xml',
      (a) => a.soapMessageArray({ maxMessages: 10 }).map((m) => m.xml),
      (bytes) =>
        verdictOf(() => {
          const { messages, end } = parseMessageArray(bytes);
          return `${messages.length} messages, end ${end?.count} ${end?.reason}`;
        }),
      { depth: 100 },
    ),
    filter: documentFormat(
      'txt',
      'filter',
      (a) => a.filterText({ schema }),
      (bytes) =>
        verdictOf(() => {
          // A filter is text: bytes that are not UTF-8 cannot be one.
          const bad = utf8ErrorOffset(bytes, 0, bytes.length);
          if (bad >= 0) throw new BatchwireError('INVALID_ENCODING', 'the filter is not valid UTF-8', bad);
          return formatFilter(parseFilter(decoder.decode(bytes), { schema }));
        }),
      { depth: 100_001 },
    ),
    fault: documentFormat(
      'txt',
      'json',
      (a) => a.faultBody().map((f) => f.body),
      (bytes) =>
        verdictOf(() => {
          const fault = parseFault({ status: 500, body: bytes });
          return `${fault.service} ${fault.code}`;
        }),
    ),
    'dli-state': documentFormat(
      'json',
      'json',
      (a) => a.dliBatchStateBody().map((s) => s.body),
      (bytes) => verdictOf(() => status.parseDliBatchState(bytes).state),
    ),
    'jobprep-page': documentFormat(
      'json',
      'json',
      (a) => a.jobPrepReleasePageBody().map((p) => p.body),
      (bytes) => verdictOf(() => `${status.parseJobPrepReleaseStatusPage(bytes).items.length} items`),
    ),
  };
}

/** Every format `batchwire gen` knows, by name. */
export async function corpusFormats(): Promise<Record<string, CorpusFormat>> {
  return { ...(await genericFormats()), ...(await documentFormats()) };
}
