// The listing machinery behind paginate and paginatePages: options read once, each page fetched
// (again after a retriable fault, with `retry`), read and parsed, and each link resolved and
// checked before it is handed out.

import { isBatchwireServiceError } from '../core/batchwire-error.js';
import type { BodyInput } from '../core/body.js';
import { BatchwireError, invalidArgument } from '../core/errors.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { limitOption } from '../core/options.js';
import { isResponseLike, type ResponseLike, readWhole, signalOption, untilAborted } from '../core/source.js';
import { BatchwireServiceError } from '../faults/error.js';
import {
  awaitable,
  checkSource,
  functionOption,
  guarded,
  isBodyValue,
  snapshotOptions,
  statusOf,
} from '../faults/guard.js';
import { type HeadersInput, headerValue } from '../faults/retry.js';
import {
  delayOf,
  faultOfResponse,
  isSuccess,
  type RetrySettings,
  retrySettings,
  waitFor,
} from '../faults/retry-policy.js';
import { allowedOriginsOf, digest, LinkPolicy, originOf, withMaxResults } from './links.js';
import type { FetchPage, HttpPage, PageParser, PageRequest, PaginatedPage } from './paginate-types.js';
import { parseJobPrepReleaseStatusPage } from './parse.js';
import type { StatusParseOptions } from './types.js';

const KEYS = [
  'parse',
  'maxPages',
  'maxLinkLength',
  'maxBodyBytes',
  'url',
  'allowedOrigins',
  'startAt',
  'maxPageSize',
  'retry',
  'signal',
];

const isBody = isBodyValue as (value: unknown) => value is BodyInput;

function isHttpPage(value: unknown): value is HttpPage | ResponseLike {
  return isResponseLike(value) || statusOf(value) !== undefined;
}

interface PageRead {
  body: BodyInput;
  status: number | undefined;
  headers: HeadersInput | undefined;
  contentType?: string | undefined;
  url?: string | undefined;
}

/** The page `fetchPage` returned, as a body: an error status becomes a BatchwireServiceError. */
async function readPage(
  result: unknown,
  limit: number,
  signal: AbortSignal | undefined,
  what: string,
): Promise<PageRead> {
  if (isBody(result)) return { body: result, status: undefined, headers: undefined };
  if (!isHttpPage(result)) {
    throw invalidArgument(
      `${what}: fetchPage must return the body (text or bytes), a fetch Response or { status, headers, body }`,
    );
  }
  const { status, headers, url, body } = guarded(what, () => {
    const page = result as HttpPage;
    return { status: page.status, headers: page.headers, url: page.url, body: page.body };
  });
  // An error response, whatever its body (Batch JSON, an HTML 502 page, nothing): a fault with
  // the status and Retry-After, its body read only as far as the limit.
  if (!isSuccess(status)) throw new BatchwireServiceError(await faultOfResponse(result, signal, limit));
  let text: BodyInput = '';
  if (isBody(body)) text = body;
  else if (body !== null && body !== undefined) {
    if (typeof body !== 'object')
      throw invalidArgument(`${what}: a page body must be text, bytes or a stream, got ${typeof body}`);
    checkSource(body, what);
    text = await readWhole(body as ReadableStream<Uint8Array>, limit, { signal });
  }
  return {
    body: text,
    status,
    headers,
    contentType: headerValue(headers, 'content-type'),
    url: typeof url === 'string' && url !== '' ? url : undefined,
  };
}

