import fc from 'fast-check';
import { END_OF_GET_RESPONSE_ACTION } from '../core/end-of-responses.js';
import { encodeGenericRequests, encodeGenericResponses } from '../generic/encoder.js';
import { countOption, flagOption, listOption, optionsObject } from './options.js';

/** The reply action of the generic service contract. */
const GENERIC_REPLY_ACTION =
  'http://hpc.microsoft.com/GenericService/IGenericService/GenericOperationResponse';

/** A byte encoding the generic stream is written in. */
export type GenericEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

const ENCODINGS: readonly GenericEncoding[] = ['utf-8', 'utf-16le', 'utf-16be'];

/**
 * A field of a generic record: any text without the two separators (U+FFFF, U+0000).
 * With `loneSurrogates`, any UTF-16 code unit may appear, as in .NET strings (UTF-16 only).
 *
 * @example
 * ```ts
 * fc.sample(genericField(), 3);
 * ```
 */
export function genericField(
  options: { maxLength?: number; loneSurrogates?: boolean } = {},
): fc.Arbitrary<string> {
  const o = optionsObject(options, 'genericField');
  const maxLength = countOption(o, 'maxLength', 64, 'genericField');
  if (flagOption(o, 'loneSurrogates', false, 'genericField')) {
    const unit = fc.integer({ min: 1, max: 0xfffe }).map((c) => String.fromCharCode(c));
    return fc.string({ unit, maxLength });
  }
  return fc
    .string({ unit: 'binary', maxLength })
    .filter((s) => !s.includes('\u0000') && !s.includes('\uffff'));
}

/**
 * One generic response: a realistic reply action (or any text), an output and user data.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(genericResponse(), (r) => typeof r.action === 'string'));
 * ```
 */
export function genericResponse(
  options: { loneSurrogates?: boolean; maxFieldLength?: number } = {},
): fc.Arbitrary<{ action: string; output: string; userData: string }> {
  const o = optionsObject(options, 'genericResponse');
  const field = genericField({
    loneSurrogates: flagOption(o, 'loneSurrogates', false, 'genericResponse'),
    maxLength: countOption(o, 'maxFieldLength', 64, 'genericResponse'),
  });
  const action = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.constantFrom(GENERIC_REPLY_ACTION, 'http://tempuri.org/ICalculator/AddResponse'),
    },
    { weight: 1, arbitrary: field.filter((a) => a !== END_OF_GET_RESPONSE_ACTION) },
  );
  return fc.record({ action, output: field, userData: field });
}

/**
 * A whole Get Responses body (bytes) with the responses it holds and its encoding. UTF-8 bodies
 * hold well-formed text only; UTF-16 ones may carry lone surrogates.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(genericResponsesBody(), ({ bytes, responses }) => decodeGenericBody(bytes).responses.length === responses.length));
 * ```
 */
export function genericResponsesBody(
  options: { maxResponses?: number; encodings?: GenericEncoding[] } = {},
): fc.Arbitrary<{
  bytes: Uint8Array<ArrayBuffer>;
  encoding: GenericEncoding;
  responses: { action: string; output: string; userData: string }[];
  reason: string;
}> {
  const o = optionsObject(options, 'genericResponsesBody');
  const encodings = listOption(o, 'encodings', ENCODINGS, ENCODINGS, 'genericResponsesBody');
  const maxResponses = countOption(o, 'maxResponses', 10, 'genericResponsesBody');
  return fc.constantFrom(...encodings).chain((encoding) =>
    fc
      .record({
        responses: fc.array(genericResponse({ loneSurrogates: encoding !== 'utf-8' }), {
          maxLength: maxResponses,
        }),
        reason: fc.constantFrom('Success', 'ClientPurged', 'ClientTimeout', '0', '1', '2'),
        bom: fc.boolean(),
      })
      .map(({ responses, reason, bom }) => ({
        bytes: encodeGenericResponses(responses, { encoding, reason, bom }),
        encoding,
        responses,
        reason,
      })),
  );
}

/**
 * A whole Send Requests body (bytes) with the requests it holds.
 *
 * @example
 * ```ts
 * fc.sample(genericRequestsBody(), 1)[0].bytes;
 * ```
 */
export function genericRequestsBody(
  options: { maxRequests?: number; encodings?: GenericEncoding[] } = {},
): fc.Arbitrary<{
  bytes: Uint8Array<ArrayBuffer>;
  encoding: GenericEncoding;
  requests: { input: string; userData: string }[];
}> {
  const o = optionsObject(options, 'genericRequestsBody');
  const encodings = listOption(o, 'encodings', ENCODINGS, ENCODINGS, 'genericRequestsBody');
  const maxRequests = countOption(o, 'maxRequests', 10, 'genericRequestsBody');
  return fc.constantFrom(...encodings).chain((encoding) => {
    const field = genericField({ loneSurrogates: encoding !== 'utf-8' });
    return fc
      .array(fc.record({ input: field, userData: field }), { maxLength: maxRequests })
      .map((requests) => ({ bytes: encodeGenericRequests(requests, { encoding }), encoding, requests }));
  });
}
