import { BatchwireError, textExcerpt } from '../core/errors.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { looksLikeIsoDate, parseDateTimeText } from './datetime.js';
import { suggestProperty } from './suggest.js';
import type {
  ComparisonOperator,
  DateTimeLiteralNode,
  FilterDiagnostic,
  FilterDiagnosticCode,
  FilterExpression,
  FilterOperator,
  FilterPropertySpec,
  FilterSchema,
  LiteralNode,
  ParseFilterOptions,
  PropertyNode,
  StringLiteralNode,
} from './types.js';

// Token kinds, each with a sample of the text it stands for.
const T_EOF: number = 0;
const T_LPAREN: number = 1; // (
const T_RPAREN: number = 2; // )
const T_COMMA: number = 3; // ,
const T_SLASH: number = 4; // /
const T_IDENT: number = 5; // poolId, eq, and, true, startswith
const T_STRING: number = 6; // 'O''Brien'
const T_INT: number = 7; // -12
const T_DATETIME: number = 8; // DateTime'2011-05-08T08:49:37Z'
const T_SYMBOL: number = 9; // == != < <= > >= && || (reported, then read as the keyword they mean)
const T_ERROR: number = 10; // anything the lexer already reported

const COMPARISONS: ReadonlySet<string> = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const UNSUPPORTED_FUNCTIONS: ReadonlySet<string> = new Set([
  'endswith',
  'contains',
  'substringof',
  'indexof',
  'length',
  'substring',
  'tolower',
  'toupper',
  'trim',
  'concat',
  'year',
  'month',
  'day',
  'hour',
  'minute',
  'second',
  'round',
  'floor',
  'ceiling',
  'isof',
  'cast',
  'any',
  'all',
]);
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
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const HINT_DATETIME_FORMS =
  "use ISO 8601 (DateTime'2011-05-08T08:49:37Z') or RFC 1123 (DateTime'Sun, 08 May 2011 08:49:37 GMT')";

// Character classes of ASCII, by table: one load per character in the lexer's hot loops.
const IDENT_START = 1;
const IDENT_PART = 2;
const SPACE = 4;
const CLASSES = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const letter = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
  const digit = c >= 0x30 && c <= 0x39;
  CLASSES[c] =
    (letter ? IDENT_START | IDENT_PART : 0) |
    (digit ? IDENT_PART : 0) |
    (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d ? SPACE : 0);
}

function isIdentStart(c: number): boolean {
  return c < 128 && (CLASSES[c]! & IDENT_START) !== 0;
}

function isIdentPart(c: number): boolean {
  return c < 128 && (CLASSES[c]! & IDENT_PART) !== 0;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isSpace(c: number): boolean {
  return c < 128 && (CLASSES[c]! & SPACE) !== 0;
}

// Schema properties by path length, so a lookup compares text in place: no slice, no hashing.
interface SchemaEntry {
  path: string;
  spec: FilterPropertySpec;
}
interface SchemaIndex {
  /** By path length, for paths read token by token. */
  byLength: Map<number, SchemaEntry[]>;
  /** By first character (ASCII), longest first: the lexer matches whole known paths with one native compare. */
  byFirst: (SchemaEntry[] | undefined)[];
}
const indexes = new WeakMap<FilterSchema, SchemaIndex>();

// The last schema used: most callers validate against one schema over and over.
let lastSchema: FilterSchema | undefined;
let lastIndex: SchemaIndex | undefined;

function schemaIndex(schema: FilterSchema): SchemaIndex {
  if (schema === lastSchema) return lastIndex!;
  let index = indexes.get(schema);
  if (index === undefined) {
    index = { byLength: new Map(), byFirst: [] };
    for (const path of Object.keys(schema.properties)) {
      const entry = { path, spec: schema.properties[path]! };
      const bucket = index.byLength.get(path.length);
      if (bucket === undefined) index.byLength.set(path.length, [entry]);
      else bucket.push(entry);
      const first = path.charCodeAt(0);
      // Only real paths: a keyword-named property must still lex as a keyword where it is one.
      if (first < 128 && isPropertyPathText(path) && keyword(path, 0, path.length) === '') {
        const same = index.byFirst[first];
        if (same === undefined) index.byFirst[first] = [entry];
        else same.push(entry);
      }
    }
    for (const bucket of index.byFirst) bucket?.sort((a, b) => b.path.length - a.path.length);
    indexes.set(schema, index);
  }
  lastSchema = schema;
  lastIndex = index;
  return index;
}

function isPropertyPathText(path: string): boolean {
  let segmentStart = true;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (segmentStart ? !isIdentStart(c) : c !== 0x2f && !isIdentPart(c)) return false;
    segmentStart = c === 0x2f;
  }
  return path.length > 0 && !segmentStart;
}

