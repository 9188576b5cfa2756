// The official Azure Batch SDK (@azure/batch 10.2.0, SharedKey) against startEmulator for the
// everyday single-resource calls: get job/task/pool/node, exists, add job and task, terminate and
// delete a job (their lifecycle on the emulator's manual clock), $select and $expand, the
// service's errors as the SDK's RestError (statusCode, code), and the calls still not served.
import { BatchServiceClient, BatchSharedKeyCredentials } from '@azure/batch';
import { type Emulator, startEmulator } from 'batchwire/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ACCOUNT = 'batchwiretest';
const KEY = Buffer.alloc(64, 0x42).toString('base64');

let emulator: Emulator;
let client: BatchServiceClient;

beforeAll(async () => {
  emulator = await startEmulator({ seed: 3, clock: 'manual', startTime: Date.parse('2024-06-01T00:00:00Z') });
  client = new BatchServiceClient(new BatchSharedKeyCredentials(ACCOUNT, KEY), emulator.url);
});
afterAll(() => emulator.close());

/** [statusCode, code] of the SDK's error, or ['no error']. */
async function failure(call: () => Promise<unknown>): Promise<unknown[]> {
  try {
    await call();
  } catch (error) {
    const e = error as { statusCode?: number; code?: string; body?: { message?: { value?: string } } };
    return [e.statusCode, e.code];
  }
  return ['no error'];
}

