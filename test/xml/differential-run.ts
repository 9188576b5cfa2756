// Runs the differential test in a worker thread with a watchdog: a case on which batchwire never
// returns becomes a `hang` finding (with its document) and the run goes on with the next case.
// Used by test/xml/differential.test.ts and by `npm run fuzz:xml-diff`.
import { Worker } from 'node:worker_threads';
import { fc } from 'batchwire/arbitraries';
import { type DiffSummary, emptySummary, type Finding, saxesVerdict } from './differential.js';
import { differentialCase } from './differential-cases.js';

/** Cases drawn per fast-check sample: case `index` of round `r` is drawn with seed `seed + r`. */
export const BATCH = 200;

/** What a worker is asked to do. */
export interface WorkerSettings {
  seed: number;
  round: number;
  runs: number;
  deadline: number;
  /** `round:index` of cases already found to hang. */
  skip: string[];
}

export type WorkerMessage =
  | { type: 'case'; round: number; index: number }
  | { type: 'batch'; summary: DiffSummary }
  | { type: 'done' };

/** The seed of a case's chunk cuts. */
export function caseSeed(seed: number, round: number, index: number): number {
  return (seed + round * BATCH + index) >>> 0;
}

/** Options of {@link runDifferential}: at most `runs` cases, for at most `seconds`. */
export interface RunOptions {
  seed: number;
  runs?: number;
  seconds?: number;
  /** A case still running after this long is a hang. @defaultValue 10 000 */
  watchdogMs?: number;
}

export interface RunResult extends DiffSummary {
  seed: number;
  seconds: number;
}

function merge(into: DiffSummary, from: DiffSummary): void {
  into.cases += from.cases;
  into.comparisons += from.comparisons;
  into.saxesRefused += from.saxesRefused;
  for (const [k, v] of Object.entries(from.categories)) into.categories[k] = (into.categories[k] ?? 0) + v;
  for (const [k, v] of Object.entries(from.knownBugs)) into.knownBugs[k] = (into.knownBugs[k] ?? 0) + v;
  for (const [k, v] of Object.entries(from.bothRefused)) into.bothRefused[k] = (into.bothRefused[k] ?? 0) + v;
  into.findings.push(...from.findings);
}

function hangFinding(seed: number, round: number, index: number, watchdogMs: number): Finding {
  const c = fc.sample(differentialCase(), { seed: seed + round, numRuns: BATCH })[index]!;
  const text = c.text ?? '';
  return {
    kind: 'hang',
    leg: 'status',
    labels: [...c.labels, `seed ${seed} round ${round} case ${index}`],
    saxes: saxesVerdict(c.text),
    batchwire: { accepted: false, code: 'HANG', message: `no verdict after ${watchdogMs} ms` },
    document:
      c.text === undefined ? `bytes ${Buffer.from(c.bytes ?? []).toString('hex')}` : JSON.stringify(text),
  };
}

/** Runs the differential test; resolves with the counts and findings. */
export async function runDifferential(options: RunOptions): Promise<RunResult> {
  const watchdogMs = options.watchdogMs ?? 10_000;
  const started = Date.now();
  const deadline = options.seconds === undefined ? Number.MAX_SAFE_INTEGER : started + options.seconds * 1000;
  const total = options.runs ?? Number.MAX_SAFE_INTEGER;
  const summary = emptySummary();
  const skip: string[] = [];
  let round = 0;
  for (;;) {
    let last: { round: number; index: number } | undefined;
    // Counts of the round being checked arrive with its batch: a restart checks that round again.
    const outcome = await new Promise<'done' | 'hang'>((resolve, reject) => {
      const self = JSON.stringify(new URL('./differential-worker.ts', import.meta.url).href);
      const worker = new Worker(`import('tsx/esm/api').then(({ tsImport }) => tsImport(${self}, ${self}))`, {
        eval: true,
        workerData: {
          seed: options.seed,
          round,
          runs: total - summary.cases,
          deadline,
          skip,
        } satisfies WorkerSettings,
      });
      let lastChange = Date.now();
      const watchdog = setInterval(() => {
        if (Date.now() - lastChange < watchdogMs) return;
        clearInterval(watchdog);
        void worker.terminate();
        resolve('hang');
      }, 250);
      worker.on('message', (message: WorkerMessage) => {
        lastChange = Date.now();
        if (message.type === 'case') last = message;
        else if (message.type === 'batch') {
          merge(summary, message.summary);
          round = (last?.round ?? round) + 1;
        } else {
          clearInterval(watchdog);
          resolve('done');
        }
      });
      worker.on('error', (error) => {
        clearInterval(watchdog);
        reject(error);
      });
    });
    if (outcome === 'done' || last === undefined) break;
    summary.findings.push(hangFinding(options.seed, last.round, last.index, watchdogMs));
    skip.push(`${last.round}:${last.index}`);
    round = last.round;
  }
  return { ...summary, seed: options.seed, seconds: (Date.now() - started) / 1000 };
}
