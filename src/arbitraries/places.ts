// Where a mutation can land in each format: separators, XML start tags and content, JSON objects,
// filter words, generic fields. Found by linear byte scans that tolerate broken input, since the
// mutators run on bodies other mutators have already broken.
import { isSpace } from '../core/chars.js';
import type { MutationFormat } from './mutation-format.js';

// The byte sequences that give each format its structure.
export function separatorsOf(format: MutationFormat): number[][] {
  switch (format) {
    case 'generic-utf-8':
      return [[0xef, 0xbf, 0xbf], [0x00]];
    case 'generic-utf-16le':
    case 'generic-utf-16be':
      return [
        [0xff, 0xff],
        [0x00, 0x00],
      ];
    case 'xml':
      return [[0x3c], [0x3e], [0x2f], [0x22]];
    case 'json':
      return [[0x2c], [0x3a], [0x7b], [0x7d], [0x22]];
    case 'filter':
      return [[0x20], [0x28], [0x29], [0x27]];
  }
}

export function indexOfSequence(bytes: Uint8Array, sequence: number[], from: number, unit: number): number {
  outer: for (let i = from; i + sequence.length <= bytes.length; i += unit) {
    for (let k = 0; k < sequence.length; k++) if (bytes[i + k] !== sequence[k]) continue outer;
    return i;
  }
  return -1;
}

// Every position of any separator (aligned to the code unit in UTF-16).
export function separatorPositions(
  bytes: Uint8Array,
  format: MutationFormat,
): { at: number; length: number }[] {
  const unit = format === 'generic-utf-16le' || format === 'generic-utf-16be' ? 2 : 1;
  const start = unit === 2 && bytes[0] !== undefined && (bytes[0] === 0xff || bytes[0] === 0xfe) ? 2 : 0;
  const found: { at: number; length: number }[] = [];
  for (const sequence of separatorsOf(format)) {
    for (let i = indexOfSequence(bytes, sequence, start, unit); i >= 0 && found.length < 4096; ) {
      found.push({ at: i, length: sequence.length });
      i = indexOfSequence(bytes, sequence, i + unit, unit);
    }
  }
  return found.sort((a, b) => a.at - b.at);
}

const LT = 0x3c; // <
const GT = 0x3e; // >
const SLASH = 0x2f; // /
const BANG = 0x21; // <!-- or <![CDATA[
const QUESTION = 0x3f; // <?xml
const DQUOTE = 0x22; // "
const SQUOTE = 0x27; // '
const BACKSLASH = 0x5c; // \\ in a JSON string
const LBRACE = 0x7b; // {
const RBRACE = 0x7d; // }
const LPAREN = 0x28; // (
export const RPAREN = 0x29; // )

