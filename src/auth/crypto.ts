// The cryptography the signers need, on WebCrypto alone (`globalThis.crypto.subtle`), so the
// subpath runs unchanged in Node 20 and in browsers; plus the byte encodings (base64, hex) and a
// constant-time comparison.
import { BatchwireError, invalidArgument } from '../core/errors.js';

const encoder = new TextEncoder();

/** UTF-8 bytes of a string (a lone surrogate becomes U+FFFD, as `fetch` and Node's Buffer send it). */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text);
}

function subtle(): SubtleCrypto {
  const value = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle;
  if (value === undefined) {
    throw invalidArgument(
      'batchwire/auth needs WebCrypto (globalThis.crypto.subtle), which this runtime does not offer ' +
        '(browsers offer it to HTTPS and localhost pages only)',
    );
  }
  return value;
}

// WebCrypto rejects with a DOMException; the caller gets a BatchwireError whose message names the
// step only: nothing derived from a key.
async function guarded<T>(step: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof BatchwireError) throw error;
    throw new BatchwireError('INVALID_ARGUMENT', `WebCrypto refused to ${step}`, 0);
  }
}

/** HMAC-SHA256 of `data` under `key`. */
export function hmacSha256(key: Uint8Array<ArrayBuffer>, data: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  return guarded('compute an HMAC-SHA256', async () => {
    const crypto = subtle();
    const imported = await crypto.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return new Uint8Array(await crypto.sign('HMAC', imported, data));
  });
}

/** SHA-256 of `data`. */
export function sha256(data: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  return guarded(
    'compute a SHA-256 digest',
    async () => new Uint8Array(await subtle().digest('SHA-256', data)),
  );
}

const HEX = '0123456789abcdef';

/** Lowercase hex of bytes. */
export function hex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += HEX[byte >> 4]! + HEX[byte & 15]!;
  return out;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 with padding. */
export function base64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += BASE64[n >> 18]! + BASE64[(n >> 12) & 63]! + BASE64[(n >> 6) & 63]! + BASE64[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += `${BASE64[n >> 18]!}${BASE64[(n >> 12) & 63]!}==`;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += `${BASE64[n >> 18]!}${BASE64[(n >> 12) & 63]!}${BASE64[(n >> 6) & 63]!}=`;
  }
  return out;
}

// Sextet of each base64 character, standard and URL-safe alphabets alike (Node's Buffer reads
// both, so a key in either form means what it means to the Azure SDK); -1 for anything else.
const SEXTET = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) SEXTET[BASE64.charCodeAt(i)] = i;
SEXTET['-'.charCodeAt(0)] = 62;
SEXTET['_'.charCodeAt(0)] = 63;

/**
 * Bytes of base64 text, or `undefined` when it is not base64: padding optional (but only at the
 * end, and only as much as the length needs), no whitespace, no other characters. Trailing bits
 * are ignored, as every decoder does.
 */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  let end = text.length;
  if (end % 4 === 0 && text.endsWith('==')) end -= 2;
  else if (end % 4 === 0 && text.endsWith('=')) end -= 1;
  if (end % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let bits = 0;
  let count = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    const value = c < 128 ? SEXTET[c]! : -1;
    if (value < 0) return undefined;
    bits = (bits << 6) | value;
    count += 6;
    if (count >= 8) {
      count -= 8;
      out[o++] = (bits >> count) & 0xff;
    }
  }
  return out;
}

/**
 * Whether two byte strings are equal, in time that depends on their lengths only: every byte is
 * compared, whatever the first difference. Callers compare fixed-length digests, so the lengths
 * tell nothing either.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}