// Thrown inside the parser to stop at the first problem (parseFilter) or at a fatal one (limits).
class Stop {
  constructor(readonly diagnostic: FilterDiagnostic) {}
}

// One level of parentheses: the operands of the `or` being built, and of the `and` inside it.
interface Frame {
  open: number;
  ors: FilterExpression[];
  ands: FilterExpression[];
}

function group(kind: 'and' | 'or', operands: FilterExpression[]): FilterExpression {
  if (operands.length === 1) return operands[0]!;
  return { kind, operands, start: operands[0]!.start, end: operands[operands.length - 1]!.end };
}

// Whether text[i, end) is `datetime` in any case, without allocating.
function isDateTimeKeyword(text: string, i: number, end: number): boolean {
  if (end - i !== 8) return false;
  for (let k = 0; k < 8; k++) if ((text.charCodeAt(i + k) | 0x20) !== 'datetime'.charCodeAt(k)) return false;
  return true;
}

// Lowercase keyword at text[i, i + length), compared case-insensitively without allocating; or ''.
// (c | 0x20) lowercases ASCII letters and maps no other identifier character onto a letter.
function keyword(text: string, i: number, length: number): string {
  const a = text.charCodeAt(i) | 0x20;
  const b = text.charCodeAt(i + 1) | 0x20;
  switch (length) {
    case 2:
      if (a === 0x65 && b === 0x71) return 'eq';
      if (a === 0x6e && b === 0x65) return 'ne';
      if (a === 0x67) return b === 0x74 ? 'gt' : b === 0x65 ? 'ge' : '';
      if (a === 0x6c) return b === 0x74 ? 'lt' : b === 0x65 ? 'le' : '';
      if (a === 0x6f && b === 0x72) return 'or';
      return '';
    case 3:
    case 4:
    case 5:
    case 10: {
      for (const word of KEYWORDS) {
        if (word.length !== length || word.charCodeAt(0) !== a || word.charCodeAt(1) !== b) continue;
        let k = 2;
        while (k < length && (text.charCodeAt(i + k) | 0x20) === word.charCodeAt(k)) k++;
        if (k === length) return word;
      }
      return '';
    }
    default:
      return '';
  }
}

const KEYWORDS = ['and', 'not', 'true', 'null', 'false', 'startswith'] as const;

/** 1-based line and column of `offset`, for error messages. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Recursive-descent in shape, but with an explicit stack of frames: input depth never uses the call stack. */
class FilterParser {
  // Current token.
  private type = T_EOF;
  private start = 0;
  private end = 0;
  private str = '';
  // For identifiers and symbols: the keyword they are, lowercase, or ''.
  private kw = '';
  private num = 0;
  private time = 0;
  private pos = 0;
  // The schema entry of the property last read by property(), if the schema has it.
  private spec: FilterPropertySpec | undefined = undefined;
  // For an identifier token: the schema path the lexer matched whole there, if any.
  private entry: SchemaEntry | undefined = undefined;
  private readonly index: SchemaIndex | undefined;
  // Whitespace was skipped right before the current token (for "no spaces in a path" hints).
  private spaced = false;

  constructor(
    private readonly text: string,
    private readonly schema: FilterSchema | undefined,
    private readonly maxDepth: number,
    // null: stop at the first problem; otherwise collect every problem.
    private readonly diagnostics: FilterDiagnostic[] | null,
  ) {
    // Schemas are plain data users may edit between calls: index once, then trust own keys only.
    this.index = schema === undefined ? undefined : schemaIndex(schema);
  }

  private report(
    code: FilterDiagnosticCode,
    message: string,
    start: number,
    end: number,
    hint?: string,
  ): void {
    const diagnostic: FilterDiagnostic =
      hint === undefined ? { code, message, start, end } : { code, message, start, end, hint };
    if (this.diagnostics === null) throw new Stop(diagnostic);
    this.diagnostics.push(diagnostic);
  }

  // ---- lexer ----

