// The XML layer: saxes (strict, conformant, namespaces off) fed with text decoded by TextStream,
// plus batchwire's own namespace scope, which costs less than saxes' xmlns mode (measured) and is
// O(1) per name. It keeps every guarantee the codecs promise: no DOCTYPE (refused as soon as it
// starts, nothing is expanded), only the five XML entities, exact input offsets with line and
// column, and limits checked at every slice of at most FEED_SLICE characters, before saxes or
// anyone else can buffer more than that.
// Over 500 lines on purpose: the feed is one state machine around saxes' internals (slices,
// limits, offsets, line and column, namespace scope), and its parts share that state per event.
import { SaxesParser, type SaxesTagPlain, type XMLDecl } from 'saxes';
import type { DecodedBody } from './body.js';
import type { EncodingOption } from './charset.js';
import { BatchwireError, textExcerpt } from './errors.js';
import { declarationProblem, type NamespaceBinding, NamespaceScope } from './namespaces.js';
import type { Chunk } from './source.js';
import { TextStream } from './text-stream.js';
import { utf8Length } from './unicode.js';

export { NamespaceBinding, NamespaceScope, XML_NAMESPACE, XMLNS_NAMESPACE } from './namespaces.js';

/** A start tag as saxes reports it with namespaces off: the raw name and attributes. */
export type XmlTag = SaxesTagPlain;

/** What an {@link XmlFeed} calls. Any handler may throw a BatchwireError to stop the parse. */
export interface XmlHandlers {
  /**
   * A start tag, at `depth` (the root is 1), with its declarations in scope. `binding` is the
   * element's namespace (`undefined`: none). Prefixed attributes are in `feed.attributeNames`.
   */
  open(tag: XmlTag, depth: number, binding: NamespaceBinding | undefined): void;
  /** An end tag (for an empty element, right after its start tag), its declarations still in scope. */
  close(tag: XmlTag, depth: number): void;
  /** Character data (text, references resolved, and CDATA), while the feed is asked for text. */
  text(text: string): void;
  /** After each slice handed to saxes: where a reader checks its own limits. */
  slice?(): void;
  /** At the end of each decoded piece, while `feed.current` still holds it. */
  piece?(): void;
}

/** Options of an {@link XmlFeed}. */
export interface XmlFeedOptions {
  /** @defaultValue `'auto'` (byte order mark, then `contentType`, then sniffing, then UTF-8) */
  encoding?: EncodingOption | undefined;
  /** A Content-Type header value whose `charset` guides decoding of byte input. */
  contentType?: string | undefined;
  /** Deepest element nesting, counting the root as 1. */
  maxDepth: number;
  /** Longest text node, attribute value, comment, CDATA section or name saxes may buffer, in characters. */
  maxTextLength: number;
}

// saxes 6 internals read here (its typings mark them private): the state machine's state and
// buffers, for limits and offsets, and the handler slots, to switch text reporting on and off.
interface SaxesInternals {
  state: number;
  text: string;
  name: string;
  entity: string;
  piTarget: string;
  chunkPosition: number;
  i: number;
  prevI: number;
  line: number;
  column: number;
  textHandler: ((text: string) => void) | undefined;
  cdataHandler: ((text: string) => void) | undefined;
}

// saxes states (saxes.js, S_*), with a sample of the input they stand for.
const S_DOCTYPE = 2; // <!DOCTYPE
const S_DTD_PI_ENDING = 12; // <!DOCTYPE x [ <?pi ?  (the last state of the internal subset)
const S_OPEN_WAKA = 15; // <
const S_OPEN_WAKA_BANG = 16; // <!-
const S_PI_FIRST_CHAR = 23; // <?
const S_OPEN_TAG = 34; // <strong
const S_CLOSE_TAG_SAW_WHITE = 44; // </a   >

const NO_HANDLERS: XmlHandlers = { open() {}, close() {}, text() {} };

// Index of the first character in a pending entity reference that no reference may hold
// (markup, quotes, whitespace), or -1.
function entityEnd(entity: string): number {
  for (let i = 0; i < entity.length; i++) {
    const c = entity.charCodeAt(i);
    if (c === 0x3c || c === 0x3e || c === 0x26 || c === 0x22 || c === 0x27 || c <= 0x20) return i;
  }
  return -1;
}

