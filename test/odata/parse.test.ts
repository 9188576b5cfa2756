import { isBatchwireError } from 'batchwire';
import {
  defineFilterSchema,
  type FilterDiagnostic,
  type FilterExpression,
  type FilterSchema,
  formatFilter,
  parseFilter,
  type SchemaName,
  schemas,
  validateFilter,
} from 'batchwire/odata';
import { describe, expect, it } from 'vitest';
import { thrownBy } from '../support/errors.js';

const jobPrep = schemas.jobPreparationAndReleaseTaskStatus;

function codeOf(fn: () => unknown): { code: string; offset: number } {
  const { code, offset } = thrownBy(fn);
  return { code, offset };
}

function spans(diagnostics: FilterDiagnostic[]): [string, number, number][] {
  return diagnostics.map((d) => [d.code, d.start, d.end]);
}

const SAMPLE_VALUES = {
  String: "'abc'",
  Int: '-3',
  Boolean: 'true',
  DateTime: "DateTime'2011-05-08T08:49:37Z'",
} as const;
const WRONG_VALUES = {
  String: '3',
  Int: "'3'",
  Boolean: "'yes'",
  DateTime: "'Sunday'",
} as const;

describe('schemas: every row of the tables', () => {
  for (const name of Object.keys(schemas) as SchemaName[]) {
    const schema: FilterSchema = schemas[name];
    for (const [path, spec] of Object.entries(schema.properties)) {
      it(`${name}: ${path} (${spec.type}; ${spec.operators.join(' ')})`, () => {
        for (const op of ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'startswith'] as const) {
          const text =
            op === 'startswith' ? `startswith(${path}, 'x')` : `${path} ${op} ${SAMPLE_VALUES[spec.type]}`;
          const diagnostics = validateFilter(text, schema);
          if ((spec.operators as readonly string[]).includes(op)) {
            expect(diagnostics).toEqual([]);
            expect(formatFilter(parseFilter(text, { schema }))).toBe(text);
          } else {
            expect(spans(diagnostics)).toEqual([
              ['FILTER_OPERATOR_NOT_ALLOWED', path.length + 1, path.length + 1 + op.length].map((v, i) =>
                op === 'startswith' ? (['FILTER_OPERATOR_NOT_ALLOWED', 0, 10] as const)[i] : v,
              ) as [string, number, number],
            ]);
          }
        }
        const wrong = `${path} eq ${WRONG_VALUES[spec.type]}`;
        const start = path.length + 4;
        expect(spans(validateFilter(wrong, schema))).toEqual([
          ['FILTER_TYPE_MISMATCH', start, start + WRONG_VALUES[spec.type].length],
        ]);
      });
    }
  }

  it('job prep/release: the table of the seed (003) and the reference', () => {
    expect(Object.keys(jobPrep.properties)).toEqual([
      'poolId',
      'nodeId',
      'jobPreparationTaskExecutionInfo/state',
      'jobPreparationTaskExecutionInfo/result',
      'jobPreparationTaskExecutionInfo/startTime',
      'jobPreparationTaskExecutionInfo/endTime',
      'jobPreparationTaskExecutionInfo/exitCode',
      'jobReleaseTaskExecutionInfo/state',
      'jobReleaseTaskExecutionInfo/result',
      'jobReleaseTaskExecutionInfo/startTime',
      'jobReleaseTaskExecutionInfo/endTime',
      'jobReleaseTaskExecutionInfo/exitCode',
    ]);
    expect(schemas.pools.properties.allocationState.operators).toEqual(['eq']);
    expect(schemas.computeNodes.properties['startTaskInfo/state'].operators).toEqual(['eq']);
    expect(schemas.jobs.properties['executionInfo/poolId'].operators).toContain('startswith');
    expect(schemas.pools.properties.enableAutoScale.type).toBe('Boolean');
  });
});

