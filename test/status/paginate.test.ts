import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  BatchwireServiceError,
  DEFAULT_LIMITS,
  isBatchwireError,
  isBatchwireServiceError,
  paginate,
  parseJobListPage,
} from 'batchwire';
import { describe, expect, it } from 'vitest';

const origin = 'https://acct.westus.batch.azure.com';
const first = `${origin}/jobs?api-version=2025-06-01`;

function page(ids: string[], next?: string): string {
  return JSON.stringify({
    'odata.metadata': `${origin}/$metadata#jobs`,
    value: ids.map((id) => ({ id, state: 'active' })),
    ...(next === undefined ? {} : { 'odata.nextLink': next }),
  });
}

async function drain<T>(items: AsyncIterable<T>): Promise<{ items: T[]; error?: unknown }> {
  const out: T[] = [];
  try {
    for await (const item of items) out.push(item);
    return { items: out };
  } catch (error) {
    return { items: out, error };
  }
}

describe('paginate with HTTP context', () => {
  it('follows links through Response pages and passes the content-type to the parser', async () => {
    const bodies: Record<string, string> = {
      [first]: page(['a', 'b'], `${origin}/jobs?api-version=2025-06-01&$skiptoken=1`),
      [`${origin}/jobs?api-version=2025-06-01&$skiptoken=1`]: page(['c']),
    };
    const seen: string[] = [];
    const result = await drain(
      paginate(
        (link) => {
          seen.push(link ?? '(first)');
          return new Response(bodies[link ?? first], {
            headers: { 'content-type': 'application/json;odata=minimalmetadata' },
          });
        },
        { parse: parseJobListPage, url: first },
      ),
    );
    expect(result.error).toBeUndefined();
    expect(result.items.map((j) => j.id)).toEqual(['a', 'b', 'c']);
    expect(seen).toEqual(['(first)', `${origin}/jobs?api-version=2025-06-01&$skiptoken=1`]);
  });

  it('a non-2xx page is a BatchwireServiceError with status and retryAfterMs', async () => {
    const busy = await drain(
      paginate(
        (link) =>
          link === undefined
            ? { status: 200, headers: {}, body: page(['a'], `${origin}/jobs?$skiptoken=2`) }
            : {
                status: 503,
                headers: { 'Retry-After': '12', 'content-type': 'application/json' },
                body: '{"code":"ServerBusy","message":{"lang":"en-US","value":"Server busy.\\nRequestId:9"}}',
              },
        { parse: parseJobListPage, url: first },
      ),
    );
    expect(busy.items.map((j) => j.id)).toEqual(['a']);
    expect(isBatchwireServiceError(busy.error)).toBe(true);
    const error = busy.error as BatchwireServiceError;
    expect(error.code).toBe('SERVICE_FAULT');
    expect(error.status).toBe(503);
    expect(error.retryAfterMs).toBe(12_000);
    expect(error.fault).toMatchObject({ service: 'azure-batch', code: 'ServerBusy', retriable: true });

    const html = await drain(
      paginate(() => new Response('<html><h1>502 Bad Gateway</h1></html>', { status: 502 }), {
        parse: parseJobListPage,
      }),
    );
    expect(html.error).toBeInstanceOf(BatchwireServiceError);
    expect((html.error as BatchwireServiceError).status).toBe(502);
    expect((html.error as BatchwireServiceError).fault.service).toBe('unknown');
  });

  it('a 204 or a page without a body reads as an empty body', async () => {
    const result = await drain(
      paginate(() => new Response(null, { status: 204 }), { parse: parseJobListPage }),
    );
    expect(result.error).toMatchObject({ code: 'MALFORMED_DOCUMENT' });
  });
});

