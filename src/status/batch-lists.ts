// Typed page parsers for the Azure Batch list operations (jobs, tasks, pools, compute nodes).
// Each item type is described once as a field table; one reader walks a table, so every list
// reads dates, integers and nested objects the same way and reports a bad value at its offset.

import { type BodyInput, decodeBody } from '../core/body.js';
import { extraFields, type JsonPathStep, parseJsonDocument } from '../core/json.js';
import { checkJsonDepth } from '../core/json-depth.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { limitOption, optionsObject, textOption } from '../core/options.js';
import { BatchwireServiceError } from '../faults/error.js';
import { parseFault } from '../faults/parse.js';
import type { BatchComputeNode, BatchJob, BatchListPage, BatchPool, BatchTask } from './batch-types.js';
import { DocumentReader } from './read.js';
import type { StatusParseOptions } from './types.js';

/** How one field is read: a scalar kind, a nested table, a list of either, or kept raw. */
type FieldKind = 'string' | 'date' | 'int' | 'boolean' | 'raw' | FieldTable | ListOf;
interface FieldTable {
  readonly [key: string]: FieldKind;
}
/** A JSON array whose elements are read as `element`. */
class ListOf {
  constructor(readonly element: 'string' | FieldTable) {}
}
const list = (element: 'string' | FieldTable) => new ListOf(element);

const NAME_VALUE: FieldTable = { name: 'string', value: 'string' };
const ERROR_INFO: FieldTable = {
  category: 'string',
  code: 'string',
  message: 'string',
  details: list(NAME_VALUE),
};
const FAILURE_INFO: FieldTable = { ...ERROR_INFO, values: list(NAME_VALUE) };
const CONTAINER_INFO: FieldTable = { containerId: 'string', state: 'string', error: 'string' };

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

// The key sets, for `extra`, computed once per table.
const KNOWN = new WeakMap<FieldTable, ReadonlySet<string>>();
function knownKeys(table: FieldTable): ReadonlySet<string> {
  let keys = KNOWN.get(table);
  if (!keys) {
    keys = new Set(Object.keys(table));
    KNOWN.set(table, keys);
  }
  return keys;
}

function setField(target: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty: a field named __proto__ can never reach a prototype.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function readValue(
  reader: DocumentReader,
  source: Record<string, unknown>,
  key: string,
  kind: FieldKind,
  path: JsonPathStep[],
): unknown {
  switch (kind) {
    case 'string':
      return reader.string(source, key, path);
    case 'date':
      return reader.date(source, key, path);
    case 'int':
      return reader.integer(source, key, path);
    case 'boolean': {
      const value = Object.hasOwn(source, key) ? source[key] : undefined;
      if (value === undefined || value === null) return undefined;
      if (typeof value !== 'boolean')
        reader.fail([...path, key], `expected true or false, got ${typeof value}`);
      return value;
    }
    case 'raw': {
      const value = Object.hasOwn(source, key) ? source[key] : undefined;
      return value === null ? undefined : value;
    }
    default: {
      if (kind instanceof ListOf) {
        const entries = reader.array(source, key, path);
        if (entries === undefined) return undefined;
        const element = kind.element;
        return entries.map((entry, i) => {
          const at = [...path, key, i];
          if (element === 'string') {
            if (typeof entry !== 'string') reader.fail(at, `expected a string, got ${typeof entry}`);
            return entry;
          }
          return readTable(reader, reader.object(entry, at), at, element);
        });
      }
      const child = reader.child(source, key, path);
      return child === undefined ? undefined : readTable(reader, child, [...path, key], kind);
    }
  }
}

function readTable(
  reader: DocumentReader,
  source: Record<string, unknown>,
  path: JsonPathStep[],
  table: FieldTable,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(table)) {
    const value = readValue(reader, source, key, table[key]!, path);
    if (value !== undefined) setField(out, key, value);
  }
  const extra = extraFields(source, knownKeys(table));
  if (extra !== undefined) out.extra = extra;
  return out;
}

const PAGE_KEYS = new Set(['value', 'odata.nextLink', '@odata.nextLink', 'odata.metadata', '@odata.context']);

function readListPage<T>(
  body: BodyInput,
  options: StatusParseOptions | undefined,
  what: string,
  table: FieldTable,
): BatchListPage<T> {
  const read = optionsObject(options, `parse ${what}`);
  const contentType = textOption(read, 'contentType', `parse ${what}`);
  const legacy = limitOption(read, 'maxBytes', DEFAULT_LIMITS.maxBodyBytes, `parse ${what}`);
  const maxBodyBytes = limitOption(read, 'maxBodyBytes', legacy, `parse ${what}`);
  const decoded = decodeBody(body, contentType, maxBodyBytes);
  checkJsonDepth(
    decoded,
    limitOption(read, 'maxJsonDepth', DEFAULT_LIMITS.maxJsonDepth, `parse ${what}`),
    what,
  );
  const value = parseJsonDocument(decoded, what);
  const reader = new DocumentReader(decoded, what);
  const root = reader.object(value, []);
  if (!Object.hasOwn(root, 'value') && (Object.hasOwn(root, 'code') || Object.hasOwn(root, 'odata.error'))) {
    // An error body where a page was expected: the caller learns what the service said.
    throw new BatchwireServiceError(parseFault(contentType === undefined ? { body } : { body, contentType }));
  }
  const values = reader.array(root, 'value', []);
  if (values === undefined) return reader.fail([], 'the body has no "value" array');
  const items: T[] = [];
  for (let i = 0; i < values.length; i++) {
    items.push(readTable(reader, reader.object(values[i], ['value', i]), ['value', i], table) as T);
  }
  const page: BatchListPage<T> = { items };
  const nextLink = reader.string(root, 'odata.nextLink', []) ?? reader.string(root, '@odata.nextLink', []);
  if (nextLink !== undefined && nextLink !== '') page.nextLink = nextLink;
  const metadata = reader.string(root, 'odata.metadata', []) ?? reader.string(root, '@odata.context', []);
  if (metadata !== undefined) page.metadata = metadata;
  const extra = extraFields(root, PAGE_KEYS);
  if (extra !== undefined) page.extra = extra;
  return page;
}

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
export function parseJobListPage(body: BodyInput, options?: StatusParseOptions): BatchListPage<BatchJob> {
  return readListPage<BatchJob>(body, options, 'job list page', JOB);
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
export function parseTaskListPage(body: BodyInput, options?: StatusParseOptions): BatchListPage<BatchTask> {
  return readListPage<BatchTask>(body, options, 'task list page', TASK);
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
export function parsePoolListPage(body: BodyInput, options?: StatusParseOptions): BatchListPage<BatchPool> {
  return readListPage<BatchPool>(body, options, 'pool list page', POOL);
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
  body: BodyInput,
  options?: StatusParseOptions,
): BatchListPage<BatchComputeNode> {
  return readListPage<BatchComputeNode>(body, options, 'compute node list page', NODE);
}
