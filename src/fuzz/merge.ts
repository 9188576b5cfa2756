// `batchwire fuzz merge`: the reports of several runs (the shards of one seed on N machines, the
// workers of one machine, or runs of other seeds) as one report and one JUnit file, each
// signature once: the smallest case of it (a shrunk one first, then the fewest requests, then
// the one found first), its folder copied beside the merged report.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { invalidArgument } from '../core/errors.js';
import { optionsObject, textOption } from '../core/options.js';
import { folderNames, junitXml, type WrittenReport, writing } from './report.js';
import { FUZZ_SERVICE_CHECKS, type FuzzReportFile, type FuzzReportFinding } from './types.js';

const WHAT = 'mergeFuzzReports';

/** Reads and checks a `report.json`. */
export function readReportFile(path: string): FuzzReportFile {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw invalidArgument(
      `${WHAT}: cannot read the report ${JSON.stringify(path)}: ${(error as Error).message}`,
    );
  }
  const r = value as Partial<FuzzReportFile> | null;
  if (
    typeof r !== 'object' ||
    r === null ||
    r.format !== 'batchwire-fuzz-report' ||
    typeof r.service !== 'string' ||
    !Object.hasOwn(FUZZ_SERVICE_CHECKS, r.service) ||
    !Array.isArray(r.findings)
  ) {
    throw invalidArgument(`${WHAT}: ${path} is not a batchwire fuzz report.json`);
  }
  for (const f of r.findings) {
    if (typeof f !== 'object' || f === null || typeof f.signature !== 'string' || typeof f.case !== 'string')
      throw invalidArgument(`${WHAT}: ${path} lists a finding without a signature and a case`);
  }
  return r as FuzzReportFile;
}

/** Whether finding `a` (of the same signature) is the better case to keep than `b`. */
function better(a: FuzzReportFinding, b: FuzzReportFinding): boolean {
  if (a.shrunk !== b.shrunk) return a.shrunk;
  if (a.requests !== b.requests) return a.requests < b.requests;
  return a.foundAfter.ms < b.foundAfter.ms;
}

function copyFolder(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    const source = join(from, name);
    if (statSync(source).isFile()) copyFileSync(source, join(to, name));
  }
}

/**
 * Merges the `report.json` files of several runs of one service into `dir`: one report (requests
 * and sequences summed, each signature once, the runs listed under `merged`), the case folder of
 * each finding kept, and optionally JUnit XML.
 *
 * @throws {@link BatchwireError} `INVALID_ARGUMENT` for a file that is not a report, or reports
 *   of different services; `WRITE_FAILED` for a file that cannot be written
 * @example
 * ```ts
 * import { mergeFuzzReports } from 'batchwire/fuzz';
 * mergeFuzzReports(['shard-1/report.json', 'shard-2/report.json'], 'merged', { junit: 'merged/junit.xml' });
 * ```
 */
export function mergeFuzzReports(
  reports: readonly string[],
  dir: string,
  options: { junit?: string | null | undefined } | null = {},
): WrittenReport {
  if (!Array.isArray(reports) || reports.length === 0 || reports.some((r) => typeof r !== 'string'))
    throw invalidArgument(`${WHAT}: give the paths of one or more report.json files`);
  if (typeof dir !== 'string' || dir === '') throw invalidArgument(`${WHAT}: dir must be a directory path`);
  const junit = textOption(optionsObject(options, WHAT), 'junit', WHAT);
  const files = reports.map((path) => ({ path, report: readReportFile(path) }));
  const service = files[0]!.report.service;
  const other = files.find((f) => f.report.service !== service);
  if (other)
    throw invalidArgument(
      `${WHAT}: ${other.path} is a ${other.report.service} report; the others are ${service}`,
    );
  const best = new Map<string, { finding: FuzzReportFinding; base: string }>();
  for (const { path, report } of files) {
    for (const finding of report.findings) {
      const held = best.get(finding.signature);
      if (held === undefined || better(finding, held.finding))
        best.set(finding.signature, { finding, base: dirname(resolve(path)) });
    }
  }
  const kept = [...best.values()];
  const folders = folderNames(kept.map((k) => k.finding.signature));
  const stopped = files.map((f) => f.report.stoppedBy);
  const merged: FuzzReportFile = {
    format: 'batchwire-fuzz-report',
    version: 1,
    seed: files[0]!.report.seed,
    service,
    target: files[0]!.report.target,
    requests: files.reduce((n, f) => n + (f.report.requests ?? 0), 0),
    runs: files.reduce((n, f) => n + (f.report.runs ?? 0), 0),
    durationMs: Math.max(...files.map((f) => f.report.durationMs ?? 0)),
    stoppedBy: stopped.includes('signal') ? 'signal' : stopped.includes('time') ? 'time' : 'runs',
    checks: [...FUZZ_SERVICE_CHECKS[service]],
    findings: kept.map((k, i) => ({ ...k.finding, case: `${folders[i]}/case.json` })),
    findingsOmitted: files.reduce((n, f) => n + (f.report.findingsOmitted ?? 0), 0),
    merged: files.map(({ path, report }) => ({
      report: path,
      seed: report.seed,
      requests: report.requests,
      runs: report.runs,
      ...(report.shard === undefined ? {} : { shard: report.shard }),
    })),
  };
  return writing(WHAT, () => {
    mkdirSync(dir, { recursive: true });
    kept.forEach((k, i) => {
      const from = dirname(join(k.base, k.finding.case));
      const to = join(dir, folders[i]!);
      if (resolve(from) !== resolve(to)) copyFolder(from, to);
    });
    const reportPath = join(dir, 'report.json');
    writeFileSync(reportPath, `${JSON.stringify(merged, null, 2)}\n`);
    const written: WrittenReport = {
      report: reportPath,
      cases: folders.map((f) => join(dir, f, 'case.json')),
    };
    if (junit !== undefined && junit !== '') {
      mkdirSync(dirname(junit), { recursive: true });
      writeFileSync(junit, junitXml(merged, dir));
      written.junit = junit;
    }
    return written;
  });
}
