// Field tables: each status document type is described once, as data (key -> how to read it),
// and one reader walks a table. So every parser reads strings, dates, integers, nested objects
// and unknown fields (`extra`) the same way, and reports a bad value at its offset; the key list
// that decides what goes to `extra` is the table itself, so the two cannot disagree.

import { type BodyInput, decodeBody } from '../core/body.js';
import { extraFields, type JsonPathStep, parseJsonDocument } from '../core/json.js';
import { checkJsonDepth } from '../core/json-depth.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { limitOption, optionsObject, textOption } from '../core/options.js';
import { isErrorStatus, isResponseLike, type ResponseLike, readWhole, signalOf } from '../core/source.js';
import { BatchwireServiceError } from '../faults/error.js';
import { parseFault } from '../faults/parse.js';
import { headerValue } from '../faults/retry.js';
import type { BatchListPage } from './batch-types.js';
import { DocumentReader } from './read.js';
import type { StatusParseOptions } from './types.js';

/** How one field is read: a scalar kind, a nested table, a list of either, or kept raw. */
export type FieldKind = 'string' | 'date' | 'int' | 'boolean' | 'raw' | FieldTable | ListOf;

/** The fields of one object type, in the order they appear in the result. */
export interface FieldTable {
  readonly [key: string]: FieldKind;
}

/** A JSON array whose elements are read as `element`. */
class ListOf {
  constructor(readonly element: 'string' | FieldTable) {}
}

/** A list field: a JSON array whose elements are read as `element`. */
export const list = (element: 'string' | FieldTable): ListOf => new ListOf(element);

// Tables whose unknown fields are dropped rather than kept under `extra`.
const CLOSED = new WeakSet<FieldTable>();

/** Marks `table` as keeping no `extra`: its unknown fields are dropped. */
export function closed(table: FieldTable): FieldTable {
  CLOSED.add(table);
  return table;
}

/** A table as the reader walks it: its keys and kinds in order, and what `extra` leaves out. */
interface Compiled {
  keys: string[];
  kinds: FieldKind[];
  /** The known keys, or undefined for a closed table (no `extra`). */
  known: ReadonlySet<string> | undefined;
}

// Computed once per table: the walk then does no Object.keys, set building or lookups per item.
const COMPILED = new WeakMap<FieldTable, Compiled>();
function compiled(table: FieldTable): Compiled {
  let c = COMPILED.get(table);
  if (!c) {
    const keys = Object.keys(table);
    c = {
      keys,
      kinds: keys.map((key) => table[key]!),
      known: CLOSED.has(table) ? undefined : new Set(keys),
    };
    COMPILED.set(table, c);
  }
  return c;
}

function readList(
  reader: DocumentReader,
  source: Record<string, unknown>,
  key: string,
  kind: ListOf,
  path: JsonPathStep[],
): unknown[] | undefined {
  const entries = reader.array(source, key, path);
  if (entries === undefined) return undefined;
  const element = kind.element;
  return entries.map((entry, i) => {
    const at = [...path, key, i];
    if (element === 'string') {
      if (typeof entry !== 'string') reader.fail(at, `expected a string, got ${typeof entry}`);
      return entry;
    }
    return readTable(reader, reader.object(entry, at), at, element);
  });
}

function readValue(
  reader: DocumentReader,
  source: Record<string, unknown>,
  key: string,
  kind: FieldKind,
  path: JsonPathStep[],
): unknown {
  switch (kind) {
    case 'string':
      return reader.string(source, key, path);
    case 'date':
      return reader.date(source, key, path);
    case 'int':
      return reader.integer(source, key, path);
    case 'boolean': {
      const value = Object.hasOwn(source, key) ? source[key] : undefined;
      if (value === undefined || value === null) return undefined;
      if (typeof value !== 'boolean')
        reader.fail([...path, key], `expected true or false, got ${typeof value}`);
      return value;
    }
    case 'raw': {
      const value = Object.hasOwn(source, key) ? source[key] : undefined;
      return value === null ? undefined : value;
    }
    default: {
      if (kind instanceof ListOf) return readList(reader, source, key, kind, path);
      const child = reader.child(source, key, path);
      return child === undefined ? undefined : readTable(reader, child, [...path, key], kind);
    }
  }
}

/**
 * Reads the fields of `table` out of `source`: absent and `null` fields are left out, a value of
 * the wrong type is `MALFORMED_DOCUMENT` at its offset, and the fields the table does not name
 * go under `extra` (a null-prototype object) unless the table is {@link closed}.
 */
export function readTable(
  reader: DocumentReader,
  source: Record<string, unknown>,
  path: JsonPathStep[],
  table: FieldTable,
): Record<string, unknown> {
  const { keys, kinds, known } = compiled(table);
  const out: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) {
    const value = readValue(reader, source, keys[i]!, kinds[i]!, path);
    // The keys are the tables' own (never __proto__), so plain assignment is safe here.
    if (value !== undefined) out[keys[i]!] = value;
  }
  if (known === undefined) return out;
  const extra = extraFields(source, known);
  if (extra !== undefined) out.extra = extra;
  return out;
}

/** The options of every status parser, checked. */
export interface StatusSettings {
  contentType: string | undefined;
  maxBodyBytes: number;
  maxJsonDepth: number;
}

