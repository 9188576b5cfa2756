import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
// Shared benchmark harness: interleaved rounds (so machine noise hits every case alike),
// medians, and ratios against baselines measured in the same run.

/** One thing to time. `run` returns a count (records, events...) that is checked across rounds. */
export interface BenchCase {
  name: string;
  /** Marks the case as a baseline (another library, or a bound) rather than batchwire itself. */
  baseline?: boolean;
  run: () => number | Promise<number>;
}

export interface BenchResult {
  name: string;
  baseline: boolean;
  /** Median wall time of one run, in milliseconds. */
  medianMs: number;
  /** Fastest and slowest run, for a feel of the noise. */
  minMs: number;
  maxMs: number;
  /** What `run` returned (the same every round, or the bench fails). */
  count: number;
  rounds: number;
}

export interface BenchOptions {
  /** Timed rounds per case (after the warm-up rounds). */
  rounds: number;
  /** Untimed rounds first, whose counts the timed rounds must repeat. @defaultValue 1 */
  warmup?: number;
  /**
   * Force a full GC before each timed case (when node runs with --expose-gc), so no case pays
   * for another's garbage. Turn it off for millisecond rounds: a full GC shrinks the young
   * generation, and a short round would then mostly measure its regrowth. @defaultValue true
   */
  collect?: boolean;
}

function now(): number {
  return performance.now();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Times every case `rounds` times, interleaved (round 1 of each case, then round 2 of each...),
 * after the warm-up rounds. A case whose count changes between rounds is a broken bench: throw.
 */
export async function runBench(cases: BenchCase[], options: BenchOptions): Promise<BenchResult[]> {
  const times = cases.map(() => [] as number[]);
  const counts = cases.map(() => Number.NaN);
  for (let round = -(options.warmup ?? 1); round < options.rounds; round++) {
    for (let i = 0; i < cases.length; i++) {
      const bench = cases[i]!;
      if (options.collect !== false) (globalThis as { gc?: () => void }).gc?.();
      const start = now();
      const count = await bench.run();
      const elapsed = now() - start;
      if (Number.isNaN(counts[i]!)) counts[i] = count;
      else if (count !== counts[i])
        throw new Error(`${bench.name}: count changed from ${counts[i]} to ${count}`);
      if (round >= 0) times[i]!.push(elapsed);
    }
  }
  return cases.map((bench, i) => ({
    name: bench.name,
    baseline: bench.baseline === true,
    medianMs: median(times[i]!),
    minMs: Math.min(...times[i]!),
    maxMs: Math.max(...times[i]!),
    count: counts[i]!,
    rounds: options.rounds,
  }));
}

/** Aligned plain-text columns: the first `leftColumns` left-aligned, the rest right-aligned. */
export function textTable(header: string[], rows: string[][], leftColumns = 1): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < leftColumns ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** A printable table: median time, MB/s and items/s for a workload of `bytes` bytes, and each row's ratio to `reference`. */
export function formatTable(
  title: string,
  results: BenchResult[],
  workload: { bytes: number; itemName: string },
  reference?: string,
): string {
  const ref = reference === undefined ? undefined : results.find((r) => r.name === reference);
  const rows = results.map((r) => {
    const mbps = workload.bytes / 1e6 / (r.medianMs / 1000);
    const perSec = r.count / (r.medianMs / 1000);
    const ratio = ref ? (ref.medianMs / r.medianMs).toFixed(2) : '';
    return [
      r.name,
      r.medianMs.toFixed(1),
      `${r.minMs.toFixed(1)}–${r.maxMs.toFixed(1)}`,
      mbps.toFixed(1),
      Math.round(perSec).toLocaleString('en-US'),
      ratio ? `${ratio}x` : '',
    ];
  });
  const header = [
    'case',
    'median ms',
    'min–max ms',
    'MB/s',
    `${workload.itemName}/s`,
    ref ? `vs ${ref.name}` : '',
  ];
  const rounds = results[0]?.rounds ?? 0;
  return [
    `## ${title}`,
    `(${(workload.bytes / 1e6).toFixed(1)} MB, median of ${rounds} interleaved rounds; ratios are speed relative to the reference, >1 is faster)`,
    ...textTable(header, rows),
    '',
  ].join('\n');
}

/** Speed of `name` relative to `other` (>1: `name` is faster), from medians. */
export function speedRatio(results: BenchResult[], name: string, other: string): number {
  const a = results.find((r) => r.name === name);
  const b = results.find((r) => r.name === other);
  if (!a || !b) throw new Error(`no result named ${a ? other : name}`);
  return b.medianMs / a.medianMs;
}

/** `--quick` on the command line (or BENCH_QUICK=1) asks for a small, fast run. */
export function isQuick(argv: string[] = process.argv): boolean {
  return argv.includes('--quick') || process.env.BENCH_QUICK === '1';
}

/** A target an issue sets, with the ratio this run measured. */
export interface TargetRow {
  suite: string;
  what: string;
  ratio: number;
  atLeast: number;
}

/** Every target checked in this process, for the one summary table `npm run bench` ends with. */
export const targetRows: TargetRow[] = [];

/** Records a measured ratio beside its target (the run never fails on it: machines are noisy). */
export function checkTarget(suite: string, what: string, ratio: number, atLeast: number): string {
  targetRows.push({ suite, what, ratio, atLeast });
  return `${what}: ${ratio.toFixed(2)}x (target >= ${atLeast}x${ratio >= atLeast ? ', met' : ', NOT met'})`;
}

/** The summary table of every target recorded so far. */
export function formatTargets(): string {
  const rows = targetRows.map((t) => [
    t.suite,
    t.what,
    `${t.ratio.toFixed(2)}x`,
    `>= ${t.atLeast}x`,
    t.ratio >= t.atLeast ? 'met' : 'NOT met',
  ]);
  const header = ['suite', 'ratio measured', 'value', 'target', ''];
  return [
    '## summary: speed ratios against the targets (medians, same run)',
    ...textTable(header, rows, 2),
    '',
  ].join('\n');
}

const TARGETS_MARK = '@@targets ';

/**
 * The entry point of a suite file: when the file is the script node runs, prints the suite's
 * tables and, on a last marked line, the targets it checked, for `bench/index.ts` to collect.
 */
export function suiteMain(moduleUrl: string, run: (quick: boolean) => Promise<string>): void {
  if (!process.argv[1] || fileURLToPath(moduleUrl) !== process.argv[1]) return;
  run(isQuick()).then((text) => {
    process.stdout.write(text);
    process.stdout.write(`${TARGETS_MARK}${JSON.stringify(targetRows)}\n`);
  });
}

/** Splits a suite's output into its printed text and the targets on its marked line. */
export function suiteOutput(stdout: string): { text: string; targets: TargetRow[] } {
  const lines = stdout.split('\n');
  const targets: TargetRow[] = [];
  const text = lines.filter((line) => {
    if (!line.startsWith(TARGETS_MARK)) return true;
    targets.push(...(JSON.parse(line.slice(TARGETS_MARK.length)) as TargetRow[]));
    return false;
  });
  return { text: text.join('\n'), targets };
}

/**
 * Runs `file` in a node of its own (same flags as this one) and resolves to its stdout: a suite
 * or an input that leaves a large heap or a warm JIT behind would otherwise skew the next.
 */
export function runScript(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, file, ...args], {
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
