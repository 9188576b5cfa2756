// Bad input is normal input: every function of batchwire/auth takes anything and either resolves
// or rejects with a BatchwireError (INVALID_ARGUMENT or INVALID_FIELD), never throws
// synchronously, never changes what it was given, and never lets a key, secret or password into
// an error (message, excerpt, cause) or a verdict's message.

import { fc } from 'batchwire/arbitraries';
import {
  basicAuth,
  isBatchwireError,
  signAkSk,
  signSharedKey,
  verifyAkSk,
  verifyBasic,
  verifySharedKey,
} from 'batchwire/auth';
import { describe, expect, it } from 'vitest';
import { rejectionOf } from '../support/errors.js';
import { anyRequest } from './requests.js';

const KEY = Buffer.alloc(64, 1).toString('base64');
const REQUEST = { method: 'GET', url: 'https://acct.b/jobs?api-version=1', headers: {} };
const INCOMING = { method: 'GET', url: '/jobs?api-version=1', headers: {} };

const signers = {
  signSharedKey: (r: unknown, o: unknown) => signSharedKey(r as never, o as never),
  signAkSk: (r: unknown, o: unknown) => signAkSk(r as never, o as never),
  basicAuth: (r: unknown, o: unknown) => basicAuth(r as never, o as never),
};
const verifiers = {
  verifySharedKey: (r: unknown, o: unknown) => verifySharedKey(r as never, o as never),
  verifyAkSk: (r: unknown, o: unknown) => verifyAkSk(r as never, o as never),
  verifyBasic: (r: unknown, o: unknown) => verifyBasic(r as never, o as never),
};
const GOOD_OPTIONS = { account: 'acct', key: KEY, ak: 'AK', sk: 'SK', user: 'u', password: 'p' };

function throwing(key: string): object {
  return Object.defineProperty({ ...REQUEST, ...GOOD_OPTIONS }, key, {
    enumerable: true,
    get() {
      throw new Error(`getter ${key}`);
    },
  });
}

