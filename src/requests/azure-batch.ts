import { BatchwireError, invalidArgument } from '../core/errors.js';
import type { FilterText } from '../odata/builder.js';
import { buildListQuery, type ListQueryOptions } from '../odata/query.js';
import { schemas } from '../odata/schemas.js';
import type { FilterExpression, FilterSchema } from '../odata/types.js';
import {
  addHeaders,
  baseUrlOf,
  booleanOption,
  type CommonRequestOptions,
  encodePathSegment,
  operation,
  type RequestDescriptor,
  setHeader,
  stringOption,
} from './url.js';

/** Options every Azure Batch list operation takes. */
export interface AzureBatchListOptions extends CommonRequestOptions {
  /** The Batch account endpoint, `https://{account}.{region}.batch.azure.com`. */
  baseUrl: string;
  /** The Batch REST API version, e.g. `2025-06-01` or `2024-07-01.20.0`. */
  apiVersion: string;
  /**
   * `$filter`: text (parsed, so a filter that is not valid OData is refused here, not by the
   * service) or a filter built with `batchwire/odata`.
   */
  filter?: string | FilterText | FilterExpression;
  /**
   * The schema the filter is checked against (property names, operators, value types).
   * @defaultValue the operation's documented table in `schemas`; `false` checks the syntax only
   */
  schema?: FilterSchema | false;
  /** `$select`: property names, as a list or comma-separated. */
  select?: string | readonly string[];
  /** `$expand`: e.g. `stats` (jobs, tasks, pools). */
  expand?: string | readonly string[];
  /** `maxresults`, 1 to 1000 (the service's default is 1000). */
  maxResults?: number;
  /** `timeout`: the server-side timeout in seconds, 1 to 30. */
  timeout?: number;
  /** The `client-request-id` header (a GUID). */
  clientRequestId?: string;
  /** `return-client-request-id`. */
  returnClientRequestId?: boolean;
  /** `ocp-date`: when the request was made. */
  ocpDate?: Date;
}

/** Options of List Jobs. */
export interface ListJobsOptions extends AzureBatchListOptions {}

/** Options of List Pools. */
export interface ListPoolsOptions extends AzureBatchListOptions {}

/** Options of List Tasks (the tasks of one job). */
export interface ListTasksOptions extends AzureBatchListOptions {
  jobId: string;
}

/** Options of List Compute Nodes (the nodes of one pool). */
export interface ListComputeNodesOptions extends AzureBatchListOptions {
  poolId: string;
}

/** Options of List Job Preparation and Release Task Status. */
export interface ListJobPrepReleaseStatusOptions extends AzureBatchListOptions {
  jobId: string;
}

function schemaOf(options: AzureBatchListOptions, documented: FilterSchema): FilterSchema | undefined {
  const schema = options.schema;
  if (schema === undefined) return documented;
  if (schema === false) return undefined;
  if (typeof schema !== 'object' || schema === null)
    throw invalidArgument('schema must be a filter schema (see schemas in batchwire/odata) or false');
  return schema;
}

// One shape for every list: the path, then the query built by buildListQuery (the one place that
// validates and encodes `$filter`, `$select`, `maxresults`, `timeout` and `api-version`).
function describeList(
  options: AzureBatchListOptions,
  documented: FilterSchema,
  path: (options: AzureBatchListOptions) => string,
): RequestDescriptor {
  if (typeof options !== 'object' || options === null) throw invalidArgument('expected an options object');
  const base = baseUrlOf(options.baseUrl);
  const apiVersion = stringOption(options.apiVersion, 'apiVersion');
  if (apiVersion === undefined || apiVersion === '') throw invalidArgument('apiVersion is required');
  const resource = path(options);
  const schema = schemaOf(options, documented);
  const query: ListQueryOptions = { apiVersion };
  if (options.filter !== undefined) query.filter = options.filter;
  if (schema !== undefined) query.schema = schema;
  if (options.select !== undefined) query.select = options.select;
  if (options.expand !== undefined) query.expand = options.expand;
  if (options.maxResults !== undefined) query.maxResults = options.maxResults;
  if (options.timeout !== undefined) query.timeout = options.timeout;
  const url = `${base}/${resource}?${buildListQuery(query)}`;
  const headers: Record<string, string> = {};
  setHeader(headers, 'accept', 'application/json; odata=minimalmetadata');
  const clientRequestId = stringOption(options.clientRequestId, 'clientRequestId');
  if (clientRequestId !== undefined) setHeader(headers, 'client-request-id', clientRequestId);
  const returnId = booleanOption(options.returnClientRequestId, 'returnClientRequestId');
  if (returnId !== undefined) setHeader(headers, 'return-client-request-id', String(returnId));
  if (options.ocpDate !== undefined) {
    if (!(options.ocpDate instanceof Date) || Number.isNaN(options.ocpDate.getTime())) {
      throw invalidArgument('ocpDate must be a valid Date');
    }
    setHeader(headers, 'ocp-date', options.ocpDate.toUTCString());
  }
  addHeaders(headers, options.headers);
  return { method: 'GET', url, headers };
}

