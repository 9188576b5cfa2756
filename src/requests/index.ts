/**
 * Request descriptors `{ method, url, headers, body? }` for every HPC Pack SOA, Azure Batch and
 * DLI operation batchwire covers. No transport: the caller's HTTP client sends them. Every id is
 * percent-encoded as one path segment; a value that would change the path is refused.
 *
 * @packageDocumentation
 */
export { BatchwireError, type BatchwireErrorCode, isBatchwireError } from '../core/batchwire-error.js';
export {
  type AzureBatchListOptions,
  azureBatch,
  type ListComputeNodesOptions,
  type ListJobPrepReleaseStatusOptions,
  type ListJobsOptions,
  type ListPoolsOptions,
  type ListTasksOptions,
} from './azure-batch.js';
export {
  type DliBatchOptions,
  type DliCreateBatchOptions,
  type DliEndpointOptions,
  type DliListBatchesOptions,
  type DliListFilters,
  type DliOptions,
  dli,
} from './dli.js';
export {
  HPC_PACK_DEFAULT_API_VERSION,
  type HpcPackAttachSessionOptions,
  type HpcPackBatchOptions,
  type HpcPackCreateSessionOptions,
  type HpcPackGetResponsesOptions,
  type HpcPackOptions,
  type HpcPackSendRequestsOptions,
  type HpcPackSessionOptions,
  hpcPack,
} from './hpc-pack.js';
export { type CommonRequestOptions, encodePathSegment, type RequestDescriptor } from './url.js';
