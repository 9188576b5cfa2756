// Reading the small success documents that have no codec of their own in batchwire (JSON
// documents, WebSessionInfo and Get Clusters XML): a refusal is a BatchwireError, as from the
// codecs, so an undecodable answer is reported the same way whatever the format. XML goes
// through the codecs' own feed (core/xml.ts), with limits: a backend's answer is hostile input.
import { decodeBody } from '../core/body.js';
import { BatchwireError, isBatchwireError } from '../core/errors.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { detach, XmlFeed } from '../core/xml.js';

function malformed(message: string, offset = 0): BatchwireError {
  return new BatchwireError('MALFORMED_DOCUMENT', message, offset);
}

/** Parses a JSON body (UTF-8 or UTF-16 by BOM or charset). */
export function readJson(body: Uint8Array, contentType: string | undefined): unknown {
  const { text } = decodeBody(body, contentType, DEFAULT_LIMITS.maxBodyBytes);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw malformed(`not JSON: ${(error as Error).message}`);
  }
}

/** A JSON object, or a `MALFORMED_DOCUMENT` naming what it should have been. */
export function readJsonObject(
  body: Uint8Array,
  contentType: string | undefined,
  what: string,
): Record<string, unknown> {
  const value = readJson(body, contentType);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw malformed(`${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

/** The elements of a small XML document: the root's local name and each element's text, in document order. */
export interface XmlOutline {
  root: string;
  elements: { name: string; depth: number; text: string }[];
}

/**
 * Limits on the XML answers the runner reads whole. WebSessionInfo and Get Clusters hold a few
 * short fields: a backend that sends more is refused (`LIMIT_EXCEEDED`, reported as an
 * undecodable answer) before its outline grows out of proportion to what the runner needs.
 */
export const OUTLINE_LIMITS = Object.freeze({
  /** Largest body, in bytes (characters for string input). */
  maxBytes: DEFAULT_LIMITS.maxBodyBytes,
  /** Deepest element nesting, the root counted as 1. */
  maxDepth: DEFAULT_LIMITS.maxDepth,
  /** Longest text of one element, in characters. */
  maxTextLength: 1024 * 1024,
  /** Most elements in one document. */
  maxElements: 65_536,
});

type OutlineElement = XmlOutline['elements'][number];

/**
 * Reads a small XML document into an outline: strictly (no DOCTYPE, `DOCTYPE_FORBIDDEN` as soon
 * as one starts; only the five XML entities; namespaces checked) and within
 * {@link OUTLINE_LIMITS}. Throws the feed's BatchwireError (`XML_SYNTAX`, `DOCTYPE_FORBIDDEN`,
 * `LIMIT_EXCEEDED`, `TRUNCATED`, `INVALID_ENCODING`) with its offset.
 */
export function readXmlOutline(body: Uint8Array, contentType: string | undefined): XmlOutline {
  const decoded = decodeBody(body, contentType, OUTLINE_LIMITS.maxBytes);
  const outline: XmlOutline = { root: '', elements: [] };
  // The open elements, by depth - 1, and the length of each one's text so far.
  const open: OutlineElement[] = [];
  const lengths: number[] = [];
  const feed: XmlFeed = new XmlFeed(
    {
      open(name, depth) {
        if (outline.elements.length >= OUTLINE_LIMITS.maxElements) {
          throw feed.tagError('LIMIT_EXCEEDED', `more than ${OUTLINE_LIMITS.maxElements} elements`);
        }
        const element = { name: detach(name.slice(name.indexOf(':') + 1)), depth: depth - 1, text: '' };
        if (depth === 1) outline.root = element.name;
        outline.elements.push(element);
        open[depth - 1] = element;
        lengths[depth - 1] = 0;
      },
      close(_name, depth) {
        const element = open[depth - 1]!;
        if (element.text !== '') element.text = detach(element.text);
      },
      text(text) {
        const depth = feed.depth;
        if (depth === 0) return;
        const length = lengths[depth - 1]! + text.length;
        if (length > OUTLINE_LIMITS.maxTextLength) {
          throw feed.error(
            'LIMIT_EXCEEDED',
            `the text of an element is longer than ${OUTLINE_LIMITS.maxTextLength} characters`,
          );
        }
        lengths[depth - 1] = length;
        open[depth - 1]!.text += text;
      },
    },
    { maxDepth: OUTLINE_LIMITS.maxDepth, maxTextLength: OUTLINE_LIMITS.maxTextLength },
  );
  feed.wantText = true;
  try {
    feed.parseDocument(decoded);
  } catch (error) {
    if (isBatchwireError(error)) throw error;
    // The feed promises BatchwireErrors only; should anything else escape, it is still a refusal.
    throw new BatchwireError('XML_SYNTAX', `unreadable XML: ${String((error as Error)?.message)}`, 0);
  }
  return outline;
}

/** The text of the first element named `name` at `depth` (1 = a child of the root), if any. */
export function xmlText(outline: XmlOutline, name: string, depth?: number): string | undefined {
  return outline.elements.find((e) => e.name === name && (depth === undefined || e.depth === depth))?.text;
}
