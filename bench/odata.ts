// $filter parse + validate throughput: batchwire beside odata-v4-parser and @odata/parser, in one
// process, interleaved, on realistic Batch filters. The other parsers cannot read DateTime'...'
// literals, so they get the same filters with bare ISO dates, and only filters both of them parse.
import { createRequire } from 'node:module';
import { sampleFilters } from '../src/arbitraries/samples.js';
import { type FilterSchema, parseFilter, validateFilter } from '../src/odata/index.js';
import { type BenchCase, checkTarget, formatTable, runBench, speedRatio, suiteMain } from './harness.js';

const require = createRequire(import.meta.url);
const v4 = require('odata-v4-parser') as { filter(source: string): unknown };
const soontao = require('@odata/parser') as { defaultParser: { filter(source: string): unknown } };

function parses(fn: (s: string) => unknown, text: string): boolean {
  try {
    return fn(text) != null;
  } catch {
    return false;
  }
}

/**
 * The filter set: the realistic filters of batchwire/arbitraries (seed 7) that both other parsers
 * can parse (with bare dates), in the order drawn.
 */
export function benchFilters(count: number): { ours: string[]; bare: string[]; schema: FilterSchema[] } {
  const out = { ours: [] as string[], bare: [] as string[], schema: [] as FilterSchema[] };
  // The samples are a prefix-stable sequence: draw more until enough of them pass both baselines.
  for (let drawn = count * 2; out.ours.length < count; drawn *= 2) {
    out.ours.length = out.bare.length = out.schema.length = 0;
    for (const f of sampleFilters(drawn, { seed: 7 })) {
      if (out.ours.length === count) break;
      if (
        !parses((s) => v4.filter(s), f.plainDates) ||
        !parses((s) => soontao.defaultParser.filter(s), f.plainDates)
      )
        continue;
      if (validateFilter(f.filter, f.schema).length > 0) throw new Error(`bench filter invalid: ${f.filter}`);
      out.ours.push(f.filter);
      out.bare.push(f.plainDates);
      out.schema.push(f.schema);
    }
  }
  return out;
}

/** Runs the benchmark and returns the printed table. */
export async function run(quick: boolean): Promise<string> {
  const { ours, bare, schema } = benchFilters(500);
  const repeat = quick ? 4 : 20;
  const rounds = quick ? 5 : 9;
  const bytes = bare.reduce((n, t) => n + t.length, 0) * repeat;
  const cases: BenchCase[] = [
    {
      name: 'batchwire parseFilter + schema',
      run() {
        let n = 0;
        for (let r = 0; r < repeat; r++) {
          for (let i = 0; i < ours.length; i++) if (parseFilter(ours[i]!, { schema: schema[i]! })) n++;
        }
        return n;
      },
    },
    {
      name: 'batchwire validateFilter',
      run() {
        let n = 0;
        for (let r = 0; r < repeat; r++) {
          for (let i = 0; i < ours.length; i++) if (validateFilter(ours[i]!, schema[i]!).length === 0) n++;
        }
        return n;
      },
    },
    {
      name: 'odata-v4-parser filter()',
      baseline: true,
      run() {
        let n = 0;
        for (let r = 0; r < repeat; r++) for (const t of bare) if (v4.filter(t)) n++;
        return n;
      },
    },
    {
      name: '@odata/parser filter()',
      baseline: true,
      run() {
        let n = 0;
        for (let r = 0; r < repeat; r++) for (const t of bare) if (soontao.defaultParser.filter(t)) n++;
        return n;
      },
    },
  ];
  const results = await runBench(cases, { rounds, collect: false });
  const ourName = 'batchwire parseFilter + schema';
  const vsV4 = speedRatio(results, ourName, 'odata-v4-parser filter()');
  const vsSoontao = speedRatio(results, ourName, '@odata/parser filter()');
  return [
    formatTable(
      `odata $filter parse + validate (${ours.length} realistic filters x ${repeat})`,
      results,
      { bytes, itemName: 'filters' },
      ourName,
    ),
    `${checkTarget('odata', 'parse+validate vs the faster of odata-v4-parser, @odata/parser', Math.min(vsV4, vsSoontao), 50)}; vs the slower: ${Math.max(vsV4, vsSoontao).toFixed(2)}x`,
    `validateFilter vs the faster baseline: ${Math.min(speedRatio(results, 'batchwire validateFilter', 'odata-v4-parser filter()'), speedRatio(results, 'batchwire validateFilter', '@odata/parser filter()')).toFixed(2)}x`,
    '',
  ].join('\n');
}

suiteMain(import.meta.url, run);
