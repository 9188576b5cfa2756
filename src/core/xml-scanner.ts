// batchwire's streaming XML 1.0 (fifth edition) scanner, for documents without a DOCTYPE. It is
// fed decoded text piece by piece and reports start tags, end tags and (when asked) text; the
// feed on top of it (xml.ts) adds namespaces, limits and offsets.
//
// How it stays fast: native string searches find what ends a run (indexOf for '<', '&', ']]>',
// a quote, '--', '?>'), one native pass per piece proves every character is an XML Char
// (firstNonChar), and only names are read a character at a time. How it stays streaming: a piece
// may end anywhere, so every construct that can be long resumes from a state (named in
// xml-scanner-base.ts with a sample of the input it stands for); only a reference and the few
// characters after '<!' are carried, each in a variable of its own.
//
// This file is the state machine of text and tags; xml-scanner-base.ts holds the state and the
// readers of names and references, xml-scanner-markup.ts comments, CDATA, PIs and the declaration.
import { isXmlSpace } from './xml-chars.js';
import { indexOrLength, quoted, skipSpace } from './xml-scanner-base.js';
import { XmlMarkupScanner } from './xml-scanner-markup.js';

// The states and characters this file compares against, as constants of its own: a constant
// imported from another module is read through its binding on every use, on the hot path.
const APOSTROPHE = 0x27;
const BANG = 0x21;
const BRACKET = 0x5d;
const CR = 0x0d;
const EQUALS = 0x3d;
const GT = 0x3e;
const LF = 0x0a;
const LT = 0x3c;
const QUESTION = 0x3f;
const QUOTE = 0x22;
const REF_AMP = 1;
const REF_NONE = 0;
const S_ATTR_EQ = 6;
const S_ATTR_NAME = 5;
const S_ATTR_QUOTE = 7;
const S_ATTR_VALUE = 8;
const S_BANG = 2;
const S_CDATA = 13;
const S_COMMENT = 12;
const S_EMPTY_END = 9;
const S_END_NAME = 10;
const S_END_SPACE = 11;
const S_LT = 1;
const S_PI_BODY = 15;
const S_PI_TARGET = 14;
const S_START_NAME = 3;
const S_TAG_SPACE = 4;
const S_TEXT = 0;
const SLASH = 0x2f;

export type { ScanProblem } from './xml-scanner-base.js';

// Attribute value normalization (XML 1.0 section 3.3.3), after line-end normalization.
const ATTRIBUTE_SPACE = /\r\n|[\t\n\r]/g;
/** Whether a (short) attribute value holds a tab, LF or CR: a loop, cheaper than a regex call here. */
function hasSpaceControl(s: string): boolean {
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c <= 13 && (c === 9 || c === 10 || c === 13)) return true;
  }
  return false;
}
// Scratch arrays larger than this are dropped after the tag that grew them.
const KEEP_ATTRIBUTES = 64;

/**
 * The scanner. A subclass receives the events (`startTag`, `endTag`, `characters`,
 * `declaration`) and turns problems into errors (`fail`, which must throw).
 */
export abstract class XmlScanner extends XmlMarkupScanner {
  /** Scans `text[0, end)`, the current piece up to `end`. Events run inside. */
  protected scan(text: string, end: number): void {
    this.current = text;
    this.nextLt = -1;
    this.nextAmp = -1;
    this.nextCdataEnd = -1;
    // Three native searches beat one regex scan of the whole piece (compact documents have none).
    this.spaceChars = text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0 || text.indexOf('\t') >= 0;
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

  // Text with references, ']' near its end, outside the root, or after a CR: the careful way.
  // biome-ignore lint/complexity/noExcessiveCognitiveComplexity: one loop over the cases text can hold, each resumable
  private textSlow(s: string, i: number, lt: number, end: number): number {
    // An open reference is read on past `lt`: the '<' it meets there is its error, never markup.
    while (i < lt || (this.ref !== REF_NONE && i < end)) {
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
      if (this.spaceChars && hasSpaceControl(raw)) raw = raw.replace(ATTRIBUTE_SPACE, ' ');
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
}
