// The XML layer: batchwire's own scanner (xml-scanner.ts) fed with text decoded by TextStream,
// plus the namespace scope (O(1) per name). It keeps every guarantee the codecs promise: no
// DOCTYPE (refused as soon as it starts, nothing is expanded), only the five XML entities, exact
// input offsets with line and column, and limits checked before anything more is buffered (the
// scanner buffers nothing of a piece but names, one attribute value and one reference).
// Over 500 lines on purpose: the feed is one object per document (offsets, lines, namespaces,
// limits); ElementText and resolveQName, which readers use beside it, are in xml-element-text.ts.
import type { DecodedBody } from './body.js';
import type { EncodingOption } from './charset.js';
import { BatchwireError, textExcerpt } from './errors.js';
import { declarationProblem, type NamespaceBinding, NamespaceScope } from './namespaces.js';
import type { Chunk } from './source.js';
import { TextStream } from './text-stream.js';
import { utf8Length } from './unicode.js';
import { detach, firstNonChar } from './xml-chars.js';
import { type ScanProblem, XmlScanner } from './xml-scanner.js';

export { NamespaceBinding, NamespaceScope, XML_NAMESPACE, XMLNS_NAMESPACE } from './namespaces.js';
export { detach } from './xml-chars.js';
export { ElementText, type QualifiedName, resolveQName } from './xml-element-text.js';

/**
 * What an {@link XmlFeed} calls. Any handler may throw a BatchwireError to stop the parse. While
 * `open` runs, the feed holds the start tag's prefixed attributes (`attributeNames`,
 * `attributeValues`, `attributeBindings`) and `selfClosing`.
 */
export interface XmlHandlers {
  /** A start tag, at `depth` (the root is 1), its declarations in scope; `binding` is its namespace. */
  open(name: string, depth: number, binding: NamespaceBinding | undefined): void;
  /** An end tag (for an empty element, right after its start tag), its declarations still in scope. */
  close(name: string, depth: number): void;
  /** Character data (references resolved, and CDATA), while the feed is asked for text. */
  text(text: string): void;
  /** At least every FEED_SLICE characters and at the end of each piece: where a reader checks its limits. */
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
  /** Longest name, attribute value or text a reader collects, in characters. */
  maxTextLength: number;
}

const NO_HANDLERS: XmlHandlers = { open() {}, close() {}, text() {} };

/** Characters between two calls of `slice`, at most (plus one tag). */
const FEED_SLICE = 64 * 1024;

/** Namespace URI characters handed out beyond twice the input read (see {@link XmlFeed.handOut}). */
const HANDOUT_SLACK = 64 * 1024;

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

/**
 * A strict XML reader for one document (or one message array), fed bytes or strings. It resolves
 * namespaces and refuses what XML Namespaces 1.0 forbids (unbound or malformed prefixes,
 * `xmlns:p=""`, rebinding `xml`/`xmlns`, two attributes with one expanded name), maps every
 * problem to a BatchwireError with the exact input offset, line and column, and lets handlers
 * turn a character position (an index into all the text read so far) into an input offset.
 */
export class XmlFeed extends XmlScanner {
  /** The namespace declarations in scope. */
  readonly scope = new NamespaceScope();
  /** How many prefixed attributes (declarations aside) the start tag being reported has. */
  attributeCount = 0;
  /** Their names, `[0, attributeCount)`. */
  attributeNames: string[] = [];
  /** Their values, in the same order. */
  attributeValues: string[] = [];
  /** Their namespaces, in the same order. */
  attributeBindings: NamespaceBinding[] = [];

  private handlers: XmlHandlers;
  private readonly maxDepth: number;
  private readonly stream: TextStream;
  // A body decoded up front (parseDocument) maps offsets itself.
  private decoded: DecodedBody | undefined;
  // Scope size before each open element's declarations, by depth.
  private marks: number[] = [0];
  private attributeColons: number[] = [];
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
  // The '<' of markup still open when the last piece ended: its position, offset, line, column.
  private markPosition = -1;
  private markOffset = 0;
  private markLine = 1;
  private markColumn = 1;
  // Line of current[0], where that line starts, and whether the last piece ended with a CR.
  private line = 1;
  private lineStart = 0;
  private crEnded = false;
  // Position at which `slice` is next due.
  private nextSlice = FEED_SLICE;
  private bytes = false;
  // Characters of namespace URIs handed to the caller so far.
  private handedOut = 0;
  private readonly sink = (text: string) => this.parsePiece(text, this.stream.start, this.stream.offset);

