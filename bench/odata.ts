// $filter parse + validate throughput: batchwire beside odata-v4-parser and @odata/parser, in one
// process, interleaved, on realistic Batch filters. The other parsers cannot read DateTime'...'
// literals, so they get the same filters with bare ISO dates, and only filters both of them parse.
import { createRequire } from 'node:module';
import { type FilterSchema, parseFilter, schemas, validateFilter } from '../src/odata/index.js';
import {
  type BenchCase,
  checkTarget,
  formatTable,
  prng,
  runBench,
  speedRatio,
  suiteMain,
} from './harness.js';

const require = createRequire(import.meta.url);
const v4 = require('odata-v4-parser') as { filter(source: string): unknown };
const soontao = require('@odata/parser') as { defaultParser: { filter(source: string): unknown } };

const STRINGS: Record<string, string[]> = {
  poolId: ['mypool1', 'render-pool', 'gpu_pool-eastus'],
  nodeId: ['tvm-2167304207_1-20140905t174658z', 'tvm-1695681911_2-20161121t182739z'],
  state: ['completed', 'running', 'active', 'idle', 'steady'],
  result: ['success', 'failure'],
  id: ['renderTask', 'job-2024', "O'Brien-run"],
  vmSize: ['standard_d2s_v3'],
  allocationState: ['steady', 'resizing'],
};

function stringValue(path: string, random: () => number): string {
  const last = path.slice(path.lastIndexOf('/') + 1);
  const pool = STRINGS[last] ?? STRINGS.state!;
  return pool[Math.floor(random() * pool.length)]!;
}

/** One realistic filter for `schema`: 1–4 comparisons, sometimes an or-group in parentheses. */
function realisticFilter(schema: FilterSchema, random: () => number): { ours: string; bare: string } {
  const entries = Object.entries(schema.properties);
  const clause = (): { ours: string; bare: string } => {
    const [path, spec] = entries[Math.floor(random() * entries.length)]!;
    const op = spec.operators[Math.floor(random() * spec.operators.length)]!;
    if (op === 'startswith') {
      const t = `startswith(${path}, '${stringValue(path, random).slice(0, 4).replaceAll("'", "''")}')`;
      return { ours: t, bare: t };
    }
    switch (spec.type) {
      case 'String': {
        const t = `${path} ${op} '${stringValue(path, random).replaceAll("'", "''")}'`;
        return { ours: t, bare: t };
      }
      case 'Int': {
        const t = `${path} ${op} ${Math.floor(random() * 5) - 1}`;
        return { ours: t, bare: t };
      }
      case 'Boolean': {
        const t = `${path} ${op} ${random() < 0.5}`;
        return { ours: t, bare: t };
      }
      case 'DateTime': {
        const iso = new Date(Date.UTC(2015, 4, 1) + Math.floor(random() * 3e10)).toISOString().slice(0, 19);
        return { ours: `${path} ${op} DateTime'${iso}Z'`, bare: `${path} ${op} ${iso}Z` };
      }
    }
  };
  const n = 1 + Math.floor(random() * 4);
  const ours: string[] = [];
  const bare: string[] = [];
  for (let i = 0; i < n; i++) {
    if (n > 2 && i === 1 && random() < 0.5) {
      const a = clause();
      const b = clause();
      ours.push(`(${a.ours} or ${b.ours})`);
      bare.push(`(${a.bare} or ${b.bare})`);
    } else {
      const c = clause();
      ours.push(c.ours);
      bare.push(c.bare);
    }
  }
  const joiner = random() < 0.8 ? ' and ' : ' or ';
  return { ours: ours.join(joiner), bare: bare.join(joiner) };
}

function parses(fn: (s: string) => unknown, text: string): boolean {
  try {
    return fn(text) != null;
  } catch {
    return false;
  }
}

/** The filter set: realistic filters over every schema that both other parsers can parse (bare dates). */
export function benchFilters(count: number): { ours: string[]; bare: string[]; schema: FilterSchema[] } {
  const random = prng(7);
  const all = Object.values(schemas) as FilterSchema[];
  const out = { ours: [] as string[], bare: [] as string[], schema: [] as FilterSchema[] };
  while (out.ours.length < count) {
    const schema = all[Math.floor(random() * all.length)]!;
    const f = realisticFilter(schema, random);
    if (!parses((s) => v4.filter(s), f.bare) || !parses((s) => soontao.defaultParser.filter(s), f.bare))
      continue;
    if (validateFilter(f.ours, schema).length > 0) throw new Error(`bench filter invalid: ${f.ours}`);
    out.ours.push(f.ours);
    out.bare.push(f.bare);
    out.schema.push(schema);
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
