// A SOAP Fault read as it streams past, without a tree: SOAP 1.2 Code/Value and the
// Subcode/Value chain (resolved by namespace), the first Reason/Text, and the Detail handed to
// a sink; SOAP 1.1 faultcode, faultstring and detail. The message array reader and parseFault
// both read faults through this class, so they agree on every fault.

import { localName } from '../core/namespaces.js';
import type { SoapFaultCode } from '../core/service-fault.js';
import {
  ElementText,
  type NamespaceBinding,
  type QualifiedName,
  resolveQName,
  type XmlFeed,
} from '../core/xml.js';
import { SOAP11_NAMESPACE, SOAP12_NAMESPACE } from './header.js';

export type { SoapFaultCode } from '../core/service-fault.js';
export type { QualifiedName } from '../core/xml.js';

/** Where the content of a fault's Detail element goes. */
export interface DetailSink {
  /** The Detail start tag, at `depth`, has just been read (`feed.selfClosing` tells `<Detail/>`). */
  begin(depth: number): void;
  open(name: string, depth: number, binding: NamespaceBinding | undefined): void;
  close(name: string, depth: number): void;
  text(text: string): void;
  /** The Detail end tag. */
  end(depth: number): void;
}

/** True for the two SOAP envelope namespaces. */
export function isSoapNamespace(namespace: string): boolean {
  return namespace === SOAP12_NAMESPACE || namespace === SOAP11_NAMESPACE;
}

/**
 * Reads one Fault element. Create it at the Fault's start tag (at `depth`, in the envelope's
 * namespace), pass it every event inside the Fault, then read the result after its end tag.
 */
export class SoapFaultReader {
  rawCode: string | undefined;
  code: QualifiedName | undefined;
  readonly subcodes: QualifiedName[] = [];
  readonly rawSubcodes: string[] = [];
  reason: string | undefined;
  /** Whether the fault has a Detail (SOAP 1.2) or detail (SOAP 1.1) element. */
  hasDetail = false;

  private readonly text: ElementText;
  // Depth of the innermost Code/Subcode element of the chain being read (-1: none yet, -2: done).
  private chain = -1;
  // What the element whose text is collected is.
  private collecting: 'value' | 'reason' | 'faultcode' | 'faultstring' | undefined;
  private reasonDepth = -1;
  private detailDepth = -1;

  constructor(
    private readonly feed: XmlFeed,
    private readonly depth: number,
    private readonly namespace: string,
    private readonly detail: DetailSink | undefined,
    maxTextLength: number,
  ) {
    this.text = new ElementText(feed, maxTextLength);
  }

  open(name: string, depth: number, binding: NamespaceBinding | undefined): void {
    if (this.detailDepth >= 0) {
      this.detail?.open(name, depth, binding);
      return;
    }
    const inSoap = binding !== undefined && binding.uri === this.namespace;
    const unqualified = binding === undefined;
    if (depth === this.depth + 1) {
      if (!inSoap && !unqualified) return;
      const local = localName(name);
      if (inSoap && local === 'Code' && this.chain === -1) this.chain = depth;
      else if (inSoap && local === 'Reason' && this.reasonDepth === -1) this.reasonDepth = depth;
      else if ((inSoap && local === 'Detail') || (unqualified && local === 'detail')) this.beginDetail(depth);
      else if (unqualified && local === 'faultcode' && this.rawCode === undefined)
        this.collect('faultcode', depth);
      else if (unqualified && local === 'faultstring' && this.reason === undefined)
        this.collect('faultstring', depth);
      return;
    }
    if (!inSoap) return;
    if (depth === this.chain + 1) {
      const local = localName(name);
      if (local === 'Value' && this.collecting === undefined) this.collect('value', depth);
      else if (local === 'Subcode') this.chain = depth;
    } else if (depth === this.reasonDepth + 1 && this.reason === undefined && localName(name) === 'Text') {
      this.collect('reason', depth);
    }
  }

  close(name: string, depth: number): void {
    if (this.detailDepth >= 0) {
      if (depth > this.detailDepth) this.detail?.close(name, depth);
      else {
        this.detail?.end(depth);
        this.detailDepth = -1;
      }
      return;
    }
    if (this.collecting !== undefined && depth === this.text.depth) {
      this.finishText(depth);
      return;
    }
    if (depth === this.chain) this.chain = depth === this.depth + 1 ? -2 : depth - 1;
    else if (depth === this.reasonDepth) this.reasonDepth = -2;
  }

  /** Text reported by the feed inside the Fault. */
  addText(text: string): void {
    if (this.detailDepth >= 0) this.detail?.text(text);
    else this.text.add(text);
  }

  /** The fault's code and subcodes, once its end tag has been read (`undefined` without a code). */
  faultCode(): SoapFaultCode | undefined {
    if (this.rawCode === undefined || this.code === undefined) return undefined;
    return { code: this.code, subcodes: this.subcodes, rawCode: this.rawCode, rawSubcodes: this.rawSubcodes };
  }

  private beginDetail(depth: number): void {
    if (this.hasDetail) return;
    this.hasDetail = true;
    this.detailDepth = depth;
    this.detail?.begin(depth);
  }

  private collect(what: 'value' | 'reason' | 'faultcode' | 'faultstring', depth: number): void {
    this.collecting = what;
    this.text.start(depth);
  }

  private finishText(depth: number): void {
    const what = this.collecting;
    this.collecting = undefined;
    const text = this.text.take();
    if (what === 'reason' || what === 'faultstring') {
      this.reason = text;
      return;
    }
    // The QName is resolved here, at its element's end, with that element's declarations in scope.
    const resolved = resolveQName(text, this.feed);
    if (what === 'faultcode' || (what === 'value' && depth === this.depth + 2)) {
      if (this.rawCode !== undefined) return;
      this.rawCode = text;
      this.code = resolved;
    } else {
      this.rawSubcodes.push(text);
      this.subcodes.push(resolved);
    }
  }
}