  private next(): void {
    const text = this.text;
    let i = this.pos;
    const length = text.length;
    const before = i;
    while (i < length && isSpace(text.charCodeAt(i))) i++;
    this.spaced = i > before;
    this.start = i;
    if (i >= length) {
      this.type = T_EOF;
      this.end = this.pos = i;
      return;
    }
    const c = text.charCodeAt(i);
    if (isIdentStart(c)) {
      const known = this.index?.byFirst[c];
      if (known !== undefined) {
        for (const entry of known) {
          const path = entry.path;
          const e = i + path.length;
          // The last characters tell most paths apart cheaply; a slice compare (native, faster
          // than startsWith with a position in V8) confirms.
          if (e > length || text.charCodeAt(e - 1) !== path.charCodeAt(path.length - 1)) continue;
          if (text.charCodeAt(e - 2) !== path.charCodeAt(path.length - 2) || text.slice(i, e) !== path)
            continue;
          const after = e < length ? text.charCodeAt(e) : 0x20;
          if (isIdentPart(after) || after === 0x2f || after === 0x27) continue;
          this.type = T_IDENT;
          this.kw = '';
          this.entry = entry;
          this.end = this.pos = e;
          return;
        }
      }
      this.entry = undefined;
      let j = i + 1;
      while (j < length && isIdentPart(text.charCodeAt(j))) j++;
      if (j < length && text.charCodeAt(j) === 0x27) {
        this.prefixedLiteral(i, j);
        return;
      }
      this.type = T_IDENT;
      this.kw = keyword(text, i, j - i);
      this.end = this.pos = j;
      return;
    }
    switch (c) {
      case 0x28:
        this.single(T_LPAREN, i);
        return;
      case 0x29:
        this.single(T_RPAREN, i);
        return;
      case 0x2c:
        this.single(T_COMMA, i);
        return;
      case 0x2f:
        this.single(T_SLASH, i);
        return;
      case 0x27: {
        const end = this.scanQuoted(i + 1);
        if (end < 0) {
          this.unterminated(i);
          return;
        }
        this.type = T_STRING;
        this.end = this.pos = end;
        return;
      }
      case 0x22: {
        // A double-quoted string: read it whole so the error is reported once.
        let j = i + 1;
        while (j < length && text.charCodeAt(j) !== 0x22) j++;
        const end = j < length ? j + 1 : length;
        this.lexError(
          i,
          end,
          'strings are written in single quotes',
          `write '${text.slice(i + 1, j).replaceAll("'", "''")}'`,
        );
        return;
      }
    }
    if (isDigit(c) || (c === 0x2d && i + 1 < length && isDigit(text.charCodeAt(i + 1)))) {
      this.number(i);
      return;
    }
    const two = text.slice(i, i + 2);
    const symbol = SYMBOLS[two] !== undefined ? two : SYMBOLS[text[i]!] !== undefined ? text[i]! : undefined;
    if (symbol !== undefined) {
      const word = SYMBOLS[symbol]!;
      this.report(
        'FILTER_SYNTAX',
        `'${symbol}' is not an OData operator`,
        i,
        i + symbol.length,
        `write ${word}`,
      );
      this.type = T_SYMBOL;
      this.kw = word;
      this.end = this.pos = i + symbol.length;
      return;
    }
    // One whole code point, so a caret never splits a surrogate pair.
    const width = c >= 0xd800 && c <= 0xdbff && i + 1 < length ? 2 : 1;
    this.lexError(i, i + width, `unexpected character ${JSON.stringify(text.slice(i, i + width))}`);
  }

  private single(type: number, i: number): void {
    this.type = type;
    this.end = this.pos = i + 1;
  }

  private lexError(start: number, end: number, message: string, hint?: string): void {
    this.report('FILTER_SYNTAX', message, start, end, hint);
    this.type = T_ERROR;
    this.end = this.pos = end;
  }

  private unterminated(start: number): void {
    this.lexError(
      start,
      this.text.length,
      'unterminated string',
      "end it with ' (a quote inside a string is written '')",
    );
  }

  /** Reads a quoted body from `i` (after the opening quote) into `str`; the index after the closing quote, or -1. */
  private scanQuoted(i: number): number {
    const text = this.text;
    const length = text.length;
    let out = '';
    let from = i;
    for (;;) {
      const q = text.indexOf("'", i);
      if (q < 0) return -1;
      if (q + 1 < length && text.charCodeAt(q + 1) === 0x27) {
        out += text.slice(from, q + 1);
        i = from = q + 2;
        continue;
      }
      this.str = out + text.slice(from, q);
      return q + 1;
    }
  }