  constructor(handlers: XmlHandlers | undefined, options: XmlFeedOptions) {
    super();
    this.handlers = handlers ?? NO_HANDLERS;
    this.maxDepth = options.maxDepth;
    this.maxText = options.maxTextLength;
    this.stream = new TextStream({ encoding: options.encoding, contentType: options.contentType });
  }

  /** Sets the handlers (for an owner that needs the feed to exist before it can handle events). */
  handle(handlers: XmlHandlers): void {
    this.handlers = handlers;
  }

  /** How input units relate to characters: `'text'` for string input (one each). */
  get encoding(): 'utf-8' | 'utf-16le' | 'utf-16be' | 'text' {
    if (this.decoded !== undefined) return this.decoded.encoding;
    return this.stream.encoding ?? 'text';
  }

  /** Input offset just after everything decoded so far. */
  get inputOffset(): number {
    return this.decoded !== undefined ? this.textEnd : this.stream.offset;
  }

  /** The position of the '<' of a start or end tag still open at the end of a piece, or -1. */
  openTagStart(): number {
    return this.insideTag ? this.markupStart : -1;
  }

  /** The position of the '<' of the tag being reported (or of the markup being read). */
  tagStart(): number {
    return this.markupStart;
  }

  /** Decodes a chunk and scans it; handlers run inside. Throws the first problem. */
  write(chunk: Chunk): void {
    if (this.failure) throw this.failure;
    if (typeof chunk !== 'string') this.bytes = true;
    try {
      this.stream.write(chunk, this.sink);
    } catch (error) {
      throw this.keep(error);
    }
  }

  /** Flushes the decoder: a character cut at the very end is `TRUNCATED`. */
  flush(): void {
    if (this.failure) throw this.failure;
    try {
      this.stream.end(this.sink);
    } catch (error) {
      throw this.keep(error);
    }
  }

  /**
   * Checks that the input is all there, once the root element has been read: markup left open
   * after it (a comment, a processing instruction) is `TRUNCATED`.
   */
  close(): void {
    if (this.failure) throw this.failure;
    const problem = this.unfinished();
    if (problem !== undefined) {
      throw this.keep(new BatchwireError('TRUNCATED', problem, this.inputOffset));
    }
  }

  /**
   * Scans a whole document decoded up front (by `decodeBody`): `TRUNCATED` when it ends before
   * its root element does or has none.
   */
  parseDocument(body: DecodedBody): void {
    this.decoded = body;
    this.bytes = body.encoding !== 'text';
    try {
      this.parsePiece(body.text, body.offsetOf(0), body.offsetOf(body.text.length));
    } catch (error) {
      throw this.keep(error);
    }
    this.close();
  }

  private keep(error: unknown): unknown {
    if (error instanceof BatchwireError) this.failure = error;
    return error;
  }

  private parsePiece(text: string, start: number, end: number): void {
    // A piece may come as two strings joined (a character a chunk boundary cut, then the rest):
    // reading it character by character is then several times slower. Number() makes V8
    // flatten it in place, once.
    Number(text);
    this.current = text;
    this.textStart = start;
    this.textEnd = end;
    this.cursorIndex = 0;
    this.cursorOffset = start;
    // Text decoded from UTF-8 holds no lone surrogate: the decoder refused any.
    const bad = firstNonChar(text, this.encoding !== 'utf-8');
    this.scan(text, bad);
    if (bad < text.length) this.notChar(text, bad);
    this.at = text.length;
    this.handlers.slice?.();
    this.nextSlice = this.charBase + text.length + FEED_SLICE;
    this.handlers.piece?.();
    if (this.insideMarkup && this.markupStart >= this.charBase && this.markPosition !== this.markupStart) {
      this.markPosition = this.markupStart;
      this.markOffset = this.offsetAt(this.markupStart);
      const { line, column } = this.lineColumn(this.markupStart);
      this.markLine = line;
      this.markColumn = column;
    }
    this.countLines(text);
    this.charBase += text.length;
    this.current = '';
  }

