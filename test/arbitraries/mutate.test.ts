import { isBatchwireError } from 'batchwire';
import { genericResponsesBody, type MutationStrategy, mutate } from 'batchwire/arbitraries';
import { decodeGenericBody } from 'batchwire/generic';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const generic = (encoding: 'utf-8' | 'utf-16le' | 'utf-16be') =>
  genericResponsesBody({ encodings: [encoding], maxResponses: 4 }).map((b) => b.bytes);

describe('mutate', () => {
  it('labels every mutation it applies, and the result differs from the input where it can', () => {
    const strategies: MutationStrategy[] = [
      'truncate',
      'flip-byte',
      'duplicate-separator',
      'drop-separator',
      'drop-trailer',
      'grow-field',
    ];
    for (const strategy of strategies) {
      const samples = fc.sample(
        mutate('generic-utf-16le', generic('utf-16le'), {
          strategies: [strategy],
          maxMutations: 1,
          growBy: 100,
        }),
        {
          numRuns: 30,
          seed: 42,
        },
      );
      for (const { labels } of samples) {
        expect(labels).toHaveLength(1);
        expect(labels[0]!.startsWith(strategy)).toBe(true);
      }
    }
  });

  it('drop-trailer removes the closing record of a generic body, which then reads as TRUNCATED', () => {
    fc.assert(
      fc.property(
        mutate('generic-utf-8', generic('utf-8'), { strategies: ['drop-trailer'], maxMutations: 1 }),
        ({ bytes }) => {
          let code: string | undefined;
          try {
            decodeGenericBody(bytes);
          } catch (error) {
            if (isBatchwireError(error)) code = error.code;
            else throw error;
          }
          expect(code).toBe('TRUNCATED');
        },
      ),
      { numRuns: 100 },
    );
  });

  it('grow-field pushes a record past a limit set below the growth', () => {
    fc.assert(
      fc.property(
        mutate('generic-utf-16be', generic('utf-16be'), {
          strategies: ['grow-field'],
          maxMutations: 1,
          growBy: 5000,
        }),
        ({ bytes }) => {
          expect(() => decodeGenericBody(bytes, { maxRecordBytes: 4096 })).toThrow(/maxRecordBytes/);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('inject-doctype and nest-deeply build what they say for XML', () => {
    const xml = fc.constant(new TextEncoder().encode('<?xml version="1.0"?><a><b/></a>'));
    const [doctype] = fc.sample(mutate('xml', xml, { strategies: ['inject-doctype'], maxMutations: 1 }), {
      numRuns: 1,
      seed: 1,
    });
    expect(new TextDecoder().decode(doctype!.bytes)).toMatch(/^<\?xml version="1.0"\?><!DOCTYPE x \[/);
    const [deep] = fc.sample(
      mutate('xml', xml, { strategies: ['nest-deeply'], maxMutations: 1, depth: 100 }),
      { numRuns: 1, seed: 1 },
    );
    expect(new TextDecoder().decode(deep!.bytes)).toContain('<d>'.repeat(100));
  });

  it('mutated generic bodies give records or a BatchwireError, never another exception', () => {
    fc.assert(
      fc.property(
        fc
          .constantFrom('utf-8' as const, 'utf-16le' as const, 'utf-16be' as const)
          .chain((e) => mutate(`generic-${e}`, generic(e), { growBy: 300 })),
        ({ bytes, labels }) => {
          try {
            decodeGenericBody(bytes, { maxRecordBytes: 256 });
          } catch (error) {
            if (!isBatchwireError(error))
              throw new Error(`foreign error after ${labels.join(', ')}: ${error}`);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
