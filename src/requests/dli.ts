import { invalidArgument } from '../core/errors.js';
import {
  addHeaders,
  baseUrlOf,
  type CommonRequestOptions,
  checkBody,
  encodePathSegment,
  integerOption,
  jsonBody,
  operation,
  queryString,
  type RequestDescriptor,
  setHeader,
  stringOption,
} from './url.js';

/** Options of every DLI batch operation. */
export type DliOptions = DliEndpointOptions &
  (
    | {
        /** The DLI endpoint, e.g. `https://dli.cn-north-4.myhuaweicloud.com`, as every descriptor takes it. */
        baseUrl: string;
        /** @deprecated The old name of `baseUrl`, still read when `baseUrl` is not given. */
        endpoint?: string;
      }
    | {
        baseUrl?: undefined;
        /** @deprecated The old name of `baseUrl`, still read when `baseUrl` is not given. */
        endpoint: string;
      }
  );

/** What every DLI operation takes besides its base URL. */
export interface DliEndpointOptions extends CommonRequestOptions {
  projectId: string;
  /** An IAM token, sent as `x-auth-token` (AK/SK signing is the caller's transport's job). */
  authToken?: string;
}

/** Options of the operations on one batch job. */
export type DliBatchOptions = DliOptions & {
  batchId: string;
};

/** Options of Create Batch. */
export type DliCreateBatchOptions = DliOptions & {
  /** The job definition: an object (sent as JSON) or JSON text. */
  body: string | Readonly<Record<string, unknown>>;
};

/** Options of List Batches (each filter sent only when given). */
export type DliListBatchesOptions = DliOptions & DliListFilters;

/** The filters of List Batches. */
export interface DliListFilters {
  jobName?: string;
  jobId?: string;
  clusterName?: string;
  queueName?: string;
  /** Index of the first job returned. */
  from?: number;
  /** Jobs per page. */
  size?: number;
  state?: string;
  owner?: string;
}

function describe(
  method: RequestDescriptor['method'],
  options: DliOptions,
  rest: readonly string[],
  query = '',
): RequestDescriptor {
  if (typeof options !== 'object' || options === null) throw invalidArgument('expected an options object');
  // `endpoint` is the old name; `baseUrl`, as every other descriptor calls it, wins.
  const base =
    options.baseUrl !== undefined || options.endpoint === undefined
      ? baseUrlOf(options.baseUrl as string, 'baseUrl')
      : baseUrlOf(options.endpoint, 'endpoint');
  const path = ['v2.0', encodePathSegment(options.projectId, 'projectId'), 'batches', ...rest].join('/');
  const headers: Record<string, string> = {};
  setHeader(headers, 'accept', 'application/json');
  const token = stringOption(options.authToken, 'authToken');
  if (token !== undefined) setHeader(headers, 'x-auth-token', token);
  return { method, url: `${base}/${path}${query}`, headers };
}

function batchPath(options: DliBatchOptions): string {
  if (typeof options !== 'object' || options === null) throw invalidArgument('expected an options object');
  return encodePathSegment(options.batchId, 'batchId');
}

function finish(request: RequestDescriptor, options: DliOptions): RequestDescriptor {
  addHeaders(request.headers, options.headers);
  return request;
}

/**
 * Create Batch: `POST /v2.0/{project_id}/batches` with the job definition as JSON.
 *
 * @example
 * ```ts
 * dli.createBatch({ baseUrl, projectId, body: { file: 'obs://bucket/app.jar', className: 'Main', queue: 'q1' } });
 * ```
 */
function createBatch(options: DliCreateBatchOptions): RequestDescriptor {
  const request = describe('POST', options, []);
  const body = options.body;
  let text: string;
  if (typeof body === 'string') text = checkBody(body) as string;
  else if (typeof body === 'object' && body !== null) text = jsonBody(body);
  else throw invalidArgument('body must be JSON text or an object');
  setHeader(request.headers, 'content-type', 'application/json; charset=utf-8');
  request.body = text;
  return finish(request, options);
}

/**
 * List Batches: `GET /v2.0/{project_id}/batches?job_name=&job-id=&cluster_name=&queue_name=&from=&size=&state=&owner=`.
 *
 * @example
 * ```ts
 * dli.listBatches({ baseUrl, projectId, queueName: 'q1', size: 50 });
 * ```
 */
function listBatches(options: DliListBatchesOptions): RequestDescriptor {
  if (typeof options !== 'object' || options === null) throw invalidArgument('expected an options object');
  const query = queryString([
    ['job_name', stringOption(options.jobName, 'jobName')],
    ['job-id', stringOption(options.jobId, 'jobId')],
    ['cluster_name', stringOption(options.clusterName, 'clusterName')],
    ['queue_name', stringOption(options.queueName, 'queueName')],
    ['from', integerOption(options.from, 'from', 0, 2147483647)],
    ['size', integerOption(options.size, 'size', 1, 2147483647)],
    ['state', stringOption(options.state, 'state')],
    ['owner', stringOption(options.owner, 'owner')],
  ]);
  return finish(describe('GET', options, [], query), options);
}

/**
 * Batch details: `GET /v2.0/{project_id}/batches/{batch_id}`.
 *
 * @example
 * ```ts
 * dli.getBatch({ baseUrl, projectId, batchId });
 * ```
 */
function getBatch(options: DliBatchOptions): RequestDescriptor {
  return finish(describe('GET', options, [batchPath(options)]), options);
}

/**
 * Batch state: `GET /v2.0/{project_id}/batches/{batch_id}/state` (read it with `parseDliBatchState`).
 *
 * @example
 * ```ts
 * dli.getBatchState({ baseUrl, projectId, batchId });
 * ```
 */
function getBatchState(options: DliBatchOptions): RequestDescriptor {
  return finish(describe('GET', options, [batchPath(options), 'state']), options);
}

/**
 * Cancel Batch: `DELETE /v2.0/{project_id}/batches/{batch_id}` (answers `{"msg":"deleted"}`).
 *
 * @example
 * ```ts
 * dli.cancelBatch({ baseUrl, projectId, batchId });
 * ```
 */
function cancelBatch(options: DliBatchOptions): RequestDescriptor {
  return finish(describe('DELETE', options, [batchPath(options)]), options);
}

/**
 * Request descriptors for the Huawei DLI batch (Spark) job API, `/v2.0/{project_id}/batches`.
 *
 * @example
 * ```ts
 * import { dli } from 'batchwire/requests';
 * const { method, url, headers } = dli.getBatchState({
 *   baseUrl: 'https://dli.cn-north-4.myhuaweicloud.com', projectId: 'p1', batchId: '0a324461-d9d9-45da-a52a-3b3c7a3d809e',
 * });
 * ```
 */
export const dli = Object.freeze({
  createBatch: operation(createBatch),
  listBatches: operation(listBatches),
  getBatch: operation(getBatch),
  getBatchState: operation(getBatchState),
  cancelBatch: operation(cancelBatch),
});
