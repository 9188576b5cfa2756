import { SaxesParser, type SaxesTagNS } from 'saxes';

/** One element of a fragment parsed by saxes itself (namespaces on): an independent reading. */
export interface ParsedElement {
  name: string;
  namespace: string;
  text: string;
  children: ParsedElement[];
}

/**
 * Parses `xml` as the content of a root with no declarations, using saxes' own namespace
 * handling, and returns the top-level elements: a check, independent of batchwire's reader,
 * that a fragment stands on its own.
 */
export function parseFragment(xml: string): ParsedElement[] {
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
  parser.write(`<root>${xml}</root>`).close();
  return root.children[0]!.children;
}
