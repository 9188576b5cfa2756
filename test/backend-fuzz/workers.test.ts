// The parent side of `fuzz --workers N` in this process, with a stand-in worker script (the real
// workers are the CLI itself, run end to end in scale.test.ts): each worker gets its own shard
// within the run's shard, the seed and an --out of its own; progress from every worker is summed;
// a stop signal reaches every worker as SIGINT or SIGTERM.
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runWorkers, workerShard } from '../../src/cli/fuzz-workers.js';
import { useTempDir } from '../support/temp.js';

const temp = useTempDir('workers');

// Writes its argv as its report, reports progress, then exits (or, with HANG, waits for a signal
// and writes which one it got).
const WORKER = `
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const args = process.argv.slice(2);
const out = args[args.indexOf('--out') + 1];
mkdirSync(out, { recursive: true });
const report = (extra) => writeFileSync(join(out, 'report.json'), JSON.stringify({ args, ...extra }));
if (process.env.HANG === '1') {
  for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => { report({ signal: s }); process.exit(0); });
  process.send({ type: 'progress', requests: 5, findings: 1 });
  setInterval(() => {}, 1000);
} else {
  process.send({ type: 'progress', requests: 5, findings: 1 });
  report({});
  process.disconnect();
}
`;

const saved = process.env.BATCHWIRE_CLI_ENTRY;
afterEach(() => {
  if (saved === undefined) delete process.env.BATCHWIRE_CLI_ENTRY;
  else process.env.BATCHWIRE_CLI_ENTRY = saved;
  delete process.env.HANG;
});

describe('workerShard', () => {
  it('splits a shard among workers without overlap or gap', () => {
    for (const [index, count] of [
      [1, 1],
      [2, 3],
      [4, 4],
    ] as const) {
      for (const workers of [1, 2, 3]) {
        const chunks = (k: number, n: number) =>
          Array.from({ length: 60 }, (_, i) => i).filter((i) => i % n === k - 1);
        const mine = chunks(index, count);
        const theirs = Array.from({ length: workers }, (_, w) =>
          workerShard({ index, count }, w, workers),
        ).flatMap((s) => chunks(s.index, s.count));
        expect(theirs.sort((a, b) => a - b)).toEqual(mine);
      }
    }
    expect(workerShard(undefined, 1, 2)).toEqual({ index: 2, count: 2 });
  });
});

describe('runWorkers', () => {
  it('starts each worker on its shard with the seed, sums their progress, and returns their reports', async () => {
    process.env.BATCHWIRE_CLI_ENTRY = temp('worker.cjs', WORKER);
    const progress: [number, number][] = [];
    const run = await runWorkers({
      args: ['http://127.0.0.1:1', '--service', 'dli'],
      seed: 7,
      workers: 2,
      shard: { index: 1, count: 2 },
      signal: undefined,
      onProgress: (requests, findings) => progress.push([requests, findings]),
    });
    try {
      expect(run.reports).toHaveLength(2);
      const argsOf = run.reports.map((r) => (JSON.parse(readFileSync(r, 'utf8')) as { args: string[] }).args);
      for (const [w, args] of argsOf.entries()) {
        expect(args.slice(0, 4)).toEqual(['fuzz', 'http://127.0.0.1:1', '--service', 'dli']);
        expect(args[args.indexOf('--seed') + 1]).toBe('7');
        expect(args[args.indexOf('--shard') + 1]).toBe(w === 0 ? '1/4' : '3/4');
        expect(args).toContain('--worker');
      }
      expect(progress.at(-1)).toEqual([10, 2]);
    } finally {
      run.cleanup();
    }
    expect(run.reports.some((r) => existsSync(r))).toBe(false);
  });

  it('passes a stop on to every worker as the signal that stopped the parent', async () => {
    process.env.BATCHWIRE_CLI_ENTRY = temp('worker.cjs', WORKER);
    process.env.HANG = '1';
    const stop = new AbortController();
    let started = 0;
    const running = runWorkers({
      args: [],
      seed: 1,
      workers: 2,
      shard: undefined,
      signal: stop.signal,
      onProgress: () => {
        if (++started === 2) stop.abort('SIGINT');
      },
    });
    const run = await running;
    try {
      for (const report of run.reports) {
        expect((JSON.parse(readFileSync(report, 'utf8')) as { signal: string }).signal).toBe('SIGINT');
      }
    } finally {
      run.cleanup();
    }
  });
});
