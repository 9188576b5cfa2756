import { bomBytes } from '../core/charset.js';
import { END_OF_GET_RESPONSE_ACTION } from '../core/end-of-responses.js';
import { BatchwireError, toBatchwireError } from '../core/errors.js';
import { MAX_STRING_LENGTH } from '../core/limits.js';
import { choiceOption, flagOption, optionsObject, optionValue, textOption } from '../core/options.js';
import { encodeUtf16, loneSurrogateIndex } from '../core/unicode.js';
import type { GenericEncodeOptions, GenericResponseEncodeOptions } from './types.js';

const RECORD_END = '\u0000';
const FIELD_SEPARATOR = '\uFFFF';

/** A response to encode: `userData` may be left out. */
export interface GenericResponseInput {
  action: string;
  output: string;
  userData?: string;
}

/** A request to encode: `userData` may be left out. */
export interface GenericRequestInput {
  input: string;
  userData?: string;
}

// Refuses anything that would change the record structure when decoded.
function checkField(value: unknown, what: string, offset: number): string {
  if (typeof value !== 'string') {
    throw new BatchwireError(
      'INVALID_FIELD',
      `${what} must be a string, got ${value === null ? 'null' : typeof value}`,
      offset,
    );
  }
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0 || c === 0xffff) {
      throw new BatchwireError(
        'INVALID_FIELD',
        `${what} contains U+${c === 0 ? '0000' : 'FFFF'}, which would split the record`,
        offset + i,
      );
    }
  }
  return value;
}

// One field of a caller's record: the record must be an object, and a getter that throws is the
// caller's bad value, reported as INVALID_FIELD like any other.
function fieldOf(record: unknown, key: string, what: string, offset: number): unknown {
  if (typeof record !== 'object' || record === null) {
    throw new BatchwireError(
      'INVALID_FIELD',
      `${what} must be an object, got ${record === null ? 'null' : typeof record}`,
      offset,
    );
  }
  try {
    return (record as Record<string, unknown>)[key];
  } catch (error) {
    throw new BatchwireError('INVALID_FIELD', `reading ${what}.${key} threw`, offset, { cause: error });
  }
}

// The caller's records, one at a time; a list that is not iterable, or whose iterator throws,
// is INVALID_ARGUMENT.
function* recordsOf(list: unknown, what: string): Generator<unknown> {
  let iterator: Iterator<unknown>;
  try {
    iterator = (list as Iterable<unknown>)[Symbol.iterator]();
    if (typeof iterator?.next !== 'function') throw new TypeError('not an iterator');
  } catch (error) {
    throw new BatchwireError('INVALID_ARGUMENT', `${what} must be an iterable (an array) of records`, 0, {
      cause: error,
    });
  }
  for (;;) {
    let step: IteratorResult<unknown>;
    try {
      step = iterator.next();
    } catch (error) {
      throw new BatchwireError('INVALID_ARGUMENT', `iterating over ${what} threw`, 0, { cause: error });
    }
    if (step === null || typeof step !== 'object') {
      throw new BatchwireError('INVALID_ARGUMENT', `iterating over ${what} gave a non-object result`, 0);
    }
    if (step.done) return;
    yield step.value;
  }
}

// The body text grows one record at a time: past what a string can hold it is LIMIT_EXCEEDED,
// not a RangeError from join.
function checkLength(length: number, offset: number): void {
  if (length > MAX_STRING_LENGTH) {
    throw new BatchwireError(
      'LIMIT_EXCEEDED',
      'the body would be longer than a JavaScript string can be',
      offset,
    );
  }
}

const ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be'] as const;

// Writes a mark where auto-detection would misread the text without one: a leading U+FEFF looks
// like a mark itself, and UTF-16 sniffing needs a first character in U+0001..U+00FF.
function needsBom(text: string, encoding: string): boolean {
  if (text.length === 0) return false;
  const first = text.charCodeAt(0);
  if (first === 0xfeff) return true;
  return encoding !== 'utf-8' && (first === 0 || first > 0xff);
}

function toBytes(
  text: string,
  encoding: (typeof ENCODINGS)[number],
  withBom: boolean,
): Uint8Array<ArrayBuffer> {
  const bom = withBom || needsBom(text, encoding) ? bomBytes(encoding) : undefined;
  if (encoding === 'utf-16le' || encoding === 'utf-16be')
    return encodeUtf16(text, encoding === 'utf-16le', bom);
  const lone = loneSurrogateIndex(text);
  if (lone >= 0) {
    throw new BatchwireError(
      'INVALID_FIELD',
      'an unpaired UTF-16 surrogate cannot be written as UTF-8; use a UTF-16 encoding',
      lone,
    );
  }
  const body = new TextEncoder().encode(text);
  if (!bom) return body;
  const out = new Uint8Array(bom.length + body.length);
  out.set(bom);
  out.set(body, bom.length);
  return out;
}

