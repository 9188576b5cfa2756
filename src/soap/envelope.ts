// The message array as a state machine over the XML feed's events: which element at which depth
// is what, and the typed record each envelope becomes. Depth is the whole state machine's
// backbone, so each level has a name:
//   1 ROOT      <HPCPack2008_WebAPI_MessageArray>  (any name)
//   2 ENVELOPE  <s:Envelope>
//   3 PART      <s:Header> or <s:Body>
//   4 BLOCK     a header block (<a:Action>), or the body element (<AddResponse>, <s:Fault>)
//   5 CONTENT   the body element's children (<AddResult>), and everything deeper
import { END_OF_GET_RESPONSE_ACTION, endOfResponses, parseCount } from '../core/end-of-responses.js';
import { BatchwireError } from '../core/errors.js';
import { localName } from '../core/namespaces.js';
import { detach, ElementText, type NamespaceBinding, type XmlFeed, type XmlHandlers } from '../core/xml.js';
import { type DetailSink, SoapFaultReader } from './fault.js';
import { HeaderFields, headerField, SOAP11_NAMESPACE, SOAP12_NAMESPACE } from './header.js';
import { InnerXmlCapture, type NamespaceMap } from './inner-xml.js';
import type { SoapBody, SoapFaultMessage, SoapMessage, SoapRecord } from './types.js';

const ROOT = 1;
const ENVELOPE = 2;
const PART = 3;
const BLOCK = 4;
const CONTENT = 5;

// The envelope part being read.
const IN_NONE = 0;
const IN_HEADER = 1;
const IN_BODY = 2;

// What the text of a body child is for.
const CHILD_OTHER = 0;
const CHILD_RESULT = 1; // ...Result: the reply's return value
const CHILD_COUNT = 2; // Count, of EndOfResponses
const CHILD_REASON = 3; // Reason, of EndOfResponses

function childKind(name: string): number {
  if (name.endsWith('Result')) return CHILD_RESULT;
  if (name === 'Count' || name.endsWith(':Count')) return CHILD_COUNT;
  if (name === 'Reason' || name.endsWith(':Reason')) return CHILD_REASON;
  return CHILD_OTHER;
}

// The most input units one character can take: 1 in a string, 2 in UTF-16, 3 in UTF-8.
function unitsPerCharacter(feed: XmlFeed): number {
  const encoding = feed.encoding;
  return encoding === 'utf-8' ? 3 : encoding === 'text' ? 1 : 2;
}

/** Limits and switches of the state machine. */
export interface MessageArrayLimits {
  maxMessageBytes: number;
  maxTextLength: number;
  verifyCount: boolean;
}

/**
 * Turns the feed's events into records, envelope by envelope. Holds only the envelope being read.
 */
export class MessageArrayMachine implements XmlHandlers {
  /** Records completed and not yet handed out. */
  out: SoapRecord[] = [];
  /** The EndOfGetResponse envelope has been read. */
  closed = false;
  /** Messages and faults delivered so far. */
  received = 0;

  // The text of the header field or body child being read.
  private readonly value: ElementText;
  private readonly fields = new HeaderFields();
  private readonly body: InnerXmlCapture;
  private readonly detail: InnerXmlCapture;
  private readonly detailSink: DetailSink;

  // The envelope being read: the position of its `<` (-1 between envelopes), its input offset
  // once measured (-1 until then), and its namespace (SOAP 1.2 or 1.1).
  envStart = -1;
  private envOffset = -1;
  private envNamespace = '';
  private part = IN_NONE;
  private sawBody = false;
  // The header field whose text is read, or -1.
  private field = -1;
  // The body element.
  private bodyName: string | undefined;
  private bodyNamespace = '';
  private bodyXml: string | undefined;
  private bodyNamespaces: NamespaceMap | undefined;
  private fault: SoapFaultReader | undefined;
  private detailXml: string | undefined;
  private detailNamespaces: NamespaceMap | undefined;
  // The body child being read, and what the children said.
  private child = CHILD_OTHER;
  private childComplex = false;
  private results = 0;
  private result: string | undefined;
  private count: string | undefined;
  private reason: string | undefined;