/**
 * Checks a status parser's options: not an object, or a value of the wrong type, is
 * `INVALID_ARGUMENT` naming `what` (the function).
 */
export function statusOptions(options: StatusParseOptions | undefined, what: string): StatusSettings {
  const o = optionsObject(options, what);
  return {
    contentType: textOption(o, 'contentType', what),
    // maxBodyBytes, the DEFAULT_LIMITS name; maxBytes, its older alias.
    maxBodyBytes: limitOption(
      o,
      'maxBodyBytes',
      limitOption(o, 'maxBytes', DEFAULT_LIMITS.maxBodyBytes, what),
      what,
    ),
    maxJsonDepth: limitOption(o, 'maxJsonDepth', DEFAULT_LIMITS.maxJsonDepth, what),
  };
}

/**
 * A status parser given a fetch `Response`: a non-2xx status is a `BatchwireServiceError` with
 * the parsed fault (as `paginate` answers it); otherwise the body, read up to `maxBodyBytes`
 * (`LIMIT_EXCEEDED` past it, the rest cancelled), is parsed with the response's content-type.
 */
export async function parseResponse<R>(
  response: ResponseLike,
  options: StatusParseOptions | undefined,
  what: string,
  parse: (body: BodyInput, options: StatusParseOptions) => R,
): Promise<R> {
  const settings = statusOptions(options, what);
  const signal = signalOf(options);
  let status: unknown;
  let headers: unknown;
  try {
    status = response.status;
    headers = response.headers;
  } catch {
    // A response whose getters throw: read as one without a status, a fault.
  }
  if (isErrorStatus(status)) {
    const read = signal === undefined ? {} : { signal };
    throw new BatchwireServiceError(
      await parseFault(response, { ...read, maxBodyBytes: settings.maxBodyBytes }),
    );
  }
  const body = await readWhole(response, settings.maxBodyBytes, { signal });
  const contentType = settings.contentType ?? headerValue(headers as Headers | undefined, 'content-type');
  return parse(body, {
    maxBodyBytes: settings.maxBodyBytes,
    maxJsonDepth: settings.maxJsonDepth,
    ...(contentType === undefined ? {} : { contentType }),
  });
}

/** True when a status parser was handed a fetch `Response` (or an object shaped like one). */
export function isResponse(body: unknown): body is ResponseLike {
  return isResponseLike(body);
}

/** Decodes, depth-checks and parses a JSON status document; `what` names it in errors. */
export function readDocument(
  body: BodyInput,
  settings: StatusSettings,
  what: string,
): { reader: DocumentReader; root: Record<string, unknown> } {
  const decoded = decodeBody(body, settings.contentType, settings.maxBodyBytes);
  checkJsonDepth(decoded, settings.maxJsonDepth, what);
  const value = parseJsonDocument(decoded, what);
  const reader = new DocumentReader(decoded, what);
  return { reader, root: reader.object(value, []) };
}

/** An error body where a document was expected: the caller learns what the service said. */
export function serviceError(body: BodyInput, settings: StatusSettings): BatchwireServiceError {
  return new BatchwireServiceError(parseFault({ body, contentType: settings.contentType }));
}

const PAGE_KEYS = new Set(['value', 'odata.nextLink', '@odata.nextLink', 'odata.metadata', '@odata.context']);

/**
 * Reads one page of an Azure Batch list (`{"value":[...],"odata.nextLink":...}`) whose items
 * `table` describes. `optionsWhat` names the function in option errors, `what` the document in
 * parse errors. An Azure Batch error body is a `BatchwireServiceError`.
 */
export function readListPage<T>(
  body: BodyInput | ResponseLike,
  options: StatusParseOptions | undefined,
  optionsWhat: string,
  what: string,
  table: FieldTable,
): BatchListPage<T> | Promise<BatchListPage<T>> {
  if (isResponse(body)) {
    return parseResponse(
      body,
      options,
      optionsWhat,
      (b, o) => readListPage<T>(b, o, optionsWhat, what, table) as BatchListPage<T>,
    );
  }
  const settings = statusOptions(options, optionsWhat);
  const { reader, root } = readDocument(body, settings, what);
  if (!Object.hasOwn(root, 'value') && (Object.hasOwn(root, 'code') || Object.hasOwn(root, 'odata.error'))) {
    throw serviceError(body, settings);
  }
  const values = reader.array(root, 'value', []);
  if (values === undefined) return reader.fail([], 'the body has no "value" array');
  const items: T[] = [];
  for (let i = 0; i < values.length; i++) {
    items.push(readTable(reader, reader.object(values[i], ['value', i]), ['value', i], table) as T);
  }
  const page: BatchListPage<T> = { items };
  const nextLink = reader.string(root, 'odata.nextLink', []) ?? reader.string(root, '@odata.nextLink', []);
  if (nextLink !== undefined && nextLink !== '') page.nextLink = nextLink;
  const metadata = reader.string(root, 'odata.metadata', []) ?? reader.string(root, '@odata.context', []);
  if (metadata !== undefined) page.metadata = metadata;
  const extra = extraFields(root, PAGE_KEYS);
  if (extra !== undefined) page.extra = extra;
  return page;
}
