// `batchwire fuzz merge report.json...`: the reports of shards, workers or runs as one report and
// one JUnit file, each signature once.
import { join } from 'node:path';
import { isBatchwireError } from '../core/errors.js';
import type { FuzzReportFile } from '../fuzz/index.js';
import { stringOf } from './fuzz-replay.js';
import { type CommandContext, oneLine, UsageError } from './io.js';

/** Prints what a report holds, one finding a line (and its case), as `fuzz` and `fuzz merge` do. */
export function printFindings(context: CommandContext, report: FuzzReportFile, dir: string): void {
  for (const f of report.findings) {
    const where = `found after ${f.foundAfter.runs} sequences / ${f.foundAfter.requests} requests`;
    context.stdout.write(
      `finding ${f.signature} (${f.requests} request${f.requests === 1 ? '' : 's'}, ${where}${f.shrunk ? '' : ', not fully shrunk'})\n  ${oneLine(f.message)}\n`,
    );
    if (f.case !== '') context.stdout.write(`  case: ${join(dir, f.case)}\n`);
  }
  if (report.findingsOmitted > 0)
    context.stdout.write(
      `${report.findingsOmitted} more failing signatures were met after the findings were full (maxFindings)\n`,
    );
}

/** Runs `batchwire fuzz merge`; resolves to the exit code (1 when the merged report holds findings). */
export async function runMerge(context: CommandContext): Promise<number> {
  const reports = context.args.slice(1);
  if (reports.length === 0) throw new UsageError('fuzz merge needs the report.json files to merge');
  const out = stringOf(context.options.out, 'out') ?? 'batchwire-fuzz';
  const junit = stringOf(context.options.junit, 'junit');
  const { mergeFuzzReports, readReportFile } = await import('../fuzz/merge.js');
  let written: ReturnType<typeof mergeFuzzReports>;
  try {
    written = mergeFuzzReports(reports, out, junit === undefined ? {} : { junit });
  } catch (error) {
    if (isBatchwireError(error))
      throw new UsageError(
        error.code === 'INVALID_ARGUMENT' ? error.message : `${error.code}: ${error.message}`,
      );
    throw error;
  }
  const merged = readReportFile(written.report);
  context.stdout.write(
    `merged ${reports.length} reports: ${merged.runs} sequences, ${merged.requests} requests, ${merged.findings.length} finding${merged.findings.length === 1 ? '' : 's'}\n`,
  );
  printFindings(context, merged, out);
  context.stdout.write(`report: ${written.report}\n`);
  return merged.findings.length > 0 ? 1 : 0;
}
