// XML error bodies read in one streaming pass, with no tree: HpcWebServiceFault, the pre-2011
// serialized <string>, SessionFault, and SOAP 1.1/1.2 Fault envelopes (through the same fault
// reader as the message array reader, so both give one fault the same code). Memory is what the
// result holds, whatever the shape of the body.
import type { DecodedBody } from '../core/body.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { localName } from '../core/namespaces.js';
import { ElementText, type NamespaceBinding, XmlFeed, type XmlHandlers } from '../core/xml.js';
import { type DetailSink, isSoapNamespace, SoapFaultReader } from '../soap/fault.js';
import type { SoapFaultCode } from '../soap/types.js';
import type { FaultService, FaultValue } from './types.js';

/** Namespace of the HPC Pack Web API's `HpcWebServiceFault` (2008 R2 SP3 and later). */
export const HPC_FAULT_NAMESPACE = 'http://schemas.microsoft.com/HPCS2008R2/common';
/** Namespace of a bare .NET string: the pre-2011 HPC Pack Web API error body. */
export const SERIALIZATION_NAMESPACE = 'http://schemas.microsoft.com/2003/10/Serialization/';
/** Namespace of the HPC Pack session `SessionFault` carried in SOAP fault details. */
export const HPC_SESSION_NAMESPACE = 'http://hpc.microsoft.com/session/';

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
// Fault bodies are small; deeper XML is not an error body anyone sends.
const FAULT_MAX_DEPTH = 32;
// Values kept from a SOAP detail element: enough for any real detail, bounded for hostile ones.
const MAX_DETAIL_VALUES = 64;

/** The parts of a fault that depend on the body's shape. */
export interface BodyFault {
  service: FaultService;
  code: string;
  message: string;
  formatted?: string;
  values: FaultValue[];
  action?: string;
  extra?: Record<string, unknown> | undefined;
  hpc?: boolean;
  soap?: SoapFaultCode;
}

// xsi:nil="true" on the start tag the feed is reporting.
function isNil(feed: XmlFeed): boolean {
  for (let i = 0; i < feed.attributeCount; i++) {
    if (feed.attributeBindings[i]!.uri === XSI && localName(feed.attributeNames[i]!) === 'nil') {
      const value = feed.attributeValues[i]!.trim();
      return value === 'true' || value === '1';
    }
  }
  return false;
}

/**
 * The fields of an HpcWebServiceFault (`Code`, `Message`, `Values` of key/value pairs) or a
 * SessionFault (`Code`, `Reason`, `Context` items), for the element at `base`.
 */
class HpcFields {
  code = '';
  message = '';
  readonly values: FaultValue[] = [];
  private list = -1; // depth of Values/Context, -1 when none (or nil)
  private field: 'code' | 'message' | 'key' | 'Key' | 'value' | 'Value' | 'item' | undefined;
  private seen = new Set<string>();
  private key: string | undefined;
  private upperKey: string | undefined;
  private value: string | undefined;
  private upperValue: string | undefined;

  constructor(
    private readonly feed: XmlFeed,
    private readonly text: ElementText,
    private readonly base: number,
    private readonly session: boolean,
  ) {}

  open(name: string, depth: number): void {
    const local = localName(name);
    const nil = isNil(this.feed);
    if (depth === this.base + 1) {
      if (this.seen.has(local)) return;
      this.seen.add(local);
      if (local === 'Code') this.start('code', depth, nil);
      else if (local === (this.session ? 'Reason' : 'Message')) this.start('message', depth, nil);
      else if (local === (this.session ? 'Context' : 'Values') && !nil) this.list = depth;
    } else if (depth === this.list + 1) {
      if (this.session) this.start('item', depth, nil);
      else this.key = this.upperKey = this.value = this.upperValue = undefined;
    } else if (depth === this.list + 2 && !this.session && this.field === undefined) {
      if (local === 'key' || local === 'Key' || local === 'value' || local === 'Value')
        this.start(local, depth, nil);
    }
  }

  close(depth: number): void {
    if (this.field !== undefined && depth === this.text.depth) {
      const text = this.text.take();
      const field = this.field;
      this.field = undefined;
      if (field === 'code') this.code = text.trim();
      else if (field === 'message') this.message = text;
      else if (field === 'item') this.values.push({ key: String(this.values.length), value: text });
      else if (field === 'key') this.key ??= text;
      else if (field === 'Key') this.upperKey ??= text;
      else if (field === 'value') this.value ??= text;
      else this.upperValue ??= text;
      return;
    }
    if (depth === this.list + 1 && !this.session) {
      this.values.push({ key: this.key ?? this.upperKey ?? '', value: this.value ?? this.upperValue ?? '' });
    } else if (depth === this.list) this.list = -2;
  }

