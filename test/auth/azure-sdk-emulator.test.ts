// The official Azure Batch SDK (@azure/batch 10.2.0, BatchServiceClient with SharedKey credentials)
// against batchwire's emulator, for the calls the emulator serves today: the five lists, with
// filters, $select, maxResults and odatanextLink followed to the end, and the service's errors.
// Every request the SDK sends is also checked with batchwire's verifySharedKey, on the wire.
import { BatchServiceClient, BatchSharedKeyCredentials } from '@azure/batch';
import { type AuthVerdict, verifySharedKey } from 'batchwire/auth';
import { type Emulator, startEmulator } from 'batchwire/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ACCOUNT = 'batchwiretest';
const KEY = Buffer.alloc(64, 0x42).toString('base64');
const BULK = 23;

let emulator: Emulator;
let client: BatchServiceClient;
const verdicts: AuthVerdict[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ seed: 1 });
  for (let i = 0; i < BULK; i++) {
    emulator.azureBatch.addJob({
      id: `bulk-${String(i).padStart(2, '0')}`,
      state: i % 3 === 0 ? 'completed' : 'active',
      creationTime: `2024-02-${String(i + 1).padStart(2, '0')}T00:00:00Z`,
      priority: i,
      poolInfo: { poolId: 'pool-1' },
    });
  }
  // What the SDK signed, verified as the emulator received it.
  emulator.use(async (request, next) => {
    verdicts.push(
      await verifySharedKey(
        { method: request.method, url: `${request.path}${request.search}`, headers: request.headers },
        { account: ACCOUNT, key: KEY },
      ),
    );
    return next();
  });
  client = new BatchServiceClient(new BatchSharedKeyCredentials(ACCOUNT, KEY), emulator.url);
});
afterAll(() => emulator.close());

type Page<T> = T[] & { odatanextLink?: string };

/** Every item of a list, following odatanextLink to the end; also the number of pages. */
async function all<T>(
  first: Page<T>,
  next: (link: string) => Promise<Page<T>>,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [...first];
  let pages = 1;
  let link = first.odatanextLink;
  while (link) {
    const page = await next(link);
    items.push(...page);
    pages++;
    link = page.odatanextLink;
  }
  return { items, pages };
}

