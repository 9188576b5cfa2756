import { isBatchwireError } from 'batchwire';
import {
  filterText,
  genericResponsesBody,
  type MutationFormat,
  type MutationStrategy,
  mutate,
} from 'batchwire/arbitraries';
import { decodeGenericBody } from 'batchwire/generic';
import { schemas } from 'batchwire/odata';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const generic = (encoding: 'utf-8' | 'utf-16le' | 'utf-16be') =>
  genericResponsesBody({ encodings: [encoding], maxResponses: 4 }).map((b) => b.bytes);

const HOSTILE_NAMES = [
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
  'valueOf',
  'isPrototypeOf',
];
const utf8 = (text: string) => fc.constant(new TextEncoder().encode(text));
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Samples `inject-hostile-name` alone, once per payload, and reads each label. */
function hostile(format: MutationFormat, valid: fc.Arbitrary<Uint8Array>, numRuns = 300) {
  return fc
    .sample(mutate(format, valid, { strategies: ['inject-hostile-name'], maxMutations: 1 }), {
      numRuns,
      seed: 7,
    })
    .map(({ bytes, labels }) => {
      expect(labels).toHaveLength(1);
      const match = /^inject-hostile-name\(([a-z-]+),([A-Za-z_]+)\)@(\d+)$/.exec(labels[0]!);
      expect(match, labels[0]).not.toBeNull();
      const [, place, name, at] = match!;
      expect(HOSTILE_NAMES).toContain(name);
      return { bytes, place: place!, name: name!, at: Number(at) };
    });
}

