import type { BodyInput } from '../core/body.js';
import { BatchwireError, invalidArgument, isBatchwireServiceError } from '../core/errors.js';
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
  type RetryOptions,
  type RetrySettings,
  retrySettings,
  waitFor,
} from '../faults/retry-policy.js';
import { allowedOriginsOf, digest, LinkPolicy, originOf, withMaxResults } from './links.js';
import { parseJobPrepReleaseStatusPage } from './parse.js';
import type { JobPrepReleaseStatus, StatusParseOptions } from './types.js';

/**
 * A page as an HTTP response the caller's client produced: its status and headers decide
 * whether the body is a page or an error (`{ status, headers, body }`; a fetch `Response` is one).
 */
export interface HttpPage {
  /** The HTTP status: a 2xx body is a page, anything else an error response. */
  status: number;
  /** Response headers (for `content-type` and `Retry-After`): a `Headers` or a plain record. */
  headers?: HeadersInput;
  /** The body: text, bytes, a `ReadableStream` or an async iterable of bytes; `null` for none. */
  body?: BodyInput | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | null;
  /** The URL the page came from: for the first page, it fixes the origin links may point to. */
  url?: string;
}

/** What `fetchPage` may return: the body alone, or the response (a fetch `Response` or {@link HttpPage}). */
export type PageResult = BodyInput | ResponseLike | HttpPage;

/**
 * A page's request, described: a `RequestDescriptor` from `batchwire/requests` is one, and
 * `fetch(request.url, request)` sends it.
 */
export interface PageRequest {
  method: string;
  /** The absolute URL to fetch, checked against the pinned origin. */
  url: string;
  headers: Record<string, string>;
}

/**
 * The caller's transport: fetch the first page (no link) or the page at `nextLink`, an absolute
 * URL paginate resolved and checked. `request` describes the same page (the first request's
 * method and headers, the page's URL, `maxresults` set by `maxPageSize`) whenever its URL is
 * known. Give `fetch` the same `signal` as `paginate`, so an abort also stops the request.
 */
export type FetchPage = (nextLink?: string, request?: PageRequest) => PageResult | Promise<PageResult>;

/** Turns a page body into its items and the link to the next page. */
export type PageParser<T> = (
  body: BodyInput,
  options?: StatusParseOptions,
) => { items: readonly T[]; nextLink?: string | undefined };

/** One page, as {@link paginatePages} yields it. */
export interface PaginatedPage<T> {
  /** The page's items, as the parser read them. */
  items: readonly T[];
  /**
   * The next page's URL, absolute, resolved and checked (what `fetchPage` is given next; save it
   * and pass it as `startAt` to resume); `undefined` on the last page.
   */
  nextLink: string | undefined;
  /** The HTTP status of the page, when `fetchPage` returned a response; `undefined` for a bare body. */
  status: number | undefined;
  /** The page's response headers, when `fetchPage` returned a response. */
  headers: HeadersInput | undefined;
}

/** Options of {@link paginate} and {@link paginatePages}. */
export interface PaginateOptions<T> {
  /** How to read a page (`parseJobListPage`, `parseTaskListPage`, ...). @defaultValue `parseJobPrepReleaseStatusPage` */
  parse?: PageParser<T>;
  /** Most pages fetched before giving up with `LIMIT_EXCEEDED`. @defaultValue `DEFAULT_LIMITS.maxPages` (10 000) */
  maxPages?: number;
  /** Longest `nextLink` followed, in characters; a longer one is `LIMIT_EXCEEDED`. @defaultValue `DEFAULT_LIMITS.maxLinkLength` (8192) */
  maxLinkLength?: number;
  /** Largest page body read from a response, in bytes. @defaultValue `DEFAULT_LIMITS.maxBodyBytes` (4 MiB) */
  maxBodyBytes?: number;
  /**
   * The first page: its absolute URL, or its request descriptor (from `batchwire/requests`),
   * whose method and headers every page's `request` then carries. Links must stay on its
   * origin. Without it, the origin is that of `startAt`, else the first page's `Response.url`,
   * else that of the first absolute link.
   */
  url?: string | PageRequest;
  /** Other origins (`https://host:port`, or URLs whose origin is meant) a link may point to. */
  allowedOrigins?: readonly string[];
  /**
   * Resume a listing: a `nextLink` saved from an earlier run, fetched first instead of the first
   * page. It is resolved and checked against the pinned origin like any link.
   */
  startAt?: string;
  /**
   * Items per page: sets the `maxresults` query parameter (Azure Batch, 1 to 1000) on every URL
   * paginate hands to `fetchPage`, and on `request`. The first page needs `url` (or `startAt`)
   * for it to apply there.
   */
  maxPageSize?: number;
  /**
   * Fetch a page again after a retriable fault (a `ServerBusy` page in the middle of a listing)
   * instead of ending the listing: the options of `withRetries`, or `true` for its defaults.
   * @defaultValue no retry
   */
  retry?: RetryOptions | boolean;
  /** Aborting it stops the paging at once: the iteration rejects with the signal's reason. */
  signal?: AbortSignal;
}

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