describe('filters from the seed and the Batch docs', () => {
  const good: [SchemaName, string][] = [
    ['jobPreparationAndReleaseTaskStatus', "nodeId eq 'tvm-2167304207_1-20140905t174658z'"],
    [
      'jobPreparationAndReleaseTaskStatus',
      "poolId eq 'mypool1' and jobPreparationTaskExecutionInfo/state eq 'completed'",
    ],
    [
      'jobPreparationAndReleaseTaskStatus',
      'jobPreparationTaskExecutionInfo/exitCode ne 0 or jobReleaseTaskExecutionInfo/exitCode ne 0',
    ],
    [
      'jobPreparationAndReleaseTaskStatus',
      "jobReleaseTaskExecutionInfo/startTime ge DateTime'2015-05-01T10:20:31Z'",
    ],
    ['jobs', "creationTime gt DateTime'2011-05-08T08:49:37Z'"],
    ['jobs', "creationTime gt DateTime'Sun, 08 May 2011 08:49:37 GMT'"],
    ['jobs', "startswith(id, 'renderTask') and state eq 'active'"],
    ['tasks', "(state eq 'running') and startswith(id, 'renderTask')"],
    ['tasks', "state eq 'completed' and executionInfo/exitCode ne 0"],
    ['tasks', "executionInfo/result eq 'failure'"],
    ['pools', "state eq 'active' and allocationState eq 'steady' and enableAutoScale eq false"],
    ['pools', "startswith(id, 'myPool')"],
    ['computeNodes', "state eq 'idle' or startTaskInfo/exitCode ne 0"],
  ];
  for (const [name, text] of good) {
    it(`${name}: ${text}`, () => {
      expect(validateFilter(text, schemas[name])).toEqual([]);
      const ast = parseFilter(text, { schema: schemas[name] });
      expect(ast.start).toBe(text.startsWith('(') ? 1 : 0);
      expect(parseFilter(formatFilter(ast))).toMatchObject({ kind: ast.kind });
    });
  }

  it('the seed table with its stray spaces ("jobReleaseTaskExecutionInfo /startTime") is flagged', () => {
    const text = "jobReleaseTaskExecutionInfo /startTime gt DateTime'2015-05-01T10:20:31Z'";
    const [d] = validateFilter(text, jobPrep);
    expect(d).toMatchObject({ code: 'FILTER_SYNTAX', start: 0, end: 38 });
    expect(d!.hint).toBe('write jobReleaseTaskExecutionInfo/startTime');
  });
});

