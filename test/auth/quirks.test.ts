// The official SDKs' quirks, each pinned: the ones batchwire matches (the signatures are equal)
// and the few it does not (the SDK's signature there is one the service cannot verify, or the SDK
// cannot send the request at all), with what batchwire does instead. The README lists them.
import { signAkSk, signSharedKey, verifyAkSk, verifySharedKey } from 'batchwire/auth';
import { describe, expect, it } from 'vitest';
import { asReceived, azureSdkSign, type Descriptor, huaweiSdkSign, stampOf } from './sdk.js';

const KEY = Buffer.from('batchwire test key, 64 bytes long, as an Azure Batch key is....').toString('base64');
const DATE = new Date('2024-03-01T10:00:00Z');
const BASE = 'https://acct.westus.batch.azure.com';

async function both(request: Descriptor) {
  const ours = await signSharedKey(request, { account: 'acct', key: KEY, date: DATE });
  const sdk = await azureSdkSign(request, 'acct', KEY, DATE);
  return {
    ours: ours.headers.authorization,
    sdk: sdk.authorization,
    stringToSign: sdk.stringToSign,
    signed: ours,
  };
}

// The lines of the SDK's string to sign: verb, 11 standard headers, then canonical headers and resource.
const lines = (text: string) => text.split('\n');

