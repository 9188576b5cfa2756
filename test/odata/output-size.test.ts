// Output-size properties of batchwire/odata, with the bounds the README's Limits section states:
// parseFilter's AST (as JSON) at most 64 x the filter + 256 characters; validateFilter at most
// maxDiagnostics + 1 entries, each message and hint at most 240 characters; formatFilter of a
// parsed filter at most 2 x the filter's length.
import { fc, filterText, filterTextWithAst, mutate } from 'batchwire/arbitraries';
import { type FilterExpression, formatFilter, parseFilter, schemas, validateFilter } from 'batchwire/odata';
import { describe, expect, it } from 'vitest';

const AST_PER_CHAR = 64;
const AST_CONSTANT = 256;
const MESSAGE = 240;

// Filters of every shape: generated valid ones, the same made noisy, short tokens packed tight
// (the most nodes per character), and junk over the grammar's alphabet.
const token = fc.constantFrom(
  'a eq 1',
  "a eq 'x'",
  "b ne '\u0001\u0002'",
  'and',
  'or',
  ' ',
  '(',
  ')',
  "startswith(a,'x')",
  "t gt DateTime'2011-05-08'",
  "''",
  "'",
  '/',
  'a/b',
  '@',
  '"x"',
  '2011-05-08',
  'x.y',
  'ne',
  'eq',
  ',',
  '==',
  'not',
);
const texts = fc.oneof(
  filterText({ schema: schemas.jobs }),
  filterTextWithAst({ schema: schemas.tasks }).map((s) => s.text),
  fc.array(token, { maxLength: 60 }).map((parts) => parts.join('')),
  fc.array(token, { maxLength: 60 }).map((parts) => parts.join(' ')),
  fc.string({
    unit: fc.constantFrom(...`()' ,/-:aeqndortuflsDTZ0129"=<>!&|.\u0000\u00e9`.split('')),
    maxLength: 80,
  }),
  mutate(
    'filter',
    filterText().map((t) => new TextEncoder().encode(t)),
  ).map(({ bytes }) => new TextDecoder().decode(bytes)),
);

function parsed(text: string): FilterExpression | undefined {
  try {
    return parseFilter(text, { maxFilterLength: Infinity, maxFilterDepth: Infinity });
  } catch {
    return undefined;
  }
}

describe('output size of parseFilter, validateFilter and formatFilter', () => {
  it('parseFilter: the AST as JSON is at most 64 x the filter + 256 characters', () => {
    fc.assert(
      fc.property(texts, (text) => {
        const ast = parsed(text);
        if (ast !== undefined) {
          expect(JSON.stringify(ast).length).toBeLessThanOrEqual(AST_PER_CHAR * text.length + AST_CONSTANT);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('formatFilter of a parsed filter: at most 2 x its length', () => {
    fc.assert(
      fc.property(texts, (text) => {
        const ast = parsed(text);
        if (ast !== undefined) expect(formatFilter(ast).length).toBeLessThanOrEqual(2 * text.length);
      }),
      { numRuns: 400 },
    );
  });

  it('validateFilter: at most maxDiagnostics + 1 entries, each message and hint at most 240 characters', () => {
    fc.assert(
      fc.property(texts, fc.integer({ min: 1, max: 120 }), (text, max) => {
        for (const [diagnostics, limit] of [
          [validateFilter(text, schemas.jobs), 100],
          [validateFilter(text, undefined, { maxDiagnostics: max }), max],
        ] as const) {
          expect(diagnostics.length).toBeLessThanOrEqual(limit + 1);
          // Never more problems than two per character, plus one (an empty filter is one).
          expect(diagnostics.length).toBeLessThanOrEqual(2 * text.length + 1);
          for (const d of diagnostics) {
            expect(d.message.length).toBeLessThanOrEqual(MESSAGE);
            expect((d.hint ?? '').length).toBeLessThanOrEqual(MESSAGE);
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it('the bounds hold at the largest filters too (32 KB of the densest pieces)', () => {
    for (const unit of ['a eq 1 or ', "(b ne '\u0001')or", "'x' ", '@', 'a / ', "startswith(a,'')and "]) {
      const text = unit.repeat(Math.ceil(32_000 / unit.length)).slice(0, 32_000);
      const ast = parsed(text);
      if (ast !== undefined) {
        expect(JSON.stringify(ast).length).toBeLessThanOrEqual(AST_PER_CHAR * text.length + AST_CONSTANT);
        expect(formatFilter(ast).length).toBeLessThanOrEqual(2 * text.length);
      }
      const diagnostics = validateFilter(text, schemas.jobs, { maxFilterLength: Infinity });
      expect(diagnostics.length).toBeLessThanOrEqual(101);
      expect(JSON.stringify(diagnostics).length).toBeLessThanOrEqual(101 * (2 * MESSAGE + 200));
    }
  });
});
