// Compile-time checks: `npx tsc --noEmit` fails if any @ts-expect-error line stops being an error.
import { and, eq, type FilterText, filterFor, schemas } from 'batchwire/odata';
import { describe, expect, expectTypeOf, it } from 'vitest';

const f = filterFor(schemas.jobPreparationAndReleaseTaskStatus);

describe('typed builder (checked by tsc)', () => {
  it('accepts schema properties with values of their type', () => {
    expectTypeOf(f.eq)
      .parameter(0)
      .toEqualTypeOf<
        | 'poolId'
        | 'nodeId'
        | 'jobPreparationTaskExecutionInfo/state'
        | 'jobPreparationTaskExecutionInfo/result'
        | 'jobPreparationTaskExecutionInfo/startTime'
        | 'jobPreparationTaskExecutionInfo/endTime'
        | 'jobPreparationTaskExecutionInfo/exitCode'
        | 'jobReleaseTaskExecutionInfo/state'
        | 'jobReleaseTaskExecutionInfo/result'
        | 'jobReleaseTaskExecutionInfo/startTime'
        | 'jobReleaseTaskExecutionInfo/endTime'
        | 'jobReleaseTaskExecutionInfo/exitCode'
      >();
    expectTypeOf(f.gt)
      .parameter(0)
      .toEqualTypeOf<
        | 'jobPreparationTaskExecutionInfo/startTime'
        | 'jobPreparationTaskExecutionInfo/endTime'
        | 'jobPreparationTaskExecutionInfo/exitCode'
        | 'jobReleaseTaskExecutionInfo/startTime'
        | 'jobReleaseTaskExecutionInfo/endTime'
        | 'jobReleaseTaskExecutionInfo/exitCode'
      >();
    expectTypeOf(f.startswith).parameter(0).toEqualTypeOf<never>();
    expectTypeOf(filterFor(schemas.jobs).startswith)
      .parameter(0)
      .toEqualTypeOf<'id' | 'executionInfo/poolId'>();
    expectTypeOf(f.eq<'nodeId'>)
      .parameter(1)
      .toEqualTypeOf<string>();
    expectTypeOf(f.eq<'jobPreparationTaskExecutionInfo/exitCode'>)
      .parameter(1)
      .toEqualTypeOf<number>();
    expectTypeOf(f.eq<'jobPreparationTaskExecutionInfo/startTime'>)
      .parameter(1)
      .toEqualTypeOf<Date>();
    expectTypeOf(filterFor(schemas.pools).eq<'enableAutoScale'>)
      .parameter(1)
      .toEqualTypeOf<boolean>();
    expectTypeOf(f.eq('nodeId', 'x')).toEqualTypeOf<FilterText>();
    expect(f.eq('nodeId', 'x')).toBe("nodeId eq 'x'");
  });

  it('rejects unknown properties, disallowed operators and wrong value types', () => {
    const bad = (): void => {
      // @ts-expect-error unknown property (names are case-sensitive)
      f.eq('nodeid', 'x');
      // @ts-expect-error not a property of this operation at all
      f.eq('vmSize', 'x');
      // @ts-expect-error poolId allows eq and ne only
      f.gt('poolId', 'x');
      // @ts-expect-error exitCode is an Int: a string is a type error
      f.eq('jobPreparationTaskExecutionInfo/exitCode', '0');
      // @ts-expect-error startTime is a DateTime: pass a Date, not a string
      f.ge('jobPreparationTaskExecutionInfo/startTime', '2011-05-08T08:49:37Z');
      // @ts-expect-error nodeId is a String
      f.ne('nodeId', 5);
      // @ts-expect-error no property of this operation allows startswith
      f.startswith('poolId', 'x');
      // @ts-expect-error enableAutoScale is a Boolean
      filterFor(schemas.pools).eq('enableAutoScale', 'true');
      // @ts-expect-error allocationState allows eq only
      filterFor(schemas.pools).ne('allocationState', 'steady');
      // @ts-expect-error and/or take builder output, not arbitrary strings
      f.and("nodeId eq 'x'", f.eq('poolId', 'p'));
      // @ts-expect-error the untyped builder still takes only literal value types
      eq('nodeId', { toString: () => 'x' });
      // @ts-expect-error plain strings are not FilterText
      and('a eq 1');
    };
    expect(typeof bad).toBe('function');
  });
});