/** The first page's URL and the request every page copies (method and headers). */
function firstRequestOf(value: unknown, what: string): { url?: string; template: PageRequest } {
  const template: PageRequest = { method: 'GET', url: '', headers: {} };
  if (value === undefined) return { template };
  const checkUrl = (url: unknown): string => {
    if (typeof url !== 'string' || originOf(url) === undefined)
      throw invalidArgument(
        `${what}: url must be the absolute http(s) URL of the first page, or its request`,
      );
    return url;
  };
  if (typeof value === 'string') return { url: checkUrl(value), template };
  if (typeof value !== 'object' || value === null) return { url: checkUrl(value), template };
  return guarded(what, () => {
    const { method, url, headers } = value as Partial<PageRequest>;
    if (method !== undefined && typeof method !== 'string')
      throw invalidArgument(`${what}: url.method must be a string`);
    template.method = method ?? 'GET';
    if (headers !== undefined && headers !== null) {
      if (typeof headers !== 'object') throw invalidArgument(`${what}: url.headers must be a record`);
      for (const name of Object.keys(headers)) {
        const header = (headers as Record<string, unknown>)[name];
        if (typeof header !== 'string') throw invalidArgument(`${what}: header ${name} must be a string`);
        // defineProperty: a header named __proto__ stays an ordinary key.
        Object.defineProperty(template.headers, name, { value: header, enumerable: true, writable: true });
      }
    }
    return { url: checkUrl(url), template };
  });
}

interface Settings<T> {
  parse: PageParser<T>;
  maxPages: number;
  maxLinkLength: number;
  maxBodyBytes: number;
  rawMaxBody: boolean;
  first: string | undefined;
  template: PageRequest;
  policy: LinkPolicy;
  startAt: string | undefined;
  maxPageSize: number | undefined;
  retry: RetrySettings | undefined;
  signal: AbortSignal | undefined;
}

export function settingsOf<T>(options: unknown, what: string): Settings<T> {
  const read = snapshotOptions(options, what, KEYS);
  return guarded(what, () => {
    const parse = functionOption<PageParser<T>>(read, 'parse', what);
    const { url: first, template } = firstRequestOf(read.url, what);
    const startAt = read.startAt;
    if (startAt !== undefined && typeof startAt !== 'string')
      throw invalidArgument(`${what}: startAt must be a link (a string)`);
    const maxPageSize = read.maxPageSize;
    if (
      maxPageSize !== undefined &&
      (typeof maxPageSize !== 'number' ||
        !Number.isInteger(maxPageSize) ||
        maxPageSize < 1 ||
        maxPageSize > 1000)
    )
      throw invalidArgument(`${what}: maxPageSize must be an integer from 1 to 1000`);
    const retry = read.retry;
    if (retry !== undefined && typeof retry !== 'boolean' && typeof retry !== 'object')
      throw invalidArgument(`${what}: retry must be retry options or a boolean`);
    return {
      parse: parse ?? (parseJobPrepReleaseStatusPage as unknown as PageParser<T>),
      maxPages: limitOption(read, 'maxPages', DEFAULT_LIMITS.maxPages, what),
      maxLinkLength: limitOption(read, 'maxLinkLength', DEFAULT_LIMITS.maxLinkLength, what),
      maxBodyBytes: limitOption(read, 'maxBodyBytes', DEFAULT_LIMITS.maxBodyBytes, what),
      rawMaxBody: read.maxBodyBytes !== undefined,
      first,
      template,
      policy: new LinkPolicy(first, allowedOriginsOf(read.allowedOrigins, what)),
      startAt,
      maxPageSize: maxPageSize as number | undefined,
      retry:
        retry === undefined || retry === false ? undefined : retrySettings(retry === true ? {} : retry, what),
      signal: signalOption(read.signal),
    };
  });
}

function tooLong(where: string, link: string, max: number): BatchwireError {
  return new BatchwireError(
    'LIMIT_EXCEEDED',
    `${where} links to a URL of ${link.length} characters, longer than maxLinkLength (${max})`,
    0,
  );
}

/** A page and, when the listing cannot go on past it, why (thrown after its items). */
interface Step<T> {
  page: PaginatedPage<T>;
  failure?: unknown;
}

