import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Command, UsageError } from './io.js';

// The suite lives in the repository's bench/ folder with its bench-only dependencies.
function benchEntry(): string | undefined {
  for (const relative of ['../bench/index.ts', '../../bench/index.ts']) {
    const path = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(path)) return path;
  }
  return undefined;
}

/** `batchwire bench`: runs the benchmark suite and prints its tables and the ratio summary. */
export const benchCommand: Command = {
  summary: 'run the benchmark suite beside its baselines and print the ratio tables',
  usage: `Usage: batchwire bench [--quick]

Runs every benchmark (generic stream, SOAP message arrays, OData filters, bundle sizes) with
its baselines in one process, in interleaved rounds, and prints medians, MB/s, items/s, the
ratios and a summary against the targets. Machines are noisy: compare ratios, not lone times.
Runs from a clone of the repository (npm install there first): the suite and its baselines are
not part of the published package.

Options:
  --quick   small inputs and fewer rounds (well under a minute)
`,
  options: { quick: { type: 'boolean' } },
  async run(context) {
    if (context.args.length > 0)
      throw new UsageError(`unexpected argument ${JSON.stringify(context.args[0])}`);
    const entry = benchEntry();
    if (!entry) {
      throw new UsageError(
        'the benchmark suite is not here: run "npm run bench" from a clone of the batchwire repository',
      );
    }
    const args = [
      '--expose-gc',
      '--import',
      'tsx',
      entry,
      ...(context.options.quick === true ? ['--quick'] : []),
    ];
    return new Promise<number>((resolve) => {
      const child = spawn(process.execPath, args, {
        stdio: ['ignore', 'pipe', 'pipe'],
        cwd: fileURLToPath(new URL('.', `file://${entry}`)),
      });
      child.stdout.pipe(context.stdout as NodeJS.WritableStream, { end: false });
      child.stderr.pipe(context.stderr as NodeJS.WritableStream, { end: false });
      child.on('error', (error) => {
        context.stderr.write(`error: could not start the benchmark: ${error.message}\n`);
        resolve(1);
      });
      child.on('close', (code) => resolve(code ?? 1));
    });
  },
};
