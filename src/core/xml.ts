// Shared XML infrastructure: a sax parser set up safely (strict, the five XML entities only, no
// DOCTYPE), fed text decoded by TextStream so that offsets are exact input offsets, a namespace
// scope resolved by URI (cheaper than sax's xmlns mode), and a small-document tree parser.
import sax from 'sax';
import type { EncodingOption } from './charset.js';
import { BatchwireError, isBatchwireError, textExcerpt } from './errors.js';
import { DEFAULT_LIMITS } from './limits.js';
import type { Chunk } from './source.js';
import { TextStream } from './text-stream.js';

/** The namespace the `xml` prefix is always bound to. */
export const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
/** The namespace of `xmlns` declarations, as DOM reports them. */
export const XMLNS_NAMESPACE = 'http://www.w3.org/2000/xmlns/';

/** An attribute of an {@link XmlElement}. Namespace declarations are in `declarations`, not here. */
export interface XmlAttribute {
  /** Local name. */
  name: string;
  /** Namespace URI, or `''` for an unprefixed attribute. */
  namespace: string;
  value: string;
  /** The prefix as written (`''` when none). */
  prefix: string;
}

/** A namespace declaration written on an element (`xmlns="..."` has prefix `''`). */
export interface XmlNamespaceDeclaration {
  prefix: string;
  uri: string;
}

/** One element of a parsed document, with its namespace resolved. */
export interface XmlElement {
  /** Local name. */
  name: string;
  /** Resolved namespace URI, or `''`. */
  namespace: string;
  /** The prefix as written (`''` when none). */
  prefix: string;
  attributes: XmlAttribute[];
  children: XmlElement[];
  /** The element's direct text and CDATA, concatenated (not its descendants'). */
  text: string;
  /** Namespace declarations written on this element. */
  declarations: XmlNamespaceDeclaration[];
}

/** Options of {@link parseXmlDocument}. */
export interface XmlParseOptions {
  /** A Content-Type header value whose `charset` guides decoding of byte input. */
  contentType?: string;
  /** @defaultValue `'auto'` (byte order mark, then `contentType`, then sniffing, then UTF-8) */
  encoding?: EncodingOption;
  /** Deepest element nesting. @defaultValue 64 */
  maxDepth?: number;
  /** Longest text of one element, in characters. @defaultValue 16 MiB */
  maxTextLength?: number;
  /** Largest input, in input units (bytes, or characters for string input). @defaultValue 4 MiB */
  maxBytes?: number;
}

/** Splits `p:local` into its prefix and local name (`''` prefix when there is none). */
export function splitName(qname: string): { prefix: string; local: string } {
  const colon = qname.indexOf(':');
  return colon < 0
    ? { prefix: '', local: qname }
    : { prefix: qname.slice(0, colon), local: qname.slice(colon + 1) };
}

/**
 * The in-scope namespace bindings of a document being read, as two parallel stacks. An element
 * remembers `size` before declaring and `truncate`s back to it at its end tag. Lookups scan from
 * the innermost binding: documents here bind a handful of prefixes, so a scan beats a map.
 */
export class NamespaceScope {
  // Bindings [0, size) are in scope; entries past size are stale and get overwritten. Shrinking
  // by a counter, not by setting `length`, keeps the end tag of every element cheap.
  readonly prefixes: string[] = [];
  readonly uris: string[] = [];
  size = 0;
  /** Changes whenever a binding comes or goes, so callers can cache a lookup. */
  version = 0;

  declare(prefix: string, uri: string): void {
    this.prefixes[this.size] = prefix;
    this.uris[this.size] = uri;
    this.size++;
    this.version++;
  }

  truncate(size: number): void {
    if (size === this.size) return;
    this.size = size;
    this.version++;
  }

  /** Index of the innermost binding of `prefix` below `limit`, or -1. */
  indexOf(prefix: string, limit = this.size): number {
    const prefixes = this.prefixes;
    for (let i = limit - 1; i >= 0; i--) if (prefixes[i] === prefix) return i;
    return -1;
  }

