// The public types of paginate and paginatePages.
import type { BodyInput } from '../core/body.js';
import type { ResponseLike } from '../core/source.js';
import type { HeadersInput } from '../faults/retry.js';
import type { RetryOptions } from '../faults/retry-policy.js';
import type { StatusParseOptions } from './types.js';

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
