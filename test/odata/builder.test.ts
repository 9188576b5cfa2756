import {
  and,
  defineFilterSchema,
  eq,
  filterFor,
  formatFilter,
  ge,
  gt,
  le,
  lt,
  ne,
  odata,
  or,
  parseFilter,
  schemas,
  startswith,
  toLiteral,
} from 'batchwire/odata';
import { describe, expect, it } from 'vitest';
import { thrownBy } from '../support/errors.js';

const codeOf = (fn: () => unknown): string => thrownBy(fn).code;

describe('builder', () => {
  it('writes every comparison with literals', () => {
    expect(eq('nodeId', 'tvm-1')).toBe("nodeId eq 'tvm-1'");
    expect(ne('jobPreparationTaskExecutionInfo/exitCode', 0)).toBe(
      'jobPreparationTaskExecutionInfo/exitCode ne 0',
    );
    expect(gt('creationTime', new Date('2011-05-08T08:49:37Z'))).toBe(
      "creationTime gt DateTime'2011-05-08T08:49:37Z'",
    );
    expect(ge('creationTime', new Date('2011-05-08T08:49:37.250Z'))).toBe(
      "creationTime ge DateTime'2011-05-08T08:49:37.250Z'",
    );
    expect(lt('executionInfo/exitCode', -1)).toBe('executionInfo/exitCode lt -1');
    expect(le('enableAutoScale', false)).toBe('enableAutoScale le false');
    expect(startswith('id', "it's")).toBe("startswith(id, 'it''s')");
  });

  it('doubles quotes so no value becomes syntax', () => {
    const hostile = "x' or poolId ne 'y";
    const text = eq('nodeId', hostile);
    expect(text).toBe("nodeId eq 'x'' or poolId ne ''y'");
    expect(parseFilter(text)).toMatchObject({
      kind: 'comparison',
      value: { kind: 'string', value: hostile },
    });
  });

  it('rejects values that cannot be literals with INVALID_FIELD', () => {
    for (const bad of [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      1.5,
      2 ** 60,
      new Date(Number.NaN),
      new Date('+010000-01-01T00:00:00Z'),
      null,
      undefined,
      {},
      [],
      10n,
      Symbol('x'),
      () => 1,
    ]) {
      expect(codeOf(() => eq('a', bad as unknown as string))).toBe('INVALID_FIELD');
    }
  });

  it('rejects property names that are not paths', () => {
    for (const bad of ['', 'a b', "a eq 'x' or b", 'a/', '/a', '1a', 'a-b', 'é']) {
      expect(codeOf(() => eq(bad, 'x'))).toBe('INVALID_FIELD');
    }
    expect(codeOf(() => startswith('id', 5 as unknown as string))).toBe('INVALID_FIELD');
  });

  it('and/or add parentheses where needed and flatten same-kind parts', () => {
    expect(and(eq('poolId', 'p1'), or(eq('nodeId', 'a'), eq('nodeId', 'b')))).toBe(
      "poolId eq 'p1' and (nodeId eq 'a' or nodeId eq 'b')",
    );
    expect(or(and(eq('a', 1), eq('b', 2)), eq('c', 3))).toBe('a eq 1 and b eq 2 or c eq 3');
    expect(and(and(eq('a', 1), eq('b', 2)), eq('c', 3))).toBe('a eq 1 and b eq 2 and c eq 3');
    expect(and(eq('a', 1))).toBe('a eq 1');
    expect(and(parseFilter('a eq 1 or b eq 2'), eq('c', 3))).toBe('(a eq 1 or b eq 2) and c eq 3');
  });

  it('and/or refuse strings that are not whole filters', () => {
    expect(codeOf(() => and())).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => and("a eq 'x') or (b eq 'y'" as never, eq('c', 1)))).toBe('FILTER_SYNTAX');
  });

  it('toLiteral builds literal nodes', () => {
    expect(toLiteral(new Date(0))).toMatchObject({
      kind: 'datetime',
      value: '1970-01-01T00:00:00Z',
      time: 0,
    });
    expect(toLiteral(-0)).toMatchObject({ kind: 'int', value: 0 });
  });
});