function isLetter(c: number): boolean {
  return (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;
}

// An XML name starts with a letter, `_`, `:` or any non-ASCII character (a UTF-8 lead byte).
function isXmlNameStart(c: number | undefined): boolean {
  return c !== undefined && (isLetter(c) || c === 0x5f || c === 0x3a || c >= 0x80);
}

function isWordPart(c: number | undefined): boolean {
  return c !== undefined && (isLetter(c) || (c >= 0x30 && c <= 0x39) || c === 0x5f);
}

interface XmlStartTag {
  /** Where the element name ends: the first attribute goes here. */
  nameEnd: number;
  /** The `>`, or the `/` of `/>`: the last attribute goes here. */
  close: number;
  /** Whether the tag has attributes (namespace declarations included). */
  attributes: boolean;
}

/**
 * The start tags of an XML document and the places inside an element where content may go
 * (after a start tag's `>`, before an end tag). Comments, CDATA sections and processing
 * instructions are skipped.
 */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: one linear scan of XML markup (tags, quotes, comments, CDATA, instructions) as a single state machine over a shared position
export function xmlPlaces(bytes: Uint8Array): { tags: XmlStartTag[]; content: number[] } {
  const tags: XmlStartTag[] = [];
  const content: number[] = [];
  const skipTo = (from: number, end: number[]): number => {
    const found = indexOfSequence(bytes, end, from, 1);
    return found < 0 ? bytes.length : found + end.length;
  };
  for (let i = 0; i < bytes.length && tags.length < 4096; ) {
    if (bytes[i] !== LT) {
      i++;
      continue;
    }
    const next = bytes[i + 1];
    if (next === QUESTION) i = skipTo(i + 2, [QUESTION, GT]);
    else if (next === BANG && bytes[i + 2] === 0x2d) i = skipTo(i + 4, [0x2d, 0x2d, GT]);
    else if (next === BANG && bytes[i + 2] === 0x5b) i = skipTo(i + 9, [0x5d, 0x5d, GT]);
    else if (next === SLASH) {
      content.push(i);
      i += 2;
    } else if (isXmlNameStart(next)) {
      let nameEnd = i + 1;
      while (
        nameEnd < bytes.length &&
        !isSpace(bytes[nameEnd]) &&
        bytes[nameEnd] !== SLASH &&
        bytes[nameEnd] !== GT
      )
        nameEnd++;
      // Attribute values may hold a raw `>`: only one outside quotes ends the tag.
      let quote = 0;
      let close = nameEnd;
      for (; close < bytes.length; close++) {
        const c = bytes[close]!;
        if (quote !== 0) {
          if (c === quote) quote = 0;
        } else if (c === DQUOTE || c === SQUOTE) quote = c;
        else if (c === GT) break;
      }
      if (close >= bytes.length) break;
      const selfClosing = bytes[close - 1] === SLASH && close - 1 >= nameEnd;
      const end = selfClosing ? close - 1 : close;
      let attributes = false;
      for (let k = nameEnd; k < end && !attributes; k++) attributes = !isSpace(bytes[k]);
      tags.push({ nameEnd, close: end, attributes });
      if (!selfClosing) content.push(close + 1);
      i = close + 1;
    } else i++;
  }
  return { tags, content };
}

/** The objects of a JSON text, outside strings: where each opens and closes, and whether it is empty. */
export function jsonObjects(bytes: Uint8Array): { open: number[]; close: number[]; empty: Set<number> } {
  const open: number[] = [];
  const close: number[] = [];
  const empty = new Set<number>();
  let inString = false;
  let lastSignificant = -1;
  for (let i = 0; i < bytes.length && open.length < 4096; i++) {
    const c = bytes[i]!;
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === DQUOTE) inString = false;
    } else if (c === DQUOTE) inString = true;
    else if (c === LBRACE) open.push(i);
    else if (c === RBRACE) {
      close.push(i);
      // `{}` (or `{ }`): the member inserted there takes no comma.
      if (lastSignificant >= 0 && bytes[lastSignificant] === LBRACE) {
        empty.add(lastSignificant);
        empty.add(i);
      }
    }
    if (!isSpace(c)) lastSignificant = i;
  }
  return { open, close, empty };
}

/** The words of a filter outside string literals (`''` inside a literal toggles twice), and `(`s. */
export function filterPlaces(bytes: Uint8Array): {
  words: { start: number; end: number }[];
  opens: number[];
} {
  const words: { start: number; end: number }[] = [];
  const opens: number[] = [0];
  let inString = false;
  for (let i = 0; i < bytes.length && words.length < 4096; ) {
    const c = bytes[i]!;
    if (c === SQUOTE) inString = !inString;
    else if (!inString && c === LPAREN) opens.push(i + 1);
    else if (!inString && isWordPart(c)) {
      let end = i + 1;
      while (isWordPart(bytes[end])) end++;
      // A word starts with a letter or `_`: `8`, `-12` and `1e5` are numbers.
      if (!(c >= 0x30 && c <= 0x39)) words.push({ start: i, end });
      i = end;
      continue;
    }
    i++;
  }
  return { words, opens };
}

/**
 * The fields of a generic body: from the start or a separator to the next separator. A body
 * without a separator has one empty field where its text starts.
 */
export function genericFields(bytes: Uint8Array, format: MutationFormat): { start: number; end: number }[] {
  // The first field starts after a byte order mark: EF BB BF, FF FE (LE) or FE FF (BE).
  let start = 0;
  if (format === 'generic-utf-8' && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  else if (format === 'generic-utf-16le' && bytes[0] === 0xff && bytes[1] === 0xfe) start = 2;
  else if (format === 'generic-utf-16be' && bytes[0] === 0xfe && bytes[1] === 0xff) start = 2;
  const fields: { start: number; end: number }[] = [];
  for (const { at, length } of separatorPositions(bytes, format)) {
    if (at < start) continue;
    fields.push({ start, end: at });
    start = at + length;
  }
  return fields.length > 0 ? fields : [{ start, end: start }];
}