/**
 * List Jobs: `GET {baseUrl}/jobs?api-version=...&$filter=...&$select=...&$expand=...&maxresults=...&timeout=...`.
 * The filter is checked against `schemas.jobs` unless `schema` says otherwise. Read a page with
 * `parseJobListPage`, or the whole list with `paginate(fetchPage, { parse: parseJobListPage })`.
 *
 * @throws {@link BatchwireError} `INVALID_ARGUMENT` for a bad base URL, a missing API version or a
 *   header with a line break; what `buildListQuery` throws for a bad filter, `select`, `expand`,
 *   `maxResults` (1-1000) or `timeout` (1-30)
 * @example
 * ```ts
 * import { azureBatch } from 'batchwire/requests';
 * azureBatch.listJobs({
 *   baseUrl: 'https://acct.westus.batch.azure.com', apiVersion: '2025-06-01',
 *   filter: "state eq 'active'", select: ['id', 'state'], maxResults: 100,
 * }).url;
 * // https://acct.westus.batch.azure.com/jobs?api-version=2025-06-01&$filter=state%20eq%20%27active%27&$select=id%2Cstate&maxresults=100
 * ```
 */
function listJobs(options: ListJobsOptions): RequestDescriptor {
  return describeList(options, schemas.jobs, () => 'jobs');
}

/**
 * List Tasks of a job: `GET {baseUrl}/jobs/{jobId}/tasks?api-version=...`. The filter is checked
 * against `schemas.tasks`. Read a page with `parseTaskListPage`.
 *
 * @throws {@link BatchwireError} as {@link azureBatch}.listJobs, and `INVALID_ARGUMENT` for an
 *   empty or dot-segment job id
 * @example
 * ```ts
 * azureBatch.listTasks({ baseUrl, apiVersion: '2025-06-01', jobId: 'job-1', filter: "state eq 'completed'" });
 * ```
 */
function listTasks(options: ListTasksOptions): RequestDescriptor {
  return describeList(
    options,
    schemas.tasks,
    (o) => `jobs/${encodePathSegment((o as ListTasksOptions).jobId, 'jobId')}/tasks`,
  );
}

/**
 * List Pools: `GET {baseUrl}/pools?api-version=...`. The filter is checked against
 * `schemas.pools`. Read a page with `parsePoolListPage`.
 *
 * @throws {@link BatchwireError} as {@link azureBatch}.listJobs
 * @example
 * ```ts
 * azureBatch.listPools({ baseUrl, apiVersion: '2025-06-01', filter: "startswith(id, 'render-')" });
 * ```
 */
function listPools(options: ListPoolsOptions): RequestDescriptor {
  return describeList(options, schemas.pools, () => 'pools');
}

/**
 * List Compute Nodes of a pool: `GET {baseUrl}/pools/{poolId}/nodes?api-version=...`. The filter
 * is checked against `schemas.computeNodes`. Read a page with `parseComputeNodeListPage`.
 *
 * @throws {@link BatchwireError} as {@link azureBatch}.listJobs, and `INVALID_ARGUMENT` for an
 *   empty or dot-segment pool id
 * @example
 * ```ts
 * azureBatch.listComputeNodes({ baseUrl, apiVersion: '2025-06-01', poolId: 'pool-1', filter: "state eq 'idle'" });
 * ```
 */
function listComputeNodes(options: ListComputeNodesOptions): RequestDescriptor {
  return describeList(
    options,
    schemas.computeNodes,
    (o) => `pools/${encodePathSegment((o as ListComputeNodesOptions).poolId, 'poolId')}/nodes`,
  );
}

/**
 * List Job Preparation and Release Task Status:
 * `GET {baseUrl}/jobs/{jobId}/jobpreparationandreleasetaskstatus?api-version=...&$filter=...&$select=...&maxresults=...&timeout=...`.
 * The filter is checked against `schemas.jobPreparationAndReleaseTaskStatus`. Feed the response
 * to `parseJobPrepReleaseStatusPage`, or the whole list to `paginate`.
 *
 * @throws {@link BatchwireError} as {@link azureBatch}.listJobs, and `INVALID_ARGUMENT` for an
 *   empty or dot-segment job id
 * @example
 * ```ts
 * import { azureBatch } from 'batchwire/requests';
 * azureBatch.listJobPreparationAndReleaseTaskStatus({
 *   baseUrl: 'https://acct.westus.batch.azure.com', jobId: 'job-1',
 *   filter: "nodeId eq 'tvm-1'", maxResults: 100, apiVersion: '2024-07-01.20.0',
 * }).url;
 * // https://acct.westus.batch.azure.com/jobs/job-1/jobpreparationandreleasetaskstatus?api-version=2024-07-01.20.0&$filter=nodeId%20eq%20%27tvm-1%27&maxresults=100
 * ```
 */
function listJobPreparationAndReleaseTaskStatus(options: ListJobPrepReleaseStatusOptions): RequestDescriptor {
  return describeList(
    options,
    schemas.jobPreparationAndReleaseTaskStatus,
    (o) =>
      `jobs/${encodePathSegment((o as ListJobPrepReleaseStatusOptions).jobId, 'jobId')}/jobpreparationandreleasetaskstatus`,
  );
}

/**
 * Request descriptors for the Azure Batch list operations batchwire reads: jobs, tasks of a job,
 * pools, compute nodes of a pool, and job preparation/release task status. Every query string
 * is built by `buildListQuery` from `batchwire/odata`.
 *
 * @example
 * ```ts
 * import { azureBatch } from 'batchwire/requests';
 * const request = azureBatch.listPools({ baseUrl, apiVersion: '2025-06-01', maxResults: 100 });
 * const response = await fetch(request.url, { headers: { ...request.headers, authorization } });
 * ```
 */
export const azureBatch = Object.freeze({
  listJobs: operation(listJobs),
  listTasks: operation(listTasks),
  listPools: operation(listPools),
  listComputeNodes: operation(listComputeNodes),
  listJobPreparationAndReleaseTaskStatus: operation(listJobPreparationAndReleaseTaskStatus),
});