/** The handlers a feed gives saxes, by saxes' event names. */
interface FeedEvents {
  attribute(attribute: { name: string; value: string }): void;
  opentag(tag: XmlTag): void;
  closetag(tag: XmlTag): void;
  error(error: Error): void;
  doctype(doctype: string): void;
  xmldecl(declaration: XMLDecl): void;
  processinginstruction(instruction: { target: string; body: string }): void;
}

/**
 * saxes with every handler slot set in the constructor. saxes' own `on()` adds each slot later
 * by a computed key; past a few such additions V8 turns the parser into a dictionary object and
 * every field access in saxes' loops becomes a hash lookup (measured: 5x slower). Slots set
 * here are ordinary fast properties, and switching text on and off changes no shape.
 */
class FeedParser extends SaxesParser {
  constructor(events: FeedEvents) {
    super({ xmlns: false, defaultXMLVersion: '1.0', forceXMLVersion: true });
    const slots = this as unknown as Record<string, unknown>;
    slots.textHandler = undefined;
    slots.cdataHandler = undefined;
    slots.attributeHandler = events.attribute;
    slots.openTagHandler = events.opentag;
    slots.closeTagHandler = events.closetag;
    slots.errorHandler = events.error;
    slots.doctypeHandler = events.doctype;
    slots.xmldeclHandler = events.xmldecl;
    slots.piHandler = events.processinginstruction;
  }
}

/** Characters handed to saxes at a time: every limit is checked at least this often. */
const FEED_SLICE = 64 * 1024;

/** Encoding names an XML declaration may give for the encodings batchwire decodes. */
const DECLARED_ENCODINGS = new Set([
  'utf-8',
  'utf8',
  'utf-16',
  'utf16',
  'utf-16le',
  'utf-16be',
  'unicode',
  'ucs-2',
  // ASCII text is UTF-8 text; non-ASCII bytes would be invalid in either.
  'us-ascii',
  'ascii',
]);

// A saxes error message starts with "line:column: ".
function saxesMessage(error: Error): string {
  const text = error.message;
  const colon = text.indexOf(': ');
  return colon >= 0 && /^\d+:\d+$/.test(text.slice(0, colon)) ? text.slice(colon + 2) : text;
}

/**
 * A strict XML reader over saxes for one document (or one message array), fed bytes or strings.
 * It resolves namespaces itself and refuses what XML Namespaces 1.0 forbids (unbound or
 * malformed prefixes, `xmlns:p=""`, rebinding `xml`/`xmlns`, two attributes with one expanded
 * name), maps every problem to a BatchwireError with the exact input offset, and lets handlers
 * turn a character position (an index into all the text parsed so far) into an input offset.
 */
export class XmlFeed {
  /** The namespace declarations in scope. */
  readonly scope = new NamespaceScope();
  /** Depth of the innermost open element (0 outside the root). */
  depth = 0;
  /** True once the root element has been read whole. */
  rootClosed = false;
  /** The decoded piece being parsed; character positions count from the start of all text. */
  current = '';
  /** Position of `current[0]`. */
  charBase = 0;
  /** How many prefixed attributes (declarations aside) the start tag being reported has. */
  attributeCount = 0;
  /** Their names, `[0, attributeCount)`. */
  readonly attributeNames: string[] = [];
  /** Their namespaces, `[0, attributeCount)`, in the same order. */
  readonly attributeBindings: NamespaceBinding[] = [];