  /** `DateTime'...'`, or another `prefix'...'` literal Batch does not take. */
  private prefixedLiteral(i: number, quote: number): void {
    const end = this.scanQuoted(quote + 1);
    if (end < 0) {
      this.unterminated(i);
      return;
    }
    if (!isDateTimeKeyword(this.text, i, quote)) {
      const prefix = this.text.slice(i, quote);
      this.lexError(
        i,
        end,
        `${prefix}'...' literals are not supported`,
        prefix.toLowerCase() === 'datetimeoffset' ? `write DateTime'${this.str}'` : undefined,
      );
      return;
    }
    // Without '' escapes the body is the text between the quotes: parse it in place.
    const time =
      end - quote - 2 === this.str.length
        ? parseDateTimeText(this.text, quote + 1, end - 1)
        : parseDateTimeText(this.str);
    if (Number.isNaN(time)) {
      this.lexError(i, end, `'${this.str}' is not a valid date-time`, HINT_DATETIME_FORMS);
      return;
    }
    this.type = T_DATETIME;
    this.time = time;
    this.end = this.pos = end;
  }

  private number(i: number): void {
    const text = this.text;
    const length = text.length;
    const first = text.charCodeAt(i) === 0x2d ? i + 1 : i;
    if (first === i && looksLikeIsoDate(text, i)) {
      // A bare date: read the whole date-time so the hint can quote it.
      let j = i + 10;
      while (j < length) {
        const c = text.charCodeAt(j);
        if (!(isDigit(c) || c === 0x3a || c === 0x2e || c === 0x2b || c === 0x2d || c === 0x54 || c === 0x5a))
          break;
        j++;
      }
      const raw = text.slice(i, j);
      this.report(
        'FILTER_SYNTAX',
        `date-times must be written DateTime'...'`,
        i,
        j,
        `write DateTime'${raw}'`,
      );
      const time = parseDateTimeText(raw);
      // Read on as the date it means, so later checks still run.
      this.type = Number.isNaN(time) ? T_ERROR : T_DATETIME;
      this.str = raw;
      this.time = time;
      this.end = this.pos = j;
      return;
    }
    let j = first;
    while (j < length && isDigit(text.charCodeAt(j))) j++;
    if (j < length && (text.charCodeAt(j) === 0x2e || isIdentPart(text.charCodeAt(j)))) {
      let k = j + 1;
      while (k < length && (isIdentPart(text.charCodeAt(k)) || text.charCodeAt(k) === 0x2e)) k++;
      this.lexError(
        i,
        k,
        `'${text.slice(i, k)}' is not an integer`,
        text.charCodeAt(j) === 0x2e ? 'Batch filters take whole numbers only' : undefined,
      );
      return;
    }
    if (j - first > 16) {
      this.lexError(i, j, 'integer out of range');
      return;
    }
    const value = Number(text.slice(i, j));
    if (!Number.isSafeInteger(value)) {
      this.lexError(i, j, 'integer out of range');
      return;
    }
    this.type = T_INT;
    this.num = value === 0 ? 0 : value; // never -0
    this.end = this.pos = j;
  }

  // ---- parser ----

  /** The keyword the current token is (lowercase), or ''. */
  private word(): string {
    return this.type === T_IDENT || this.type === T_SYMBOL ? this.kw : '';
  }

  private identText(): string {
    return this.text.slice(this.start, this.end);
  }

  private tokenText(): string {
    return this.type === T_EOF ? 'the end' : `'${this.text.slice(this.start, this.end)}'`;
  }

  /** Skips to the next `and`, `or` or `)` at this level (or the end), after a reported error. */
  private recover(): void {
    let level = 0;
    for (;;) {
      const t = this.type;
      if (t === T_EOF) return;
      if (t === T_RPAREN) {
        if (level === 0) return;
        level--;
      } else if (t === T_LPAREN) {
        level++;
      } else if (level === 0 && (t === T_IDENT || t === T_SYMBOL)) {
        const w = this.word();
        if (w === 'and' || w === 'or') return;
      }
      this.next();
    }
  }

