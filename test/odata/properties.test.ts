import { isBatchwireError } from 'batchwire';
import { fc, filterExpression, filterStringValue, filterTextWithAst, mutate } from 'batchwire/arbitraries';
import {
  eq,
  evaluateFilter,
  type FilterExpression,
  formatFilter,
  odata,
  parseFilter,
  type SchemaName,
  schemas,
  validateFilter,
} from 'batchwire/odata';
import { describe, expect, it } from 'vitest';

const RUNS = 200;

// Positions aside: a copy with every start/end removed.
function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (k !== 'start' && k !== 'end') out[k] = strip(v);
    return out;
  }
  return value;
}

function expectBatchwireOrValue(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    if (!isBatchwireError(error)) throw error;
  }
}

describe('properties', () => {
  it('parse(format(ast)) equals ast, positions aside', () => {
    fc.assert(
      fc.property(filterExpression(), (ast) => {
        const text = formatFilter(ast);
        expect(strip(parseFilter(text, { maxLength: 1e6 }))).toEqual(strip(ast));
        expect(formatFilter(parseFilter(text, { maxLength: 1e6 }))).toBe(text);
      }),
      { numRuns: RUNS },
    );
  });

  for (const name of Object.keys(schemas) as SchemaName[]) {
    it(`generated filters for ${name} validate clean and keep their meaning through noise`, () => {
      fc.assert(
        fc.property(filterTextWithAst({ schema: schemas[name] }), ({ text, ast }) => {
          expect(validateFilter(text, schemas[name], { maxLength: 1e6 })).toEqual([]);
          expect(strip(parseFilter(text, { schema: schemas[name], maxLength: 1e6 }))).toEqual(strip(ast));
        }),
        { numRuns: 60 },
      );
    });
  }

  it("for any string v, parsing eq('nodeId', v) yields the literal v exactly", () => {
    fc.assert(
      fc.property(fc.oneof(filterStringValue(), fc.string({ unit: 'binary' })), (v) => {
        const ast = parseFilter(eq('nodeId', v), { maxLength: 1e6 });
        expect(ast).toMatchObject({ kind: 'comparison', operator: 'eq', property: { path: 'nodeId' } });
        expect((ast as FilterExpression & { value: { value: unknown } }).value).toMatchObject({
          kind: 'string',
          value: v,
        });
        const t = parseFilter(odata`poolId eq ${v} and nodeId ne ${v}`, { maxLength: 1e6 });
        expect((t as { operands: unknown[] }).operands).toHaveLength(2);
      }),
      { numRuns: 300 },
    );
  });

  it('random text gives a value or a BatchwireError; validateFilter never throws and its spans are in range', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc.string({ unit: fc.constantFrom(...`()' ,/-:aeqndortuflsDTZ0129"=<>!&|.`.split('')), maxLength: 60 }),
    );
    fc.assert(
      fc.property(text, (t) => {
        expectBatchwireOrValue(() => parseFilter(t));
        expectBatchwireOrValue(() => parseFilter(t, { schema: schemas.tasks }));
        for (const d of validateFilter(t, schemas.tasks)) {
          expect(d.start).toBeGreaterThanOrEqual(0);
          expect(d.end).toBeGreaterThanOrEqual(d.start);
          expect(d.end).toBeLessThanOrEqual(t.length);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('parseFilter succeeds exactly when validateFilter finds nothing, and fails at the first diagnostic', () => {
    const text = fc.oneof(
      filterTextWithAst({ schema: schemas.jobs }).map((s) => s.text),
      fc.string({ unit: fc.constantFrom(...`()' ,/idstaeqnorDT0-`.split('')), maxLength: 40 }),
    );
    fc.assert(
      fc.property(text, (t) => {
        const diagnostics = validateFilter(t, schemas.jobs, { maxLength: 1e6 });
        try {
          parseFilter(t, { schema: schemas.jobs, maxLength: 1e6 });
          expect(diagnostics).toEqual([]);
        } catch (error) {
          if (!isBatchwireError(error)) throw error;
          expect(diagnostics.length).toBeGreaterThan(0);
          expect(diagnostics.map((d) => d.start)).toContain(error.offset);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('mutated filters (truncated, flipped, deeply nested, grown) never throw a foreign error', () => {
    const valid = filterTextWithAst({ schema: schemas.jobPreparationAndReleaseTaskStatus }).map((s) =>
      new TextEncoder().encode(s.text),
    );
    fc.assert(
      fc.property(mutate('filter', valid, { depth: 100_000 }), ({ bytes }) => {
        const t = new TextDecoder().decode(bytes);
        expectBatchwireOrValue(() => parseFilter(t));
        expectBatchwireOrValue(() => parseFilter(t, { maxLength: 1e7, maxDepth: 1e7 }));
        validateFilter(t, schemas.jobPreparationAndReleaseTaskStatus);
      }),
      { numRuns: 150 },
    );
  });

  it('evaluateFilter never throws on generated filters and arbitrary records', () => {
    fc.assert(
      fc.property(filterExpression(), fc.jsonValue(), (ast, record) => {
        expect(typeof evaluateFilter(ast, record)).toBe('boolean');
      }),
      { numRuns: RUNS },
    );
  });
});
