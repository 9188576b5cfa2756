import { fc } from 'batchwire/arbitraries';
import { buildListQuery, schemas } from 'batchwire/odata';
import {
  azureBatch,
  dli,
  encodePathSegment,
  hpcPack,
  isBatchwireError,
  type RequestDescriptor,
} from 'batchwire/requests';
import { describe, expect, it } from 'vitest';
import { thrownBy } from '../support/errors.js';

const line = (r: RequestDescriptor) => `${r.method} ${r.url}`;
const base = { baseUrl: 'https://head.contoso.com:443', sessionId: 42, batchName: 'b1' };
const pre = { ...base, cluster: 'HEADNODE' };

describe('hpcPack request lines', () => {
  it('pre-2016 form (with cluster)', () => {
    expect(line(hpcPack.getClusters(pre))).toBe('GET https://head.contoso.com/WindowsHPC/Clusters');
    expect(line(hpcPack.createSession({ ...pre, durable: true }))).toBe(
      'POST https://head.contoso.com/WindowsHPC/HEADNODE/sessions/Create?durable=true',
    );
    expect(line(hpcPack.attachSession(pre))).toBe(
      'GET https://head.contoso.com/WindowsHPC/HEADNODE/session/42/Attach?durable=false',
    );
    expect(line(hpcPack.closeSession(pre))).toBe(
      'POST https://head.contoso.com/WindowsHPC/HEADNODE/session/42/Close',
    );
    expect(line(hpcPack.sendRequests({ ...pre, body: '<x/>' }))).toBe(
      'POST https://head.contoso.com/WindowsHPC/HEADNODE/session/42/batch/b1?commit=false',
    );
    expect(line(hpcPack.getRequestStatus(pre))).toBe(
      'GET https://head.contoso.com/WindowsHPC/HEADNODE/session/42/batch/b1/Status',
    );
    expect(line(hpcPack.commitRequests(pre))).toBe(
      'POST https://head.contoso.com/WindowsHPC/HEADNODE/session/42/batch/b1/Commit',
    );
    expect(line(hpcPack.deleteRequests(pre))).toBe(
      'POST https://head.contoso.com/WindowsHPC/HEADNODE/session/42/batch/b1/Purge',
    );
    expect(line(hpcPack.getResponses(pre))).toBe(
      'POST https://head.contoso.com/WindowsHPC/HEADNODE/session/42/batch/b1/Response',
    );
  });

  it('HPC Pack 2016 form (no cluster)', () => {
    expect(line(hpcPack.createSession(base))).toBe(
      'POST https://head.contoso.com/WindowsHPC/sessions/Create?durable=false',
    );
    expect(line(hpcPack.attachSession({ ...base, durable: true }))).toBe(
      'GET https://head.contoso.com/WindowsHPC/session/42/Attach?durable=true',
    );
    expect(line(hpcPack.closeSession(base))).toBe(
      'POST https://head.contoso.com/WindowsHPC/session/42/Close',
    );
    expect(line(hpcPack.getRequestStatus(base))).toBe(
      'GET https://head.contoso.com/WindowsHPC/session/42/batch/b1/Status',
    );
    expect(line(hpcPack.commitRequests(base))).toBe(
      'POST https://head.contoso.com/WindowsHPC/session/42/batch/b1/Commit',
    );
    expect(line(hpcPack.deleteRequests(base))).toBe(
      'POST https://head.contoso.com/WindowsHPC/session/42/batch/b1/Purge',
    );
  });

  it('api-version header by default (2012-11-01.4.0), query or both on request; Accept when asked', () => {
    expect(hpcPack.getRequestStatus(pre).headers).toEqual({ 'api-version': '2012-11-01.4.0' });
    const query = hpcPack.getRequestStatus({
      ...pre,
      apiVersion: '2011-11-01',
      apiVersionIn: 'query',
      accept: 'application/json',
    });
    expect(query.url).toBe(
      'https://head.contoso.com/WindowsHPC/HEADNODE/session/42/batch/b1/Status?api-version=2011-11-01',
    );
    expect(query.headers).toEqual({ accept: 'application/json' });
    const both = hpcPack.getResponses({ ...pre, count: 10, apiVersionIn: 'both' });
    expect(both.url).toContain('?count=10&api-version=2012-11-01.4.0');
    expect(both.headers['api-version']).toBe('2012-11-01.4.0');
  });

  it('sendRequests: commit, genericservice and the body with its content type', () => {
    const bytes = new Uint8Array([0x61, 0xef, 0xbf, 0xbf, 0x00]);
    const generic = hpcPack.sendRequests({ ...pre, body: bytes, commit: true, genericService: true });
    expect(line(generic)).toBe(
      'POST https://head.contoso.com/WindowsHPC/HEADNODE/session/42/batch/b1?commit=true&genericservice=true',
    );
    expect(generic.body).toBe(bytes);
    expect(generic.headers['content-type']).toBe('application/octet-stream');
    const soap = hpcPack.sendRequests({ ...base, body: '<a/>' });
    expect(soap.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(thrownBy(() => hpcPack.sendRequests({ ...base, body: 5 as unknown as string })).code).toBe(
      'INVALID_ARGUMENT',
    );
  });

  it('getResponses: action, clientdata, count, reset, genericservice', () => {
    const r = hpcPack.getResponses({
      ...pre,
      action: 'http://tempuri.org/IService/Echo',
      clientData: 'c d',
      count: -1,
      reset: true,
      genericService: true,
    });
    expect(line(r)).toBe(
      'POST https://head.contoso.com/WindowsHPC/HEADNODE/session/42/batch/b1/Response?action=http%3A%2F%2Ftempuri.org%2FIService%2FEcho&clientdata=c%20d&count=-1&reset=true&genericservice=true',
    );
    expect(thrownBy(() => hpcPack.getResponses({ ...pre, count: -2 })).code).toBe('INVALID_ARGUMENT');
    expect(thrownBy(() => hpcPack.getResponses({ ...pre, count: 1.5 })).code).toBe('INVALID_ARGUMENT');
  });

  it('createSession sends the start info with a sniffed content type', () => {
    const json = hpcPack.createSession({ ...pre, body: '{"ServiceName":"Echo"}' });
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
    const xml = hpcPack.createSession({ ...pre, body: '<WebSessionStartInfo/>', contentType: 'text/xml' });
    expect(xml.headers['content-type']).toBe('text/xml');
  });

  it('keeps a base path prefix and adds caller headers (checked)', () => {
    const r = hpcPack.closeSession({
      ...base,
      baseUrl: 'https://proxy/hpc/',
      headers: { Authorization: 'Basic eA==' },
    });
    expect(r.url).toBe('https://proxy/hpc/WindowsHPC/session/42/Close');
    expect(r.headers.authorization).toBe('Basic eA==');
    // A header value HTTP cannot carry is INVALID_FIELD (issue 12, finding 6).
    expect(
      thrownBy(() => hpcPack.closeSession({ ...base, headers: { 'X-A': 'a\r\nInjected: 1' } })).code,
    ).toBe('INVALID_FIELD');
    expect(thrownBy(() => hpcPack.closeSession({ ...base, headers: { 'Bad Name': 'x' } })).code).toBe(
      'INVALID_ARGUMENT',
    );
    expect(thrownBy(() => hpcPack.closeSession({ ...base, apiVersion: '1\n2' })).code).toBe('INVALID_FIELD');
    const proto = hpcPack.closeSession({ ...base, headers: JSON.parse('{"__proto__":"x"}') });
    expect(Object.hasOwn(proto.headers, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(proto.headers)).toBe(Object.prototype);
  });

  it('refuses bad base URLs and ids', () => {
    for (const baseUrl of ['head', 'ftp://x', 'https://x/?q=1', 'https://u:p@x', 'https://x/#f']) {
      expect(thrownBy(() => hpcPack.getClusters({ baseUrl })).code).toBe('INVALID_ARGUMENT');
    }
    for (const sessionId of ['', '.', '..', -1, 1.5, '\ud800']) {
      expect(thrownBy(() => hpcPack.closeSession({ ...base, sessionId })).code).toBe('INVALID_ARGUMENT');
    }
  });
});

describe('azureBatch request line', () => {
  it('listJobPreparationAndReleaseTaskStatus with every query parameter', () => {
    const r = azureBatch.listJobPreparationAndReleaseTaskStatus({
      baseUrl: 'https://acct.westus.batch.azure.com',
      jobId: 'my job',
      filter: "nodeId eq 'tvm-1' and jobPreparationTaskExecutionInfo/exitCode ne 0",
      select: ['poolId', 'nodeId'],
      maxResults: 1000,
      timeout: 30,
      apiVersion: '2024-07-01.20.0',
      clientRequestId: '9c4bd3a0-3a36-4a5e-9f6a-1e6b0f1c2d3e',
      returnClientRequestId: true,
      ocpDate: new Date(Date.UTC(2024, 6, 1)),
    });
    expect(line(r)).toBe(
      'GET https://acct.westus.batch.azure.com/jobs/my%20job/jobpreparationandreleasetaskstatus?api-version=2024-07-01.20.0&$filter=nodeId%20eq%20%27tvm-1%27%20and%20jobPreparationTaskExecutionInfo%2FexitCode%20ne%200&$select=poolId%2CnodeId&maxresults=1000&timeout=30',
    );
    expect(new URL(r.url).searchParams.get('$filter')).toBe(
      "nodeId eq 'tvm-1' and jobPreparationTaskExecutionInfo/exitCode ne 0",
    );
    expect(r.headers).toEqual({
      accept: 'application/json; odata=minimalmetadata',
      'client-request-id': '9c4bd3a0-3a36-4a5e-9f6a-1e6b0f1c2d3e',
      'return-client-request-id': 'true',
      'ocp-date': 'Mon, 01 Jul 2024 00:00:00 GMT',
    });
  });

  it('minimal call, and range checks', () => {
    const opts = { baseUrl: 'https://a.b.batch.azure.com', jobId: 'j', apiVersion: '2025-06-01' };
    expect(line(azureBatch.listJobPreparationAndReleaseTaskStatus(opts))).toBe(
      'GET https://a.b.batch.azure.com/jobs/j/jobpreparationandreleasetaskstatus?api-version=2025-06-01',
    );
    // Query options are checked by buildListQuery, so the codes are the same as its own.
    for (const bad of [{ maxResults: 0 }, { maxResults: 1001 }, { timeout: 999 }, { select: ['a b'] }]) {
      expect(
        thrownBy(() => azureBatch.listJobPreparationAndReleaseTaskStatus({ ...opts, ...bad })).code,
      ).toBe(thrownBy(() => buildListQuery(bad)).code);
    }
    expect(
      thrownBy(() => azureBatch.listJobPreparationAndReleaseTaskStatus({ ...opts, apiVersion: '' })).code,
    ).toBe('INVALID_ARGUMENT');
    expect(
      thrownBy(() => azureBatch.listJobPreparationAndReleaseTaskStatus({ ...opts, jobId: '..' })).code,
    ).toBe('INVALID_ARGUMENT');
  });
});

describe('dli request lines', () => {
  const opts = {
    endpoint: 'https://dli.cn-north-4.myhuaweicloud.com',
    projectId: '48cc2c48765f481480c7db940d6409d1',
  };
  const batchId = '0a324461-d9d9-45da-a52a-3b3c7a3d809e';

  it('every operation', () => {
    const create = dli.createBatch({
      ...opts,
      body: {
        file: 'batchTest/spark-examples_2.11-2.1.0.luxor.jar',
        className: 'org.apache.spark.examples.SparkPi',
        queue: 'test',
      },
    });
    expect(line(create)).toBe(
      'POST https://dli.cn-north-4.myhuaweicloud.com/v2.0/48cc2c48765f481480c7db940d6409d1/batches',
    );
    expect(JSON.parse(create.body as string).queue).toBe('test');
    expect(create.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(
      line(
        dli.listBatches({
          ...opts,
          jobName: 'a b',
          jobId: 'x',
          clusterName: 'c',
          queueName: 'q',
          from: 0,
          size: 100,
          state: 'running',
          owner: 'o',
        }),
      ),
    ).toBe(
      'GET https://dli.cn-north-4.myhuaweicloud.com/v2.0/48cc2c48765f481480c7db940d6409d1/batches?job_name=a%20b&job-id=x&cluster_name=c&queue_name=q&from=0&size=100&state=running&owner=o',
    );
    expect(line(dli.getBatch({ ...opts, batchId }))).toBe(
      `GET https://dli.cn-north-4.myhuaweicloud.com/v2.0/48cc2c48765f481480c7db940d6409d1/batches/${batchId}`,
    );
    expect(line(dli.getBatchState({ ...opts, batchId, authToken: 'tok' }))).toBe(
      `GET https://dli.cn-north-4.myhuaweicloud.com/v2.0/48cc2c48765f481480c7db940d6409d1/batches/${batchId}/state`,
    );
    expect(dli.getBatchState({ ...opts, batchId, authToken: 'tok' }).headers['x-auth-token']).toBe('tok');
    expect(line(dli.cancelBatch({ ...opts, batchId }))).toBe(
      `DELETE https://dli.cn-north-4.myhuaweicloud.com/v2.0/48cc2c48765f481480c7db940d6409d1/batches/${batchId}`,
    );
  });
});

describe('path segment properties', () => {
  it('no id ever changes the path: one segment each, decoding back to the id', () => {
    const id = fc
      .oneof(
        fc.string({ minLength: 1, maxLength: 20 }),
        fc.constantFrom('../..', 'a/b', '%2e%2e', '?x=1', '#f', '\\..\\', '..%2F', ' ', '%', '.a', 'a.'),
      )
      .filter(
        (s) =>
          s !== '.' &&
          s !== '..' &&
          !/[\ud800-\udfff]/.test(s.replace(/[\ud800-\udbff][\udc00-\udfff]/g, '')),
      );
    fc.assert(
      fc.property(id, id, id, (sessionId, batchName, cluster) => {
        const url = new URL(
          hpcPack.getRequestStatus({ baseUrl: 'https://h', cluster, sessionId, batchName }).url,
        );
        const segments = url.pathname.split('/').slice(1);
        expect(segments).toHaveLength(7);
        expect(segments.map(decodeURIComponent)).toEqual([
          'WindowsHPC',
          cluster,
          'session',
          sessionId,
          'batch',
          batchName,
          'Status',
        ]);
        expect(url.search).toBe('');
        expect(url.hash).toBe('');
        const job = new URL(
          azureBatch.listJobPreparationAndReleaseTaskStatus({
            baseUrl: 'https://a',
            jobId: sessionId,
            apiVersion: 'v',
          }).url,
        );
        expect(decodeURIComponent(job.pathname.split('/')[2]!)).toBe(sessionId);
        expect(encodePathSegment(sessionId, 'id')).not.toMatch(/[/?#\\]/);
      }),
      { numRuns: 300 },
    );
  });

  it('any filter text is either refused as buildListQuery refuses it, or sent exactly', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((v) => `nodeId eq '${v.replace(/'/g, "''")}'`),
          fc.string({ unit: 'grapheme' }).map((v) => `poolId ne '${v.replace(/'/g, "''")}'`),
        ),
        (filter) => {
          let expected: string | undefined;
          try {
            buildListQuery({ filter, schema: schemas.jobPreparationAndReleaseTaskStatus });
          } catch (error) {
            if (!isBatchwireError(error)) throw error;
            expected = error.code;
          }
          try {
            const r = azureBatch.listJobPreparationAndReleaseTaskStatus({
              baseUrl: 'https://a',
              jobId: 'j',
              apiVersion: 'v',
              filter,
            });
            expect(expected).toBeUndefined();
            expect(new URL(r.url).searchParams.get('$filter')).toBe(filter === '' ? null : filter);
          } catch (error) {
            if (!isBatchwireError(error)) throw error;
            expect(error.code).toBe(expected);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
