import { buildListQuery, eq, parseFilter, schemas } from 'batchwire/odata';
import { azureBatch } from 'batchwire/requests';
import { describe, expect, it } from 'vitest';
import { thrownBy } from '../support/errors.js';

const codeOf = (fn: () => unknown): string => thrownBy(fn).code;

describe('buildListQuery', () => {
  it('encodes every parameter', () => {
    const query = buildListQuery({
      apiVersion: '2025-06-01',
      filter: eq('nodeId', "tvm-1 & 'x'"),
      select: ['poolId', 'nodeId', 'jobPreparationTaskExecutionInfo'],
      maxResults: 100,
      timeout: 30,
      skipToken: 'tvm-2167304207_1-20140905t174658z+/=',
    });
    expect(query).toBe(
      'api-version=2025-06-01&$filter=nodeId%20eq%20%27tvm-1%20%26%20%27%27x%27%27%27&$select=poolId%2CnodeId%2CjobPreparationTaskExecutionInfo&maxresults=100&timeout=30&$skiptoken=tvm-2167304207_1-20140905t174658z%2B%2F%3D',
    );
    const params = new URLSearchParams(query);
    expect(params.get('$filter')).toBe("nodeId eq 'tvm-1 & ''x'''");
    expect(params.get('$skiptoken')).toBe('tvm-2167304207_1-20140905t174658z+/=');
  });

  it('round-trips any filter through URLSearchParams', () => {
    const filter = eq('nodeId', "%20+&=#?'\u00e9\ud83d\ude80");
    const params = new URLSearchParams(buildListQuery({ filter }));
    expect(params.get('$filter')).toBe(filter);
  });

  it('formats AST filters and checks text filters', () => {
    expect(buildListQuery({ filter: parseFilter('A EQ 1') })).toBe('$filter=A%20eq%201');
    expect(codeOf(() => buildListQuery({ filter: 'a eq' }))).toBe('FILTER_SYNTAX');
    expect(
      codeOf(() =>
        buildListQuery({ filter: "nodeid eq 'x'", schema: schemas.jobPreparationAndReleaseTaskStatus }),
      ),
    ).toBe('FILTER_UNKNOWN_PROPERTY');
    expect(buildListQuery({ filter: '' })).toBe('');
    expect(buildListQuery({ select: 'id, state' })).toBe('$select=id%2Cstate');
  });

  it('refuses out-of-range options', () => {
    for (const options of [
      { maxResults: 0 },
      { maxResults: 1001 },
      { maxResults: 1.5 },
      { timeout: 31 },
      { timeout: 0 },
      { select: [] },
      { select: ['a b'] },
      { skipToken: '' },
      { apiVersion: '' },
    ]) {
      expect(codeOf(() => buildListQuery(options))).toBe('INVALID_FIELD');
    }
  });
});

describe('buildListQuery and the request descriptor agree', () => {
  it('refuses an unpaired surrogate with a BatchwireError, never a URIError', () => {
    expect(codeOf(() => buildListQuery({ filter: "nodeId eq 'a\ud800'" }))).toBe('INVALID_FIELD');
    expect(codeOf(() => buildListQuery({ skipToken: 'x\udc00' }))).toBe('INVALID_FIELD');
    expect(
      codeOf(() =>
        azureBatch.listJobPreparationAndReleaseTaskStatus({
          baseUrl: 'https://a.b.batch.azure.com',
          jobId: 'j',
          apiVersion: '2024-07-01.20.0',
          filter: "nodeId eq 'a\ud800'",
        }),
      ),
      // The descriptor builds its query with buildListQuery: the same code.
    ).toBe(codeOf(() => buildListQuery({ filter: "nodeId eq 'a\ud800'" })));
  });

  it('encodes the same query the same way (spaces as %20, $filter unescaped)', () => {
    const filter = eq('nodeId', "tvm-1 & 'x' + y/z");
    const options = { apiVersion: '2024-07-01.20.0', filter, select: ['poolId', 'nodeId'], maxResults: 10 };
    const request = azureBatch.listJobPreparationAndReleaseTaskStatus({
      baseUrl: 'https://a.b.batch.azure.com',
      jobId: 'j',
      ...options,
    });
    expect(request.url).toBe(
      `https://a.b.batch.azure.com/jobs/j/jobpreparationandreleasetaskstatus?${buildListQuery(options)}`,
    );
    expect(new URL(request.url).searchParams.get('$filter')).toBe(filter);
  });
});