  /** The URI `prefix` is bound to; `''` for an undeclared default namespace; `undefined` if unbound. */
  resolve(prefix: string): string | undefined {
    const i = this.indexOf(prefix);
    if (i >= 0) return this.uris[i]!;
    if (prefix === '') return '';
    if (prefix === 'xml') return XML_NAMESPACE;
    return undefined;
  }

  /**
   * Declares the `xmlns` attributes of a start tag. Returns how many attributes the tag has
   * (declarations included), so callers can skip a second walk over none.
   * Throws `XML_SYNTAX` for `xmlns:p=""` and for rebinding `xml`/`xmlns`, which XML forbids.
   */
  declareAttributes(attributes: Record<string, string>, offset: () => number): number {
    let count = 0;
    for (const name in attributes) {
      count++;
      // 0x78 'x': most attributes are not declarations, so test one character first.
      if (name.charCodeAt(0) !== 0x78 || !name.startsWith('xmlns')) continue;
      const value = attributes[name]!;
      if (name.length === 5) this.declare('', value);
      else if (name.charCodeAt(5) === 0x3a) {
        const prefix = name.slice(6);
        if (value === '' || prefix === 'xmlns' || (prefix === 'xml') !== (value === XML_NAMESPACE)) {
          throw new BatchwireError(
            'XML_SYNTAX',
            `namespace declaration ${name}=${JSON.stringify(value.slice(0, 80))} is not allowed`,
            offset(),
          );
        }
        this.declare(prefix, value);
      }
    }
    return count;
  }
}

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

