// paginate checks the URL it fetches (issue 21 §1): every link is resolved exactly as the WHATWG
// URL parser resolves it (`new URL(link, base)`, what fetch does), the origin of THAT URL is
// checked, and fetchPage is handed the resolved absolute URL, so the URL checked is the URL
// fetched.
import { paginate, paginatePages } from 'batchwire/status';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const origin = 'https://acct.westus.batch.azure.com';
const first = `${origin}/jobs?api-version=2025-06-01`;
const allowed = 'https://other.example:8443';

// A custom parser: the body is the next link itself ('' on the last page), no items.
const linkParser = (body: unknown) => ({
  items: [] as never[],
  nextLink: body === '' ? undefined : String(body),
});

/** Runs paginate over a first page linking to `link` (the second page has none); the URLs fetched. */
async function fetchedFor(
  link: string,
  options: { allowedOrigins?: string[]; url?: string | undefined } = {},
): Promise<{ fetched: string[]; error?: unknown }> {
  const fetched: string[] = [];
  try {
    const url = 'url' in options ? options.url : first;
    for await (const _ of paginate(
      (next) => {
        if (next === undefined) return link;
        fetched.push(next);
        return '';
      },
      {
        parse: linkParser,
        ...(url === undefined ? {} : { url }),
        ...(options.allowedOrigins ? { allowedOrigins: options.allowedOrigins } : {}),
      },
    )) {
      // no items
    }
    return { fetched };
  } catch (error) {
    return { fetched, error };
  }
}

/** Where fetch would send a request for `url` made from a page of the listing (base `first`). */
function whereFetchGoes(url: string): URL | undefined {
  try {
    return new URL(url, first);
  } catch {
    return undefined;
  }
}

describe('paginate resolves links as the URL parser does (issue 21 §1)', () => {
  const evil = [
    ' //evil.example/x',
    '\n\\\\evil.example/x',
    '\t//evil.example/x',
    '\u0000//evil.example/x',
    '\u001f\\/evil.example/x',
    '/\\evil.example/x',
    '\\\\evil.example/x',
    '/\t/evil.example/x',
    'https:\\\\evil.example/x',
    'http:evil.example/x',
    'HTTPS://EVIL.EXAMPLE/x',
    'https://acct.westus.batch.azure.com@evil.example/x',
    `${origin}.evil.example/x`,
    'ht\ntps://evil.example/x',
  ];

  for (const link of evil) {
    it(`refuses ${JSON.stringify(link)} before fetching it`, async () => {
      expect(new URL(link, first).origin).not.toBe(origin);
      const { fetched, error } = await fetchedFor(link);
      expect(fetched).toEqual([]);
      expect(error).toMatchObject({ code: 'MALFORMED_DOCUMENT' });
    });
  }

  it('hands fetchPage the resolved absolute URL, whatever form the link had', async () => {
    const cases: [string, string][] = [
      [' /jobs?$skiptoken=1 ', `${origin}/jobs?$skiptoken=1`],
      ['\n//acct.westus.batch.azure.com/jobs?p=2', `${origin}/jobs?p=2`],
      ['https:jobs?p=3', `${origin}/jobs?p=3`],
      ['HTTPS://ACCT.westus.batch.azure.com:443/jobs?p=4', `${origin}/jobs?p=4`],
      ['?p=5', `${origin}/jobs?p=5`],
      ['jobs/../jobs?p=6', `${origin}/jobs?p=6`],
      ['/j\tobs?p=7', `${origin}/jobs?p=7`],
    ];
    for (const [link, expected] of cases) {
      const { fetched, error } = await fetchedFor(link);
      expect({ link, fetched, error }).toEqual({ link, fetched: [expected], error: undefined });
    }
  });

  it('refuses links carrying credentials and non-http schemes', async () => {
    for (const link of [
      `https://user:secret@acct.westus.batch.azure.com/jobs`,
      'javascript:alert(1)',
      'java\tscript:alert(1)',
      'file:///etc/passwd',
      'data:,x',
    ]) {
      const { fetched, error } = await fetchedFor(link);
      expect(fetched).toEqual([]);
      expect(error).toMatchObject({ code: 'MALFORMED_DOCUMENT' });
    }
  });

  it('without a first URL, a relative link (even one that looks absolute to a lax check) is refused', async () => {
    for (const link of [' //evil.example/x', 'token-123', '\t/jobs']) {
      const { fetched, error } = await fetchedFor(link, { url: undefined });
      expect(fetched).toEqual([]);
      expect(error).toMatchObject({ code: 'MALFORMED_DOCUMENT' });
    }
  });

  it('paginatePages gives the same resolved URL as nextLink, and refuses the page with a bad one', async () => {
    const pages: (string | undefined)[] = [];
    for await (const page of paginatePages((next) => (next === undefined ? ' /jobs?p=2' : ''), {
      parse: linkParser,
      url: first,
    })) {
      pages.push(page.nextLink);
    }
    expect(pages).toEqual([`${origin}/jobs?p=2`, undefined]);
    const refused: unknown[] = [];
    await expect(
      (async () => {
        for await (const page of paginatePages(() => ' //evil.example/x', { parse: linkParser, url: first }))
          refused.push(page);
      })(),
    ).rejects.toMatchObject({ code: 'MALFORMED_DOCUMENT' });
    expect(refused).toEqual([]);
  });
});

