import { invalidArgument } from '../core/errors.js';
import {
  addHeaders,
  baseUrlOf,
  booleanOption,
  type CommonRequestOptions,
  checkBody,
  encodePathSegment,
  type HeadersOption,
  integerOption,
  operation,
  type QueryEntries,
  queryString,
  type RequestDescriptor,
  setHeader,
  stringOption,
} from './url.js';

/** The api-version sent when none is given: HPC Pack 2012, 2012 R2 and 2016. */
export const HPC_PACK_DEFAULT_API_VERSION = '2012-11-01.4.0';

/** Options of every HPC Pack SOA Web API operation. */
export interface HpcPackOptions extends CommonRequestOptions {
  /** `https://head-node:port` (a path prefix is kept). */
  baseUrl: string;
  /** The cluster name from Get Clusters: selects the pre-2016 URI form. Without it, the HPC Pack 2016 form. */
  cluster?: string;
  /** @defaultValue `'2012-11-01.4.0'` */
  apiVersion?: string;
  /** Where `api-version` goes; the server lets the header win over the query. @defaultValue `'header'` */
  apiVersionIn?: 'header' | 'query' | 'both';
  /** The Accept header: `application/xml` (the service default) or `application/json`. */
  accept?: string;
}

/** Options of the session operations. */
export interface HpcPackSessionOptions extends HpcPackOptions {
  /** The session id (an integer). */
  sessionId: string | number;
}

/** Options of the batch operations. */
export interface HpcPackBatchOptions extends HpcPackSessionOptions {
  /** The client's batch (client id) name. */
  batchName: string;
}

/** Options of Create Session. */
export interface HpcPackCreateSessionOptions extends HpcPackOptions {
  /** `durable=true` for a durable session. @defaultValue false */
  durable?: boolean;
  /** The session start information (XML or JSON), sent as the body. */
  body?: string | Uint8Array;
  /** Content-Type of `body`. @defaultValue JSON when the text starts with `{`, else `application/xml; charset=utf-8` */
  contentType?: string;
}

/** Options of Attach Session. */
export interface HpcPackAttachSessionOptions extends HpcPackSessionOptions {
  /** @defaultValue false */
  durable?: boolean;
}

/** Options of Send Requests. */
export interface HpcPackSendRequestsOptions extends HpcPackBatchOptions {
  /** The requests: a SOAP message array, or a generic-service record stream. */
  body: string | Uint8Array;
  /** `commit=true` ends the batch with this call (the service answers 201). @defaultValue false */
  commit?: boolean;
  /** The body is a generic-service record stream (`application/octet-stream`). @defaultValue false */
  genericService?: boolean;
  /** @defaultValue `application/octet-stream` for generic services, else `application/xml; charset=utf-8` */
  contentType?: string;
}

/** Options of Get Responses. */
export interface HpcPackGetResponsesOptions extends HpcPackBatchOptions {
  /** How many responses; -1 for all (the service's default). */
  count?: number;
  /** Only responses to requests with this action. */
  action?: string;
  /** The `clientdata` parameter. */
  clientData?: string;
  /** Return the cursor to the start of the response queue. */
  reset?: boolean;
  /** Read a generic service's record stream instead of a SOAP message array. */
  genericService?: boolean;
}

function checkOptions(options: HpcPackOptions): void {
  if (typeof options !== 'object' || options === null) throw invalidArgument('expected an options object');
}

// `/WindowsHPC[/{cluster}]/...` from already-encoded segments.
function buildUrl(
  options: HpcPackOptions,
  segments: readonly string[],
  query: QueryEntries,
  withCluster = true,
): string {
  const base = baseUrlOf(options.baseUrl);
  const cluster =
    withCluster && options.cluster !== undefined ? [encodePathSegment(options.cluster, 'cluster')] : [];
  const apiVersion = apiVersionOf(options);
  const where = options.apiVersionIn ?? 'header';
  if (where !== 'header' && where !== 'query' && where !== 'both') {
    throw invalidArgument(`apiVersionIn must be 'header', 'query' or 'both'`);
  }
  const entries: QueryEntries = where === 'header' ? query : [...query, ['api-version', apiVersion]];
  return `${base}/${['WindowsHPC', ...cluster, ...segments].join('/')}${queryString(entries)}`;
}

