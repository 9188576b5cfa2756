// Runs every benchmark and prints their tables: `npm run bench` (or `-- --quick` for a short run).
// Each suite runs in a process of its own: a suite that leaves a large heap or a warm JIT behind
// would otherwise skew the next one (the OData suite measured 5x slower after the other two).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatTargets, isQuick, suiteOutput, targetRows } from './harness.js';

const suites = ['generic', 'generic-shapes', 'soap', 'odata', 'emulator'];

function runSuite(file: string, quick: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, file, ...(quick ? ['--quick'] : [])], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const out: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new Error(`${file} exited with ${code}`));
    });
  });
}

const quick = isQuick();
process.stdout.write(
  `batchwire benchmarks (${quick ? 'quick' : 'full'} run, Node ${process.version}, ${process.arch}); ` +
    'shared machines are noisy: read medians and ratios, not lone times.\n\n',
);
for (const name of suites) {
  const file = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  if (!existsSync(file)) continue;
  const { text, targets } = suiteOutput(await runSuite(file, quick));
  targetRows.push(...targets);
  process.stdout.write(`${text}\n`);
}
const size = (await import('./size.js')) as { run(): Promise<string> };
process.stdout.write(`${await size.run()}\n`);
process.stdout.write(formatTargets());