// Links built from the URL parser's quirks, each possibly wrapped in C0 controls and spaces and
// with tabs or newlines inserted anywhere.
const HOSTS = [
  'evil.example',
  'EVIL.example',
  'acct.westus.batch.azure.com',
  'ACCT.WESTUS.BATCH.AZURE.COM',
  'acct.westus.batch.azure.com:443',
  'acct.westus.batch.azure.com:80',
  'acct.westus.batch.azure.com.',
  'other.example:8443',
  'other.example',
  '[::1]',
  '[::ffff:127.0.0.1]',
  '127.0.0.1',
  '0x7f.1',
  'xn--bcher-kva.example',
  'bücher.example',
  'ＥＶＩＬ.example',
  'a@evil.example',
  'acct.westus.batch.azure.com@evil.example',
  'evil.example@acct.westus.batch.azure.com',
  'acct.westus.batch.azure.com%2F@evil.example',
  'acct.westus.batch.azure.com\\@evil.example',
  'evil.example#@acct.westus.batch.azure.com',
];
const SCHEMES = [
  'https://',
  'HTTPS://',
  'http://',
  'https:',
  'http:',
  'https:/',
  'https:\\\\',
  '//',
  '\\\\',
  '/\\',
  '\\/',
  'ftp://',
  'javascript:',
  'file://',
  '',
];
const PATHS = [
  '/jobs',
  '/x?$skiptoken=1',
  '/%2e%2e/%2fevil',
  '/..%2f..%2fx',
  '/./jobs',
  '',
  '?q=1',
  '#frag',
  '/\\evil.example',
];
const WRAP = ['', ' ', '\t', '\n', '\r\n', '\u0000', '\u001f', ' \u0001\t', '\f'];
const INSIDE = ['\t', '\n', '\r'];

const quirkyLink = fc
  .record({
    lead: fc.constantFrom(...WRAP),
    scheme: fc.constantFrom(...SCHEMES),
    host: fc.constantFrom(...HOSTS),
    path: fc.constantFrom(...PATHS),
    trail: fc.constantFrom(...WRAP),
    insert: fc.option(fc.tuple(fc.nat(60), fc.constantFrom(...INSIDE)), { nil: undefined }),
  })
  .map(({ lead, scheme, host, path, trail, insert }) => {
    let body = `${scheme}${host}${path}`;
    if (insert !== undefined) {
      const at = insert[0] % (body.length + 1);
      body = body.slice(0, at) + insert[1] + body.slice(at);
    }
    return `${lead}${body}${trail}`;
  });

describe('property: fetchPage never gets a URL off the pinned or allowed origins (issue 21 §1)', () => {
  it('for links built from URL-parser quirks', async () => {
    await fc.assert(
      fc.asyncProperty(quirkyLink, fc.boolean(), async (link, allow) => {
        const origins = allow ? [allowed] : [];
        const permitted = new Set([origin, ...origins.map((o) => new URL(o).origin)]);
        const { fetched, error } = await fetchedFor(link, { allowedOrigins: origins });
        for (const url of fetched) {
          // Absolute already: fetch resolves it to itself, wherever it runs.
          const absolute = new URL(url);
          expect(absolute.href).toBe(url);
          expect(permitted.has(absolute.origin)).toBe(true);
          expect(permitted.has(whereFetchGoes(url)!.origin)).toBe(true);
          expect(absolute.username + absolute.password).toBe('');
        }
        // And a link that does stay on a permitted origin over http(s) is followed, as resolved.
        const target = whereFetchGoes(link);
        const fine =
          target !== undefined &&
          (target.protocol === 'https:' || target.protocol === 'http:') &&
          target.username === '' &&
          target.password === '' &&
          permitted.has(target.origin) &&
          target.href !== new URL(first).href;
        if (fine)
          expect({ link, fetched, error }).toEqual({ link, fetched: [target.href], error: undefined });
        else expect(fetched).toEqual([]);
      }),
      { numRuns: 3000 },
    );
  });
});
