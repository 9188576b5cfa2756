// Near-valid XML documents for the differential test against saxes: message arrays, fault and
// status bodies from batchwire/arbitraries, broken by `mutate` (bytes) or by edits aimed at what
// an XML reader must refuse: markup characters, `]]>`, C0 controls, lone surrogate halves,
// prefixes bound and unbound, duplicate attributes (raw and by namespace), reserved prefixes and
// namespaces, XML declarations, text and markup around the root.
import {
  brokerClientStatusBody,
  fc,
  hpcFaultXmlBody,
  mutate,
  soapFaultEnvelopeBody,
  soapMessageArray,
} from 'batchwire/arbitraries';

/** One document: its text (what saxes reads), its bytes when it was made as bytes, and how. */
export interface DiffCase {
  /** The document as text; `undefined` when its bytes are not UTF-8. */
  text: string | undefined;
  /** The document as bytes, when a byte mutation made it (batchwire reads these too). */
  bytes?: Uint8Array;
  /** What the document was made from and every edit, e.g. `soap-array`, `insert(']]>')@120`. */
  labels: string[];
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/** Valid documents of the three XML formats batchwire reads. */
export function validDocument(): fc.Arbitrary<{ text: string; label: string }> {
  return fc.oneof(
    {
      weight: 3,
      arbitrary: soapMessageArray({ maxMessages: 3 }).map((a) => ({ text: a.xml, label: 'soap-array' })),
    },
    { weight: 1, arbitrary: hpcFaultXmlBody().map((b) => ({ text: b.body, label: 'hpc-fault' })) },
    { weight: 1, arbitrary: soapFaultEnvelopeBody().map((b) => ({ text: b.body, label: 'soap-fault' })) },
    {
      weight: 1,
      arbitrary: brokerClientStatusBody()
        .filter((b) => b.body.startsWith('<'))
        .map((b) => ({ text: b.body, label: 'status' })),
    },
  );
}

// Pieces inserted anywhere: markup characters, references good and bad, CDATA ends, controls,
// surrogate halves, characters XML forbids or allows only in places, and whole constructs.
const TOKENS = [
  '<',
  '>',
  '&',
  '"',
  "'",
  '=',
  '/',
  ':',
  ' ',
  ']]>',
  ']]',
  ']',
  '&amp;',
  '&lt',
  '&foo;',
  '&#;',
  '&#x;',
  '&#65;',
  '&#x41;',
  '&#0;',
  '&#x1F;',
  '&#xD800;',
  '&#xFFFE;',
  '&#x10FFFF;',
  '&#x110000;',
  '&#9999999999;',
  '\u0000',
  '\u0001',
  '\u0008',
  '\u000B',
  '\u000C',
  '\u001F',
  '\u007F',
  '\u0085',
  '\u0080',
  '\u009F',
  '\r',
  '\r\n',
  '\t',
  '\uD800',
  '\uDBFF',
  '\uDC00',
  '\uDFFF',
  '\uDE00\uD83D',
  '\uD83D\uDE00',
  '\uFFFE',
  '\uFFFF',
  '\uFDD0',
  '\uFEFF',
  '\u2028',
  '<!-- c -->',
  '<!-- a--b -->',
  '<!---->',
  '<!--->',
  '<!-- x --->',
  '<?pi x?>',
  '<?pi?>',
  '<?pi?x?>',
  '<?p:i x?>',
  '<?xml version="1.0"?>',
  '<?XML x?>',
  '<?xml-stylesheet href="a"?>',
  '<![CDATA[x<&]]>',
  '<![CDATA[',
  '<![CDATA[]]]]><![CDATA[>]]>',
  '<!DOCTYPE x>',
  '<!doctype x>',
  '<!ELEMENT x ANY>',
  '<!',
  '<?',
  '</',
  '<x/>',
  '<x>',
  '</x>',
  '<p:x/>',
  '<xml:x/>',
  '<xmlns:x/>',
  '<x xmlns:p="urn:p"><p:y/></x>',
  '<x xmlns:p="urn:p"/><p:y/>',
  '< x/>',
  '<x/ >',
  '<x></ x>',
  '<x></x >',
  '<1x/>',
  '<\u00B7x/>',
  '<x\u00B7/>',
  '<\u0300/>',
  '<\u{10000}/>',
  '<\u{F0000}/>',
  '<\u00D7/>',
  '<\u037E/>',
  '<\u2070/>',
];

// Attributes added to a start tag (after its name). `P` is a prefix in scope there, `U` its URI.
const ATTRIBUTES = [
  'a="1"',
  'a="1" a="2"',
  'a = "1"',
  'a=1',
  'a="1"b="2"',
  'a="<"',
  'a="&"',
  'a="&#x3C;"',
  `a='"'`,
  'a="\t\n\r"',
  'a="&#0;"',
  'a="\u0001"',
  'a="\uD800"',
  'a',
  '="1"',
  'p:a="1"',
  'xmlns:p="urn:p" p:a="1"',
  'xmlns:p="urn:p" xmlns:q="urn:p" p:a="1" q:a="2"',
  'xmlns:p="urn:p" xmlns:q="urn:q" p:a="1" q:a="2"',
  'xmlns:p="urn:p" p:a="1" p:a="2"',
  'xmlns:q="U" q:a="1" P:a="2"',
  'xmlns:q="U" q:a="1"',
  'xmlns:P="urn:rebound" P:a="1"',
  'xmlns:p=""',
  "xmlns:p=''",
  'xmlns=""',
  'xmlns="urn:d"',
  'xmlns="urn:d" xmlns="urn:e"',
  'xmlns:p="urn:p" xmlns:p="urn:p"',
  `xmlns:xml="${XML_NS}"`,
  'xmlns:xml="urn:x"',
  `xmlns:xmlns="${XMLNS_NS}"`,
  'xmlns:xmlns="urn:x"',
  `xmlns:p="${XML_NS}"`,
  `xmlns:p="${XMLNS_NS}"`,
  `xmlns="${XML_NS}"`,
  `xmlns="${XMLNS_NS}"`,
  'xmlns:p=" "',
  `xmlns=" ${XMLNS_NS}"`,
  `xmlns:p="${XML_NS}\t"`,
  `xmlns:xml=" ${XML_NS}"`,
  'xmlns:p=" urn:p" xmlns:q="urn:p" p:a="1" q:a="2"',
  'xml:lang="en"',
  'xml:lang="en" xml:lang="de"',
  'xml:space="preserve"',
  'xmlns:a:b="urn:x"',
  'xmlns:="urn:x"',
  ':a="1"',
  'a:="1"',
  'a:b:c="1"',
  'xmlns:1p="urn:x"',
  'xmlns:p="urn:p" p:xmlns="1"',
  'P:a="1" P:a="2"',
  'P:a="1" xmlns:P="urn:late" P:a="2"',
  '\u00E9="1"',
  '\u00B7a="1"',
  '\u{10000}="1"',
];

// Ways to rename an element (every start and end tag of one name): `N` is the local name.
const RENAMES = [
  'un:N',
  ':N',
  'N:',
  'a:b:N',
  'xmlns:N',
  'xml:N',
  '1N',
  '-N',
  '.N',
  'N\u00B7',
  '\u00B7N',
  '\u00E9N',
  '\u{10000}N',
  'N\u0300',
  'N\u037E',
  'XML',
  'xmlfoo',
];

// XML declarations and what can stand before the root.
const PROLOGS = [
  '<?xml version="1.0"?>',
  '<?xml version="1.0" encoding="UTF-8"?>',
  '<?xml version="1.0" encoding="utf-16"?>',
  '<?xml version="1.0" encoding="latin1"?>',
  '<?xml version="1.0" encoding="ISO-8859-1" standalone="yes"?>',
  '<?xml version="1.0" standalone="maybe"?>',
  '<?xml version="1.1"?>',
  '<?xml version="1.10"?>',
  '<?xml version="2.0"?>',
  '<?xml version="1.0" ?>',
  "<?xml version='1.0' encoding='UTF-8'?>",
  '<?xml version="1.0"encoding="UTF-8"?>',
  '<?xml encoding="UTF-8"?>',
  '<?xml?>',
  '<?xml version="1.0" standalone="yes" encoding="UTF-8"?>',
  '<?xml version="1.0" encoding=""?>',
  '<?xml version="1.0" encoding="1x"?>',
  '<?XML version="1.0"?>',
  ' <?xml version="1.0"?>',
  '\uFEFF',
  '\uFEFF<?xml version="1.0"?>',
  '\uFEFF\uFEFF',
  ' ',
  '\r\n',
  '<!-- c -->',
  '<?pi x?>',
  'x',
  '&amp;',
  '<![CDATA[x]]>',
  '<!DOCTYPE x [<!ENTITY e "e">]>',
  '\u0001',
];

// What can stand after the root.
const EPILOGS = [
  ' ',
  '\n',
  '<!-- c -->',
  '<?pi x?>',
  'x',
  '<x/>',
  '&amp;',
  '&#32;',
  '<![CDATA[ ]]>',
  ']]>',
  '</x>',
  '<',
  '\u0000',
  '\uD800',
  '<?xml version="1.0"?>',
];

interface Edit {
  kind: 'insert' | 'attribute' | 'rename' | 'prolog' | 'epilog' | 'declaration' | 'delete';
  choice: number;
  pick: number;
}

const edit: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constantFrom(
    'insert',
    'insert',
    'insert',
    'attribute',
    'attribute',
    'rename',
    'prolog',
    'epilog',
    'declaration',
    'delete',
  ),
  choice: fc.nat(),
  pick: fc.nat(),
});

