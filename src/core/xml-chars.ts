// Character classes of XML 1.0 (fifth edition) on UTF-16 code units, for the scanner: names
// (NameStartChar, NameChar), whitespace, and where a piece of text stops being made of Chars.
// No regular expression here sees more than one class of single characters (linear, no ReDoS).

/** Bits of {@link ASCII_CLASS}: what an ASCII code unit may be in a name. */
export const NAME_START = 1;
export const NAME_CHAR = 2;

/** For each ASCII code unit, NAME_START | NAME_CHAR where it may start or continue an XML name. */
export const ASCII_CLASS: Uint8Array = /* @__PURE__ */ (() => {
  const table = new Uint8Array(128);
  const both = NAME_START | NAME_CHAR;
  for (let c = 0x41; c <= 0x5a; c++) table[c] = both; // A-Z
  for (let c = 0x61; c <= 0x7a; c++) table[c] = both; // a-z
  for (let c = 0x30; c <= 0x39; c++) table[c] = NAME_CHAR; // 0-9
  table[0x3a] = both; // ':' (the scanner checks the Namespaces rules on colons itself)
  table[0x5f] = both; // '_'
  table[0x2d] = NAME_CHAR; // '-'
  table[0x2e] = NAME_CHAR; // '.'
  return table;
})();

/**
 * Whether a code unit at or above U+0080 may start a name. High surrogates D800-DB7F start the
 * supplementary planes up to U+EFFFF (the scanner has checked that a low surrogate follows).
 */
export function isNameStartWide(c: number): boolean {
  if (c < 0x2070) {
    return (
      (c >= 0xc0 && c <= 0xd6) ||
      (c >= 0xd8 && c <= 0xf6) ||
      (c >= 0xf8 && c <= 0x2ff) ||
      (c >= 0x370 && c <= 0x37d) ||
      (c >= 0x37f && c <= 0x1fff) ||
      c === 0x200c ||
      c === 0x200d
    );
  }
  return (
    c <= 0x218f ||
    (c >= 0x2c00 && c <= 0x2fef) ||
    (c >= 0x3001 && c <= 0xdb7f) ||
    (c >= 0xf900 && c <= 0xfdcf) ||
    (c >= 0xfdf0 && c <= 0xfffd)
  );
}

/** Whether a code unit at or above U+0080 may continue a name (low surrogates: the pair's second half). */
export function isNameCharWide(c: number): boolean {
  return (
    isNameStartWide(c) ||
    c === 0xb7 ||
    (c >= 0x300 && c <= 0x36f) ||
    c === 0x203f ||
    c === 0x2040 ||
    (c >= 0xdc00 && c <= 0xdfff)
  );
}

/** XML whitespace: space, tab, line feed, carriage return. */
export function isXmlSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

// C0 controls other than tab, LF and CR, and the two noncharacters U+FFFE and U+FFFF: never
// in an XML 1.0 document, not even as a reference. One class: the engine scans it natively.
const NOT_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

/**
 * The index of the first code unit of `text` that is no XML Char (a control, U+FFFE/U+FFFF, or
 * half of a surrogate pair alone, unless `surrogates` is false), or `text.length` when every one is.
 */
export function firstNonChar(text: string, surrogates = true): number {
  let bad = text.search(NOT_CHAR);
  if (bad < 0) bad = text.length;
  if (surrogates && !isWellFormed(text)) {
    const lone = loneSurrogate(text, bad);
    if (lone < bad) bad = lone;
  }
  return bad;
}

const hasIsWellFormed = typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === 'function';

function isWellFormed(text: string): boolean {
  return hasIsWellFormed ? (text as string & { isWellFormed(): boolean }).isWellFormed() : false;
}

// The first unpaired surrogate before `end`, or `end`.
function loneSurrogate(text: string, end: number): number {
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
    }
    return i;
  }
  return end;
}

/** Whether a character reference's value is a Char XML 1.0 allows. */
export function isCharValue(value: number): boolean {
  return value >= 0x20
    ? value <= 0xd7ff || (value >= 0xe000 && value <= 0xfffd) || (value >= 0x10000 && value <= 0x10ffff)
    : value === 0x9 || value === 0xa || value === 0xd;
}

/** The five entities XML predefines, by name; no other entity exists without a DTD. */
export function predefinedEntity(name: string): string | undefined {
  switch (name) {
    case 'lt':
      return '<';
    case 'gt':
      return '>';
    case 'amp':
      return '&';
    case 'quot':
      return '"';
    case 'apos':
      return "'";
    default:
      return undefined;
  }
}

/**
 * A copy of `text` that shares no storage with the string it was cut from. V8 cuts strings of
 * 13 or more characters as views of their parent, and a view keeps the whole parent alive (a
 * 45-character value would hold a 64 KiB chunk); a value handed to a caller must not.
 */
export function detach(text: string): string {
  // Shorter cuts are copies already. Slicing a concatenation flattens it into a fresh string.
  return text.length < 13 ? text : ` ${text}`.slice(1);
}
