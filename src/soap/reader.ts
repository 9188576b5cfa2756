import sax from 'sax';
import { END_OF_GET_RESPONSE_ACTION, endOfResponses, parseCount } from '../core/end-of-responses.js';
import { BatchwireError, toBatchwireError } from '../core/errors.js';
import { DEFAULT_LIMITS, MAX_STRING_LENGTH } from '../core/limits.js';
import type { Chunk, PushDecoder } from '../core/source.js';
import { NamespaceScope, SaxFeed, splitName, type XmlElement, XmlTreeBuilder } from '../core/xml.js';
import { escapeAttribute } from './escape.js';
import type { SoapBody, SoapFaultMessage, SoapMessage, SoapReadOptions, SoapRecord } from './types.js';

/** SOAP 1.2 envelope namespace. */
export const SOAP12_NAMESPACE = 'http://www.w3.org/2003/05/soap-envelope';
/** SOAP 1.1 envelope namespace (some stacks answer faults in it). */
export const SOAP11_NAMESPACE = 'http://schemas.xmlsoap.org/soap/envelope/';
/** WS-Addressing 1.0 namespace. */
export const WSA_NAMESPACE = 'http://www.w3.org/2005/08/addressing';
// The 2004/08 submission, which older WCF bindings still write.
const WSA2004_NAMESPACE = 'http://schemas.xmlsoap.org/ws/2004/08/addressing';
/** The namespace of the HPC broker's header elements. */
export const HPC_NAMESPACE = 'http://www.microsoft.com/hpc';

// Header fields, by index into Message.fields.
const F_ACTION = 0;
const F_RELATES_TO = 1;
const F_MESSAGE_ID = 2;
const F_TO = 3;
const F_REQUEST_ACTION = 4;
const F_USER_DATA = 5;
const F_CLIENT_ID = 6;
const F_HPC_MESSAGE_ID = 7;
const FIELD_COUNT = 8;

const WSA_FIELDS = new Map<string, number>([
  ['Action', F_ACTION],
  ['RelatesTo', F_RELATES_TO],
  ['MessageID', F_MESSAGE_ID],
  ['To', F_TO],
]);
// The documentation writes HPCPack2008_, the runtime HPCServer2008_: read both.
const HPC_FIELDS = new Map<string, number>();
for (const flavour of ['HPCPack2008_Broker_', 'HPCServer2008_Broker_']) {
  HPC_FIELDS.set(`${flavour}RequestActionNS`, F_REQUEST_ACTION);
  HPC_FIELDS.set(`${flavour}UserDataNS`, F_USER_DATA);
  HPC_FIELDS.set(`${flavour}ClientIdNS`, F_CLIENT_ID);
  HPC_FIELDS.set(`${flavour}MessageIdNS`, F_HPC_MESSAGE_ID);
}

function headerField(namespace: string, local: string): number {
  if (namespace === WSA_NAMESPACE || namespace === WSA2004_NAMESPACE) return WSA_FIELDS.get(local) ?? -1;
  if (namespace === HPC_NAMESPACE) return HPC_FIELDS.get(local) ?? -1;
  return -1;
}

// sax states in which nothing accumulates without sax's own bound.
// (@types/sax does not declare STATE or parser.state, which sax has had since 0.x.)
const STATE = (sax as unknown as { STATE: Record<string, number> }).STATE;
const TEXT = STATE.TEXT;
const TEXT_ENTITY = STATE.TEXT_ENTITY;
const BEGIN_WHITESPACE = STATE.BEGIN_WHITESPACE;

// Sections of an envelope.
const S_NONE = 0;
const S_HEADER = 1; // inside <s:Header>
const S_BODY = 2; // inside <s:Body>

/**
 * The inner XML of one element, kept as positions into the raw text plus the namespace
 * declarations to add to top-level children (those they use but inherit from outside).
 * Reused from message to message: the arrays are filled up to a count, never reallocated.
 */
