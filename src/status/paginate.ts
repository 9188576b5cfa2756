import { BatchwireError } from '../core/errors.js';
import type { BodyInput } from '../faults/body.js';
import { parseJobPrepReleaseStatusPage } from './parse.js';
import type { JobPrepReleaseStatus } from './types.js';

/** The caller's transport: fetch the first page (no argument) or the page at `nextLink`. */
export type FetchPage = (nextLink?: string) => BodyInput | Promise<BodyInput>;

/** Turns a page body into its items and the link to the next page. */
export type PageParser<T> = (body: BodyInput) => { items: readonly T[]; nextLink?: string };

/** Options of {@link paginate}. */
export interface PaginateOptions<T> {
  /** How to read a page. @defaultValue `parseJobPrepReleaseStatusPage` */
  parse?: PageParser<T>;
  /** Most pages fetched before giving up with `LIMIT_EXCEEDED`. @defaultValue 10000 */
  maxPages?: number;
}

/**
 * Yields every item of a paged list, one by one: calls `fetchPage()` for the first page, then
 * `fetchPage(nextLink)` for each `odata.nextLink`, until a page has none. A service that hands
 * out a link it handed out before would make this loop forever; that is a `MALFORMED_DOCUMENT`
 * error instead. Stop early by breaking out of the loop: no further page is fetched.
 *
 * @throws {@link BatchwireError} `MALFORMED_DOCUMENT` (a repeated link, a bad page),
 *   `LIMIT_EXCEEDED` (more than `maxPages`); whatever `fetchPage` throws
 * @example
 * ```ts
 * import { paginate } from 'batchwire/status';
 * import { azureBatch } from 'batchwire/requests';
 * const first = azureBatch.listJobPreparationAndReleaseTaskStatus({ baseUrl, jobId: 'job-1', apiVersion: '2024-07-01.20.0' });
 * for await (const item of paginate(async (link) => {
 *   const response = await fetch(link ?? first.url, { headers: { ...first.headers, authorization } });
 *   return await response.text();
 * })) console.log(item.nodeId, item.jobPreparationTaskExecutionInfo?.state);
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
  options: PaginateOptions<T> = {},
): AsyncGenerator<T, void, undefined> {
  if (typeof fetchPage !== 'function') {
    throw new BatchwireError('INVALID_ARGUMENT', 'paginate needs a fetchPage function', 0);
  }
  const parse = (options.parse ?? parseJobPrepReleaseStatusPage) as PageParser<T>;
  const maxPages = options.maxPages ?? 10_000;
  const seen = new Set<string>();
  let link: string | undefined;
  for (let pages = 1; ; pages++) {
    const body = link === undefined ? await fetchPage() : await fetchPage(link);
    const page = parse(body);
    for (const item of page.items) yield item;
    const next = page.nextLink;
    if (next === undefined || next === '') return;
    if (seen.has(next)) {
      throw new BatchwireError(
        'MALFORMED_DOCUMENT',
        `page ${pages} links to ${JSON.stringify(next.slice(0, 200))}, a page already fetched: the list would never end`,
        0,
      );
    }
    if (pages >= maxPages) {
      throw new BatchwireError('LIMIT_EXCEEDED', `more than maxPages (${maxPages}) pages`, 0);
    }
    seen.add(next);
    link = next;
  }
}