// Places where an insertion most often matters: next to markup characters; else anywhere.
const STRUCTURAL = ['<', '>', '"', '=', ' ', '&', ':', '/', '?'];

function position(text: string, pick: number): number {
  const char = STRUCTURAL[pick % STRUCTURAL.length]!;
  const found: number[] = [];
  for (let at = text.indexOf(char); at >= 0 && found.length < 64; at = text.indexOf(char, at + 1))
    found.push(at);
  if (found.length === 0 || pick % 5 === 0) return (pick >>> 3) % (text.length + 1);
  return found[(pick >>> 4) % found.length]! + ((pick >>> 2) % 3) - (pick % 2);
}

// Start tags: the index just past each element name (where an attribute can go), and the name.
function startTags(text: string): { nameEnd: number; name: string }[] {
  const tags: { nameEnd: number; name: string }[] = [];
  const pattern = /<([^\s/>!?<]+)/g;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    tags.push({ nameEnd: match.index + match[0].length, name: match[1]! });
  }
  return tags;
}

// A prefix used in the document and its URI, declared on the root or near it: 's', 'a', ...
function declaredPrefix(text: string, pick: number): { prefix: string; uri: string } | undefined {
  const pattern = /xmlns:([A-Za-z_][\w.-]*)="([^"]*)"/g;
  const found: { prefix: string; uri: string }[] = [];
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    found.push({ prefix: match[1]!, uri: match[2]! });
  }
  return found.length === 0 ? undefined : found[pick % found.length];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function splice(text: string, at: number, remove: number, insert: string): string {
  const where = Math.max(0, Math.min(at, text.length));
  return text.slice(0, where) + insert + text.slice(where + remove);
}

