// Character classes the hand-written scanners share (JSON, OData filters, error-body sniffing,
// the mutators of batchwire/arbitraries): one definition each, on UTF-16 code units or bytes.

/**
 * Whitespace as JSON, XML 1.0 and the OData ABNF define it: space, tab, line feed, carriage
 * return. `undefined` (an index past the end) is not whitespace.
 */
export function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** An ASCII decimal digit, `0`-`9`. */
export function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}
