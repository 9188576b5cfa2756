// The verifiers: what batchwire (and the SDKs) sign verifies, over a real HTTP hop too; anything
// changed in the request, a wrong key, a date outside the window, each gives its own reason and
// the service's own answer.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fc } from 'batchwire/arbitraries';
import {
  type AuthVerdict,
  basicAuth,
  signAkSk,
  signSharedKey,
  verifyAkSk,
  verifyBasic,
  verifySharedKey,
} from 'batchwire/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anyRequest } from './requests.js';
import {
  accountKey,
  asReceived,
  azureSdkSign,
  type Descriptor,
  huaweiSdkSign,
  signingDate,
  stampOf,
} from './sdk.js';

const KEY = Buffer.alloc(64, 0x5a).toString('base64');
const OTHER_KEY = Buffer.alloc(64, 0x33).toString('base64');
const NOW = new Date('2024-06-01T12:00:00Z');

// Values as HTTP delivers them: whitespace around a value is not carried (see the quirks tests).
const trimmed = anyRequest.map((r) => ({
  ...r,
  headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, v.trim()])),
}));

describe('a signed request verifies', () => {
  it('SharedKey: signSharedKey -> verifySharedKey, as a server receives it', async () => {
    await fc.assert(
      fc.asyncProperty(trimmed, accountKey, signingDate, async (request, key, date) => {
        const signed = await signSharedKey(request, { account: 'acct', key, date });
        // A request that has its own ocp-date keeps it: that is the time it was made.
        const made = new Date(signed.headers['ocp-date']!);
        const verdict = await verifySharedKey(asReceived(signed), { account: 'acct', key, now: made });
        expect(verdict).toEqual({ ok: true, scheme: 'SharedKey', principal: 'acct', date: made });
      }),
      { numRuns: 150 },
    );
  });

  it('SharedKey: what @azure/batch signs verifies', async () => {
    await fc.assert(
      fc.asyncProperty(trimmed, accountKey, signingDate, async (request, key, date) => {
        const sdk = await azureSdkSign(request, 'acct', key, date);
        const received = asReceived({
          ...request,
          headers: { ...request.headers, 'ocp-date': sdk.ocpDate, authorization: sdk.authorization },
        });
        const verdict = await verifySharedKey(received, { account: 'acct', key, now: new Date(sdk.ocpDate) });
        expect(verdict.ok).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('AK/SK: signAkSk -> verifyAkSk, as a server receives it', async () => {
    await fc.assert(
      fc.asyncProperty(trimmed, signingDate, async (request, date) => {
        const signed = await signAkSk(request, { ak: 'AK1', sk: 'secret-key', date });
        const verdict = await verifyAkSk(asReceived(signed), { ak: 'AK1', sk: 'secret-key', now: date });
        expect(verdict).toEqual({ ok: true, scheme: 'SDK-HMAC-SHA256', principal: 'AK1', date });
      }),
      { numRuns: 150 },
    );
  });

  it('AK/SK: what @huaweicloud/huaweicloud-sdk-core signs verifies', async () => {
    await fc.assert(
      fc.asyncProperty(trimmed, signingDate, async (request, date) => {
        const sdk = huaweiSdkSign(request, 'AK1', 'secret-key', stampOf(date));
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(sdk)) headers[name.toLowerCase()] = String(value);
        const verdict = await verifyAkSk(asReceived({ ...request, headers }), {
          ak: 'AK1',
          sk: 'secret-key',
          now: date,
        });
        expect(verdict.ok).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('Basic: basicAuth -> verifyBasic, with non-ASCII users and passwords', async () => {
    const request = { method: 'GET', url: 'https://head/WindowsHPC/Clusters', headers: {} };
    for (const [user, password] of [
      ['CONTOSO\\hpcuser', 'p@ss:w:rd'],
      ['jürgen', 'пароль \u{1F511}'],
      ['u', ''],
    ] as const) {
      const signed = await basicAuth(request, { user, password });
      expect(await verifyBasic(asReceived(signed), { user, password })).toEqual({
        ok: true,
        scheme: 'Basic',
        principal: user,
      });
    }
  });

  it('SharedKey accepts any of the account keys (primary and secondary)', async () => {
    const signed = await signSharedKey(
      { method: 'GET', url: 'https://acct.b/pools?api-version=1', headers: {} },
      { account: 'acct', key: OTHER_KEY, date: NOW },
    );
    expect(
      (await verifySharedKey(asReceived(signed), { account: 'acct', key: [KEY, OTHER_KEY], now: NOW })).ok,
    ).toBe(true);
    expect((await verifySharedKey(asReceived(signed), { account: 'acct', key: [KEY], now: NOW })).ok).toBe(
      false,
    );
  });
});

type Tamper = (request: ReturnType<typeof asReceived>) => ReturnType<typeof asReceived>;

const tampers: Record<string, Tamper> = {
  method: (r) => ({ ...r, method: r.method === 'GET' ? 'DELETE' : 'GET' }),
  path: (r) => ({ ...r, url: r.url.replace(/^\/[^/?]*/, '/other') }),
  query: (r) => ({ ...r, url: r.url.includes('?') ? `${r.url}&x=1` : `${r.url}?x=1` }),
  'ocp header': (r) => ({ ...r, headers: { ...r.headers, 'ocp-extra': 'sneaked in' } }),
  'content-type': (r) => ({ ...r, headers: { ...r.headers, 'content-type': 'application/evil' } }),
};

describe('a changed request does not verify', () => {
  it.each(Object.entries(tampers))(
    'SharedKey: %s changed -> bad-signature, with the string the server signed',
    async (_, tamper) => {
      await fc.assert(
        fc.asyncProperty(trimmed, async (request) => {
          const signed = await signSharedKey(request, { account: 'acct', key: KEY, date: NOW });
          const changed = tamper(asReceived(signed));
          // A request may carry its own (old) ocp-date: the window is not what is tested here.
          const verdict = await verifySharedKey(changed, { account: 'acct', key: KEY, maxSkewMs: Infinity });
          expect(verdict).toMatchObject({
            ok: false,
            reason: 'bad-signature',
            status: 403,
            code: 'AuthenticationFailed',
          });
          if (!verdict.ok) {
            expect(verdict.message).toMatch(
              /^The MAC signature found in the HTTP request '[^']+' is not the same as any computed signature\. Server used following string to sign: '/,
            );
            expect(verdict.message).toContain(verdict.stringToSign);
          }
        }),
        { numRuns: 40 },
      );
    },
  );

  it.each(Object.entries(tampers))('AK/SK: %s changed -> bad-signature (APIG.0301)', async (name, tamper) => {
    await fc.assert(
      fc.asyncProperty(trimmed, async (request) => {
        const signed = await signAkSk(request, { ak: 'AK1', sk: 'sk', date: NOW });
        const changed = tamper(asReceived(signed));
        const verdict = await verifyAkSk(changed, { ak: 'AK1', sk: 'sk', now: NOW });
        // Every header is signed, but one added after signing is not among SignedHeaders.
        const added =
          name === 'ocp header' || (name === 'content-type' && !('content-type' in signed.headers));
        if (added) expect(verdict.ok).toBe(true);
        else
          expect(verdict).toMatchObject({
            ok: false,
            reason: 'bad-signature',
            status: 401,
            code: 'APIG.0301',
            message: 'Incorrect IAM authentication information: verify aksk signature fail',
          });
      }),
      { numRuns: 40 },
    );
  });

  it('AK/SK: a changed body -> bad-signature; SharedKey signs only its length', async () => {
    const request: Descriptor = {
      method: 'POST',
      url: 'https://h/jobs?api-version=1',
      headers: {},
      body: '{"id":"a"}',
    };
    const received = (signed: Descriptor) => ({ ...asReceived(signed), body: '{"id":"b"}' });
    const aksk = await signAkSk(request, { ak: 'AK1', sk: 'sk', date: NOW });
    expect((await verifyAkSk(received(aksk), { ak: 'AK1', sk: 'sk', now: NOW })).ok).toBe(false);
    const shared = await signSharedKey(request, { account: 'acct', key: KEY, date: NOW });
    expect((await verifySharedKey(received(shared), { account: 'acct', key: KEY, now: NOW })).ok).toBe(true);
    const longer = { ...asReceived(shared), body: '{"id":"bb"}' };
    expect((await verifySharedKey(longer, { account: 'acct', key: KEY, now: NOW })).ok).toBe(false);
  });

  it('a wrong key or secret -> bad-signature', async () => {
    const request = { method: 'GET', url: 'https://h/jobs?api-version=1', headers: {} };
    const shared = asReceived(await signSharedKey(request, { account: 'acct', key: KEY, date: NOW }));
    expect(await verifySharedKey(shared, { account: 'acct', key: OTHER_KEY, now: NOW })).toMatchObject({
      reason: 'bad-signature',
    });
    const aksk = asReceived(await signAkSk(request, { ak: 'AK1', sk: 'sk', date: NOW }));
    expect(await verifyAkSk(aksk, { ak: 'AK1', sk: 'sk2', now: NOW })).toMatchObject({
      reason: 'bad-signature',
    });
  });
});

describe('each refusal says why', () => {
  const get = { method: 'GET', url: '/jobs?api-version=1' };
  const shared = (headers: Record<string, string>, options: Partial<{ now: Date; maxSkewMs: number }> = {}) =>
    verifySharedKey({ ...get, headers }, { account: 'acct', key: KEY, now: NOW, ...options });
  const ocpDate = NOW.toUTCString();

  it('SharedKey', async () => {
    const reasons = async (headers: Record<string, string>) =>
      ((await shared(headers)) as { reason?: string }).reason;
    expect(await reasons({})).toBe('missing-authorization');
    expect(await reasons({ authorization: 'Bearer eyJ0eXAi' })).toBe('unsupported-scheme');
    expect(await reasons({ authorization: 'SharedKey acct' })).toBe('malformed-authorization');
    expect(await reasons({ authorization: 'SharedKey acct:' })).toBe('malformed-authorization');
    expect(await reasons({ authorization: 'SharedKey other:abc=' })).toBe('unknown-principal');
    expect(await reasons({ authorization: 'SharedKey acct:abc=' })).toBe('missing-date');
    expect(await reasons({ authorization: 'SharedKey acct:abc=', 'ocp-date': '2024-06-01T12:00:00Z' })).toBe(
      'malformed-date',
    );
    // The day name must be the date's (1 June 2024 was a Saturday).
    expect(
      await reasons({ authorization: 'SharedKey acct:abc=', 'ocp-date': 'Fri, 01 Jun 2024 12:00:00 GMT' }),
    ).toBe('malformed-date');
    expect(await reasons({ authorization: 'SharedKey acct:abc=', 'ocp-date': ocpDate })).toBe(
      'bad-signature',
    );
    expect(await reasons({ authorization: 'SharedKey acct:not base64!', date: ocpDate })).toBe(
      'bad-signature',
    );
  });

  it('SharedKey: the date window, both ways, with its edge', async () => {
    const signedAt = async (date: Date) =>
      asReceived(
        await signSharedKey(
          { method: 'GET', url: 'https://h/jobs', headers: {} },
          { account: 'acct', key: KEY, date },
        ),
      );
    const verify = async (date: Date, maxSkewMs?: number) =>
      verifySharedKey(await signedAt(date), {
        account: 'acct',
        key: KEY,
        now: NOW,
        ...(maxSkewMs === undefined ? {} : { maxSkewMs }),
      });
    const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);
    expect((await verify(minutes(-15))).ok).toBe(true);
    expect((await verify(minutes(15))).ok).toBe(true);
    const old = await verify(new Date(minutes(-15).getTime() - 1000));
    expect(old).toMatchObject({ ok: false, reason: 'date-out-of-range', skewMs: -901_000, status: 403 });
    expect((old as { message: string }).message).toBe(
      `Request date header too old: '${minutes(-15).getTime() - 1000 > 0 ? new Date(minutes(-15).getTime() - 1000).toUTCString() : ''}'.`,
    );
    expect(await verify(minutes(16))).toMatchObject({ reason: 'date-out-of-range', skewMs: 960_000 });
    expect((await verify(minutes(-60), 3_600_000)).ok).toBe(true);
    expect((await verify(minutes(-60), Infinity)).ok).toBe(true);
  });

  it('AK/SK', async () => {
    const ak = async (headers: Record<string, string>, url = '/v2.0/p/batches') =>
      (
        (await verifyAkSk({ method: 'GET', url, headers }, { ak: 'AK1', sk: 'sk', now: NOW })) as {
          reason?: string;
        }
      ).reason;
    const auth = (signedHeaders: string) =>
      `SDK-HMAC-SHA256 Access=AK1, SignedHeaders=${signedHeaders}, Signature=00`;
    const stamp = stampOf(NOW);
    expect(await ak({})).toBe('missing-authorization');
    expect(await ak({ authorization: 'Basic dTpw' })).toBe('unsupported-scheme');
    expect(await ak({ authorization: 'SDK-HMAC-SHA256 Access=AK1' })).toBe('malformed-authorization');
    expect(await ak({ authorization: auth('Host;x-sdk-date') })).toBe('malformed-authorization');
    expect(await ak({ authorization: auth('host;x-sdk-date').replace('AK1', 'AK2') })).toBe(
      'unknown-principal',
    );
    expect(await ak({ authorization: auth('x-sdk-date') })).toBe('missing-signed-header');
    expect(await ak({ authorization: auth('host') })).toBe('missing-signed-header');
    expect(await ak({ authorization: auth('host;x-sdk-date') })).toBe('missing-date');
    expect(await ak({ authorization: auth('host;x-sdk-date'), 'x-sdk-date': 'Sat, 01 Jun 2024' })).toBe(
      'malformed-date',
    );
    expect(await ak({ authorization: auth('host;x-sdk-date'), 'x-sdk-date': '20240601T130000Z' })).toBe(
      'date-out-of-range',
    );
    // An origin-form target names no host: without a Host header, host cannot be rebuilt.
    expect(await ak({ authorization: auth('host;x-sdk-date'), 'x-sdk-date': stamp })).toBe(
      'missing-signed-header',
    );
    expect(await ak({ authorization: auth('host;x-sdk-date;x-extra'), 'x-sdk-date': stamp, host: 'h' })).toBe(
      'missing-signed-header',
    );
    expect(await ak({ authorization: auth('host;x-sdk-date'), 'x-sdk-date': stamp, host: 'h' })).toBe(
      'bad-signature',
    );
    expect(
      await ak({ authorization: auth('host;x-sdk-date'), 'x-sdk-date': stamp }, 'https://h/v2.0/p/batches'),
    ).toBe('bad-signature');
  });

  it('Basic: 401 with the challenge to send', async () => {
    const basic = async (authorization?: string, realm?: string) =>
      verifyBasic(
        {
          method: 'GET',
          url: '/WindowsHPC/Clusters',
          headers: authorization === undefined ? {} : { authorization },
        },
        { user: 'hpc', password: 'pw', ...(realm === undefined ? {} : { realm }) },
      );
    const token = (text: string) => Buffer.from(text).toString('base64');
    expect(await basic()).toMatchObject({
      reason: 'missing-authorization',
      status: 401,
      challenge: 'Basic realm="batchwire", charset="UTF-8"',
    });
    expect(await basic(undefined, 'head.contoso.com')).toMatchObject({
      challenge: 'Basic realm="head.contoso.com", charset="UTF-8"',
    });
    expect(await basic(`Negotiate ${token('x')}`)).toMatchObject({ reason: 'unsupported-scheme' });
    expect(await basic('Basic !!!')).toMatchObject({ reason: 'malformed-authorization' });
    expect(await basic(`Basic ${token('no colon')}`)).toMatchObject({ reason: 'malformed-authorization' });
    expect(await basic(`Basic ${Buffer.from([0x75, 0x3a, 0xff]).toString('base64')}`)).toMatchObject({
      reason: 'malformed-authorization',
    });
    expect(await basic(`Basic ${token('other:pw')}`)).toMatchObject({
      reason: 'unknown-principal',
      principal: 'other',
    });
    expect(await basic(`Basic ${token('hpc:wrong')}`)).toMatchObject({
      reason: 'bad-password',
      principal: 'hpc',
    });
    expect(await basic(`basic ${token('hpc:pw')}`)).toEqual({ ok: true, scheme: 'Basic', principal: 'hpc' });
  });
});

describe('over a real HTTP hop (fetch -> node:http)', () => {
  let server: Server;
  let origin: string;
  const verdicts: AuthVerdict[] = [];
  let verifier: (request: {
    method: string;
    url: string;
    headers: IncomingMessage['headers'];
    body: Buffer;
  }) => Promise<AuthVerdict>;

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', async () => {
        const verdict = await verifier({
          method: request.method!,
          url: request.url!,
          headers: request.headers,
          body: Buffer.concat(chunks),
        });
        verdicts.push(verdict);
        response.writeHead(verdict.ok ? 200 : verdict.status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  // Names fetch refuses or manages itself.
  const FETCH_MANAGED =
    /^(connection|keep-alive|upgrade|expect|te|trailer|host|transfer-encoding|content-length)$/;
  const onServer = trimmed.map((r) => {
    const url = new URL(r.url);
    const headers = Object.fromEntries(
      Object.entries(r.headers).filter(([name]) => !FETCH_MANAGED.test(name)),
    );
    // GET and HEAD cannot carry a body in fetch.
    const body = r.method === 'GET' ? undefined : r.body;
    // fetch gives a string body without a type `text/plain;charset=UTF-8`, a header SharedKey signs:
    // a request must name its type before it is signed (batchwire/requests does).
    if (typeof body === 'string' && headers['content-type'] === undefined)
      headers['content-type'] = 'text/plain;charset=UTF-8';
    return {
      ...r,
      url: `${origin}${url.pathname}${url.search}`,
      headers,
      ...(body === undefined ? {} : { body }),
    } as Descriptor;
  });
  const send = async (request: Descriptor) => {
    const init: RequestInit = { method: request.method, headers: request.headers };
    if (request.body !== undefined) init.body = request.body as BodyInit;
    return (await fetch(request.url, init)).status;
  };

  it('SharedKey: batchwire and @azure/batch signatures verify as the server received them', async () => {
    // Some requests carry their own (old) ocp-date: the window is tested on its own above.
    verifier = (request) => verifySharedKey(request, { account: 'acct', key: KEY, maxSkewMs: Infinity });
    await fc.assert(
      fc.asyncProperty(onServer, async (request) => {
        const without = { ...request, headers: { ...request.headers } };
        delete without.body;
        const r = request.method === 'GET' ? without : request;
        expect(await send(await signSharedKey(r, { account: 'acct', key: KEY }))).toBe(200);
        const sdk = await azureSdkSign(r, 'acct', KEY, new Date());
        expect(
          await send({
            ...r,
            headers: { ...r.headers, 'ocp-date': sdk.ocpDate, authorization: sdk.authorization },
          }),
        ).toBe(200);
      }),
      { numRuns: 60 },
    );
    expect(verdicts.length).toBeGreaterThanOrEqual(120);
  });

  it('AK/SK: batchwire and huaweicloud-sdk-core signatures verify as the server received them', async () => {
    verifier = (request) => verifyAkSk(request, { ak: 'AK1', sk: 'sk' });
    await fc.assert(
      fc.asyncProperty(onServer, async (request) => {
        expect(await send(await signAkSk(request, { ak: 'AK1', sk: 'sk' }))).toBe(200);
        const sdk = huaweiSdkSign(request, 'AK1', 'sk', stampOf(new Date()));
        // The SDK returns host among its headers; fetch sends the URL's host itself.
        const { host: _, ...headers } = sdk;
        expect(await send({ ...request, headers })).toBe(200);
      }),
      { numRuns: 60 },
    );
  });

  it('Basic: 401 with WWW-Authenticate for a wrong password', async () => {
    verifier = (request) => verifyBasic(request, { user: 'hpc', password: 'pw' });
    const request = { method: 'GET', url: `${origin}/WindowsHPC/Clusters`, headers: {} };
    expect(await send(await basicAuth(request, { user: 'hpc', password: 'pw' }))).toBe(200);
    expect(await send(await basicAuth(request, { user: 'hpc', password: 'pW' }))).toBe(401);
  });
});