interface InnerXml {
  /** Depth of the element whose content this is. */
  depth: number;
  /** sax position just after the element's start tag. */
  start: number;
  /** Top-level children seen so far. */
  children: number;
  /** Insertions, one per child that needs declarations: position after its `<`, its name length, the declarations. */
  inserts: number;
  at: number[];
  nameLengths: number[];
  declarations: string[];
  // The current top-level child: its position after `<`, name length, scope size before its own
  // declarations, and the inherited prefixes it uses (the first `used` of `childUsed`).
  childAt: number;
  childNameLength: number;
  childLimit: number;
  childUsed: string[];
  used: number;
  // The last element prefix checked, and the scope version then: most elements repeat it.
  lastPrefix: string | undefined;
  lastVersion: number;
}

function innerXml(): InnerXml {
  return {
    depth: 0,
    start: 0,
    children: 0,
    inserts: 0,
    at: [],
    nameLengths: [],
    declarations: [],
    childAt: 0,
    childNameLength: 0,
    childLimit: 0,
    childUsed: [],
    used: 0,
    lastPrefix: undefined,
    lastVersion: -1,
  };
}

function resetInner(inner: InnerXml, depth: number, start: number): InnerXml {
  inner.depth = depth;
  inner.start = start;
  inner.children = 0;
  inner.inserts = 0;
  inner.used = 0;
  inner.lastPrefix = undefined;
  inner.lastVersion = -1;
  return inner;
}

function isXmlSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

function malformed(message: string, offset: number): BatchwireError {
  return new BatchwireError('MALFORMED_RECORD', message, offset);
}

/**
 * The push reader of a SOAP message array (a Get Responses body of a non-generic service, or a
 * Send Requests body): feed it chunks, get each envelope as a typed record as soon as its end
 * tag has been read. Memory is bounded by one envelope: only the current envelope's header
 * values and body text are kept, and dropped once its record is out.
 *
 * Namespaces are matched by URI, so any prefix or default namespace works; the root element may
 * have any name; both `HPCPack2008_` and `HPCServer2008_` broker headers are read. The
 * `http://hpc.microsoft.com/EndOfGetResponse` envelope gives the `{ kind: 'end' }` record.
 *
 * `write` and `end` return the records their input completed. A problem found after some records
 * in the same call is thrown by the next call, so no record is lost; after a problem every call
 * throws it again.
 *
 * @throws {@link BatchwireError} `XML_SYNTAX`, `DOCTYPE_FORBIDDEN`, `LIMIT_EXCEEDED`, `TRUNCATED`,
 *   `COUNT_MISMATCH`, `MALFORMED_RECORD`, `TRAILING_DATA`, `INVALID_ENCODING`
 *
 * @example
 * ```ts
 * import { MessageArrayReader } from 'batchwire/soap';
 * const reader = new MessageArrayReader({ contentType: response.headers.get('content-type') ?? undefined });
 * for await (const chunk of response.body!) for (const record of reader.write(chunk)) handle(record);
 * for (const record of reader.end()) handle(record);
 * ```
 */
export class MessageArrayReader implements PushDecoder<SoapRecord> {
  private readonly feed: SaxFeed;
  private readonly parser: sax.SAXParser;
  private readonly scope = new NamespaceScope();
  private readonly maxDepth: number;
  private readonly maxMessage: number;
  private readonly maxText: number;
  private readonly verifyCount: boolean;
  private readonly requireEnd: boolean;

  private out: SoapRecord[] = [];
  private failure: BatchwireError | undefined;
  private ended = false;
  private depth = 0;
  // Scope size before each open element's declarations, by depth.
  private readonly marks: number[] = [0];
  private rootClosed = false;
  private closed = false; // the end record has been read
  private received = 0;