  private start(field: NonNullable<HpcFields['field']>, depth: number, nil: boolean): void {
    if (nil) {
      // A nil element reads as empty text.
      if (field === 'item') this.values.push({ key: String(this.values.length), value: '' });
      else if (field === 'key') this.key ??= '';
      else if (field === 'Key') this.upperKey ??= '';
      else if (field === 'value') this.value ??= '';
      else if (field === 'Value') this.upperValue ??= '';
      return;
    }
    this.field = field;
    this.text.start(depth);
  }
}

/** The simple fields (children without child elements) of a detail element, as values. */
class DetailFields {
  readonly values: FaultValue[] = [];
  private complex = false;
  private nil = false;
  private name = '';

  constructor(
    private readonly feed: XmlFeed,
    private readonly text: ElementText,
    private readonly base: number,
  ) {}

  open(name: string, depth: number): void {
    if (depth === this.base + 1) {
      this.complex = false;
      this.name = localName(name);
      this.nil = isNil(this.feed);
      if (this.values.length < MAX_DETAIL_VALUES) this.text.start(depth);
    } else if (depth === this.base + 2) {
      this.complex = true;
      this.text.stop();
    }
  }

  close(depth: number): void {
    if (depth !== this.base + 1 || this.values.length >= MAX_DETAIL_VALUES) return;
    const text = this.complex ? '' : this.text.take();
    if (!this.complex) this.values.push({ key: this.name, value: this.nil ? '' : text });
  }
}

/** The fields of a fault's Detail: taken from its first child element only. */
class DetailValues implements DetailSink {
  fields: HpcFields | DetailFields | undefined;
  private depth = -1;
  // Inside the first child of Detail.
  private inside = false;

  constructor(
    private readonly feed: XmlFeed,
    private readonly value: ElementText,
  ) {}

  begin(depth: number): void {
    this.depth = depth;
  }

  open(name: string, depth: number, binding: NamespaceBinding | undefined): void {
    const base = this.depth + 1;
    if (depth === base) {
      if (this.fields !== undefined) return;
      const local = localName(name);
      const session = local === 'SessionFault' && binding?.uri === HPC_SESSION_NAMESPACE;
      this.fields =
        local === 'HpcWebServiceFault' || session
          ? new HpcFields(this.feed, this.value, base, session)
          : new DetailFields(this.feed, this.value, base);
      this.inside = true;
    } else if (this.inside) this.fields!.open(name, depth);
  }

  close(_name: string, depth: number): void {
    if (!this.inside) return;
    if (depth === this.depth + 1) this.inside = false;
    else this.fields!.close(depth);
  }

  text(text: string): void {
    if (this.inside) this.value.add(text);
  }

  end(): void {
    this.inside = false;
  }
}

/** Reads one XML error body; `result()` is its shape, or `undefined` when it is none known. */
class FaultDocument implements XmlHandlers {
  private readonly value: ElementText;
  private kind: 'hpc' | 'session' | 'string' | 'envelope' | 'fault' | 'other' = 'other';
  private hpc: HpcFields | undefined;
  private rootText = '';
  // Envelope: the part being read (Header or Body, the first of each), and its Action.
  private part: 'header' | 'body' | 'other' | undefined;
  private sawHeader = false;
  private sawBody = false;
  private action: string | undefined;
  private collectingAction = false;
  // The Fault: its reader, its depth (-1 while not inside it), and its Detail's values.
  private fault: SoapFaultReader | undefined;
  private faultDepth = -1;
  private readonly detail: DetailValues;

  constructor(private readonly feed: XmlFeed) {
    this.value = new ElementText(feed, DEFAULT_LIMITS.maxTextLength);
    this.detail = new DetailValues(feed, this.value);
  }

  open(name: string, depth: number, binding: NamespaceBinding | undefined): void {
    if (depth === 1) this.openRoot(name, binding);
    else if (this.hpc !== undefined) this.hpc.open(name, depth);
    else if (this.faultDepth >= 0) this.fault!.open(name, depth, binding);
    else if (this.kind === 'envelope') this.openEnvelopePart(name, depth, binding);
  }

