// The inner XML of one element (a SOAP body element, a fault's Detail), kept as the raw text it
// was written as, with the namespace declarations each top-level child inherits from outside
// added to that child's start tag, so every child parses on its own.
import { BatchwireError } from '../core/errors.js';
import { MAX_STRING_LENGTH } from '../core/limits.js';
import type { NamespaceBinding, XmlFeed, XmlTag } from '../core/xml.js';
import { escapeAttribute } from './escape.js';

// Stamps for NamespaceBinding.mark, unique across captures: a binding stamped with the current
// child's serial has already been recorded for that child.
let serials = 0;

// Pieces shorter than this are joined in batches, so tiny chunks cost no array slot each.
const SMALL_PIECE = 256;

/**
 * Captures the inner XML of the element at `depth`: `begin` at its start tag, `open`/`close` for
 * every element inside, `piece` at the end of each decoded piece, `finish` at its end tag.
 * One instance serves message after message; nothing is allocated per element.
 */
export class InnerXmlCapture {
  /** Depth of the element whose content is captured, or -1 when idle. */
  depth = -1;
  // Position just after the element's start tag: where the inner XML begins.
  private start = 0;
  // Raw text from `start` to the end of the previous piece, in pieces; small ones wait in `small`.
  private pieces: string[] = [];
  private small: string[] = [];
  private smallLength = 0;
  private length = 0;
  // The top-level child being read: its serial, the position after its `<`, its name's length,
  // and the inherited bindings it uses, in order of first use.
  private serial = 0;
  private childAt = 0;
  private childNameLength = 0;
  private used: NamespaceBinding[] = [];
  // One insertion per top-level child that needs declarations: after its name, these declarations.
  private insertAt: number[] = [];
  private insertText: string[] = [];
  private inserts = 0;

  constructor(private readonly feed: XmlFeed) {}

  /** Starts capturing the content of the element at `depth`, whose start tag the feed has just read. */
  begin(depth: number): void {
    this.depth = depth;
    this.start = this.feed.position;
    this.pieces = [];
    this.small = [];
    this.smallLength = 0;
    this.length = 0;
    this.inserts = 0;
    this.used.length = 0;
  }

  /** A start tag inside the captured element. */
  open(tag: XmlTag, depth: number, binding: NamespaceBinding | undefined): void {
    const child = this.depth + 1;
    if (depth === child) {
      this.serial = ++serials;
      this.childAt = this.feed.tagStart() + 1;
      this.childNameLength = tag.name.length;
      this.used.length = 0;
    }
    // A binding declared at the child's depth or deeper is written inside the child already.
    if (binding !== undefined && binding.depth < child && binding.mark !== this.serial) this.use(binding);
    const feed = this.feed;
    const count = feed.attributeCount;
    for (let i = 0; i < count; i++) {
      const attribute = feed.attributeBindings[i]!;
      if (attribute.depth < child && attribute.mark !== this.serial) this.use(attribute);
      // xsi:type="p:Type" names a type by a prefix too.
      const name = feed.attributeNames[i]!;
      if (name.endsWith(':type')) this.useQName(tag.attributes[name]!, child);
    }
  }

  /** An end tag inside the captured element. */
  close(depth: number): void {
    if (depth !== this.depth + 1 || this.used.length === 0) return;
    let declarations = '';
    for (const binding of this.used) {
      const prefix = binding.prefix;
      declarations += `${prefix === '' ? ' xmlns' : ` xmlns:${prefix}`}="${escapeAttribute(binding.uri)}"`;
    }
    this.insertAt[this.inserts] = this.childAt + this.childNameLength;
    this.insertText[this.inserts] = declarations;
    this.inserts++;
    this.used.length = 0;
  }

  /** At the end of a decoded piece: keeps the part of it inside the captured element. */
  piece(): void {
    if (this.depth < 0) return;
    const feed = this.feed;
    const text = feed.current;
    const from = Math.max(0, this.start - feed.charBase);
    if (from >= text.length) return;
    const part = from === 0 ? text : text.slice(from);
    this.grow(part.length);
    if (part.length >= SMALL_PIECE) {
      this.flushSmall();
      this.pieces.push(part);
      return;
    }
    this.small.push(part);
    this.smallLength += part.length;
    if (this.smallLength >= SMALL_PIECE * 16) this.flushSmall();
  }

  /** Ends the capture at `end` (the position of the element's end tag) and returns the inner XML. */
  finish(end: number): string {
    const feed = this.feed;
    this.depth = -1;
    const from = Math.max(0, this.start - feed.charBase);
    const tail = feed.current.slice(from, Math.max(from, end - feed.charBase));
    this.grow(tail.length);
    this.flushSmall();
    const raw = this.pieces.length === 0 ? tail : this.pieces.join('') + tail;
    this.pieces = [];
    const stop = end - this.start;
    if (this.inserts === 0) return raw.length === stop ? raw : raw.slice(0, stop);
    const parts: string[] = [];
    let at = 0;
    for (let i = 0; i < this.inserts; i++) {
      const next = this.insertAt[i]! - this.start;
      parts.push(raw.slice(at, next), this.insertText[i]!);
      at = next;
    }
    parts.push(raw.slice(at, stop));
    this.inserts = 0;
    return parts.join('');
  }

  /** Drops whatever was captured (the message broke). */
  reset(): void {
    this.depth = -1;
    this.pieces = [];
    this.small = [];
    this.smallLength = 0;
    this.inserts = 0;
    this.used.length = 0;
  }

  private use(binding: NamespaceBinding): void {
    binding.mark = this.serial;
    // An inherited `xmlns=""` is no declaration to add: no default namespace is the default.
    if (binding.uri !== '') this.used.push(binding);
  }

  private useQName(value: string, child: number): void {
    const colon = value.indexOf(':');
    if (colon <= 0) return;
    const binding = this.feed.scope.lookup(value.slice(0, colon).trim());
    if (binding !== undefined && binding.depth < child && binding.mark !== this.serial) this.use(binding);
  }

  private grow(by: number): void {
    this.length += by;
    if (this.length > MAX_STRING_LENGTH) {
      throw new BatchwireError(
        'LIMIT_EXCEEDED',
        'an element is longer than a JavaScript string can be',
        this.feed.offsetAt(this.feed.tagStart()),
      );
    }
  }

  private flushSmall(): void {
    if (this.small.length === 0) return;
    this.pieces.push(this.small.length === 1 ? this.small[0]! : this.small.join(''));
    this.small = [];
    this.smallLength = 0;
  }
}
