import { BatchwireError } from '../core/errors.js';
import {
  addHeaders,
  baseUrlOf,
  booleanOption,
  type CommonRequestOptions,
  encodePathSegment,
  integerOption,
  queryString,
  type RequestDescriptor,
  setHeader,
  stringOption,
} from './url.js';

/** Options of List Job Preparation and Release Task Status. */
export interface ListJobPrepReleaseStatusOptions extends CommonRequestOptions {
  /** The Batch account endpoint, `https://{account}.{region}.batch.azure.com`. */
  baseUrl: string;
  jobId: string;
  /** An OData `$filter` (see `batchwire/odata` to build one safely). */
  filter?: string;
  /** `$select`: property names, as a list or comma-separated. */
  select?: string | readonly string[];
  /** `maxresults`, 1 to 1000. */
  maxResults?: number;
  /** `timeout`, in seconds (the service caps it at 30). */
  timeout?: number;
  /** The Batch REST API version, e.g. `2024-07-01.20.0`. */
  apiVersion: string;
  /** The `client-request-id` header (a GUID). */
  clientRequestId?: string;
  /** `return-client-request-id`. */
  returnClientRequestId?: boolean;
  /** `ocp-date`: when the request was made. */
  ocpDate?: Date;
}

/**
 * List Job Preparation and Release Task Status:
 * `GET {baseUrl}/jobs/{jobId}/jobpreparationandreleasetaskstatus?api-version=...&$filter=...&$select=...&maxresults=...&timeout=...`.
 * Feed the response to `parseJobPrepReleaseStatusPage`, or the whole list to `paginate`.
 *
 * @throws {@link BatchwireError} `INVALID_ARGUMENT` for a bad base URL, an empty or dot-segment
 *   job id, `maxResults` outside 1-1000, a non-positive `timeout`, a header with a line break
 * @example
 * ```ts
 * import { azureBatch } from 'batchwire/requests';
 * azureBatch.listJobPreparationAndReleaseTaskStatus({
 *   baseUrl: 'https://acct.westus.batch.azure.com', jobId: 'job-1',
 *   filter: "nodeId eq 'tvm-1'", maxResults: 100, apiVersion: '2024-07-01.20.0',
 * }).url;
 * // https://acct.westus.batch.azure.com/jobs/job-1/jobpreparationandreleasetaskstatus?api-version=2024-07-01.20.0&%24filter=nodeId+eq+%27tvm-1%27&maxresults=100
 * ```
 */
function listJobPreparationAndReleaseTaskStatus(options: ListJobPrepReleaseStatusOptions): RequestDescriptor {
  if (typeof options !== 'object' || options === null) throw invalid('expected an options object');
  const base = baseUrlOf(options.baseUrl);
  const apiVersion = stringOption(options.apiVersion, 'apiVersion');
  if (apiVersion === undefined || apiVersion === '') throw invalid('apiVersion is required');
  const select = options.select;
  let selectText: string | undefined;
  if (typeof select === 'string') selectText = select;
  else if (Array.isArray(select)) {
    for (const name of select) if (typeof name !== 'string') throw invalid('select must list strings');
    selectText = select.length === 0 ? undefined : select.join(',');
  } else if (select !== undefined) throw invalid('select must be a string or a list of strings');
  const query = queryString([
    ['api-version', apiVersion],
    ['$filter', stringOption(options.filter, 'filter')],
    ['$select', selectText],
    ['maxresults', integerOption(options.maxResults, 'maxResults', 1, 1000)],
    ['timeout', integerOption(options.timeout, 'timeout', 1, 2147483647)],
  ]);
  const url = `${base}/jobs/${encodePathSegment(options.jobId, 'jobId')}/jobpreparationandreleasetaskstatus${query}`;
  const headers: Record<string, string> = {};
  setHeader(headers, 'accept', 'application/json; odata=minimalmetadata');
  const clientRequestId = stringOption(options.clientRequestId, 'clientRequestId');
  if (clientRequestId !== undefined) setHeader(headers, 'client-request-id', clientRequestId);
  const returnId = booleanOption(options.returnClientRequestId, 'returnClientRequestId');
  if (returnId !== undefined) setHeader(headers, 'return-client-request-id', String(returnId));
  if (options.ocpDate !== undefined) {
    if (!(options.ocpDate instanceof Date) || Number.isNaN(options.ocpDate.getTime())) {
      throw invalid('ocpDate must be a valid Date');
    }
    setHeader(headers, 'ocp-date', options.ocpDate.toUTCString());
  }
  addHeaders(headers, options.headers);
  return { method: 'GET', url, headers };
}

function invalid(message: string): BatchwireError {
  return new BatchwireError('INVALID_ARGUMENT', message, 0);
}

/**
 * Request descriptors for the Azure Batch REST API operations batchwire reads.
 *
 * @example
 * ```ts
 * import { azureBatch } from 'batchwire/requests';
 * const request = azureBatch.listJobPreparationAndReleaseTaskStatus({ baseUrl, jobId: 'job-1', apiVersion: '2024-07-01.20.0' });
 * ```
 */
export const azureBatch = Object.freeze({ listJobPreparationAndReleaseTaskStatus });
