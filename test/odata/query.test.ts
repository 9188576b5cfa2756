import { isBatchwireError } from 'batchwire';
import { buildListQuery, eq, parseFilter, schemas } from 'batchwire/odata';
import { describe, expect, it } from 'vitest';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (!isBatchwireError(error)) throw error;
    return error.code;
  }
  throw new Error('expected a BatchwireError');
}

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