/** Applies one edit; returns the text and a label saying what was done where. */
export function applyEdit(text: string, { kind, choice, pick }: Edit): { text: string; label: string } {
  switch (kind) {
    case 'insert': {
      const token = TOKENS[choice % TOKENS.length]!;
      const at = Math.max(0, Math.min(position(text, pick), text.length));
      return { text: splice(text, at, 0, token), label: `insert(${JSON.stringify(token)})@${at}` };
    }
    case 'attribute': {
      const tags = startTags(text);
      if (tags.length === 0) return { text, label: 'attribute@none' };
      const tag = tags[pick % tags.length]!;
      const inScope = declaredPrefix(text, pick >>> 5) ?? { prefix: 'un', uri: 'urn:un' };
      const attribute = ATTRIBUTES[choice % ATTRIBUTES.length]!.replace(/\bP:/g, `${inScope.prefix}:`)
        .replace(/xmlns:P=/g, `xmlns:${inScope.prefix}=`)
        .replace(/"U"/g, JSON.stringify(inScope.uri));
      // Raw duplicates of what the tag has: its first attribute again, at its end.
      const own = /^\s+([^\s=/>]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))/.exec(text.slice(tag.nameEnd));
      const added = choice % 7 === 6 && own ? own[1]! : attribute;
      return {
        text: splice(text, tag.nameEnd, 0, ` ${added}`),
        label: `attribute(${JSON.stringify(added)})@${tag.nameEnd}`,
      };
    }
    case 'rename': {
      const tags = startTags(text);
      if (tags.length === 0) return { text, label: 'rename@none' };
      const name = tags[pick % tags.length]!.name;
      const local = name.slice(name.indexOf(':') + 1);
      const renamed = RENAMES[choice % RENAMES.length]!.replace('N', local);
      const pattern = new RegExp(`(</?)${escapeRegExp(name)}(?=[\\s/>])`, 'g');
      return {
        text: text.replace(pattern, `$1${renamed}`),
        label: `rename(${name}->${JSON.stringify(renamed)})`,
      };
    }
    case 'prolog': {
      const prolog = PROLOGS[choice % PROLOGS.length]!;
      return { text: prolog + text, label: `prolog(${JSON.stringify(prolog)})` };
    }
    case 'epilog': {
      const epilog = EPILOGS[choice % EPILOGS.length]!;
      return { text: text + epilog, label: `epilog(${JSON.stringify(epilog)})` };
    }
    case 'declaration': {
      // A namespace declaration removed, emptied, or bound to a reserved namespace.
      const pattern = /\sxmlns(:[^\s=]+)?="[^"]*"/g;
      const found: RegExpExecArray[] = [];
      for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) found.push(match);
      if (found.length === 0) return { text, label: 'declaration@none' };
      const match = found[pick % found.length]!;
      const name = `xmlns${match[1] ?? ''}`;
      const values = ['', XML_NS, XMLNS_NS, 'urn:other'];
      const replaced = choice % 5 === 4 ? '' : ` ${name}="${values[choice % 4]}"`;
      return {
        text: splice(text, match.index, match[0].length, replaced),
        label: `declaration(${name}${replaced === '' ? ' removed' : `=${JSON.stringify(values[choice % 4])}`})@${match.index}`,
      };
    }
    default: {
      // A run of characters deleted: a half of markup, a quote, a name.
      const at = Math.max(0, Math.min(position(text, pick), text.length));
      const length = 1 + (choice % 6);
      return { text: splice(text, at, length, ''), label: `delete(${length})@${at}` };
    }
  }
}