/**
 * Encodes a generic-service Get Responses body: one `action U+FFFF output U+FFFF userData
 * U+0000` record per response, then the `EndOfGetResponse` closing record. Fields that contain
 * U+FFFF or U+0000, and a response whose action is the closing action, are refused
 * (`INVALID_FIELD`): no value can forge a record.
 *
 * @throws {@link BatchwireError} `INVALID_FIELD` (offset: the character in the body text)
 *
 * @example
 * ```ts
 * import { encodeGenericResponses } from 'batchwire/generic';
 * const body = encodeGenericResponses(
 *   [{ action: 'http://hpc.microsoft.com/GenericService/IGenericService/GenericOperationResponse', output: '42', userData: 'job-1' }],
 *   { encoding: 'utf-16le' },
 * );
 * ```
 */
export function encodeGenericResponses(
  responses: Iterable<GenericResponseInput>,
  options?: GenericResponseEncodeOptions,
): Uint8Array<ArrayBuffer> {
  const what = 'encodeGenericResponses';
  const settings = optionsObject(options, what);
  const encoding = choiceOption(settings, 'encoding', ENCODINGS, 'utf-8', what);
  const bom = flagOption(settings, 'bom', false, what);
  const reasonOption = textOption(settings, 'reason', what);
  const countOption = optionValue(settings, 'count', what);
  const parts: string[] = [];
  let offset = 0;
  let count = 0;
  try {
    for (const response of recordsOf(responses, 'responses')) {
      const name = `response ${count}`;
      const action = checkField(fieldOf(response, 'action', name, offset), `${name} action`, offset);
      if (action === END_OF_GET_RESPONSE_ACTION) {
        throw new BatchwireError(
          'INVALID_FIELD',
          `${name} has the closing action ${END_OF_GET_RESPONSE_ACTION}, which would end the body`,
          offset,
        );
      }
      const output = checkField(
        fieldOf(response, 'output', name, offset),
        `${name} output`,
        offset + action.length + 1,
      );
      const userData = checkField(
        fieldOf(response, 'userData', name, offset) ?? '',
        `${name} userData`,
        offset + action.length + output.length + 2,
      );
      const record = action + FIELD_SEPARATOR + output + FIELD_SEPARATOR + userData + RECORD_END;
      checkLength(offset + record.length, offset);
      parts.push(record);
      offset += record.length;
      count++;
    }
    const reason = checkField(reasonOption ?? 'Success', 'reason', offset);
    const total = countOption ?? count;
    if (typeof total !== 'number' || !Number.isSafeInteger(total) || total < 0) {
      throw new BatchwireError(
        'INVALID_FIELD',
        `count must be a non-negative integer, got ${typeof total === 'number' ? total : typeof total}`,
        offset,
      );
    }
    parts.push(
      END_OF_GET_RESPONSE_ACTION + FIELD_SEPARATOR + String(total) + FIELD_SEPARATOR + reason + RECORD_END,
    );
    checkLength(offset + parts[parts.length - 1]!.length, offset);
    return toBytes(parts.join(''), encoding, bom);
  } catch (error) {
    throw toBatchwireError(error, offset);
  }
}

/**
 * Encodes a generic-service Send Requests body: one `input U+FFFF userData U+0000` record per
 * request, no closing record.
 *
 * @throws {@link BatchwireError} `INVALID_FIELD`
 *
 * @example
 * ```ts
 * import { encodeGenericRequests } from 'batchwire/generic';
 * const body = encodeGenericRequests([{ input: 'hello', userData: '1' }, { input: 'world' }]);
 * ```
 */
export function encodeGenericRequests(
  requests: Iterable<GenericRequestInput>,
  options?: GenericEncodeOptions,
): Uint8Array<ArrayBuffer> {
  const what = 'encodeGenericRequests';
  const settings = optionsObject(options, what);
  const encoding = choiceOption(settings, 'encoding', ENCODINGS, 'utf-8', what);
  const bom = flagOption(settings, 'bom', false, what);
  const parts: string[] = [];
  let offset = 0;
  let index = 0;
  try {
    for (const request of recordsOf(requests, 'requests')) {
      const name = `request ${index}`;
      const input = checkField(fieldOf(request, 'input', name, offset), `${name} input`, offset);
      const userData = checkField(
        fieldOf(request, 'userData', name, offset) ?? '',
        `${name} userData`,
        offset + input.length + 1,
      );
      const record = input + FIELD_SEPARATOR + userData + RECORD_END;
      checkLength(offset + record.length, offset);
      parts.push(record);
      offset += record.length;
      index++;
    }
    return toBytes(parts.join(''), encoding, bom);
  } catch (error) {
    throw toBatchwireError(error, offset);
  }
}