  private readonly parser: FeedParser;
  private readonly raw: SaxesInternals;
  private handlers: XmlHandlers;
  private onText: (text: string) => void;
  private readonly maxDepth: number;
  private readonly maxText: number;
  private readonly stream: TextStream;
  // A body decoded up front (parseDocument) maps offsets itself.
  private decoded: DecodedBody | undefined;
  // Scope size before each open element's declarations, by depth.
  private readonly marks: number[] = [0];
  private readonly attributeColons: number[] = [];
  // The attributes of the start tag being read, as saxes reports them before the tag itself.
  private readonly rawNames: string[] = [];
  private readonly rawValues: string[] = [];
  private rawCount = 0;
  // The last element prefix looked up, its binding, and the scope's version then.
  private lastPrefix = '';
  private lastBinding: NamespaceBinding | undefined;
  private lastVersion = -1;
  private failure: BatchwireError | undefined;
  // Input offsets of current[0] and just past current.
  private textStart = 0;
  private textEnd = 0;
  // A position in `current` whose offset is known: measuring moves forward from it.
  private cursorIndex = 0;
  private cursorOffset = 0;
  // The `<` of a tag still open when the last piece ended (a tag cut by a chunk boundary).
  private markPosition = -1;
  private markOffset = 0;
  // Where the slice being parsed begins and ends, in `current`.
  private sliceStart = 0;
  private sliceEnd = 0;
  // Slices since saxes' text buffer was last made flat (see flattenBuffers).
  private slicesSinceFlat = 0;
  private bytes = false;
  private readonly sink = (text: string) => this.parsePiece(text, this.stream.start, this.stream.offset);

  constructor(handlers: XmlHandlers | undefined, options: XmlFeedOptions) {
    this.handlers = handlers ?? NO_HANDLERS;
    this.onText = this.handlers.text.bind(this.handlers);
    this.maxDepth = options.maxDepth;
    this.maxText = options.maxTextLength;
    this.stream = new TextStream({ encoding: options.encoding, contentType: options.contentType });
    // XML 1.0 processors read any 1.x document as 1.0 (XML 1.0 5th edition, section 2.8).
    const parser = new FeedParser({
      attribute: ({ name, value }) => {
        this.rawNames[this.rawCount] = name;
        this.rawValues[this.rawCount++] = value;
      },
      opentag: this.onOpen,
      closetag: this.onClose,
      error: (error: Error) => {
        const message = saxesMessage(error);
        if (message === 'unexpected close tag.') this.closeMismatchAt = this.position;
        throw this.syntaxError(message);
      },
      doctype: () => {
        throw this.doctypeError();
      },
      xmldecl: (declaration: XMLDecl) => this.checkDeclaration(declaration),
      processinginstruction: ({ target }) => {
        // XML Namespaces 1.0: no colon in a processing instruction's target (NE08).
        if (target.includes(':')) {
          throw this.error(
            'XML_SYNTAX',
            `processing instruction target ${JSON.stringify(target)} has a colon`,
          );
        }
      },
    });
    this.parser = parser;
    this.raw = parser as unknown as SaxesInternals;
  }

  /** Position of an end tag saxes found not to match its start tag (after reporting it), or -1. */
  closeMismatchAt = -1;

  /** Sets the handlers (for an owner that needs the feed to exist before it can handle events). */
  handle(handlers: XmlHandlers): void {
    this.handlers = handlers;
    this.onText = handlers.text.bind(handlers);
  }

  /** Where the parser is: the position just after the last character saxes has read. */
  get position(): number {
    return this.raw.chunkPosition + this.raw.i;
  }

  /** How input units relate to characters: `'text'` for string input (one each). */
  get encoding(): 'utf-8' | 'utf-16le' | 'utf-16be' | 'text' {
    if (this.decoded !== undefined) return this.decoded.encoding;
    return this.stream.encoding ?? 'text';
  }

  /**
   * The position of the `<` of the start or end tag saxes is in the middle of, at the end of a
   * slice, or -1 when it is not inside one.
   */
  openTagStart(): number {
    const state = this.raw.state;
    if (state < S_OPEN_TAG || state > S_CLOSE_TAG_SAW_WHITE) return -1;
    const at = this.current.lastIndexOf('<', this.sliceEnd - 1);
    return at >= 0 ? this.charBase + at : this.markPosition;
  }

  /** Input offset just after everything decoded so far. */
  get inputOffset(): number {
    return this.decoded !== undefined ? this.textEnd : this.stream.offset;
  }

  /** Whether saxes reports text (and CDATA): off, it skips the work of collecting it. */
  wantText(on: boolean): void {
    this.raw.textHandler = on ? this.onText : undefined;
    this.raw.cdataHandler = on ? this.onText : undefined;
  }

