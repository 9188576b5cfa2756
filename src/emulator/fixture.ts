// The fixture format (the services' own REST representations, as list responses show them) and
// the small data set served when no fixture is given.
import { BatchwireError } from '../core/errors.js';
import { guarded } from './guard.js';

/** A JSON object as a service represents a resource. */
export type RestObject = Record<string, unknown>;

/** An Azure Batch job; `tasks` and `preparationAndReleaseTaskStatus` are fixture-only keys. */
export interface FixtureJob extends RestObject {
  id: string;
  tasks?: RestObject[];
  preparationAndReleaseTaskStatus?: RestObject[];
}

/** An Azure Batch pool; `nodes` is a fixture-only key. */
export interface FixturePool extends RestObject {
  id: string;
  nodes?: RestObject[];
}

/**
 * The data an emulator serves: `{ "azure-batch": { jobs, pools }, dli: { batches } }`, each item
 * the service's own JSON representation (as in its list responses). Jobs may carry `tasks` and
 * `preparationAndReleaseTaskStatus`, pools `nodes`. `azureBatch`, the old spelling of the key, is
 * read too (a checked fixture always has `azure-batch`).
 */
export interface EmulatorFixture {
  'azure-batch'?: { jobs?: FixtureJob[]; pools?: FixturePool[] };
  /** The old spelling of `azure-batch`. */
  azureBatch?: { jobs?: FixtureJob[]; pools?: FixturePool[] };
  dli?: { batches?: RestObject[] };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `id` has the form DLI gives batch job ids. */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}

function fail(path: string, message: string): never {
  throw new BatchwireError('INVALID_ARGUMENT', `fixture ${path}: ${message}`, 0);
}

function isObject(value: unknown): value is RestObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function only(value: RestObject, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(value))
    if (!allowed.includes(key)) fail(`${path}.${key}`, `unknown key (allowed: ${allowed.join(', ')})`);
}

function list(value: unknown, path: string): RestObject[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(path, 'must be an array');
  value.forEach((item, i) => {
    if (!isObject(item)) fail(`${path}[${i}]`, 'must be an object');
  });
  return value as RestObject[];
}

function ids(items: RestObject[], path: string, check?: (id: string) => boolean): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const id = item.id;
    if (typeof id !== 'string' || id === '') fail(`${path}[${i}].id`, 'must be a non-empty string');
    if (check && !check(id))
      fail(`${path}[${i}].id`, `${JSON.stringify(id)} is not a UUID, as DLI batch ids are`);
    const key = id.toLowerCase();
    if (seen.has(key))
      fail(`${path}[${i}].id`, `${JSON.stringify(id)} appears twice (ids compare without case)`);
    seen.add(key);
  });
}

/**
 * Checks a fixture and returns a deep copy of it.
 *
 * @throws {@link BatchwireError} `INVALID_ARGUMENT`, naming the item that is wrong
 */
export function validateFixture(value: unknown): EmulatorFixture {
  return guarded('fixture', () => checkFixture(value));
}

function checkFixture(value: unknown): EmulatorFixture {
  if (!isObject(value)) fail('', 'must be a JSON object { "azure-batch"?, dli? }');
  only(value, ['azure-batch', 'azureBatch', 'dli'], '');
  if (value['azure-batch'] !== undefined && value.azureBatch !== undefined)
    fail('azureBatch', 'is the old name of "azure-batch": give one of the two');
  const copy = structuredClone(value) as RestObject;
  const key = copy['azure-batch'] !== undefined ? 'azure-batch' : 'azureBatch';
  const batch = copy[key];
  delete copy.azureBatch;
  if (batch !== undefined) {
    if (!isObject(batch)) fail(key, 'must be an object { jobs?, pools? }');
    only(batch, ['jobs', 'pools'], key);
    const jobs = list(batch.jobs, `${key}.jobs`);
    ids(jobs, `${key}.jobs`);
    jobs.forEach((job, i) => {
      const tasks = list(job.tasks, `${key}.jobs[${i}].tasks`);
      ids(tasks, `${key}.jobs[${i}].tasks`);
      const statuses = list(
        job.preparationAndReleaseTaskStatus,
        `${key}.jobs[${i}].preparationAndReleaseTaskStatus`,
      );
      statuses.forEach((s, k) => {
        for (const field of ['poolId', 'nodeId'])
          if (typeof s[field] !== 'string')
            fail(`${key}.jobs[${i}].preparationAndReleaseTaskStatus[${k}].${field}`, 'must be a string');
      });
    });
    const pools = list(batch.pools, `${key}.pools`);
    ids(pools, `${key}.pools`);
    pools.forEach((pool, i) => {
      ids(list(pool.nodes, `${key}.pools[${i}].nodes`), `${key}.pools[${i}].nodes`);
    });
    copy['azure-batch'] = batch;
  }
  if (copy.dli !== undefined) {
    const dli = copy.dli;
    if (!isObject(dli)) fail('dli', 'must be an object { batches? }');
    only(dli, ['batches'], 'dli');
    ids(list(dli.batches, 'dli.batches'), 'dli.batches', isUuid);
  }
  return copy as EmulatorFixture;
}