describe('SharedKey: the SDK quirks batchwire matches', () => {
  it.each([
    ['POST', undefined, '0'],
    ['POST', '', '0'],
    ['GET', undefined, ''],
    ['DELETE', undefined, ''],
    ['PUT', '', ''],
    ['DELETE', new Uint8Array(0), '0'],
    ['PUT', '{"id":"é"}', '11'],
    ['POST', new Uint8Array(5), '5'],
  ] as const)('Content-Length: %s with body %j is signed as %j', async (method, body, length) => {
    const request: Descriptor = { method, url: `${BASE}/jobs?api-version=2025-06-01`, headers: {} };
    if (body !== undefined) request.body = body;
    const { ours, sdk, stringToSign } = await both(request);
    expect(lines(stringToSign)[3]).toBe(length);
    expect(ours).toBe(sdk);
  });

  it('a Content-Length header is signed as given', async () => {
    const { ours, sdk, stringToSign } = await both({
      method: 'POST',
      url: `${BASE}/jobs`,
      headers: { 'content-length': '42' },
      body: 'x',
    });
    expect(lines(stringToSign)[3]).toBe('42');
    expect(ours).toBe(sdk);
  });

  it('query values are decoded with + as a space, %2B as a plus', async () => {
    const { ours, sdk, stringToSign } = await both({
      method: 'GET',
      url: `${BASE}/jobs?$filter=id+eq+%27a%2Bb%27&api-version=2025-06-01`,
      headers: {},
    });
    expect(stringToSign).toContain("\n$filter:id eq 'a+b'\n");
    expect(ours).toBe(sdk);
  });

  it('a parameter without = has an empty value; an empty ocp-* header is left out', async () => {
    const { ours, sdk, stringToSign } = await both({
      method: 'GET',
      url: `${BASE}/jobs?restype&api-version=1`,
      headers: { 'ocp-empty': '', 'ocp-b': 'B', 'ocp-a': 'A' },
    });
    expect(
      stringToSign.endsWith(
        'ocp-a:A\nocp-b:B\nocp-date:Fri, 01 Mar 2024 10:00:00 GMT\n/acct/jobs\napi-version:1\nrestype:',
      ),
    ).toBe(true);
    expect(ours).toBe(sdk);
  });

  it('header values are signed as written, surrounding whitespace too (HTTP then drops it: neither verifies)', async () => {
    const request = { method: 'GET', url: `${BASE}/jobs`, headers: { 'ocp-custom': '  spaced  ' } };
    const { ours, sdk, stringToSign, signed } = await both(request);
    expect(stringToSign).toContain('\nocp-custom:  spaced  \n');
    expect(ours).toBe(sdk);
    // As a server receives it, the value is `spaced`: the signature, the SDK's as batchwire's, fails.
    const verdict = await verifySharedKey(asReceived(signed), { account: 'acct', key: KEY, now: DATE });
    expect(verdict).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('the path is signed as encoded in the URL', async () => {
    const { ours, sdk, stringToSign } = await both({
      method: 'GET',
      url: `${BASE}/jobs/a%20b%2Fc/tasks`,
      headers: {},
    });
    expect(stringToSign).toContain('\n/acct/jobs/a%20b%2Fc/tasks');
    expect(ours).toBe(sdk);
  });
});

describe('SharedKey: where batchwire follows the service rather than the SDK', () => {
  it('an ocp-* header written with capitals: the SDK leaves it out (a case-sensitive test), batchwire signs it', async () => {
    const request = { method: 'GET', url: `${BASE}/jobs`, headers: { 'Ocp-Custom': 'v' } };
    const { ours, sdk, stringToSign, signed } = await both(request);
    expect(stringToSign).not.toContain('ocp-custom');
    expect(ours).not.toBe(sdk);
    // Servers see header names without case: theirs verifies, the SDK's cannot.
    expect((await verifySharedKey(asReceived(signed), { account: 'acct', key: KEY, now: DATE })).ok).toBe(
      true,
    );
    const sdkSigned = {
      ...request,
      headers: { ...request.headers, 'ocp-date': DATE.toUTCString(), authorization: sdk },
    };
    expect((await verifySharedKey(asReceived(sdkSigned), { account: 'acct', key: KEY, now: DATE })).ok).toBe(
      false,
    );
  });

  it('query names are lowercased, and a repeated name lists its values sorted (the SDK keeps the first)', async () => {
    const request = { method: 'GET', url: `${BASE}/jobs?API-Version=1&b=2&b=1`, headers: {} };
    const { ours, sdk, stringToSign, signed } = await both(request);
    expect(stringToSign.endsWith('/acct/jobs\nAPI-Version:1\nb:2')).toBe(true);
    expect(ours).not.toBe(sdk);
    const wrong = await verifySharedKey(asReceived(signed), { account: 'acct', key: 'AAAA', now: DATE });
    expect(wrong.ok === false && wrong.stringToSign?.endsWith('/acct/jobs\napi-version:1\nb:1,2')).toBe(true);
  });

  it('a parameter named like an Object.prototype member is signed (the SDK drops it)', async () => {
    const { ours, sdk, stringToSign } = await both({
      method: 'GET',
      url: `${BASE}/jobs?constructor=1&x=2`,
      headers: {},
    });
    expect(stringToSign.endsWith('/acct/jobs\nx:2')).toBe(true);
    expect(ours).not.toBe(sdk);
  });

  it('a malformed percent-escape is refused (the SDK drops the parameter from what it signs)', async () => {
    await expect(
      signSharedKey({ method: 'GET', url: `${BASE}/jobs?a=%zz`, headers: {} }, { account: 'acct', key: KEY }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('AK/SK: the SDK quirks batchwire matches', () => {
  const sign = async (request: Descriptor) => {
    const ours = await signAkSk(request, { ak: 'AK', sk: 'SK', date: DATE });
    const sdk = huaweiSdkSign(request, 'AK', 'SK', stampOf(DATE));
    return { ours: ours.headers.authorization, sdk: sdk.Authorization, signed: ours };
  };
  const DLI = 'https://dli.cn-north-4.myhuaweicloud.com';

  it('X-Sdk-Date is YYYYMMDDTHHmmssZ, and the signature is hex', async () => {
    const { ours, sdk, signed } = await sign({ method: 'GET', url: `${DLI}/v2.0/p/batches`, headers: {} });
    expect(signed.headers['x-sdk-date']).toBe('20240301T100000Z');
    expect(ours).toMatch(
      /^SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=[0-9a-f]{64}$/,
    );
    expect(ours).toBe(sdk);
  });

  it('a path segment is encoded again as it stands (%20 is signed as %2520)', async () => {
    const request = { method: 'GET', url: `${DLI}/v2.0/p/batches/a%20b`, headers: {} };
    const { ours, sdk, signed } = await sign(request);
    expect(ours).toBe(sdk);
    const wrong = await verifyAkSk(asReceived(signed), { ak: 'AK', sk: 'other', now: DATE });
    expect(wrong.ok === false && wrong.canonicalRequest?.split('\n')[1]).toBe('/v2.0/p/batches/a%2520b/');
  });

  it('a multipart/form-data content type is not signed', async () => {
    const { ours, sdk } = await sign({
      method: 'POST',
      url: `${DLI}/v2.0/p/resources`,
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
    });
    expect(ours).toContain('SignedHeaders=host;x-sdk-date,');
    expect(ours).toBe(sdk);
  });

  it('a declared X-Sdk-Content-Sha256 (UNSIGNED-PAYLOAD) stands for the body hash', async () => {
    const request = {
      method: 'PUT',
      url: `${DLI}/v2.0/p/upload`,
      headers: { 'x-sdk-content-sha256': 'UNSIGNED-PAYLOAD', 'content-type': 'application/octet-stream' },
      body: new Uint8Array([1, 2, 3]),
    };
    const ours = await signAkSk(request, { ak: 'AK', sk: 'SK', date: DATE });
    const { 'x-sdk-content-sha256': declared, ...rest } = request.headers;
    const sdk = huaweiSdkSign(
      { ...request, headers: { ...rest, 'X-Sdk-Content-Sha256': declared } as Record<string, string> },
      'AK',
      'SK',
      stampOf(DATE),
    );
    expect(ours.headers.authorization).toBe(sdk.Authorization);
    expect(
      (await verifyAkSk({ ...asReceived(ours), body: 'anything' }, { ak: 'AK', sk: 'SK', now: DATE })).ok,
    ).toBe(true);
  });

  it('query names are sorted as decoded, repeated values sorted, everything but unreserved encoded', async () => {
    const request = {
      method: 'GET',
      url: `${DLI}/v2.0/p/batches?z=1&%C3%A9=2&a=b&a=a&q=x+y%2B*`,
      headers: {},
    };
    const { ours, sdk, signed } = await sign(request);
    expect(ours).toBe(sdk);
    const wrong = await verifyAkSk(asReceived(signed), { ak: 'AK', sk: 'other', now: DATE });
    expect(wrong.ok === false && wrong.canonicalRequest?.split('\n')[2]).toBe(
      'a=a&a=b&q=x%20y%2B%2A&z=1&%C3%A9=2',
    );
  });
});

describe('AK/SK: where batchwire differs from the SDK', () => {
  it("header names with '_' or '.': the SDK lists them in one order and signs them in another; batchwire uses one", async () => {
    const request = { method: 'GET', url: 'https://h/v1/x', headers: { x_a: '1', 'x-b': '2' } };
    const ours = await signAkSk(request, { ak: 'AK', sk: 'SK', date: DATE });
    const sdk = huaweiSdkSign(request, 'AK', 'SK', stampOf(DATE));
    expect(sdk.Authorization).toContain('SignedHeaders=host;x-b;x-sdk-date;x_a,');
    expect(ours.headers.authorization).toContain('SignedHeaders=host;x-b;x-sdk-date;x_a,');
    expect(ours.headers.authorization).not.toBe(sdk.Authorization);
    // The canonical headers follow SignedHeaders, as a gateway rebuilds them: batchwire's verifies.
    expect((await verifyAkSk(asReceived(ours), { ak: 'AK', sk: 'SK', now: DATE })).ok).toBe(true);
  });

  it('an explicit default port: the SDK signs host:443, batchwire the host fetch sends', async () => {
    const request = { method: 'GET', url: 'https://h.example:443/v1/x', headers: {} };
    const ours = await signAkSk(request, { ak: 'AK', sk: 'SK', date: DATE });
    const sdk = huaweiSdkSign(request, 'AK', 'SK', stampOf(DATE), 'https://h.example:443/v1/x');
    expect(ours.headers.authorization).not.toBe(sdk.Authorization);
    expect(huaweiSdkSign(request, 'AK', 'SK', stampOf(DATE), 'https://h.example/v1/x').Authorization).toBe(
      ours.headers.authorization,
    );
    const sameAsSent = await signAkSk(
      { ...request, url: 'https://h.example/v1/x' },
      { ak: 'AK', sk: 'SK', date: DATE },
    );
    expect(ours.headers.authorization).toBe(sameAsSent.headers.authorization);
  });

  it('a body that is not JSON is hashed as sent (the SDK hashes JSON.stringify of its data, so sends those as UNSIGNED-PAYLOAD)', async () => {
    const request = {
      method: 'POST',
      url: 'https://h/v1/x',
      headers: { 'content-type': 'text/plain' },
      body: 'plain text',
    };
    const ours = await signAkSk(request, { ak: 'AK', sk: 'SK', date: DATE });
    // huaweiSdkSign swaps in the hash of the bytes for such a body: with it, the rest is the SDK's.
    expect(ours.headers.authorization).toBe(huaweiSdkSign(request, 'AK', 'SK', stampOf(DATE)).Authorization);
  });

  it('a request already signed is signed again: the old Authorization is neither kept nor signed', async () => {
    const request = {
      method: 'GET',
      url: 'https://h/v1/x',
      headers: { Authorization: 'SDK-HMAC-SHA256 stale' },
    };
    const ours = await signAkSk(request, { ak: 'AK', sk: 'SK', date: DATE });
    expect(Object.keys(ours.headers)).toEqual(['x-sdk-date', 'authorization']);
    const fresh = await signAkSk({ ...request, headers: {} }, { ak: 'AK', sk: 'SK', date: DATE });
    expect(ours.headers.authorization).toBe(fresh.headers.authorization);
  });
});

describe('golden vectors (computed by the SDKs, checked against them here too)', () => {
  it('SharedKey', async () => {
    const request = {
      method: 'GET',
      url: `${BASE}/jobs/job-1/jobpreparationandreleasetaskstatus?api-version=2024-07-01.20.0&$filter=nodeId%20eq%20%27tvm-1%27&maxresults=100`,
      headers: { accept: 'application/json; odata=minimalmetadata' },
    };
    const { ours, sdk } = await both(request);
    expect(ours).toBe(sdk);
    expect(ours).toBe('SharedKey acct:PNkbEVi4CJUcJGT+JNQAmCpTvKEFlmaMLugUq8xb5qw=');
  });

  it('AK/SK', async () => {
    const request = {
      method: 'POST',
      url: 'https://dli.cn-north-4.myhuaweicloud.com/v2.0/0a32/batches',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: '{"file":"obs://bucket/app.jar","className":"Main","queue":"q1"}',
    };
    const ours = await signAkSk(request, { ak: 'AK', sk: 'SK', date: DATE });
    expect(ours.headers.authorization).toBe(huaweiSdkSign(request, 'AK', 'SK', stampOf(DATE)).Authorization);
    expect(ours.headers.authorization).toBe(
      'SDK-HMAC-SHA256 Access=AK, SignedHeaders=content-type;host;x-sdk-date, Signature=cc0ff7c79c5c7cfdb444b8ae0909350cf1e75e0d081f531b3e395501d47ee511',
    );
  });
});
