// Reading the small success documents that have no codec of their own in batchwire (JSON
// documents, WebSessionInfo and Get Clusters XML): a refusal is a BatchwireError, as from the
// codecs, so an undecodable answer is reported the same way whatever the format.
import { SaxesParser } from 'saxes';
import { decodeBody } from '../core/body.js';
import { BatchwireError, isBatchwireError } from '../core/errors.js';
import { DEFAULT_LIMITS } from '../core/limits.js';

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

/** Reads a small XML document (no DOCTYPE) into an outline. */
export function readXmlOutline(body: Uint8Array, contentType: string | undefined): XmlOutline {
  const { text } = decodeBody(body, contentType, DEFAULT_LIMITS.maxBodyBytes);
  const parser = new SaxesParser({ xmlns: true, position: true });
  const outline: XmlOutline = { root: '', elements: [] };
  const open: { name: string; depth: number; text: string }[] = [];
  let failure: BatchwireError | undefined;
  parser.on('error', (error) => {
    failure ??= new BatchwireError('XML_SYNTAX', error.message, parser.position);
  });
  parser.on('doctype', () => {
    failure ??= new BatchwireError('DOCTYPE_FORBIDDEN', 'a DOCTYPE in a service document', parser.position);
  });
  parser.on('opentag', (tag) => {
    const element = { name: tag.local ?? tag.name, depth: open.length, text: '' };
    if (open.length === 0) outline.root = element.name;
    outline.elements.push(element);
    open.push(element);
  });
  parser.on('text', (t) => {
    const top = open[open.length - 1];
    if (top) top.text += t;
  });
  parser.on('closetag', () => {
    open.pop();
  });
  try {
    parser.write(text).close();
  } catch (error) {
    if (isBatchwireError(error)) throw error;
    failure ??= new BatchwireError('XML_SYNTAX', (error as Error).message, parser.position);
  }
  if (failure) throw failure;
  if (outline.root === '') throw malformed('no root element');
  return outline;
}

/** The text of the first element named `name` at `depth` (1 = a child of the root), if any. */
export function xmlText(outline: XmlOutline, name: string, depth?: number): string | undefined {
  return outline.elements.find((e) => e.name === name && (depth === undefined || e.depth === depth))?.text;
}
