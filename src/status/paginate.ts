import { invalidArgument } from '../core/errors.js';
import { settingsOf, walk } from './page-walk.js';
import type { FetchPage, PageParser, PaginatedPage, PaginateOptions } from './paginate-types.js';
import type { JobPrepReleaseStatus } from './types.js';

export type {
  FetchPage,
  HttpPage,
  PageParser,
  PageRequest,
  PageResult,
  PaginatedPage,
  PaginateOptions,
} from './paginate-types.js';

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
