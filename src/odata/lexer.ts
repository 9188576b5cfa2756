// The $filter lexer: one token at a time, in place (no token objects, no regex), reporting what it
// cannot read and reading on, so the parser above it sees every later problem too.

import { isDigit, isSpace } from '../core/chars.js';
import { HINT_DATETIME_FORMS, looksLikeIsoDate, parseDateTimeText } from './datetime.js';
import { clip, type DiagnosticSink, diagnostic, MAX_QUOTED, Stop } from './diagnostics.js';
import type { SchemaEntry, SchemaIndex } from './schema-entry.js';
import type { FilterDiagnosticCode } from './types.js';

// Token kinds, each with a sample of the text it stands for.
export const T_EOF: number = 0; // the end of the text
export const T_LPAREN: number = 1; // (
export const T_RPAREN: number = 2; // )
export const T_COMMA: number = 3; // ,
export const T_SLASH: number = 4; // /
export const T_IDENT: number = 5; // poolId, eq, and, true, startswith
export const T_STRING: number = 6; // 'O''Brien'
export const T_INT: number = 7; // -12
export const T_DATETIME: number = 8; // DateTime'2011-05-08T08:49:37Z'
export const T_SYMBOL: number = 9; // == != <> < <= > >= && || = & | (reported, then read as the keyword they mean)
export const T_ERROR: number = 10; // anything the lexer already reported

// Character codes. Bundlers turn module constants into mutable `var`s, which V8 then reloads on
// every use (about 2% of parse time here), so the per-character paths compare with literals,
// each commented with its character, and the named codes serve the cold paths.
const PLUS = 0x2b; // +
const MINUS = 0x2d; // -
const DOT = 0x2e; // .
const SLASH = 0x2f; // /
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const COLON = 0x3a; // :
const UPPER_T = 0x54;
const UPPER_Z = 0x5a;
const UNDERSCORE = 0x5f;

const SYMBOLS: Readonly<Record<string, string>> = {
  '==': 'eq',
  '=': 'eq',
  '!=': 'ne',
  '<>': 'ne',
  '<': 'lt',
  '<=': 'le',
  '>': 'gt',
  '>=': 'ge',
  '&&': 'and',
  '&': 'and',
  '||': 'or',
  '|': 'or',
};

/**
 * An identifier character in lowercase: ASCII letters differ from their lowercase in bit 0x20
 * alone, and no other identifier character (digit, `_`) becomes a letter by setting it.
 */
function lower(c: number): number {
  return c | 0x20;
}

// Character classes of ASCII, by table: one load per character in the lexer's hot loops.
const IDENT_START = 1;
const IDENT_PART = 2;
const CLASSES = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const letter = (lower(c) >= 0x61 && lower(c) <= 0x7a) || c === UNDERSCORE; // a-z, A-Z, _
  const digit = c >= DIGIT_0 && c <= DIGIT_9;
  CLASSES[c] = (letter ? IDENT_START | IDENT_PART : 0) | (digit ? IDENT_PART : 0);
}

function isIdentStart(c: number): boolean {
  return c < 128 && (CLASSES[c]! & IDENT_START) !== 0;
}

function isIdentPart(c: number): boolean {
  return c < 128 && (CLASSES[c]! & IDENT_PART) !== 0;
}

/** Whether `path` is identifier segments joined by `/`, as a schema path the lexer can match whole. */
export function isPropertyPathText(path: string): boolean {
  let segmentStart = true;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (segmentStart ? !isIdentStart(c) : c !== SLASH && !isIdentPart(c)) return false;
    segmentStart = c === SLASH;
  }
  return path.length > 0 && !segmentStart;
}

