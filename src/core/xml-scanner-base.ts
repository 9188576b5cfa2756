// The scanner's state and the low-level readers every construct shares: names, references,
// text handed on with its line ends normalized. xml-scanner-markup.ts adds comments, CDATA,
// processing instructions and the XML declaration on top; xml-scanner.ts, the state machine of
// text and tags, is the class the feed extends. One class in three files (a chain of
// subclasses, one concrete class at run time): the state is shared, each file holds a concept.
import {
  ASCII_CLASS,
  isCharValue,
  isNameCharWide,
  isNameStartWide,
  isXmlSpace,
  NAME_CHAR,
  NAME_START,
  predefinedEntity,
} from './xml-chars.js';

// Where the scanner is between two characters.
export const S_TEXT = 0; // <a>text|      character data, or the prolog and epilog around the root
export const S_LT = 1; // <|            a '<' whose next character is still to come
export const S_BANG = 2; // <!DOC|        '<!' and what it begins, not yet decided
export const S_START_NAME = 3; // <Envel|       an element name
export const S_TAG_SPACE = 4; // <a b="1" |    between attributes
export const S_ATTR_NAME = 5; // <a xml|       an attribute name
export const S_ATTR_EQ = 6; // <a b |=       before the '='
export const S_ATTR_QUOTE = 7; // <a b= |"      before the quote
export const S_ATTR_VALUE = 8; // <a b="va|     inside an attribute value
export const S_EMPTY_END = 9; // <a/|          the '/' of an empty-element tag
export const S_END_NAME = 10; // </Envel|      an end tag's name
export const S_END_SPACE = 11; // </a |         after an end tag's name
export const S_COMMENT = 12; // <!-- x|       inside a comment
export const S_CDATA = 13; // <![CDATA[x|   inside a CDATA section
export const S_PI_TARGET = 14; // <?tar|        a processing instruction's target
export const S_PI_BODY = 15; // <?t x|        inside a processing instruction

// Where a reference is (text and attribute values share them).
export const REF_NONE = 0;
export const REF_AMP = 1; // &|
export const REF_NAME = 2; // &am|
export const REF_HASH = 3; // &#|
export const REF_DECIMAL = 4; // &#12|
export const REF_HEX_X = 5; // &#x|
export const REF_HEX = 6; // &#x1F|

export const LT = 0x3c;
export const GT = 0x3e;
export const SLASH = 0x2f;
export const BANG = 0x21;
export const QUESTION = 0x3f;
export const EQUALS = 0x3d;
export const QUOTE = 0x22;
export const APOSTROPHE = 0x27;
export const BRACKET = 0x5d;
export const DASH = 0x2d;
export const SEMICOLON = 0x3b;
export const HASH = 0x23;
export const CR = 0x0d;
export const LF = 0x0a;

// Line ends in text: CR LF and CR alone become LF.
const LINE_END = /\r\n?/g;

/** What the scanner found wrong: the code a feed reports, and where (a character position). */
export type ScanProblem = 'XML_SYNTAX' | 'DOCTYPE_FORBIDDEN' | 'LIMIT_EXCEEDED';

/**
 * The scanner's state, and the readers of names, references and text. A subclass receives the
 * events (`startTag`, `endTag`, `characters`, `declaration`) and turns problems into errors
 * (`fail`, which must throw).
 */
export abstract class XmlScannerBase {
  /** Depth of the innermost open element (0 outside the root). */
  depth = 0;
  /** True once the root element has been read whole. */
  rootClosed = false;
  /** The name of the start or end tag being reported. */
  tagName = '';
  /** Whether the tag being reported is an empty-element tag (`<a/>`): its start, then its end. */
  selfClosing = false;
  /** Attributes of the start tag being reported, `[0, attrCount)`: names, and values normalized. */
  attrNames: string[] = [];
  attrValues: string[] = [];
  attrCount = 0;
  /** Position of the '<' of the markup being read or reported. */
  markupStart = 0;
  /** Whether `characters` is called (off: text is checked, never built). */
  wantText = false;
  /** The piece being scanned; positions count characters from the start of all text. */
  current = '';
  /** Position of `current[0]`. */
  charBase = 0;
  /** Index in `current` just after the event being reported. */
  protected at = 0;

  /** Longest name, attribute value or XML declaration buffered, in characters. */
  protected maxText = Number.MAX_SAFE_INTEGER;