/** Whether `value` or anything inside it has `name` as an own key. */
function hasOwnKeyDeep(value: unknown, name: string): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Object.hasOwn(value, name)) return true;
  return Object.values(value).some((inner) => hasOwnKeyDeep(inner, name));
}

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

  it('spreads truncate and flip-byte over the whole input, not only its ends', () => {
    const [body] = fc.sample(
      generic('utf-16le').filter((b) => b.length > 200),
      { numRuns: 1, seed: 3 },
    );
    for (const strategy of ['truncate', 'flip-byte'] as const) {
      const samples = fc.sample(
        mutate('generic-utf-16le', fc.constant(body!), { strategies: [strategy], maxMutations: 1 }),
        {
          numRuns: 300,
          seed: 7,
        },
      );
      // Where each mutation landed (the label's byte offset), in tenths of the input.
      const tenths = new Set<number>();
      let inside = 0;
      for (const { labels } of samples) {
        const at = Number(/@(\d+)/.exec(labels[0]!)?.[1]);
        expect(Number.isInteger(at)).toBe(true);
        const fraction = at / body!.length;
        if (fraction > 0.05 && fraction < 0.95) inside++;
        tenths.add(Math.min(9, Math.floor(fraction * 10)));
      }
      expect(inside).toBeGreaterThan(200);
      expect(tenths.size).toBe(10);
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

  describe('inject-hostile-name', () => {
    it('applies to every format, is drawn by default, and says which name went where', () => {
      const valid: Record<MutationFormat, fc.Arbitrary<Uint8Array>> = {
        'generic-utf-8': generic('utf-8'),
        'generic-utf-16le': generic('utf-16le'),
        'generic-utf-16be': generic('utf-16be'),
        xml: utf8('<a x="1"><b/></a>'),
        json: utf8('{"a":{"b":1}}'),
        filter: utf8("poolId eq 'x'"),
      };
      for (const [format, payloads] of Object.entries(valid) as [
        MutationFormat,
        fc.Arbitrary<Uint8Array>,
      ][]) {
        const samples = hostile(format, payloads);
        // Every name is drawn for every format.
        expect(new Set(samples.map((s) => s.name)), format).toEqual(new Set(HOSTILE_NAMES));
        const drawn = fc.sample(mutate(format, payloads, { maxMutations: 1 }), { numRuns: 500, seed: 3 });
        expect(
          drawn.some(({ labels }) => labels[0]!.startsWith('inject-hostile-name(')),
          format,
        ).toBe(true);
      }
    });

    it('gives the same bytes for the same seed', () => {
      const arbitrary = mutate('xml', utf8('<a x="1"><b/></a>'), { strategies: ['inject-hostile-name'] });
      expect(fc.sample(arbitrary, { numRuns: 50, seed: 11 })).toEqual(
        fc.sample(arbitrary, { numRuns: 50, seed: 11 }),
      );
    });

    it('XML: attributes first and last, elements, entity references and namespace prefixes', () => {
      const input = '<?xml version="1.0"?><R b="2"><c/></R>';
      const samples = hostile('xml', utf8(input), 600);
      const expected: Record<string, (name: string) => string> = {
        'attribute-first': (n) => ` ${n}="1"`,
        'attribute-last': (n) => ` ${n}="1"`,
        xmlns: (n) => ` xmlns:${n}="urn:batchwire:hostile"`,
        element: (n) => `<${n}>1</${n}>`,
        entity: (n) => `&${n};`,
        prefix: (n) => `<${n}:x xmlns:${n}="urn:batchwire:hostile" ${n}:a="1">1</${n}:x>`,
        'unbound-prefix': (n) => `<${n}:x ${n}:a="1">1</${n}:x>`,
      };
      expect(new Set(samples.map((s) => s.place))).toEqual(new Set(Object.keys(expected)));
      for (const { bytes, place, name, at } of samples) {
        const inserted = expected[place]!(name);
        const out = text(bytes);
        // The input with the insertion at the labelled offset, nothing else changed.
        expect(out).toBe(input.slice(0, at) + inserted + input.slice(at));
        const before = input.slice(0, at);
        if (place === 'attribute-first' || place === 'xmlns') expect(before).toMatch(/<(R|c)$/);
        else if (place === 'attribute-last') expect(before).toMatch(/<R b="2"$|<c$/);
        // Content goes inside the root element: after a start tag's `>` or before an end tag.
        else expect([input.indexOf('<c/>'), input.indexOf('</R>')]).toContain(at);
      }
      // The input sax threw a TypeError on is among them.
      expect(samples.map((s) => text(s.bytes))).toContain(
        '<?xml version="1.0"?><R hasOwnProperty="1" b="2"><c/></R>',
      );
    });

    it('JSON: an own key of the parsed document, first, last, nested or duplicated', () => {
      for (const input of ['{"a":{"b":[1,{}]},"c":"{\\"}"}', '{}', '[1,2]']) {
        const samples = hostile('json', utf8(input));
        if (input === '[1,2]') expect(new Set(samples.map((s) => s.place))).toEqual(new Set(['wrap']));
        else
          expect(new Set(samples.map((s) => s.place))).toEqual(
            new Set(['key-first', 'key-last', 'nested', 'duplicate']),
          );
        for (const { bytes, place, name } of samples) {
          // Still JSON, with the name an own key (JSON.parse keeps `__proto__` as a key).
          const parsed: unknown = JSON.parse(text(bytes));
          expect(hasOwnKeyDeep(parsed, name), `${place} ${text(bytes)}`).toBe(true);
          if (place === 'duplicate') expect(text(bytes)).toContain(`"${name}":{},"${name}":1`);
          if (place === 'nested') expect(hasOwnKeyDeep(parsed, 'prototype')).toBe(true);
          if (place === 'wrap') expect(text(bytes)).toBe(`{"${name}":[1,2]}`);
        }
      }
    });

    it('filters: a word, a path segment, a clause or a function of that name, outside literals', () => {
      fc.assert(
        fc.property(
          mutate(
            'filter',
            filterText({ schema: schemas.jobPreparationAndReleaseTaskStatus }).map((t) =>
              new TextEncoder().encode(t),
            ),
            { strategies: ['inject-hostile-name'], maxMutations: 1 },
          ),
          ({ bytes, labels }) => {
            const [, place, name, at] = /^inject-hostile-name\(([a-z]+),([A-Za-z_]+)\)@(\d+)$/.exec(
              labels[0]!,
            )!;
            // The label's offset counts bytes.
            const out = text(bytes.subarray(Number(at)));
            const expected: Record<string, string> = {
              word: name!,
              segment: `/${name}`,
              clause: `${name} eq 'x'`,
              call: `${name}(poolId,'x')`,
            };
            expect(out.startsWith(expected[place!]!), `${labels[0]} ${text(bytes)}`).toBe(true);
            // A whole word: not glued to the word it replaced or follows.
            expect(out.slice(expected[place!]!.length)).toMatch(/^(?![A-Za-z0-9_])/);
            // Outside a string literal: an even number of quotes before it.
            expect((text(bytes.subarray(0, Number(at))).match(/'/g) ?? []).length % 2).toBe(0);
          },
        ),
        { numRuns: 300 },
      );
    });

    it('generic bodies: a whole field, in the body encoding (UTF-16 code units in UTF-16)', () => {
      for (const encoding of ['utf-8', 'utf-16le', 'utf-16be'] as const) {
        const samples = hostile(`generic-${encoding}`, generic(encoding), 200);
        const at = new Set<number>();
        for (const { bytes, place, name } of samples) {
          expect(place).toBe('field');
          if (encoding !== 'utf-8') expect(bytes.length % 2).toBe(0);
          // Read in the body's own encoding, one field is exactly the name.
          const fields = new TextDecoder(encoding).decode(bytes).split(/[\uffff\u0000]/);
          expect(
            fields.map((f) => f.replace(/^\ufeff/, '')),
            encoding,
          ).toContain(name);
          // The decoder sees it as a field: a response's, or the closing record's reason.
          try {
            const { responses, end } = decodeGenericBody(bytes, { verifyCount: false });
            const values = responses.flatMap((r) => [r.action, r.output, r.userData]);
            expect([...values, end?.rawReason]).toContain(name);
          } catch (error) {
            if (!isBatchwireError(error)) throw error;
          }
          at.add(fields.indexOf(name));
        }
        // Not always the first field.
        expect(at.size, encoding).toBeGreaterThan(1);
      }
    });
  });
});
