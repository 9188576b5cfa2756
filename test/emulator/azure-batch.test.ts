import { type FixtureJob, startEmulator } from 'batchwire/emulator';
import { parseFault } from 'batchwire/faults';
import { buildListQuery, evaluateFilter, parseFilter, schemas } from 'batchwire/odata';
import { azureBatch, type RequestDescriptor } from 'batchwire/requests';
import {
  type PageParser,
  paginate,
  parseComputeNodeListPage,
  parseJobListPage,
  parseJobPrepReleaseStatusPage,
  parsePoolListPage,
  parseTaskListPage,
} from 'batchwire/status';
import { describe, expect, it } from 'vitest';
import { send, useEmulator } from './support.js';

const API = '2024-07-01.20.0';

// A job with 23 nodes' prep/release status, 7 tasks, and a pool of 12 nodes, to page through.
const statuses = Array.from({ length: 23 }, (_, i) => ({
  poolId: i % 2 ? 'pool-a' : 'pool-b',
  nodeId: `tvm-${String(i).padStart(2, '0')}`,
  jobPreparationTaskExecutionInfo: {
    state: i % 5 === 0 ? 'running' : 'completed',
    startTime: `2024-03-01T00:${String(i).padStart(2, '0')}:00Z`,
    retryCount: 0,
    ...(i % 5 === 0 ? {} : { exitCode: i % 3, result: i % 3 ? 'failure' : 'success' }),
  },
}));
const fixture = {
  azureBatch: {
    jobs: [
      {
        id: 'big',
        state: 'active',
        creationTime: '2024-03-01T00:00:00Z',
        executionInfo: { poolId: 'pool-a', startTime: '2024-03-01T00:00:00Z' },
        jobPreparationTask: { commandLine: 'prep' },
        preparationAndReleaseTaskStatus: statuses,
        tasks: Array.from({ length: 7 }, (_, i) => ({
          id: `t${i}`,
          state: i < 4 ? 'completed' : 'active',
          lastModified: `2024-03-0${i + 1}T00:00:00Z`,
          executionInfo: { exitCode: i < 4 ? i % 2 : undefined, retryCount: 0, requeueCount: 0 },
        })),
      },
      {
        id: 'Other-Job',
        state: 'completed',
        creationTime: '2024-01-01T00:00:00Z',
        executionInfo: { poolId: 'pool-b' },
      },
      { id: 'no-prep', state: 'active', creationTime: '2024-02-01T00:00:00Z' },
    ] as FixtureJob[],
    pools: [
      {
        id: 'pool-a',
        state: 'active',
        vmSize: 'STANDARD_D2S_V3',
        allocationState: 'steady',
        enableAutoScale: false,
        nodes: Array.from({ length: 12 }, (_, i) => ({
          id: `node-${i}`,
          state: i % 3 === 0 ? 'running' : 'idle',
          startTaskInfo: { state: 'completed', exitCode: i % 4 === 0 ? 1 : 0 },
        })),
      },
    ],
  },
};

const ctx = useEmulator({ fixture });

async function list(path: string, query: Parameters<typeof buildListQuery>[0]): Promise<Response> {
  return fetch(`${ctx.url}${path}?${buildListQuery({ apiVersion: API, ...query })}`, {
    headers: { accept: 'application/json' },
  });
}

/** Every item of a list, following odata.nextLink with paginate; also the number of pages. */
async function all<T>(
  first: RequestDescriptor,
  parse: PageParser<T>,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let pages = 0;
  for await (const item of paginate(
    async (link) => {
      pages++;
      const response = await fetch(link ?? first.url, { headers: first.headers });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json;odata=minimalmetadata');
      return response;
    },
    { parse, url: first.url },
  )) {
    items.push(item);
  }
  return { items, pages };
}