  parse(): FilterExpression | undefined {
    this.next();
    if (this.type === T_EOF) {
      this.report('FILTER_SYNTAX', 'empty filter', 0, this.text.length);
      return undefined;
    }
    const stack: Frame[] = [];
    let frame: Frame = { open: -1, ors: [], ands: [] };
    for (;;) {
      // Expecting an operand.
      while (this.type === T_LPAREN) {
        if (stack.length + 1 > this.maxDepth) {
          const d: FilterDiagnostic = {
            code: 'LIMIT_EXCEEDED',
            message: `parentheses nested deeper than ${this.maxDepth}`,
            start: this.start,
            end: this.end,
            hint: 'raise maxDepth if this filter is legitimate',
          };
          throw new Stop(d);
        }
        stack.push(frame);
        frame = { open: this.start, ors: [], ands: [] };
        this.next();
      }
      const operand = this.operand();
      if (operand !== undefined) frame.ands.push(operand);
      // Expecting an operator, a closing parenthesis or the end.
      for (;;) {
        const t = this.type;
        if (t === T_EOF) {
          while (stack.length > 0) {
            this.report('FILTER_SYNTAX', "missing ')'", frame.open, frame.open + 1, "close this '('");
            const inner = this.close(frame);
            frame = stack.pop()!;
            if (inner !== undefined) frame.ands.push(inner);
          }
          return this.close(frame);
        }
        if (t === T_RPAREN) {
          if (stack.length === 0) {
            this.report('FILTER_SYNTAX', "unmatched ')'", this.start, this.end);
            this.next();
            continue;
          }
          const inner = this.close(frame);
          frame = stack.pop()!;
          if (inner !== undefined) frame.ands.push(inner);
          this.next();
          continue;
        }
        const w = this.word();
        if (w === 'and') {
          this.next();
          break;
        }
        if (w === 'or') {
          if (frame.ands.length > 0) frame.ors.push(group('and', frame.ands));
          frame.ands = [];
          this.next();
          break;
        }
        if (t !== T_ERROR) {
          this.report(
            'FILTER_SYNTAX',
            `expected and, or, ')' or the end, found ${this.tokenText()}`,
            this.start,
            this.end,
          );
        }
        this.recover();
      }
    }
  }

  private close(frame: Frame): FilterExpression | undefined {
    if (frame.ands.length > 0) frame.ors.push(group('and', frame.ands));
    return frame.ors.length > 0 ? group('or', frame.ors) : undefined;
  }

  /** A comparison or `startswith(...)`; undefined after a reported error (the tokens are skipped). */
  private operand(): FilterExpression | undefined {
    const t = this.type;
    if (t === T_IDENT) {
      const w = this.kw;
      const followedByParen = this.peekParen();
      if (followedByParen) {
        if (w === 'startswith') return this.startsWith();
        this.report(
          'FILTER_SYNTAX',
          `${UNSUPPORTED_FUNCTIONS.has(this.identText().toLowerCase()) ? 'function' : 'unknown function'} ${this.identText()}() is not supported`,
          this.start,
          this.end,
          "Batch filters support startswith(property, 'prefix') only",
        );
        this.recover();
        return undefined;
      }
      if (w === 'not') {
        this.report(
          'FILTER_SYNTAX',
          "'not' is not supported by Batch",
          this.start,
          this.end,
          'negate the comparison instead (eq <-> ne, gt <-> le, lt <-> ge)',
        );
        this.recover();
        return undefined;
      }
      if (w === 'and' || w === 'or') {
        // A missing operand: report it and leave the keyword to the caller.
        this.report(
          'FILTER_SYNTAX',
          `expected a comparison or startswith(...), found '${this.identText()}'`,
          this.start,
          this.end,
        );
        return undefined;
      }
      if (w === 'true' || w === 'false' || w === 'null') {
        this.literalFirst();
        return undefined;
      }
      return this.comparison();
    }
    if (t === T_STRING || t === T_INT || t === T_DATETIME) {
      this.literalFirst();
      return undefined;
    }
    if (t === T_ERROR) {
      this.recover();
      return undefined;
    }
    const w = this.word();
    // A missing operand before and/or/')'/the end: report, and let the caller handle that token.
    this.report(
      'FILTER_SYNTAX',
      `expected a comparison or startswith(...), found ${this.tokenText()}`,
      this.start,
      this.end,
    );
    if (t !== T_EOF && t !== T_RPAREN && w !== 'and' && w !== 'or') {
      this.next();
      this.recover();
    }
    return undefined;
  }

  private peekParen(): boolean {
    let i = this.pos;
    while (i < this.text.length && isSpace(this.text.charCodeAt(i))) i++;
    return this.text.charCodeAt(i) === 0x28;
  }

  private literalFirst(): void {
    this.report(
      'FILTER_SYNTAX',
      `expected a property name, found the value ${this.tokenText()}`,
      this.start,
      this.end,
      'write the property first: property eq value',
    );
    this.next();
    this.recover();
  }