describe('AST and positions', () => {
  it('carries exact start/end on every node', () => {
    const text =
      "nodeId eq 'a''b' and (x/y ne -12 or startswith(id, 'p')) or z eq DateTime'2011-05-08T08:49:37Z'";
    const ast = parseFilter(text);
    expect(ast).toEqual({
      kind: 'or',
      start: 0,
      end: 95,
      operands: [
        {
          kind: 'and',
          start: 0,
          end: 55,
          operands: [
            {
              kind: 'comparison',
              operator: 'eq',
              start: 0,
              end: 16,
              property: { kind: 'property', path: 'nodeId', start: 0, end: 6 },
              value: { kind: 'string', value: "a'b", start: 10, end: 16 },
            },
            {
              kind: 'or',
              start: 22,
              end: 55,
              operands: [
                {
                  kind: 'comparison',
                  operator: 'ne',
                  start: 22,
                  end: 32,
                  property: { kind: 'property', path: 'x/y', start: 22, end: 25 },
                  value: { kind: 'int', value: -12, start: 29, end: 32 },
                },
                {
                  kind: 'startswith',
                  start: 36,
                  end: 55,
                  property: { kind: 'property', path: 'id', start: 47, end: 49 },
                  prefix: { kind: 'string', value: 'p', start: 51, end: 54 },
                },
              ],
            },
          ],
        },
        {
          kind: 'comparison',
          operator: 'eq',
          start: 60,
          end: 95,
          property: { kind: 'property', path: 'z', start: 60, end: 61 },
          value: { kind: 'datetime', value: '2011-05-08T08:49:37Z', time: 1304844577000, start: 65, end: 95 },
        },
      ],
    });
  });

  it('reads keywords case-insensitively and writes them lowercase', () => {
    const ast = parseFilter(
      "PoolId EQ 'A' AND StartsWith(id, 'x') Or flag Ne TRUE and t lt datetime'2011-05-08'",
    );
    expect(formatFilter(ast)).toBe(
      "PoolId eq 'A' and startswith(id, 'x') or flag ne true and t lt DateTime'2011-05-08'",
    );
  });

  it('keeps nesting from parentheses and drops redundant ones', () => {
    expect(formatFilter(parseFilter('((a eq 1))'))).toBe('a eq 1');
    expect(formatFilter(parseFilter('(a eq 1 and b eq 2) and c eq 3'))).toBe(
      '(a eq 1 and b eq 2) and c eq 3',
    );
    expect(formatFilter(parseFilter('a eq 1 or (b eq 2 and c eq 3)'))).toBe('a eq 1 or b eq 2 and c eq 3');
    expect(formatFilter(parseFilter('(a eq 1 or b eq 2) and c eq 3'))).toBe('(a eq 1 or b eq 2) and c eq 3');
    expect((parseFilter('a eq 1 and b eq 2 and c eq 3') as { operands: unknown[] }).operands).toHaveLength(3);
  });

  it('reads RFC 1123 and ISO 8601 date-times as instants', () => {
    const a = parseFilter("t eq DateTime'Sun, 08 May 2011 08:49:37 GMT'") as { value: { time: number } };
    const b = parseFilter("t eq DateTime'2011-05-08T10:49:37.1234567+02:00'") as { value: { time: number } };
    expect(a.value.time).toBe(Date.UTC(2011, 4, 8, 8, 49, 37));
    expect(b.value.time).toBe(Date.UTC(2011, 4, 8, 8, 49, 37, 123));
  });

  it('agrees with Date on every year 0000-9999 (month ends, leap days, Jan/Feb of year 0)', () => {
    const pad = (v: number, width: number) => String(v).padStart(width, '0');
    let checked = 0;
    for (let y = 0; y <= 9999; y += y < 8 || y > 9990 || (y >= 1896 && y <= 2104) ? 1 : 97) {
      for (let m = 1; m <= 12; m++) {
        for (const d of [1, 28, 29, 30, 31]) {
          const date = new Date(0);
          date.setUTCFullYear(y, m - 1, d);
          date.setUTCHours(23, 59, 58, 250);
          const text = `t eq DateTime'${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}T23:59:58.25Z'`;
          if (date.getUTCDate() === d) {
            expect((parseFilter(text) as { value: { time: number } }).value.time).toBe(date.getTime());
          } else {
            expect(() => parseFilter(text)).toThrow(/not a valid date-time/);
          }
          checked++;
        }
      }
    }
    expect(checked).toBe(16_020);
  });

  it('normalises -0 and reads negative integers', () => {
    expect(parseFilter('a eq -0')).toMatchObject({ value: { kind: 'int', value: 0 } });
    expect(Object.is((parseFilter('a eq -0') as { value: { value: number } }).value.value, 0)).toBe(true);
    expect(parseFilter('a eq -2147483648')).toMatchObject({ value: { value: -2147483648 } });
  });
});