describe('Azure Batch lists', () => {
  it('prep/release status: filters and pages through paginate with the descriptor and the status parser', async () => {
    const filter =
      "jobPreparationTaskExecutionInfo/state eq 'COMPLETED' and jobPreparationTaskExecutionInfo/exitCode ne 0";
    const first = azureBatch.listJobPreparationAndReleaseTaskStatus({
      baseUrl: ctx.url,
      jobId: 'big',
      apiVersion: API,
      filter,
      maxResults: 3,
    });
    let pages = 0;
    const nodes: string[] = [];
    for await (const item of paginate(async (link) => {
      pages++;
      const response = await fetch(link ?? first.url, { headers: first.headers });
      expect(response.status).toBe(200);
      return await response.text();
    })) {
      nodes.push(item.nodeId!);
      expect(item.jobPreparationTaskExecutionInfo?.state).toBe('completed');
      expect(item.jobPreparationTaskExecutionInfo?.exitCode).not.toBe(0);
      expect(item.nodeUrl).toBe(`${ctx.url}/pools/${item.poolId}/nodes/${item.nodeId}`);
    }
    const ast = parseFilter(filter, { schema: schemas.jobPreparationAndReleaseTaskStatus });
    const expected = statuses.filter((s) => evaluateFilter(ast, s)).map((s) => s.nodeId);
    expect(expected.length).toBeGreaterThan(6);
    expect(nodes).toEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / 3));
  });

  it('jobs, tasks, pools and compute nodes: filter, startswith, $select, $expand, paging', async () => {
    const baseUrl = ctx.url;
    const jobs = await all(
      azureBatch.listJobs({
        baseUrl,
        apiVersion: API,
        filter: "state eq 'Active'",
        maxResults: 1,
        expand: 'stats',
      }),
      parseJobListPage,
    );
    expect(jobs.items.map((j) => j.id)).toEqual(['big', 'no-prep']);
    expect(jobs.pages).toBe(2);
    expect(jobs.items[0]!.url).toBe(`${ctx.url}/jobs/big`);
    expect(jobs.items[0]).not.toHaveProperty('tasks');
    const prefixed = await all(
      azureBatch.listJobs({ baseUrl, apiVersion: API, filter: "startswith(id, 'other')" }),
      parseJobListPage,
    );
    expect(prefixed.items.map((j) => j.id)).toEqual(['Other-Job']);
    const tasks = await all(
      azureBatch.listTasks({
        baseUrl,
        apiVersion: API,
        jobId: 'big',
        filter: "state eq 'completed' and lastModifiedTime ge DateTime'2024-03-02T00:00:00Z'",
        maxResults: 2,
        select: ['id'],
      }),
      parseTaskListPage,
    );
    expect(tasks.items.map((t) => t.id)).toEqual(['t1', 't2', 't3']);
    expect(tasks.items.map((t) => t.state)).toEqual([undefined, undefined, undefined]);
    expect(tasks.pages).toBe(2);
    const pools = await all(
      azureBatch.listPools({
        baseUrl,
        apiVersion: API,
        filter: "vmSize eq 'standard_d2s_v3' and enableAutoScale eq false",
      }),
      parsePoolListPage,
    );
    expect(pools.items.map((p) => p.id)).toEqual(['pool-a']);
    const nodes = await all(
      azureBatch.listComputeNodes({
        baseUrl,
        apiVersion: API,
        poolId: 'pool-a',
        filter: "state eq 'idle' and startTaskInfo/exitCode eq 0",
        maxResults: 2,
      }),
      parseComputeNodeListPage,
    );
    expect(nodes.items.map((n) => n.id)).toEqual([
      'node-1',
      'node-2',
      'node-5',
      'node-7',
      'node-10',
      'node-11',
    ]);
    expect(nodes.pages).toBe(3);
    const everything = await all(
      azureBatch.listComputeNodes({ baseUrl, apiVersion: API, poolId: 'pool-a', maxResults: 5 }),
      parseComputeNodeListPage,
    );
    expect(everything.items).toHaveLength(12);
    expect(everything.pages).toBe(3);
  });

  it('the last page has no nextLink, and an empty page is an empty value', async () => {
    const response = await list('/jobs', { filter: "id eq 'nothing'" });
    const page = await response.json();
    expect(page).toEqual({ 'odata.metadata': `${ctx.url}/$metadata#jobs`, value: [] });
  });
});

