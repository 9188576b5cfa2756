import { BatchwireError, BatchwireErrorBase } from '../core/errors.js';
import { guarded, guardedAsync } from './guard.js';
import type { EmulatorRequest, ParsedRequest } from './plan.js';

/** Raised for a request the emulator cannot even route (a bad percent escape in the path). */
export class MalformedRequest extends Error {
  override readonly name = 'MalformedRequest';
}

/**
 * A request body over the emulator's limit: `LIMIT_EXCEEDED`, and of its own class, so a handler
 * tells it from a decoder's `LIMIT_EXCEEDED` (a record over `MaxMessageSize`) by type.
 */
export class BodyTooLarge extends BatchwireErrorBase {
  constructor(
    readonly limit: number,
    seen: number,
  ) {
    super('LIMIT_EXCEEDED', `the request body is over the limit of ${limit} bytes`, Math.min(seen, limit));
  }
}

/** A request body the service refuses for a reason of its own (a fault in a request array, say). */
export class BodyRefused extends Error {
  override readonly name = 'BodyRefused';
}

/**
 * The request the emulator answers when it cannot parse the real one (a bad path, a request
 * Node's HTTP parser refused): method and path as far as they could be read, no query, no body.
 */
export function standInRequest(
  method: unknown,
  target: unknown,
  headers: ParsedRequest['headers'] = Object.create(null),
): ParsedRequest {
  const text = typeof target === 'string' ? target : '';
  const q = text.search(/[?#]/);
  const path = (q < 0 ? text : text.slice(0, q)).slice(0, 8192);
  return {
    method: (typeof method === 'string' ? method : 'GET').toUpperCase().slice(0, 32),
    path,
    segments: path.split('/').slice(1),
    search: '',
    query: new Map(),
    headers,
    body: once(new Uint8Array(0)),
  };
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  if (bytes.length > 0) yield bytes;
}

async function* checked(source: AsyncIterable<unknown>): AsyncIterable<Uint8Array> {
  const chunks = guarded('request body', () => source[Symbol.asyncIterator]());
  for (;;) {
    const next = await guardedAsync('request body', async () => await chunks.next());
    if (next.done) return;
    const chunk = next.value;
    if (chunk instanceof Uint8Array) yield chunk;
    else if (typeof chunk === 'string') yield Buffer.from(chunk, 'utf8');
    else throw new BatchwireError('INVALID_ARGUMENT', 'a request body chunk must be bytes', 0);
  }
}

/** The request's headers by lower-case name. */
export function headerRecord(
  headers: EmulatorRequest['headers'] | NodeJS.Dict<string | string[]>,
): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  if (headers === undefined || headers === null || typeof headers !== 'object') return out;
  for (const name of Object.keys(headers)) {
    const value = (headers as Record<string, unknown>)[name];
    const text =
      typeof value === 'string'
        ? value
        : Array.isArray(value)
          ? value.filter((v) => typeof v === 'string').join(', ')
          : undefined;
    if (text !== undefined) out[name.toLowerCase()] = text;
  }
  return out;
}

/**
 * Splits a request target into the parsed parts the handlers use.
 *
 * @throws MalformedRequest for a path with a bad percent escape
 */
export function parseTarget(target: string): Pick<ParsedRequest, 'path' | 'segments' | 'search' | 'query'> {
  let path = target;
  let search = '';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      throw new MalformedRequest(`${JSON.stringify(target.slice(0, 100))} is not a valid URL`);
    }
    path = url.pathname;
    search = url.search;
  } else {
    const q = target.indexOf('?');
    if (q >= 0) {
      path = target.slice(0, q);
      search = target.slice(q);
    }
    const hash = search.indexOf('#');
    if (hash >= 0) search = search.slice(0, hash);
  }
  if (!path.startsWith('/')) path = `/${path}`;
  const segments: string[] = [];
  for (const raw of path.split('/').slice(1)) {
    try {
      segments.push(decodeURIComponent(raw));
    } catch {
      throw new MalformedRequest(
        `the path segment ${JSON.stringify(raw.slice(0, 100))} has a bad percent escape`,
      );
    }
  }
  // A trailing slash names the same resource.
  if (segments.length > 1 && segments[segments.length - 1] === '') segments.pop();
  const query = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(search)) {
    const name = key.toLowerCase();
    if (!query.has(name)) query.set(name, value);
  }
  return { path, segments, search, query };
}

/** A {@link ParsedRequest} from an {@link EmulatorRequest} (no socket involved). */
export function parseRequest(request: EmulatorRequest): ParsedRequest {
  try {
    return parseGiven(request);
  } catch (error) {
    // A bad path is the caller's to answer (a 400); anything a hostile object throws is ours to name.
    if (error instanceof MalformedRequest) throw error;
    return guarded('request', () => {
      throw error;
    });
  }
}

function parseGiven(request: EmulatorRequest): ParsedRequest {
  if (typeof request !== 'object' || request === null) {
    throw new BatchwireError('INVALID_ARGUMENT', 'expected a request object', 0);
  }
  if (typeof request.method !== 'string' || typeof request.url !== 'string') {
    throw new BatchwireError('INVALID_ARGUMENT', 'a request needs a string method and url', 0);
  }
  const headers = headerRecord(request.headers);
  let body: AsyncIterable<Uint8Array>;
  const given = request.body;
  let contentLength: number | undefined;
  if (given === undefined) body = once(new Uint8Array(0));
  else if (typeof given === 'string') {
    const bytes = Buffer.from(given, 'utf8');
    contentLength = bytes.length;
    body = once(bytes);
  } else if (given instanceof Uint8Array) {
    contentLength = given.length;
    body = once(given);
  } else if (typeof given === 'object' && given !== null && Symbol.asyncIterator in given)
    body = checked(given);
  else
    throw new BatchwireError(
      'INVALID_ARGUMENT',
      'a request body must be a string, bytes or an async iterable',
      0,
    );
  const parsed: ParsedRequest = {
    method: request.method.toUpperCase(),
    ...parseTarget(request.url),
    headers,
    body,
  };
  if (contentLength !== undefined) parsed.contentLength = contentLength;
  return parsed;
}

/** The body, whole; `LIMIT_EXCEEDED` past `limit` bytes (checked on the declared length first). */
export async function readBody(request: ParsedRequest, limit: number): Promise<Uint8Array> {
  if (request.contentLength !== undefined && request.contentLength > limit)
    throw tooLarge(limit, request.contentLength);
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of request.body) {
    total += chunk.length;
    if (total > limit) throw tooLarge(limit, total);
    parts.push(chunk);
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
}

/** The body as a stream that fails with `LIMIT_EXCEEDED` once more than `limit` bytes came. */
export async function* limitedBody(request: ParsedRequest, limit: number): AsyncIterable<Uint8Array> {
  if (request.contentLength !== undefined && request.contentLength > limit)
    throw tooLarge(limit, request.contentLength);
  let total = 0;
  for await (const chunk of request.body) {
    total += chunk.length;
    if (total > limit) throw tooLarge(limit, total);
    yield chunk;
  }
}

function tooLarge(limit: number, seen: number): BodyTooLarge {
  return new BodyTooLarge(limit, seen);
}

/** True when the request's Accept header asks for JSON rather than XML. */
export function wantsJson(request: ParsedRequest): boolean {
  const accept = (request.headers.accept ?? '').toLowerCase();
  const json = accept.indexOf('json');
  if (json < 0) return false;
  const xml = accept.indexOf('xml');
  return xml < 0 || json < xml;
}
