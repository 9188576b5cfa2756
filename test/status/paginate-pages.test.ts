// Issue 25 §1-2: paginate's retry, paginatePages, startAt and maxPageSize.
import { isBatchwireServiceError } from 'batchwire/faults';
import { azureBatch } from 'batchwire/requests';
import { type PageRequest, paginate, paginatePages, parseJobListPage } from 'batchwire/status';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rejectionOf } from '../support/errors.js';

const origin = 'https://acct.westus.batch.azure.com';
const first = `${origin}/jobs?api-version=2025-06-01&$filter=state%20eq%20%27active%27`;

/** A listing of `ids` in pages of `size`, linked by `$skiptoken`, served as fetch Responses. */
function listing(ids: string[], size: number) {
  const fetched: string[] = [];
  const requests: (PageRequest | undefined)[] = [];
  const offsetOf = (link: string | undefined) =>
    link === undefined ? 0 : Number(new URL(link).searchParams.get('$skiptoken') ?? 0);
  const fetchPage = (link?: string, request?: PageRequest) => {
    fetched.push(link ?? '(first)');
    requests.push(request);
    const offset = offsetOf(link);
    const next = offset + size < ids.length ? `${first}&$skiptoken=${offset + size}` : undefined;
    return new Response(
      JSON.stringify({
        value: ids.slice(offset, offset + size).map((id) => ({ id, state: 'active' })),
        ...(next === undefined ? {} : { 'odata.nextLink': next }),
      }),
      { headers: { 'content-type': 'application/json;odata=minimalmetadata', 'request-id': `r${offset}` } },
    );
  };
  return { fetchPage, fetched, requests };
}

async function collect<T>(items: AsyncIterable<T>): Promise<{ items: T[]; error?: unknown }> {
  const out: T[] = [];
  try {
    for await (const item of items) out.push(item);
    return { items: out };
  } catch (error) {
    return { items: out, error };
  }
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `job-${i}`);

describe('paginatePages', () => {
  it('yields { items, nextLink, status, headers } per page', async () => {
    const { fetchPage } = listing(ids(5), 2);
    const { items: pages, error } = await collect(
      paginatePages(fetchPage, { parse: parseJobListPage, url: first }),
    );
    expect(error).toBeUndefined();
    expect(pages.map((p) => p.items.map((j) => j.id))).toEqual([
      ['job-0', 'job-1'],
      ['job-2', 'job-3'],
      ['job-4'],
    ]);
    expect(pages.map((p) => p.nextLink)).toEqual([
      `${first}&$skiptoken=2`,
      `${first}&$skiptoken=4`,
      undefined,
    ]);
    expect(pages.map((p) => p.status)).toEqual([200, 200, 200]);
    expect(pages.map((p) => (p.headers as Headers).get('request-id'))).toEqual(['r0', 'r2', 'r4']);
    // A bare body has no status or headers.
    const bare = await collect(paginatePages(() => '{"value":[{"id":"a"}]}', { parse: parseJobListPage }));
    expect(bare.items).toEqual([
      {
        items: [expect.objectContaining({ id: 'a' })],
        nextLink: undefined,
        status: undefined,
        headers: undefined,
      },
    ]);
  });

  it('has the same loop and limit checks as paginate', async () => {
    const loop = await collect(
      paginatePages(
        (link) => `{"value":[],"odata.nextLink":"${link === undefined ? `${origin}/a` : `${origin}/b`}"}`,
        {
          parse: parseJobListPage,
          url: `${origin}/b`,
        },
      ),
    );
    expect(loop.items).toHaveLength(1);
    expect(loop.error).toMatchObject({ code: 'MALFORMED_DOCUMENT' });
    let n = 0;
    const endless = await collect(
      paginatePages(() => `{"value":[],"odata.nextLink":"${origin}/p${n++}"}`, {
        parse: parseJobListPage,
        maxPages: 3,
      }),
    );
    expect(endless.items).toHaveLength(2);
    expect(endless.error).toMatchObject({ code: 'LIMIT_EXCEEDED' });
  });
});

