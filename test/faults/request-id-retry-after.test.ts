// Issue 21 §6: ServiceFault.requestId, and Retry-After read strictly and capped.
import { MAX_RETRY_AFTER_MS, parseFault, parseRetryAfter, retryAfterMsOf } from 'batchwire/faults';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const batchBusy = (requestId: string, eol = '\n') =>
  JSON.stringify({
    'odata.metadata':
      'https://acct.westus.batch.azure.com/$metadata#Microsoft.Azure.Batch.Protocol.Entities.Container.errors/@Element',
    code: 'ServerBusy',
    message: {
      lang: 'en-US',
      value: `The server is busy.${eol}RequestId:${requestId}${eol}Time:2024-05-01T10:00:00.1234567Z`,
    },
  });

describe('ServiceFault.requestId', () => {
  it('comes from request-id, client-request-id, x-request-id or X-Request-Id, in that order', () => {
    const body = '{"error_code":"DLI.0999","error_msg":"Internal error"}';
    expect(parseFault({ status: 500, headers: { 'request-id': 'r1' }, body }).requestId).toBe('r1');
    expect(parseFault({ status: 500, headers: { 'client-request-id': 'c1' }, body }).requestId).toBe('c1');
    expect(parseFault({ status: 500, headers: { 'x-request-id': 'x1' }, body }).requestId).toBe('x1');
    expect(parseFault({ status: 500, headers: { 'X-Request-Id': 'X1' }, body }).requestId).toBe('X1');
    expect(parseFault({ status: 500, headers: new Headers({ 'X-Request-Id': 'h1' }), body }).requestId).toBe(
      'h1',
    );
    expect(
      parseFault({
        status: 500,
        headers: { 'X-Request-Id': 'x', 'client-request-id': 'c', 'Request-Id': 'r' },
        body,
      }).requestId,
    ).toBe('r');
    expect(
      parseFault({ status: 500, headers: { 'client-request-id': 'c', 'x-request-id': 'x' }, body }).requestId,
    ).toBe('c');
  });

  it('else the RequestId: line of an Azure Batch message (LF or CRLF)', () => {
    const id = '9e4a1c3b-5f2d-4b7a-8c1e-0a1b2c3d4e5f';
    expect(parseFault({ status: 503, body: batchBusy(id) }).requestId).toBe(id);
    expect(parseFault({ status: 503, body: batchBusy(id, '\r\n') }).requestId).toBe(id);
    // The header wins over the message.
    expect(parseFault({ status: 503, headers: { 'request-id': 'hdr' }, body: batchBusy(id) }).requestId).toBe(
      'hdr',
    );
    // The Azure error from a fetch Response: headers and body read from it.
    return (async () => {
      const fault = await parseFault(new Response(batchBusy(id), { status: 503 }));
      expect(fault.requestId).toBe(id);
      const header = await parseFault(new Response('', { status: 502, headers: { 'x-request-id': 'gw-7' } }));
      expect(header.requestId).toBe('gw-7');
    })();
  });

  it('is undefined when there is none (or only text that is not the line)', () => {
    expect(
      parseFault({ status: 404, body: '{"code":"JobNotFound","message":"The job does not exist."}' })
        .requestId,
    ).toBeUndefined();
    expect(parseFault({ status: 500, body: 'RequestId:abc' }).requestId).toBeUndefined();
    expect(
      parseFault({ status: 404, body: '{"code":"JobNotFound","message":"see xRequestId:abc"}' }).requestId,
    ).toBeUndefined();
    expect(parseFault({ status: 500, headers: { 'request-id': '   ' }, body: '' }).requestId).toBeUndefined();
    expect(
      parseFault({ status: 500, headers: { 'request-id': 'x'.repeat(300) }, body: '' }).requestId,
    ).toBeUndefined();
    expect('requestId' in parseFault({ status: 500, body: '' })).toBe(false);
  });
});