  /** `a/b/c` from the current identifier; leaves the token after it current. Undefined after a reported error (nothing skipped). */
  private property(): PropertyNode | undefined {
    const start = this.start;
    let end = this.end;
    const entry = this.entry;
    if (entry !== undefined) {
      this.spec = entry.spec;
      this.next();
      return { kind: 'property', path: entry.path, start, end };
    }
    // Sliced once at the end when the path has no spaces (the common case), else built up.
    let path: string | undefined;
    this.next();
    while (this.type === T_SLASH) {
      const slashSpaced = this.spaced;
      this.next();
      if (this.type !== T_IDENT) {
        if (this.type !== T_ERROR) {
          this.report('FILTER_SYNTAX', "expected a property name after '/'", this.start, this.end);
        }
        return undefined;
      }
      if (slashSpaced || this.spaced || path !== undefined) {
        path = `${path ?? this.text.slice(start, end)}/${this.identText()}`;
        if (slashSpaced || this.spaced) {
          this.report(
            'FILTER_SYNTAX',
            "spaces are not allowed around '/' in a property path",
            start,
            this.end,
            `write ${path}`,
          );
        }
      }
      end = this.end;
      this.next();
    }
    this.spec = undefined;
    if (path === undefined) {
      const bucket = this.index?.byLength.get(end - start);
      if (bucket !== undefined) {
        for (const entry of bucket) {
          if (this.text.startsWith(entry.path, start)) {
            this.spec = entry.spec;
            // The schema's own string: no allocation for a known property.
            return { kind: 'property', path: entry.path, start, end };
          }
        }
      }
      path = this.text.slice(start, end);
    } else if (this.schema !== undefined && Object.hasOwn(this.schema.properties, path)) {
      this.spec = this.schema.properties[path];
    }
    return { kind: 'property', path, start, end };
  }

  private comparison(): FilterExpression | undefined {
    const property = this.property();
    if (property === undefined) {
      this.recover();
      return undefined;
    }
    const spec = this.spec;
    const opStart = this.start;
    const opEnd = this.end;
    const w = this.word();
    if (!COMPARISONS.has(w)) {
      if (w === 'startswith') {
        this.report(
          'FILTER_SYNTAX',
          'startswith is a function, not an infix operator',
          opStart,
          opEnd,
          `write startswith(${property.path}, 'prefix')`,
        );
      } else if (this.type !== T_ERROR) {
        this.report(
          'FILTER_SYNTAX',
          `expected an operator (eq, ne, gt, ge, lt, le) after ${property.path}, found ${this.tokenText()}`,
          opStart,
          opEnd,
        );
      }
      this.recover();
      return undefined;
    }
    const operator = w as ComparisonOperator;
    this.next();
    const value = this.literal();
    if (value === undefined) {
      this.recover();
      return undefined;
    }
    this.checkComparison(property, spec, operator, opStart, opEnd, value);
    return { kind: 'comparison', operator, property, value, start: property.start, end: value.end };
  }

  /** The literal at the current token, which is consumed; undefined after a reported error (the caller skips on). */
  private literal(): LiteralNode | undefined {
    const start = this.start;
    const end = this.end;
    let node: LiteralNode | undefined;
    switch (this.type) {
      case T_STRING:
        node = { kind: 'string', value: this.str, start, end };
        break;
      case T_INT:
        node = { kind: 'int', value: this.num, start, end };
        break;
      case T_DATETIME:
        node = { kind: 'datetime', value: this.str, time: this.time, start, end };
        break;
      case T_IDENT: {
        const w = this.kw;
        if (w === 'true' || w === 'false') {
          node = { kind: 'boolean', value: w === 'true', start, end };
          break;
        }
        if (w === 'null') {
          this.report('FILTER_SYNTAX', 'null is not supported in Batch filters', start, end);
        } else {
          this.report(
            'FILTER_SYNTAX',
            `expected a value, found ${this.tokenText()}`,
            start,
            end,
            'a property can only be compared with a literal: a string, integer, true/false or DateTime',
          );
        }
        return undefined;
      }
      case T_ERROR:
        return undefined;
      default:
        this.report('FILTER_SYNTAX', `expected a value, found ${this.tokenText()}`, start, end);
        return undefined;
    }
    this.next();
    return node;
  }

  private startsWith(): FilterExpression | undefined {
    const start = this.start;
    const nameEnd = this.end;
    this.next(); // (
    this.next();
    if (this.type !== T_IDENT) {
      if (this.type !== T_ERROR) {
        this.report(
          'FILTER_SYNTAX',
          `expected a property name, found ${this.tokenText()}`,
          this.start,
          this.end,
        );
      }
      this.skipCall();
      return undefined;
    }
    const property = this.property();
    if (property === undefined) {
      this.skipCall();
      return undefined;
    }
    const known = this.spec;
    if (this.type !== T_COMMA) {
      this.report('FILTER_SYNTAX', `expected ',' found ${this.tokenText()}`, this.start, this.end);
      this.skipCall();
      return undefined;
    }
    this.next();
    const prefix = this.literal();
    if (prefix === undefined) {
      this.skipCall();
      return undefined;
    }
    if (this.type !== T_RPAREN) {
      this.report('FILTER_SYNTAX', `expected ')' found ${this.tokenText()}`, this.start, this.end);
      this.skipCall();
      return undefined;
    }
    const end = this.end;
    this.next();
    const spec = this.lookup(property, known);
    if (spec !== undefined && !spec.operators.includes('startswith')) {
      this.report(
        'FILTER_OPERATOR_NOT_ALLOWED',
        `startswith is not allowed on ${property.path}`,
        start,
        nameEnd,
        `allowed: ${spec.operators.join(', ')}`,
      );
    }
    if (prefix.kind !== 'string') {
      this.report(
        'FILTER_TYPE_MISMATCH',
        'startswith takes a string prefix',
        prefix.start,
        prefix.end,
        prefix.kind === 'int' ? `write '${prefix.value}'` : undefined,
      );
      return undefined;
    }
    const node: StringLiteralNode = prefix;
    return { kind: 'startswith', property, prefix: node, start, end };
  }

