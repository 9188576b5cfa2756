/**
 * Request signing as a codec: Azure Batch SharedKey, Huawei Cloud API Gateway AK/SK
 * (`SDK-HMAC-SHA256`) and HTTP Basic (HPC Pack), applied to request descriptors
 * `{ method, url, headers, body? }` and checked on incoming requests. Transport-free and built
 * on WebCrypto (`globalThis.crypto.subtle`): it runs in Node 20 and in browsers and loads no
 * other package. Signatures are byte-identical to the official SDKs' (`@azure/batch`,
 * `@huaweicloud/huaweicloud-sdk-core`).
 *
 * @packageDocumentation
 */
export { BatchwireError, type BatchwireErrorCode, isBatchwireError } from '../core/batchwire-error.js';
export { type AkSkOptions, signAkSk, type VerifyAkSkOptions, verifyAkSk } from './aksk.js';
export { type BasicAuthOptions, basicAuth, type VerifyBasicOptions, verifyBasic } from './basic.js';
export type {
  AuthHeaders,
  IncomingHeaders,
  IncomingRequest,
  SignableRequest,
  SignedRequest,
} from './request.js';
export {
  type SharedKeyOptions,
  signSharedKey,
  type VerifySharedKeyOptions,
  verifySharedKey,
} from './shared-key.js';
export type { AuthFailure, AuthFailureReason, AuthScheme, AuthSuccess, AuthVerdict } from './verdict.js';
