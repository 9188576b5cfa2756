// The errors of a generic stream that depend on more than one record's text: a record over the
// limit, input that ends inside a record, data after the closing record. Each depends only on the
// bytes (or characters) in question, so never on how the input was chunked.
import type { TextEncodingName } from '../core/charset.js';
import { BatchwireError, hexExcerpt, textExcerpt } from '../core/errors.js';
import { isWellFormedText, loneSurrogateIndex, utf8IncompleteTail } from '../core/unicode.js';
import { decodeStrict, encodingError, isHighSurrogate, isHighUnit, surrogateError } from './units.js';

export function limitError(at: number, max: number): BatchwireError {
  return new BatchwireError(
    'LIMIT_EXCEEDED',
    `a record starting at offset ${at} is longer than maxRecordBytes (${max})`,
    at + max,
  );
}

/**
 * A record of bytes (starting at `bytes[start]`, input offset `at`) longer than `max`: the first
 * problem in its first `max` bytes if there is one (as a decoder that buffered them would have
 * met it), else `LIMIT_EXCEEDED`.
 */
export function oversizeError(
  bytes: Uint8Array,
  start: number,
  at: number,
  max: number,
  encoding: TextEncodingName,
  strict: boolean,
): BatchwireError {
  const limit = start + max;
  const utf8 = encoding === 'utf-8';
  const end = limit - (utf8 ? utf8IncompleteTail(bytes, start, limit) : (limit - start) & 1);
  const { bad } = decodeStrict(bytes, start, end, encoding, strict);
  // A high surrogate cut by the limit may have its pair after it.
  const cutPair = !utf8 && bad === end - 2 && isHighUnit(bytes, end - 2, encoding);
  return bad >= 0 && !cutPair ? encodingError(bytes, bad, at - start, encoding) : limitError(at, max);
}

/** {@link oversizeError} for string input: `record` starts at input offset `at`. */
export function oversizeTextError(record: string, at: number, max: number, strict: boolean): BatchwireError {
  if (strict) {
    const head = record.slice(0, max);
    const index = loneSurrogateIndex(head);
    // A high surrogate cut by the limit may have its pair after it.
    if (index >= 0 && (index < head.length - 1 || !isHighSurrogate(head.charCodeAt(index)))) {
      return surrogateError(at + index, textExcerpt(head, index, 8));
    }
  }
  return limitError(at, max);
}

function truncatedRecord(start: number, end: number, text: string): BatchwireError {
  return new BatchwireError('TRUNCATED', `input ends inside a record that starts at offset ${start}`, end, {
    excerpt: textExcerpt(text, 0),
  });
}

/**
 * Input that ended inside a record of bytes (`bytes`, from input offset `start`): a problem in its
 * bytes first, then a character cut short, then the cut record itself (`end` is the input's end).
 */
export function endedInBytes(
  bytes: Uint8Array,
  start: number,
  end: number,
  encoding: TextEncodingName,
  strict: boolean,
): BatchwireError {
  const length = bytes.length;
  const utf8 = encoding === 'utf-8';
  const whole = length - (utf8 ? utf8IncompleteTail(bytes, 0, length) : length & 1);
  const { text, bad } = decodeStrict(bytes, 0, whole, encoding, strict);
  // A high surrogate just before a cut unit may have had its pair: the cut is the problem.
  const cutPair = !utf8 && whole < length && bad === whole - 2 && isHighUnit(bytes, whole - 2, encoding);
  if (bad >= 0 && !cutPair) return encodingError(bytes, bad, start, encoding);
  if (whole < length) {
    const what = utf8 ? 'an unfinished UTF-8 sequence' : 'half a UTF-16 code unit';
    return new BatchwireError('TRUNCATED', `input ends inside ${what}`, start + whole, {
      excerpt: hexExcerpt(bytes, whole),
    });
  }
  return truncatedRecord(start, end, text);
}

/** {@link endedInBytes} for string input. */
export function endedInText(record: string, start: number, end: number, strict: boolean): BatchwireError {
  if (strict && !isWellFormedText(record)) {
    const index = loneSurrogateIndex(record);
    return surrogateError(start + index, textExcerpt(record, index, 8));
  }
  return truncatedRecord(start, end, record);
}

export function trailingError(offset: number, excerpt: string): BatchwireError {
  return new BatchwireError(
    'TRAILING_DATA',
    'input continues after the closing EndOfGetResponse record',
    offset,
    {
      excerpt,
    },
  );
}