  private notChar(text: string, index: number): never {
    const c = text.charCodeAt(index);
    const what =
      c >= 0xd800 && c <= 0xdfff
        ? `half of a surrogate pair alone (U+${c.toString(16).toUpperCase()})`
        : `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
    return this.fail('XML_SYNTAX', `${what} is not a character XML 1.0 allows`, this.charBase + index);
  }

  protected startTag(): void {
    const depth = this.depth;
    if (depth > this.maxDepth) {
      throw this.tagError('LIMIT_EXCEEDED', `elements nest deeper than maxDepth (${this.maxDepth})`);
    }
    const scope = this.scope;
    this.marks[depth] = scope.size;
    const count = this.attrCount;
    let prefixed = 0;
    if (count > 0) {
      const names = this.attrNames;
      const values = this.attrValues;
      for (let i = 0; i < count; i++) {
        const name = names[i]!;
        const colon = name.indexOf(':');
        if (colon < 0) {
          if (name === 'xmlns') this.declare('', values[i]!, depth);
          continue;
        }
        if (colon === 0 || colon === name.length - 1 || name.indexOf(':', colon + 1) >= 0) {
          throw this.tagError('XML_SYNTAX', `malformed qualified name ${JSON.stringify(name.slice(0, 80))}`);
        }
        if (colon === 5 && name.startsWith('xmlns')) {
          this.declare(name.slice(6), values[i]!, depth);
          continue;
        }
        this.attributeNames[prefixed] = name;
        this.attributeValues[prefixed] = values[i]!;
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
    }
    this.attributeCount = prefixed;
    const name = this.tagName;
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
    this.handlers.open(name, depth, binding);
    if (prefixed > 64) this.dropAttributeArrays();
    if (this.charBase + this.at >= this.nextSlice) this.sliceDue();
  }

  protected endTag(): void {
    const depth = this.depth;
    this.handlers.close(this.tagName, depth);
    this.scope.truncate(this.marks[depth]!);
    if (depth === 1 && this.marks.length > 64) this.marks = [0];
    if (this.charBase + this.at >= this.nextSlice) this.sliceDue();
  }

  protected characters(text: string): void {
    this.handlers.text(text);
  }

  protected declaration(encoding: string | undefined): void {
    const declared = encoding?.toLowerCase();
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

  protected fail(code: ScanProblem, message: string, position: number): never {
    const index = position - this.charBase;
    const excerpt =
      index >= 0 && index <= this.current.length
        ? textExcerpt(this.current, Math.max(0, index - 10), 30)
        : undefined;
    throw new BatchwireError(
      code,
      code === 'XML_SYNTAX' ? `XML syntax error: ${message}` : message,
      this.offsetAt(position),
      {
        ...this.lineColumn(position),
        excerpt,
      },
    );
  }

  private sliceDue(): void {
    this.nextSlice = this.charBase + this.at + FEED_SLICE;
    this.handlers.slice?.();
  }

  // A tag with very many attributes leaves no large arrays behind.
  private dropAttributeArrays(): void {
    this.attributeNames = [];
    this.attributeValues = [];
    this.attributeBindings = [];
    this.attributeColons = [];
  }

  private declare(prefix: string, uri: string, depth: number): void {
    const problem = declarationProblem(prefix, uri);
    if (problem !== undefined) throw this.tagError('XML_SYNTAX', `namespace declaration refused: ${problem}`);
    // The root's declarations live as long as the document: they keep no piece of input alive.
    this.scope.declare(prefix, depth === 1 ? detach(uri) : uri, depth);
  }

  // Two prefixes bound to one URI make `p:a` and `q:a` the same attribute, which XML forbids.
  // The raw names are unique already (the scanner checked): only attributes whose URI two
  // bindings share can clash, and only their expanded names are built (a tag with a million
  // attributes made a million strings and a set of them here).
  private checkDuplicates(count: number): void {
    const bindings = this.attributeBindings;
    const byUri = new Map<string, NamespaceBinding>();
    let aliased: Set<string> | undefined;
    for (let i = 0; i < count; i++) {
      const binding = bindings[i]!;
      const first = byUri.get(binding.uri);
      if (first === undefined) byUri.set(binding.uri, binding);
      else if (first !== binding) {
        aliased ??= new Set();
        aliased.add(binding.uri);
      }
    }
    if (aliased === undefined) return;
    const seen = new Set<string>();
    for (let i = 0; i < count; i++) {
      const uri = bindings[i]!.uri;
      if (!aliased.has(uri)) continue;
      const expanded = `${uri} ${this.attributeNames[i]!.slice(this.attributeColons[i]! + 1)}`;
      if (seen.has(expanded)) {
        throw this.tagError(
          'XML_SYNTAX',
          `attribute ${JSON.stringify(this.attributeNames[i]!.slice(0, 80))} is repeated under another prefix`,
        );
      }
      seen.add(expanded);
    }
  }

  /**
   * The input offset of character position `position`: exact in the current piece and for the
   * start of markup cut by a piece boundary (the only earlier positions anyone asks for).
   */
  offsetAt(position: number): number {
    const index = position - this.charBase;
    const decoded = this.decoded;
    if (decoded !== undefined) return decoded.offsetOf(index);
    const encoding = this.stream.encoding;
    if (index < 0) {
      if (position === this.markPosition) return this.markOffset;
      // ']' or '-' that ended the last piece (']]>' and '--' straddling it): ASCII, one unit each.
      return (
        this.textStart - (this.charBase - position) * (encoding === 'utf-8' || encoding === 'text' ? 1 : 2)
      );
    }
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

  /** 1-based line and column (in UTF-16 code units) of character position `position`. */
  lineColumn(position: number = this.position): { line: number; column: number } {
    const index = position - this.charBase;
    if (index < 0) {
      if (position === this.markPosition) return { line: this.markLine, column: this.markColumn };
      return { line: this.line, column: Math.max(1, position - this.lineStart + 1) };
    }
    const { line, start } = this.linesBefore(this.current, Math.min(index, this.current.length));
    return { line, column: position - start + 1 };
  }

  // Line and line start just before current[to]: CR LF, CR and LF each end a line.
  private linesBefore(text: string, to: number): { line: number; start: number } {
    let line = this.line;
    let start = this.lineStart;
    const base = this.charBase;
    for (let k = text.indexOf('\n'); k >= 0 && k < to; k = text.indexOf('\n', k + 1)) {
      // The LF of a CR LF pair: the CR counted the line.
      if (k === 0 ? !this.crEnded : text.charCodeAt(k - 1) !== 0x0d) line++;
      start = base + k + 1;
    }
    for (let k = text.indexOf('\r'); k >= 0 && k < to; k = text.indexOf('\r', k + 1)) {
      line++;
      if (base + k + 1 > start) start = base + k + 1;
    }
    return { line, start };
  }

  private countLines(text: string): void {
    const { line, start } = this.linesBefore(text, text.length);
    this.line = line;
    this.lineStart = start;
    this.crEnded = text.charCodeAt(text.length - 1) === 0x0d;
  }

  /**
   * A namespace URI for the caller to keep: a copy of its own, counted. One declaration may be
   * named by any number of elements and QNames (on the root, by every message), so the copies
   * together may not outgrow the input: at most twice the characters read, plus 64 Ki, or
   * `LIMIT_EXCEEDED`. Without this a 1 MB array made 85 M characters of records.
   */
  handOut(uri: string): string {
    this.handedOut += uri.length;
    if (this.handedOut > 2 * this.position + HANDOUT_SLACK) {
      throw this.error(
        'LIMIT_EXCEEDED',
        'the namespace URIs the records name, copied once per use, outgrow the input (a long URI declared once and used very often)',
      );
    }
    return detach(uri);
  }

  /** An error at the `<` of the tag being reported. */
  tagError(
    code: 'XML_SYNTAX' | 'LIMIT_EXCEEDED' | 'MALFORMED_RECORD' | 'TRAILING_DATA',
    message: string,
  ): BatchwireError {
    const start = this.markupStart;
    return new BatchwireError(code, message, this.offsetAt(start), this.lineColumn(start));
  }

  /** `XML_SYNTAX` for a prefix no declaration in scope binds, at its tag. */
  unbound(name: string): BatchwireError {
    const prefix = name.slice(0, name.indexOf(':'));
    return this.tagError(
      'XML_SYNTAX',
      `unbound namespace prefix ${JSON.stringify(prefix.slice(0, 80))} in ${JSON.stringify(name.slice(0, 80))}`,
    );
  }

  /** An error at the position just reached (the end of the event being reported). */
  error(code: 'XML_SYNTAX' | 'LIMIT_EXCEEDED', message: string): BatchwireError {
    const position = this.position;
    const index = position - this.charBase;
    const excerpt = this.current ? textExcerpt(this.current, Math.max(0, index - 10), 30) : undefined;
    return new BatchwireError(code, message, this.offsetAt(position), {
      ...this.lineColumn(position),
      excerpt,
    });
  }
}