function apiVersionOf(options: HpcPackOptions): string {
  return stringOption(options.apiVersion, 'apiVersion') ?? HPC_PACK_DEFAULT_API_VERSION;
}

function describe(
  method: RequestDescriptor['method'],
  options: HpcPackOptions,
  segments: readonly string[],
  query: QueryEntries = [],
  withCluster = true,
): RequestDescriptor {
  checkOptions(options);
  const url = buildUrl(options, segments, query, withCluster);
  const headers: Record<string, string> = {};
  if ((options.apiVersionIn ?? 'header') !== 'query')
    setHeader(headers, 'api-version', apiVersionOf(options));
  const accept = stringOption(options.accept, 'accept');
  if (accept !== undefined) setHeader(headers, 'accept', accept);
  return { method, url, headers };
}

function sessionSegments(options: HpcPackSessionOptions): string[] {
  checkOptions(options);
  return ['session', encodePathSegment(options.sessionId, 'sessionId')];
}

function batchSegments(options: HpcPackBatchOptions): string[] {
  return [...sessionSegments(options), 'batch', encodePathSegment(options.batchName, 'batchName')];
}

function withBody(
  request: RequestDescriptor,
  body: unknown,
  contentType: string,
  extra: HeadersOption | null | undefined,
): RequestDescriptor {
  const checked = checkBody(body);
  setHeader(request.headers, 'content-type', contentType);
  addHeaders(request.headers, extra);
  request.body = checked;
  return request;
}

function finish(request: RequestDescriptor, options: HpcPackOptions): RequestDescriptor {
  addHeaders(request.headers, options.headers);
  return request;
}

/**
 * Get Clusters: `GET /WindowsHPC/Clusters` (the names to use as `cluster`).
 *
 * @example
 * ```ts
 * hpcPack.getClusters({ baseUrl: 'https://head.contoso.com' });
 * // { method: 'GET', url: 'https://head.contoso.com/WindowsHPC/Clusters', headers: { 'api-version': '2012-11-01.4.0' } }
 * ```
 */
function getClusters(options: HpcPackOptions): RequestDescriptor {
  return finish(describe('GET', options, ['Clusters'], [], false), options);
}

/**
 * Create Session: `POST /WindowsHPC/{cluster}/sessions/Create?durable={bool}`.
 *
 * @example
 * ```ts
 * hpcPack.createSession({ baseUrl, cluster: 'HEAD', durable: false, body: startInfoXml });
 * ```
 */
function createSession(options: HpcPackCreateSessionOptions): RequestDescriptor {
  checkOptions(options);
  const durable = booleanOption(options.durable, 'durable') ?? false;
  const request = describe('POST', options, ['sessions', 'Create'], [['durable', durable]]);
  if (options.body === undefined) return finish(request, options);
  const sniffed = typeof options.body === 'string' && options.body.trimStart().startsWith('{');
  const contentType =
    stringOption(options.contentType, 'contentType') ??
    (sniffed ? 'application/json; charset=utf-8' : 'application/xml; charset=utf-8');
  return withBody(request, options.body, contentType, options.headers);
}

/**
 * Attach Session: `GET /WindowsHPC/{cluster}/session/{id}/Attach?durable={bool}`.
 *
 * @example
 * ```ts
 * hpcPack.attachSession({ baseUrl, cluster: 'HEAD', sessionId: 42 });
 * ```
 */
function attachSession(options: HpcPackAttachSessionOptions): RequestDescriptor {
  const durable = booleanOption(options?.durable, 'durable') ?? false;
  return finish(
    describe('GET', options, [...sessionSegments(options), 'Attach'], [['durable', durable]]),
    options,
  );
}

/**
 * Close Session: `POST /WindowsHPC/{cluster}/session/{id}/Close`.
 *
 * @example
 * ```ts
 * hpcPack.closeSession({ baseUrl, sessionId: 42 }); // HPC Pack 2016 form: /WindowsHPC/session/42/Close
 * ```
 */
function closeSession(options: HpcPackSessionOptions): RequestDescriptor {
  return finish(describe('POST', options, [...sessionSegments(options), 'Close']), options);
}