describe('Azure Batch errors', () => {
  async function fault(response: Response) {
    expect(response.headers.get('content-type')).toBe('application/json;odata=minimalmetadata');
    expect(response.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
    return parseFault({ status: response.status, headers: response.headers, body: await response.text() });
  }

  it('a bad $filter is 400 InvalidQueryParameterValue with the parameter, its value and the reason', async () => {
    const text = "nodeID eq 'x'";
    const response = await fetch(
      `${ctx.url}/jobs/big/jobpreparationandreleasetaskstatus?api-version=${API}&$filter=${encodeURIComponent(text)}`,
    );
    expect(response.status).toBe(400);
    const f = await fault(response);
    expect(f).toMatchObject({ service: 'azure-batch', code: 'InvalidQueryParameterValue', retriable: false });
    expect(f.values.slice(0, 2)).toEqual([
      { key: 'QueryParameterName', value: '$filter' },
      { key: 'QueryParameterValue', value: text },
    ]);
    expect(f.values[2]!.key).toBe('Reason');
    expect(f.values[2]!.value).toContain("'nodeId'");
    for (const bad of ["poolId gt 'a'", "state eq 'x' or", 'exitCode eq 1', "id eq 'a' and not x"]) {
      const r = await fetch(`${ctx.url}/jobs?api-version=${API}&$filter=${encodeURIComponent(bad)}`);
      expect(r.status).toBe(400);
      expect((await fault(r)).code).toBe('InvalidQueryParameterValue');
    }
  });

  it('maxresults out of range, a bad skip token, a missing api-version', async () => {
    const low = await fetch(`${ctx.url}/jobs?api-version=${API}&maxresults=-5`);
    expect(low.status).toBe(400);
    expect((await fault(low)).values).toEqual([
      { key: 'QueryParameterName', value: 'maxresults' },
      { key: 'QueryParameterValue', value: '-5' },
      { key: 'Reason', value: 'MaxResults cannot be less than 1' },
    ]);
    expect((await fetch(`${ctx.url}/jobs?api-version=${API}&maxResults=1001`)).status).toBe(400);
    expect((await fetch(`${ctx.url}/jobs?api-version=${API}&$skiptoken=zz`)).status).toBe(400);
    const missing = await fetch(`${ctx.url}/jobs`);
    expect(missing.status).toBe(400);
    expect(await fault(missing)).toMatchObject({
      code: 'MissingRequiredQueryParameter',
      values: [{ key: 'QueryParameterName', value: 'api-version' }],
    });
    expect((await fetch(`${ctx.url}/jobs?api-version=latest`)).status).toBe(400);
  });

  it('404 JobNotFound and PoolNotFound, 409 for a job without preparation or release task', async () => {
    const missing = await send(
      azureBatch.listJobPreparationAndReleaseTaskStatus({ baseUrl: ctx.url, jobId: 'nope', apiVersion: API }),
    );
    expect(missing.status).toBe(404);
    expect((await fault(missing)).code).toBe('JobNotFound');
    expect((await fault(await fetch(`${ctx.url}/jobs/nope/tasks?api-version=${API}`))).code).toBe(
      'JobNotFound',
    );
    const pool = await fetch(`${ctx.url}/pools/nope/nodes?api-version=${API}`);
    expect(pool.status).toBe(404);
    expect((await fault(pool)).code).toBe('PoolNotFound');
    const conflict = await send(
      azureBatch.listJobPreparationAndReleaseTaskStatus({
        baseUrl: ctx.url,
        jobId: 'no-prep',
        apiVersion: API,
      }),
    );
    expect(conflict.status).toBe(409);
    expect((await fault(conflict)).code).toBe('JobPreparationTaskOrReleaseTaskNotSpecified');
    // Ids compare without case.
    expect((await fetch(`${ctx.url}/jobs/BIG/tasks?api-version=${API}`)).status).toBe(200);
  });
});

describe('Azure Batch data', () => {
  it('serves the default data set without a fixture, and takes jobs and pools added in code', async () => {
    const emulator = await startEmulator();
    try {
      const prep = await send(
        azureBatch.listJobPreparationAndReleaseTaskStatus({
          baseUrl: emulator.url,
          jobId: 'job-1',
          apiVersion: API,
        }),
      );
      const page = parseJobPrepReleaseStatusPage(await prep.text());
      expect(page.items).toHaveLength(3);
      expect(page.items[1]!.jobPreparationTaskExecutionInfo?.exitCode).toBe(1);
      emulator.azureBatch.addPool({ id: 'extra', state: 'active', nodes: [{ id: 'n1', state: 'idle' }] });
      emulator.azureBatch.addJob({
        id: 'added',
        state: 'active',
        jobReleaseTask: {},
        preparationAndReleaseTaskStatus: [],
      });
      expect(emulator.azureBatch.pools().map((p) => p.id)).toEqual(['pool-1', 'extra']);
      expect(() => emulator.azureBatch.addJob({ id: 'ADDED' })).toThrow(/exists already/);
      const added = await send(
        azureBatch.listJobPreparationAndReleaseTaskStatus({
          baseUrl: emulator.url,
          jobId: 'added',
          apiVersion: API,
        }),
      );
      expect(parseJobPrepReleaseStatusPage(await added.text()).items).toEqual([]);
      emulator.reset();
      expect(emulator.azureBatch.pools().map((p) => p.id)).toEqual(['pool-1']);
    } finally {
      await emulator.close();
    }
  });

  it('refuses a malformed fixture with the path of the problem', async () => {
    await expect(
      startEmulator({ fixture: { azureBatch: { jobs: [{ id: '' } as FixtureJob] } } }),
    ).rejects.toThrow(/azureBatch.jobs\[0\].id/);
    await expect(startEmulator({ fixture: { dli: { batches: [{ id: 'not-a-uuid' }] } } })).rejects.toThrow(
      /UUID/,
    );
    await expect(startEmulator({ fixture: { nope: 1 } as never })).rejects.toThrow(/unknown key/);
  });
});