/** The words the grammar gives a meaning to; `not` and `null` only to refuse them with a hint. */
const KEYWORDS = [
  'eq',
  'ne',
  'gt',
  'ge',
  'lt',
  'le',
  'or',
  'and',
  'not',
  'true',
  'null',
  'false',
  'startswith',
];
// The two-letter keywords (every comparison, and `or`, the most frequent words of a filter) by
// their two lowercase letters: one table load each. Entry: 1 + the index in KEYWORDS, or 0.
const BY_TWO_LETTERS = new Uint8Array(128 * 128);
// The longer keywords by length (up to 10, `startswith`).
const BY_LENGTH: string[][] = Array.from({ length: 11 }, () => []);
for (let k = 0; k < KEYWORDS.length; k++) {
  const word = KEYWORDS[k]!;
  if (word.length === 2) BY_TWO_LETTERS[word.charCodeAt(0) * 128 + word.charCodeAt(1)] = k + 1;
  else BY_LENGTH[word.length]!.push(word);
}
const NO_KEYWORDS: string[] = [];

/**
 * The keyword at text[i, i + length), compared case-insensitively without allocating, in
 * lowercase; or '' when the identifier is not one.
 */
export function keyword(text: string, i: number, length: number): string {
  const first = lower(text.charCodeAt(i));
  const second = lower(text.charCodeAt(i + 1));
  if (length === 2) {
    const k = first < 128 && second < 128 ? BY_TWO_LETTERS[first * 128 + second]! : 0;
    return k === 0 ? '' : KEYWORDS[k - 1]!;
  }
  for (const word of BY_LENGTH[length] ?? NO_KEYWORDS) {
    if (word.charCodeAt(0) !== first || word.charCodeAt(1) !== second) continue;
    let k = 2;
    while (k < length && lower(text.charCodeAt(i + k)) === word.charCodeAt(k)) k++;
    if (k === length) return word;
  }
  return '';
}

/** Whether text[i, end) is `datetime` in any case, without allocating. */
function isDateTimeKeyword(text: string, i: number, end: number): boolean {
  if (end - i !== 8) return false;
  for (let k = 0; k < 8; k++) if (lower(text.charCodeAt(i + k)) !== 'datetime'.charCodeAt(k)) return false;
  return true;
}

// Characters a bare date-time can run on with after `YYYY-MM-DD`: digits : . + - T Z.
function isDateTimePart(c: number): boolean {
  return (
    isDigit(c) || c === COLON || c === DOT || c === PLUS || c === MINUS || c === UPPER_T || c === UPPER_Z
  );
}

/**
 * The lexer's state: the current token (`type`, `start`, `end` and its value) and where to read
 * on. The parser is this state (its instance passes itself to {@link nextToken}), so a token
 * costs no object, and no call goes through a second instance or a prototype chain.
 */
export interface TokenState {
  readonly text: string;
  readonly index: SchemaIndex | undefined;
  /** null: stop at the first problem (throws {@link Stop}); otherwise collect them. */
  readonly sink: DiagnosticSink | null;
  type: number;
  start: number;
  end: number;
  /** For a string or DateTime literal: its text, quotes undoubled. */
  str: string;
  /** For identifiers and symbols: the keyword they are, lowercase, or ''. */
  kw: string;
  num: number;
  time: number;
  /** Where the next token starts looking. */
  pos: number;
  /** For an identifier: the schema path the lexer matched whole there, if any. */
  entry: SchemaEntry | undefined;
  /** Whitespace was skipped right before the current token (for "no spaces in a path" hints). */
  spaced: boolean;
}

/** Reports a problem: thrown as {@link Stop} when there is no sink (parseFilter), else collected. */
export function report(
  s: TokenState,
  code: FilterDiagnosticCode,
  message: string,
  start: number,
  end: number,
  hint?: string,
): void {
  const d = diagnostic(code, message, start, end, hint);
  if (s.sink === null) throw new Stop(d);
  s.sink.add(d);
}