  protected state = S_TEXT;
  // Names of the open elements, by depth - 1.
  protected names: string[] = [];
  // A name (element, attribute or target) whose start an earlier piece held.
  protected nameHead = '';
  // The name the last readName call finished.
  protected nameOut = '';
  // The attribute whose value is being read, its quote, and the part of the value decoded so far.
  protected attrName = '';
  protected quote = QUOTE;
  protected valueHead = '';
  // Whitespace has been read since the element name or the last attribute value.
  protected spaced = false;
  // A CR ended the last piece of text or value: a LF starting the next one is part of it.
  protected crPending = false;
  // ']' characters that ended the last piece of text or CDATA (0-2): ']]>' may straddle pieces.
  protected brackets = 0;
  // '-' characters that ended the last piece of a comment (0-2).
  protected dashes = 0;
  // A '?' ended the last piece of a processing instruction.
  protected question = false;
  // What follows '<!' so far, while it is too short to decide.
  protected bangHead = '';
  // The processing instruction is the XML declaration: its text so far.
  protected declaring = false;
  protected declarationText = '';
  // A reference in progress: its state, start, name or value; and the text it stands for.
  protected ref = REF_NONE;
  protected refStart = 0;
  protected refName = '';
  protected refValue = 0;
  protected refText = '';
  // Text of the run being read, while it is built (references resolved).
  protected textOut = '';
  // Whether the piece holds a tab, LF or CR at all (attribute values need normalizing only then).
  protected spaceChars = true;
  // Next '<', '&' and ']]>' at or after the positions last asked for in `current` (length: none).
  protected nextLt = -1;
  protected nextAmp = -1;
  protected nextCdataEnd = -1;
  // The end tag read so far (its name once read).
  protected endName = '';
  // A '?' right after a processing instruction's target: only '>' may follow it.
  protected targetQuestion = false;

  /** A start tag (`tagName`, attributes, `selfClosing`) at `depth`. */
  protected abstract startTag(): void;
  /** An end tag (or the end of an empty-element tag) at `depth`, before it is left. */
  protected abstract endTag(): void;
  /** Character data (references resolved, line ends normalized, CDATA included), while `wantText`. */
  protected abstract characters(text: string): void;
  /** The XML declaration's encoding, if it names one. */
  protected abstract declaration(encoding: string | undefined): void;
  /** Throws the problem found at character position `position`. */
  protected abstract fail(code: ScanProblem, message: string, position: number): never;

  /** Position just after the last character of the event being reported. */
  get position(): number {
    return this.charBase + this.at;
  }

  /** Whether the scanner is inside markup (a tag, comment, CDATA, PI) or a reference. */
  get insideMarkup(): boolean {
    return this.state !== S_TEXT || this.ref !== REF_NONE;
  }

  /** Whether the markup being read is a start or end tag. */
  get insideTag(): boolean {
    return this.state >= S_START_NAME && this.state <= S_END_SPACE;
  }

  /** What the input is inside of, for an error at its end. */
  get inside(): string {
    const state = this.state;
    if (this.ref !== REF_NONE) return 'a reference';
    if (state === S_COMMENT) return 'a comment';
    if (state === S_CDATA) return 'a CDATA section';
    if (state === S_PI_TARGET || state === S_PI_BODY) return 'a processing instruction';
    if (state === S_ATTR_VALUE) return 'an attribute value';
    return state === S_TEXT ? 'text' : 'a tag';
  }

  // Hands text[from, to) on while text is wanted, line ends normalized.
  protected emitText(s: string, from: number, to: number): void {
    if (this.crPending) {
      this.crPending = false;
      if (s.charCodeAt(from) === LF) from++;
    }
    if (from >= to) return;
    let text = from === 0 && to === s.length ? s : s.slice(from, to);
    if (s.charCodeAt(to - 1) === CR) this.crPending = to === s.length;
    if (text.indexOf('\r') >= 0) text = text.replace(LINE_END, '\n');
    this.textOut = this.textOut === '' ? text : this.textOut + text;
  }

  // ']]>' cut by the end of the last piece: a ']' or ']]' there, the rest here.
  protected straddlingBrackets(s: string, i: number, end: number, cdata: boolean): boolean {
    const first = s.charCodeAt(i);
    const second = i + 1 < end ? s.charCodeAt(i + 1) : -1;
    const found = (this.brackets === 2 && first === GT) || (first === BRACKET && second === GT);
    const at = this.charBase + (first === GT ? i : i + 1);
    if (first === BRACKET && second === -1) this.brackets = 2;
    else this.brackets = 0;
    if (found && !cdata) this.fail('XML_SYNTAX', "']]>' in character data", at);
    return found;
  }

