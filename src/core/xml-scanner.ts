// batchwire's streaming XML 1.0 (fifth edition) scanner, for documents without a DOCTYPE. It is
// fed decoded text piece by piece and reports start tags, end tags and (when asked) text; the
// feed on top of it (xml.ts) adds namespaces, limits and offsets.
//
// How it stays fast: native string searches find what ends a run (indexOf for '<', '&', ']]>',
// a quote, '--', '?>'), one native pass per piece proves every character is an XML Char
// (firstNonChar), and only names are read a character at a time. How it stays streaming: a piece
// may end anywhere, so every construct that can be long resumes from a state (named below with a
// sample of the input it stands for); only a reference and the few characters after '<!' are
// carried, each in a variable of its own.
// Over 500 lines on purpose: one state machine, whose states share the scanning helpers.
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
const S_TEXT = 0; // <a>text|      character data, or the prolog and epilog around the root
const S_LT = 1; // <|            a '<' whose next character is still to come
const S_BANG = 2; // <!DOC|        '<!' and what it begins, not yet decided
const S_START_NAME = 3; // <Envel|       an element name
const S_TAG_SPACE = 4; // <a b="1" |    between attributes
const S_ATTR_NAME = 5; // <a xml|       an attribute name
const S_ATTR_EQ = 6; // <a b |=       before the '='
const S_ATTR_QUOTE = 7; // <a b= |"      before the quote
const S_ATTR_VALUE = 8; // <a b="va|     inside an attribute value
const S_EMPTY_END = 9; // <a/|          the '/' of an empty-element tag
const S_END_NAME = 10; // </Envel|      an end tag's name
const S_END_SPACE = 11; // </a |         after an end tag's name
const S_COMMENT = 12; // <!-- x|       inside a comment
const S_CDATA = 13; // <![CDATA[x|   inside a CDATA section
const S_PI_TARGET = 14; // <?tar|        a processing instruction's target
const S_PI_BODY = 15; // <?t x|        inside a processing instruction

// Where a reference is (text and attribute values share them).
const REF_NONE = 0;
const REF_AMP = 1; // &|
const REF_NAME = 2; // &am|
const REF_HASH = 3; // &#|
const REF_DECIMAL = 4; // &#12|
const REF_HEX_X = 5; // &#x|
const REF_HEX = 6; // &#x1F|

const LT = 0x3c;
const GT = 0x3e;
const _AMP = 0x26;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const EQUALS = 0x3d;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const BRACKET = 0x5d;
const DASH = 0x2d;
const SEMICOLON = 0x3b;
const HASH = 0x23;
const CR = 0x0d;
const LF = 0x0a;

// Names cut from the input are kept in a small cache: repeated names (s:Envelope, a:Action...)
// then cost no allocation, and a name handed on never holds a piece of input alive.
const _NAME_CACHE_SIZE = 512;
const _NAME_CACHE_LONGEST = 64;
// Scratch arrays larger than this are dropped after the tag that grew them.
const KEEP_ATTRIBUTES = 64;
// The longest XML declaration kept (the grammar's longest useful one is about 80 characters).
const MAX_DECLARATION = 1024;

/** What the scanner found wrong: the code a feed reports, and where (a character position). */
export type ScanProblem = 'XML_SYNTAX' | 'DOCTYPE_FORBIDDEN' | 'LIMIT_EXCEEDED';