  /** Decodes a chunk and parses it; handlers run inside. Throws the first problem. */
  write(chunk: Chunk): void {
    if (this.failure) throw this.failure;
    if (typeof chunk !== 'string') this.bytes = true;
    try {
      this.stream.write(chunk, this.sink);
    } catch (error) {
      throw this.fail(error);
    }
  }

  /** Flushes the decoder: a character cut at the very end is `TRUNCATED`. */
  flush(): void {
    if (this.failure) throw this.failure;
    try {
      this.stream.end(this.sink);
    } catch (error) {
      throw this.fail(error);
    }
  }

  /** Closes the parser once the input is all there: anything left open is an error. */
  close(): void {
    if (this.failure) throw this.failure;
    try {
      this.parser.close();
    } catch (error) {
      throw this.fail(error);
    }
  }

  /**
   * Parses a whole document decoded up front (by `decodeBody`): `TRUNCATED` when it ends before
   * its root element does or has none.
   */
  parseDocument(body: DecodedBody): void {
    this.decoded = body;
    this.bytes = body.encoding !== 'text';
    try {
      this.parsePiece(body.text, body.offsetOf(0), body.offsetOf(body.text.length));
    } catch (error) {
      throw this.fail(error);
    }
    if (!this.rootClosed) {
      throw this.fail(
        new BatchwireError(
          'TRUNCATED',
          this.depth === 0 ? 'the document has no root element' : 'the document ends inside an element',
          this.textEnd,
        ),
      );
    }
    this.close();
  }

  private fail(error: unknown): unknown {
    if (error instanceof BatchwireError) this.failure = error;
    return error;
  }

  private parsePiece(text: string, start: number, end: number): void {
    this.current = text;
    this.textStart = start;
    this.textEnd = end;
    this.cursorIndex = 0;
    this.cursorOffset = start;
    const parser = this.parser;
    for (let from = 0; from < text.length; from += FEED_SLICE) {
      const to = Math.min(text.length, from + FEED_SLICE);
      this.sliceStart = from;
      this.sliceEnd = to;
      parser.write(to - from === text.length ? text : text.slice(from, to));
      this.checkBuffers();
      this.handlers.slice?.();
    }
    this.handlers.piece?.();
    if (this.insideTag()) {
      const at = text.lastIndexOf('<');
      if (at >= 0) {
        this.markOffset = this.offsetAt(this.charBase + at);
        this.markPosition = this.charBase + at;
      }
    }
    this.charBase += text.length;
    this.current = '';
  }

  private insideTag(): boolean {
    const state = this.raw.state;
    return (
      state === S_OPEN_WAKA ||
      state === S_OPEN_WAKA_BANG ||
      (state >= S_PI_FIRST_CHAR && state <= S_CLOSE_TAG_SAW_WHITE) ||
      (state >= S_DOCTYPE && state <= S_DTD_PI_ENDING)
    );
  }

  // What saxes holds between slices is bounded here, before it can grow further.
  private checkBuffers(): void {
    const raw = this.raw;
    if (raw.state >= S_DOCTYPE && raw.state <= S_DTD_PI_ENDING) throw this.doctypeError();
    if (raw.entity.length > 0) this.checkEntity(raw.entity);
    const held = Math.max(raw.text.length, raw.name.length, raw.entity.length, raw.piTarget.length);
    if (held > this.maxText) {
      throw this.error(
        'LIMIT_EXCEEDED',
        `a text node, attribute value, comment, CDATA section or name is longer than maxTextLength (${this.maxText})`,
      );
    }
    this.flattenBuffers();
  }

  // saxes reads a reference up to its `;` whatever comes first (`&amp no;` never ends): a character
  // no reference can hold is the error, at that character, not the end of the input later.
  private checkEntity(entity: string): void {
    const bad = entityEnd(entity);
    if (bad < 0) return;
    // The reference runs to the end of the slice: the character sits that far back from it.
    let index = this.sliceEnd - (entity.length - bad);
    if (this.current.charCodeAt(index) !== entity.charCodeAt(bad)) index = this.sliceEnd - 1;
    const code = entity.charCodeAt(bad);
    throw new BatchwireError(
      'XML_SYNTAX',
      `XML syntax error: ${code === 0x26 ? 'a reference inside a reference' : 'a reference without its ";"'}`,
      this.offsetAt(this.charBase + index),
      { ...this.lineColumn(), excerpt: textExcerpt(this.current, Math.max(0, index - 10), 30) },
    );
  }