  close(name: string, depth: number): void {
    if (this.faultDepth >= 0) {
      if (depth === this.faultDepth) this.faultDepth = -1;
      else this.fault!.close(name, depth);
    } else if (depth === 1) {
      if (this.kind === 'string') this.rootText = this.value.take();
    } else if (this.hpc !== undefined) this.hpc.close(depth);
    else if (depth === 2) this.part = undefined;
    else if (depth === 3 && this.collectingAction) {
      this.action = this.value.take().trim();
      this.collectingAction = false;
    }
  }

  text(text: string): void {
    if (this.faultDepth >= 0) this.fault!.addText(text);
    else this.value.add(text);
  }

  private openRoot(name: string, binding: NamespaceBinding | undefined): void {
    const local = localName(name);
    const namespace = binding?.uri ?? '';
    if (local === 'HpcWebServiceFault' || local === 'SessionFault') {
      this.kind = local === 'SessionFault' ? 'session' : 'hpc';
      this.hpc = new HpcFields(this.feed, this.value, 1, this.kind === 'session');
    } else if (local === 'string' && namespace === SERIALIZATION_NAMESPACE) {
      this.kind = 'string';
      this.value.start(1);
    } else if (isSoapNamespace(namespace) && local === 'Envelope') this.kind = 'envelope';
    else if (isSoapNamespace(namespace) && local === 'Fault') {
      this.kind = 'fault';
      this.openFault(1, namespace);
    }
  }

  private openEnvelopePart(name: string, depth: number, binding: NamespaceBinding | undefined): void {
    const local = localName(name);
    if (depth === 2) {
      if (local === 'Header' && !this.sawHeader) {
        this.sawHeader = true;
        this.part = 'header';
      } else if (local === 'Body' && !this.sawBody) {
        this.sawBody = true;
        this.part = 'body';
      } else this.part = 'other';
    } else if (depth === 3) {
      if (
        this.part === 'header' &&
        local === 'Action' &&
        this.action === undefined &&
        !this.collectingAction
      ) {
        this.collectingAction = true;
        this.value.start(3);
      } else if (this.part === 'body' && local === 'Fault' && this.fault === undefined) {
        this.openFault(3, binding?.uri ?? '');
      }
    }
  }

  private openFault(depth: number, namespace: string): void {
    this.faultDepth = depth;
    this.fault = new SoapFaultReader(this.feed, depth, namespace, this.detail, DEFAULT_LIMITS.maxTextLength);
  }

  /** The shape read, or `undefined` for XML that is no known error body. */
  result(): BodyFault | undefined {
    switch (this.kind) {
      case 'hpc':
      case 'session': {
        const hpc = this.hpc!;
        return { service: 'hpc-pack', code: hpc.code, message: hpc.message, values: hpc.values, hpc: true };
      }
      case 'string':
        return { service: 'hpc-pack', code: '', message: this.rootText, values: [], hpc: true };
      case 'envelope':
      case 'fault':
        return this.fault === undefined ? undefined : this.soapResult(this.fault);
      default:
        return undefined;
    }
  }

  private soapResult(reader: SoapFaultReader): BodyFault {
    const reason = reader.reason ?? '';
    const code = reader.faultCode();
    // The most specific code that has a name: the last of Code/Value and the Subcode chain.
    let name = '';
    if (code !== undefined) {
      for (const level of [code.code, ...code.subcodes]) if (level.name !== '') name = level.name;
    }
    const shape: BodyFault = { service: 'soap', code: name, message: reason, values: [] };
    if (code !== undefined) shape.soap = code;
    if (this.action !== undefined) shape.action = this.action;
    const detail = this.detail.fields;
    if (detail instanceof HpcFields) {
      shape.code = detail.code;
      shape.message = detail.message === '' ? reason : detail.message;
      shape.values = detail.values;
      shape.hpc = true;
    } else if (detail !== undefined) shape.values = detail.values;
    return shape;
  }
}

/**
 * Classifies an XML error body, already decoded, by its root element. Returns `undefined` for
 * XML that is no known error body; throws a BatchwireError for XML that is not well-formed.
 */
export function classifyXml(body: DecodedBody): BodyFault | undefined {
  let document: FaultDocument | undefined;
  const feed = new XmlFeed(
    {
      open: (name, depth, binding) => document!.open(name, depth, binding),
      close: (name, depth) => document!.close(name, depth),
      text: (text) => document!.text(text),
    },
    { maxDepth: FAULT_MAX_DEPTH, maxTextLength: DEFAULT_LIMITS.maxTextLength },
  );
  document = new FaultDocument(feed);
  feed.parseDocument(body);
  return document.result();
}
