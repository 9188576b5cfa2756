// XML namespace scope: O(1) per lookup and per declaration whatever is in scope (a map from
// prefix to a slot holding its innermost binding, each binding remembering the one it hides, and
// an undo log that an end tag truncates), so a root that declares 200 000 prefixes costs nothing
// later. Slots are not deleted when their prefix goes out of scope (a Map that loses and regains
// keys at every envelope rehashes all of them again and again, which made 16 000 prefixes
// quadratic); empty slots are swept once they outnumber the live ones.

/** The namespace the `xml` prefix is always bound to. */
export const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
/** The namespace of `xmlns` declarations, as DOM reports them; no prefix may be bound to it. */
export const XMLNS_NAMESPACE = 'http://www.w3.org/2000/xmlns/';

/** One prefix bound to a namespace URI by a declaration in scope. */
export class NamespaceBinding {
  /**
   * Free for one user's bookkeeping: the inner-XML capture stamps the bindings it has already
   * recorded for a subtree, so each is recorded once (O(1), no set of prefixes to search).
   */
  mark = 0;
  /**
   * Free for a format's own reading of the URI (which known namespace it is), made once per
   * declaration rather than by comparing URIs at every element. -1 until set.
   */
  kind = -1;

  constructor(
    /** The prefix (`''` for the default namespace). */
    readonly prefix: string,
    /** The namespace URI (`''` only for `xmlns=""`, which undeclares the default namespace). */
    readonly uri: string,
    /** Depth of the element whose start tag declared it (0 for the built-in `xml` binding). */
    readonly depth: number,
    /** The binding of the same prefix that this one hides, back in scope when this one ends. */
    readonly hidden: NamespaceBinding | undefined,
    /** Where the scope keeps this prefix's innermost binding. */
    readonly slot: PrefixSlot | undefined,
  ) {}
}

/** The innermost binding of one prefix (`undefined` while it is out of scope). */
interface PrefixSlot {
  top: NamespaceBinding | undefined;
}

/** The local part of a QName: what follows its prefix's colon (`soap:Fault` -> `Fault`). */
export function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

/** Why a declaration is refused, or `undefined` when XML Namespaces 1.0 allows it. */
export function declarationProblem(prefix: string, uri: string): string | undefined {
  if (prefix === 'xmlns') return 'the prefix xmlns cannot be declared';
  if (prefix === 'xml')
    return uri === XML_NAMESPACE ? undefined : `the prefix xml is bound to ${XML_NAMESPACE} only`;
  if (uri === XML_NAMESPACE) return 'only the prefix xml may be bound to the XML namespace';
  if (uri === XMLNS_NAMESPACE) return 'no prefix may be bound to the xmlns namespace';
  if (uri === '' && prefix !== '')
    return `xmlns:${prefix}="" undeclares a prefix, which XML 1.0 does not allow`;
  return undefined;
}

/**
 * The namespace bindings in scope while a document is read. Elements call `declare` for each
 * declaration on their start tag, remember `size` before, and `truncate(size)` at their end tag.
 */
export class NamespaceScope {
  /** The default namespace binding in scope (`undefined`: no default namespace). */
  defaultBinding: NamespaceBinding | undefined;
  /** Changes whenever a binding comes or goes, so a caller can reuse a lookup while it stays. */
  version = 0;
  // A slot per non-empty prefix seen, and how many of them are empty.
  private slots = new Map<string, PrefixSlot>();
  private empty = 0;
  // Bindings in declaration order; [0, size) are in scope.
  private readonly log: NamespaceBinding[] = [];
  // The built-in binding of `xml` (one per scope: users mark bindings).
  private readonly xml = new NamespaceBinding('xml', XML_NAMESPACE, 0, undefined, undefined);

  /** How many declarations are in scope. */
  get size(): number {
    return this.log.length;
  }

  /** The innermost binding of `prefix` (`''`: the default namespace), or `undefined` if unbound. */
  lookup(prefix: string): NamespaceBinding | undefined {
    if (prefix === '') return this.defaultBinding;
    return this.slots.get(prefix)?.top ?? (prefix === 'xml' ? this.xml : undefined);
  }

  /** Binds `prefix` to `uri` for the element at `depth`. Check it with {@link declarationProblem} first. */
  declare(prefix: string, uri: string, depth: number): NamespaceBinding {
    let binding: NamespaceBinding;
    if (prefix === '') {
      binding = new NamespaceBinding('', uri, depth, this.defaultBinding, undefined);
      this.defaultBinding = uri === '' ? undefined : binding;
    } else {
      let slot = this.slots.get(prefix);
      if (slot === undefined) {
        slot = { top: undefined };
        this.slots.set(prefix, slot);
      } else if (slot.top === undefined) this.empty--;
      binding = new NamespaceBinding(prefix, uri, depth, slot.top, slot);
      slot.top = binding;
    }
    this.log.push(binding);
    this.version++;
    return binding;
  }

  /** Ends every declaration made after the scope had `size` of them. */
  truncate(size: number): void {
    const log = this.log;
    if (log.length > size) this.version++;
    while (log.length > size) {
      const binding = log.pop()!;
      const slot = binding.slot;
      if (slot === undefined) this.defaultBinding = binding.hidden;
      else {
        slot.top = binding.hidden;
        if (slot.top === undefined) this.empty++;
      }
    }
    if (this.empty > 64 && this.empty * 2 > this.slots.size) this.sweep();
  }

  // Drops the slots of prefixes out of scope: a new map, not deletions (see the top of the file).
  private sweep(): void {
    const live = new Map<string, PrefixSlot>();
    for (const [prefix, slot] of this.slots) if (slot.top !== undefined) live.set(prefix, slot);
    this.slots = live;
    this.empty = 0;
  }
}
