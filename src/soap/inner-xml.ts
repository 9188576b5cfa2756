// The inner XML of one element (a SOAP body element, a fault's Detail), kept as the raw text it
// was written as, and beside it the namespace declarations its content uses from outside it
// (from the element itself, the envelope or the array's root): one map per element, never a copy
// per child, so the output stays within a constant times the input.
import { BatchwireError } from '../core/errors.js';
import { MAX_STRING_LENGTH } from '../core/limits.js';
import { detach, type NamespaceBinding, type XmlFeed } from '../core/xml.js';

// Stamps for NamespaceBinding.mark, unique across captures: a binding stamped with the current
// capture's serial has already been recorded for it.
let serials = 0;

// Pieces shorter than this are joined in batches, so tiny chunks cost no array slot each.
const SMALL_PIECE = 256;

/** A map from prefix (`''`: the default namespace) to namespace URI, as records carry it. */
export type NamespaceMap = Record<string, string>;

/** Sets `map[key] = value` as an own, ordinary property (a prefix may be named `__proto__`). */
export function setEntry(map: NamespaceMap, key: string, value: string): void {
  if (key === '__proto__') {
    Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
  } else map[key] = value;
}

/**
 * Captures the inner XML of the element at `depth`: `begin` at its start tag, `open` for every
 * element inside, `piece` at the end of each decoded piece, `finish` at its end tag. One
 * instance serves message after message; nothing is allocated per element.
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
  // This capture's stamp, and the bindings from outside the element its content uses, in order
  // of first use.
  private serial = 0;
  private used: NamespaceBinding[] = [];

  constructor(private readonly feed: XmlFeed) {}

  /** Starts capturing the content of the element at `depth`, whose start tag the feed has just read. */
  begin(depth: number): void {
    this.depth = depth;
    this.start = this.feed.position;
    this.pieces = [];
    this.small = [];
    this.smallLength = 0;
    this.length = 0;
    this.serial = ++serials;
    if (this.used.length > 64) this.used = [];
    else this.used.length = 0;
  }

  /** A start tag inside the captured element: the declarations from outside that it uses. */
  open(binding: NamespaceBinding | undefined): void {
    const depth = this.depth;
    // A binding declared inside the content is written there already.
    if (binding !== undefined && binding.depth <= depth && binding.mark !== this.serial) this.use(binding);
    const feed = this.feed;
    const count = feed.attributeCount;
    for (let i = 0; i < count; i++) {
      const attribute = feed.attributeBindings[i]!;
      if (attribute.depth <= depth && attribute.mark !== this.serial) this.use(attribute);
      // xsi:type="p:Type" names a type by a prefix too.
      if (feed.attributeNames[i]!.endsWith(':type')) this.useQName(feed.attributeValues[i]!);
    }
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
    let raw: string;
    if (this.pieces.length === 0) raw = detach(tail);
    else {
      this.pieces.push(tail);
      // A join makes a new string: nothing of the pieces stays referenced.
      raw = this.pieces.join('');
    }
    this.pieces = [];
    const stop = end - this.start;
    return raw.length === stop ? raw : detach(raw.slice(0, stop));
  }

  /** The declarations from outside the element that its content used, prefix to URI. */
  namespaces(): NamespaceMap {
    const map: NamespaceMap = {};
    const used = this.used;
    for (let i = 0; i < used.length; i++) {
      const binding = used[i]!;
      setEntry(map, binding.prefix, this.feed.handOut(binding.uri));
    }
    return map;
  }

  /** Drops whatever was captured (the message broke). */
  reset(): void {
    this.depth = -1;
    this.pieces = [];
    this.small = [];
    this.smallLength = 0;
    this.used = [];
  }

  private use(binding: NamespaceBinding): void {
    binding.mark = this.serial;
    // An inherited `xmlns=""` is no declaration to add (no default namespace is the default), and
    // the built-in `xml` binding (depth 0) is in scope everywhere.
    if (binding.uri === '' || binding.depth === 0) return;
    this.used.push(binding);
  }

  private useQName(value: string): void {
    const colon = value.indexOf(':');
    if (colon <= 0) return;
    const binding = this.feed.scope.lookup(value.slice(0, colon).trim());
    if (binding !== undefined && binding.depth <= this.depth && binding.mark !== this.serial)
      this.use(binding);
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
