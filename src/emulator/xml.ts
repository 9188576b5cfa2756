// The little XML the emulator writes and reads itself: escaping for the fault and session
// documents it writes, and a reader for the flat WebSessionStartInfo body of Create Session.
// Message arrays, the hard part, go through batchwire/soap.

/** Whether `c` (a UTF-16 code unit at a position that is not part of a valid pair) is an XML 1.0 character. */
function isXmlUnit(c: number): boolean {
  return c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd);
}

/**
 * Escapes text for element content or a double-quoted attribute. Characters XML 1.0 cannot
 * carry (C0 controls, lone surrogates, U+FFFE/U+FFFF) become U+FFFD: this is only used for the
 * emulator's own messages, which may quote what a client sent.
 */
export function escapeXml(text: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let replacement: string | undefined;
    if (c === 0x26) replacement = '&amp;';
    else if (c === 0x3c) replacement = '&lt;';
    else if (c === 0x3e) replacement = '&gt;';
    else if (c === 0x22) replacement = '&quot;';
    else if (c === 0x0d) replacement = '&#xD;';
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      replacement = '\uFFFD';
    } else if (!isXmlUnit(c)) replacement = '\uFFFD';
    if (replacement === undefined) continue;
    out += text.slice(from, i) + replacement;
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeText(text: string): string | undefined {
  if (!text.includes('&')) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const amp = text.indexOf('&', i);
    if (amp < 0) break;
    const semi = text.indexOf(';', amp);
    if (semi < 0 || semi - amp > 12) return undefined;
    const name = text.slice(amp + 1, semi);
    let value: string | undefined;
    if (Object.hasOwn(ENTITIES, name)) value = ENTITIES[name];
    else if (/^#[0-9]{1,7}$/.test(name))
      value = String.fromCodePoint(Math.min(Number(name.slice(1)), 0x10ffff));
    else if (/^#x[0-9a-fA-F]{1,6}$/.test(name))
      value = String.fromCodePoint(Math.min(Number.parseInt(name.slice(2), 16), 0x10ffff));
    if (value === undefined) return undefined;
    out += text.slice(i, amp) + value;
    i = semi + 1;
  }
  return out + text.slice(i);
}

/** What {@link readFlatXml} found: the root's local name and its simple children's text. */
export interface FlatXml {
  root: string;
  fields: Map<string, string | null>;
}

const NAME = /^(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)/;

/**
 * Reads a flat XML document `<Root ...><A>text</A><B i:nil="true"/>...</Root>` into the root's
 * local name and a map from each child's local name to its text (`null` for an empty or nil
 * element). Children that have children of their own are kept as `''`. Returns a reason string
 * for anything else: a DOCTYPE, an unknown entity, unbalanced tags, more than `maxFields`
 * children. One linear pass, no recursion.
 */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: a single-pass state machine over the flat request XML (no recursion, bounded fields)
export function readFlatXml(text: string, maxFields = 256): FlatXml | string {
  let i = 0;
  const n = text.length;
  const skipSpace = () => {
    while (i < n && /\s/.test(text[i]!)) i++;
  };
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  // Prolog: an XML declaration, comments, processing instructions.
  for (;;) {
    skipSpace();
    if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i);
      if (end < 0) return 'unterminated processing instruction';
      i = end + 2;
    } else if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i);
      if (end < 0) return 'unterminated comment';
      i = end + 3;
    } else if (text.startsWith('<!', i)) {
      return 'a DOCTYPE or declaration is not accepted';
    } else break;
  }
  if (text[i] !== '<') return 'expected the root element';
  const rootMatch = NAME.exec(text.slice(i + 1, i + 257));
  if (!rootMatch) return 'expected the root element name';
  const root = rootMatch[1]!;
  const rootEnd = text.indexOf('>', i);
  if (rootEnd < 0) return 'unterminated root tag';
  const fields = new Map<string, string | null>();
  if (text[rootEnd - 1] === '/') {
    i = rootEnd + 1;
    skipSpace();
    return i === n ? { root, fields } : 'content after the root element';
  }
  i = rootEnd + 1;
  let depth = 1;
  let current: { name: string; start: number; nested: boolean } | undefined;
  while (i < n) {
    const lt = text.indexOf('<', i);
    if (lt < 0) return 'unterminated root element';
    i = lt;
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i);
      if (end < 0) return 'unterminated comment';
      i = end + 3;
      continue;
    }
    if (text.startsWith('<![CDATA[', i)) return 'CDATA is not accepted here';
    if (text.startsWith('<!', i) || text.startsWith('<?', i)) return 'unexpected declaration';
    const gt = text.indexOf('>', i);
    if (gt < 0) return 'unterminated tag';
    const closing = text[i + 1] === '/';
    const selfClosing = !closing && text[gt - 1] === '/';
    const match = NAME.exec(text.slice(i + (closing ? 2 : 1), i + 258));
    if (!match) return 'expected an element name';
    const name = match[1]!;
    if (closing) {
      depth--;
      if (depth === 0) {
        if (name !== root) return `the root element ${root} is closed as ${name}`;
        i = gt + 1;
        skipSpace();
        return i === n ? { root, fields } : 'content after the root element';
      }
      if (depth === 1 && current) {
        if (name !== current.name) return `element ${current.name} is closed as ${name}`;
        if (current.nested) fields.set(name, '');
        else {
          const value = unescapeText(text.slice(current.start, i));
          if (value === undefined) return `an unknown entity in ${name}`;
          fields.set(name, value === '' ? null : value);
        }
        current = undefined;
      }
      i = gt + 1;
      continue;
    }
    if (depth === 1) {
      if (fields.size >= maxFields) return `more than ${maxFields} fields`;
      if (selfClosing) fields.set(name, null);
      else current = { name, start: gt + 1, nested: false };
    } else if (current) current.nested = true;
    if (!selfClosing) depth++;
    if (depth > 32) return 'nested too deeply';
    i = gt + 1;
  }
  return 'unterminated root element';
}