// Linear: the body of a processing instruction is bounded by sax's buffer limit.
const ENCODING_DECLARATION = /\bencoding\s*=\s*(["'])([^"']*)\1/;

/** What a {@link SaxFeed} calls; any handler may throw a BatchwireError to stop the parse. */
export interface SaxHandlers {
  onopentag(tag: sax.Tag): void;
  onclosetag(name: string): void;
  ontext(text: string): void;
  oncdata(text: string): void;
  /** Called after sax has parsed each decoded piece of text, while `current` still holds it. */
  onchunkend?(): void;
}

/**
 * A strict sax parser fed from bytes or strings through a {@link TextStream}. It maps every sax
 * error, DOCTYPE and wrong XML declaration to a BatchwireError with an exact input offset and
 * line/column, and lets handlers turn a sax position (a character index in the decoded text)
 * into an input offset with {@link SaxFeed.offsetAt}.
 */
export class SaxFeed {
  readonly parser: sax.SAXParser;
  readonly text: TextStream;
  /** Characters handed to sax before `current`. */
  charBase = 0;
  /** The text being parsed by the current `write`. */
  current = '';
  // Input offset where `current` begins.
  private textStart = 0;
  // A position measured in `current` (index and input offset), so measuring moves forward only.
  private cursorIndex = 0;
  private cursorOffset = 0;
  private bytes = false;
  private readonly onchunkend: (() => void) | undefined;

  constructor(handlers: SaxHandlers, options: { contentType?: string; encoding?: EncodingOption } = {}) {
    this.text = new TextStream({
      ...(options.encoding === undefined ? {} : { encoding: options.encoding }),
      ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
    });
    // strictEntities: only the five XML entities; &nbsp; and friends are errors.
    const parser = sax.parser(true, { strictEntities: true, position: true } as sax.SAXOptions);
    this.parser = parser;
    this.onchunkend = handlers.onchunkend?.bind(handlers);
    parser.onopentag = handlers.onopentag as (tag: sax.Tag | sax.QualifiedTag) => void;
    parser.onclosetag = handlers.onclosetag;
    parser.ontext = handlers.ontext;
    parser.oncdata = handlers.oncdata;
    parser.onerror = (error: Error) => {
      throw this.saxError(error);
    };
    parser.ondoctype = () => {
      throw this.doctypeError();
    };
    parser.onsgmldeclaration = (declaration: string) => {
      throw new BatchwireError(
        'XML_SYNTAX',
        `unexpected markup declaration <!${declaration.slice(0, 20)}`,
        this.tagStartOffset(),
        this.lineColumn(),
      );
    };
    parser.onprocessinginstruction = (instruction: { name: string; body: string }) => {
      if (instruction.name.toLowerCase() !== 'xml') return;
      if (parser.startTagPosition !== 1) {
        throw new BatchwireError(
          'XML_SYNTAX',
          'an XML declaration is only allowed at the very start of the document',
          this.tagStartOffset(),
          this.lineColumn(),
        );
      }
      const declared = ENCODING_DECLARATION.exec(instruction.body)?.[2];
      if (declared !== undefined && this.bytes && !DECLARED_ENCODINGS.has(declared.toLowerCase())) {
        throw new BatchwireError(
          'INVALID_ENCODING',
          `the XML declaration names encoding ${JSON.stringify(declared.slice(0, 40))}; only UTF-8 and UTF-16 are read`,
          this.tagStartOffset(),
        );
      }
    };
  }

  /** Decodes a chunk and parses it; handlers run inside. Throws the first problem. */
  write(chunk: Chunk): void {
    if (typeof chunk !== 'string') this.bytes = true;
    const text = this.text.write(chunk);
    this.parse(text);
    if (this.text.error) throw this.text.error;
  }

  /** Flushes the decoder and closes the parser. Check for unclosed elements before calling. */
  end(): void {
    const text = this.text.end();
    this.parse(text);
    if (this.text.error) throw this.text.error;
    this.guard(() => this.parser.close());
  }

  private parse(text: string): void {
    if (text.length === 0) return;
    this.textStart = this.text.start;
    this.current = text;
    this.cursorIndex = 0;
    this.cursorOffset = this.textStart;
    this.guard(() => this.parser.write(text));
    this.onchunkend?.();
    this.charBase += text.length;
    this.current = '';
  }

  private guard(run: () => void): void {
    try {
      run();
    } catch (error) {
      if (isBatchwireError(error)) throw error;
      // sax's own error (thrown again by a later write).
      if (error === this.parser.error) throw this.saxError(this.parser.error);
      // sax calls tag.attributes.hasOwnProperty(name), which an attribute of that name shadows.
      if (error instanceof TypeError && error.message.includes('hasOwnProperty')) {
        throw new BatchwireError(
          'XML_SYNTAX',
          'sax cannot read a start tag with an attribute named hasOwnProperty followed by another attribute',
          this.tagStartOffset(),
          this.lineColumn(),
        );
      }
      // Anything else is a bug to surface.
      throw error;
    }
  }

  /** The input offset of sax character position `position` (0-based index of a character). */
  offsetAt(position: number): number {
    // Outside a write (sax closing at the end) the position is the end of the input.
    if (this.current === '') return this.text.offset;
    const index = position - this.charBase;
    if (this.text.encoding === 'text' || this.text.encoding === undefined) return this.textStart + index;
    if (index <= 0) return this.textStart;
    // Measure forward from the last position asked for in this chunk: linear over a chunk.
    if (index < this.cursorIndex) {
      this.cursorIndex = 0;
      this.cursorOffset = this.textStart;
    }
    const unit = this.text.encoding === 'utf-8' ? 0 : 2;
    this.cursorOffset +=
      unit === 0 ? utf8RangeLength(this.current, this.cursorIndex, index) : (index - this.cursorIndex) * unit;
    this.cursorIndex = index;
    return this.cursorOffset;
  }

  /**
   * Like {@link SaxFeed.offsetAt} for a position in `current`, measured back from the end of
   * `current` (whose input offset is known): cheaper for positions near the end.
   */
  offsetBefore(position: number): number {
    const index = position - this.charBase;
    if (this.current === '' || index < 0) return this.offsetAt(position);
    const end = this.textStart + (this.text.offset - this.text.start);
    if (this.text.encoding === 'utf-8')
      return end - utf8RangeLength(this.current, index, this.current.length);
    if (this.text.encoding === 'text' || this.text.encoding === undefined) return this.textStart + index;
    return this.textStart + index * 2;
  }

  /** Offset of the `<` of the tag sax is reading or has just read. */
  tagStartOffset(): number {
    return this.offsetAt(Math.max(0, this.parser.startTagPosition - 1));
  }

  /** Offset of the character sax has just read. */
  currentOffset(): number {
    return this.offsetAt(Math.max(0, this.parser.position - 1));
  }

  /** 1-based line and column of the character sax has just read. */
  lineColumn(): { line: number; column: number } {
    return { line: this.parser.line + 1, column: Math.max(1, this.parser.column) };
  }

  private doctypeError(): BatchwireError {
    return new BatchwireError(
      'DOCTYPE_FORBIDDEN',
      'a document type declaration is not allowed (no entity is ever expanded)',
      this.tagStartOffset(),
      this.lineColumn(),
    );
  }

  private saxError(error: Error): BatchwireError {
    const message = error.message.split('\n', 1)[0] ?? 'XML syntax error';
    // A DOCTYPE whose internal subset outgrows sax's buffer is still a DOCTYPE.
    if (message.endsWith(': doctype')) return this.doctypeError();
    if (message.startsWith('Max buffer length exceeded')) {
      return new BatchwireError('LIMIT_EXCEEDED', message, this.currentOffset(), this.lineColumn());
    }
    const offset = this.currentOffset();
    const index = Math.max(0, this.parser.position - 1 - this.charBase);
    const excerpt = this.current ? textExcerpt(this.current, Math.max(0, index - 10), 30) : undefined;
    return new BatchwireError('XML_SYNTAX', `XML syntax error: ${message}`, offset, {
      ...this.lineColumn(),
      ...(excerpt === undefined ? {} : { excerpt }),
    });
  }
}

// UTF-8 size of text[start, end), without slicing; a pair counts 4, a lone surrogate 3.
function utf8RangeLength(text: string, start: number, end: number): number {
  let n = end - start;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
      const d = text.charCodeAt(i + 1);
      n += 2;
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    } else n += 2;
  }
  return n;
}