// The listing itself: pages in order, each link checked before it is handed out.
export async function* walk<T>(fetchPage: FetchPage, s: Settings<T>, what: string): AsyncGenerator<Step<T>> {
  const { policy, signal } = s;
  const sized = (url: string) => (s.maxPageSize === undefined ? url : withMaxResults(url, s.maxPageSize));
  const requestFor = (url: string): PageRequest => ({
    ...s.template,
    headers: { ...s.template.headers },
    url,
  });
  const seen = new Set<string>();
  // The URL of the page being fetched (undefined: the first page, its URL unknown yet).
  let current = s.first === undefined ? undefined : new URL(s.first).href;
  let link: string | undefined;
  if (s.startAt !== undefined) {
    if (s.startAt.length > s.maxLinkLength) throw tooLong('startAt', s.startAt, s.maxLinkLength);
    current = policy.resolve(s.startAt, undefined, 'startAt');
    link = current;
  }
  if (current !== undefined) seen.add(digest(current));
  for (let pages = 1; ; pages++) {
    const url = current === undefined ? undefined : sized(current);
    const load = async () => {
      const call = fetchPage(
        link === undefined ? undefined : sized(link),
        url === undefined ? undefined : requestFor(url),
      );
      const pending = awaitable(call, what);
      const result = signal === undefined ? await pending : await untilAborted(pending, signal);
      const page = await readPage(result, s.maxBodyBytes, signal, what);
      const options: StatusParseOptions = {};
      if (page.contentType !== undefined) options.contentType = page.contentType;
      if (s.rawMaxBody) options.maxBodyBytes = s.maxBodyBytes;
      const parsed = Object.keys(options).length === 0 ? s.parse(page.body) : s.parse(page.body, options);
      return { page, parsed };
    };
    const { page, parsed } = await withPageRetries(load, s.retry, signal);
    // The URL the page says it came from (a Response's, after redirects), when it is one.
    const pageUrl = page.url === undefined || originOf(page.url) === undefined ? undefined : page.url;
    if (pages === 1 && pageUrl !== undefined && !policy.pinned) {
      policy.pin(pageUrl);
      seen.add(digest(new URL(pageUrl).href));
    }
    const { items, nextLink: next } = guarded(what, () => {
      const list: unknown = parsed.items;
      if (!Array.isArray(list))
        throw invalidArgument(`${what}: parse must return { items: [...], nextLink? }`);
      // A copy: the items are read once, here, whatever the parser returned.
      return { items: Array.from(list as T[]), nextLink: parsed.nextLink as unknown };
    });
    const out: PaginatedPage<T> = { items, nextLink: undefined, status: page.status, headers: page.headers };
    if (next === undefined || next === null || next === '') {
      yield { page: out };
      return;
    }
    const where = `page ${pages}`;
    let target: string;
    try {
      if (typeof next !== 'string')
        throw new BatchwireError('MALFORMED_DOCUMENT', `${where} has a nextLink that is not a string`, 0);
      if (next.length > s.maxLinkLength) throw tooLong(where, next, s.maxLinkLength);
      target = policy.resolve(next, pageUrl ?? current, where);
      const key = digest(target);
      if (seen.has(key)) {
        throw new BatchwireError(
          'MALFORMED_DOCUMENT',
          `${where} links to ${JSON.stringify(target.slice(0, 200))}, a page already fetched: the list would never end`,
          0,
        );
      }
      if (pages >= s.maxPages) {
        throw new BatchwireError('LIMIT_EXCEEDED', `more than maxPages (${s.maxPages}) pages`, 0);
      }
      seen.add(key);
    } catch (failure) {
      yield { page: out, failure };
      return;
    }
    out.nextLink = sized(target);
    yield { page: out };
    current = target;
    link = target;
  }
}

/** Loads a page, again after each retriable fault when `retry` is set. */
async function withPageRetries<R>(
  load: () => Promise<R>,
  retry: RetrySettings | undefined,
  signal: AbortSignal | undefined,
): Promise<R> {
  const abort = signal ?? retry?.signal;
  for (let attempt = 1; ; attempt++) {
    abort?.throwIfAborted();
    try {
      return await load();
    } catch (error) {
      if (retry === undefined || !isBatchwireServiceError(error) || abort?.aborted) throw error;
      const delay = delayOf(error.fault, attempt + 1, retry);
      if (delay === undefined) throw error;
      retry.onRetry?.(error.fault, attempt + 1, delay);
      await waitFor(delay, abort, retry.clock);
    }
  }
}
