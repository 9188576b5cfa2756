import { readFileSync } from 'node:fs';
import {
  BatchwireServiceError,
  parseComputeNodeListPage,
  parseJobListPage,
  parsePoolListPage,
  parseTaskListPage,
} from 'batchwire/status';
import { describe, expect, it } from 'vitest';
import { thrownBy } from '../support/errors.js';

// Page shapes from the wire notes (shared/reference/service-responses.md), pretty-printed with
// CRLF as the service sends them.
function vector(name: string): Uint8Array {
  const text = readFileSync(new URL(`../vectors/batch/${name}`, import.meta.url), 'utf8').replace(
    /\n/g,
    '\r\n',
  );
  return new TextEncoder().encode(text);
}

describe('Azure Batch list pages', () => {
  it('jobs: typed fields, dates with 7 fractional digits, unknown fields kept raw', () => {
    const page = parseJobListPage(vector('jobs-page.json'));
    expect(page.nextLink).toBe(
      'https://batchacct.eastus.batch.azure.com/jobs?api-version=2025-06-01&$skiptoken=WATMx%3d%3d',
    );
    expect(page.metadata).toBe('https://batchacct.eastus.batch.azure.com/$metadata#jobs');
    const [active, done] = page.items;
    expect(active).toMatchObject({ id: 'job-1', state: 'active', priority: 0, maxParallelTasks: -1 });
    expect(active!.lastModified?.toISOString()).toBe('2024-07-01T10:20:31.117Z');
    expect(active!.constraints).toEqual({
      maxWallClockTime: 'P10675199DT2H48M5.4775807S',
      maxTaskRetryCount: 0,
    });
    expect(active!.executionInfo?.poolId).toBe('pool-1');
    expect(done!.previousState).toBe('active');
    expect(done!.executionInfo?.schedulingError).toEqual({
      category: 'usererror',
      code: 'AutoPoolCreationFailed',
      message: 'x',
      details: [{ name: 'Reason', value: 'quota' }],
    });
    expect(done!.executionInfo?.terminateReason).toBe('TaskFailed');
    expect(done!.poolInfo?.autoPoolSpecification).toEqual({
      poolLifetimeOption: 'job',
      pool: { vmSize: 'standard_d2s_v3' },
    });
    expect(done!.metadata).toEqual([{ name: 'owner', value: 'ana' }]);
    expect(done!.extra).toEqual({ jobManagerTask: { id: 'jm', commandLine: 'cmd /c echo' } });
    expect(Object.getPrototypeOf(done!.extra)).toBeNull();
  });

  it('tasks: exit code, failure info, node info; the last page has no nextLink', () => {
    const page = parseTaskListPage(vector('tasks-page.json'));
    expect(page.nextLink).toBeUndefined();
    const [failed, waiting] = page.items;
    expect(failed!.executionInfo).toMatchObject({
      exitCode: 3,
      result: 'failure',
      retryCount: 0,
      requeueCount: 0,
    });
    expect(failed!.executionInfo?.failureInfo?.code).toBe('FailureExitCode');
    expect(failed!.nodeInfo?.nodeId).toBe('tvmps_abc_d');
    expect(failed!.constraints?.retentionTime).toBe('P7D');
    // Unknown fields are kept as written, null included.
    expect({ ...failed!.extra }).toEqual({ multiInstanceSettings: null });
    expect(waiting!.executionInfo).toEqual({ retryCount: 0, requeueCount: 0 });
    expect(waiting!.nodeInfo).toBeUndefined();
  });

  it('pools and compute nodes', () => {
    const [pool] = parsePoolListPage(vector('pools-page.json')).items;
    expect(pool).toMatchObject({
      id: 'pool-1',
      allocationState: 'resizing',
      targetDedicatedNodes: 2,
      enableAutoScale: false,
      taskSchedulingPolicy: { nodeFillType: 'Spread' },
      resizeErrors: [
        { code: 'AllocationTimedout', message: 'Desired number of nodes could not be allocated' },
      ],
    });
    expect(Object.keys(pool!.extra!)).toEqual(['virtualMachineConfiguration']);
    const [node] = parseComputeNodeListPage(vector('nodes-page.json')).items;
    expect(node).toMatchObject({
      state: 'idle',
      schedulingState: 'enabled',
      isDedicated: true,
      totalTasksRun: 5,
    });
    expect(node!.stateTransitionTime?.toISOString()).toBe('2024-07-01T09:05:00.123Z');
    expect(node!.startTaskInfo).toMatchObject({ state: 'completed', exitCode: 0, result: 'success' });
    expect(Object.keys(node!.extra!).sort()).toEqual(['endpointConfiguration', 'nodeAgentInfo']);
  });

  it('a value of the wrong type is MALFORMED_DOCUMENT at its offset', () => {
    const body = '{"value":[{"id":"p","enableAutoScale":"yes"}]}';
    const error = thrownBy(() => parsePoolListPage(body));
    expect(error.code).toBe('MALFORMED_DOCUMENT');
    expect(error.offset).toBe(body.indexOf('"yes"'));
    const date = '{"value":[{"id":"j","executionInfo":{"startTime":"yesterday"}}]}';
    expect(thrownBy(() => parseJobListPage(date)).offset).toBe(date.indexOf('"yesterday"'));
    expect(thrownBy(() => parseTaskListPage('{"items":[]}')).code).toBe('MALFORMED_DOCUMENT');
    expect(thrownBy(() => parseComputeNodeListPage('{"value":[1]}')).code).toBe('MALFORMED_DOCUMENT');
  });

  it('an error body is a BatchwireServiceError; limits and options are checked', () => {
    const error = thrownBy(() =>
      parseJobListPage(
        '{"odata.metadata":"x","code":"InvalidQueryParameterValue","message":{"lang":"en-US","value":"Bad.\\nRequestId:1"},"values":[{"key":"QueryParameterName","value":"maxresults"}]}',
      ),
    );
    expect(error).toBeInstanceOf(BatchwireServiceError);
    if (error.code !== 'SERVICE_FAULT') throw new Error('expected a service fault');
    expect(error.fault.code).toBe('InvalidQueryParameterValue');
    expect(thrownBy(() => parsePoolListPage('{"value":[]}', { maxBodyBytes: 5 })).code).toBe(
      'LIMIT_EXCEEDED',
    );
    expect(thrownBy(() => parsePoolListPage('{"value":[]}', { maxBytes: 5 })).code).toBe('LIMIT_EXCEEDED');
    expect(thrownBy(() => parsePoolListPage('{"value":[]}', { maxBodyBytes: -1 })).code).toBe(
      'INVALID_ARGUMENT',
    );
    expect(thrownBy(() => parsePoolListPage('{"value":[]}', 7 as never)).code).toBe('INVALID_ARGUMENT');
    expect(parsePoolListPage('{"value":[]}', null as never).items).toEqual([]);
  });

  it('a __proto__ key stays data', () => {
    const page = parseJobListPage('{"value":[{"id":"j","__proto__":{"polluted":true}}]}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(page.items[0]!.extra!)).toEqual(['__proto__']);
  });
});