  // saxes grows a buffer by `+=` once per slice; with tiny chunks that is a rope of one node per
  // chunk (about 32 bytes per character). Flattening it when it holds more nodes than 1 per 16
  // characters keeps it near its length, for linear work overall.
  private flattenBuffers(): void {
    const raw = this.raw;
    if (raw.text.length === 0 && raw.name.length === 0) {
      this.slicesSinceFlat = 0;
      return;
    }
    this.slicesSinceFlat++;
    if (this.slicesSinceFlat * 16 > Math.max(raw.text.length, raw.name.length) && this.slicesSinceFlat > 64) {
      // Number() reads the whole string, which makes V8 flatten a rope in place.
      Number(raw.text);
      Number(raw.name);
      this.slicesSinceFlat = 0;
    }
  }

  private readonly onOpen = (tag: XmlTag): void => {
    const depth = ++this.depth;
    if (depth > this.maxDepth) {
      throw this.tagError('LIMIT_EXCEEDED', `elements nest deeper than maxDepth (${this.maxDepth})`);
    }
    const scope = this.scope;
    this.marks[depth] = scope.size;
    // Attributes as saxes reported them one by one (an array walk, cheaper than for-in over the
    // tag's prototype-free attribute object).
    const count = this.rawCount;
    this.rawCount = 0;
    let prefixed = 0;
    for (let i = 0; i < count; i++) {
      const name = this.rawNames[i]!;
      const colon = name.indexOf(':');
      if (colon < 0) {
        if (name === 'xmlns') this.declare('', this.rawValues[i]!, depth);
        continue;
      }
      if (colon === 0 || colon === name.length - 1 || name.indexOf(':', colon + 1) >= 0) {
        throw this.tagError('XML_SYNTAX', `malformed qualified name ${JSON.stringify(name.slice(0, 80))}`);
      }
      if (colon === 5 && name.startsWith('xmlns')) {
        this.declare(name.slice(6), this.rawValues[i]!, depth);
        continue;
      }
      this.attributeNames[prefixed] = name;
      this.attributeColons[prefixed] = colon;
      prefixed++;
    }
    // Declarations on a start tag apply to its own attributes: resolve those after them.
    for (let i = 0; i < prefixed; i++) {
      const name = this.attributeNames[i]!;
      const binding = scope.lookup(name.slice(0, this.attributeColons[i]));
      if (binding === undefined) throw this.unbound(name);
      this.attributeBindings[i] = binding;
    }
    if (prefixed > 1) this.checkDuplicates(prefixed);
    this.attributeCount = prefixed;
    const name = tag.name;
    const colon = name.indexOf(':');
    let binding: NamespaceBinding | undefined;
    if (colon < 0) binding = scope.defaultBinding;
    else {
      if (colon === 0 || colon === name.length - 1 || name.indexOf(':', colon + 1) >= 0) {
        throw this.tagError('XML_SYNTAX', `malformed qualified name ${JSON.stringify(name.slice(0, 80))}`);
      }
      const last = this.lastPrefix;
      // Runs of elements share a prefix (b:Iterations, b:Label...): reuse the last lookup.
      if (colon === last.length && this.lastVersion === scope.version && name.startsWith(last)) {
        binding = this.lastBinding;
      } else {
        const prefix = name.slice(0, colon);
        binding = scope.lookup(prefix);
        if (binding === undefined) throw this.unbound(name);
        this.lastPrefix = prefix;
        this.lastBinding = binding;
        this.lastVersion = scope.version;
      }
    }
    this.handlers.open(tag, depth, binding);
  };

