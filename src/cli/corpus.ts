// The formats `batchwire gen` can write, each with its valid and broken payload generators and
// the decoder whose verdict goes into index.json as the expected outcome.
import type fc from 'fast-check';
import { isBatchwireError } from '../core/errors.js';

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

/** Every format `batchwire gen` knows, by name. */
export async function corpusFormats(): Promise<Record<string, CorpusFormat>> {
  return { ...(await genericFormats()) };
}
