// The stress harness: for each attack (a public function fed an input built to grow), time sizes
// n, 2n, 4n, 8n and check that time per doubling stays near 2x (linear) and that the output
// grows no faster than the input. `npm run stress` runs it strictly (test/stress/run.ts); a short
// version with slack thresholds runs inside `npm test` (test/stress/stress.test.ts).
//
// Adding attacks: drop a file `test/stress/attacks/<area>.ts` whose default export is an array
// of `Attack`s (use `attack()` to type each one). Both runners pick up every file there.
import { readdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { GCProfiler } from 'node:v8';
import { isBatchwireError } from 'batchwire';

/** One attack on one public function. */
export interface Attack<I = unknown> {
  /** The public function or constructor under attack, as callers name it: `decodeGenericBody`. */
  target: string;
  /** What the input is built to do: `many tiny records (UTF-16LE)`. */
  name: string;
  /** The smallest size; the runner doubles it (calibrating upwards) and measures n, 2n, 4n, 8n. */
  n: number;
  /** The largest n calibration may reach. @defaultValue `n * 64` */
  maxN?: number;
  /** Builds the input of size `n` (not timed). */
  build(n: number): I;
  /** Runs the target on the input (may return a promise). */
  run(input: I): unknown;
  /**
   * What the run must end in: `'value'`, or the `code` of the BatchwireError it must throw
   * (an attack past a limit). A foreign exception always fails the attack.
   * @defaultValue `'value'`
   */
  expect?: 'value' | (string & {});
  /**
   * Checks that the output is what the attack means to produce (a fault of the right service,
   * not one cut short by a limit); returns why not, or `undefined`. Checked at every size.
   */
  check?(output: unknown): string | undefined;
  /** Size of the input, in the units the output is compared with. @defaultValue characters or bytes */
  inputSize?(input: I): number;
  /** Size of the output. @defaultValue characters in it (see {@link outputSize}) */
  outputSize?(output: unknown): number;
  /**
   * What the growth bound applies to: `'time'`, or `'allocation'` (bytes the run allocates, from
   * V8's own GC statistics) for an attack whose time steps come from the machine's memory
   * hierarchy rather than the work done (say why where the attack is defined). Time is still
   * measured and printed.
   * @defaultValue `'time'`
   */
  judge?: 'time' | 'allocation';
}

/** Types one attack (the input type stays local to it) for a plain array of attacks. */
export function attack<I>(definition: Attack<I>): Attack {
  return definition as unknown as Attack;
}

/** How hard to measure, and how much growth to allow. */
export interface StressMode {
  /** Time per doubling above this fails the attack. */
  threshold: number;
  /** Calibration: double n until the best time at n is at least this. */
  minMs: number;
  /** Runs per size; the best counts (the machine is shared: the best is the least disturbed). */
  repeats: number;
  /** Whole measurements tried before a time failure counts (only a consistent failure fails). */
  attempts: number;
  /** Output growth per doubling allowed over the input's growth (a count, so no noise). */
  outputSlack: number;
  /** Also judge the last doubling alone (catches growth that starts late; needs steady timings). */
  lastDoubling: boolean;
  /** Collect garbage before each timed run (when `--expose-gc` is on): steadier, but slower. */
  collect: boolean;
}

/** `npm run stress`: the 2.5x per doubling, on sizes large enough to time well. */
export const STRICT: StressMode = {
  threshold: 2.5,
  minMs: 25,
  repeats: 7,
  attempts: 2,
  outputSlack: 1.05,
  lastDoubling: true,
  collect: true,
};

/**
 * The version inside `npm test`: small sizes, best of several runs, growth fitted over all four
 * sizes, 3.5x, and a failure must repeat in three whole measurements; a quadratic attack shows
 * about 4x every time.
 */
export const QUICK: StressMode = {
  threshold: 3.5,
  minMs: 1,
  repeats: 5,
  attempts: 3,
  outputSlack: 1.05,
  lastDoubling: false,
  collect: false,
};

/** What one attack measured. */
export interface StressResult {
  target: string;
  name: string;
  /** The sizes measured (n, 2n, 4n, 8n). */
  sizes: number[];
  /** Best time per size, in milliseconds. */
  ms: number[];
  /** Time ratio per doubling (3 values). */
  timeRatios: number[];
  /** Growth per doubling fitted over the four sizes (least squares on log time against log size). */
  growth: number;
  /** Input and output sizes per size. */
  inputs: number[];
  outputs: number[];
  /** Output ratio per doubling (3 values). */
  outputRatios: number[];
  /** Bytes allocated by the best run per size (attacks judged by allocation), else empty. */
  allocated: number[];
  /** What the run ended in: `'value'` or an error code. */
  outcome: string;
  /** Why the attack failed; empty when it passed. */
  failures: string[];
  /** Whole measurements it took. */
  attempts: number;
}

// Timings below this are within the clock's and the scheduler's noise: a target whose time does
// not reach it at 8n does constant work (it refuses early), which is not judged as a ratio.
const NOISE_FLOOR_MS = 0.5;

/**
 * Characters in a value: string lengths, byte lengths, one per number, boolean or key, walked
 * without recursion. For an error, its message and excerpt.
 */
export function outputSize(value: unknown): number {
  let total = 0;
  const stack: unknown[] = [value];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') total += item.length;
    else if (typeof item === 'number' || typeof item === 'boolean' || typeof item === 'bigint') total += 1;
    else if (item instanceof Uint8Array) total += item.byteLength;
    else if (item instanceof Date) total += 1;
    else if (item instanceof Error) {
      total += item.message.length + ((item as { excerpt?: string }).excerpt?.length ?? 0);
    } else if (typeof item === 'object' && item !== null) {
      if (seen.has(item)) continue;
      seen.add(item);
      for (const key of Object.keys(item)) {
        total += key.length;
        stack.push((item as Record<string, unknown>)[key]);
      }
    }
  }
  return total;
}