describe('startAt resumes a listing', () => {
  it('property: a resumed listing yields exactly the items after the saved link', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 7 }),
        fc.nat(),
        async (n, size, pick) => {
          const all = ids(n);
          const pages = (
            await collect(
              paginatePages(listing(all, size).fetchPage, { parse: parseJobListPage, url: first }),
            )
          ).items;
          expect(pages.flatMap((p) => p.items.map((j) => j.id))).toEqual(all);
          const at = pick % pages.length;
          const saved = pages[at]!.nextLink;
          if (saved === undefined) {
            expect(at).toBe(pages.length - 1);
            return;
          }
          const after = pages.slice(at + 1).flatMap((p) => p.items.map((j) => j.id));
          const resumed = listing(all, size);
          const items = await collect(
            paginate(resumed.fetchPage, { parse: parseJobListPage, url: first, startAt: saved }),
          );
          expect(items.error).toBeUndefined();
          expect(items.items.map((j) => j.id)).toEqual(after);
          // The saved link is the first thing fetched; the first page is not.
          expect(resumed.fetched[0]).toBe(saved);
          const byPage = await collect(
            paginatePages(listing(all, size).fetchPage, { parse: parseJobListPage, startAt: saved }),
          );
          expect(byPage.items.flatMap((p) => p.items.map((j) => j.id))).toEqual(after);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('is resolved and checked against the pinned origin like any link', async () => {
    const { fetchPage, fetched } = listing(ids(3), 1);
    const evil = await collect(
      paginate(fetchPage, { parse: parseJobListPage, url: first, startAt: ' //evil.example/jobs' }),
    );
    expect(evil.error).toMatchObject({ code: 'MALFORMED_DOCUMENT' });
    expect(fetched).toEqual([]);
    const relative = listing(ids(3), 1);
    const rel = await collect(
      paginate(relative.fetchPage, { parse: parseJobListPage, url: first, startAt: '?$skiptoken=2' }),
    );
    expect(rel.items.map((j) => j.id)).toEqual(['job-2']);
    expect(relative.fetched).toEqual([`${origin}/jobs?$skiptoken=2`]);
    for (const startAt of [5, {}, 'x'.repeat(9000)]) {
      const bad = await collect(
        paginate(listing(ids(1), 1).fetchPage, { parse: parseJobListPage, url: first, startAt } as never),
      );
      expect(bad.error).toMatchObject({
        code: typeof startAt === 'string' ? 'LIMIT_EXCEEDED' : 'INVALID_ARGUMENT',
      });
    }
    // Without a url, startAt pins the origin.
    const pinned = await collect(
      paginate(() => `{"value":[],"odata.nextLink":"https://evil.example/x"}`, {
        parse: parseJobListPage,
        startAt: `${origin}/jobs?$skiptoken=1`,
      }),
    );
    expect(pinned.error).toMatchObject({ code: 'MALFORMED_DOCUMENT' });
  });
});

describe('maxPageSize and request descriptors', () => {
  it('sets maxresults on every URL handed out, keeping the rest of the URL as written', async () => {
    const { fetchPage, fetched, requests } = listing(ids(7), 3);
    const { items } = await collect(
      paginate(fetchPage, { parse: parseJobListPage, url: first, maxPageSize: 3 }),
    );
    expect(items).toHaveLength(7);
    expect(fetched).toEqual([
      '(first)',
      `${first}&$skiptoken=3&maxresults=3`,
      `${first}&$skiptoken=6&maxresults=3`,
    ]);
    expect(requests.map((r) => r?.url)).toEqual([`${first}&maxresults=3`, fetched[1], fetched[2]]);
    expect(requests.every((r) => r?.method === 'GET')).toBe(true);
  });

  it('takes a descriptor from batchwire/requests: its method and headers go to every page', async () => {
    const descriptor = azureBatch.listJobs({
      baseUrl: origin,
      apiVersion: '2025-06-01',
      filter: "state eq 'active'",
      maxResults: 1000,
      clientRequestId: '9e4a1c3b-5f2d-4b7a-8c1e-0a1b2c3d4e5f',
    });
    const { fetchPage, requests } = listing(ids(4), 2);
    const pages = await collect(
      paginatePages(fetchPage, { parse: parseJobListPage, url: descriptor, maxPageSize: 2 }),
    );
    expect(pages.error).toBeUndefined();
    expect(requests).toHaveLength(2);
    for (const request of requests) {
      expect(request!.headers).toEqual(descriptor.headers);
      expect(request!.headers).not.toBe(descriptor.headers);
      expect(request!.method).toBe('GET');
    }
    // The descriptor's own maxresults=1000 is replaced, its filter encoding kept byte for byte.
    expect(requests[0]!.url).toBe(descriptor.url.replace('maxresults=1000', 'maxresults=2'));
    expect(requests[0]!.url).toContain('$filter=state%20eq%20%27active%27');
    expect(pages.items[0]!.nextLink).toBe(`${first}&$skiptoken=2&maxresults=2`);
  });

  it('refuses a maxPageSize the service would and a descriptor that is not one', async () => {
    for (const options of [
      { maxPageSize: 0 },
      { maxPageSize: 1001 },
      { maxPageSize: 2.5 },
      { maxPageSize: '5' },
      { url: { url: 'relative' } },
      { url: { url: first, headers: { a: 5 } } },
      { url: { url: first, method: 5 } },
      { retry: 'yes' },
      { retry: { maxAttempts: 0 } },
    ]) {
      const { error } = await collect(
        paginate(() => '{"value":[]}', { parse: parseJobListPage, url: first, ...options } as never),
      );
      expect({ options, code: (error as { code?: string } | undefined)?.code }).toEqual({
        options,
        code: 'INVALID_ARGUMENT',
      });
    }
  });
});

