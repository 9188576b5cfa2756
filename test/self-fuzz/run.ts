// The robustness run: `npm run fuzz:self -- --minutes M` (or `--seconds S`, `--seed N`). Every decoder
// gets generated and mutated input in a worker thread; the run fails on any error that is not a
// BatchwireError, on a case slower than the time bound (a watchdog catches hangs), and on heap
// growth past the bound. A failing case is printed with its target, seed, labels and bytes.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import { isBatchwireError } from '../../src/core/errors.js';

const CASE_BOUND_MS = 2_000;
const HEAP_BOUND_BYTES = 512 * 1024 * 1024;

interface Settings {
  deadline: number;
  seed: number;
}

type Report =
  | { type: 'case'; target: string; seed: number; index: number }
  | { type: 'progress'; target: string; cases: number }
  | {
      type: 'failure';
      target: string;
      seed: number;
      index: number;
      reason: string;
      labels: string[];
      hex: string;
    }
  | { type: 'done'; cases: number; byTarget: Record<string, number>; notes: string[] };

function hexOf(input: Uint8Array | string): string {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  const hex = Buffer.from(bytes.subarray(0, 512)).toString('hex');
  return bytes.length > 512 ? `${hex}... (${bytes.length} bytes)` : hex;
}

async function worker(settings: Settings): Promise<void> {
  // Larger inputs than fast-check's default 'small' size: long fields, many records.
  fc.configureGlobal({ baseSize: 'large' });
  const { targets } = await import('./targets.js');
  const post = (report: Report) => parentPort!.postMessage(report);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const baseline = process.memoryUsage().heapUsed;
  const byTarget: Record<string, number> = {};
  let cases = 0;
  for (let round = 0; Date.now() < settings.deadline; round++) {
    for (const target of targets) {
      const seed = settings.seed + round;
      const batch = fc.sample(target.cases, { seed, numRuns: 50 });
      for (let index = 0; index < batch.length; index++) {
        const { input, labels } = batch[index]! as { input: unknown; labels: string[] };
        post({ type: 'case', target: target.name, seed, index });
        const started = performance.now();
        let reason: string | undefined;
        try {
          await (target.decode as (input: unknown) => unknown)(input);
        } catch (error) {
          if (!isBatchwireError(error)) reason = `foreign error: ${(error as Error)?.stack ?? String(error)}`;
        }
        const elapsed = performance.now() - started;
        if (!reason && elapsed > CASE_BOUND_MS)
          reason = `slow case: ${elapsed.toFixed(0)} ms > ${CASE_BOUND_MS} ms`;
        if (reason) {
          const shown = target.show ? target.show(input as never) : hexOf(input as Uint8Array | string);
          post({ type: 'failure', target: target.name, seed, index, reason, labels, hex: shown });
          return;
        }
        cases++;
        byTarget[target.name] = (byTarget[target.name] ?? 0) + 1;
      }
      gc?.();
      const growth = process.memoryUsage().heapUsed - baseline;
      if (growth > HEAP_BOUND_BYTES) {
        post({
          type: 'failure',
          target: target.name,
          seed,
          index: -1,
          reason: `heap grew by ${growth} bytes`,
          labels: [],
          hex: '',
        });
        return;
      }
      post({ type: 'progress', target: target.name, cases });
    }
  }
  const notes = targets.flatMap((t) => {
    const note = t.summary?.();
    return note === undefined ? [] : [`${t.name}: ${note}`];
  });
  post({ type: 'done', cases, byTarget, notes });
}

function argument(name: string): number | undefined {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return undefined;
  const value = Number(process.argv[at + 1]);
  if (!Number.isFinite(value) || value < 0) {
    process.stderr.write(`fuzz: --${name} needs a non-negative number\n`);
    process.exit(2);
  }
  return value;
}

function main(): void {
  const seconds = argument('seconds') ?? (argument('minutes') ?? 1) * 60;
  const seed = argument('seed') ?? Date.now() % 1_000_000;
  const settings: Settings = { deadline: Date.now() + seconds * 1000, seed };
  process.stdout.write(
    `fuzz: ${seconds} s, seed ${seed}, case bound ${CASE_BOUND_MS} ms, heap bound ${HEAP_BOUND_BYTES >> 20} MiB\n`,
  );
  // Loader hooks do not reach worker threads in Node 20: load this file through tsx's API there.
  const self = JSON.stringify(import.meta.url);
  const thread = new Worker(`import('tsx/esm/api').then(({ tsImport }) => tsImport(${self}, ${self}))`, {
    eval: true,
    workerData: settings,
  });
  let last: Report | undefined;
  let lastChange = Date.now();
  const watchdog = setInterval(() => {
    if (Date.now() - lastChange > CASE_BOUND_MS * 5) {
      const where =
        last && last.type === 'case'
          ? `${last.target}, seed ${last.seed}, case ${last.index}`
          : 'unknown case';
      process.stderr.write(
        `fuzz: FAILED: a case has run for over ${(CASE_BOUND_MS * 5) / 1000} s (hang?): ${where}\n`,
      );
      clearInterval(watchdog);
      void thread.terminate().then(() => process.exit(1));
    }
  }, 500);
  thread.on('message', (report: Report) => {
    lastChange = Date.now();
    if (report.type === 'case') last = report;
    else if (report.type === 'failure') {
      process.stderr.write(
        `fuzz: FAILED in ${report.target} (seed ${report.seed}, case ${report.index}, labels ${report.labels.join(', ')})\n` +
          `  ${report.reason}\n  input: ${report.hex}\n`,
      );
      clearInterval(watchdog);
      void thread.terminate().then(() => process.exit(1));
    } else if (report.type === 'done') {
      clearInterval(watchdog);
      const lines = Object.entries(report.byTarget).map(([name, n]) => `  ${name}: ${n}`);
      process.stdout.write(`fuzz: ${report.cases} cases, no failure\n${lines.join('\n')}\n`);
      for (const note of report.notes) process.stdout.write(`fuzz: ${note}\n`);
      process.exitCode = 0;
    }
  });
  thread.on('error', (error) => {
    clearInterval(watchdog);
    process.stderr.write(`fuzz: worker crashed: ${error.stack ?? error}\n`);
    process.exit(1);
  });
}

if (isMainThread) main();
else void worker(workerData as Settings);