describe('@azure/batch BatchServiceClient against startEmulator', () => {
  it('job.list: maxResults pages, odatanextLink followed to the end, the same jobs as one page', async () => {
    const whole = await client.job.list({ jobListOptions: { maxResults: 1000 } });
    expect(whole.odatanextLink).toBeUndefined();
    expect(whole).toHaveLength(3 + BULK);
    const paged = await all(await client.job.list({ jobListOptions: { maxResults: 5 } }), (link) =>
      client.job.listNext(link),
    );
    expect(paged.pages).toBe(Math.ceil((3 + BULK) / 5));
    expect(paged.items.map((j) => j.id)).toEqual(whole.map((j) => j.id));
    const job1 = whole.find((j) => j.id === 'job-1')!;
    // The SDK's own deserialisation: dates as Date, nested objects typed.
    expect(job1.creationTime).toBeInstanceOf(Date);
    expect(job1.creationTime!.toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(job1).toMatchObject({
      state: 'active',
      poolInfo: { poolId: 'pool-1' },
      jobPreparationTask: { id: 'prep' },
    });
    expect(job1.executionInfo?.poolId).toBe('pool-1');
  });

  it('job.list with $filter and $select', async () => {
    const completed = await all(
      await client.job.list({ jobListOptions: { filter: "state eq 'completed'", maxResults: 2 } }),
      (link) => client.job.listNext(link),
    );
    const expected = [
      'job-3',
      ...Array.from({ length: BULK }, (_, i) => i)
        .filter((i) => i % 3 === 0)
        .map((i) => `bulk-${String(i).padStart(2, '0')}`),
    ];
    expect(completed.items.map((j) => j.id).sort()).toEqual(expected.sort());
    expect(completed.items.every((j) => j.state === 'completed')).toBe(true);
    const recent = await client.job.list({
      jobListOptions: {
        filter: "creationTime ge DateTime'2024-02-21T00:00:00Z' and startswith(id, 'bulk-')",
      },
    });
    expect(recent.map((j) => j.id).sort()).toEqual(['bulk-20', 'bulk-21', 'bulk-22']);
    const selected = await client.job.list({
      jobListOptions: { select: 'id,state', filter: "id eq 'job-2'" },
    });
    expect(selected).toHaveLength(1);
    // maxParallelTasks: -1 is the SDK's own default (its model mapper), not from the wire.
    expect(selected[0]).toEqual({ id: 'job-2', state: 'active', maxParallelTasks: -1 });
  });

  it('task.list: a filter, one task per page', async () => {
    const tasks = await all(
      await client.task.list('job-1', { taskListOptions: { filter: "state eq 'completed'", maxResults: 1 } }),
      (link) => client.task.listNext(link),
    );
    expect(tasks.pages).toBe(2);
    expect(tasks.items.map((t) => [t.id, t.executionInfo?.exitCode, t.executionInfo?.result])).toEqual([
      ['task-1', 0, 'success'],
      ['task-2', 2, 'failure'],
    ]);
    expect(tasks.items[0]!.executionInfo?.endTime).toBeInstanceOf(Date);
  });

  it('pool.list and computeNode.list (filter, paging)', async () => {
    const pools = await client.pool.list();
    expect(pools.map((p) => [p.id, p.vmSize, p.allocationState, p.currentDedicatedNodes])).toEqual([
      ['pool-1', 'standard_d2s_v3', 'steady', 3],
    ]);
    const idle = await all(
      await client.computeNode.list('pool-1', {
        computeNodeListOptions: { filter: "state eq 'idle'", maxResults: 1 },
      }),
      (link) => client.computeNode.listNext(link),
    );
    expect(idle.pages).toBe(2);
    expect(idle.items.map((n) => [n.id, n.state, n.ipAddress, n.startTaskInfo?.exitCode])).toEqual([
      ['tvm-1_1-20240101t000000z', 'idle', '10.0.0.4', 0],
      ['tvm-1_2-20240101t000000z', 'idle', '10.0.0.5', 0],
    ]);
    expect(idle.items[0]!.lastBootTime).toBeInstanceOf(Date);
  });

  it('job.listPreparationAndReleaseTaskStatus: paging and a filter on a nested property', async () => {
    const status = await all(
      await client.job.listPreparationAndReleaseTaskStatus('job-1', {
        jobListPreparationAndReleaseTaskStatusOptions: { maxResults: 1 },
      }),
      (link) => client.job.listPreparationAndReleaseTaskStatusNext(link),
    );
    expect(status.pages).toBe(3);
    expect(
      status.items.map((s) => [
        s.nodeId,
        s.jobPreparationTaskExecutionInfo?.exitCode,
        s.jobReleaseTaskExecutionInfo?.state,
      ]),
    ).toEqual([
      ['tvm-1_1-20240101t000000z', 0, 'completed'],
      ['tvm-1_2-20240101t000000z', 1, 'completed'],
      ['tvm-1_3-20240101t000000z', 0, 'completed'],
    ]);
    const failed = await client.job.listPreparationAndReleaseTaskStatus('job-1', {
      jobListPreparationAndReleaseTaskStatusOptions: {
        filter: 'jobPreparationTaskExecutionInfo/exitCode ne 0',
      },
    });
    expect(failed.map((s) => s.nodeId)).toEqual(['tvm-1_2-20240101t000000z']);
    expect(failed[0]!.jobPreparationTaskExecutionInfo?.startTime).toBeInstanceOf(Date);
  });

  it("the service's errors reach the SDK as RestErrors with their status and code", async () => {
    const failure = async (call: () => Promise<unknown>) => {
      try {
        await call();
      } catch (error) {
        const e = error as { statusCode?: number; code?: string };
        return [e.statusCode, e.code];
      }
      return ['no error'];
    };
    expect(await failure(() => client.task.list('no-such-job'))).toEqual([404, 'JobNotFound']);
    expect(await failure(() => client.computeNode.list('no-such-pool'))).toEqual([404, 'PoolNotFound']);
    expect(await failure(() => client.job.listPreparationAndReleaseTaskStatus('job-3'))).toEqual([
      409,
      'JobPreparationTaskOrReleaseTaskNotSpecified',
    ]);
    expect(await failure(() => client.job.list({ jobListOptions: { filter: "State eq 'active'" } }))).toEqual(
      [400, 'InvalidQueryParameterValue'],
    );
  });

  it('every request the SDK sent carries a SharedKey signature batchwire verifies', () => {
    expect(verdicts.length).toBeGreaterThanOrEqual(20);
    expect(verdicts.filter((v) => !v.ok)).toEqual([]);
    expect(new Set(verdicts.map((v) => (v.ok ? v.principal : v.reason)))).toEqual(new Set([ACCOUNT]));
  });
});