describe('paginate stays on the first request’s origin', () => {
  const evil = 'https://evil.example/jobs?$skiptoken=1';

  it('refuses a link to another origin, before fetching it', async () => {
    const fetched: (string | undefined)[] = [];
    const result = await drain(
      paginate(
        (link) => {
          fetched.push(link);
          return page(['a'], evil);
        },
        { parse: parseJobListPage, url: first },
      ),
    );
    expect(result.items).toHaveLength(1);
    expect(fetched).toEqual([undefined]);
    expect(isBatchwireError(result.error)).toBe(true);
    expect((result.error as Error).message).toContain('https://evil.example');
  });

  it('takes the origin from the first Response when no url is given', async () => {
    // A Response made in code has an empty, read-only url: an object shaped like one carries it.
    const shaped = (body: string, url: string) => ({
      status: 200,
      headers: new Headers(),
      body,
      url,
    });
    const result = await drain(
      paginate((link) => (link === undefined ? shaped(page(['a'], evil), first) : shaped(page([]), evil)), {
        parse: parseJobListPage,
      }),
    );
    expect(result.error).toMatchObject({ code: 'MALFORMED_DOCUMENT' });
  });

  it('follows another origin when allowedOrigins lists it', async () => {
    const result = await drain(
      paginate((link) => (link === undefined ? page(['a'], evil) : page(['b'])), {
        parse: parseJobListPage,
        url: first,
        allowedOrigins: ['https://evil.example'],
      }),
    );
    expect(result).toEqual({
      items: [expect.objectContaining({ id: 'a' }), expect.objectContaining({ id: 'b' })],
    });
  });

  it('pins to the first absolute link when the first URL is unknown; refuses other schemes', async () => {
    const hop = await drain(
      paginate(
        (link) =>
          link === undefined
            ? page(['a'], `${origin}/jobs?$skiptoken=1`)
            : link.includes('skiptoken=1')
              ? page(['b'], evil)
              : page([]),
        { parse: parseJobListPage },
      ),
    );
    expect(hop.items.map((j) => j.id)).toEqual(['a', 'b']);
    expect(hop.error).toMatchObject({ code: 'MALFORMED_DOCUMENT' });
    const file = await drain(paginate(() => page(['a'], 'file:///etc/passwd'), { parse: parseJobListPage }));
    expect(file.error).toMatchObject({ code: 'MALFORMED_DOCUMENT' });
  });

  it('resolves a relative link against the first URL, and refuses a scheme-relative one elsewhere', async () => {
    const fetched: (string | undefined)[] = [];
    const relative = await drain(
      paginate(
        (link) => {
          fetched.push(link);
          return link === undefined ? page(['a'], '/jobs?$skiptoken=2') : page(['b']);
        },
        { parse: parseJobListPage, url: first },
      ),
    );
    expect(relative.items).toHaveLength(2);
    expect(fetched[1]).toBe(`${origin}/jobs?$skiptoken=2`);
    const sneaky = await drain(
      paginate(() => page(['a'], '//evil.example/x'), { parse: parseJobListPage, url: first }),
    );
    expect(sneaky.error).toMatchObject({ code: 'MALFORMED_DOCUMENT' });
    const unknown = await drain(paginate(() => page(['a'], '/x'), { parse: parseJobListPage }));
    expect(unknown.error).toMatchObject({ code: 'MALFORMED_DOCUMENT' });
  });
});

