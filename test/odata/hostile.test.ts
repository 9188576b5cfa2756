// Issue 12's findings for batchwire/odata, each as a regression test through the public entry
// points: bounded reports, no foreign exception for any argument, schemas that change after use.
import { DEFAULT_LIMITS, isBatchwireError } from 'batchwire';
import {
  and,
  buildListQuery,
  defineFilterSchema,
  eq,
  evaluateFilter,
  type FilterExpression,
  type FilterSchema,
  filterFor,
  formatFilter,
  odata,
  or,
  parseFilter,
  schemas,
  toLiteral,
  validateFilter,
} from 'batchwire/odata';
import { describe, expect, it } from 'vitest';
import { renderDiagnostics } from '../../src/cli/odata.js';
import { thrownBy } from '../support/errors.js';

const jobs = schemas.jobs;

function code(fn: () => unknown): string {
  return thrownBy(fn).code;
}

function chars(value: unknown): number {
  return JSON.stringify(value).length;
}

function throwing(key: string): object {
  return Object.defineProperty({}, key, {
    enumerable: true,
    get() {
      throw new Error(`getter ${key}`);
    },
  });
}

describe('validateFilter: a bounded report', () => {
  it('a 32 KB "a / a / a ..." gives a few hundred characters, not 65 million', () => {
    const text = Array.from({ length: 8192 }, () => 'a').join(' / ');
    expect(text.length).toBeGreaterThan(32_000);
    const diagnostics = validateFilter(text);
    expect(chars(diagnostics)).toBeLessThan(2000);
    expect(diagnostics[0]).toMatchObject({ code: 'FILTER_SYNTAX', start: 0, end: text.length });
    expect(diagnostics[0]!.hint!.length).toBeLessThanOrEqual(240);
  });

  it('one bad character per position: the first 100, then one entry counting the rest', () => {
    const text = '@'.repeat(1000);
    const diagnostics = validateFilter(text);
    expect(diagnostics).toHaveLength(101);
    expect(diagnostics.slice(0, 100).map((d) => d.start)).toEqual([...Array(100).keys()]);
    const last = diagnostics[100]!;
    expect(last).toMatchObject({ code: 'LIMIT_EXCEEDED', omitted: 900, start: 100, end: 1000 });
    expect(last.message).toMatch(/^and 900 more problems/);
    expect(diagnostics.filter((d) => d.omitted !== undefined)).toHaveLength(1);
  });

  it('maxDiagnostics sets the cut; Infinity lists everything; a report under the cut has no summary', () => {
    const text = '@'.repeat(300);
    expect(validateFilter(text, undefined, { maxDiagnostics: 5 })).toHaveLength(6);
    expect(validateFilter(text, undefined, { maxDiagnostics: 5 })[5]!.omitted).toBe(295);
    expect(validateFilter(text, undefined, { maxDiagnostics: Infinity })).toHaveLength(300);
    expect(validateFilter("nodeid eq 'x'", schemas.jobPreparationAndReleaseTaskStatus)).toHaveLength(1);
    for (const bad of [0, -1, 1.5, Number.NaN, '10', {}]) {
      expect(code(() => validateFilter(text, undefined, { maxDiagnostics: bad as number }))).toBe(
        'INVALID_ARGUMENT',
      );
    }
  });

  it('keeps the first problems in text order even when a later one is found first', () => {
    // The type check of each comparison runs after the next token (a bad character) is read.
    const unit = "exitCode eq 'x' @ ";
    const schema = defineFilterSchema({
      name: 'n',
      properties: { exitCode: { type: 'Int', operators: ['eq'] } },
    });
    const text = unit.repeat(200);
    const all = validateFilter(text, schema, { maxDiagnostics: Infinity });
    const cut = validateFilter(text, schema, { maxDiagnostics: 7 });
    expect(cut.slice(0, 7)).toEqual(all.slice(0, 7));
    expect(cut[7]!.omitted).toBe(all.length - 7);
  });

  it('every message and hint stays short, whatever the filter quotes back', () => {
    const long = 'x'.repeat(20_000);
    for (const text of [
      `${long} eq`,
      `"${long}"`,
      `${long}'abc'`,
      `DateTime'${long}'`,
      `a eq 2011-05-08${'1'.repeat(20_000)}`,
      `a eq 1${long}`,
      `${long}(a)`,
      `a eq ${long}`,
      `startswith(${long}, 1)`,
      `a/${long} / b eq 1`,
    ]) {
      for (const d of validateFilter(text, jobs)) {
        expect(d.message.length, text.slice(0, 30)).toBeLessThanOrEqual(240);
        expect((d.hint ?? '').length, text.slice(0, 30)).toBeLessThanOrEqual(240);
      }
      try {
        parseFilter(text, { schema: jobs });
      } catch (error) {
        expect(isBatchwireError(error) && error.message.length <= 500).toBe(true);
      }
    }
  });

  it('a long unknown property gets no edit-distance hint (quadratic in its length)', () => {
    const d = validateFilter(`${'a'.repeat(30_000)} eq 1`, jobs);
    expect(d).toHaveLength(1);
    expect(d[0]!.code).toBe('FILTER_UNKNOWN_PROPERTY');
  });
});

