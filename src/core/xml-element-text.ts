// What readers collect from an XML feed beyond its events: the direct text of one element
// (ElementText) and QNames written as content (resolveQName). Typed by what they use of the
// feed, so that xml.ts can hand them on without an import circle.
import type { BatchwireError } from './errors.js';
import type { NamespaceScope } from './namespaces.js';
import { detach } from './xml-chars.js';

/** What {@link ElementText} uses of an XmlFeed. */
export interface TextSource {
  /** Depth of the innermost open element. */
  readonly depth: number;
  /** Whether the feed reports text. */
  wantText: boolean;
  /** An error at the position just reached. */
  error(code: 'XML_SYNTAX' | 'LIMIT_EXCEEDED', message: string): BatchwireError;
}

/** What {@link resolveQName} uses of an XmlFeed. */
export interface QNameScope {
  /** The declarations in scope. */
  readonly scope: NamespaceScope;
  /** A namespace URI for the caller to keep, counted against the input. */
  handOut(uri: string): string;
}

/**
 * Collects the direct text of one element (text and CDATA, not its children's), switching the
 * feed's text reporting on for as long as it collects, with a length limit. The text it returns
 * shares no storage with the input.
 */
export class ElementText {
  /** Depth of the element being collected, or -1. */
  depth = -1;
  // Usually one piece: the scanner joins a text node unless a piece boundary or a child splits it.
  private first = '';
  private rest: string[] | undefined;
  private length = 0;

  constructor(
    private readonly feed: TextSource,
    private readonly max: number,
  ) {}

  /** Starts collecting the text of the element at `depth` (the one just opened). */
  start(depth: number): void {
    this.depth = depth;
    this.first = '';
    this.rest = undefined;
    this.length = 0;
    this.feed.wantText = true;
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
    // Detached either way: a concatenation keeps its parts, and its first part is a cut of a piece.
    const text =
      this.length === 0 ? '' : detach(rest === undefined ? this.first : this.first + rest.join(''));
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
    this.feed.wantText = false;
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
 * declarations in scope of `feed`: a prefix by its binding, no prefix by the default namespace.
 * An unbound prefix gives namespace `''`. The namespace is counted by the feed's `handOut`.
 */
export function resolveQName(text: string, feed: QNameScope): QualifiedName {
  const qname = text.trim();
  const colon = qname.indexOf(':');
  const scope = feed.scope;
  const binding = colon < 0 ? scope.defaultBinding : scope.lookup(qname.slice(0, colon));
  return {
    namespace: binding === undefined ? '' : feed.handOut(binding.uri),
    name: detach(colon < 0 ? qname : qname.slice(colon + 1)),
  };
}
