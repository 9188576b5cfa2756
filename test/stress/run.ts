// `npm run stress`: every attack in test/stress/attacks/ at sizes large enough to time, failing
// on time growth over 2.5x per doubling or output growing faster than input. Run it as the npm
// script does: --expose-gc (a collection before each timed run) and a 64 MiB young generation,
// so that no size crosses V8's promotion cliff (a one-time constant factor, not growth).
// Options: --only <text> (attacks whose target or name contains it), --threshold <x>, --json <file>,
// --quick (the short version `npm test` runs, with its figures printed).
import { writeFileSync } from 'node:fs';
import {
  describeResult,
  loadAttacks,
  measure,
  QUICK,
  STRICT,
  type StressMode,
  type StressResult,
} from './harness.js';

const EMPTY: StressResult = {
  target: '',
  name: '',
  sizes: [],
  ms: [],
  timeRatios: [],
  growth: 0,
  inputs: [],
  outputs: [],
  outputRatios: [],
  allocated: [],
  outcome: 'foreign exception',
  failures: [],
  attempts: 1,
};

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? undefined : process.argv[at + 1];
}

async function main(): Promise<void> {
  const only = option('only');
  const threshold = option('threshold');
  const base = process.argv.includes('--quick') ? QUICK : STRICT;
  const mode: StressMode = { ...base, ...(threshold === undefined ? {} : { threshold: Number(threshold) }) };
  if (!(mode.threshold > 1)) {
    process.stderr.write('stress: --threshold needs a number above 1\n');
    process.exit(2);
  }
  const attacks = (await loadAttacks()).filter(
    (a) => only === undefined || `${a.target}: ${a.name}`.includes(only),
  );
  process.stdout.write(
    `stress: ${attacks.length} attacks, fail above ${mode.threshold}x time per doubling or output growing faster than input` +
      `${(globalThis as { gc?: unknown }).gc ? '' : ' (run with --expose-gc for steadier figures)'}\n`,
  );
  const results: StressResult[] = [];
  let failed = 0;
  for (const a of attacks) {
    let result: StressResult;
    try {
      result = await measure(a, mode);
    } catch (error) {
      failed++;
      const reason = `foreign exception ${(error as Error)?.stack ?? error}`;
      process.stdout.write(`FAIL ${a.target}: ${a.name}: ${reason}\n`);
      results.push({ ...EMPTY, target: a.target, name: a.name, failures: [reason] });
      continue;
    }
    results.push(result);
    if (result.failures.length > 0) failed++;
    const verdict = result.failures.length > 0 ? 'FAIL' : 'ok  ';
    process.stdout.write(`${verdict} ${describeResult(result)}\n`);
    for (const failure of result.failures) process.stdout.write(`       ${failure}\n`);
  }
  const json = option('json');
  if (json !== undefined) writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);
  const worst = results.reduce((w, r) => Math.max(w, r.growth), 0);
  process.stdout.write(
    `stress: ${attacks.length - failed} of ${attacks.length} passed; worst growth ${worst.toFixed(2)}x per doubling\n`,
  );
  process.exitCode = failed > 0 ? 1 : 0;
}

void main();