function revoked(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

const badRequests: [string, unknown][] = [
  ['undefined', undefined],
  ['null', null],
  ['a string', 'GET https://a.b/'],
  ['an array', [REQUEST]],
  ['a revoked proxy', revoked()],
  ['a throwing method getter', throwing('method')],
  ['a throwing url getter', throwing('url')],
  ['a throwing headers getter', throwing('headers')],
  ['a throwing body getter', throwing('body')],
  ['no method', { url: REQUEST.url, headers: {} }],
  ['a method with a space', { ...REQUEST, method: 'GE T' }],
  ['a number url', { ...REQUEST, url: 42 }],
  ['a relative url', { ...REQUEST, url: '/jobs' }],
  ['an ftp url', { ...REQUEST, url: 'ftp://a.b/jobs' }],
  ['headers a string', { ...REQUEST, headers: 'accept: x' }],
  ['a header name with a space', { ...REQUEST, headers: { 'a b': 'x' } }],
  ['a number header value', { ...REQUEST, headers: { a: 1 } }],
  ['a header value with CR LF', { ...REQUEST, headers: { a: 'x\r\ninjected: y' } }],
  ['a header value above Latin-1', { ...REQUEST, headers: { a: '\u{1F680}' } }],
  ['a header given twice', { ...REQUEST, headers: { Accept: 'a', accept: 'b' } }],
  ['headers pairs not pairs', { ...REQUEST, headers: [['a']] }],
  [
    'a Headers whose forEach throws',
    {
      ...REQUEST,
      headers: {
        forEach: () => {
          throw new Error('boom');
        },
      },
    },
  ],
  ['a number body', { ...REQUEST, method: 'POST', body: 5 }],
  [
    'a detached body',
    {
      ...REQUEST,
      method: 'POST',
      body: (() => {
        const b = new ArrayBuffer(8);
        structuredClone(b, { transfer: [b] });
        return b;
      })(),
    },
  ],
];

const badOptions: [string, unknown][] = [
  ['undefined', undefined],
  ['null', null],
  ['a string', KEY],
  ['an array', [GOOD_OPTIONS]],
  ['a revoked proxy', revoked()],
  ['a throwing account getter', throwing('account')],
  ['a throwing key getter', throwing('key')],
  ['a throwing sk getter', throwing('sk')],
  ['a throwing password getter', throwing('password')],
  ['an empty object', {}],
  ['a key that is not base64', { ...GOOD_OPTIONS, key: 'not base64!' }],
  ['a number key', { ...GOOD_OPTIONS, key: 5 }],
  ['an account with a space', { ...GOOD_OPTIONS, account: 'a b' }],
  ['an ak with a comma', { ...GOOD_OPTIONS, ak: 'A,K' }],
  ['an empty sk', { ...GOOD_OPTIONS, sk: '' }],
  ['a user with a colon', { ...GOOD_OPTIONS, user: 'a:b' }],
  ['a password with a control character', { ...GOOD_OPTIONS, password: 'p\u0000' }],
  ['a password with a lone surrogate', { ...GOOD_OPTIONS, password: 'p\ud800' }],
  ['an invalid date', { ...GOOD_OPTIONS, date: new Date(Number.NaN) }],
  ['a date past 9999', { ...GOOD_OPTIONS, date: 8.64e15 }],
  ['a string date', { ...GOOD_OPTIONS, date: '2024-01-01' }],
];

describe('signers take anything: a signed request or a BatchwireError', () => {
  for (const [name, sign] of Object.entries(signers)) {
    it.each(badRequests)(`${name}: request %s -> INVALID_ARGUMENT or INVALID_FIELD`, async (_, request) => {
      const result = sign(request, GOOD_OPTIONS);
      expect(result).toBeInstanceOf(Promise);
      const error = await rejectionOf(result);
      expect(['INVALID_ARGUMENT', 'INVALID_FIELD']).toContain(error.code);
      expect(error.message).toMatch(new RegExp(`^${name}: |^header `));
    });
  }

  it.each(badOptions)(
    'options %s -> every signer rejects or signs, never another error',
    async (_, options) => {
      let refused = 0;
      for (const sign of Object.values(signers)) {
        try {
          await sign(REQUEST, options);
        } catch (error) {
          expect(isBatchwireError(error), String(error)).toBe(true);
          expect((error as { code: string }).code).toBe('INVALID_ARGUMENT');
          refused++;
        }
      }
      expect(refused).toBeGreaterThan(0);
    },
  );
});

describe('verifiers take anything: a verdict or a BatchwireError', () => {
  for (const [name, verify] of Object.entries(verifiers)) {
    it(`${name}: requests and options of the wrong shape -> INVALID_ARGUMENT`, async () => {
      // A verifier reads what a server received: names and values are not a client's to check.
      const shapes = badRequests.filter(
        ([n]) => !/header|relative url|ftp|method with/.test(n) || /headers|Headers/.test(n),
      );
      expect(shapes.length).toBeGreaterThan(12);
      for (const [, request] of shapes) {
        const error = await rejectionOf(verify(request, GOOD_OPTIONS));
        expect(error.code).toBe('INVALID_ARGUMENT');
      }
      for (const [, options] of badOptions.filter(([n]) => !/date/.test(n))) {
        try {
          await verify(INCOMING, options);
        } catch (error) {
          expect(isBatchwireError(error)).toBe(true);
        }
      }
      if (name !== 'verifyBasic') {
        const skew = await rejectionOf(verify(INCOMING, { ...GOOD_OPTIONS, maxSkewMs: -1 }));
        expect(skew.code).toBe('INVALID_ARGUMENT');
      }
    });
  }

  it('resolve to a verdict whatever the request holds: hostile Authorization, dates, targets, headers, bodies', async () => {
    const hostile = fc.string({ unit: 'binary', maxLength: 40 });
    const authorization = fc.oneof(
      hostile,
      hostile.map((t) => `SharedKey ${t}`),
      hostile.map((t) => `SharedKey acct:${t}`),
      hostile.map((t) => `SDK-HMAC-SHA256 ${t}`),
      hostile.map((t) => `SDK-HMAC-SHA256 Access=AK, SignedHeaders=${t}, Signature=${t}`),
      hostile.map((t) => `Basic ${t}`),
      hostile.map((t) => `Basic ${Buffer.from(t).toString('base64')}`),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          method: fc.oneof(fc.constantFrom('GET', 'POST'), hostile),
          url: fc.oneof(
            fc.constantFrom('/jobs', '//evil/x', '*', 'http://[::1]:8/a?b=%zz', ''),
            hostile,
            hostile.map((t) => `/${t}`),
          ),
          authorization,
          date: fc.oneof(hostile, fc.constantFrom('Sat, 01 Jun 2024 12:00:00 GMT', '20240601T120000Z')),
          host: hostile,
          more: fc.dictionary(
            hostile,
            fc.oneof(hostile, fc.array(hostile, { maxLength: 3 }), fc.constant(undefined)),
            { maxKeys: 4 },
          ),
          body: fc.option(fc.oneof(hostile, fc.uint8Array({ maxLength: 20 })), { nil: undefined }),
        }),
        async ({ method, url, authorization, date, host, more, body }) => {
          const headers = { ...more, authorization, 'ocp-date': date, 'x-sdk-date': date, host };
          const request = { method, url, headers, ...(body === undefined ? {} : { body }) };
          for (const verify of Object.values(verifiers)) {
            const verdict = await verify(request, { ...GOOD_OPTIONS, now: new Date('2024-06-01T12:00:00Z') });
            expect(typeof verdict.ok).toBe('boolean');
            if (!verdict.ok)
              expect(verdict.message.length).toBeLessThan(2000 + JSON.stringify(request).length * 2);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('what the caller gave is not changed', () => {
  it('the signers return a new descriptor and leave the given one (and its headers) as they were', async () => {
    await fc.assert(
      fc.asyncProperty(anyRequest, async (request) => {
        const before = structuredClone(request);
        const headers = request.headers;
        for (const sign of Object.values(signers)) {
          const signed = (await sign(request, GOOD_OPTIONS)) as {
            headers: Record<string, string>;
            body?: unknown;
          };
          expect(signed).not.toBe(request);
          expect(signed.headers).not.toBe(headers);
          expect(signed.body).toBe(request.body);
        }
        expect(request).toEqual(before);
        expect(request.headers).toBe(headers);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps every other property, takes Headers, Maps and pairs, and keeps a __proto__ header a header', async () => {
    const signal = AbortSignal.timeout(1000);
    const fromHeaders = await signSharedKey(
      { ...REQUEST, headers: new Headers({ 'Ocp-A': '1' }), signal, extra: 1 },
      { account: 'acct', key: KEY },
    );
    expect(fromHeaders.signal).toBe(signal);
    expect(fromHeaders.extra).toBe(1);
    expect(fromHeaders.headers['ocp-a']).toBe('1');
    const fromMap = await signAkSk({ ...REQUEST, headers: new Map([['X-A', '1']]) }, GOOD_OPTIONS);
    expect(fromMap.headers['X-A']).toBe('1');
    const fromPairs = await basicAuth(
      { ...REQUEST, headers: [['__proto__', 'x']] as [string, string][] },
      GOOD_OPTIONS,
    );
    expect(Object.getPrototypeOf(fromPairs.headers)).toBe(Object.prototype);
    expect(Object.hasOwn(fromPairs.headers, '__proto__')).toBe(true);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('an Authorization or ocp-date given in another letter case is replaced, not doubled', async () => {
    const signed = await signSharedKey(
      { ...REQUEST, headers: { AUTHORIZATION: 'old', 'OCP-DATE': '' } },
      { account: 'acct', key: KEY },
    );
    expect(Object.keys(signed.headers).sort()).toEqual(['authorization', 'ocp-date']);
  });
});

describe('secrets never reach an error or a verdict message', () => {
  // Long enough that finding one in a message cannot be a coincidence.
  const secret = fc
    .string({ unit: 'grapheme', minLength: 12, maxLength: 40 })
    .filter((s) => s.trim().length >= 12);
  const texts = (error: unknown): string[] => {
    const e = error as { message?: unknown; excerpt?: unknown; cause?: unknown; stack?: unknown };
    const cause = e.cause as { message?: unknown } | undefined;
    return [
      String(e.message),
      String(e.excerpt ?? ''),
      String(e.stack ?? ''),
      String(cause?.message ?? cause ?? ''),
      JSON.stringify(error),
    ];
  };

  it('no error of any signer or verifier holds the key, SK or password it was given', async () => {
    await fc.assert(
      fc.asyncProperty(
        secret,
        fc.nat({ max: 9 }),
        fc.nat({ max: badRequests.length - 1 }),
        async (value, where, bad) => {
          const b64 = Buffer.from(value).toString('base64');
          // The secret in every place an error could quote it from.
          const options = [
            { ...GOOD_OPTIONS, key: value, sk: value, password: value },
            { ...GOOD_OPTIONS, key: `${b64}!`, sk: value, password: `${value}\u0000` },
            { ...GOOD_OPTIONS, key: b64, sk: value, password: value, account: `${value} x`, ak: `${value},` },
            { ...GOOD_OPTIONS, key: b64, sk: value, password: value, user: `${value}:` },
            { ...GOOD_OPTIONS, key: b64, sk: value, password: `${value}\ud800`, date: value },
            value,
            { ...GOOD_OPTIONS, key: [value], sk: value, password: value },
            { ...GOOD_OPTIONS, key: b64, sk: value, password: value, realm: `"${value}` },
            { ...GOOD_OPTIONS, key: b64, sk: value, password: value, maxSkewMs: value },
            { ...GOOD_OPTIONS, key: b64, sk: value, password: value },
          ][where];
          const requests = [
            badRequests[bad]![1],
            { ...REQUEST, headers: { 'x-secret': `${value}\n` } },
            { ...REQUEST, url: value },
          ];
          for (const request of requests) {
            for (const fn of [...Object.values(signers), ...Object.values(verifiers)]) {
              try {
                const result = await fn(request, options);
                const message = (result as { message?: string }).message;
                if (message !== undefined) expect(message).not.toContain(value);
              } catch (error) {
                expect(isBatchwireError(error)).toBe(true);
                for (const text of texts(error)) {
                  expect(text).not.toContain(value);
                  expect(text).not.toContain(b64);
                }
              }
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a Basic verdict never quotes the password, given or expected', async () => {
    await fc.assert(
      fc.asyncProperty(secret, secret, async (expected, given) => {
        const authorization = `Basic ${Buffer.from(`${given}:${given}`).toString('base64')}`;
        const verdict = await verifyBasic(
          { ...INCOMING, headers: { authorization } },
          { user: 'hpc', password: expected },
        );
        expect(verdict.ok).toBe(false);
        if (!verdict.ok) {
          expect(JSON.stringify({ ...verdict, principal: undefined })).not.toContain(expected);
          expect(verdict.message).not.toContain(given);
        }
      }),
      { numRuns: 100 },
    );
  });
});
