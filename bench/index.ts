// Runs every benchmark and prints their tables: `npm run bench` (or `-- --quick` for a short run).
// Each suite runs in a process of its own: a suite that leaves a large heap or a warm JIT behind
// would otherwise skew the next one (the OData suite measured 5x slower after the other two).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatTargets, isQuick, runScript, suiteOutput, targetRows } from './harness.js';

const suites = ['generic', 'generic-shapes', 'soap', 'odata', 'emulator'];

const quick = isQuick();
process.stdout.write(
  `batchwire benchmarks (${quick ? 'quick' : 'full'} run, Node ${process.version}, ${process.arch}); ` +
    'shared machines are noisy: read medians and ratios, not lone times.\n\n',
);
for (const name of suites) {
  const file = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  if (!existsSync(file)) continue;
  const { text, targets } = suiteOutput(await runScript(file, quick ? ['--quick'] : []));
  targetRows.push(...targets);
  process.stdout.write(`${text}\n`);
}
const size = (await import('./size.js')) as { run(): Promise<string> };
process.stdout.write(`${await size.run()}\n`);
process.stdout.write(formatTargets());
