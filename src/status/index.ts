/**
 * Status documents the services answer polls with: the DLI batch job state, the Azure Batch
 * job preparation/release task status list (and a paginator over it), and HPC Pack's
 * `BrokerClientStatus`.
 *
 * @packageDocumentation
 */

export {
  BatchwireError,
  type BatchwireErrorCode,
  isBatchwireError,
  isBatchwireServiceError,
} from '../core/batchwire-error.js';
export type { BodyInput } from '../core/body.js';
export { BatchwireServiceError } from '../faults/error.js';
export { BROKER_CLIENT_STATUSES, type BrokerClientStatus, parseBrokerClientStatus } from '../soap/status.js';
export {
  parseComputeNodeListPage,
  parseJobListPage,
  parsePoolListPage,
  parseTaskListPage,
} from './batch-lists.js';
export type * from './batch-types.js';
export { DLI_STATE_TRANSITIONS, dliStateMayFollow, isFinalDliState } from './dli-states.js';
export {
  type FetchPage,
  type HttpPage,
  type PageParser,
  type PageResult,
  type PaginateOptions,
  paginate,
} from './paginate.js';
export { DLI_BATCH_STATES, parseDliBatchState, parseJobPrepReleaseStatusPage } from './parse.js';
export { parseDateTime } from './read.js';
export type * from './types.js';