const TEXT_DECODER = new TextDecoder('utf-8', { fatal: true });

function textOf(bytes: Uint8Array): string | undefined {
  try {
    return TEXT_DECODER.decode(bytes);
  } catch {
    return undefined;
  }
}

// UTF-16 bytes with a byte order mark (the bytes legs then decode them; UTF-8 is the default).
function utf16(text: string, littleEndian: boolean): Uint8Array {
  const out = new Uint8Array(2 + text.length * 2);
  const view = new DataView(out.buffer);
  view.setUint16(0, 0xfeff, littleEndian);
  for (let i = 0; i < text.length; i++) view.setUint16(2 + i * 2, text.charCodeAt(i), littleEndian);
  return out;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether a string holds a surrogate half alone (no UTF-8 or UTF-16 bytes carry it). */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

/** Documents edited as text: 1 to 3 edits on a valid document; one in eight also as UTF-16 bytes. */
export function editedDocument(): fc.Arbitrary<DiffCase> {
  return fc
    .tuple(validDocument(), fc.array(edit, { minLength: 1, maxLength: 3 }), fc.nat(15))
    .map(([valid, edits, encoding]) => {
      let text = valid.text;
      const labels = [valid.label];
      for (const step of edits) {
        const result = applyEdit(text, step);
        text = result.text;
        labels.push(result.label);
      }
      // A surrogate half alone has no UTF-16 bytes a decoder would pass, and a U+FEFF the edits put
      // first would follow the byte order mark as text (saxes, given the text, takes it for the
      // mark): such documents stay text.
      if (encoding >= 2 || hasLoneSurrogate(text) || text.startsWith('\uFEFF')) return { text, labels };
      const littleEndian = encoding === 0;
      return {
        text,
        bytes: utf16(text, littleEndian),
        labels: [...labels, littleEndian ? 'utf-16le' : 'utf-16be'],
      };
    });
}

/** Documents broken as bytes by batchwire/arbitraries' `mutate` (every XML strategy). */
export function mutatedDocument(): fc.Arbitrary<DiffCase> {
  const valid = validDocument();
  return mutate(
    'xml',
    valid.map((v) => new TextEncoder().encode(v.text)),
    // Nesting just past BrokerClientStatus' depth limit (8), fields grown well within limits.
    { depth: 9, growBy: 40 },
  ).map(({ bytes, labels }) => ({ text: textOf(bytes), bytes, labels: ['mutate', ...labels] }));
}

/** Every kind of document the differential test reads. */
export function differentialCase(): fc.Arbitrary<DiffCase> {
  return fc.oneof(
    { weight: 6, arbitrary: editedDocument() },
    { weight: 3, arbitrary: mutatedDocument() },
    { weight: 1, arbitrary: validDocument().map((v) => ({ text: v.text, labels: [v.label] })) },
  );
}