// Attribute value normalization (XML 1.0 section 3.3.3), after line-end normalization.
const ATTRIBUTE_SPACE = /\r\n|[\t\n\r]/g;
const SPACE_CHARACTER = /[\t\n\r]/;
// What an XML declaration may hold: names, values, '=', quotes and whitespace.
const NOT_IN_DECLARATION = /[^A-Za-z0-9._\-'"= \t\r\n]/;
const LINE_END = /\r\n?/g;

/**
 * The scanner. A subclass receives the events (`startTag`, `endTag`, `characters`,
 * `declaration`) and turns problems into errors (`fail`, which must throw).
 */
export abstract class XmlScanner {
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

  private state = S_TEXT;
  // Names of the open elements, by depth - 1.
  private names: string[] = [];
  // A name (element, attribute or target) whose start an earlier piece held.
  private nameHead = '';
  // The name the last readName call finished.
  private nameOut = '';
  // The attribute whose value is being read, its quote, and the part of the value decoded so far.
  private attrName = '';
  private quote = QUOTE;
  private valueHead = '';
  // Whitespace has been read since the element name or the last attribute value.
  private spaced = false;
  // A CR ended the last piece of text or value: a LF starting the next one is part of it.
  private crPending = false;
  // ']' characters that ended the last piece of text or CDATA (0-2): ']]>' may straddle pieces.
  private brackets = 0;
  // '-' characters that ended the last piece of a comment (0-2).
  private dashes = 0;
  // A '?' ended the last piece of a processing instruction.
  private question = false;
  // What follows '<!' so far, while it is too short to decide.
  private bangHead = '';
  // The processing instruction is the XML declaration: its text so far.
  private declaring = false;
  private declarationText = '';
  // A reference in progress: its state, start, name or value; and the text it stands for.
  private ref = REF_NONE;
  private refStart = 0;
  private refName = '';
  private refValue = 0;
  private refText = '';
  // Text of the run being read, while it is built (references resolved).
  private textOut = '';
  // Whether the piece holds a tab, LF or CR at all (attribute values need normalizing only then).
  private spaceChars = true;
  // Next '<', '&' and ']]>' at or after the positions last asked for in `current` (length: none).
  private nextLt = -1;
  private nextAmp = -1;
  private nextCdataEnd = -1;
  // The end tag read so far (its name once read).
  private endName = '';
  // A '?' right after a processing instruction's target: only '>' may follow it.
  private targetQuestion = false;

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

  /** Scans `text[0, end)`, the current piece up to `end`. Events run inside. */
  protected scan(text: string, end: number): void {
    this.current = text;
    this.nextLt = -1;
    this.nextAmp = -1;
    this.nextCdataEnd = -1;
    this.spaceChars = SPACE_CHARACTER.test(text);
    let i = 0;
    while (i < end) {
      switch (this.state) {
        case S_TEXT:
          i = this.scanContent(text, i, end);
          break;
        case S_LT:
          i = this.afterLt(text, i, end);
          break;
        case S_BANG:
          i = this.scanBang(text, i, end);
          break;
        case S_START_NAME:
          i = this.startName(text, i, end);
          break;
        case S_END_NAME:
        case S_END_SPACE:
          i = this.scanEndTag(text, i, end);
          break;
        case S_COMMENT:
          i = this.scanComment(text, i, end);
          break;
        case S_CDATA:
          i = this.scanCdata(text, i, end);
          break;
        case S_PI_TARGET:
        case S_PI_BODY:
          i = this.scanPi(text, i, end);
          break;
        default:
          i = this.scanTagBody(text, i, end);
      }
    }
    // Text of a run the piece cut is handed on now: the feed keeps nothing of a piece.
    if (this.textOut !== '') {
      const out = this.textOut;
      this.textOut = '';
      this.characters(out);
    }
  }

  // Character data and the markup it leads to, for as long as the piece lasts.
  private scanContent(s: string, i: number, end: number): number {
    while (i < end) {
      if (this.ref !== REF_NONE || this.brackets > 0 || this.crPending) {
        i = this.textSlow(s, i, this.ltFrom(s, i, end), end);
        if (i >= end || this.ref !== REF_NONE) return i;
      }
      const lt = this.ltFrom(s, i, end);
      if (lt > i) {
        let amp = this.nextAmp;
        if (amp < i) amp = this.nextAmp = indexOrLength(s, '&', i);
        let cdataEnd = this.nextCdataEnd;
        if (cdataEnd < i) cdataEnd = this.nextCdataEnd = indexOrLength(s, ']]>', i);
        if (
          amp < lt ||
          cdataEnd < lt ||
          this.depth === 0 ||
          (lt === end && s.charCodeAt(end - 1) === BRACKET)
        ) {
          i = this.textSlow(s, i, lt, end);
          if (i < lt) return i;
        } else if (this.wantText) this.emitText(s, i, lt);
        i = lt;
        if (i >= end) return i;
      }
      // s[i] is '<': whatever ended the text before it cannot straddle it.
      this.brackets = 0;
      this.crPending = false;
      this.markupStart = this.charBase + i;
      if (this.textOut !== '') {
        const out = this.textOut;
        this.textOut = '';
        this.characters(out);
      }
      i = this.afterLt(s, i + 1, end);
      if (this.state !== S_TEXT) return i;
    }
    return i;
  }

  // The next '<' at or after `i`, or `end`.
  private ltFrom(s: string, i: number, end: number): number {
    let lt = this.nextLt;
    if (lt < i) lt = this.nextLt = indexOrLength(s, '<', i);
    return lt < end ? lt : end;
  }

  // Hands text[from, to) on while text is wanted, line ends normalized.
  private emitText(s: string, from: number, to: number): void {
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

  // Text with references, ']' near its end, outside the root, or after a CR: the careful way.
  // biome-ignore lint/complexity/noExcessiveCognitiveComplexity: one loop over the cases text can hold, each resumable
  private textSlow(s: string, i: number, lt: number, end: number): number {
    while (i < lt) {
      if (this.ref !== REF_NONE) {
        // Up to the end of the piece, not the next '<': a '<' inside a reference is an error.
        i = this.readReference(s, i, end);
        if (this.ref !== REF_NONE) return i;
        if (this.wantText) this.textOut += this.refText;
        this.crPending = false;
        continue;
      }
      if (this.brackets > 0) this.straddlingBrackets(s, i, end, false);
      if (this.crPending && !this.wantText) this.crPending = false;
      let amp = this.nextAmp;
      if (amp < i) amp = this.nextAmp = indexOrLength(s, '&', i);
      const stop = amp < lt ? amp : lt;
      if (this.depth === 0) this.outsideRoot(s, i, stop);
      let cdataEnd = this.nextCdataEnd;
      if (cdataEnd < i) cdataEnd = this.nextCdataEnd = indexOrLength(s, ']]>', i);
      if (cdataEnd + 2 < stop)
        this.fail('XML_SYNTAX', "']]>' in character data", cdataEnd + 2 + this.charBase);
      if (this.wantText) this.emitText(s, i, stop);
      if (stop === end && s.charCodeAt(end - 1) === BRACKET) {
        this.brackets =
          end - 2 >= i && s.charCodeAt(end - 2) === BRACKET ? 2 : this.brackets > 0 && end - 1 === i ? 2 : 1;
      }
      i = stop;
      if (i === amp && i < lt) {
        if (this.depth === 0)
          this.fail('XML_SYNTAX', 'a reference outside the root element', this.charBase + i);
        this.ref = REF_AMP;
        this.refStart = this.charBase + i;
        i++;
      }
    }
    return i;
  }

  // ']]>' cut by the end of the last piece: a ']' or ']]' there, the rest here.
  private straddlingBrackets(s: string, i: number, end: number, cdata: boolean): boolean {
    const first = s.charCodeAt(i);
    const second = i + 1 < end ? s.charCodeAt(i + 1) : -1;
    const found = (this.brackets === 2 && first === GT) || (first === BRACKET && second === GT);
    const at = this.charBase + (first === GT ? i : i + 1);
    if (first === BRACKET && second === -1) this.brackets = 2;
    else this.brackets = 0;
    if (found && !cdata) this.fail('XML_SYNTAX', "']]>' in character data", at);
    return found;
  }

  // Outside the root only whitespace may stand between markup.
  private outsideRoot(s: string, from: number, to: number): void {
    for (let k = from; k < to; k++) {
      if (!isXmlSpace(s.charCodeAt(k))) {
        this.fail(
          'XML_SYNTAX',
          this.rootClosed ? 'text after the root element' : 'text before the root element',
          this.charBase + k,
        );
      }
    }
  }

  // After '<': what the markup is.
  private afterLt(s: string, i: number, end: number): number {
    if (i >= end) {
      this.state = S_LT;
      return end;
    }
    const c = s.charCodeAt(i);
    if (c === SLASH) {
      this.state = S_END_NAME;
      this.nameHead = '';
      return this.scanEndTag(s, i + 1, end);
    }
    if (c === BANG) {
      this.state = S_BANG;
      this.bangHead = '';
      return this.scanBang(s, i + 1, end);
    }
    if (c === QUESTION) {
      this.state = S_PI_TARGET;
      this.nameHead = '';
      return this.scanPi(s, i + 1, end);
    }
    if (this.rootClosed) this.fail('XML_SYNTAX', 'an element after the root element', this.markupStart);
    this.state = S_START_NAME;
    this.nameHead = '';
    return this.startName(s, i, end);
  }

  private startName(s: string, i: number, end: number): number {
    const k = this.readName(s, i, end);
    if (k >= end) return end;
    this.tagName = this.nameOut;
    this.attrCount = 0;
    this.spaced = false;
    this.state = S_TAG_SPACE;
    return this.scanTagBody(s, k, end);
  }

  /**
   * Reads a name from `i` (continuing `nameHead`), and returns where it ends: `end` when the
   * piece ends first (the part read is kept in `nameHead`), else the index of the character
   * after it, with the name in `nameOut`.
   */
  private readName(s: string, i: number, end: number): number {
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

  // Attributes, then '>' or '/>': resumable at every step. The steps follow one another in the
  // order an attribute is written, each entered from the one before or from its saved state.
  // biome-ignore lint/complexity/noExcessiveCognitiveComplexity: one resumable state machine for the inside of a start tag
  private scanTagBody(s: string, i: number, end: number): number {
    let state = this.state;
    for (;;) {
      if (state === S_TAG_SPACE) {
        let spaced = this.spaced;
        let c = 0;
        while (i < end) {
          c = s.charCodeAt(i);
          if (c !== 0x20 && c !== LF && c !== 0x09 && c !== CR) break;
          spaced = true;
          i++;
        }
        this.spaced = spaced;
        if (i >= end) return end;
        if (c === GT) return this.openElement(i + 1, false);
        if (c === SLASH) {
          this.state = S_EMPTY_END;
          return this.emptyEnd(s, i + 1, end);
        }
        if (!spaced) {
          this.fail(
            'XML_SYNTAX',
            c === LT ? "'<' in a tag" : 'an attribute must follow whitespace',
            this.charBase + i,
          );
        }
        state = S_ATTR_NAME;
        this.nameHead = '';
      }
      if (state === S_ATTR_NAME) {
        const k = this.readName(s, i, end);
        if (k >= end) {
          this.state = S_ATTR_NAME;
          return end;
        }
        this.attrName = this.nameOut;
        i = k;
        state = S_ATTR_EQ;
      }
      if (state === S_ATTR_EQ) {
        i = skipSpace(s, i, end);
        if (i >= end) {
          this.state = S_ATTR_EQ;
          return end;
        }
        if (s.charCodeAt(i) !== EQUALS) {
          this.fail('XML_SYNTAX', `expected '=' after attribute ${quoted(this.attrName)}`, this.charBase + i);
        }
        i++;
        state = S_ATTR_QUOTE;
      }
      if (state === S_ATTR_QUOTE) {
        i = skipSpace(s, i, end);
        if (i >= end) {
          this.state = S_ATTR_QUOTE;
          return end;
        }
        const q = s.charCodeAt(i);
        if (q !== QUOTE && q !== APOSTROPHE) {
          this.fail('XML_SYNTAX', 'an attribute value must be quoted', this.charBase + i);
        }
        this.quote = q;
        this.valueHead = '';
        this.crPending = false;
        i++;
      }
      if (state === S_EMPTY_END) return this.emptyEnd(s, i, end);
      // An attribute value.
      this.state = S_ATTR_VALUE;
      i = this.readValue(s, i, end);
      if (this.state === S_ATTR_VALUE) return i;
      state = S_TAG_SPACE;
    }
  }

  // After the '/' of an empty-element tag: only '>'.
  private emptyEnd(s: string, i: number, end: number): number {
    if (i >= end) return end;
    if (s.charCodeAt(i) !== GT) this.fail('XML_SYNTAX', "expected '>' after '/'", this.charBase + i);
    return this.openElement(i + 1, true);
  }

  // Inside an attribute value: up to its closing quote, or the end of the piece. A loop, not
  // recursion, from reference to reference: a value may hold any number of them.
  private readValue(s: string, i: number, end: number): number {
    for (;;) {
      if (this.ref !== REF_NONE) {
        i = this.readReference(s, i, end);
        if (this.ref !== REF_NONE) return i;
        this.valueHead += this.refText;
        this.crPending = false;
      }
      if (this.crPending) {
        this.crPending = false;
        if (i < end && s.charCodeAt(i) === LF) i++;
      }
      let close = s.indexOf(this.quote === QUOTE ? '"' : "'", i);
      if (close < 0 || close > end) close = end;
      const lt = this.ltFrom(s, i, end);
      if (lt < close) this.fail('XML_SYNTAX', "'<' in an attribute value", this.charBase + lt);
      let amp = this.nextAmp;
      if (amp < i) amp = this.nextAmp = indexOrLength(s, '&', i);
      const stop = amp < close ? amp : close;
      let raw = s.slice(i, stop);
      if (stop === end && s.charCodeAt(end - 1) === CR) this.crPending = true;
      if (this.spaceChars && SPACE_CHARACTER.test(raw)) raw = raw.replace(ATTRIBUTE_SPACE, ' ');
      const value = this.valueHead === '' ? raw : this.valueHead + raw;
      if (value.length > this.maxText) {
        this.fail(
          'LIMIT_EXCEEDED',
          `an attribute value is longer than maxTextLength (${this.maxText})`,
          this.charBase + stop,
        );
      }
      if (stop === amp && amp < close) {
        this.valueHead = value;
        this.ref = REF_AMP;
        this.refStart = this.charBase + amp;
        i = amp + 1;
        continue;
      }
      if (close >= end) {
        this.valueHead = value;
        return end;
      }
      this.valueHead = '';
      const n = this.attrCount;
      this.attrNames[n] = this.attrName;
      this.attrValues[n] = value;
      this.attrCount = n + 1;
      this.spaced = false;
      this.state = S_TAG_SPACE;
      return close + 1;
    }
  }

  /**
   * Reads a reference from `i` (resuming one a piece cut). Returns where it stopped; once the
   * ';' is read, `ref` is REF_NONE and `refText` holds what it stands for.
   */
  private readReference(s: string, i: number, end: number): number {
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

  private endCharReference(i: number): number {
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

  private unknownEntity(i: number): never {
    return this.fail(
      'XML_SYNTAX',
      `unknown entity &${this.refName.slice(0, 8)}; (only &lt; &gt; &amp; &quot; &apos; and character references exist)`,
      this.charBase + i,
    );
  }

  // The start tag is whole: duplicates checked, then reported (and closed at once if empty).
  private openElement(next: number, selfClosing: boolean): number {
    this.at = next;
    this.state = S_TEXT;
    if (this.attrCount > 1) this.checkUnique();
    this.names[this.depth++] = this.tagName;
    this.selfClosing = selfClosing;
    this.startTag();
    if (selfClosing) this.leaveElement();
    if (this.attrNames.length > KEEP_ATTRIBUTES) {
      this.attrNames = [];
      this.attrValues = [];
    }
    this.attrCount = 0;
    return next;
  }

  private leaveElement(): void {
    this.endTag();
    this.names[--this.depth] = '';
    if (this.depth === 0) {
      this.rootClosed = true;
      if (this.names.length > KEEP_ATTRIBUTES) this.names = [];
    }
  }

  // Unique Att Spec: no attribute name twice in one tag.
  private checkUnique(): void {
    const names = this.attrNames;
    const n = this.attrCount;
    if (n <= 8) {
      for (let a = 1; a < n; a++) {
        for (let b = 0; b < a; b++) if (names[a] === names[b]) this.repeated(names[a]!);
      }
      return;
    }
    const seen = new Set<string>();
    for (let a = 0; a < n; a++) {
      if (seen.has(names[a]!)) this.repeated(names[a]!);
      seen.add(names[a]!);
    }
  }

  private repeated(name: string): never {
    return this.fail('XML_SYNTAX', `attribute ${quoted(name)} appears twice`, this.markupStart);
  }

  // '</' and the rest of an end tag.
  private scanEndTag(s: string, i: number, end: number): number {
    if (this.state === S_END_NAME) {
      if (this.depth === 0) this.fail('XML_SYNTAX', 'an end tag without its start tag', this.markupStart);
      const expected = this.names[this.depth - 1]!;
      const n = expected.length;
      // The usual case, in one comparison: the name the start tag had, then '>'.
      if (
        this.nameHead === '' &&
        i + n < end &&
        s.charCodeAt(i + n) === GT &&
        s.slice(i, i + n) === expected
      ) {
        this.tagName = expected;
        this.at = i + n + 1;
        this.state = S_TEXT;
        this.selfClosing = false;
        this.leaveElement();
        return i + n + 1;
      }
      const k = this.readName(s, i, end);
      if (k >= end) return end;
      this.endName = this.nameOut;
      this.state = S_END_SPACE;
      i = k;
    }
    i = skipSpace(s, i, end);
    if (i >= end) return end;
    if (s.charCodeAt(i) !== GT) this.fail('XML_SYNTAX', "expected '>' to end the end tag", this.charBase + i);
    const expected = this.names[this.depth - 1]!;
    if (this.endName !== expected) {
      this.fail(
        'XML_SYNTAX',
        `end tag ${quoted(this.endName)} does not match start tag ${quoted(expected)}`,
        this.charBase + i,
      );
    }
    this.tagName = expected;
    this.at = i + 1;
    this.state = S_TEXT;
    this.selfClosing = false;
    this.leaveElement();
    return i + 1;
  }

  // '<!' then '--', '[CDATA[' or 'DOCTYPE': decided once enough characters are in.
  private scanBang(s: string, i: number, end: number): number {
    let head = this.bangHead;
    while (i < end) {
      head += s[i];
      i++;
      if (head === '--') {
        this.state = S_COMMENT;
        this.dashes = 0;
        return i;
      }
      if (head === '[CDATA[') {
        if (this.depth === 0)
          this.fail('XML_SYNTAX', 'a CDATA section outside the root element', this.markupStart);
        this.state = S_CDATA;
        this.brackets = 0;
        this.crPending = false;
        return i;
      }
      if (head === 'DOCTYPE') {
        if (this.depth === 0 && !this.rootClosed) {
          this.fail(
            'DOCTYPE_FORBIDDEN',
            'a document type declaration is not allowed (no entity is ever expanded)',
            this.markupStart,
          );
        }
        this.fail('XML_SYNTAX', 'a document type declaration after the root element began', this.markupStart);
      }
      if (!'--'.startsWith(head) && !'[CDATA['.startsWith(head) && !'DOCTYPE'.startsWith(head)) {
        this.fail('XML_SYNTAX', "'<!' must begin a comment or a CDATA section", this.charBase + i - 1);
      }
    }
    this.bangHead = head;
    return end;
  }

  // Inside a comment: up to '-->'; '--' anywhere else is not allowed.
  private scanComment(s: string, i: number, end: number): number {
    while (this.dashes > 0 && i < end) {
      const c = s.charCodeAt(i);
      if (this.dashes === 2) {
        if (c !== GT) this.fail('XML_SYNTAX', "'--' in a comment", this.charBase + i);
        this.dashes = 0;
        this.state = S_TEXT;
        return i + 1;
      }
      this.dashes = c === DASH ? 2 : 0;
      i++;
    }
    if (i >= end) return end;
    const k = s.indexOf('--', i);
    if (k < 0 || k + 1 >= end) {
      this.dashes = s.charCodeAt(end - 1) === DASH ? 1 : 0;
      return end;
    }
    if (k + 2 >= end) {
      this.dashes = 2;
      return end;
    }
    if (s.charCodeAt(k + 2) !== GT) this.fail('XML_SYNTAX', "'--' in a comment", this.charBase + k + 2);
    this.state = S_TEXT;
    return k + 3;
  }

  // Inside a CDATA section: up to ']]>'.
  private scanCdata(s: string, i: number, end: number): number {
    if (this.brackets > 0) {
      const held = this.brackets;
      if (this.straddlingBrackets(s, i, end, true)) {
        // ']]' + '>' or ']' + ']>': the section ends; only a third bracket was content.
        if (this.wantText && held === 2 && s.charCodeAt(i) === BRACKET) this.emitCdata(']');
        this.state = S_TEXT;
        return s.charCodeAt(i) === GT ? i + 1 : i + 2;
      }
      if (this.brackets === 2) {
        // ']' alone at the end of this piece: one bracket joins those held back.
        if (this.wantText && held === 2) this.emitCdata(']');
        return i + 1;
      }
      if (this.wantText) this.emitCdata(held === 2 ? ']]' : ']');
    }
    let k = this.nextCdataEnd;
    if (k < i) k = this.nextCdataEnd = indexOrLength(s, ']]>', i);
    if (k + 2 < end) {
      if (this.wantText) this.emitCdataText(s, i, k);
      this.state = S_TEXT;
      return k + 3;
    }
    let stop = end;
    if (s.charCodeAt(stop - 1) === BRACKET && stop - 1 >= i) {
      stop--;
      if (stop - 1 >= i && s.charCodeAt(stop - 1) === BRACKET) stop--;
    }
    this.brackets = end - stop;
    if (this.wantText) this.emitCdataText(s, i, stop);
    return end;
  }

  private emitCdataText(s: string, from: number, to: number): void {
    if (from < to) this.emitText(s, from, to);
  }

  private emitCdata(text: string): void {
    this.crPending = false;
    this.textOut += text;
  }

  // A processing instruction: its target (no colon, not 'xml' but as the declaration), then up
  // to '?>'.
  private scanPi(s: string, i: number, end: number): number {
    if (this.state === S_PI_TARGET) {
      const k = this.readName(s, i, end);
      if (k >= end) return end;
      this.piTarget(this.nameOut);
      const c = s.charCodeAt(k);
      this.state = S_PI_BODY;
      this.question = false;
      if (c === QUESTION) {
        this.targetQuestion = true;
        i = k + 1;
      } else if (!isXmlSpace(c)) {
        this.fail(
          'XML_SYNTAX',
          'a processing instruction target must be followed by whitespace',
          this.charBase + k,
        );
      } else i = k;
    }
    if (this.targetQuestion) {
      // '<?target?' is the whole instruction, or not one.
      if (i >= end) return end;
      this.targetQuestion = false;
      if (s.charCodeAt(i) !== GT) {
        this.fail(
          'XML_SYNTAX',
          'a processing instruction target must be followed by whitespace',
          this.charBase + i - 1,
        );
      }
      return this.endPi(i + 1, '');
    }
    if (this.question) {
      this.question = false;
      if (s.charCodeAt(i) === GT) return this.endPi(i + 1, '');
      if (this.declaring) this.keepDeclaration('?');
    }
    const k = s.indexOf('?>', i);
    if (k >= 0 && k + 1 < end) return this.endPi(k + 2, s.slice(i, k));
    const question = s.charCodeAt(end - 1) === QUESTION;
    if (this.declaring) this.keepDeclaration(s.slice(i, question ? end - 1 : end));
    this.question = question;
    return end;
  }

  private piTarget(target: string): void {
    if (target.includes(':')) {
      this.fail(
        'XML_SYNTAX',
        `processing instruction target ${quoted(target)} has a colon`,
        this.markupStart,
      );
    }
    this.declaring = false;
    if (target.length !== 3 || target.toLowerCase() !== 'xml') return;
    // The text starts after any byte order mark: the declaration is at position 0 or nowhere.
    if (target !== 'xml' || this.markupStart !== 0) {
      this.fail(
        'XML_SYNTAX',
        'an XML declaration must come first, written <?xml; other targets named xml are reserved',
        this.markupStart,
      );
    }
    this.declaring = true;
    this.declarationText = '';
  }

  private keepDeclaration(text: string): void {
    // Nothing else can stand in a declaration: a '>' or '<' in it is the error, not the end of input.
    const bad = text.search(NOT_IN_DECLARATION);
    if (bad >= 0) {
      this.fail(
        'XML_SYNTAX',
        `XML declaration: ${describe(text.charCodeAt(bad))} is not allowed in it`,
        this.markupStart + 5 + this.declarationText.length + bad,
      );
    }
    this.declarationText += text;
    if (this.declarationText.length > MAX_DECLARATION) {
      this.fail('XML_SYNTAX', 'the XML declaration is too long', this.markupStart);
    }
  }

  private endPi(next: number, tail: string): number {
    this.state = S_TEXT;
    if (this.declaring) {
      this.declaring = false;
      this.keepDeclaration(tail);
      const text = this.declarationText;
      this.declarationText = '';
      const encoding = parseDeclaration(text);
      if (typeof encoding === 'object') {
        this.fail('XML_SYNTAX', `XML declaration: ${encoding.problem}`, this.markupStart + 5 + encoding.at);
      }
      this.at = next;
      this.declaration(encoding === '' ? undefined : encoding);
    }
    return next;
  }

  /** The end of the input: a problem when anything is left open, else `undefined`. */
  protected unfinished(): string | undefined {
    if (this.insideMarkup) return `input ends inside ${this.inside}`;
    if (this.depth > 0) return 'the document ends inside an element';
    if (!this.rootClosed) return 'the document has no root element';
    return undefined;
  }
}

function indexOrLength(s: string, what: string, from: number): number {
  const at = s.indexOf(what, from);
  return at < 0 ? s.length : at;
}

function skipSpace(s: string, i: number, end: number): number {
  while (i < end && isXmlSpace(s.charCodeAt(i))) i++;
  return i;
}

function digitValue(c: number, hex: boolean): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (!hex) return -1;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}

function describe(c: number): string {
  return c >= 0x21 && c < 0x7f
    ? `'${String.fromCharCode(c)}'`
    : `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
}

function quoted(name: string): string {
  return JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}...` : name);
}

/**
 * The encoding an XML declaration's text (what follows `<?xml`) names (`''`: none), or where and
 * why it breaks the grammar: S 'version' Eq '1.' [0-9]+ (S 'encoding' Eq EncName)?
 * (S 'standalone' Eq ('yes' | 'no'))? S?, each value in single or double quotes.
 */
export function parseDeclaration(text: string): string | { problem: string; at: number } {
  let i = 0;
  let encoding = '';
  const fields = ['version', 'encoding', 'standalone'];
  let next = 0;
  for (;;) {
    const spaced = i < text.length && isXmlSpace(text.charCodeAt(i));
    i = skipSpace(text, i, text.length);
    if (i >= text.length) break;
    if (!spaced) return { problem: 'whitespace is required between its parts', at: i };
    let field = -1;
    for (let f = next; f < fields.length; f++) {
      if (text.startsWith(fields[f]!, i)) {
        field = f;
        break;
      }
    }
    if (field < 0 || (field > 0 && next === 0)) {
      return { problem: next === 0 ? 'it must begin with version' : 'an unexpected part', at: i };
    }
    i = skipSpace(text, i + fields[field]!.length, text.length);
    if (text.charCodeAt(i) !== EQUALS) return { problem: "expected '='", at: i };
    i = skipSpace(text, i + 1, text.length);
    const q = text.charCodeAt(i);
    if (q !== QUOTE && q !== APOSTROPHE) return { problem: 'a value must be quoted', at: i };
    const close = text.indexOf(q === QUOTE ? '"' : "'", i + 1);
    if (close < 0) return { problem: 'a value is not closed', at: i };
    const value = text.slice(i + 1, close);
    const ok =
      field === 0
        ? /^1\.[0-9]+$/.test(value)
        : field === 1
          ? /^[A-Za-z][A-Za-z0-9._-]*$/.test(value)
          : value === 'yes' || value === 'no';
    if (!ok)
      return { problem: `${fields[field]} ${JSON.stringify(value.slice(0, 40))} is not allowed`, at: i + 1 };
    if (field === 1) encoding = value;
    next = field + 1;
    i = close + 1;
  }
  if (next === 0) return { problem: 'it must give the version', at: 0 };
  return encoding;
}