  /**
   * Reads a name from `i` (continuing `nameHead`), and returns where it ends: `end` when the
   * piece ends first (the part read is kept in `nameHead`), else the index of the character
   * after it, with the name in `nameOut`.
   */
  protected readName(s: string, i: number, end: number): number {
    let k = i;
    if (this.nameHead === '') {
      if (k >= end) return end;
      const c = s.charCodeAt(k);
      if (c < 0x80 ? (ASCII_CLASS[c]! & NAME_START) === 0 : !isNameStartWide(c)) {
        this.fail('XML_SYNTAX', `${describe(c)} cannot start a name`, this.charBase + k);
      }
      k++;
    }
    for (; k < end; k++) {
      const c = s.charCodeAt(k);
      if (c < 0x80 ? (ASCII_CLASS[c]! & NAME_CHAR) === 0 : !isNameCharWide(c)) break;
    }
    const length = this.nameHead.length + (k - i);
    if (length > this.maxText) {
      this.fail('LIMIT_EXCEEDED', `a name is longer than maxTextLength (${this.maxText})`, this.charBase + k);
    }
    if (k >= end) {
      this.nameHead += s.slice(i, end);
      return end;
    }
    if (this.nameHead !== '') {
      this.nameOut = this.nameHead + s.slice(i, k);
      this.nameHead = '';
      return k;
    }
    this.nameOut = s.slice(i, k);
    return k;
  }

  /**
   * Reads a reference from `i` (resuming one a piece cut). Returns where it stopped; once the
   * ';' is read, `ref` is REF_NONE and `refText` holds what it stands for.
   */
  protected readReference(s: string, i: number, end: number): number {
    for (; i < end; i++) {
      const c = s.charCodeAt(i);
      switch (this.ref) {
        case REF_AMP:
          if (c === HASH) this.ref = REF_HASH;
          else if (c < 0x80 && (ASCII_CLASS[c]! & NAME_START) !== 0 && c !== 0x3a) {
            this.ref = REF_NAME;
            this.refName = String.fromCharCode(c);
          } else this.fail('XML_SYNTAX', "'&' must start a reference (write &amp;)", this.charBase + i);
          break;
        case REF_NAME:
          if (c === SEMICOLON) {
            const text = predefinedEntity(this.refName);
            if (text === undefined) this.unknownEntity(i);
            this.refText = text;
            this.ref = REF_NONE;
            return i + 1;
          }
          if (c >= 0x80 || (ASCII_CLASS[c]! & NAME_CHAR) === 0) {
            this.fail('XML_SYNTAX', 'a reference without its ";"', this.charBase + i);
          }
          this.refName += String.fromCharCode(c);
          // Only the five predefined entities exist, and none has a longer name.
          if (this.refName.length > 4) this.unknownEntity(i);
          break;
        case REF_HASH:
          if (c === 0x78) this.ref = REF_HEX_X;
          else if (c >= 0x30 && c <= 0x39) {
            this.ref = REF_DECIMAL;
            this.refValue = c - 0x30;
          } else this.fail('XML_SYNTAX', 'a malformed character reference', this.charBase + i);
          break;
        case REF_DECIMAL:
        case REF_HEX_X:
        case REF_HEX: {
          if (c === SEMICOLON && this.ref !== REF_HEX_X) return this.endCharReference(i);
          const digit = digitValue(c, this.ref !== REF_DECIMAL);
          if (digit < 0) this.fail('XML_SYNTAX', 'a malformed character reference', this.charBase + i);
          this.refValue =
            this.ref === REF_HEX_X ? digit : this.refValue * (this.ref === REF_DECIMAL ? 10 : 16) + digit;
          if (this.ref === REF_HEX_X) this.ref = REF_HEX;
          if (this.refValue > 0x10ffff) {
            this.fail('XML_SYNTAX', 'a character reference beyond U+10FFFF', this.charBase + i);
          }
          break;
        }
      }
    }
    return i;
  }

  protected endCharReference(i: number): number {
    const value = this.refValue;
    if (!isCharValue(value)) {
      this.fail(
        'XML_SYNTAX',
        `a reference to U+${value.toString(16).toUpperCase().padStart(4, '0')}, which XML 1.0 does not allow`,
        this.refStart,
      );
    }
    this.refText = String.fromCodePoint(value);
    this.ref = REF_NONE;
    return i + 1;
  }

  protected unknownEntity(i: number): never {
    return this.fail(
      'XML_SYNTAX',
      `unknown entity &${this.refName.slice(0, 8)}; (only &lt; &gt; &amp; &quot; &apos; and character references exist)`,
      this.charBase + i,
    );
  }
}

export function indexOrLength(s: string, what: string, from: number): number {
  const at = s.indexOf(what, from);
  return at < 0 ? s.length : at;
}

export function skipSpace(s: string, i: number, end: number): number {
  while (i < end && isXmlSpace(s.charCodeAt(i))) i++;
  return i;
}

export function digitValue(c: number, hex: boolean): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (!hex) return -1;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}

export function describe(c: number): string {
  return c >= 0x21 && c < 0x7f
    ? `'${String.fromCharCode(c)}'`
    : `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
}

export function quoted(name: string): string {
  return JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}...` : name);
}