describe('retryAfterMs is capped and HTTP dates are read strictly (RFC 9110)', () => {
  const now = Date.UTC(1994, 10, 6, 8, 49, 0);

  it('reads the three HTTP-date forms', () => {
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', now)).toBe(37_000);
    expect(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', now)).toBe(37_000);
    expect(parseRetryAfter('Sun Nov  6 08:49:37 1994', now)).toBe(37_000);
    expect(parseRetryAfter('  Sun, 06 Nov 1994 08:49:37 GMT ', now)).toBe(37_000);
    // RFC 850's two-digit year: more than 50 years ahead means the previous century.
    expect(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', Date.UTC(2030, 0, 1))).toBe(0);
    expect(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', Date.UTC(2094, 10, 6, 8, 49))).toBe(37_000);
    expect(parseRetryAfter('Thursday, 01-Jan-43 00:00:10 GMT', Date.UTC(2043, 0, 1))).toBe(10_000);
    expect(parseRetryAfter('Friday, 01-Jan-60 00:00:00 GMT', Date.UTC(2009, 0, 1))).toBe(0);
  });

  it('ignores junk that lax date parsers accept', () => {
    for (const junk of [
      'Mon, 1',
      'Mon, 1 Jan',
      'Sun, 6 Nov 1994 08:49:37 GMT',
      'Sun, 06 Nov 1994 08:49:37 UTC',
      'Sun, 06 Nov 1994 08:49:37 +0000',
      'sun, 06 nov 1994 08:49:37 gmt',
      'Sun, 06 Nov 1994 08:49 GMT',
      'Sun, 06 Nov 1994 24:00:00 GMT',
      'Sun, 31 Nov 1994 08:49:37 GMT',
      'Sun, 29 Feb 1900 08:49:37 GMT',
      'Sun, 06 Nov 1994 08:49:37 GMT junk',
      '1994-11-06T08:49:37Z',
      'Sun Nov 06 1994 08:49:37 GMT+0000 (Coordinated Universal Time)',
      'Tomorrow',
      'Monday 1',
      '9'.repeat(64),
      '9'.repeat(11),
      '1e3',
      '0x10',
      '-1',
      '+5',
      ' ',
    ]) {
      expect({ junk, ms: parseRetryAfter(junk, now) }).toEqual({ junk, ms: undefined });
      expect({
        junk,
        ms: parseFault({ status: 503, headers: { 'retry-after': junk }, body: '' }).retryAfterMs,
      }).toEqual({
        junk,
        ms: undefined,
      });
    }
    expect(parseRetryAfter('Tue, 29 Feb 2000 00:00:00 GMT', Date.UTC(2000, 1, 28))).toBe(86_400_000);
  });

  it('caps every delay at MAX_RETRY_AFTER_MS, 2^31-1 (what setTimeout can wait)', () => {
    expect(MAX_RETRY_AFTER_MS).toBe(2 ** 31 - 1);
    expect(parseRetryAfter('9999999999')).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('2147484')).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('2147483')).toBe(2_147_483_000);
    expect(parseRetryAfter('Fri, 31 Dec 9999 23:59:59 GMT', now)).toBe(MAX_RETRY_AFTER_MS);
    expect(retryAfterMsOf({ 'retry-after-ms': '9999999999999' })).toBe(MAX_RETRY_AFTER_MS);
    expect(retryAfterMsOf({ 'retry-after-ms': '99999999999999' })).toBeUndefined();
    expect(retryAfterMsOf({ 'x-ms-retry-after-ms': '250' })).toBe(250);
    expect(parseFault({ status: 429, headers: { 'Retry-After': '4000000' }, body: '' }).retryAfterMs).toBe(
      MAX_RETRY_AFTER_MS,
    );
  });

  it('property: any header value gives undefined or a whole number of ms from 0 to the cap', () => {
    const dates = fc.date({
      min: new Date(Date.UTC(1, 0, 1)),
      max: new Date(Date.UTC(9999, 11, 31)),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 70 }),
          fc.stringMatching(/^[0-9]{1,70}$/),
          dates.map((d) => d.toUTCString()),
          dates.map((d) => d.toUTCString().slice(0, 5 + (d.getUTCSeconds() % 25))),
        ),
        fc.integer({ min: 0, max: 4e12 }),
        (value, clock) => {
          for (const ms of [
            parseRetryAfter(value, clock),
            retryAfterMsOf({ 'retry-after-ms': value }),
            parseFault({ status: 503, headers: { 'retry-after': value }, body: '' }, { now: clock })
              .retryAfterMs,
          ]) {
            if (ms === undefined) continue;
            expect(Number.isInteger(ms)).toBe(true);
            expect(ms).toBeGreaterThanOrEqual(0);
            expect(ms).toBeLessThanOrEqual(MAX_RETRY_AFTER_MS);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('property: an IMF-fixdate from toUTCString is read back exactly', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date(Date.UTC(1000, 0, 1)),
          max: new Date(Date.UTC(9999, 11, 31)),
          noInvalidDate: true,
        }),
        (date) => {
          const whole = Math.floor(date.getTime() / 1000) * 1000;
          const text = new Date(whole).toUTCString();
          expect(parseRetryAfter(text, whole - 5000)).toBe(5000);
        },
      ),
    );
  });
});