describe('@azure/batch single-resource calls against startEmulator', () => {
  it('job.get, task.get, pool.get, computeNode.get: the SDK objects, $select and $expand', async () => {
    const job = await client.job.get('job-1');
    expect(job.id).toBe('job-1');
    expect(job.state).toBe('active');
    expect(job.creationTime).toBeInstanceOf(Date);
    expect(job.jobPreparationTask?.id).toBe('prep');
    expect(job.stats).toBeUndefined();
    const expanded = await client.job.get('job-1', { jobGetOptions: { expand: 'stats' } });
    expect(expanded.stats?.numSucceededTasks).toBe(0);
    expect(expanded.stats?.startTime).toBeInstanceOf(Date);
    const selected = await client.job.get('job-1', { jobGetOptions: { select: 'id,state' } });
    // Only the selected properties came (the SDK adds its default maxParallelTasks and the headers).
    expect([selected.id, selected.state, selected.creationTime, selected.poolInfo]).toEqual([
      'job-1',
      'active',
      undefined,
      undefined,
    ]);
    expect(selected.eTagHeader).toMatch(/^0x/);
    const task = await client.task.get('job-1', 'task-2');
    expect([task.id, task.state, task.executionInfo?.exitCode]).toEqual(['task-2', 'completed', 2]);
    const pool = await client.pool.get('pool-1', { poolGetOptions: { expand: 'stats' } });
    expect([pool.id, pool.vmSize, pool.currentDedicatedNodes]).toEqual(['pool-1', 'standard_d2s_v3', 3]);
    expect(pool.stats?.lastUpdateTime).toBeInstanceOf(Date);
    const node = await client.computeNode.get('pool-1', 'tvm-1_1-20240101t000000z');
    expect([node.id, node.state, node.ipAddress]).toEqual(['tvm-1_1-20240101t000000z', 'idle', '10.0.0.4']);
    const counts = await client.job.getTaskCounts('job-1');
    expect(counts.taskCounts).toEqual({ active: 0, running: 1, completed: 2, succeeded: 1, failed: 1 });
  });

  it('the not-found codes, pool.exists and job HEAD', async () => {
    expect(await failure(() => client.job.get('nope'))).toEqual([404, 'JobNotFound']);
    expect(await failure(() => client.task.get('job-1', 'nope'))).toEqual([404, 'TaskNotFound']);
    expect(await failure(() => client.task.get('nope', 'task-1'))).toEqual([404, 'JobNotFound']);
    expect(await failure(() => client.pool.get('nope'))).toEqual([404, 'PoolNotFound']);
    expect(await failure(() => client.computeNode.get('pool-1', 'nope'))).toEqual([404, 'NodeNotFound']);
    expect(await client.pool.exists('pool-1')).toMatchObject({ body: true });
    expect(await client.pool.exists('nope')).toMatchObject({ body: false });
    // The SDK has no job.exists: HEAD on a job, with fetch.
    const head = async (path: string) => {
      const r = await fetch(`${emulator.url}${path}?api-version=2024-07-01.20.0`, { method: 'HEAD' });
      return [r.status, r.headers.get('etag') !== null, (await r.arrayBuffer()).byteLength];
    };
    expect(await head('/jobs/job-1')).toEqual([200, true, 0]);
    expect(await head('/jobs/nope')).toEqual([404, false, 0]);
    expect(await failure(() => client.job.get('job-1', { jobGetOptions: { expand: 'tasks' } }))).toEqual([
      400,
      'InvalidQueryParameterValue',
    ]);
  });

  it('job.add and task.add: 201 with the entity headers, 409 JobExists/TaskExists', async () => {
    const added = await client.job.add({ id: 'sdk-job', poolInfo: { poolId: 'pool-1' }, priority: 7 });
    expect(added.eTag).toMatch(/^0x[0-9A-F]+$/);
    expect(added.lastModified).toBeInstanceOf(Date);
    expect(added.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(added.dataServiceId).toBe(`${emulator.url}/jobs/sdk-job`);
    expect(added._response.status).toBe(201);
    expect(added._response.headers.get('location')).toBe(`${emulator.url}/jobs/sdk-job`);
    const job = await client.job.get('sdk-job');
    expect([job.state, job.priority, job.poolInfo?.poolId, job.eTag]).toEqual([
      'active',
      7,
      'pool-1',
      added.eTag,
    ]);
    expect(await failure(() => client.job.add({ id: 'SDK-JOB', poolInfo: { poolId: 'pool-1' } }))).toEqual([
      409,
      'JobExists',
    ]);
    const task = await client.task.add('sdk-job', { id: 't1', commandLine: '/bin/true' });
    expect(task._response.status).toBe(201);
    expect(task.dataServiceId).toBe(`${emulator.url}/jobs/sdk-job/tasks/t1`);
    expect(await failure(() => client.task.add('sdk-job', { id: 't1', commandLine: 'x' }))).toEqual([
      409,
      'TaskExists',
    ]);
    expect(await failure(() => client.task.add('nope', { id: 't1', commandLine: 'x' }))).toEqual([
      404,
      'JobNotFound',
    ]);
    const tasks = await client.task.list('sdk-job');
    expect(tasks.map((t) => [t.id, t.state, t.commandLine])).toEqual([['t1', 'active', '/bin/true']]);
    expect(
      (await client.job.list({ jobListOptions: { filter: "id eq 'sdk-job'" } })).map((j) => j.id),
    ).toEqual(['sdk-job']);
  });

  it('job.terminate: 202, terminating, then completed on the clock; a terminated job takes no tasks', async () => {
    await client.job.add({ id: 'to-end', poolInfo: { poolId: 'pool-1' } });
    await client.task.add('to-end', { id: 'a', commandLine: 'sleep 100' });
    const ended = await client.job.terminate('to-end', { terminateReason: 'enough' });
    expect(ended._response.status).toBe(202);
    expect(ended.dataServiceId).toBe(`${emulator.url}/jobs/to-end`);
    const terminating = await client.job.get('to-end');
    expect([terminating.state, terminating.previousState]).toEqual(['terminating', 'active']);
    expect(await failure(() => client.task.add('to-end', { id: 'b', commandLine: 'x' }))).toEqual([
      409,
      'JobBeingTerminated',
    ]);
    emulator.clock.advance(2000);
    const done = await client.job.get('to-end');
    expect([done.state, done.executionInfo?.terminateReason]).toEqual(['completed', 'enough']);
    expect(done.executionInfo?.endTime).toBeInstanceOf(Date);
    const task = await client.task.get('to-end', 'a');
    expect([task.state, task.executionInfo?.failureInfo?.code]).toEqual(['completed', 'TaskEnded']);
    expect(await failure(() => client.task.add('to-end', { id: 'b', commandLine: 'x' }))).toEqual([
      409,
      'JobCompleted',
    ]);
    expect(await failure(() => client.job.terminate('to-end'))).toEqual([409, 'JobCompleted']);
    expect(await failure(() => client.job.terminate('nope'))).toEqual([404, 'JobNotFound']);
  });

  it('job.deleteMethod: 202, deleting, 409 JobBeingDeleted, then 404', async () => {
    await client.job.add({ id: 'to-go', poolInfo: { poolId: 'pool-1' } });
    const deleted = await client.job.deleteMethod('to-go');
    expect(deleted._response.status).toBe(202);
    expect((await client.job.get('to-go')).state).toBe('deleting');
    expect(await failure(() => client.job.deleteMethod('to-go'))).toEqual([409, 'JobBeingDeleted']);
    expect(await failure(() => client.task.add('to-go', { id: 'x', commandLine: 'x' }))).toEqual([
      409,
      'JobBeingDeleted',
    ]);
    emulator.clock.advance(2000);
    expect(await failure(() => client.job.get('to-go'))).toEqual([404, 'JobNotFound']);
    expect(await failure(() => client.job.deleteMethod('to-go'))).toEqual([404, 'JobNotFound']);
    expect((await client.job.list()).map((j) => j.id)).not.toContain('to-go');
  });

  it('calls the emulator does not serve answer in Batch error shape (never a foreign body)', async () => {
    const lacking: [string, () => Promise<unknown>, number, string][] = [
      [
        'job.update',
        () => client.job.update('job-1', { poolInfo: { poolId: 'pool-1' } }),
        405,
        'UnsupportedHttpVerb',
      ],
      ['job.patch', () => client.job.patch('job-1', { priority: 1 }), 405, 'UnsupportedHttpVerb'],
      ['job.disable', () => client.job.disable('job-1', 'requeue'), 404, 'InvalidUri'],
      ['task.terminate', () => client.task.terminate('job-1', 'task-3'), 404, 'InvalidUri'],
      ['task.deleteMethod', () => client.task.deleteMethod('job-1', 'task-3'), 405, 'UnsupportedHttpVerb'],
      [
        'pool.add',
        () => client.pool.add({ id: 'p2', vmSize: 'standard_d2s_v3' }),
        405,
        'UnsupportedHttpVerb',
      ],
      ['pool.deleteMethod', () => client.pool.deleteMethod('pool-1'), 405, 'UnsupportedHttpVerb'],
      ['jobSchedule.list', () => client.jobSchedule.list(), 404, 'InvalidUri'],
      ['certificate.list', () => client.certificate.list(), 404, 'InvalidUri'],
      ['account.listSupportedImages', () => client.account.listSupportedImages(), 404, 'InvalidUri'],
      ['account.listPoolNodeCounts', () => client.account.listPoolNodeCounts(), 404, 'InvalidUri'],
      ['pool.listUsageMetrics', () => client.pool.listUsageMetrics(), 404, 'InvalidUri'],
      ['job.getAllLifetimeStatistics', () => client.job.getAllLifetimeStatistics(), 404, 'InvalidUri'],
      ['file.listFromTask', () => client.file.listFromTask('job-1', 'task-1'), 404, 'InvalidUri'],
    ];
    const seen = [];
    for (const [name, call] of lacking) seen.push([name, ...(await failure(call))]);
    expect(seen).toEqual(lacking.map(([name, , status, code]) => [name, status, code]));
  });
});
