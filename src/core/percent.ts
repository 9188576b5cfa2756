import { BatchwireError, type BatchwireErrorCode } from './errors.js';
import { loneSurrogateIndex } from './unicode.js';

const SUB_DELIMITERS = /[!'()*]/g;

/**
 * RFC 3986 percent-encoding of one URL component (path segment or query value): spaces as `%20`,
 * and the sub-delimiters `encodeURIComponent` leaves alone (`!'()*`) encoded too, so the value
 * reads the same through any URL handling. An unpaired surrogate has no UTF-8 form: it is a
 * `BatchwireError` with `code` and its index as the offset, never a `URIError`.
 */
export function percentEncode(value: string, name: string, code: BatchwireErrorCode): string {
  const bad = loneSurrogateIndex(value);
  if (bad >= 0)
    throw new BatchwireError(code, `${name} contains an unpaired surrogate, which has no UTF-8 form`, bad);
  return encodeURIComponent(value).replace(
    SUB_DELIMITERS,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