describe('batchwire filter check: bounded, linear caret rendering', () => {
  it('renders the 32 KB "a / a / a ..." report in a few KB', () => {
    const text = Array.from({ length: 8192 }, () => 'a').join(' / ');
    const out = renderDiagnostics(text, validateFilter(text));
    expect(out.length).toBeLessThan(2000);
    expect(out).toContain('\u2026');
  });

  it('one bad character per position on one 32 KB line: 100 windows of the line, the rest counted', () => {
    const text = '@'.repeat(32_000);
    const out = renderDiagnostics(text, validateFilter(text));
    expect(out.length).toBeLessThan(100 * 400);
    expect(out).toContain('... and 31900 more problems');
    expect(out.endsWith('32000 problems\n')).toBe(true);
  });

  it('many lines: line numbers found in one pass, right for each diagnostic', () => {
    const text = Array.from({ length: 5000 }, (_, i) => (i % 50 === 49 ? '@ and' : 'a eq 1 and')).join('\n');
    const diagnostics = validateFilter(`${text} a eq 1`, undefined, {
      maxFilterLength: Infinity,
      maxDiagnostics: Infinity,
    });
    expect(diagnostics).toHaveLength(100);
    const out = renderDiagnostics(text, diagnostics);
    const lines = [...out.matchAll(/--> line (\d+), column (\d+)/g)].map((m) => Number(m[1]));
    expect(lines).toEqual(diagnostics.map((d) => text.slice(0, d.start).split('\n').length));
    expect(lines.slice(0, 3)).toEqual([50, 100, 150]);
  });

  it('a window never splits a surrogate pair, and control characters stay visible', () => {
    const text = `${'\u{1F600}'.repeat(100)} @ ${'\u{1F600}'.repeat(100)}`;
    const out = renderDiagnostics(text, validateFilter(text));
    expect(out).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
  });
});

describe('wide trees from the builder, and every function over them, without recursion', () => {
  const N = 150_000;
  const parts = Array.from({ length: N }, (_, i) => eq('a', i));

  it('and(list) and or(list) over 150 000 operands (an argument spread that large overflows any stack)', () => {
    const all = and(parts);
    expect(all.startsWith('a eq 0 and a eq 1 and ')).toBe(true);
    const any = or(parts);
    expect(any.endsWith(`or a eq ${N - 1}`)).toBe(true);
    const typed = filterFor(jobs);
    expect(typed.or(parts.slice(0, 3).map((_, i) => typed.eq('id', `j${i}`)))).toBe(
      "id eq 'j0' or id eq 'j1' or id eq 'j2'",
    );
  });

  it('a wide AST operand is flattened without a spread', () => {
    const ast = parseFilter(or(parts), { maxFilterLength: Infinity });
    expect(ast.kind).toBe('or');
    const text = or(ast, eq('b', 1));
    expect(text.endsWith(`a eq ${N - 1} or b eq 1`)).toBe(true);
    expect(and(ast, eq('b', 1)).startsWith('(a eq 0 or')).toBe(true);
  });

  it('format, evaluate, validate and buildListQuery over them', () => {
    const text = and(parts.slice(0, 40_000));
    const ast = parseFilter(text, { maxFilterLength: Infinity });
    expect(formatFilter(ast)).toBe(text);
    expect(evaluateFilter(ast, { a: 1 })).toBe(false);
    expect(evaluateFilter(parseFilter(or(parts), { maxFilterLength: Infinity }), { a: N - 1 })).toBe(true);
    expect(validateFilter(text, undefined, { maxFilterLength: Infinity })).toEqual([]);
    expect(buildListQuery({ filter: ast }).length).toBeGreaterThan(text.length);
    // Deep as well as wide: 50 000 nested parentheses.
    const deep = `${'('.repeat(50_000)}a eq 1${')'.repeat(50_000)}`;
    expect(parseFilter(deep, { maxFilterLength: Infinity, maxFilterDepth: Infinity })).toMatchObject({
      kind: 'comparison',
    });
  });
});