/**
 * Send Requests: `POST .../session/{id}/batch/{batch}?commit={bool}[&genericservice=true]`.
 *
 * @example
 * ```ts
 * import { encodeGenericRequests } from 'batchwire/generic';
 * hpcPack.sendRequests({ baseUrl, sessionId: 42, batchName: 'b1', genericService: true, commit: true,
 *   body: encodeGenericRequests([{ input: 'x' }]) });
 * ```
 */
function sendRequests(options: HpcPackSendRequestsOptions): RequestDescriptor {
  checkOptions(options);
  const commit = booleanOption(options.commit, 'commit') ?? false;
  const generic = booleanOption(options.genericService, 'genericService') ?? false;
  const query: QueryEntries = [
    ['commit', commit],
    ['genericservice', generic ? true : undefined],
  ];
  const request = describe('POST', options, batchSegments(options), query);
  const contentType =
    stringOption(options.contentType, 'contentType') ??
    (generic ? 'application/octet-stream' : 'application/xml; charset=utf-8');
  return withBody(request, options.body, contentType, options.headers);
}

/**
 * Get Request Status: `GET .../session/{id}/batch/{batch}/Status` (answers a `BrokerClientStatus`).
 *
 * @example
 * ```ts
 * hpcPack.getRequestStatus({ baseUrl, cluster: 'HEAD', sessionId: 42, batchName: 'b1', accept: 'application/json' });
 * ```
 */
function getRequestStatus(options: HpcPackBatchOptions): RequestDescriptor {
  return finish(describe('GET', options, [...batchSegments(options), 'Status']), options);
}

/**
 * Commit (end of requests): `POST .../session/{id}/batch/{batch}/Commit`.
 *
 * @example
 * ```ts
 * hpcPack.commitRequests({ baseUrl, sessionId: 42, batchName: 'b1' });
 * ```
 */
function commitRequests(options: HpcPackBatchOptions): RequestDescriptor {
  return finish(describe('POST', options, [...batchSegments(options), 'Commit']), options);
}

/**
 * Delete Requests: `POST .../session/{id}/batch/{batch}/Purge`.
 *
 * @example
 * ```ts
 * hpcPack.deleteRequests({ baseUrl, sessionId: 42, batchName: 'b1' });
 * ```
 */
function deleteRequests(options: HpcPackBatchOptions): RequestDescriptor {
  return finish(describe('POST', options, [...batchSegments(options), 'Purge']), options);
}

/**
 * Get Responses: `POST .../session/{id}/batch/{batch}/Response?action=&clientdata=&count=&reset=[&genericservice=true]`
 * (only the parameters given are sent).
 *
 * @example
 * ```ts
 * hpcPack.getResponses({ baseUrl, sessionId: 42, batchName: 'b1', count: -1, genericService: true });
 * ```
 */
function getResponses(options: HpcPackGetResponsesOptions): RequestDescriptor {
  checkOptions(options);
  const generic = booleanOption(options.genericService, 'genericService') ?? false;
  const query: QueryEntries = [
    ['action', stringOption(options.action, 'action')],
    ['clientdata', stringOption(options.clientData, 'clientData')],
    ['count', integerOption(options.count, 'count', -1, 2147483647)],
    ['reset', booleanOption(options.reset, 'reset')],
    ['genericservice', generic ? true : undefined],
  ];
  return finish(describe('POST', options, [...batchSegments(options), 'Response'], query), options);
}

/**
 * Request descriptors for the HPC Pack SOA Web API. With `cluster`, the URIs take the pre-2016
 * form `/WindowsHPC/{cluster}/...`; without it, the HPC Pack 2016 form `/WindowsHPC/...`.
 * `api-version` goes in a header by default (`2012-11-01.4.0`).
 *
 * @example
 * ```ts
 * import { hpcPack } from 'batchwire/requests';
 * const { method, url, headers } = hpcPack.getRequestStatus({
 *   baseUrl: 'https://head.contoso.com', cluster: 'HEAD', sessionId: 42, batchName: 'b1',
 * });
 * const response = await fetch(url, { method, headers });
 * ```
 */
export const hpcPack = Object.freeze({
  getClusters: operation(getClusters),
  createSession: operation(createSession),
  attachSession: operation(attachSession),
  closeSession: operation(closeSession),
  sendRequests: operation(sendRequests),
  getRequestStatus: operation(getRequestStatus),
  commitRequests: operation(commitRequests),
  deleteRequests: operation(deleteRequests),
  getResponses: operation(getResponses),
});
