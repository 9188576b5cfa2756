/**
 * Status documents the services answer polls with: the DLI batch job state, the Azure Batch
 * list pages (and `paginate` / `paginatePages` over them), HPC Pack's `BrokerClientStatus`, and
 * `pollUntil`, which waits for a terminal state.
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
export type { RetryOptions, WaitClock } from '../faults/retry-policy.js';
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
  type PageRequest,
  type PageResult,
  type PaginatedPage,
  type PaginateOptions,
  paginate,
  paginatePages,
} from './paginate.js';
export { DLI_BATCH_STATES, parseDliBatchState, parseJobPrepReleaseStatusPage } from './parse.js';
export {
  type FetchState,
  isBatchJobCompleted,
  isBatchTaskCompleted,
  isBrokerClientStatusTerminal,
  isDliBatchTerminal,
  type PollOptions,
  pollUntil,
  type StateResult,
} from './poll.js';
export { parseDateTime } from './read.js';
export type * from './types.js';
