// The short stress run inside `npm test`: every attack of test/stress/attacks/ at small sizes,
// best of several runs, failing only beyond 3.5x per doubling (and only when three whole
// measurements agree); output growth is a count, checked exactly. `npm run stress` is the strict one.
//
// The attacks run in a child process with the flags `npm run stress` uses (a collection before
// each timed run, a young generation large enough to keep GC cliffs out of the ratios), away from
// the heap of the test runner; each attack then reports as its own test.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { describeResult, loadAttacks, type StressResult } from './harness.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'batchwire-stress-'));
const file = join(dir, 'results.json');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const attacks = await loadAttacks();
const run = await new Promise<{ code: number; output: string }>((resolve) => {
  execFile(
    process.execPath,
    [
      '--expose-gc',
      '--max-semi-space-size=64',
      '--import',
      'tsx',
      'test/stress/run.ts',
      '--quick',
      '--json',
      file,
    ],
    { cwd: root, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 },
    (error, stdout, stderr) =>
      resolve({ code: error ? ((error.code as number) ?? 1) : 0, output: stdout + stderr }),
  );
});
let results: StressResult[] = [];
try {
  results = JSON.parse(readFileSync(file, 'utf8')) as StressResult[];
} catch {
  // No results file: the run itself failed; the first test says how.
}

describe('stress (short): time and output linear in the input', () => {
  it('ran every attack', () => {
    expect(results.length, run.output).toBe(attacks.length);
    expect(attacks.length).toBeGreaterThan(0);
  });
  for (const a of attacks) {
    it(`${a.target}: ${a.name}`, () => {
      const result = results.find((r) => r.target === a.target && r.name === a.name);
      expect(result, 'no result for this attack').toBeDefined();
      expect(result!.failures, describeResult(result!)).toEqual([]);
    });
  }
});