describe('broken filters: code and exact span', () => {
  const cases: [string, [string, number, number][]][] = [
    ['', [['FILTER_SYNTAX', 0, 0]]],
    ['   ', [['FILTER_SYNTAX', 0, 3]]],
    ["poolId eq 'abc", [['FILTER_SYNTAX', 10, 14]]],
    ['poolId eq "abc"', [['FILTER_SYNTAX', 10, 15]]],
    ['poolId eq 1.5', [['FILTER_SYNTAX', 10, 13]]],
    ['poolId eq', [['FILTER_SYNTAX', 9, 9]]],
    ["poolId 'x'", [['FILTER_SYNTAX', 7, 10]]],
    ["poolId eq 'x' or", [['FILTER_SYNTAX', 16, 16]]],
    ["poolId eq 'x' and and nodeId eq 'y'", [['FILTER_SYNTAX', 18, 21]]],
    ["(poolId eq 'x'", [['FILTER_SYNTAX', 0, 1]]],
    ["poolId eq 'x')", [['FILTER_SYNTAX', 13, 14]]],
    ['()', [['FILTER_SYNTAX', 1, 2]]],
    ["'x' eq poolId", [['FILTER_SYNTAX', 0, 3]]],
    ["not poolId eq 'x'", [['FILTER_SYNTAX', 0, 3]]],
    ["contains(poolId, 'x')", [['FILTER_SYNTAX', 0, 8]]],
    ["poolId startswith 'x'", [['FILTER_SYNTAX', 7, 17]]],
    ["poolId == 'x'", [['FILTER_SYNTAX', 7, 9]]],
    ["poolId eq 'x' && nodeId eq 'y'", [['FILTER_SYNTAX', 14, 16]]],
    ['poolId eq null', [['FILTER_SYNTAX', 10, 14]]],
    ['poolId eq nodeId', [['FILTER_SYNTAX', 10, 16]]],
    ["t gt DateTime'yesterday'", [['FILTER_SYNTAX', 5, 24]]],
    ["t gt DateTime'2011-02-30T00:00:00Z'", [['FILTER_SYNTAX', 5, 35]]],
    ["t gt guid'abc'", [['FILTER_SYNTAX', 5, 14]]],
    ['t gt 2011-05-08T08:49:37Z', [['FILTER_SYNTAX', 5, 25]]],
    ["poolId eq 'x' nodeId eq 'y'", [['FILTER_SYNTAX', 14, 20]]],
    ['a/5 eq 1', [['FILTER_SYNTAX', 2, 3]]],
    ["poolId eq 'x' \u00e9", [['FILTER_SYNTAX', 14, 15]]],
    ['a eq 99999999999999999', [['FILTER_SYNTAX', 5, 22]]],
    ['startswith(id 5)', [['FILTER_SYNTAX', 14, 15]]],
  ];
  for (const [text, expected] of cases) {
    it(JSON.stringify(text), () => {
      expect(spans(validateFilter(text))).toEqual(expected);
      expect(codeOf(() => parseFilter(text))).toEqual({ code: expected[0]![0], offset: expected[0]![1] });
    });
  }

  it('reports every problem, in order, with hints', () => {
    const text =
      "nodeid eq 'x' and poolId gt 'p' or jobPreparationTaskExecutionInfo/exitCode eq '1' and jobPreparationTaskExecutionInfo/startTime lt 2011-05-08 and nodeId eq 'a' )";
    const diagnostics = validateFilter(text, jobPrep);
    expect(spans(diagnostics)).toEqual([
      ['FILTER_UNKNOWN_PROPERTY', 0, 6],
      ['FILTER_OPERATOR_NOT_ALLOWED', 25, 27],
      ['FILTER_TYPE_MISMATCH', 79, 82],
      ['FILTER_SYNTAX', 132, 142],
      ['FILTER_SYNTAX', 161, 162],
    ]);
    expect(diagnostics.map((d) => d.hint)).toEqual([
      "property names are case-sensitive: write 'nodeId'",
      'allowed: eq, ne',
      'write 1 without quotes',
      "write DateTime'2011-05-08'",
      undefined,
    ]);
  });

  it('suggests the nearest property name', () => {
    const [d] = validateFilter('jobPreparationTaskExecutionInfo/exitcod ne 0', jobPrep);
    expect(d?.hint).toBe("did you mean 'jobPreparationTaskExecutionInfo/exitCode'?");
    const [e] = validateFilter('exitCode ne 0', jobPrep);
    expect(e?.hint).toBe(
      "did you mean 'jobPreparationTaskExecutionInfo/exitCode' or 'jobReleaseTaskExecutionInfo/exitCode'?",
    );
    const [f] = validateFilter("nodID eq 'x'", jobPrep);
    expect(f?.hint).toBe("did you mean 'nodeId'?");
  });

  it("hints DateTime'...' for a date in a string", () => {
    const [d] = validateFilter(
      "jobPreparationTaskExecutionInfo/startTime gt '2011-05-08T08:49:37Z'",
      jobPrep,
    );
    expect(d).toMatchObject({ code: 'FILTER_TYPE_MISMATCH', start: 45, end: 67 });
    expect(d?.hint).toBe("write DateTime'2011-05-08T08:49:37Z'");
  });

  it('flags Int values outside Int32', () => {
    expect(spans(validateFilter('jobPreparationTaskExecutionInfo/exitCode eq 2147483648', jobPrep))).toEqual([
      ['FILTER_TYPE_MISMATCH', 44, 54],
    ]);
  });

  it('parseFilter errors carry line, column and an excerpt', () => {
    try {
      parseFilter("poolId eq 'x'\nand nodeid eq 'y'", { schema: jobPrep });
      expect.unreachable();
    } catch (error) {
      expect(isBatchwireError(error)).toBe(true);
      expect(error).toMatchObject({ code: 'FILTER_UNKNOWN_PROPERTY', offset: 18, line: 2, column: 5 });
      expect((error as Error).message).toContain("write 'nodeId'");
    }
  });

  it('known paths match whole: never a prefix of a longer name or path', () => {
    expect(spans(validateFilter("poolIdx eq 'a'", jobPrep))).toEqual([['FILTER_UNKNOWN_PROPERTY', 0, 7]]);
    expect(spans(validateFilter('jobPreparationTaskExecutionInfo/exitCode/x eq 1', jobPrep))).toEqual([
      ['FILTER_UNKNOWN_PROPERTY', 0, 42],
    ]);
    expect(spans(validateFilter("poolId'x' eq 'a'", jobPrep))).toEqual([['FILTER_SYNTAX', 0, 9]]);
    const mine = defineFilterSchema({
      name: 'mine',
      properties: {
        id: { type: 'String', operators: ['eq'] },
        idle: { type: 'Boolean', operators: ['eq'] },
        'a/b': { type: 'Int', operators: ['eq'] },
      },
    });
    expect(validateFilter("idle eq true and id eq 'x' and a/b eq 1", mine)).toEqual([]);
    expect(spans(validateFilter('a eq 1 and a/bc eq 1', mine))).toEqual([
      ['FILTER_UNKNOWN_PROPERTY', 0, 1],
      ['FILTER_UNKNOWN_PROPERTY', 11, 15],
    ]);
  });

  it('property lookups never reach the prototype', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(spans(validateFilter(`${name} eq 'x'`, jobPrep))).toEqual([
        ['FILTER_UNKNOWN_PROPERTY', 0, name.length],
      ]);
    }
  });
});