describe('paginate with retry', () => {
  const busy = {
    status: 503,
    headers: { 'Retry-After': '0', 'content-type': 'application/json', 'request-id': 'busy-1' },
    body: '{"code":"ServerBusy","message":{"lang":"en-US","value":"The server is busy.\\nRequestId:busy-1\\nTime:x"}}',
  };

  it('fetches a ServerBusy page in the middle of a listing again instead of ending it', async () => {
    const inner = listing(ids(6), 2);
    let failures = 2;
    const onRetry: [string, number, number][] = [];
    const flaky = (link?: string, request?: PageRequest) => {
      if (link?.includes('skiptoken=2') && failures-- > 0) return busy;
      return inner.fetchPage(link, request);
    };
    const result = await collect(
      paginate(flaky, {
        parse: parseJobListPage,
        url: first,
        retry: { onRetry: (fault, attempt, ms) => onRetry.push([fault.requestId ?? '', attempt, ms]) },
      }),
    );
    expect(result.error).toBeUndefined();
    expect(result.items.map((j) => j.id)).toEqual(ids(6));
    expect(onRetry).toEqual([
      ['busy-1', 2, 0],
      ['busy-1', 3, 0],
    ]);
    // Without retry, the same page ends the listing (as before).
    failures = 1;
    const once = await collect(paginate(flaky, { parse: parseJobListPage, url: first }));
    expect(once.items).toHaveLength(2);
    expect(isBatchwireServiceError(once.error)).toBe(true);
  });

  it('gives up after maxAttempts and on a fault that is not retriable', async () => {
    let calls = 0;
    const error = await rejectionOf(
      (async () => {
        for await (const _ of paginate(
          () => {
            calls++;
            return busy;
          },
          { parse: parseJobListPage, retry: { maxAttempts: 3, baseMs: 0 } },
        ));
      })(),
    );
    expect(error).toMatchObject({ code: 'SERVICE_FAULT', status: 503 });
    expect(calls).toBe(3);
    calls = 0;
    await rejectionOf(
      (async () => {
        for await (const _ of paginate(
          () => {
            calls++;
            return { status: 404, body: '{"code":"JobNotFound","message":"no"}' };
          },
          { parse: parseJobListPage, retry: true },
        ));
      })(),
    );
    expect(calls).toBe(1);
  });

  it('an abort during a retry wait rejects at once with the reason', async () => {
    const controller = new AbortController();
    let abortedAt = 0;
    const pending = collect(
      paginate(() => ({ ...busy, headers: { 'retry-after': '600' } }), {
        parse: parseJobListPage,
        signal: controller.signal,
        retry: {
          onRetry: () => {
            setTimeout(() => {
              abortedAt = performance.now();
              controller.abort(new Error('user'));
            }, 10);
          },
        },
      }),
    );
    const { error } = await pending;
    expect((error as Error).message).toBe('user');
    expect(performance.now() - abortedAt).toBeLessThan(50);
  });
});
