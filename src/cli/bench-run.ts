// `batchwire bench FILE...`: batchwire's decoder on the caller's own bodies, beside the baselines
// of `npm run bench` when their packages are installed, in interleaved rounds (so machine noise
// hits every case alike), with medians, spread, throughput and heap growth.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type BenchCase, type BenchFormat, casesFor } from './bench-cases.js';

export { BENCH_FORMATS, type BenchCase, type BenchFormat } from './bench-cases.js';

/** The timing of one case. */
export interface CaseResult {
  name: string;
  baseline: boolean;
  /** What one run counted: records for batchwire, events or records for a baseline. */
  count: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** First and third quartile of the round times. */
  q1Ms: number;
  q3Ms: number;
  /** `(q3 - q1) / median`: how noisy the rounds were. */
  spread: number;
  mbPerSecond: number;
  /** Items per second (records for batchwire). */
  perSecond: number;
  /** batchwire's median over this case's (a baseline's): above 1, batchwire is faster. */
  ratio?: number;
}

/** What `bench` reports for one body. */
export interface BodyReport {
  file: string;
  format: BenchFormat;
  bytes: number;
  chunkBytes: number;
  rounds: number;
  /** Records batchwire read from the body (messages, filters, one fault). */
  records: number;
  /** Peak heap growth while batchwire decoded the body once, in bytes (after a full GC when available). */
  heapGrowthBytes: number;
  results: CaseResult[];
  /** Baselines not measured because their package is not installed. */
  missingBaselines: string[];
}

function gcFunction(): (() => void) | undefined {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  try {
    // Without --expose-gc: enable it now and fetch gc from a fresh context.
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

function quantile(sorted: number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}

/**
 * Times each case `rounds` times, interleaved, after one warm-up round; a case whose count
 * changes between rounds is a broken measurement and throws. A small body is decoded several
 * times per round (the same number for every case), so a round lasts at least ~20 ms and timer
 * resolution does not dominate; times are per decode.
 */
export function timeCases(cases: BenchCase[], rounds: number, bytes: number): CaseResult[] {
  const times = cases.map(() => [] as number[]);
  const counts = cases.map(() => Number.NaN);
  // Calibrate on batchwire, warmed up (runs for ~50 ms): its fastest decode sets the repeat.
  let fastest = Number.POSITIVE_INFINITY;
  const warmUntil = performance.now() + 50;
  for (let n = 0; n < 10_000 && (n < 2 || performance.now() < warmUntil); n++) {
    const start = performance.now();
    cases[0]?.run();
    fastest = Math.min(fastest, performance.now() - start);
  }
  const repeat = Math.min(100_000, Math.max(1, Math.ceil(20 / Math.max(fastest, 0.0005))));
  for (let round = -1; round < rounds; round++) {
    for (let i = 0; i < cases.length; i++) {
      const start = performance.now();
      let count = 0;
      for (let r = 0; r < repeat; r++) count = cases[i]!.run();
      const elapsed = (performance.now() - start) / repeat;
      if (round < 0) counts[i] = count;
      else {
        if (count !== counts[i])
          throw new Error(`${cases[i]!.name}: count changed from ${counts[i]} to ${count}`);
        times[i]!.push(elapsed);
      }
    }
  }
  const results = cases.map((bench, i): CaseResult => {
    const sorted = [...times[i]!].sort((a, b) => a - b);
    const medianMs = Math.max(quantile(sorted, 0.5), 1e-6);
    const q1Ms = quantile(sorted, 0.25);
    const q3Ms = quantile(sorted, 0.75);
    return {
      name: bench.name,
      baseline: bench.baseline,
      count: counts[i]!,
      medianMs,
      minMs: sorted[0]!,
      maxMs: sorted[sorted.length - 1]!,
      q1Ms,
      q3Ms,
      spread: (q3Ms - q1Ms) / medianMs,
      mbPerSecond: bytes / 1e6 / (medianMs / 1000),
      perSecond: counts[i]! / (medianMs / 1000),
    };
  });
  const ours = results.find((r) => !r.baseline);
  if (ours) for (const r of results) if (r.baseline) r.ratio = r.medianMs / ours.medianMs;
  return results;
}

/** Peak heap growth over one run of `bench` (sampled around the run; after a full GC when possible). */
export function heapGrowth(bench: BenchCase): number {
  const gc = gcFunction();
  gc?.();
  const before = process.memoryUsage().heapUsed;
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 5);
  try {
    bench.run();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  } finally {
    clearInterval(timer);
  }
  return Math.max(0, peak - before);
}

/** Measures one body: batchwire and the installed baselines, then batchwire's heap growth. */
export function benchBody(
  file: string,
  format: BenchFormat,
  body: Uint8Array,
  options: { rounds: number; chunkBytes: number; baselines: boolean },
): BodyReport {
  const { cases, missing } = casesFor(format, body, options.chunkBytes);
  const measured = options.baselines ? cases : cases.filter((c) => !c.baseline);
  const results = timeCases(measured, options.rounds, body.length);
  const ours = results.find((r) => !r.baseline)!;
  return {
    file,
    format,
    bytes: body.length,
    chunkBytes: options.chunkBytes,
    rounds: options.rounds,
    records: ours.count,
    heapGrowthBytes: heapGrowth(cases[0]!),
    results,
    missingBaselines: options.baselines ? missing : [],
  };
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '-';
}

/** A report as an aligned text table. */
export function formatReport(report: BodyReport): string {
  const header = ['case', 'median ms', 'q1-q3 ms', 'min-max ms', 'MB/s', 'items/s', 'vs batchwire'];
  const digits = report.results[0] !== undefined && report.results[0].medianMs < 1 ? 4 : 2;
  const rows = report.results.map((r) => [
    r.name,
    fixed(r.medianMs, digits),
    `${fixed(r.q1Ms, digits)}-${fixed(r.q3Ms, digits)}`,
    `${fixed(r.minMs, digits)}-${fixed(r.maxMs, digits)}`,
    fixed(r.mbPerSecond, 1),
    Math.round(r.perSecond).toLocaleString('en-US'),
    r.ratio === undefined ? '' : `${fixed(r.ratio, 2)}x`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const out = [
    `## ${report.file}: ${report.format}, ${(report.bytes / 1e6).toFixed(2)} MB, ${report.records.toLocaleString('en-US')} records, ${report.format === 'filter' || report.format === 'fault' ? 'whole body' : `${report.chunkBytes} B chunks`}, ${report.rounds} rounds`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    `heap growth while batchwire decodes it once: ${(report.heapGrowthBytes / 1048576).toFixed(1)} MiB`,
  ];
  if (report.missingBaselines.length > 0) {
    out.push(
      `baselines not installed: ${report.missingBaselines.join(', ')} (npm install --no-save ${report.missingBaselines.join(' ')} to compare)`,
    );
  }
  out.push('"vs batchwire": the baseline\'s median over batchwire\'s; above 1, batchwire is faster.', '');
  return out.join('\n');
}
