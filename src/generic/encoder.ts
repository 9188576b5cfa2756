import { bomBytes } from '../core/charset.js';
import { END_OF_GET_RESPONSE_ACTION } from '../core/end-of-responses.js';
import { BatchwireError } from '../core/errors.js';
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
    throw new BatchwireError('INVALID_FIELD', `${what} must be a string, got ${typeof value}`, offset);
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

// Writes a mark where auto-detection would misread the text without one: a leading U+FEFF looks
// like a mark itself, and UTF-16 sniffing needs a first character in U+0001..U+00FF.
function needsBom(text: string, encoding: string): boolean {
  if (text.length === 0) return false;
  const first = text.charCodeAt(0);
  if (first === 0xfeff) return true;
  return encoding !== 'utf-8' && (first === 0 || first > 0xff);
}

function toBytes(text: string, options: GenericEncodeOptions): Uint8Array {
  const encoding = options.encoding ?? 'utf-8';
  const bom = options.bom === true || needsBom(text, encoding) ? bomBytes(encoding) : undefined;
  if (encoding === 'utf-16le' || encoding === 'utf-16be')
    return encodeUtf16(text, encoding === 'utf-16le', bom);
  if (encoding !== 'utf-8') {
    throw new BatchwireError('INVALID_ARGUMENT', `unsupported encoding ${JSON.stringify(encoding)}`, 0);
  }
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
  options: GenericResponseEncodeOptions = {},
): Uint8Array {
  const parts: string[] = [];
  let offset = 0;
  let count = 0;
  for (const response of responses) {
    const action = checkField(response.action, `response ${count} action`, offset);
    if (action === END_OF_GET_RESPONSE_ACTION) {
      throw new BatchwireError(
        'INVALID_FIELD',
        `response ${count} has the closing action ${END_OF_GET_RESPONSE_ACTION}, which would end the body`,
        offset,
      );
    }
    const output = checkField(response.output, `response ${count} output`, offset + action.length + 1);
    const userData = checkField(
      response.userData ?? '',
      `response ${count} userData`,
      offset + action.length + output.length + 2,
    );
    const record = action + FIELD_SEPARATOR + output + FIELD_SEPARATOR + userData + RECORD_END;
    parts.push(record);
    offset += record.length;
    count++;
  }
  const reason = checkField(options.reason ?? 'Success', 'reason', offset);
  const total = options.count ?? count;
  if (!Number.isSafeInteger(total) || total < 0) {
    throw new BatchwireError('INVALID_FIELD', `count must be a non-negative integer, got ${total}`, offset);
  }
  parts.push(
    END_OF_GET_RESPONSE_ACTION + FIELD_SEPARATOR + String(total) + FIELD_SEPARATOR + reason + RECORD_END,
  );
  return toBytes(parts.join(''), options);
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
  options: GenericEncodeOptions = {},
): Uint8Array {
  const parts: string[] = [];
  let offset = 0;
  let index = 0;
  for (const request of requests) {
    const input = checkField(request.input, `request ${index} input`, offset);
    const userData = checkField(
      request.userData ?? '',
      `request ${index} userData`,
      offset + input.length + 1,
    );
    const record = input + FIELD_SEPARATOR + userData + RECORD_END;
    parts.push(record);
    offset += record.length;
    index++;
  }
  return toBytes(parts.join(''), options);
}
