// The little XML the emulator writes and reads itself: escaping for the fault and session
// documents it writes, and a reader for the flat WebSessionStartInfo body of Create Session on
// the codecs' own XML feed (core/xml.ts). Message arrays, the hard part, go through batchwire/soap.
import { decodeBody } from '../core/body.js';
import { isBatchwireError } from '../core/errors.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { detach, ElementText, XmlFeed } from '../core/xml.js';

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

/** What {@link readFlatXml} found: the root's local name and its simple children's text. */
export interface FlatXml {
  root: string;
  fields: Map<string, string | null>;
}

/** Deepest nesting a flat request document may have, the root counted as 1. */
const FLAT_MAX_DEPTH = 32;

function localName(name: string): string {
  return detach(name.slice(name.indexOf(':') + 1));
}

/**
 * Reads a flat XML document `<Root ...><A>text</A><B i:nil="true"/>...</Root>` into the root's
 * local name and a map from each child's local name to its text (`null` for an empty or nil
 * element). Children that have children of their own are kept as `''`. The body is decoded as
 * the codecs decode XML (byte order mark, `contentType`'s charset, the declaration) and read by
 * the codecs' strict feed. Returns a reason string for anything else: XML that is not
 * well-formed, a DOCTYPE, an unknown entity, more than `maxFields` children, nesting deeper
 * than 32, bytes that are not UTF-8 or UTF-16.
 */
export function readFlatXml(
  body: string | Uint8Array,
  contentType?: string,
  maxFields = 256,
): FlatXml | string {
  let root = '';
  const fields = new Map<string, string | null>();
  let field = '';
  let nested = false;
  let collected: ElementText | undefined;
  const feed: XmlFeed = new XmlFeed(
    {
      open(name, depth) {
        if (depth === 1) root = localName(name);
        else if (depth === 2) {
          if (fields.size >= maxFields)
            throw feed.tagError('LIMIT_EXCEEDED', `more than ${maxFields} fields`);
          field = localName(name);
          nested = false;
          collected!.start(2);
        } else nested = true;
      },
      close(_name, depth) {
        if (depth !== 2) return;
        if (nested) {
          collected!.stop();
          fields.set(field, '');
        } else {
          const value = collected!.take();
          fields.set(field, value === '' ? null : value);
        }
      },
      text(text) {
        collected!.add(text);
      },
    },
    { maxDepth: FLAT_MAX_DEPTH, maxTextLength: DEFAULT_LIMITS.maxTextLength },
  );
  collected = new ElementText(feed, DEFAULT_LIMITS.maxTextLength);
  try {
    feed.parseDocument(decodeBody(body, contentType, Number.MAX_SAFE_INTEGER));
  } catch (error) {
    if (!isBatchwireError(error)) throw error;
    const where =
      error.line === undefined ? `offset ${error.offset}` : `line ${error.line}, column ${error.column}`;
    return `${error.message} (${error.code}, ${where})`;
  }
  return { root, fields };
}
