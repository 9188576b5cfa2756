// The official SDKs' own signers, driven with a request descriptor, for the signature-equality
// tests: @azure/batch's BatchSharedKeyCredentials.signRequest over ms-rest-js's WebResource (what
// the SDK's pipeline hands it), and @huaweicloud/huaweicloud-sdk-core's AKSKSigner.sign over the
// request object its HcClient builds (endpoint without the query, decoded queryParams, data).
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { BatchSharedKeyCredentials } from '@azure/batch';
import { WebResource } from '@azure/ms-rest-js';
import fc from 'fast-check';

const require = createRequire(import.meta.url);
const { AKSKSigner } = require('@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js') as {
  AKSKSigner: {
    sign(request: HuaweiRequest, credential: { getAk(): string; getSk(): string }): Record<string, string>;
    buildPayloadHash(request: HuaweiRequest): string;
  };
};
const { BasicCredentials } = require('@huaweicloud/huaweicloud-sdk-core') as {
  BasicCredentials: new () => {
    withAk(ak: string): { withSk(sk: string): { getAk(): string; getSk(): string } };
  };
};

/** A descriptor as the tests build them: a record of lowercase headers. */
export interface Descriptor {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

interface HuaweiRequest {
  endpoint: string;
  method: string;
  headers: Record<string, string>;
  queryParams: Record<string, string | string[]>;
  data?: unknown;
  rawBody?: string | Uint8Array;
}

/**
 * The SDK's SharedKey signature of a descriptor at `date` (the SDK takes the clock for ocp-date,
 * so the test sets it as the SDK would write it), and the string it signed.
 */
export async function azureSdkSign(
  request: Descriptor,
  account: string,
  key: string,
  date: Date,
): Promise<{ authorization: string; ocpDate: string; stringToSign: string }> {
  const resource = new WebResource(request.url, request.method as 'GET', request.body);
  for (const [name, value] of Object.entries(request.headers)) resource.headers.set(name, value);
  if (!resource.headers.get('ocp-date')) resource.headers.set('ocp-date', date.toUTCString());
  const credentials = new BatchSharedKeyCredentials(account, key);
  const signer = (credentials as unknown as { _signer: { sign(text: string): string } })._signer;
  const sign = signer.sign.bind(signer);
  let stringToSign = '';
  signer.sign = (text: string) => {
    stringToSign = text;
    return sign(text);
  };
  await credentials.signRequest(resource);
  return {
    authorization: resource.headers.get('authorization')!,
    ocpDate: resource.headers.get('ocp-date')!,
    stringToSign,
  };
}

// For a body that is not JSON text, the SDK's own rule (the SHA-256 of JSON.stringify(data)) has
// nothing to apply to: its HcClient sends such bodies as UNSIGNED-PAYLOAD. This subclass changes
// that one step to the SHA-256 of the bytes sent, and keeps everything else of AKSKSigner.sign.
class RawBodySigner extends (AKSKSigner as unknown as { new (): object }) {
  static buildPayloadHash(request: HuaweiRequest): string {
    // A declared hash still wins, as in the SDK.
    if (request.rawBody !== undefined && !request.headers['X-Sdk-Content-Sha256']) {
      return createHash('sha256').update(request.rawBody).digest('hex');
    }
    return AKSKSigner.buildPayloadHash(request);
  }
}

/** The decoded query parameters, as the SDK's request models hold them (a repeated name: a list). */
export function queryParamsOf(url: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of new URL(url).searchParams) {
    const before = out[name];
    if (before === undefined) out[name] = value;
    else out[name] = Array.isArray(before) ? [...before, value] : [before, value];
  }
  return out;
}

/** Whether a body is JSON text exactly as `JSON.stringify` writes it (what the SDK sends). */
function asJsonData(body: string): { data: unknown } | undefined {
  try {
    const data = JSON.parse(body) as unknown;
    return typeof data === 'object' && data !== null && JSON.stringify(data) === body ? { data } : undefined;
  } catch {
    return undefined;
  }
}

/** The SDK's AK/SK headers for a descriptor at `stamp` (X-Sdk-Date as the SDK formats it). */
export function huaweiSdkSign(
  request: Descriptor,
  ak: string,
  sk: string,
  stamp: string,
  endpoint?: string,
): Record<string, string> {
  const url = new URL(request.url);
  const sdkRequest: HuaweiRequest = {
    // The URL without its query, as HcClient joins it (`endpoint` to pass one as written).
    endpoint: endpoint ?? `${url.origin}${url.pathname}`,
    method: request.method,
    // The SDK finds the date under this exact name.
    headers: { ...request.headers, 'X-Sdk-Date': stamp },
    queryParams: queryParamsOf(request.url),
  };
  const body = request.body;
  if (typeof body === 'string' && body !== '') {
    const json = asJsonData(body);
    if (json === undefined) sdkRequest.rawBody = body;
    else sdkRequest.data = json.data;
  } else if (body instanceof Uint8Array && body.length > 0) sdkRequest.rawBody = body;
  const signer = (sdkRequest.rawBody === undefined ? AKSKSigner : RawBodySigner) as typeof AKSKSigner;
  return signer.sign(sdkRequest, new BasicCredentials().withAk(ak).withSk(sk));
}

/** `X-Sdk-Date` of a date, as the SDK writes it. */
export function stampOf(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
}

/** An Azure Batch account key: base64 of random bytes (real ones are 64 bytes). */
export const accountKey = fc
  .uint8Array({ minLength: 1, maxLength: 96 })
  .map((bytes) => Buffer.from(bytes).toString('base64'));

/** Dates with whole seconds (both headers have second precision), years 1970-9999. */
export const signingDate = fc
  .integer({ min: 0, max: Math.floor(253402300799999 / 1000) })
  .map((seconds) => new Date(seconds * 1000));

/** The request as a node:http server sees it: origin-form target, lowercase header names. */
export function asReceived(signed: Descriptor): {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
} {
  const url = new URL(signed.url);
  const headers: Record<string, string> = { host: url.host };
  for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = value.trim();
  const out: { method: string; url: string; headers: Record<string, string>; body?: string | Uint8Array } = {
    method: signed.method,
    url: `${url.pathname}${url.search}`,
    headers,
  };
  if (signed.body !== undefined) out.body = signed.body;
  return out;
}
