// Byte-identical to the official SDKs: the same request signed by batchwire and by the SDK's own
// signer (@azure/batch 10.2.0 BatchSharedKeyCredentials.signRequest, @huaweicloud/huaweicloud-sdk-core
// 3.1.211 AKSKSigner.sign) gives the same Authorization header, over every operation of
// batchwire/requests and the writes the SDKs make, with odd query values, extra headers and bodies.

import { fc } from 'batchwire/arbitraries';
import { basicAuth, signAkSk, signSharedKey } from 'batchwire/auth';
import { describe, expect, it } from 'vitest';
import { anyRequest } from './requests.js';
import { accountKey, azureSdkSign, huaweiSdkSign, signingDate, stampOf } from './sdk.js';

const account = fc.stringMatching(/^[a-z0-9]{3,24}$/);
const accessKey = fc.stringMatching(/^[A-Z0-9]{20}$/);
const secretKey = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9]{40}$/),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
);

describe('signSharedKey is byte-identical to @azure/batch BatchSharedKeyCredentials.signRequest', () => {
  it('over every batchwire/requests operation and write, odd queries, extra headers and bodies', async () => {
    await fc.assert(
      fc.asyncProperty(anyRequest, account, accountKey, signingDate, async (request, name, key, date) => {
        const ours = await signSharedKey(request, { account: name, key, date });
        const sdk = await azureSdkSign(request, name, key, date);
        expect(ours.headers.authorization).toBe(sdk.authorization);
        expect(ours.headers['ocp-date'] ?? request.headers['ocp-date']).toBe(sdk.ocpDate);
      }),
      { numRuns: 400 },
    );
  });

  it('keeps an ocp-date the request has, as the SDK does', async () => {
    const key = Buffer.alloc(64, 7).toString('base64');
    const request = {
      method: 'GET',
      url: 'https://acct.westus.batch.azure.com/jobs?api-version=2025-06-01',
      headers: { 'ocp-date': 'Fri, 01 Mar 2024 10:00:00 GMT' },
    };
    const ours = await signSharedKey(request, { account: 'acct', key, date: new Date(0) });
    const sdk = await azureSdkSign(request, 'acct', key, new Date(0));
    expect(ours.headers['ocp-date']).toBe('Fri, 01 Mar 2024 10:00:00 GMT');
    expect(ours.headers.authorization).toBe(sdk.authorization);
  });
});

describe('signAkSk is byte-identical to @huaweicloud/huaweicloud-sdk-core AKSKSigner.sign', () => {
  it('over every batchwire/requests operation and write, odd queries, extra headers and bodies', async () => {
    await fc.assert(
      fc.asyncProperty(anyRequest, accessKey, secretKey, signingDate, async (request, ak, sk, date) => {
        const ours = await signAkSk(request, { ak, sk, date });
        const sdk = huaweiSdkSign(request, ak, sk, stampOf(date));
        expect(ours.headers.authorization).toBe(sdk.Authorization);
        expect(ours.headers['x-sdk-date']).toBe(stampOf(date));
      }),
      { numRuns: 400 },
    );
  });
});

describe('basicAuth', () => {
  it('is base64 of the UTF-8 user:password (RFC 7617), as Node and every client write it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .string({ unit: 'grapheme', minLength: 1 })
          .filter((u) => !u.includes(':') && !/[\u0000-\u001f\u007f]/.test(u)),
        fc.string({ unit: 'grapheme' }).filter((p) => !/[\u0000-\u001f\u007f]/.test(p)),
        async (user, password) => {
          const signed = await basicAuth(
            { method: 'GET', url: 'https://head/WindowsHPC/Clusters', headers: {} },
            { user, password },
          );
          expect(signed.headers.authorization).toBe(
            `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`,
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
