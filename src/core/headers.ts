// HTTP header facts shared by the request descriptors and the signers: what a header name may be,
// and what a header value can carry on the wire.
import { BatchwireError } from './errors.js';

// RFC 9110 token characters: what a header name (and a method) may contain.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Whether `value` is an RFC 9110 token: a valid header name or request method. */
export function isToken(value: string): boolean {
  return TOKEN.test(value);
}

/**
 * Checks a header value: what HTTP clients accept is HTAB, visible ASCII, space and the bytes
 * 0x80-0xFF (`fetch` takes a ByteString, Node's http refuses the rest). Control characters, DEL,
 * line breaks (CR, LF, U+2028, U+2029), lone surrogates and anything above U+00FF are refused
 * here with `INVALID_FIELD` and the character's index, not later by the client with its own
 * error (or, worse, by a server that reads a second header from them). The message names the
 * character, never the value (a value may be a credential).
 */
export function checkHeaderValue(name: string, value: string): string {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c >= 0x20 && c < 0x7f) || c === 0x09 || (c >= 0x80 && c <= 0xff)) continue;
    let what: string;
    if (c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029) what = 'a line break';
    else if (c < 0x20 || c === 0x7f) what = 'a control character';
    else if (c >= 0xd800 && c <= 0xdfff) {
      const next = value.charCodeAt(i + 1);
      const paired = c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff;
      what = paired ? 'a character outside Latin-1' : 'a lone surrogate';
    } else what = 'a character outside Latin-1';
    const hex = c.toString(16).toUpperCase().padStart(4, '0');
    throw new BatchwireError(
      'INVALID_FIELD',
      `header ${name} contains ${what} (U+${hex} at index ${i}), which HTTP cannot carry`,
      i,
    );
  }
  return value;
}