/** Reads the token after the current one into `s`. */
export function nextToken(s: TokenState): void {
  const text = s.text;
  let i = s.pos;
  const length = text.length;
  const before = i;
  while (i < length && isSpace(text.charCodeAt(i))) i++;
  s.spaced = i > before;
  s.start = i;
  if (i >= length) {
    s.type = T_EOF;
    s.end = s.pos = i;
    return;
  }
  const c = text.charCodeAt(i);
  if (isIdentStart(c)) {
    const known = s.index?.byFirst[c];
    if (known !== undefined) {
      for (const entry of known) {
        const path = entry.path;
        const e = i + path.length;
        // The last two characters tell most paths apart cheaply; a slice compare (native, faster
        // than startsWith with a position in V8) confirms. (A one-letter path never matches
        // here, and is looked up by the parser instead.)
        if (e > length || text.charCodeAt(e - 1) !== path.charCodeAt(path.length - 1)) continue;
        if (text.charCodeAt(e - 2) !== path.charCodeAt(path.length - 2) || text.slice(i, e) !== path)
          continue;
        // Not a prefix of a longer name or path, nor the prefix of a literal: followed by neither
        // an identifier character, '/' (0x2f) nor a quote (0x27).
        const after = e < length ? text.charCodeAt(e) : 0x20;
        if (isIdentPart(after) || after === 0x2f || after === 0x27) continue;
        s.type = T_IDENT;
        s.kw = '';
        s.entry = entry;
        s.end = s.pos = e;
        return;
      }
    }
    s.entry = undefined;
    let j = i + 1;
    while (j < length && isIdentPart(text.charCodeAt(j))) j++;
    if (j < length && text.charCodeAt(j) === 0x27 /* ' */) {
      prefixedLiteral(s, i, j);
      return;
    }
    s.type = T_IDENT;
    s.kw = keyword(text, i, j - i);
    s.end = s.pos = j;
    return;
  }
  switch (c) {
    case 0x28: // (
      single(s, T_LPAREN, i);
      return;
    case 0x29: // )
      single(s, T_RPAREN, i);
      return;
    case 0x2c: // ,
      single(s, T_COMMA, i);
      return;
    case 0x2f: // /
      single(s, T_SLASH, i);
      return;
    case 0x27: {
      // '
      const end = scanQuoted(s, i + 1);
      if (end < 0) {
        unterminated(s, i);
        return;
      }
      s.type = T_STRING;
      s.end = s.pos = end;
      return;
    }
    case 0x22: // "
      doubleQuoted(s, i);
      return;
  }
  if (isDigit(c) || (c === 0x2d /* - */ && i + 1 < length && isDigit(text.charCodeAt(i + 1)))) {
    readNumber(s, i);
    return;
  }
  readSymbol(s, i, c);
}

function single(s: TokenState, type: number, i: number): void {
  s.type = type;
  s.end = s.pos = i + 1;
}

/** A double-quoted string: read whole, so the error is reported once. */
function doubleQuoted(s: TokenState, i: number): void {
  const text = s.text;
  let j = text.indexOf('"', i + 1);
  if (j < 0) j = text.length;
  // Sliced a little past what a hint quotes, so a long body is clipped with an ellipsis.
  const body = clip(text.slice(i + 1, Math.min(j, i + 2 + MAX_QUOTED)).replaceAll("'", "''"));
  lexError(s, i, Math.min(j + 1, text.length), 'strings are written in single quotes', `write '${body}'`);
}

function readSymbol(s: TokenState, i: number, c: number): void {
  const text = s.text;
  const two = text.slice(i, i + 2);
  const symbol = SYMBOLS[two] !== undefined ? two : SYMBOLS[text[i]!] !== undefined ? text[i]! : undefined;
  if (symbol !== undefined) {
    const word = SYMBOLS[symbol]!;
    report(s, 'FILTER_SYNTAX', `'${symbol}' is not an OData operator`, i, i + symbol.length, `write ${word}`);
    s.type = T_SYMBOL;
    s.kw = word;
    s.end = s.pos = i + symbol.length;
    return;
  }
  // One whole code point, so a caret never splits a surrogate pair.
  const next = text.charCodeAt(i + 1);
  const width = c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff ? 2 : 1;
  lexError(s, i, i + width, `unexpected character ${JSON.stringify(text.slice(i, i + width))}`);
}

function lexError(s: TokenState, start: number, end: number, message: string, hint?: string): void {
  report(s, 'FILTER_SYNTAX', message, start, end, hint);
  s.type = T_ERROR;
  s.end = s.pos = end;
}

function unterminated(s: TokenState, start: number): void {
  lexError(
    s,
    start,
    s.text.length,
    'unterminated string',
    "end it with ' (a quote inside a string is written '')",
  );
}