  private readonly onClose = (tag: XmlTag): void => {
    const depth = this.depth--;
    this.handlers.close(tag, depth);
    this.scope.truncate(this.marks[depth]!);
    if (depth === 1) this.rootClosed = true;
  };

  private declare(prefix: string, uri: string, depth: number): void {
    const problem = declarationProblem(prefix, uri);
    if (problem !== undefined) throw this.tagError('XML_SYNTAX', `namespace declaration refused: ${problem}`);
    this.scope.declare(prefix, uri, depth);
  }

  // Two prefixes bound to one URI make `p:a` and `q:a` the same attribute, which XML forbids.
  private checkDuplicates(count: number): void {
    const seen = new Set<string>();
    for (let i = 0; i < count; i++) {
      const expanded = `${this.attributeBindings[i]!.uri} ${this.attributeNames[i]!.slice(this.attributeColons[i]! + 1)}`;
      if (seen.has(expanded)) {
        throw this.tagError(
          'XML_SYNTAX',
          `attribute ${JSON.stringify(this.attributeNames[i])} is repeated under another prefix`,
        );
      }
      seen.add(expanded);
    }
  }

  private checkDeclaration(declaration: XMLDecl): void {
    const declared = declaration.encoding?.toLowerCase();
    if (declared === undefined || !this.bytes) return;
    if (!DECLARED_ENCODINGS.has(declared)) {
      throw new BatchwireError(
        'INVALID_ENCODING',
        `the XML declaration names encoding ${JSON.stringify(declared.slice(0, 40))}; only UTF-8 and UTF-16 are read`,
        this.offsetAt(0),
      );
    }
    // UTF-8 against UTF-16 is not checked: the bytes (mark or sniffing) decide. .NET declares
    // utf-16 on XML it serialized to a string and then sends as UTF-8, and text re-encoded keeps
    // the declaration it had.
  }

  /**
   * The position of the `<` of the tag being reported (or of the markup being read): searched
   * back in the current piece, or remembered from the piece where the tag began.
   */
  tagStart(): number {
    const index = this.position - 1 - this.charBase;
    const at = index >= 0 ? this.current.lastIndexOf('<', index) : -1;
    return at >= 0 ? this.charBase + at : this.markPosition;
  }

  /**
   * The input offset of character position `position`: exact in the current piece and for the
   * start of a tag cut by a chunk boundary (the only earlier positions anyone asks for).
   */
  offsetAt(position: number): number {
    const index = position - this.charBase;
    const decoded = this.decoded;
    if (decoded !== undefined) return decoded.offsetOf(index);
    if (index < 0) {
      if (position === this.markPosition) return this.markOffset;
      // A carried CR (saxes holds one back across chunks): one ASCII character.
      return (
        this.textStart -
        (this.charBase - position) *
          (this.stream.encoding === 'utf-8' || this.stream.encoding === 'text' ? 1 : 2)
      );
    }
    const encoding = this.stream.encoding;
    if (encoding === 'text') return this.textStart + index;
    if (encoding !== 'utf-8') return this.textStart + index * 2;
    const text = this.current;
    if (index >= text.length) return this.textEnd;
    // Measure from whichever known point is nearer: the cursor, or the end of the piece.
    if (index >= this.cursorIndex && index - this.cursorIndex <= text.length - index) {
      this.cursorOffset += utf8Length(text, this.cursorIndex, index);
    } else if (index < this.cursorIndex && index <= text.length - index) {
      this.cursorOffset = this.textStart + utf8Length(text, 0, index);
    } else {
      this.cursorOffset = this.textEnd - utf8Length(text, index, text.length);
    }
    this.cursorIndex = index;
    return this.cursorOffset;
  }

  /** 1-based line and column of the character saxes has just read. */
  lineColumn(): { line: number; column: number } {
    return { line: this.raw.line, column: Math.max(1, this.raw.column) };
  }

  /** An error at the `<` of the tag being reported. */
  tagError(
    code: 'XML_SYNTAX' | 'LIMIT_EXCEEDED' | 'MALFORMED_RECORD' | 'TRAILING_DATA',
    message: string,
  ): BatchwireError {
    return new BatchwireError(code, message, this.offsetAt(this.tagStart()), this.lineColumn());
  }