describe('limits', () => {
  it('100 000 nested parentheses give LIMIT_EXCEEDED, not a stack overflow', () => {
    const text = `${'('.repeat(100_000)}a eq 1${')'.repeat(100_000)}`;
    expect(codeOf(() => parseFilter(text))).toEqual({ code: 'LIMIT_EXCEEDED', offset: 32 * 1024 });
    expect(codeOf(() => parseFilter(text, { maxLength: 1e6 }))).toEqual({
      code: 'LIMIT_EXCEEDED',
      offset: 100,
    });
    expect(spans(validateFilter(text, undefined, { maxLength: 1e6 }))).toEqual([
      ['LIMIT_EXCEEDED', 100, 101],
    ]);
  });

  it('limits can be raised', () => {
    const text = `${'('.repeat(150)}a eq 1${')'.repeat(150)}`;
    expect(codeOf(() => parseFilter(text)).code).toBe('LIMIT_EXCEEDED');
    expect(parseFilter(text, { maxDepth: 200 })).toMatchObject({ kind: 'comparison' });
    const long = `a eq '${'x'.repeat(40_000)}'`;
    expect(codeOf(() => parseFilter(long)).code).toBe('LIMIT_EXCEEDED');
    expect(parseFilter(long, { maxLength: 50_000 })).toMatchObject({ kind: 'comparison' });
  });

  it('long flat chains are fine (no recursion anywhere)', () => {
    const text = Array.from({ length: 3000 }, (_, i) => `a eq ${i}`).join(' or ');
    const ast = parseFilter(text, { maxLength: 1e6 }) as FilterExpression & { operands: unknown[] };
    expect(ast.operands).toHaveLength(3000);
    expect(formatFilter(ast)).toBe(text);
  });

  it('rejects a non-string argument with a BatchwireError', () => {
    expect(codeOf(() => parseFilter(42 as unknown as string)).code).toBe('INVALID_ARGUMENT');
    expect(validateFilter(null as unknown as string)).toHaveLength(1);
  });
});
