import type { BodyInput } from '../core/body.js';
import { BatchwireError } from '../core/errors.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { limitOption, optionsObject, optionValue } from '../core/options.js';
import { isResponseLike, type ResponseLike, readWhole, signalOption, untilAborted } from '../core/source.js';
import { BatchwireServiceError } from '../faults/error.js';
import { parseFault } from '../faults/parse.js';
import { type HeadersInput, headerValue } from '../faults/retry.js';
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
 * The caller's transport: fetch the first page (no argument) or the page at `nextLink` (give
 * `fetch` the same `signal` as `paginate`, so an abort also stops the request in flight).
 */
export type FetchPage = (nextLink?: string) => PageResult | Promise<PageResult>;

/** Turns a page body into its items and the link to the next page. */
export type PageParser<T> = (
  body: BodyInput,
  options?: StatusParseOptions,
) => { items: readonly T[]; nextLink?: string | undefined };

/** Options of {@link paginate}. */
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
   * The first page's URL (the descriptor's `url`). Links must stay on its origin. Without it,
   * the origin is the first page's `Response.url`, else that of the first absolute link.
   */
  url?: string;
  /** Other origins (`https://host:port`, or URLs whose origin is meant) a link may point to. */
  allowedOrigins?: readonly string[];
  /** Aborting it stops the paging at once: the iteration rejects with the signal's reason. */
  signal?: AbortSignal;
}

const WHAT = 'paginate';

function invalid(message: string): BatchwireError {
  return new BatchwireError('INVALID_ARGUMENT', `${WHAT}: ${message}`, 0);
}

function malformed(message: string): BatchwireError {
  return new BatchwireError('MALFORMED_DOCUMENT', message, 0);
}