function defaultInputSize(input: unknown): number {
  if (typeof input === 'string') return input.length;
  if (input instanceof Uint8Array) return input.byteLength;
  return outputSize(input);
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

const gc = (globalThis as { gc?: () => void }).gc;

/** One run: its time (the lesser of wall and CPU time, both upper bounds of the work), result and allocation. */
async function runOnce(
  target: Attack,
  input: unknown,
  collect: boolean,
): Promise<{ ms: number; output: unknown; outcome: string; allocated: number }> {
  if (collect) gc?.();
  // Bytes allocated = heap growth + what each collection during the run freed.
  const profiler = target.judge === 'allocation' ? new GCProfiler() : undefined;
  profiler?.start();
  const used0 = profiler ? process.memoryUsage().heapUsed : 0;
  const wall0 = performance.now();
  const cpu0 = cpuMs();
  let output: unknown;
  let outcome = 'value';
  try {
    output = target.run(input);
    if (output instanceof Promise) output = await output;
  } catch (error) {
    if (!isBatchwireError(error)) throw error;
    output = error;
    outcome = error.code;
  }
  const wall = performance.now() - wall0;
  const cpu = cpuMs() - cpu0;
  let allocated = 0;
  if (profiler) {
    allocated = process.memoryUsage().heapUsed - used0;
    for (const s of profiler.stop()?.statistics ?? []) {
      allocated += s.beforeGC.heapStatistics.usedHeapSize - s.afterGC.heapStatistics.usedHeapSize;
    }
  }
  // CPU time is not inflated by other processes; wall time is not inflated by GC helper threads.
  return { ms: Math.max(0, Math.min(wall, cpu > 0 ? cpu : wall)), output, outcome, allocated };
}

async function best(target: Attack, input: unknown, repeats: number, collect: boolean) {
  let first = await runOnce(target, input, collect);
  for (let i = 1; i < repeats; i++) {
    const next = await runOnce(target, input, collect);
    if (next.ms < first.ms) first = { ...next, output: first.output, allocated: first.allocated };
    first.allocated = Math.min(first.allocated, next.allocated);
  }
  return first;
}

// 2 ^ slope of the least-squares line through (log2 size, log2 time) at sizes n, 2n, 4n, 8n:
// one disturbed size moves it less than it moves a ratio of two sizes.
function fittedGrowth(ms: readonly number[]): number {
  const ys = ms.map((m) => Math.log2(Math.max(m, 1e-6)));
  const meanY = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  for (let i = 0; i < ys.length; i++) num += (i - 1.5) * (ys[i]! - meanY);
  return 2 ** (num / 5);
}

async function measureOnce(target: Attack, mode: StressMode): Promise<StressResult> {
  // Calibrate: warm up, and double n until one run is long enough to time.
  const maxN = target.maxN ?? target.n * 64;
  let n = target.n;
  for (;;) {
    const probe = await best(target, target.build(n), 3, mode.collect);
    if (probe.ms >= mode.minMs || n * 2 > maxN) break;
    n *= 2;
  }
  const sizes = [n, 2 * n, 4 * n, 8 * n];
  const ms: number[] = [];
  const allocated: number[] = [];
  const inputs: number[] = [];
  const outputs: number[] = [];
  const failures: string[] = [];
  let outcome = 'value';
  for (const size of sizes) {
    const input = target.build(size);
    const run = await best(target, input, mode.repeats, mode.collect);
    ms.push(run.ms);
    if (target.judge === 'allocation') allocated.push(run.allocated);
    inputs.push((target.inputSize ?? defaultInputSize)(input as never));
    outputs.push((target.outputSize ?? outputSize)(run.output));
    if (run.outcome !== (target.expect ?? 'value') && !failures.some((f) => f.startsWith('ended'))) {
      failures.push(`ended in ${run.outcome} at n=${size}, expected ${target.expect ?? 'value'}`);
    }
    const wrong = run.outcome === 'value' ? target.check?.(run.output) : undefined;
    if (wrong !== undefined && !failures.some((f) => f.startsWith('output at'))) {
      failures.push(`output at n=${size}: ${wrong}`);
    }
    outcome = run.outcome;
  }
  const ratio = (values: number[]) => values.slice(1).map((v, i) => v / Math.max(values[i]!, 1e-9));
  const timeRatios = ratio(ms);
  const outputRatios = ratio(outputs);
  const inputRatios = ratio(inputs);
  const growth = fittedGrowth(ms);
  if (target.judge === 'allocation') {
    // Allocation is a count, not a timing: no noise floor, and every doubling is judged.
    const ratios = ratio(allocated);
    const fitted = fittedGrowth(allocated);
    const worst = Math.max(...ratios);
    if (fitted > mode.threshold || worst > mode.threshold) {
      failures.push(
        `allocation grows ${fitted.toFixed(2)}x per doubling (worst doubling ${worst.toFixed(2)}x) > ${mode.threshold}x`,
      );
    }
  } else if (ms[3]! >= NOISE_FLOOR_MS) {
    const last = timeRatios[2]!;
    if (growth > mode.threshold || (mode.lastDoubling && last > mode.threshold)) {
      failures.push(
        `time grows ${growth.toFixed(2)}x per doubling (last doubling ${last.toFixed(2)}x) > ${mode.threshold}x`,
      );
    }
  }
  for (let i = 0; i < 3; i++) {
    const allowed = Math.max(inputRatios[i]!, 1) * mode.outputSlack;
    if (outputs[i]! > 64 && outputRatios[i]! > allowed) {
      failures.push(
        `output grows ${outputRatios[i]!.toFixed(2)}x from n=${sizes[i]} to ${sizes[i + 1]} while the input grows ${inputRatios[i]!.toFixed(2)}x`,
      );
      break;
    }
  }
  return {
    target: target.target,
    name: target.name,
    sizes,
    ms,
    timeRatios,
    growth,
    inputs,
    outputs,
    outputRatios,
    allocated,
    outcome,
    failures,
    attempts: 1,
  };
}

/**
 * Measures one attack. A time failure is measured again (up to `mode.attempts` times) and
 * counts only when every measurement fails; an output or outcome failure is deterministic.
 * A foreign exception propagates.
 */
export async function measure(target: Attack, mode: StressMode): Promise<StressResult> {
  const timing = (r: StressResult) =>
    r.failures.some((f) => f.startsWith('time') || f.startsWith('allocation'));
  let result = await measureOnce(target, mode);
  for (let attempt = 2; attempt <= mode.attempts && timing(result); attempt++) {
    const again = await measureOnce(target, mode);
    if (!timing(again) || again.growth < result.growth) result = again;
    result.attempts = attempt;
  }
  return result;
}

/** Every attack of every file in test/stress/attacks/, in file order. */
export async function loadAttacks(): Promise<Attack[]> {
  const folder = new URL('./attacks/', import.meta.url);
  const files = readdirSync(folder)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort();
  const all: Attack[] = [];
  for (const file of files) {
    const module = (await import(pathToFileURL(`${folder.pathname}${file}`).href)) as { default?: unknown };
    if (!Array.isArray(module.default)) {
      throw new Error(`test/stress/attacks/${file} must export an array of attacks as default`);
    }
    all.push(...(module.default as Attack[]));
  }
  return all;
}

/** One line of figures for a result. */
export function describeResult(r: StressResult): string {
  const t = r.timeRatios.map((x) => x.toFixed(2)).join(' ');
  const o = r.outputRatios.map((x) => x.toFixed(2)).join(' ');
  const perInput = r.outputs[3]! / Math.max(r.inputs[3]!, 1);
  const bytes =
    r.allocated.length === 4
      ? ` | allocated ${r.allocated.map((b) => (b / 1e6).toFixed(1)).join('/')} MB (x${r.allocated
          .slice(1)
          .map((b, i) => (b / Math.max(r.allocated[i]!, 1)).toFixed(2))
          .join(' ')}), judged by allocation`
      : '';
  return (
    `${r.target}: ${r.name} | n=${r.sizes[0]} | ${r.ms.map((m) => m.toFixed(2)).join('/')} ms | ` +
    `time x${t} (growth ${r.growth.toFixed(2)})${bytes} | output x${o} (${perInput.toFixed(2)} per input unit) | ${r.outcome}`
  );
}