function prep(
  state: 'running' | 'completed',
  start: string,
  end: string | undefined,
  exitCode: number | undefined,
  dir: string,
): RestObject {
  const info: RestObject = { state, startTime: start, taskRootDirectory: dir, retryCount: 0 };
  if (end !== undefined) info.endTime = end;
  if (exitCode !== undefined) {
    info.exitCode = exitCode;
    info.result = exitCode === 0 ? 'success' : 'failure';
  }
  if (exitCode !== undefined && exitCode !== 0) {
    info.failureInfo = {
      category: 'usererror',
      code: 'FailureExitCode',
      message: `The task exited with exit code ${exitCode}`,
    };
  }
  return info;
}

const NODES = ['tvm-1_1-20240101t000000z', 'tvm-1_2-20240101t000000z', 'tvm-1_3-20240101t000000z'];

/**
 * The data served when no fixture is given: pool `pool-1` with three compute nodes; job `job-1`
 * with preparation and release tasks that ran on all three nodes (one preparation task failed
 * with exit code 1) and three tasks; job `job-2`, still active, with a preparation task that ran
 * on two nodes and is running on one; job `job-3`, completed, without preparation or release
 * task (its status list answers 409); two DLI batch jobs, one finished and one dead.
 */
export function defaultFixture(): EmulatorFixture {
  const created = '2024-01-01T00:00:00Z';
  const node = (id: string, i: number): RestObject => ({
    id,
    state: i === 2 ? 'running' : 'idle',
    schedulingState: 'enabled',
    stateTransitionTime: `2024-01-01T00:0${i + 1}:00Z`,
    lastBootTime: '2024-01-01T00:00:30Z',
    allocationTime: '2024-01-01T00:00:10Z',
    ipAddress: `10.0.0.${i + 4}`,
    affinityId: `TVM:${id}`,
    vmSize: 'standard_d2s_v3',
    totalTasksRun: i + 1,
    totalTasksSucceeded: i,
    runningTasksCount: i === 2 ? 1 : 0,
    runningTaskSlotsCount: i === 2 ? 1 : 0,
    isDedicated: true,
    startTaskInfo: {
      state: 'completed',
      startTime: '2024-01-01T00:00:40Z',
      endTime: '2024-01-01T00:00:50Z',
      exitCode: 0,
      retryCount: 0,
      result: 'success',
    },
  });
  const task = (id: string, state: string, exitCode?: number): RestObject => {
    const executionInfo: RestObject = { retryCount: 0, requeueCount: 0 };
    if (state !== 'active') executionInfo.startTime = '2024-01-01T01:00:00Z';
    if (exitCode !== undefined) {
      executionInfo.endTime = '2024-01-01T01:05:00Z';
      executionInfo.exitCode = exitCode;
      executionInfo.result = exitCode === 0 ? 'success' : 'failure';
    }
    return {
      id,
      eTag: '0x8DC0000000000000',
      creationTime: created,
      lastModified: created,
      state,
      stateTransitionTime: '2024-01-01T01:00:00Z',
      commandLine: `/bin/sh -c "echo ${id}"`,
      requiredSlots: 1,
      executionInfo,
    };
  };
  const job = (id: string, state: string, extra: RestObject): FixtureJob => ({
    id,
    eTag: '0x8DC0000000000000',
    lastModified: created,
    creationTime: created,
    state,
    stateTransitionTime: created,
    priority: 0,
    maxParallelTasks: -1,
    poolInfo: { poolId: 'pool-1' },
    executionInfo: { startTime: created, poolId: 'pool-1' },
    onAllTasksComplete: 'noaction',
    onTaskFailure: 'noaction',
    ...extra,
  });
  return {
    'azure-batch': {
      pools: [
        {
          id: 'pool-1',
          eTag: '0x8DC0000000000000',
          lastModified: created,
          creationTime: created,
          state: 'active',
          stateTransitionTime: created,
          allocationState: 'steady',
          allocationStateTransitionTime: created,
          vmSize: 'standard_d2s_v3',
          resizeTimeout: 'PT15M',
          currentDedicatedNodes: 3,
          targetDedicatedNodes: 3,
          currentLowPriorityNodes: 0,
          targetLowPriorityNodes: 0,
          enableAutoScale: false,
          enableInterNodeCommunication: false,
          taskSlotsPerNode: 1,
          taskSchedulingPolicy: { nodeFillType: 'Spread' },
          nodes: NODES.map(node),
        },
      ],
      jobs: [
        job('job-1', 'active', {
          jobPreparationTask: { id: 'prep', commandLine: '/bin/sh -c "echo prep"' },
          jobReleaseTask: { id: 'release', commandLine: '/bin/sh -c "echo release"' },
          tasks: [task('task-1', 'completed', 0), task('task-2', 'completed', 2), task('task-3', 'running')],
          preparationAndReleaseTaskStatus: NODES.map((nodeId, i) => ({
            poolId: 'pool-1',
            nodeId,
            jobPreparationTaskExecutionInfo: prep(
              'completed',
              `2024-01-01T00:1${i}:00Z`,
              `2024-01-01T00:1${i}:30Z`,
              i === 1 ? 1 : 0,
              `tasks/job-1/job-1/prep`,
            ),
            jobReleaseTaskExecutionInfo: prep(
              'completed',
              `2024-01-02T00:0${i}:00Z`,
              `2024-01-02T00:0${i}:10Z`,
              0,
              `tasks/job-1/job-1/release`,
            ),
          })),
        }),
        job('job-2', 'active', {
          jobPreparationTask: { id: 'prep', commandLine: '/bin/sh -c "echo prep"' },
          tasks: [task('task-1', 'active')],
          preparationAndReleaseTaskStatus: [
            {
              poolId: 'pool-1',
              nodeId: NODES[0],
              jobPreparationTaskExecutionInfo: prep(
                'completed',
                '2024-01-03T00:00:00Z',
                '2024-01-03T00:01:00Z',
                0,
                'tasks/job-2/job-1/prep',
              ),
            },
            {
              poolId: 'pool-1',
              nodeId: NODES[1],
              jobPreparationTaskExecutionInfo: prep(
                'running',
                '2024-01-03T00:00:00Z',
                undefined,
                undefined,
                'tasks/job-2/job-1/prep',
              ),
            },
          ],
        }),
        job('job-3', 'completed', {
          executionInfo: {
            startTime: created,
            endTime: '2024-01-01T02:00:00Z',
            poolId: 'pool-1',
            terminateReason: 'AllTasksComplete',
          },
          tasks: [task('task-1', 'completed', 0)],
        }),
      ],
    },
    dli: {
      batches: [
        {
          id: '0a324461-d9d9-45da-a52a-3b3c7a3d809e',
          appId: 'application_1607589874156_0001',
          name: 'wordcount',
          owner: 'emulator',
          proxyUser: '',
          state: 'success',
          kind: '',
          log: ['stdout: ', 'stderr: ', 'YARN Diagnostics: '],
          sc_type: 'A',
          cluster_name: 'queue1',
          queue: 'queue1',
          create_time: 1704067200000,
          update_time: 1704067500000,
          duration: 240000,
          req_body: '{"file":"obs://bucket/wordcount.jar","className":"WordCount","queue":"queue1"}',
        },
        {
          id: '7d1a5e1e-3c1c-4b8e-9f0a-2a6f3b7c9d01',
          appId: 'application_1607589874156_0002',
          name: 'etl',
          owner: 'emulator',
          proxyUser: '',
          state: 'dead',
          kind: '',
          log: ['stdout: ', 'stderr: ', 'YARN Diagnostics: '],
          sc_type: 'B',
          cluster_name: 'queue1',
          queue: 'queue1',
          create_time: 1704153600000,
          update_time: 1704154200000,
          duration: 540000,
          req_body: '{"file":"obs://bucket/etl.jar","className":"Etl","queue":"queue1","sc_type":"B"}',
        },
      ],
    },
  };
}