  constructor(
    private readonly feed: XmlFeed,
    private readonly limits: MessageArrayLimits,
  ) {
    feed.handle(this);
    this.value = new ElementText(feed, limits.maxTextLength);
    this.body = new InnerXmlCapture(feed);
    const detail = new InnerXmlCapture(feed);
    this.detail = detail;
    this.detailSink = {
      begin: (depth) => {
        if (this.feed.selfClosing) {
          this.detailXml = '';
          this.detailNamespaces = {};
        } else detail.begin(depth);
      },
      open: (_name, _depth, binding) => detail.open(binding),
      close: () => {},
      text: () => {},
      end: () => {
        if (this.detailXml !== undefined) return;
        this.detailXml = detail.finish(this.feed.tagStart());
        this.detailNamespaces = detail.namespaces();
      },
    };
  }

  open(name: string, depth: number, binding: NamespaceBinding | undefined): void {
    if (depth >= CONTENT) {
      // Body content: the hot path. Header block content needs nothing (the feed checked it).
      if (this.part !== IN_BODY) return;
      if (this.fault !== undefined) this.fault.open(name, depth, binding);
      else this.openBodyContent(name, depth, binding);
      return;
    }
    switch (depth) {
      case BLOCK:
        if (this.part === IN_HEADER) this.openHeaderBlock(name, binding);
        else this.openBodyElement(name, binding);
        return;
      case PART:
        this.openPart(name, binding);
        return;
      case ENVELOPE:
        this.openEnvelope(name, binding);
        return;
      case ROOT:
        // Any name: the docs and the runtime disagree on it, and the .NET client ignores it.
        return;
    }
  }

  close(name: string, depth: number): void {
    if (depth >= CONTENT) {
      if (this.part !== IN_BODY) return;
      if (this.fault !== undefined) this.fault.close(name, depth);
      else if (depth === CONTENT) this.closeBodyChild();
      return;
    }
    switch (depth) {
      case BLOCK:
        if (this.part === IN_HEADER) {
          if (this.field >= 0) this.fields.values[this.field] = this.value.take();
          this.field = -1;
        } else this.closeBodyElement();
        return;
      case PART:
        this.part = IN_NONE;
        return;
      case ENVELOPE:
        this.closeEnvelope();
        return;
    }
  }

  text(text: string): void {
    if (this.fault !== undefined) this.fault.addText(text);
    else this.value.add(text);
  }

  /** After each slice: what is being buffered stays within maxMessageBytes. */
  slice(): void {
    const feed = this.feed;
    if (this.envStart >= 0) {
      this.checkSize(feed.position);
      return;
    }
    // Outside envelopes the scanner bounds names and values, but not the attributes of one start tag.
    const start = feed.openTagStart();
    if (start < 0) return;
    const max = this.limits.maxMessageBytes;
    const chars = feed.position - start;
    if (chars <= max && chars * unitsPerCharacter(feed) <= max) return;
    const offset = feed.offsetAt(start);
    if (chars > max || feed.offsetAt(feed.position) - offset > max) {
      throw new BatchwireError(
        'LIMIT_EXCEEDED',
        `a start tag is longer than maxMessageBytes (${max})`,
        offset,
      );
    }
  }

  /** At the end of a decoded piece: keep the raw text of the element being captured. */
  piece(): void {
    this.body.piece();
    this.detail.piece();
    // Measured now, while the piece holding the envelope's start is at hand.
    if (this.envStart >= 0 && this.envOffset < 0) this.envOffset = this.feed.offsetAt(this.envStart);
  }

  /** Input offset of the envelope being read. */
  envelopeOffset(): number {
    if (this.envOffset < 0) this.envOffset = this.feed.offsetAt(this.envStart);
    return this.envOffset;
  }