  // The envelope being read.
  private envStart = -1;
  private envOffset = -1;
  private envNamespace = '';
  private section = S_NONE;
  private sawBody = false;
  private fields: (string | undefined)[] = new Array(FIELD_COUNT);
  private field = -1; // the header field being read
  // Text of the element at textDepth (a header field or a body child), in pieces.
  private textDepth = -1;
  // Usually one piece (sax joins a text node itself unless a chunk or CDATA splits it).
  private textFirst = '';
  private textRest: string[] | undefined;
  private textLength = 0;
  // The body element and its content.
  private bodyName = '';
  private bodyNamespace = '';
  private bodySelfClosing = false;
  private bodyXml: string | undefined;
  private inner: InnerXml | undefined;
  private readonly bodyInner = innerXml();
  private detail: InnerXml | undefined;
  private detailXml: string | undefined;
  private detailOpen = false;
  private rawPieces: string[] = [];
  private rawLength = 0;
  // Top-level children of the body: ...Result candidates, and Count/Reason of the end record.
  private childLocal = '';
  private childComplex = false;
  private resultCount = 0;
  private result: string | undefined;
  private count: string | undefined;
  private reason: string | undefined;
  // A fault body is read as a small tree.
  private fault: XmlTreeBuilder | undefined;
  private faultRoot: XmlElement | undefined;

  constructor(options: SoapReadOptions = {}) {
    this.maxDepth = options.maxDepth ?? DEFAULT_LIMITS.maxDepth;
    this.maxMessage = options.maxMessageBytes ?? DEFAULT_LIMITS.maxMessageBytes;
    this.maxText = options.maxTextLength ?? DEFAULT_LIMITS.maxTextLength;
    this.verifyCount = options.verifyCount ?? true;
    this.requireEnd = options.requireEnd ?? true;
    this.feed = new SaxFeed(
      {
        onopentag: (tag) => this.open(tag),
        onclosetag: () => this.close(),
        ontext: (text) => this.text(text),
        oncdata: (text) => this.text(text),
        onchunkend: () => this.chunkEnd(),
      },
      {
        ...(options.encoding === undefined ? {} : { encoding: options.encoding }),
        ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
      },
    );
    this.parser = this.feed.parser;
  }

  /** Reads one chunk; returns the records it completed. */
  write(chunk: Chunk): SoapRecord[] {
    this.check();
    this.out = [];
    try {
      this.feed.write(chunk);
    } catch (error) {
      return this.fail(error);
    }
    return this.take();
  }

  /** Ends the input; returns the last records, or throws if the array is incomplete. */
  end(): SoapRecord[] {
    this.check();
    this.ended = true;
    this.out = [];
    try {
      this.finish();
    } catch (error) {
      return this.fail(error);
    }
    return this.take();
  }

  private finish(): void {
    const text = this.feed.text;
    if (!this.rootClosed) {
      // A character cut at the very end is the more precise problem: report it first.
      const offset = text.offset;
      text.end();
      if (text.error) throw text.error;
      const where =
        this.depth === 0
          ? 'before the message array began'
          : `inside ${this.depth >= 2 ? 'an envelope' : 'the message array'}`;
      throw new BatchwireError(
        'TRUNCATED',
        `input ends ${where} (after ${this.received} message${this.received === 1 ? '' : 's'})`,
        offset,
      );
    }
    this.feed.end();
    if (this.requireEnd && !this.closed) {
      throw new BatchwireError(
        'TRUNCATED',
        `the message array ends without its EndOfGetResponse envelope (after ${this.received} messages)`,
        text.offset,
      );
    }
  }