/** Reads a quoted body from `i` (after the opening quote) into `str`; the index after the closing quote, or -1. */
function scanQuoted(s: TokenState, i: number): number {
  const text = s.text;
  const length = text.length;
  const start = i;
  let doubled = false;
  for (;;) {
    const q = text.indexOf("'", i);
    if (q < 0) return -1;
    if (q + 1 < length && text.charCodeAt(q + 1) === 0x27 /* ' */) {
      doubled = true;
      i = q + 2;
      continue;
    }
    // One slice, and native passes for the escapes: no string built per '' (a literal of
    // thousands of them would be a rope of thousands of pieces). split/join, not replaceAll,
    // which V8 runs in superlinear time past about a million matches.
    const body = text.slice(start, q);
    s.str = doubled ? body.split("''").join("'") : body;
    return q + 1;
  }
}

/** `DateTime'...'`, or another `prefix'...'` literal Batch does not take. */
function prefixedLiteral(s: TokenState, i: number, quote: number): void {
  const end = scanQuoted(s, quote + 1);
  if (end < 0) {
    unterminated(s, i);
    return;
  }
  if (!isDateTimeKeyword(s.text, i, quote)) {
    const prefix = s.text.slice(i, quote);
    lexError(
      s,
      i,
      end,
      `${clip(prefix)}'...' literals are not supported`,
      prefix.toLowerCase() === 'datetimeoffset' ? `write DateTime'${clip(s.str)}'` : undefined,
    );
    return;
  }
  // Without '' escapes the body is the text between the quotes: parse it in place.
  const time =
    end - quote - 2 === s.str.length
      ? parseDateTimeText(s.text, quote + 1, end - 1)
      : parseDateTimeText(s.str);
  if (Number.isNaN(time)) {
    lexError(s, i, end, `'${clip(s.str)}' is not a valid date-time`, HINT_DATETIME_FORMS);
    return;
  }
  s.type = T_DATETIME;
  s.time = time;
  s.end = s.pos = end;
}

function readNumber(s: TokenState, i: number): void {
  const text = s.text;
  const length = text.length;
  const first = text.charCodeAt(i) === 0x2d /* - */ ? i + 1 : i;
  if (first === i && looksLikeIsoDate(text, i)) {
    bareDate(s, i);
    return;
  }
  let j = first;
  while (j < length && isDigit(text.charCodeAt(j))) j++;
  if (j < length && (text.charCodeAt(j) === 0x2e /* . */ || isIdentPart(text.charCodeAt(j)))) {
    let k = j + 1;
    while (k < length && (isIdentPart(text.charCodeAt(k)) || text.charCodeAt(k) === 0x2e)) k++;
    lexError(
      s,
      i,
      k,
      `'${clip(text.slice(i, k))}' is not an integer`,
      text.charCodeAt(j) === 0x2e ? 'Batch filters take whole numbers only' : undefined,
    );
    return;
  }
  // More than 16 digits is never a safe integer: refused before Number() reads them.
  const value = j - first > 16 ? Number.NaN : Number(text.slice(i, j));
  if (!Number.isSafeInteger(value)) {
    lexError(s, i, j, 'integer out of range');
    return;
  }
  s.type = T_INT;
  s.num = value === 0 ? 0 : value; // never -0
  s.end = s.pos = j;
}

/** A date-time written without DateTime'...': reported with the fix, then read as the date it means. */
function bareDate(s: TokenState, i: number): void {
  const text = s.text;
  let j = i + 10;
  while (j < text.length && isDateTimePart(text.charCodeAt(j))) j++;
  const raw = text.slice(i, j);
  report(
    s,
    'FILTER_SYNTAX',
    `date-times must be written DateTime'...'`,
    i,
    j,
    `write DateTime'${clip(raw)}'`,
  );
  const time = parseDateTimeText(raw);
  // Read on as the date it means, so later checks still run.
  s.type = Number.isNaN(time) ? T_ERROR : T_DATETIME;
  s.str = raw;
  s.time = time;
  s.end = s.pos = j;
}