  /** Drops the envelope being read (after a problem). */
  reset(): void {
    this.envStart = -1;
    this.envOffset = -1;
    this.part = IN_NONE;
    this.sawBody = false;
    this.fields.clear();
    this.field = -1;
    this.value.stop();
    this.bodyName = undefined;
    this.bodyXml = undefined;
    this.bodyNamespaces = undefined;
    this.body.reset();
    this.detail.reset();
    this.fault = undefined;
    this.detailXml = undefined;
    this.detailNamespaces = undefined;
    this.child = CHILD_OTHER;
    this.childComplex = false;
    this.results = 0;
    this.result = undefined;
    this.count = undefined;
    this.reason = undefined;
  }

  private openEnvelope(name: string, binding: NamespaceBinding | undefined): void {
    const namespace = binding?.uri;
    if (
      (namespace !== SOAP12_NAMESPACE && namespace !== SOAP11_NAMESPACE) ||
      localName(name) !== 'Envelope'
    ) {
      throw this.feed.tagError(
        'MALFORMED_RECORD',
        `the message array holds a ${JSON.stringify(name.slice(0, 80))} element where a SOAP Envelope belongs`,
      );
    }
    if (this.closed)
      throw this.feed.tagError('TRAILING_DATA', 'an envelope follows the EndOfGetResponse envelope');
    this.envStart = this.feed.tagStart();
    this.envOffset = -1;
    this.envNamespace = namespace;
  }

  private openPart(name: string, binding: NamespaceBinding | undefined): void {
    const local = binding?.uri === this.envNamespace ? localName(name) : '';
    if (local === 'Header' && this.part === IN_NONE && !this.sawBody) this.part = IN_HEADER;
    else if (local === 'Body' && !this.sawBody) {
      this.part = IN_BODY;
      this.sawBody = true;
    } else {
      throw this.feed.tagError(
        'MALFORMED_RECORD',
        `unexpected ${JSON.stringify(name.slice(0, 80))} in a SOAP Envelope (expected one Header, then one Body)`,
      );
    }
  }

  private openHeaderBlock(name: string, binding: NamespaceBinding | undefined): void {
    this.field = headerField(binding, name);
    if (this.field >= 0) this.value.start(BLOCK);
  }

  private openBodyElement(name: string, binding: NamespaceBinding | undefined): void {
    if (this.bodyName !== undefined) {
      throw this.feed.tagError('MALFORMED_RECORD', 'a SOAP Body holds more than one element');
    }
    const local = localName(name);
    this.bodyName = local;
    this.bodyNamespace = binding?.uri ?? '';
    if (local === 'Fault' && this.bodyNamespace === this.envNamespace) {
      this.fault = new SoapFaultReader(
        this.feed,
        BLOCK,
        this.envNamespace,
        this.detailSink,
        this.limits.maxTextLength,
      );
    } else if (this.feed.selfClosing) {
      this.bodyXml = '';
      this.bodyNamespaces = {};
    } else this.body.begin(BLOCK);
  }

  private openBodyContent(name: string, depth: number, binding: NamespaceBinding | undefined): void {
    if (depth === CONTENT) {
      this.child = childKind(name);
      this.childComplex = false;
      if (this.child !== CHILD_OTHER) this.value.start(CONTENT);
    } else if (depth === CONTENT + 1 && !this.childComplex) {
      // The child holds elements: it has no text value.
      this.childComplex = true;
      this.value.stop();
    }
    this.body.open(binding);
  }

  private closeBodyChild(): void {
    const kind = this.child;
    if (kind === CHILD_OTHER) return;
    const text = this.childComplex ? undefined : this.value.take();
    if (kind === CHILD_RESULT) {
      this.results++;
      this.result = text;
    } else if (kind === CHILD_COUNT) this.count = text;
    else this.reason = text;
  }

  private closeBodyElement(): void {
    if (this.fault !== undefined || this.feed.selfClosing) return;
    this.bodyXml = this.body.finish(this.feed.tagStart());
    this.bodyNamespaces = this.body.namespaces();
  }