function limitError(what: string, limit: number, offset: number): BatchwireError {
  return new BatchwireError('LIMIT_EXCEEDED', `${what} exceeds its limit (${limit})`, offset);
}

/**
 * Resolves a start tag into an {@link XmlElement} (without children or text yet). Declarations
 * must already be in `scope`. Throws `XML_SYNTAX` for an unbound prefix.
 */
export function resolveElement(tag: sax.Tag, scope: NamespaceScope, offset: () => number): XmlElement {
  const { prefix, local } = splitName(tag.name);
  const namespace = scope.resolve(prefix);
  if (namespace === undefined) {
    throw new BatchwireError('XML_SYNTAX', `unbound namespace prefix ${JSON.stringify(prefix)}`, offset());
  }
  const attributes: XmlAttribute[] = [];
  const declarations: XmlNamespaceDeclaration[] = [];
  for (const name in tag.attributes) {
    const value = tag.attributes[name]!;
    if (name === 'xmlns') {
      declarations.push({ prefix: '', uri: value });
      continue;
    }
    const split = splitName(name);
    if (split.prefix === 'xmlns') {
      declarations.push({ prefix: split.local, uri: value });
      continue;
    }
    // Unprefixed attributes are in no namespace, whatever the default namespace is.
    const uri = split.prefix === '' ? '' : scope.resolve(split.prefix);
    if (uri === undefined) {
      throw new BatchwireError(
        'XML_SYNTAX',
        `unbound namespace prefix ${JSON.stringify(split.prefix)}`,
        offset(),
      );
    }
    attributes.push({ name: split.local, namespace: uri, value, prefix: split.prefix });
  }
  return { name: local, namespace, prefix, attributes, children: [], text: '', declarations };
}

/**
 * Builds a namespace-resolved tree from sax events, with an explicit stack (no recursion), and
 * checks depth and text limits as it goes. Used for whole small documents and for the parts of
 * a SOAP message that are read as a tree (faults).
 */
export class XmlTreeBuilder {
  /** The finished root, once its end tag has been read. */
  root: XmlElement | undefined;
  private readonly stack: XmlElement[] = [];
  private readonly marks: number[] = [];
  private readonly texts: string[][] = [];
  private readonly textLengths: number[] = [];

