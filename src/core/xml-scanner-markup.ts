// The markup around elements and text: '<!' and what it begins (a comment, a CDATA section, a
// DOCTYPE, refused), processing instructions, and the XML declaration with its grammar. Part of
// the scanner (see xml-scanner-base.ts); each construct resumes from its state when a piece ends.
import { isXmlSpace } from './xml-chars.js';
import { describe, indexOrLength, quoted, skipSpace, XmlScannerBase } from './xml-scanner-base.js';

// The states and characters this file compares against, as constants of its own: a constant
// imported from another module is read through its binding on every use, on the hot path.
const APOSTROPHE = 0x27;
const BRACKET = 0x5d;
const DASH = 0x2d;
const EQUALS = 0x3d;
const GT = 0x3e;
const QUESTION = 0x3f;
const QUOTE = 0x22;
const S_CDATA = 13;
const S_COMMENT = 12;
const S_PI_BODY = 15;
const S_PI_TARGET = 14;
const S_TEXT = 0;

// The longest XML declaration kept (the grammar's longest useful one is about 80 characters).
const MAX_DECLARATION = 1024;
// What an XML declaration may hold: names, values, '=', quotes and whitespace.
const NOT_IN_DECLARATION = /[^A-Za-z0-9._\-'"= \t\r\n]/;

/** The scanner with the markup readers (comments, CDATA, processing instructions, the declaration). */
export abstract class XmlMarkupScanner extends XmlScannerBase {
  // '<!' then '--', '[CDATA[' or 'DOCTYPE': decided once enough characters are in.
  protected scanBang(s: string, i: number, end: number): number {
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
  protected scanComment(s: string, i: number, end: number): number {
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
  protected scanCdata(s: string, i: number, end: number): number {
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

  protected emitCdataText(s: string, from: number, to: number): void {
    if (from < to) this.emitText(s, from, to);
  }

  protected emitCdata(text: string): void {
    this.crPending = false;
    this.textOut += text;
  }

  // A processing instruction: its target (no colon, not 'xml' but as the declaration), then up
  // to '?>'.
  protected scanPi(s: string, i: number, end: number): number {
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

  protected piTarget(target: string): void {
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

  protected keepDeclaration(text: string): void {
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

  protected endPi(next: number, tail: string): number {
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