  /** After an error inside `startswith(...)`: skip to its `)` (consumed), or to the end. */
  private skipCall(): void {
    let level = 0;
    for (;;) {
      const t = this.type;
      if (t === T_EOF) return;
      if (t === T_LPAREN) level++;
      if (t === T_RPAREN) {
        if (level === 0) {
          this.next();
          return;
        }
        level--;
      }
      this.next();
    }
  }

  /** The schema entry of the property just read (see `spec`); reports an unknown property. Undefined without a schema too. */
  private lookup(
    property: PropertyNode,
    spec: FilterPropertySpec | undefined,
  ): FilterPropertySpec | undefined {
    const schema = this.schema;
    if (schema === undefined || spec !== undefined) return spec;
    this.report(
      'FILTER_UNKNOWN_PROPERTY',
      `unknown property '${property.path}' for ${schema.name}`,
      property.start,
      property.end,
      suggestProperty(property.path, Object.keys(schema.properties)),
    );
    return undefined;
  }

  private checkComparison(
    property: PropertyNode,
    known: FilterPropertySpec | undefined,
    operator: FilterOperator,
    opStart: number,
    opEnd: number,
    value: LiteralNode,
  ): void {
    const spec = this.lookup(property, known);
    if (spec === undefined) return;
    if (!spec.operators.includes(operator)) {
      this.report(
        'FILTER_OPERATOR_NOT_ALLOWED',
        `operator ${operator} is not allowed on ${property.path}`,
        opStart,
        opEnd,
        `allowed: ${spec.operators.join(', ')}`,
      );
    }
    const type = spec.type;
    const kind = value.kind;
    if (
      (type === 'String' && kind === 'string') ||
      (type === 'Boolean' && kind === 'boolean') ||
      (type === 'DateTime' && kind === 'datetime')
    ) {
      return;
    }
    if (type === 'Int' && kind === 'int') {
      if (value.value < INT32_MIN || value.value > INT32_MAX) {
        this.report(
          'FILTER_TYPE_MISMATCH',
          `${value.value} is out of the Int32 range`,
          value.start,
          value.end,
        );
      }
      return;
    }
    const raw = this.text.slice(value.start, value.end);
    let hint: string | undefined;
    if (kind === 'string') {
      if (type === 'DateTime' && !Number.isNaN(parseDateTimeText(value.value))) hint = `write DateTime${raw}`;
      else if (type === 'Int' && isIntegerText(value.value)) hint = `write ${value.value} without quotes`;
      else if (type === 'Boolean' && (value.value === 'true' || value.value === 'false'))
        hint = `write ${value.value} without quotes`;
    } else if (type === 'String') {
      hint = `quote it: '${kind === 'datetime' ? (value as DateTimeLiteralNode).value : raw}'`;
    } else if (type === 'DateTime') {
      hint = HINT_DATETIME_FORMS;
    }
    this.report(
      'FILTER_TYPE_MISMATCH',
      `${property.path} is ${type === 'Int' ? 'an Int' : `a ${type}`}; ${raw} is ${describe(kind)}`,
      value.start,
      value.end,
      hint,
    );
  }
}

function describe(kind: LiteralNode['kind']): string {
  switch (kind) {
    case 'string':
      return 'a string';
    case 'int':
      return 'an integer';
    case 'boolean':
      return 'a boolean';
    case 'datetime':
      return 'a DateTime';
  }
}

function isIntegerText(s: string): boolean {
  let i = s.charCodeAt(0) === 0x2d ? 1 : 0;
  if (i >= s.length || s.length > 12) return false;
  for (; i < s.length; i++) if (!isDigit(s.charCodeAt(i))) return false;
  return true;
}