  constructor(
    private readonly scope: NamespaceScope,
    private readonly offset: () => number,
    private readonly maxDepth: number,
    private readonly maxTextLength: number,
  ) {}

  get depth(): number {
    return this.stack.length;
  }

  open(tag: sax.Tag): void {
    if (this.stack.length >= this.maxDepth)
      throw limitError('element nesting depth', this.maxDepth, this.offset());
    if (this.stack.length === 0 && this.root !== undefined) {
      // sax's strict mode lets a second root element through; XML does not.
      throw new BatchwireError(
        'XML_SYNTAX',
        'a document has one root element; another follows it',
        this.offset(),
      );
    }
    const mark = this.scope.size;
    this.scope.declareAttributes(tag.attributes, this.offset);
    const element = resolveElement(tag, this.scope, this.offset);
    this.stack[this.stack.length - 1]?.children.push(element);
    this.stack.push(element);
    this.marks.push(mark);
    this.texts.push([]);
    this.textLengths.push(0);
  }

  text(text: string): void {
    const top = this.texts.length - 1;
    if (top < 0) return;
    const length = this.textLengths[top]! + text.length;
    if (length > this.maxTextLength) throw limitError('text length', this.maxTextLength, this.offset());
    this.textLengths[top] = length;
    this.texts[top]!.push(text);
  }

  close(): XmlElement {
    const element = this.stack.pop()!;
    this.scope.truncate(this.marks.pop()!);
    const parts = this.texts.pop()!;
    this.textLengths.pop();
    element.text = parts.length === 1 ? parts[0]! : parts.join('');
    if (this.stack.length === 0) this.root = element;
    return element;
  }
}

/**
 * Parses a whole small document (a fault body, a status element) into a namespace-resolved
 * tree. Bytes are decoded as UTF-8 unless a byte order mark, zero-byte sniffing or the
 * `contentType` charset says UTF-16; an XML declaration naming another encoding is refused.
 *
 * @throws {@link BatchwireError} `XML_SYNTAX` (with offset, line and column), `DOCTYPE_FORBIDDEN`,
 *   `LIMIT_EXCEEDED`, `INVALID_ENCODING`, `TRUNCATED`
 *
 * @example
 * ```ts
 * const root = parseXmlDocument('<BrokerClientStatus xmlns="http://hpc.microsoft.com">Finished</BrokerClientStatus>');
 * root.name; // 'BrokerClientStatus'
 * root.namespace; // 'http://hpc.microsoft.com'
 * root.text; // 'Finished'
 * ```
 */
export function parseXmlDocument(input: string | Uint8Array, options: XmlParseOptions = {}): XmlElement {
  const maxBytes = options.maxBytes ?? DEFAULT_LIMITS.maxBodyBytes;
  if (input.length > maxBytes) {
    throw new BatchwireError(
      'LIMIT_EXCEEDED',
      `the document is longer than maxBytes (${maxBytes})`,
      maxBytes,
    );
  }
  const scope = new NamespaceScope();
  let builder: XmlTreeBuilder | undefined;
  const feed: SaxFeed = new SaxFeed(
    {
      onopentag: (tag) => builder!.open(tag),
      onclosetag: () => {
        builder!.close();
      },
      ontext: (text) => builder!.text(text),
      oncdata: (text) => builder!.text(text),
    },
    {
      ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
      ...(options.encoding === undefined ? {} : { encoding: options.encoding }),
    },
  );
  builder = new XmlTreeBuilder(
    scope,
    () => feed.tagStartOffset(),
    options.maxDepth ?? DEFAULT_LIMITS.maxDepth,
    options.maxTextLength ?? DEFAULT_LIMITS.maxTextLength,
  );
  feed.write(input);
  if (builder.depth > 0 || builder.root === undefined) {
    const offset = feed.text.offset;
    // Let the decoder report a cut character first: it is the more precise problem.
    feed.text.end();
    if (feed.text.error) throw feed.text.error;
    throw new BatchwireError(
      'TRUNCATED',
      builder.root === undefined && builder.depth === 0
        ? 'the document has no root element'
        : 'the document ends inside an element',
      offset,
    );
  }
  feed.end();
  return builder.root;
}
