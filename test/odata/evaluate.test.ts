import { evaluateFilter, parseFilter } from 'batchwire/odata';
import { describe, expect, it } from 'vitest';

// The item of the seed's (003) response, as JSON.parse gives it.
const item = {
  poolId: 'mypool1',
  nodeId: 'tvm-2167304207_1-20140905t174658z',
  nodeUrl: 'https://myaccount.myregion.batch.azure.com/pools/mypool1/nodes/tvm-2167304207_1-20140905t174658z',
  jobPreparationTaskExecutionInfo: {
    state: 'completed',
    startTime: '2015-05-01T10:20:31Z',
    endTime: '2015-05-02T20:12:42Z',
    exitCode: 0,
    retryCount: 0,
  },
  jobReleaseTaskExecutionInfo: {
    state: 'completed',
    startTime: '2015-05-01T10:20:31Z',
    endTime: '2015-05-02T20:12:42Z',
    exitCode: 0,
    retryCount: 0,
  },
};

function matches(filter: string, record: unknown = item): boolean {
  return evaluateFilter(parseFilter(filter), record);
}

describe('evaluateFilter', () => {
  it('compares strings case-insensitively', () => {
    expect(matches("nodeId eq 'TVM-2167304207_1-20140905T174658Z'")).toBe(true);
    expect(matches("poolId ne 'MYPOOL1'")).toBe(false);
    expect(matches("jobPreparationTaskExecutionInfo/state eq 'Completed'")).toBe(true);
    expect(matches("poolId gt 'MYPOOL0'")).toBe(true);
    expect(matches("startswith(nodeId, 'TVM-')")).toBe(true);
    expect(matches("startswith(nodeId, 'x')")).toBe(false);
  });

  it('compares date-times as instants (ISO strings, RFC 1123, Dates)', () => {
    expect(
      matches("jobPreparationTaskExecutionInfo/startTime eq DateTime'Fri, 01 May 2015 10:20:31 GMT'"),
    ).toBe(true);
    expect(matches("jobPreparationTaskExecutionInfo/startTime lt DateTime'2015-05-01T12:20:30+02:00'")).toBe(
      false,
    );
    expect(matches("jobPreparationTaskExecutionInfo/endTime gt DateTime'2015-05-01T00:00:00Z'")).toBe(true);
    expect(matches("t ge DateTime'2015-05-01T10:20:31Z'", { t: new Date('2015-05-01T10:20:31.5Z') })).toBe(
      true,
    );
    expect(matches("t eq DateTime'2015-05-01T10:20:31Z'", { t: 'Fri, 01 May 2015 10:20:31 GMT' })).toBe(true);
    expect(matches("t eq DateTime'2015-05-01T10:20:31Z'", { t: '2015-05-01T10:20:31.0000000Z' })).toBe(true);
    expect(matches("t eq DateTime'2015-05-01T10:20:31Z'", { t: 'not a date' })).toBe(false);
  });

  it('compares integers and booleans', () => {
    expect(matches('jobPreparationTaskExecutionInfo/exitCode eq 0')).toBe(true);
    expect(matches('jobPreparationTaskExecutionInfo/exitCode ge 1')).toBe(false);
    expect(matches('a lt -1', { a: -5 })).toBe(true);
    expect(matches('enableAutoScale eq true', { enableAutoScale: true })).toBe(true);
    expect(matches('enableAutoScale ne true', { enableAutoScale: false })).toBe(true);
  });

  it('a missing property, null or another type makes the comparison false, even for ne', () => {
    expect(matches('jobReleaseTaskExecutionInfo/exitCode ne 0', { poolId: 'p' })).toBe(false);
    expect(matches('jobReleaseTaskExecutionInfo/exitCode eq 0', { jobReleaseTaskExecutionInfo: null })).toBe(
      false,
    );
    expect(matches("exitCode ne '0'", { exitCode: 0 })).toBe(false);
    expect(matches('exitCode ne 0', { exitCode: '1' })).toBe(false);
    expect(matches("a eq 'x'", null)).toBe(false);
    expect(matches("a eq 'x'", 'a string')).toBe(false);
  });

  it('walks own properties only', () => {
    const proto = { secret: 'x' };
    const record = Object.create(proto) as Record<string, unknown>;
    expect(matches("secret eq 'x'", record)).toBe(false);
    expect(matches("constructor eq 'x'", {})).toBe(false);
    expect(matches("__proto__/secret eq 'x'", record)).toBe(false);
    expect(matches("toString ne 'x'", {})).toBe(false);
  });

  it('and/or short-circuit with the usual precedence', () => {
    expect(
      matches("poolId eq 'x' or nodeId eq 'tvm-2167304207_1-20140905t174658z' and poolId eq 'mypool1'"),
    ).toBe(true);
    expect(matches("(poolId eq 'x' or nodeId ne 'y') and poolId eq 'mypool2'")).toBe(false);
    expect(matches("poolId eq 'x' or (poolId eq 'y' or poolId eq 'mypool1')")).toBe(true);
  });

  it('evaluates deep ASTs without recursion', () => {
    const text = `${'('.repeat(5000)}a eq 1${') and b eq 2'.repeat(5000)}`;
    const ast = parseFilter(text, { maxLength: 1e6, maxDepth: 10_000 });
    expect(evaluateFilter(ast, { a: 1, b: 2 })).toBe(true);
    expect(evaluateFilter(ast, { a: 1, b: 3 })).toBe(false);
  });
});