function limits(options: ParseFilterOptions): { maxLength: number; maxDepth: number } {
  return {
    maxLength: options.maxLength ?? DEFAULT_LIMITS.maxFilterLength,
    maxDepth: options.maxDepth ?? DEFAULT_LIMITS.maxFilterDepth,
  };
}

function lengthDiagnostic(text: string, maxLength: number): FilterDiagnostic | undefined {
  if (text.length <= maxLength) return undefined;
  return {
    code: 'LIMIT_EXCEEDED',
    message: `filter is ${text.length} characters, more than the limit of ${maxLength}`,
    start: maxLength,
    end: text.length,
    hint: 'raise maxLength if this filter is legitimate',
  };
}

/** The BatchwireError for a diagnostic: its code, offset, line/column and an excerpt. */
export function diagnosticError(text: string, d: FilterDiagnostic): BatchwireError {
  const { line, column } = lineColumn(text, d.start);
  const message = d.hint === undefined ? d.message : `${d.message} (${d.hint})`;
  return new BatchwireError(d.code, message, d.start, { line, column, excerpt: textExcerpt(text, d.start) });
}

/**
 * Parses a Batch `$filter` into an AST whose nodes carry `start`/`end` offsets; with a `schema`,
 * also checks property names, operators and literal types. Throws at the first problem.
 *
 * @throws {BatchwireError} `FILTER_SYNTAX`, `FILTER_UNKNOWN_PROPERTY`, `FILTER_OPERATOR_NOT_ALLOWED`,
 * `FILTER_TYPE_MISMATCH` or `LIMIT_EXCEEDED`, with the offset of the offending text; also
 * `INVALID_ARGUMENT` when `text` is not a string.
 *
 * @example
 * ```ts
 * const ast = parseFilter("nodeId eq 'tvm-1' and jobPreparationTaskExecutionInfo/exitCode ne 0", {
 *   schema: schemas.jobPreparationAndReleaseTaskStatus,
 * });
 * ast.kind; // 'and'
 * ```
 */
export function parseFilter(text: string, options: ParseFilterOptions = {}): FilterExpression {
  if (typeof text !== 'string') {
    throw new BatchwireError('INVALID_ARGUMENT', `expected filter text, got ${typeof text}`, 0);
  }
  const { maxLength, maxDepth } = limits(options);
  const tooLong = lengthDiagnostic(text, maxLength);
  if (tooLong) throw diagnosticError(text, tooLong);
  try {
    // With diagnostics === null the parser stops at the first problem, so a result is complete.
    return new FilterParser(text, options.schema, maxDepth, null).parse()!;
  } catch (error) {
    if (error instanceof Stop) throw diagnosticError(text, error.diagnostic);
    throw error;
  }
}

/**
 * Checks a `$filter` against a schema and returns every problem found, in text order (empty when
 * the filter is good). Never throws: after a syntax error it skips to the next `and`, `or` or `)`
 * and carries on. Hints say how to fix: did-you-mean for a misspelt property, "property names are
 * case-sensitive", "write DateTime'...'" for a bare date.
 *
 * @example
 * ```ts
 * validateFilter("nodeid eq 'x' and poolId gt 'p'", schemas.jobPreparationAndReleaseTaskStatus);
 * // [{ code: 'FILTER_UNKNOWN_PROPERTY', start: 0, end: 6, hint: "property names are case-sensitive: write 'nodeId'", ... },
 * //  { code: 'FILTER_OPERATOR_NOT_ALLOWED', start: 25, end: 27, hint: 'allowed: eq, ne', ... }]
 * ```
 */
export function validateFilter(
  text: string,
  schema?: FilterSchema,
  options: Omit<ParseFilterOptions, 'schema'> = {},
): FilterDiagnostic[] {
  if (typeof text !== 'string') {
    return [{ code: 'FILTER_SYNTAX', message: `expected filter text, got ${typeof text}`, start: 0, end: 0 }];
  }
  const { maxLength, maxDepth } = limits(options);
  const tooLong = lengthDiagnostic(text, maxLength);
  if (tooLong) return [tooLong];
  const diagnostics: FilterDiagnostic[] = [];
  try {
    new FilterParser(text, schema, maxDepth, diagnostics).parse();
  } catch (error) {
    // Only a limit stops a collecting parse; anything else would be a bug, reported, not thrown.
    diagnostics.push(
      error instanceof Stop
        ? error.diagnostic
        : { code: 'FILTER_SYNTAX', message: `internal error: ${String(error)}`, start: 0, end: text.length },
    );
  }
  return diagnostics.sort((a, b) => a.start - b.start || a.end - b.end);
}
