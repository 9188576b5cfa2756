import { buildListQuery, filterFor, schemas } from 'batchwire/odata';
import { azureBatch, dli, isBatchwireError } from 'batchwire/requests';
import { describe, expect, it } from 'vitest';

const baseUrl = 'https://acct.westus.batch.azure.com';
const apiVersion = '2025-06-01';

function code(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (isBatchwireError(error)) return error.code;
    throw error;
  }
  return 'none';
}

describe('Azure Batch list descriptors', () => {
  it('each list has its path, and the query built by buildListQuery', () => {
    const query = {
      filter: "state eq 'active'",
      select: ['id', 'state'],
      expand: 'stats',
      maxResults: 10,
      timeout: 30,
    };
    const cases = [
      [azureBatch.listJobs({ baseUrl, apiVersion, ...query }), '/jobs', schemas.jobs],
      [
        azureBatch.listTasks({ baseUrl, apiVersion, jobId: 'job 1/a', ...query }),
        '/jobs/job%201%2Fa/tasks',
        schemas.tasks,
      ],
      [azureBatch.listPools({ baseUrl, apiVersion, ...query }), '/pools', schemas.pools],
      [
        azureBatch.listComputeNodes({
          baseUrl,
          apiVersion,
          poolId: 'p1',
          ...query,
          filter: "state eq 'idle'",
        }),
        '/pools/p1/nodes',
        schemas.computeNodes,
      ],
    ] as const;
    for (const [request, path, schema] of cases) {
      const filter = path.endsWith('/nodes') ? "state eq 'idle'" : query.filter;
      expect(request.method).toBe('GET');
      expect(request.url).toBe(
        `${baseUrl}${path}?${buildListQuery({ ...query, filter, schema, apiVersion })}`,
      );
      expect(request.headers.accept).toBe('application/json; odata=minimalmetadata');
      const url = new URL(request.url);
      expect(url.searchParams.get('$expand')).toBe('stats');
      expect(url.searchParams.get('$select')).toBe('id,state');
    }
  });

  it('writes %20, never +, as its TSDoc shows', () => {
    expect(
      azureBatch.listJobPreparationAndReleaseTaskStatus({
        baseUrl,
        jobId: 'job-1',
        filter: "nodeId eq 'tvm-1'",
        maxResults: 100,
        apiVersion: '2024-07-01.20.0',
      }).url,
    ).toBe(
      `${baseUrl}/jobs/job-1/jobpreparationandreleasetaskstatus?api-version=2024-07-01.20.0&$filter=nodeId%20eq%20%27tvm-1%27&maxresults=100`,
    );
  });

  it('refuses what buildListQuery refuses, with the same code', () => {
    for (const bad of [
      { timeout: 999 },
      { timeout: 0 },
      { filter: 'state eq' },
      { filter: "((state eq 'x'" },
      { select: ['a b'] },
      { expand: ['x y'] },
      { maxResults: 1001 },
      { maxResults: 1.5 },
    ]) {
      const expected = code(() => buildListQuery({ ...bad, apiVersion }));
      expect(expected).not.toBe('none');
      expect(code(() => azureBatch.listJobs({ baseUrl, apiVersion, ...bad }))).toBe(expected);
      expect(code(() => azureBatch.listComputeNodes({ baseUrl, apiVersion, poolId: 'p', ...bad }))).toBe(
        expected,
      );
    }
  });

  it('checks the filter against the operation schema, unless told not to', () => {
    // allocationState is a pool property: not filterable on jobs.
    expect(
      code(() => azureBatch.listJobs({ baseUrl, apiVersion, filter: "allocationState eq 'steady'" })),
    ).toBe('FILTER_UNKNOWN_PROPERTY');
    expect(
      code(() => azureBatch.listPools({ baseUrl, apiVersion, filter: "allocationState eq 'steady'" })),
    ).toBe('none');
    expect(
      code(() => azureBatch.listPools({ baseUrl, apiVersion, filter: "allocationState ne 'steady'" })),
    ).toBe('FILTER_OPERATOR_NOT_ALLOWED');
    const custom = azureBatch.listJobs({ baseUrl, apiVersion, filter: "newProperty eq 'x'", schema: false });
    expect(new URL(custom.url).searchParams.get('$filter')).toBe("newProperty eq 'x'");
    const typed = filterFor(schemas.tasks);
    const tasks = azureBatch.listTasks({
      baseUrl,
      apiVersion,
      jobId: 'j',
      filter: typed.and(typed.eq('state', 'completed'), typed.ne('executionInfo/exitCode', 0)),
    });
    expect(new URL(tasks.url).searchParams.get('$filter')).toBe(
      "state eq 'completed' and executionInfo/exitCode ne 0",
    );
  });

  it('refuses missing ids, versions and bad base URLs with INVALID_ARGUMENT', () => {
    expect(code(() => azureBatch.listTasks({ baseUrl, apiVersion, jobId: '..' }))).toBe('INVALID_ARGUMENT');
    expect(code(() => azureBatch.listComputeNodes({ baseUrl, apiVersion, poolId: '' }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(code(() => azureBatch.listPools({ baseUrl, apiVersion: '' }))).toBe('INVALID_ARGUMENT');
    expect(code(() => azureBatch.listPools({ baseUrl: 'ftp://x', apiVersion }))).toBe('INVALID_ARGUMENT');
    expect(code(() => azureBatch.listPools(null as never))).toBe('INVALID_ARGUMENT');
    expect(code(() => azureBatch.listPools({ baseUrl, apiVersion, schema: 3 as never }))).toBe(
      'INVALID_ARGUMENT',
    );
    // A header value HTTP cannot carry is INVALID_FIELD (issue 12, finding 6).
    expect(code(() => azureBatch.listPools({ baseUrl, apiVersion, headers: { 'x-a': 'b\r\nc' } }))).toBe(
      'INVALID_FIELD',
    );
  });
});

describe('dli takes baseUrl like every descriptor', () => {
  const projectId = 'p1';
  const batchId = '0a324461-d9d9-45da-a52a-3b3c7a3d809e';
  const url = 'https://dli.cn-north-4.myhuaweicloud.com';

  it('baseUrl, and endpoint as the old name', () => {
    const expected = `${url}/v2.0/p1/batches/${batchId}/state`;
    expect(dli.getBatchState({ baseUrl: url, projectId, batchId }).url).toBe(expected);
    expect(dli.getBatchState({ endpoint: url, projectId, batchId }).url).toBe(expected);
    expect(dli.listBatches({ baseUrl: `${url}/`, projectId, size: 5 }).url).toBe(
      `${url}/v2.0/p1/batches?size=5`,
    );
    expect(dli.createBatch({ baseUrl: url, projectId, body: { file: 'f', className: 'C' } }).method).toBe(
      'POST',
    );
    // baseUrl wins when both are given.
    expect(dli.getBatch({ baseUrl: url, endpoint: 'https://old.example', projectId, batchId }).url).toContain(
      url,
    );
    expect(code(() => dli.getBatch({ projectId, batchId } as never))).toBe('INVALID_ARGUMENT');
  });
});