describe('no foreign exception for any argument', () => {
  it("the issue's reproducers", () => {
    expect(code(() => evaluateFilter(null as never, {}))).toBe('INVALID_ARGUMENT');
    const badLiteral = parseFilter("a eq 'x'") as FilterExpression & { value: { value: unknown } };
    badLiteral.value.value = 5;
    expect(code(() => evaluateFilter(badLiteral, { a: 'x' }))).toBe('INVALID_ARGUMENT');
    expect(parseFilter('a eq 1', null)).toMatchObject({ kind: 'comparison' });
    expect(code(() => parseFilter('a eq 1', { schema: {} as FilterSchema }))).toBe('INVALID_ARGUMENT');
    const maxLength = thrownBy(() => parseFilter('a eq 1', { maxLength: 'x' as never }));
    expect(maxLength).toMatchObject({ code: 'INVALID_ARGUMENT', offset: 0 });
    expect(maxLength.message).toMatch(/maxLength/);
    expect(code(() => filterFor(null as never))).toBe('INVALID_ARGUMENT');
    expect(code(() => buildListQuery(null as never))).toBe('INVALID_ARGUMENT');
  });

  it('literals of the wrong JavaScript type, nodes of unknown kinds, operands that are not arrays', () => {
    const p = { kind: 'property', path: 'a', start: 0, end: 0 };
    const cmp = (value: unknown, operator: unknown = 'eq') =>
      ({ kind: 'comparison', operator, property: p, value, start: 0, end: 0 }) as never;
    for (const value of [
      { kind: 'int', value: '1' },
      { kind: 'boolean', value: 1 },
      { kind: 'datetime', value: 'x', time: 'y' },
      { kind: 'nope', value: 1 },
      null,
      7,
    ]) {
      expect(code(() => evaluateFilter(cmp(value), { a: 1 }))).toBe('INVALID_ARGUMENT');
      expect(['INVALID_FIELD', 'INVALID_ARGUMENT']).toContain(code(() => formatFilter(cmp(value))));
    }
    expect(code(() => evaluateFilter(cmp({ kind: 'int', value: 1 }, 'like'), { a: 1 }))).toBe(
      'INVALID_ARGUMENT',
    );
    for (const ast of [
      { kind: 'and', operands: 'x' },
      { kind: 'or', operands: [] },
      { kind: 10n },
      'a eq 1',
    ]) {
      expect(code(() => evaluateFilter(ast as never, {}))).toBe('INVALID_ARGUMENT');
      expect(['INVALID_FIELD', 'INVALID_ARGUMENT']).toContain(code(() => formatFilter(ast as never)));
    }
    expect(code(() => formatFilter(null as never))).toBe('INVALID_ARGUMENT');
    expect(
      code(() =>
        evaluateFilter({ kind: 'startswith', property: p, prefix: { kind: 'int', value: 1 } } as never, {}),
      ),
    ).toBe('INVALID_ARGUMENT');
  });

  it('an AST that contains itself, or shares subtrees to grow exponentially', () => {
    const cycle = { kind: 'and', operands: [] as unknown[], start: 0, end: 0 };
    cycle.operands.push(parseFilter('a eq 1'), cycle);
    expect(code(() => evaluateFilter(cycle as never, { a: 1 }))).toBe('INVALID_ARGUMENT');
    expect(code(() => formatFilter(cycle as never))).toBe('INVALID_FIELD');
    expect(code(() => and(cycle as never, eq('b', 1)))).toBe('INVALID_FIELD');
    // 60 levels of x = or(x, x): 2^60 leaves as a tree, 61 objects as a graph.
    let shared: FilterExpression = parseFilter('a eq 1');
    for (let i = 0; i < 60; i++) shared = { kind: 'or', operands: [shared, shared], start: 0, end: 0 };
    const started = performance.now();
    expect(evaluateFilter(shared, { a: 2 })).toBe(false);
    expect(evaluateFilter(shared, { a: 1 })).toBe(true);
    expect(code(() => formatFilter(shared))).toBe('LIMIT_EXCEEDED');
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('getters that throw, in options, schemas, ASTs, records and builder arguments', () => {
    expect(code(() => parseFilter('a eq 1', throwing('maxFilterLength') as never))).toBe('INVALID_ARGUMENT');
    expect(code(() => validateFilter('a eq 1', undefined, throwing('maxDepth') as never))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(code(() => validateFilter('a eq 1', throwing('properties') as never))).toBe('INVALID_ARGUMENT');
    expect(
      code(() => parseFilter('a eq 1', { schema: { name: 's', properties: throwing('a') } as never })),
    ).toBe('INVALID_ARGUMENT');
    expect(code(() => formatFilter(throwing('kind') as never))).toBe('INVALID_ARGUMENT');
    expect(code(() => evaluateFilter(parseFilter('a/b eq 1'), { a: throwing('b') }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(code(() => and(throwing('kind') as never, eq('a', 1)))).toBe('INVALID_ARGUMENT');
    expect(code(() => eq(throwing('x') as never, 1))).toBe('INVALID_FIELD');
    expect(code(() => eq('a', throwing('getTime') as never))).toBe('INVALID_FIELD');
    expect(code(() => buildListQuery(throwing('filter') as never))).toBe('INVALID_ARGUMENT');
    expect(code(() => filterFor(throwing('properties') as never))).toBe('INVALID_ARGUMENT');
    const proxy = new Proxy(new Date(0), {});
    expect(['INVALID_FIELD', 'INVALID_ARGUMENT']).toContain(code(() => toLiteral(proxy)));
  });

  it('options and arguments of every wrong type', () => {
    for (const options of [1, 'x', true, [], Symbol('s'), () => 1]) {
      expect(code(() => parseFilter('a eq 1', options as never))).toBe('INVALID_ARGUMENT');
      expect(code(() => validateFilter('a eq 1', undefined, options as never))).toBe('INVALID_ARGUMENT');
      expect(code(() => buildListQuery(options as never))).toBe('INVALID_ARGUMENT');
    }
    for (const limit of [0, -1, 1.5, Number.NaN, '100', 10n, {}, true]) {
      for (const key of ['maxFilterLength', 'maxFilterDepth', 'maxLength', 'maxDepth']) {
        expect(
          code(() => parseFilter('a eq 1', { [key]: limit } as never)),
          `${key} ${String(limit)}`,
        ).toBe('INVALID_ARGUMENT');
      }
    }
    for (const schema of [
      1,
      'jobs',
      [],
      { name: 's' },
      { name: 1, properties: {} },
      { name: 's', properties: [] },
    ]) {
      expect(code(() => parseFilter('a eq 1', { schema: schema as never }))).toBe('INVALID_ARGUMENT');
      expect(code(() => validateFilter('a eq 1', schema as never))).toBe('INVALID_ARGUMENT');
      expect(code(() => defineFilterSchema(schema as never))).toBe('INVALID_ARGUMENT');
    }
    for (const spec of [
      null,
      {},
      { type: 'Float', operators: ['eq'] },
      { type: 'Int', operators: 'eq' },
      { type: 'Int', operators: ['like'] },
    ]) {
      expect(code(() => validateFilter('a eq 1', { name: 's', properties: { a: spec } } as never))).toBe(
        'INVALID_ARGUMENT',
      );
    }
    expect(validateFilter(42 as never)).toMatchObject([{ code: 'FILTER_SYNTAX' }]);
    expect(code(() => parseFilter(42 as never))).toBe('INVALID_ARGUMENT');
    expect(code(() => and(5 as never))).toBe('INVALID_ARGUMENT');
    expect(code(() => or(null as never))).toBe('INVALID_ARGUMENT');
    expect(code(() => and([]))).toBe('INVALID_ARGUMENT');
    expect(code(() => (odata as (s: unknown) => unknown)('a eq 1'))).toBe('INVALID_ARGUMENT');
    expect(code(() => (odata as (s: unknown) => unknown)(null))).toBe('INVALID_ARGUMENT');
    expect(code(() => (odata as (s: unknown, ...v: unknown[]) => unknown)(['a eq ', ''], 1, 2))).toBe(
      'INVALID_ARGUMENT',
    );
    for (const options of [
      { apiVersion: 5 },
      { filter: 5 },
      { select: 5 },
      { expand: {} },
      { maxResults: '5' },
      { timeout: true },
      { skipToken: 1 },
    ]) {
      expect(
        code(() => buildListQuery(options as never)),
        JSON.stringify(options),
      ).toBe('INVALID_ARGUMENT');
    }
    expect(buildListQuery({ filter: null, select: null, maxResults: null } as never)).toBe('');
  });
});

describe('limit names of DEFAULT_LIMITS', () => {
  it('{ ...DEFAULT_LIMITS } works: maxFilterLength and maxFilterDepth apply, not the XML maxDepth', () => {
    const nested = `${'('.repeat(80)}a eq 1${')'.repeat(80)}`;
    expect(parseFilter(nested, { ...DEFAULT_LIMITS })).toMatchObject({ kind: 'comparison' });
    expect(validateFilter(nested, undefined, { ...DEFAULT_LIMITS })).toEqual([]);
    expect(code(() => parseFilter(nested, { ...DEFAULT_LIMITS, maxFilterDepth: 10 }))).toBe('LIMIT_EXCEEDED');
    expect(code(() => parseFilter('a eq 1'.padEnd(40_000), { ...DEFAULT_LIMITS }))).toBe('LIMIT_EXCEEDED');
  });

  it('maxLength and maxDepth are aliases, read when the new names are absent', () => {
    expect(code(() => parseFilter('a eq 1', { maxLength: 3 }))).toBe('LIMIT_EXCEEDED');
    expect(code(() => parseFilter('((a eq 1))', { maxDepth: 1 }))).toBe('LIMIT_EXCEEDED');
    expect(parseFilter('a eq 1', { maxLength: 3, maxFilterLength: 10 })).toMatchObject({
      kind: 'comparison',
    });
    expect(validateFilter('((a eq 1))', undefined, { maxDepth: 1 })).toMatchObject([
      { code: 'LIMIT_EXCEEDED', hint: 'raise maxFilterDepth if this filter is legitimate' },
    ]);
  });
});

describe('a schema changed after its first use is read as it is now', () => {
  it('a property added, removed, retyped, its operators edited in place, the properties replaced', () => {
    const schema: { name: string; properties: Record<string, { type: string; operators: string[] }> } = {
      name: 's',
      properties: { a: { type: 'Int', operators: ['eq'] } },
    };
    const check = (text: string) => validateFilter(text, schema as FilterSchema).map((d) => d.code);
    expect(check('a eq 1')).toEqual([]);
    expect(check('b eq 1')).toEqual(['FILTER_UNKNOWN_PROPERTY']);
    schema.properties.b = { type: 'Int', operators: ['eq'] };
    expect(check('b eq 1')).toEqual([]);
    expect(parseFilter('b eq 1', { schema: schema as FilterSchema })).toMatchObject({ kind: 'comparison' });
    delete schema.properties.a;
    expect(check('a eq 1')).toEqual(['FILTER_UNKNOWN_PROPERTY']);
    schema.properties.b!.operators.push('gt');
    expect(check('b gt 1')).toEqual([]);
    schema.properties.b!.operators[0] = 'ne';
    expect(check('b eq 1')).toEqual(['FILTER_OPERATOR_NOT_ALLOWED']);
    schema.properties.b!.type = 'String';
    expect(check("b ne 'x'")).toEqual([]);
    schema.properties = { 'c/d': { type: 'Boolean', operators: ['eq'] } };
    expect(check('c/d eq true')).toEqual([]);
    schema.name = 'renamed';
    expect(validateFilter('x eq 1', schema as FilterSchema)[0]!.message).toMatch(/for renamed$/);
    schema.properties['c/d']!.operators = null as never;
    expect(code(() => check('c/d eq true'))).toBe('INVALID_ARGUMENT');
  });

  it('the typed builder and buildListQuery read the schema as it is now too', () => {
    const schema = defineFilterSchema({
      name: 's',
      properties: { a: { type: 'Int', operators: ['eq'] } } as Record<
        string,
        { type: 'Int'; operators: ['eq'] }
      >,
    });
    const f = filterFor(schema);
    expect(code(() => f.eq('b' as never, 1 as never))).toBe('FILTER_UNKNOWN_PROPERTY');
    schema.properties.b = { type: 'Int', operators: ['eq'] };
    expect(f.eq('b' as never, 1 as never)).toBe('b eq 1');
    expect(buildListQuery({ filter: 'b eq 1', schema })).toBe('$filter=b%20eq%201');
  });

  it('a schema with many paths of one first letter and length reads them by lookup, with the same results', () => {
    const properties: Record<string, { type: 'Int'; operators: ['eq'] }> = {};
    for (let i = 0; i < 40; i++)
      properties[`p${String(i).padStart(2, '0')}`] = { type: 'Int', operators: ['eq'] };
    for (const path of ['p/q', 'and', 'x', 'pq/rs']) properties[path] = { type: 'Int', operators: ['eq'] };
    const schema = defineFilterSchema({ name: 'crowded', properties });
    const codes = (text: string) => validateFilter(text, schema).map((d) => [d.code, d.start, d.end]);
    expect(codes('p07 eq 1 and p/q eq 2 and pq/rs eq 3 and x eq 4 or p39 eq 5')).toEqual([]);
    expect(parseFilter('p07 eq 1 and p39 eq 2', { schema })).toMatchObject({
      kind: 'and',
      operands: [{ property: { path: 'p07' } }, { property: { path: 'p39' } }],
    });
    expect(codes('p40 eq 1')).toEqual([['FILTER_UNKNOWN_PROPERTY', 0, 3]]);
    expect(codes('p07/x eq 1')).toEqual([['FILTER_UNKNOWN_PROPERTY', 0, 5]]);
    expect(codes('p07 gt 1')).toEqual([['FILTER_OPERATOR_NOT_ALLOWED', 4, 6]]);
    expect(codes("p07'x' eq 1")[0]![0]).toBe('FILTER_SYNTAX');
    expect(codes('p / q eq 1')).toEqual([['FILTER_SYNTAX', 0, 5]]);
    // A property named like a keyword is still the keyword where the grammar has one.
    expect(codes('and eq 1')[0]![0]).toBe('FILTER_SYNTAX');
    expect(codes('p01 eq 1 and p02 eq 2')).toEqual([]);
  });

  it('the built-in schemas are frozen: nobody changes them for everyone else', () => {
    expect(Object.isFrozen(schemas)).toBe(true);
    expect(Object.isFrozen(schemas.jobs.properties)).toBe(true);
    expect(Object.isFrozen(schemas.jobs.properties.id.operators)).toBe(true);
    expect(() => {
      (schemas.jobs.properties as Record<string, unknown>).x = { type: 'Int', operators: ['eq'] };
    }).toThrow(TypeError);
    // Copy and extend instead.
    const mine = {
      ...schemas.jobs,
      properties: { ...schemas.jobs.properties, x: { type: 'Int', operators: ['eq'] } },
    };
    expect(validateFilter('x eq 1', mine as FilterSchema)).toEqual([]);
  });
});
