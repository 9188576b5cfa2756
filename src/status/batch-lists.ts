// Typed page parsers for the Azure Batch list operations (jobs, tasks, pools, compute nodes).
// Each item type is described once as a field table (see fields.ts), read by one walker.

import type { BodyInput } from '../core/body.js';
import type { ResponseLike } from '../core/source.js';
import type { BatchComputeNode, BatchJob, BatchListPage, BatchPool, BatchTask } from './batch-types.js';
import { type FieldTable, list, readListPage } from './fields.js';
import type { StatusParseOptions } from './types.js';

const NAME_VALUE: FieldTable = { name: 'string', value: 'string' };
const ERROR_INFO: FieldTable = {
  category: 'string',
  code: 'string',
  message: 'string',
  details: list(NAME_VALUE),
};
const FAILURE_INFO: FieldTable = { ...ERROR_INFO, values: list(NAME_VALUE) };
/** Azure Batch `TaskContainerExecutionInfo`. */
export const CONTAINER_INFO: FieldTable = { containerId: 'string', state: 'string', error: 'string' };

const COMMON: FieldTable = {
  id: 'string',
  displayName: 'string',
  url: 'string',
  eTag: 'string',
  lastModified: 'date',
  creationTime: 'date',
  state: 'string',
  stateTransitionTime: 'date',
  previousState: 'string',
  previousStateTransitionTime: 'date',
};

const JOB: FieldTable = {
  ...COMMON,
  priority: 'int',
  maxParallelTasks: 'int',
  allowTaskPreemption: 'boolean',
  usesTaskDependencies: 'boolean',
  onAllTasksComplete: 'string',
  onTaskFailure: 'string',
  constraints: { maxWallClockTime: 'string', maxTaskRetryCount: 'int' },
  poolInfo: { poolId: 'string', autoPoolSpecification: 'raw' },
  executionInfo: {
    startTime: 'date',
    endTime: 'date',
    poolId: 'string',
    schedulingError: ERROR_INFO,
    terminateReason: 'string',
  },
  metadata: list(NAME_VALUE),
};

const TASK: FieldTable = {
  ...COMMON,
  commandLine: 'string',
  requiredSlots: 'int',
  constraints: { maxWallClockTime: 'string', retentionTime: 'string', maxTaskRetryCount: 'int' },
  executionInfo: {
    startTime: 'date',
    endTime: 'date',
    exitCode: 'int',
    result: 'string',
    retryCount: 'int',
    requeueCount: 'int',
    lastRetryTime: 'date',
    lastRequeueTime: 'date',
    containerInfo: CONTAINER_INFO,
    failureInfo: FAILURE_INFO,
  },
  nodeInfo: {
    affinityId: 'string',
    nodeUrl: 'string',
    poolId: 'string',
    nodeId: 'string',
    taskRootDirectory: 'string',
    taskRootDirectoryUrl: 'string',
  },
};

const POOL: FieldTable = {
  ...COMMON,
  allocationState: 'string',
  allocationStateTransitionTime: 'date',
  vmSize: 'string',
  resizeTimeout: 'string',
  resizeErrors: list(ERROR_INFO),
  currentDedicatedNodes: 'int',
  currentLowPriorityNodes: 'int',
  targetDedicatedNodes: 'int',
  targetLowPriorityNodes: 'int',
  enableAutoScale: 'boolean',
  autoScaleFormula: 'string',
  enableInterNodeCommunication: 'boolean',
  taskSlotsPerNode: 'int',
  taskSchedulingPolicy: { nodeFillType: 'string' },
  metadata: list(NAME_VALUE),
};

const NODE: FieldTable = {
  id: 'string',
  url: 'string',
  state: 'string',
  schedulingState: 'string',
  stateTransitionTime: 'date',
  lastBootTime: 'date',
  allocationTime: 'date',
  ipAddress: 'string',
  affinityId: 'string',
  vmSize: 'string',
  totalTasksRun: 'int',
  totalTasksSucceeded: 'int',
  runningTasksCount: 'int',
  runningTaskSlotsCount: 'int',
  isDedicated: 'boolean',
  startTaskInfo: {
    state: 'string',
    startTime: 'date',
    endTime: 'date',
    exitCode: 'int',
    retryCount: 'int',
    lastRetryTime: 'date',
    result: 'string',
    containerInfo: CONTAINER_INFO,
    failureInfo: FAILURE_INFO,
  },
};