function originOf(text: string): string | undefined {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A 64-bit digest of a link (two independent 32-bit lanes), so a seen-link set costs 16
 * characters per page whatever the links' length, and lookups do not depend on how the engine
 * hashes long strings (some hash only a string's length past a size, making a Set quadratic).
 */
function digest(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x3b9aca07 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 13;
  }
  // Final avalanche of each lane.
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 13;
  b ^= b >>> 16;
  b = Math.imul(b, 0xc2b2ae35);
  b ^= b >>> 16;
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

function isBody(value: unknown): value is BodyInput {
  return typeof value === 'string' || value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

function isHttpPage(value: unknown): value is HttpPage | ResponseLike {
  if (isResponseLike(value)) return true;
  return (
    typeof value === 'object' && value !== null && typeof (value as { status?: unknown }).status === 'number'
  );
}

interface PageRead {
  body: BodyInput;
  contentType?: string | undefined;
  url?: string | undefined;
}

async function readBody(
  body: unknown,
  limit: number,
  truncate: boolean,
  signal: AbortSignal | undefined,
): Promise<BodyInput> {
  if (body === null || body === undefined) return '';
  if (isBody(body)) return body;
  if (typeof body === 'object') {
    return await readWhole(body as ReadableStream<Uint8Array>, limit, { truncate, signal });
  }
  throw invalid(`a page body must be text, bytes or a stream, got ${typeof body}`);
}

/** The page `fetchPage` returned, as a body: an error status becomes a BatchwireServiceError. */
async function readPage(result: unknown, limit: number, signal: AbortSignal | undefined): Promise<PageRead> {
  if (isBody(result)) return { body: result };
  if (!isHttpPage(result)) {
    throw invalid(
      'fetchPage must return the body (text or bytes), a fetch Response or { status, headers, body }',
    );
  }
  const page = result as HttpPage;
  const status = page.status;
  const headers = page.headers;
  const url = typeof page.url === 'string' && page.url !== '' ? page.url : undefined;
  if (!Number.isInteger(status) || status < 200 || status > 299) {
    // An error response, whatever its body (Batch JSON, an HTML 502 page, nothing): a fault with
    // the status and Retry-After, its body read only as far as the limit.
    const body = await readBody(page.body, limit, true, signal).catch((error: unknown) => {
      if (signal?.aborted) throw error;
      return '';
    });
    const fault = parseFault({ status: Number.isInteger(status) ? status : undefined, headers, body });
    throw new BatchwireServiceError(fault);
  }
  const body = await readBody(page.body, limit, false, signal);
  const contentType = headerValue(headers, 'content-type');
  return { body, contentType, url };
}

/** The caller's allowed origins, normalised. */
function allowedOriginsOf(value: unknown): Set<string> {
  const origins = new Set<string>();
  if (value === undefined) return origins;
  if (!Array.isArray(value)) throw invalid('allowedOrigins must be a list of origins');
  for (const entry of value) {
    const origin = typeof entry === 'string' ? originOf(entry) : undefined;
    if (origin === undefined)
      throw invalid(
        `allowedOrigins: ${JSON.stringify(String(entry).slice(0, 100))} is not an http(s) origin`,
      );
    origins.add(origin);
  }
  return origins;
}

/** Where links may go: the first request's origin (once known) and the caller's extra origins. */
class LinkPolicy {
  private base: URL | undefined;

  constructor(
    first: string | undefined,
    private readonly allowed: ReadonlySet<string>,
  ) {
    if (first !== undefined) this.pin(first);
  }

  get pinned(): boolean {
    return this.base !== undefined;
  }

  pin(url: string): void {
    if (this.base !== undefined) return;
    try {
      const parsed = new URL(url);
      if (parsed.protocol === 'https:' || parsed.protocol === 'http:') this.base = parsed;
    } catch {
      // Not an absolute URL: nothing to pin to yet.
    }
  }

  /** The link to fetch: checked, and resolved when it is relative to the first request. */
  check(link: string, page: number): string {
    let absolute: URL | undefined;
    try {
      absolute = new URL(link);
    } catch {
      // Relative, or an opaque token from a custom parser.
    }
    let resolved = false;
    // A path, a query or a scheme-relative `//host` would reach a host through URL resolution.
    if (absolute === undefined && /^(?:[/\\?])/.test(link)) {
      if (this.base === undefined) {
        throw malformed(
          `page ${page} links to the relative ${JSON.stringify(link.slice(0, 200))}, and the first request's URL is unknown: pass the url option or return the Response`,
        );
      }
      absolute = new URL(link, this.base);
      resolved = true;
    }
    if (absolute === undefined) return link;
    if (absolute.protocol !== 'https:' && absolute.protocol !== 'http:') {
      throw malformed(`page ${page} links to a ${absolute.protocol} URL; only http(s) links are followed`);
    }
    if (this.base === undefined) this.base = absolute;
    const origin = absolute.origin;
    if (origin !== this.base.origin && !this.allowed.has(origin)) {
      throw malformed(
        `page ${page} links to ${origin}, not the origin of the first request (${this.base.origin}): the link is not followed (list the origin in allowedOrigins to allow it)`,
      );
    }
    // An absolute link is opaque: passed on exactly as the service wrote it.
    return resolved ? absolute.href : link;
  }
}

/**
 * Yields every item of a paged list, one by one: calls `fetchPage()` for the first page, then
 * `fetchPage(nextLink)` for each `odata.nextLink`, until a page has none. Stop early by breaking
 * out of the loop: no further page is fetched.
 *
 * `fetchPage` may return the body, or the response itself (a fetch `Response`, or
 * `{ status, headers, body }`): then a non-2xx status is a {@link BatchwireServiceError} whose
 * `status`, `retryAfterMs` and `fault` say what the service answered (a `ServerBusy` page, an
 * HTML 502), instead of a parse error.
 *
 * Links are followed only on the first request's origin (from `url`, else the first
 * `Response.url`, else the first absolute link) or one in `allowedOrigins`, so a page cannot send
 * the caller's credentials elsewhere. A link seen before (a loop), a link longer than
 * `maxLinkLength` and more than `maxPages` pages end the iteration with an error; memory stays
 * bounded (a 16-character digest per page, never the links themselves).
 *
 * @throws {@link BatchwireServiceError} for an error response; {@link BatchwireError}
 *   `MALFORMED_DOCUMENT` (a repeated link, a link to another origin or scheme, a bad page),
 *   `LIMIT_EXCEEDED` (`maxPages`, `maxLinkLength`, `maxBodyBytes`), `INVALID_ARGUMENT`; the
 *   signal's reason on abort; whatever `fetchPage` throws
 * @example
 * ```ts
 * import { paginate, parseJobListPage } from 'batchwire/status';
 * import { azureBatch } from 'batchwire/requests';
 * const first = azureBatch.listJobs({ baseUrl, apiVersion: '2025-06-01', filter: "state eq 'active'" });
 * const signal = AbortSignal.timeout(60_000);
 * for await (const job of paginate(
 *   (link) => fetch(link ?? first.url, { signal, headers: { ...first.headers, authorization } }),
 *   { parse: parseJobListPage, url: first.url, signal },
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
  if (typeof fetchPage !== 'function') throw invalid('needs a fetchPage function');
  const read = optionsObject(options, WHAT);
  const parseOption = optionValue(read, 'parse', WHAT);
  if (parseOption !== undefined && typeof parseOption !== 'function')
    throw invalid('parse must be a function');
  const parse = (parseOption ?? parseJobPrepReleaseStatusPage) as PageParser<T>;
  const maxPages = limitOption(read, 'maxPages', DEFAULT_LIMITS.maxPages, WHAT);
  const maxLinkLength = limitOption(read, 'maxLinkLength', DEFAULT_LIMITS.maxLinkLength, WHAT);
  const maxBodyBytes = limitOption(read, 'maxBodyBytes', DEFAULT_LIMITS.maxBodyBytes, WHAT);
  const first = optionValue(read, 'url', WHAT);
  if (first !== undefined && (typeof first !== 'string' || originOf(first) === undefined))
    throw invalid('url must be the absolute http(s) URL of the first page');
  const policy = new LinkPolicy(
    first as string | undefined,
    allowedOriginsOf(optionValue(read, 'allowedOrigins', WHAT)),
  );
  const signal = signalOption(optionValue(read, 'signal', WHAT));
  const seen = new Set<string>();
  if (typeof first === 'string') seen.add(digest(first));
  const rawMaxBody = optionValue(read, 'maxBodyBytes', WHAT);
  let link: string | undefined;
  for (let pages = 1; ; pages++) {
    signal?.throwIfAborted();
    const call = link === undefined ? fetchPage() : fetchPage(link);
    const result = signal === undefined ? await call : await untilAborted(Promise.resolve(call), signal);
    const page = await readPage(result, maxBodyBytes, signal);
    if (pages === 1 && page.url !== undefined && !policy.pinned) {
      policy.pin(page.url);
      seen.add(digest(page.url));
    }
    const parseOptions: StatusParseOptions = {};
    if (page.contentType !== undefined) parseOptions.contentType = page.contentType;
    if (rawMaxBody !== undefined) parseOptions.maxBodyBytes = maxBodyBytes;
    const parsed = Object.keys(parseOptions).length === 0 ? parse(page.body) : parse(page.body, parseOptions);
    for (const item of parsed.items) {
      signal?.throwIfAborted();
      yield item;
    }
    const next = parsed.nextLink;
    if (next === undefined || next === null || next === '') return;
    if (typeof next !== 'string') throw malformed(`page ${pages} has a nextLink that is not a string`);
    if (next.length > maxLinkLength) {
      throw new BatchwireError(
        'LIMIT_EXCEEDED',
        `page ${pages} links to a URL of ${next.length} characters, longer than maxLinkLength (${maxLinkLength})`,
        0,
      );
    }
    const target = policy.check(next, pages);
    const key = digest(target);
    if (seen.has(key)) {
      throw malformed(
        `page ${pages} links to ${JSON.stringify(target.slice(0, 200))}, a page already fetched: the list would never end`,
      );
    }
    if (pages >= maxPages) {
      throw new BatchwireError('LIMIT_EXCEEDED', `more than maxPages (${maxPages}) pages`, 0);
    }
    seen.add(key);
    link = target;
  }
}
