import { SaxesParser, type SaxesTagNS } from 'saxes';

/** One element of a fragment parsed by saxes itself (namespaces on): an independent reading. */
export interface ParsedElement {
  name: string;
  namespace: string;
  text: string;
  children: ParsedElement[];
}

/**
 * Parses `xml` as the content of a root that declares `namespaces` (a record's map of the
 * declarations its XML uses from outside), using saxes' own namespace handling, and returns the
 * top-level elements: a check, independent of batchwire's reader, that the two together stand.
 */
export function parseFragment(xml: string, namespaces: Record<string, string> = {}): ParsedElement[] {
  const parser = new SaxesParser({ xmlns: true });
  const root: ParsedElement = { name: '', namespace: '', text: '', children: [] };
  const stack: ParsedElement[] = [];
  parser.on('opentag', (tag: SaxesTagNS) => {
    const element: ParsedElement = { name: tag.local, namespace: tag.uri, text: '', children: [] };
    (stack.at(-1) ?? root).children.push(element);
    stack.push(element);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  const text = (value: string) => {
    const top = stack.at(-1);
    if (top) top.text += value;
  };
  parser.on('text', text);
  parser.on('cdata', text);
  parser.on('error', (error) => {
    throw error;
  });
  let declarations = '';
  for (const [prefix, uri] of Object.entries(namespaces)) {
    const escaped = uri.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
    declarations += ` ${prefix === '' ? 'xmlns' : `xmlns:${prefix}`}="${escaped}"`;
  }
  parser.write(`<root${declarations}>${xml}</root>`).close();
  return root.children[0]!.children;
}