describe('paginate in bounded memory and time', () => {
  it('refuses a link longer than maxLinkLength with LIMIT_EXCEEDED', async () => {
    expect(DEFAULT_LIMITS.maxLinkLength).toBe(8192);
    const long = `${origin}/jobs?$skiptoken=${'x'.repeat(DEFAULT_LIMITS.maxLinkLength)}`;
    const result = await drain(paginate(() => page(['a'], long), { parse: parseJobListPage }));
    expect(result.error).toMatchObject({ code: 'LIMIT_EXCEEDED' });
    const raised = await drain(
      paginate((link) => (link ? page([]) : page(['a'], long)), {
        parse: parseJobListPage,
        maxLinkLength: 20_000,
      }),
    );
    expect(raised.error).toBeUndefined();
  });

  it('detects a loop among many long distinct links in linear time', async () => {
    // 3000 distinct 20 000-character links, then one that repeats the 10th: found with a digest
    // per link, never by keeping or comparing the links themselves.
    const link = (n: number) => `${origin}/jobs?$skiptoken=${String(n).padStart(20_000 - 40, '0')}`;
    let calls = 0;
    const started = Date.now();
    const result = await drain(
      paginate(
        (current) => {
          calls++;
          const n = current === undefined ? 0 : Number(current.slice(current.indexOf('=') + 1));
          return page([], n === 3000 ? link(10) : link(n + 1));
        },
        { parse: parseJobListPage, maxLinkLength: 32_000 },
      ),
    );
    expect(calls).toBe(3001);
    expect(result.error).toMatchObject({ code: 'MALFORMED_DOCUMENT' });
    expect((result.error as Error).message).toContain('already fetched');
    // Generous: the quadratic version took minutes for this; linear takes well under a second.
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('keeps no link: 300 pages of 1 MiB links leave the heap where it was', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const link = (n: number) => `${origin}/jobs?$skiptoken=${String(n).padStart(1024 * 1024, 'x')}`;
    let growth = Number.NaN;
    let before = 0;
    const pages = 300;
    const result = await drain(
      paginate(
        (current) => {
          const n = current === undefined ? 0 : Number(current.slice(current.lastIndexOf('x') + 1));
          if (n === 0) {
            gc();
            before = process.memoryUsage().heapUsed;
          }
          if (n === pages - 1) {
            gc();
            growth = process.memoryUsage().heapUsed - before;
          }
          // The body is the next link itself (a custom parser below); the last page has none.
          return n === pages - 1 ? '' : link(n + 1);
        },
        {
          parse: (body) => ({ items: [], ...(body === '' ? {} : { nextLink: body as string }) }),
          maxLinkLength: 2 * 1024 * 1024,
        },
      ),
    );
    expect(result.error).toBeUndefined();
    // Keeping the links would hold 300 MiB; a digest per page is a few KiB.
    expect(growth).toBeLessThan(32 * 1024 * 1024);
  });

  it('stops at maxPages', async () => {
    let n = 0;
    const result = await drain(
      paginate(() => page(['x'], `${origin}/jobs?p=${n++}`), { maxPages: 3, parse: parseJobListPage }),
    );
    expect(result.items).toHaveLength(3);
    expect(result.error).toMatchObject({ code: 'LIMIT_EXCEEDED' });
  });
});

describe('paginate is cancellable and checks its options', () => {
  it('an abort while a page is being fetched rejects at once with the reason', async () => {
    const controller = new AbortController();
    const result = drain(
      paginate(
        (link) => (link === undefined ? page(['a'], `${origin}/jobs?p=1`) : new Promise<string>(() => {})),
        { parse: parseJobListPage, signal: controller.signal },
      ),
    );
    setTimeout(() => controller.abort(new Error('enough')), 20);
    const { items, error } = await result;
    expect(items).toHaveLength(1);
    expect((error as Error).message).toBe('enough');
  });

  it('an abort cancels a Response body being read', async () => {
    const controller = new AbortController();
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('{"value":['));
      },
      cancel() {
        cancelled = true;
      },
    });
    const result = drain(
      paginate(() => new Response(body), { parse: parseJobListPage, signal: controller.signal }),
    );
    setTimeout(() => controller.abort(), 20);
    expect((await result).error).toMatchObject({ name: 'AbortError' });
    expect(cancelled).toBe(true);
  });

  it('bad options are INVALID_ARGUMENT', async () => {
    for (const options of [
      { maxPages: 0 },
      { maxLinkLength: 'x' },
      { allowedOrigins: 'https://a' },
      { allowedOrigins: ['not a url'] },
      { url: '/relative' },
      { parse: 5 },
      { signal: {} },
      7,
    ]) {
      const { error } = await drain(paginate(() => page([]), options as never));
      expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
    const { error } = await drain(paginate(() => 42 as never));
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
