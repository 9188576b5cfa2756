// Runs every benchmark and prints their tables: `npm run bench` (or `-- --quick` for a short run).
import { existsSync } from 'node:fs';
import { formatTargets, isQuick } from './harness.js';

const suites = ['generic', 'soap', 'odata'];

const quick = isQuick();
process.stdout.write(
  `batchwire benchmarks (${quick ? 'quick' : 'full'} run, Node ${process.version}, ${process.arch}); ` +
    'shared machines are noisy: read medians and ratios, not lone times.\n\n',
);
for (const name of suites) {
  const file = new URL(`./${name}.ts`, import.meta.url);
  if (!existsSync(file)) continue;
  const suite = (await import(file.href)) as { run(quick: boolean): Promise<string> };
  process.stdout.write(`${await suite.run(quick)}\n`);
}
const size = (await import('./size.js')) as { run(): Promise<string> };
process.stdout.write(`${await size.run()}\n`);
process.stdout.write(formatTargets());