function settingsOf<T>(options: unknown, what: string): Settings<T> {
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
async function* walk<T>(fetchPage: FetchPage, s: Settings<T>, what: string): AsyncGenerator<Step<T>> {
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

/**
 * Yields every item of a paged list, one by one: calls `fetchPage()` for the first page, then
 * `fetchPage(nextLink, request)` for each `odata.nextLink`, until a page has none. Stop early by
 * breaking out of the loop: no further page is fetched. {@link paginatePages} yields whole pages.
 *
 * `fetchPage` may return the body, or the response itself (a fetch `Response`, or
 * `{ status, headers, body }`): then a non-2xx status is a {@link BatchwireServiceError} whose
 * `status`, `retryAfterMs` and `fault` say what the service answered (a `ServerBusy` page, an
 * HTML 502), instead of a parse error. With `retry`, a retriable fault fetches the same page
 * again (after `retryDelay`) instead of ending the listing.
 *
 * Every link is resolved exactly as `new URL(link, pageUrl)` (and so `fetch`) resolves it, and
 * `fetchPage` is handed that absolute URL, so the URL checked is the URL fetched. It is followed
 * only on the first request's origin (from `url`, else `startAt`, else the first
 * `Response.url`, else the first absolute link) or one in `allowedOrigins`, over http(s), without
 * credentials in it, so a page cannot send the caller's credentials elsewhere. A link seen
 * before (a loop), a link longer than `maxLinkLength` and more than `maxPages` pages end the
 * iteration with an error after the page's items; memory stays bounded (a 16-character digest
 * per page, never the links themselves).
 *
 * `startAt` resumes a listing from a saved `nextLink`; `maxPageSize` sets `maxresults`; with a
 * request descriptor as `url`, `request` carries its method and headers to every page.
 *
 * @throws {@link BatchwireServiceError} for an error response; {@link BatchwireError}
 *   `MALFORMED_DOCUMENT` (a repeated link, a link to another origin or scheme, a bad page),
 *   `LIMIT_EXCEEDED` (`maxPages`, `maxLinkLength`, `maxBodyBytes`), `INVALID_ARGUMENT`; the
 *   signal's reason on abort; whatever `fetchPage` or `parse` throws
 * @example
 * ```ts
 * import { paginate, parseJobListPage } from 'batchwire/status';
 * import { azureBatch } from 'batchwire/requests';
 * const first = azureBatch.listJobs({ baseUrl, apiVersion: '2025-06-01', filter: "state eq 'active'" });
 * const signal = AbortSignal.timeout(60_000);
 * for await (const job of paginate(
 *   (_link, request) => fetch(request!.url, { signal, headers: { ...request!.headers, authorization } }),
 *   { parse: parseJobListPage, url: first, maxPageSize: 100, retry: true, signal },
 * )) console.log(job.id, job.state);
 * ```
 */
export function paginate(
  fetchPage: FetchPage,
  options?: PaginateOptions<JobPrepReleaseStatus> & { parse?: undefined },
): AsyncGenerator<JobPrepReleaseStatus, void, undefined>;
export function paginate<T>(
  fetchPage: FetchPage,
  options: PaginateOptions<T> & { parse: PageParser<T> },
): AsyncGenerator<T, void, undefined>;
export async function* paginate<T>(
  fetchPage: FetchPage,
  options?: PaginateOptions<T>,
): AsyncGenerator<T, void, undefined> {
  if (typeof fetchPage !== 'function') throw invalidArgument('paginate: needs a fetchPage function');
  const s = settingsOf<T>(options, 'paginate');
  for await (const { page, failure } of walk(fetchPage, s, 'paginate')) {
    for (const item of page.items) {
      s.signal?.throwIfAborted();
      yield item;
    }
    if (failure !== undefined) throw failure;
  }
}

/**
 * Yields a paged list page by page: `{ items, nextLink, status, headers }` for each, with the
 * same fetching, origin, loop, limit, retry and resume rules as {@link paginate}. `nextLink` is
 * the next page's absolute URL, already checked: save it, and pass it as `startAt` to resume the
 * listing later exactly after this page. A page whose link cannot be followed (another origin,
 * a loop, past `maxPages`) is not yielded: the iteration rejects instead, so a page with a
 * `nextLink` always has a next page to fetch and one without is the last.
 *
 * @throws as {@link paginate}
 * @example
 * ```ts
 * import { paginatePages, parseTaskListPage } from 'batchwire/status';
 * import { azureBatch } from 'batchwire/requests';
 * const first = azureBatch.listTasks({ baseUrl, apiVersion: '2025-06-01', jobId: 'job-1' });
 * let saved: string | undefined; // from an earlier run
 * for await (const page of paginatePages(
 *   (_link, request) => fetch(request!.url, { headers: { ...request!.headers, authorization } }),
 *   { parse: parseTaskListPage, url: first, maxPageSize: 500, ...(saved ? { startAt: saved } : {}) },
 * )) {
 *   console.log(page.status, page.items.length);
 *   saved = page.nextLink; // resume here after a restart
 * }
 * ```
 */
export function paginatePages(
  fetchPage: FetchPage,
  options?: PaginateOptions<JobPrepReleaseStatus> & { parse?: undefined },
): AsyncGenerator<PaginatedPage<JobPrepReleaseStatus>, void, undefined>;
export function paginatePages<T>(
  fetchPage: FetchPage,
  options: PaginateOptions<T> & { parse: PageParser<T> },
): AsyncGenerator<PaginatedPage<T>, void, undefined>;
export async function* paginatePages<T>(
  fetchPage: FetchPage,
  options?: PaginateOptions<T>,
): AsyncGenerator<PaginatedPage<T>, void, undefined> {
  if (typeof fetchPage !== 'function') throw invalidArgument('paginatePages: needs a fetchPage function');
  const s = settingsOf<T>(options, 'paginatePages');
  for await (const { page, failure } of walk(fetchPage, s, 'paginatePages')) {
    if (failure !== undefined) throw failure;
    s.signal?.throwIfAborted();
    yield page;
  }
}
