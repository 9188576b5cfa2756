import type { NameValuePair, TaskContainerExecutionInfo, TaskFailureInfo } from './types.js';

/** One page of an Azure Batch list operation: its items and the link to the next page. */
export interface BatchListPage<T> {
  items: T[];
  /** `odata.nextLink`: the absolute URL of the next page, opaque. Absent on the last page. */
  nextLink?: string;
  /** `odata.metadata`, when present. */
  metadata?: string;
  /** Other top-level fields, in a null-prototype object. */
  extra?: Record<string, unknown>;
}

/** Azure Batch `BatchError`-like details of a scheduling or resize error. */
export interface BatchErrorInfo {
  /** `usererror` or `servererror`, where the service says. */
  category?: string;
  code?: string;
  message?: string;
  details?: NameValuePair[];
  /** Fields this version of batchwire does not know, in a null-prototype object. */
  extra?: Record<string, unknown>;
}

/** Fields every Batch job, task and pool carries. */
export interface BatchResourceCommon {
  id?: string;
  displayName?: string;
  url?: string;
  eTag?: string;
  lastModified?: Date;
  creationTime?: Date;
  stateTransitionTime?: Date;
  previousStateTransitionTime?: Date;
  /** Fields this version of batchwire does not know (job manager task, pool specification...), raw. */
  extra?: Record<string, unknown>;
}

/** Where a job runs: an existing pool, or an auto pool (its specification kept raw). */
export interface BatchPoolInfo {
  poolId?: string;
  autoPoolSpecification?: Record<string, unknown>;
  extra?: Record<string, unknown>;
}

/** A job's execution information. */
export interface BatchJobExecutionInfo {
  startTime?: Date;
  endTime?: Date;
  poolId?: string;
  schedulingError?: BatchErrorInfo;
  /** Wire name `terminateReason` (newer SDKs say terminationReason): `JMComplete`, `TaskFailed`, user text... */
  terminateReason?: string;
  extra?: Record<string, unknown>;
}

/** A job's constraints. */
export interface BatchJobConstraints {
  /** ISO 8601 duration, as written (`P10675199DT2H48M5.4775807S` means no limit). */
  maxWallClockTime?: string;
  maxTaskRetryCount?: number;
  extra?: Record<string, unknown>;
}

/** One item of List Jobs (`GET /jobs`). */
export interface BatchJob extends BatchResourceCommon {
  /** `active`, `disabling`, `disabled`, `enabling`, `terminating`, `completed`, `deleting`. */
  state?:
    | 'active'
    | 'disabling'
    | 'disabled'
    | 'enabling'
    | 'terminating'
    | 'completed'
    | 'deleting'
    | (string & {});
  previousState?: string;
  priority?: number;
  maxParallelTasks?: number;
  allowTaskPreemption?: boolean;
  usesTaskDependencies?: boolean;
  onAllTasksComplete?: string;
  onTaskFailure?: string;
  constraints?: BatchJobConstraints;
  poolInfo?: BatchPoolInfo;
  executionInfo?: BatchJobExecutionInfo;
  metadata?: NameValuePair[];
}

/** A task's constraints. */
export interface BatchTaskConstraints {
  maxWallClockTime?: string;
  retentionTime?: string;
  maxTaskRetryCount?: number;
  extra?: Record<string, unknown>;
}

/** A task's execution information. */
export interface BatchTaskExecutionInfo {
  startTime?: Date;
  endTime?: Date;
  exitCode?: number;
  /** `success` or `failure`. */
  result?: 'success' | 'failure' | (string & {});
  retryCount?: number;
  requeueCount?: number;
  lastRetryTime?: Date;
  lastRequeueTime?: Date;
  containerInfo?: TaskContainerExecutionInfo;
  failureInfo?: TaskFailureInfo;
  extra?: Record<string, unknown>;
}

/** Where a task ran. */
export interface BatchTaskNodeInfo {
  affinityId?: string;
  nodeUrl?: string;
  poolId?: string;
  nodeId?: string;
  taskRootDirectory?: string;
  taskRootDirectoryUrl?: string;
  extra?: Record<string, unknown>;
}

/** One item of List Tasks (`GET /jobs/{jobId}/tasks`). */
export interface BatchTask extends BatchResourceCommon {
  /** `active`, `preparing`, `running`, `completed`. */
  state?: 'active' | 'preparing' | 'running' | 'completed' | (string & {});
  previousState?: string;
  commandLine?: string;
  requiredSlots?: number;
  constraints?: BatchTaskConstraints;
  executionInfo?: BatchTaskExecutionInfo;
  nodeInfo?: BatchTaskNodeInfo;
}

/** One item of List Pools (`GET /pools`). */
export interface BatchPool extends BatchResourceCommon {
  /** `active` or `deleting`. */
  state?: 'active' | 'deleting' | (string & {});
  /** `steady`, `resizing` or `stopping`. */
  allocationState?: 'steady' | 'resizing' | 'stopping' | (string & {});
  allocationStateTransitionTime?: Date;
  vmSize?: string;
  /** ISO 8601 duration, as written. */
  resizeTimeout?: string;
  resizeErrors?: BatchErrorInfo[];
  currentDedicatedNodes?: number;
  currentLowPriorityNodes?: number;
  targetDedicatedNodes?: number;
  targetLowPriorityNodes?: number;
  enableAutoScale?: boolean;
  autoScaleFormula?: string;
  enableInterNodeCommunication?: boolean;
  taskSlotsPerNode?: number;
  /** `nodeFillType` is `Spread` or `Pack` (capitalised on the wire). */
  taskSchedulingPolicy?: { nodeFillType?: string; extra?: Record<string, unknown> };
  metadata?: NameValuePair[];
}

/** A compute node's start task information. */
export interface BatchStartTaskInfo {
  /** `running` or `completed`. */
  state?: string;
  startTime?: Date;
  endTime?: Date;
  exitCode?: number;
  retryCount?: number;
  lastRetryTime?: Date;
  result?: string;
  containerInfo?: TaskContainerExecutionInfo;
  failureInfo?: TaskFailureInfo;
  extra?: Record<string, unknown>;
}

/** One item of List Compute Nodes (`GET /pools/{poolId}/nodes`). */
export interface BatchComputeNode {
  id?: string;
  url?: string;
  /** `idle`, `rebooting`, `reimaging`, `running`, `unusable`, `creating`, `starting`, `waitingforstarttask`, ... */
  state?: string;
  /** `enabled` or `disabled`. */
  schedulingState?: string;
  stateTransitionTime?: Date;
  lastBootTime?: Date;
  allocationTime?: Date;
  ipAddress?: string;
  affinityId?: string;
  vmSize?: string;
  totalTasksRun?: number;
  totalTasksSucceeded?: number;
  runningTasksCount?: number;
  runningTaskSlotsCount?: number;
  isDedicated?: boolean;
  startTaskInfo?: BatchStartTaskInfo;
  /** Fields this version of batchwire does not know, raw. */
  extra?: Record<string, unknown>;
}