  private closeEnvelope(): void {
    const feed = this.feed;
    const position = feed.position;
    this.checkSize(position);
    const fields = this.fields;
    const action = fields.action;
    let record: SoapRecord;
    if (action !== undefined && action.trim() === END_OF_GET_RESPONSE_ACTION) {
      if (this.count === undefined) {
        throw new BatchwireError(
          'MALFORMED_RECORD',
          'the EndOfGetResponse envelope has no Count',
          this.envelopeOffset(),
        );
      }
      const count = parseCount(this.count, this.envelopeOffset());
      record = endOfResponses(
        count,
        this.reason ?? '',
        this.received,
        this.limits.verifyCount,
        this.envelopeOffset(),
      );
      this.closed = true;
    } else if (this.fault !== undefined) {
      record = this.faultMessage(this.fault);
      this.received++;
    } else {
      record = this.responseMessage();
      this.received++;
    }
    this.out.push(record);
    this.reset();
  }

  /** Checks the size of the envelope up to `position` against maxMessageBytes, in input units. */
  checkSize(position: number): void {
    const max = this.limits.maxMessageBytes;
    const chars = position - this.envStart;
    // Measure bytes only in doubt: a character is at least one input unit, and at most three.
    if (chars <= max && chars * unitsPerCharacter(this.feed) <= max) return;
    if (chars > max || this.feed.offsetAt(position) - this.envelopeOffset() > max) {
      throw new BatchwireError(
        'LIMIT_EXCEEDED',
        `an envelope is longer than maxMessageBytes (${max})`,
        this.envelopeOffset(),
      );
    }
  }

  private responseMessage(): SoapMessage {
    const fields = this.fields;
    const action = fields.action;
    if (this.bodyXml === undefined) {
      throw new BatchwireError(
        'MALFORMED_RECORD',
        'a SOAP Envelope without a Body element',
        this.envelopeOffset(),
      );
    }
    if (action === undefined) {
      throw new BatchwireError(
        'MALFORMED_RECORD',
        'a SOAP Envelope without a WS-Addressing Action header',
        this.envelopeOffset(),
      );
    }
    const body: SoapBody = {
      name: detach(this.bodyName!),
      namespace: this.feed.handOut(this.bodyNamespace),
      xml: this.bodyXml,
      namespaces: this.bodyNamespaces ?? {},
    };
    if (this.results === 1 && this.result !== undefined) body.result = this.result;
    const message: SoapMessage = { kind: 'response', action, body };
    // Named stores, one per field: a generic setter here would be a megamorphic keyed store.
    const relatesTo = fields.relatesTo;
    if (relatesTo !== undefined) message.relatesTo = relatesTo;
    const messageId = fields.messageId;
    if (messageId !== undefined) message.messageId = messageId;
    const to = fields.to;
    if (to !== undefined) message.to = to;
    const requestAction = fields.requestAction;
    if (requestAction !== undefined) message.requestAction = requestAction;
    const userData = fields.userData;
    if (userData !== undefined) message.userData = userData;
    const clientId = fields.clientId;
    if (clientId !== undefined) message.clientId = clientId;
    return message;
  }

  private faultMessage(reader: SoapFaultReader): SoapFaultMessage {
    const code = reader.faultCode();
    if (code === undefined) {
      throw new BatchwireError(
        'MALFORMED_RECORD',
        'a SOAP Fault without a fault code',
        this.envelopeOffset(),
      );
    }
    const fault: SoapFaultMessage = { kind: 'fault', ...code, reason: reader.reason ?? '' };
    const fields = this.fields;
    if (fields.action !== undefined) fault.action = fields.action;
    if (reader.hasDetail) {
      fault.detail = this.detailXml ?? '';
      fault.detailNamespaces = this.detailNamespaces ?? {};
    }
    if (fields.relatesTo !== undefined) fault.relatesTo = fields.relatesTo;
    if (fields.userData !== undefined) fault.userData = fields.userData;
    return fault;
  }
}