describe('odata tagged template', () => {
  it('turns every value into a literal', () => {
    const node = "tvm-1'; drop";
    expect(odata`nodeId eq ${node} and jobPreparationTaskExecutionInfo/exitCode ne ${0}`).toBe(
      "nodeId eq 'tvm-1''; drop' and jobPreparationTaskExecutionInfo/exitCode ne 0",
    );
    expect(odata`creationTime gt ${new Date('2011-05-08T08:49:37Z')} or enableAutoScale eq ${true}`).toBe(
      "creationTime gt DateTime'2011-05-08T08:49:37Z' or enableAutoScale eq true",
    );
    expect(odata`startswith(id, ${'a b'})`).toBe("startswith(id, 'a b')");
  });

  it('refuses placeholders inside quotes (where a value could close the string)', () => {
    const value = "' or poolId ne '";
    expect(codeOf(() => odata`poolId eq '${value}'`)).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => odata`t gt DateTime'${'2011-05-08'}'`)).toBe('INVALID_ARGUMENT');
  });

  it('refuses placeholders glued to other tokens', () => {
    expect(codeOf(() => odata`poolId eq${'x'}`)).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => odata`poolId eq ${'x'}${'y'}`)).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => odata`${'poolId'} eq ${'x'}`)).toBe('FILTER_SYNTAX');
  });

  it('refuses invalid static text and bad values', () => {
    expect(codeOf(() => odata`poolId eq ${'x'} and`)).toBe('FILTER_SYNTAX');
    expect(codeOf(() => odata`a eq ${Number.NaN}`)).toBe('INVALID_FIELD');
  });
});

describe('filterFor (typed builder), run-time checks', () => {
  const f = filterFor(schemas.jobPreparationAndReleaseTaskStatus);

  it('builds valid filters for the schema', () => {
    const text = f.and(
      f.eq('nodeId', 'tvm-1'),
      f.or(
        f.ne('jobPreparationTaskExecutionInfo/exitCode', 0),
        f.eq('jobReleaseTaskExecutionInfo/result', 'failure'),
      ),
      f.ge('jobPreparationTaskExecutionInfo/startTime', new Date('2015-05-01T10:20:31Z')),
    );
    expect(text).toBe(
      "nodeId eq 'tvm-1' and (jobPreparationTaskExecutionInfo/exitCode ne 0 or jobReleaseTaskExecutionInfo/result eq 'failure') and jobPreparationTaskExecutionInfo/startTime ge DateTime'2015-05-01T10:20:31Z'",
    );
    expect(f.odata`poolId eq ${'p'}`).toBe("poolId eq 'p'");
    expect(filterFor(schemas.pools).startswith('id', 'x')).toBe("startswith(id, 'x')");
  });

  it('checks JavaScript callers at run time', () => {
    const loose = f as unknown as Record<string, (...args: unknown[]) => string>;
    expect(codeOf(() => loose.eq!('nodeid', 'x'))).toBe('FILTER_UNKNOWN_PROPERTY');
    expect(codeOf(() => loose.gt!('poolId', 'x'))).toBe('FILTER_OPERATOR_NOT_ALLOWED');
    expect(codeOf(() => loose.eq!('jobPreparationTaskExecutionInfo/exitCode', '0'))).toBe(
      'FILTER_TYPE_MISMATCH',
    );
    expect(codeOf(() => loose.eq!('jobPreparationTaskExecutionInfo/exitCode', 2 ** 31))).toBe(
      'FILTER_TYPE_MISMATCH',
    );
    expect(codeOf(() => loose.startswith!('poolId', 'x'))).toBe('FILTER_OPERATOR_NOT_ALLOWED');
    expect(codeOf(() => f.odata`poolId gt ${'x'}`)).toBe('FILTER_OPERATOR_NOT_ALLOWED');
    expect(codeOf(() => loose.and!("nodeid eq 'x'"))).toBe('FILTER_UNKNOWN_PROPERTY');
  });

  it('works with user schemas', () => {
    const certificates = defineFilterSchema({
      name: 'certificates',
      properties: { thumbprint: { type: 'String', operators: ['eq', 'ne'] } },
    });
    expect(filterFor(certificates).eq('thumbprint', 'ab12')).toBe("thumbprint eq 'ab12'");
    expect(formatFilter(parseFilter("thumbprint ne 'x'", { schema: certificates }))).toBe(
      "thumbprint ne 'x'",
    );
  });
});