  /** `XML_SYNTAX` for a prefix no declaration in scope binds, at its tag. */
  unbound(name: string): BatchwireError {
    const prefix = name.slice(0, name.indexOf(':'));
    return this.tagError(
      'XML_SYNTAX',
      `unbound namespace prefix ${JSON.stringify(prefix)} in ${JSON.stringify(name.slice(0, 80))}`,
    );
  }

  /** An error at the character saxes has just read. */
  error(code: 'XML_SYNTAX' | 'LIMIT_EXCEEDED', message: string): BatchwireError {
    const index = this.raw.prevI + this.raw.chunkPosition - this.charBase;
    const excerpt = this.current ? textExcerpt(this.current, Math.max(0, index - 10), 30) : undefined;
    return new BatchwireError(code, message, this.offsetAt(this.charBase + Math.max(0, index)), {
      ...this.lineColumn(),
      excerpt,
    });
  }

  private syntaxError(message: string): BatchwireError {
    return this.error('XML_SYNTAX', `XML syntax error: ${message}`);
  }

  private doctypeError(): BatchwireError {
    // The DOCTYPE keyword was read in this slice (the check after the last one found none).
    const from = Math.max(0, this.sliceStart - 9);
    const at = this.current.indexOf('<!DOCTYPE', from);
    const position = at >= 0 ? this.charBase + at : this.markPosition;
    return new BatchwireError(
      'DOCTYPE_FORBIDDEN',
      'a document type declaration is not allowed (no entity is ever expanded)',
      this.offsetAt(Math.max(0, position)),
      this.lineColumn(),
    );
  }
}

/**
 * Collects the direct text of one element (text and CDATA, not its children's), switching the
 * feed's text reporting on for as long as it collects, with a length limit.
 */
export class ElementText {
  /** Depth of the element being collected, or -1. */
  depth = -1;
  // Usually one piece: saxes joins a text node unless a chunk, a child or CDATA splits it.
  private first = '';
  private rest: string[] | undefined;
  private length = 0;

  constructor(
    private readonly feed: XmlFeed,
    private readonly max: number,
  ) {}

  /** Starts collecting the text of the element at `depth` (the one just opened). */
  start(depth: number): void {
    this.depth = depth;
    this.first = '';
    this.rest = undefined;
    this.length = 0;
    this.feed.wantText(true);
  }

  /** Adds text reported by the feed, when it belongs to the element being collected. */
  add(text: string): void {
    if (this.feed.depth !== this.depth) return;
    this.length += text.length;
    if (this.length > this.max) {
      throw this.feed.error('LIMIT_EXCEEDED', `a text node is longer than maxTextLength (${this.max})`);
    }
    if (this.length === text.length) this.first = text;
    else if (this.rest === undefined) this.rest = [text];
    else this.rest.push(text);
  }

  /** Stops collecting and returns the text. */
  take(): string {
    const rest = this.rest;
    const text = this.length === 0 ? '' : rest === undefined ? this.first : this.first + rest.join('');
    this.stop();
    return text;
  }

  /** Stops collecting, dropping the text. */
  stop(): void {
    if (this.depth < 0) return;
    this.depth = -1;
    this.first = '';
    this.rest = undefined;
    this.length = 0;
    this.feed.wantText(false);
  }
}

/** A name resolved by namespace: what a QName means, whatever prefix the writer chose. */
export interface QualifiedName {
  /** The namespace URI (`''`: none, or a prefix no declaration binds). */
  namespace: string;
  /** The local name. */
  name: string;
}

/**
 * Resolves a QName written as element content (a SOAP fault code, `xsi:type`) against the
 * declarations in scope: a prefix by its binding, no prefix by the default namespace. An
 * unbound prefix gives namespace `''`.
 */
export function resolveQName(text: string, scope: NamespaceScope): QualifiedName {
  const qname = text.trim();
  const colon = qname.indexOf(':');
  if (colon < 0) return { namespace: scope.defaultBinding?.uri ?? '', name: qname };
  return { namespace: scope.lookup(qname.slice(0, colon))?.uri ?? '', name: qname.slice(colon + 1) };
}