  private take(): SoapRecord[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  private check(): void {
    if (this.failure) throw this.failure;
    if (this.ended) throw new BatchwireError('INVALID_ARGUMENT', 'the reader has ended; create a new one', 0);
  }

  // Records completed before a problem are returned now; the problem is thrown by the next call.
  private fail(error: unknown): SoapRecord[] {
    const failure = toBatchwireError(error, this.feed.text.offset);
    this.failure = failure;
    // Drop what the broken envelope held.
    this.resetMessage();
    const out = this.take();
    if (out.length === 0) throw failure;
    return out;
  }

  private offset = (): number => this.feed.tagStartOffset();

  private open(tag: sax.Tag): void {
    const depth = ++this.depth;
    if (depth > this.maxDepth) {
      throw new BatchwireError(
        'LIMIT_EXCEEDED',
        `elements nest deeper than maxDepth (${this.maxDepth})`,
        this.offset(),
      );
    }
    const scope = this.scope;
    this.marks[depth] = scope.size;
    if (this.fault !== undefined) {
      // The tree builder declares and resolves namespaces itself.
      this.fault.open(tag);
      if (depth === 5) this.openFaultChild(tag);
      else if (this.detailOpen) this.track(this.detail!, tag, depth, 1);
      return;
    }
    const attributes = scope.declareAttributes(tag.attributes, this.offset);
    if (depth >= 5) {
      // Body content: the hot path. Only prefix bookkeeping and the direct text of children.
      if (this.section !== S_BODY) {
        this.openHeaderContent(tag);
        return;
      }
      if (depth === 5) {
        this.childLocal = tag.name;
        this.childComplex = false;
        this.clearText();
        this.textDepth = 5;
      } else if (depth === 6) this.childComplex = true;
      this.track(this.inner!, tag, depth, attributes);
      return;
    }
    this.openEnvelopePart(tag, depth);
  }

  private openHeaderContent(tag: sax.Tag): void {
    // Inside a header block: only check that prefixes are bound.
    const colon = tag.name.indexOf(':');
    const prefix = colon < 0 ? '' : tag.name.slice(0, colon);
    if (scopeUnbound(this.scope, prefix)) throw this.unbound(prefix);
  }

  private openEnvelopePart(tag: sax.Tag, depth: number): void {
    const name = tag.name;
    const colon = name.indexOf(':');
    const prefix = colon < 0 ? '' : name.slice(0, colon);
    const local = colon < 0 ? name : name.slice(colon + 1);
    const namespace = this.scope.resolve(prefix);
    if (namespace === undefined) throw this.unbound(prefix);
    if (depth === 1) {
      if (this.rootClosed) {
        throw new BatchwireError(
          'XML_SYNTAX',
          'a second root element follows the message array',
          this.offset(),
        );
      }
      return;
    }
    if (depth === 2) {
      if (local !== 'Envelope' || (namespace !== SOAP12_NAMESPACE && namespace !== SOAP11_NAMESPACE)) {
        throw malformed(
          `the message array holds a ${JSON.stringify(tag.name)} element where a SOAP Envelope belongs`,
          this.offset(),
        );
      }
      if (this.closed) {
        throw new BatchwireError(
          'TRAILING_DATA',
          'an envelope follows the EndOfGetResponse envelope',
          this.offset(),
        );
      }
      this.envStart = this.parser.startTagPosition - 1;
      this.envOffset = -1;
      this.envNamespace = namespace;
      return;
    }
    if (depth === 3) {
      if (namespace === this.envNamespace && local === 'Header' && this.section === S_NONE && !this.sawBody) {
        this.section = S_HEADER;
      } else if (namespace === this.envNamespace && local === 'Body' && !this.sawBody) {
        this.section = S_BODY;
        this.sawBody = true;
      } else {
        throw malformed(
          `unexpected ${JSON.stringify(tag.name)} in a SOAP Envelope (expected one Header, then one Body)`,
          this.offset(),
        );
      }
      return;
    }
    // depth 4: a header block or the body element.
    if (this.section === S_HEADER) {
      this.field = headerField(namespace, local);
      if (this.field >= 0) {
        this.textDepth = 4;
        this.clearText();
      }
      return;
    }
    if (this.inner !== undefined || this.faultRoot !== undefined) {
      throw malformed('a SOAP Body holds more than one element', this.offset());
    }
    this.bodyName = local;
    this.bodyNamespace = namespace;
    this.bodySelfClosing = tag.isSelfClosing;
    this.inner = resetInner(this.bodyInner, 4, this.parser.position);
    if (local === 'Fault' && namespace === this.envNamespace) {
      // Undo this element's declarations: the tree builder makes them again.
      this.scope.truncate(this.marks[4]!);
      this.fault = new XmlTreeBuilder(this.scope, this.offset, Number.MAX_SAFE_INTEGER, this.maxText);
      this.fault.open(tag);
    }
  }

  private openFaultChild(tag: sax.Tag): void {
    const { local } = splitName(tag.name);
    if ((local === 'Detail' || local === 'detail') && this.detail === undefined) {
      this.detail = resetInner(innerXml(), 5, this.parser.position);
      this.detailOpen = true;
      if (tag.isSelfClosing) this.detailXml = '';
    }
  }

  /** Records the inherited prefixes that a top-level child of `inner` (or its content) uses. */
  private track(inner: InnerXml, tag: sax.Tag, depth: number, attributes: number): void {
    const scope = this.scope;
    if (depth === inner.depth + 1) {
      inner.children++;
      inner.childAt = this.parser.startTagPosition;
      inner.childNameLength = tag.name.length;
      inner.childLimit = this.marks[depth]!;
      inner.used = 0;
      inner.lastPrefix = undefined;
    } else if (inner.children === 0) return;
    const name = tag.name;
    const colon = name.indexOf(':');
    const prefix = colon < 0 ? '' : name.slice(0, colon);
    // Same prefix, same bindings: the answer cannot have changed.
    if (prefix !== inner.lastPrefix || scope.version !== inner.lastVersion) {
      this.use(inner, prefix, scope);
      inner.lastPrefix = prefix;
      inner.lastVersion = scope.version;
    }
    if (attributes === 0) {
      if (depth === inner.depth + 1 && tag.isSelfClosing) this.closeChild(inner);
      return;
    }
    for (const key in tag.attributes) {
      const c = key.indexOf(':');
      if (c < 0) continue;
      const prefix = key.slice(0, c);
      if (prefix === 'xmlns') continue;
      this.use(inner, prefix, scope);
      // xsi:type="p:Type" names a type by a prefix too.
      if (key.endsWith(':type')) {
        const value = tag.attributes[key]!;
        const vc = value.indexOf(':');
        if (vc > 0 && scope.indexOf(value.slice(0, vc)) >= 0) this.use(inner, value.slice(0, vc), scope);
      }
    }
    if (depth === inner.depth + 1 && tag.isSelfClosing) this.closeChild(inner);
  }

  private use(inner: InnerXml, prefix: string, scope: NamespaceScope): void {
    const i = scope.indexOf(prefix);
    if (i < 0) {
      if (prefix !== '' && prefix !== 'xml') throw this.unbound(prefix);
      return;
    }
    if (i >= inner.childLimit) return;
    const used = inner.childUsed;
    for (let k = 0; k < inner.used; k++) if (used[k] === prefix) return;
    if (prefix === '' && scope.uris[i] === '') return;
    used[inner.used++] = prefix;
  }

  // At the end of a top-level child: the declarations it needs to stand alone.
  private closeChild(inner: InnerXml): void {
    if (inner.used === 0) return;
    const used = inner.childUsed;
    let declarations = '';
    for (let k = 0; k < inner.used; k++) {
      const prefix = used[k]!;
      const uri = this.scope.uris[this.scope.indexOf(prefix, inner.childLimit)]!;
      declarations += `${prefix === '' ? ' xmlns' : ` xmlns:${prefix}`}="${escapeAttribute(uri)}"`;
    }
    const n = inner.inserts++;
    inner.at[n] = inner.childAt;
    inner.nameLengths[n] = inner.childNameLength;
    inner.declarations[n] = declarations;
    inner.used = 0;
  }

  private text(text: string): void {
    if (this.depth === this.textDepth) {
      this.textLength += text.length;
      if (this.textLength > this.maxText) {
        throw new BatchwireError(
          'LIMIT_EXCEEDED',
          `a text node is longer than maxTextLength (${this.maxText})`,
          this.feed.currentOffset(),
        );
      }
      if (this.textLength === text.length) this.textFirst = text;
      else if (this.textRest === undefined) this.textRest = [text];
      else this.textRest.push(text);
    } else if (this.fault !== undefined && this.depth >= 4) this.fault.text(text);
  }

  private takeText(): string {
    const rest = this.textRest;
    const text =
      this.textLength === 0 ? '' : rest === undefined ? this.textFirst : this.textFirst + rest.join('');
    this.clearText();
    return text;
  }

  private clearText(): void {
    this.textFirst = '';
    this.textRest = undefined;
    this.textLength = 0;
  }

  private close(): void {
    const depth = this.depth--;
    if (depth >= 5) {
      if (this.fault !== undefined) {
        this.fault.close();
        if (depth === 6 && this.detailOpen) this.closeChild(this.detail!);
        else if (depth === 5 && this.detailOpen) {
          this.detailOpen = false;
          this.detailXml ??= this.sliceInner(this.detail!, this.parser.startTagPosition - 1, false);
        }
      } else if (depth === 5 && this.section === S_BODY) {
        this.closeChild(this.inner!);
        this.closeBodyChild();
      }
      this.scope.truncate(this.marks[depth]!);
      return;
    }
    switch (depth) {
      case 4:
        if (this.section === S_HEADER) {
          if (this.field >= 0) this.fields[this.field] = this.takeText();
          this.field = -1;
          this.textDepth = -1;
        } else this.closeBody();
        break;
      case 3:
        this.section = S_NONE;
        break;
      case 2:
        this.closeEnvelope();
        break;
      case 1:
        this.rootClosed = true;
        break;
    }
    this.scope.truncate(this.marks[depth]!);
  }

  private closeBodyChild(): void {
    const name = this.childLocal;
    const local = name.slice(name.indexOf(':') + 1);
    const text = this.childComplex ? undefined : this.takeText();
    this.textDepth = -1;
    if (local.endsWith('Result')) {
      this.resultCount++;
      this.result = text;
    } else if (local === 'Count') this.count = text;
    else if (local === 'Reason') this.reason = text;
  }

  private closeBody(): void {
    if (this.fault !== undefined) {
      this.faultRoot = this.fault.close();
      this.fault = undefined;
    } else {
      this.bodyXml = this.bodySelfClosing
        ? ''
        : this.sliceInner(this.inner!, this.parser.startTagPosition - 1, false);
    }
    if (this.rawPieces.length > 0) this.rawPieces = [];
    this.rawLength = 0;
  }

  /** The raw text of `inner` up to position `end`, with the inherited declarations added. */
  private sliceInner(inner: InnerXml, end: number, empty: boolean): string {
    if (empty) return '';
    const base = this.inner!.start;
    const feed = this.feed;
    const here = this.parser.position - feed.charBase;
    const from = Math.max(0, base - feed.charBase);
    const tail = feed.current.slice(from, here);
    if (this.rawLength + tail.length > MAX_STRING_LENGTH) {
      throw new BatchwireError(
        'LIMIT_EXCEEDED',
        'an envelope is longer than a JavaScript string can be',
        this.offset(),
      );
    }
    const raw = this.rawPieces.length === 0 ? tail : this.rawPieces.join('') + tail;
    const start = inner.start - base;
    const stop = end - base;
    if (inner.inserts === 0) return raw.slice(start, stop);
    const parts: string[] = [];
    let pos = start;
    for (let i = 0; i < inner.inserts; i++) {
      const declarations = inner.declarations[i]!;
      // sax allows blanks between `<` and the name; skip them to land after the name.
      let at = inner.at[i]! - base;
      while (isXmlSpace(raw.charCodeAt(at))) at++;
      at += inner.nameLengths[i]!;
      parts.push(raw.slice(pos, at), declarations);
      pos = at;
    }
    parts.push(raw.slice(pos, stop));
    return parts.join('');
  }

  // The envelope's input offset, measured only when needed (an error, or a chunk ending inside it).
  private envelopeOffset(): number {
    if (this.envOffset < 0) this.envOffset = this.feed.offsetAt(this.envStart);
    return this.envOffset;
  }

  private chunkEnd(): void {
    const feed = this.feed;
    if (this.envStart < 0) {
      // Outside envelopes sax bounds text and names, but not the attributes of one start tag.
      const state = (this.parser as unknown as { state: number }).state;
      const tag = feed.charBase + feed.current.length - this.parser.startTagPosition;
      if (tag > this.maxMessage && state !== TEXT && state !== TEXT_ENTITY && state !== BEGIN_WHITESPACE) {
        throw new BatchwireError(
          'LIMIT_EXCEEDED',
          `a start tag is longer than maxMessageBytes (${this.maxMessage} characters)`,
          feed.offsetAt(this.parser.startTagPosition - 1),
        );
      }
      return;
    }
    // Measured back from the chunk's end: only the envelope's part of the chunk is scanned.
    if (this.envOffset < 0) this.envOffset = feed.offsetBefore(this.envStart);
    const size = feed.charBase + feed.current.length - this.envStart;
    if (size > this.maxMessage) {
      throw new BatchwireError(
        'LIMIT_EXCEEDED',
        `an envelope is longer than maxMessageBytes (${this.maxMessage} characters)`,
        this.envelopeOffset(),
      );
    }
    if (this.inner !== undefined && this.bodyXml === undefined && this.faultRoot === undefined) {
      // Keep the body's raw text that this chunk holds, for slicing at its end tag.
      const piece = feed.current.slice(Math.max(0, this.inner.start - feed.charBase));
      this.rawPieces.push(piece);
      this.rawLength += piece.length;
    }
  }

  private closeEnvelope(): void {
    const position = this.parser.position;
    if (position - this.envStart > this.maxMessage) {
      throw new BatchwireError(
        'LIMIT_EXCEEDED',
        `an envelope is longer than maxMessageBytes (${this.maxMessage} characters)`,
        this.envelopeOffset(),
      );
    }
    const fields = this.fields;
    const action = fields[F_ACTION];
    if (action !== undefined && action.trim() === END_OF_GET_RESPONSE_ACTION) {
      if (this.count === undefined) {
        throw malformed('the EndOfGetResponse envelope has no Count', this.envelopeOffset());
      }
      const count = parseCount(this.count, this.envelopeOffset());
      this.out.push(
        endOfResponses(count, this.reason ?? '', this.received, this.verifyCount, this.envelopeOffset()),
      );
      this.closed = true;
    } else if (this.faultRoot !== undefined) {
      this.out.push(this.faultMessage(this.faultRoot, this.envelopeOffset()));
      this.received++;
    } else {
      if (this.bodyXml === undefined)
        throw malformed('a SOAP Envelope without a Body element', this.envelopeOffset());
      if (action === undefined)
        throw malformed('a SOAP Envelope without a WS-Addressing Action header', this.envelopeOffset());
      const body: SoapBody = { name: this.bodyName, namespace: this.bodyNamespace, xml: this.bodyXml };
      if (this.resultCount === 1 && this.result !== undefined) body.result = this.result;
      const message: SoapMessage = { kind: 'response', action, body };
      // Named stores, one per field: a generic setter here would be a megamorphic keyed store.
      const relatesTo = fields[F_RELATES_TO];
      if (relatesTo !== undefined) message.relatesTo = relatesTo;
      const messageId = fields[F_MESSAGE_ID] ?? fields[F_HPC_MESSAGE_ID];
      if (messageId !== undefined) message.messageId = messageId;
      const to = fields[F_TO];
      if (to !== undefined) message.to = to;
      const requestAction = fields[F_REQUEST_ACTION];
      if (requestAction !== undefined) message.requestAction = requestAction;
      const userData = fields[F_USER_DATA];
      if (userData !== undefined) message.userData = userData;
      const clientId = fields[F_CLIENT_ID];
      if (clientId !== undefined) message.clientId = clientId;
      this.out.push(message);
      this.received++;
    }
    this.resetMessage();
  }

  private faultMessage(root: XmlElement, offset: number): SoapFaultMessage {
    const ns = root.namespace;
    let code: string | undefined;
    const subcodes: string[] = [];
    let reason: string | undefined;
    let detail: string | undefined;
    for (const child of root.children) {
      if (child.namespace === ns) {
        // SOAP 1.2: Code/Value, Code/Subcode/Value..., Reason/Text, Detail.
        if (child.name === 'Code' && code === undefined) {
          code = faultValue(child, ns);
          let sub = childNamed(child, ns, 'Subcode');
          // An explicit loop: hostile nesting cannot overflow the stack.
          while (sub !== undefined) {
            const value = faultValue(sub, ns);
            if (value !== undefined) subcodes.push(value);
            sub = childNamed(sub, ns, 'Subcode');
          }
        } else if (child.name === 'Reason' && reason === undefined) {
          reason = childNamed(child, ns, 'Text')?.text;
        } else if (child.name === 'Detail') detail = this.detailXml ?? '';
      } else if (child.namespace === '') {
        // SOAP 1.1: faultcode, faultstring, detail.
        if (child.name === 'faultcode' && code === undefined) code = child.text;
        else if (child.name === 'faultstring' && reason === undefined) reason = child.text;
        else if (child.name === 'detail') detail = this.detailXml ?? '';
      }
    }
    if (code === undefined) throw malformed('a SOAP Fault without a fault code', offset);
    const fault: SoapFaultMessage = { kind: 'fault', code, subcodes, reason: reason ?? '' };
    const fields = this.fields;
    setOptional(fault, 'action', fields[F_ACTION]);
    setOptional(fault, 'detail', detail);
    setOptional(fault, 'relatesTo', fields[F_RELATES_TO]);
    setOptional(fault, 'userData', fields[F_USER_DATA]);
    return fault;
  }

  private resetMessage(): void {
    this.envStart = -1;
    this.section = S_NONE;
    this.sawBody = false;
    this.fields = new Array(FIELD_COUNT);
    this.field = -1;
    this.textDepth = -1;
    this.clearText();
    this.bodyXml = undefined;
    this.inner = undefined;
    this.detail = undefined;
    this.detailXml = undefined;
    this.detailOpen = false;
    this.rawPieces = [];
    this.rawLength = 0;
    this.resultCount = 0;
    this.result = undefined;
    this.count = undefined;
    this.reason = undefined;
    this.fault = undefined;
    this.faultRoot = undefined;
  }

  private unbound(prefix: string): BatchwireError {
    return new BatchwireError(
      'XML_SYNTAX',
      `unbound namespace prefix ${JSON.stringify(prefix)}`,
      this.offset(),
      this.feed.lineColumn(),
    );
  }
}

function scopeUnbound(scope: NamespaceScope, prefix: string): boolean {
  return prefix !== '' && prefix !== 'xml' && scope.indexOf(prefix) < 0;
}

function childNamed(element: XmlElement, namespace: string, name: string): XmlElement | undefined {
  for (const child of element.children)
    if (child.name === name && child.namespace === namespace) return child;
  return undefined;
}

function faultValue(element: XmlElement, namespace: string): string | undefined {
  return childNamed(element, namespace, 'Value')?.text;
}

function setOptional<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}