/**
 * Reads one page of Azure Batch List Jobs (`GET {endpoint}/jobs`): typed jobs (date-times as
 * `Date`, `null` treated as absent, unknown fields kept raw in `extra`) and `odata.nextLink`.
 * Give it to {@link paginate} as `parse` to walk the whole list.
 *
 * @throws {@link BatchwireError} `MALFORMED_DOCUMENT` with the offset of the bad value,
 *   `INVALID_ENCODING`, `LIMIT_EXCEEDED` (`maxBodyBytes`); {@link BatchwireServiceError} when
 *   the body is an Azure Batch error
 * @example
 * ```ts
 * import { paginate, parseJobListPage } from 'batchwire/status';
 * const page = parseJobListPage(await response.text());
 * for (const job of page.items) console.log(job.id, job.state, job.executionInfo?.poolId);
 * ```
 */
export function parseJobListPage(
  response: ResponseLike,
  options?: StatusParseOptions,
): Promise<BatchListPage<BatchJob>>;
export function parseJobListPage(body: BodyInput, options?: StatusParseOptions): BatchListPage<BatchJob>;
export function parseJobListPage(
  body: BodyInput | ResponseLike,
  options?: StatusParseOptions,
): BatchListPage<BatchJob> | Promise<BatchListPage<BatchJob>> {
  return readListPage<BatchJob>(body, options, 'parse job list page', 'job list page', JOB);
}

/**
 * Reads one page of Azure Batch List Tasks (`GET {endpoint}/jobs/{jobId}/tasks`): typed tasks
 * (execution info with exit code and failure info, node info once scheduled) and `odata.nextLink`.
 *
 * @throws {@link BatchwireError} `MALFORMED_DOCUMENT`, `INVALID_ENCODING`, `LIMIT_EXCEEDED`;
 *   {@link BatchwireServiceError} for an Azure Batch error body
 * @example
 * ```ts
 * import { parseTaskListPage } from 'batchwire/status';
 * for (const task of parseTaskListPage(body).items) console.log(task.id, task.executionInfo?.exitCode);
 * ```
 */
export function parseTaskListPage(
  response: ResponseLike,
  options?: StatusParseOptions,
): Promise<BatchListPage<BatchTask>>;
export function parseTaskListPage(body: BodyInput, options?: StatusParseOptions): BatchListPage<BatchTask>;
export function parseTaskListPage(
  body: BodyInput | ResponseLike,
  options?: StatusParseOptions,
): BatchListPage<BatchTask> | Promise<BatchListPage<BatchTask>> {
  return readListPage<BatchTask>(body, options, 'parse task list page', 'task list page', TASK);
}

/**
 * Reads one page of Azure Batch List Pools (`GET {endpoint}/pools`): typed pools (allocation
 * state, node counts, auto-scale) and `odata.nextLink`.
 *
 * @throws {@link BatchwireError} `MALFORMED_DOCUMENT`, `INVALID_ENCODING`, `LIMIT_EXCEEDED`;
 *   {@link BatchwireServiceError} for an Azure Batch error body
 * @example
 * ```ts
 * import { parsePoolListPage } from 'batchwire/status';
 * for (const pool of parsePoolListPage(body).items) console.log(pool.id, pool.currentDedicatedNodes);
 * ```
 */
export function parsePoolListPage(
  response: ResponseLike,
  options?: StatusParseOptions,
): Promise<BatchListPage<BatchPool>>;
export function parsePoolListPage(body: BodyInput, options?: StatusParseOptions): BatchListPage<BatchPool>;
export function parsePoolListPage(
  body: BodyInput | ResponseLike,
  options?: StatusParseOptions,
): BatchListPage<BatchPool> | Promise<BatchListPage<BatchPool>> {
  return readListPage<BatchPool>(body, options, 'parse pool list page', 'pool list page', POOL);
}

/**
 * Reads one page of Azure Batch List Compute Nodes (`GET {endpoint}/pools/{poolId}/nodes`):
 * typed nodes (state, scheduling state, start task info) and `odata.nextLink`.
 *
 * @throws {@link BatchwireError} `MALFORMED_DOCUMENT`, `INVALID_ENCODING`, `LIMIT_EXCEEDED`;
 *   {@link BatchwireServiceError} for an Azure Batch error body
 * @example
 * ```ts
 * import { parseComputeNodeListPage } from 'batchwire/status';
 * for (const node of parseComputeNodeListPage(body).items) console.log(node.id, node.state);
 * ```
 */
export function parseComputeNodeListPage(
  response: ResponseLike,
  options?: StatusParseOptions,
): Promise<BatchListPage<BatchComputeNode>>;
export function parseComputeNodeListPage(
  body: BodyInput,
  options?: StatusParseOptions,
): BatchListPage<BatchComputeNode>;
export function parseComputeNodeListPage(
  body: BodyInput | ResponseLike,
  options?: StatusParseOptions,
): BatchListPage<BatchComputeNode> | Promise<BatchListPage<BatchComputeNode>> {
  return readListPage<BatchComputeNode>(
    body,
    options,
    'parse compute node list page',
    'compute node list page',
    NODE,
  );
}
