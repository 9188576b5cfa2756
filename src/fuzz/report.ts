// Writing a run's findings as files other tools can read: DIR/report.json (the contract,
// FuzzReportFile), one folder per finding (case.json, each body under a name of its own, the
// answer seen, a curl reproducer that reads secrets from the environment), and JUnit XML with one
// test case per check that applies to the service.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BatchwireError, invalidArgument, isBatchwireError } from '../core/errors.js';
import { optionsObject, textOption } from '../core/options.js';
import { secretEnvName } from './secrets.js';
import {
  FUZZ_SERVICE_CHECKS,
  type FuzzCase,
  type FuzzFinding,
  type FuzzReport,
  type FuzzReportFile,
  type FuzzReportFinding,
} from './types.js';

/** Options of {@link writeFuzzReport}. */
export interface WriteReportOptions {
  /** Also write JUnit XML to this file (one test case per finding, and one per check that passed). */
  junit?: string | null | undefined;
}

/** What {@link writeFuzzReport} wrote. */
export interface WrittenReport {
  /** The path of `report.json`. */
  report: string;
  /** The path of each finding's `case.json`, in the order of the findings. */
  cases: string[];
  /** The JUnit file, when asked for. */
  junit?: string;
}

/** `case.json`: the case without its file contents. */
export function caseJson(c: FuzzCase): Omit<FuzzCase, 'files'> {
  const { files: _files, ...rest } = c;
  return rest;
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A shell script that sends the case's requests with curl, in order; secret headers come from the environment. */
export function curlScript(c: FuzzCase): string {
  const secret = c.secretHeaders ?? {};
  const lines = [
    '#!/bin/sh',
    `# batchwire fuzz: ${c.signature}`,
    `# ${c.message.replace(/[\r\n]+/g, ' ').slice(0, 500)}`,
    '# The requests of the minimal case, in order, each with its body file. Ids the backend handed',
    '# out (session ids, job ids, next links) may differ on another run: `batchwire fuzz replay',
    '# case.json` sends the same sequence and resolves them again.',
  ];
  const names = Object.keys(secret);
  if (names.length > 0) {
    lines.push('# The secret headers were not written down; set them in the environment first:');
    for (const name of names) lines.push(`#   export ${secret[name]}='...'   # ${name}`);
  }
  lines.push('cd "$(dirname "$0")" || exit 2');
  c.requests.forEach((r, i) => {
    const parts = ['curl', '-sS', '-i', '--max-time', '30', '-X', r.method, shellQuote(r.url)];
    for (const [name, value] of Object.entries(r.headers)) {
      if (name === 'content-length' || name === 'host') continue;
      if (Object.hasOwn(secret, name)) {
        const env = secret[name] ?? secretEnvName(name);
        parts.push('-H', `"${name}: \${${env}:?set ${env} to the ${name} header}"`);
      } else parts.push('-H', shellQuote(`${name}: ${value}`));
    }
    if (r.body !== undefined) parts.push('--data-binary', shellQuote(`@${r.body}`));
    lines.push(`echo ${shellQuote(`--- request ${i + 1}: ${r.operation}`)}`, parts.join(' '), 'echo');
  });
  return `${lines.join('\n')}\n`;
}

// Text XML 1.0 can carry, escaped for an attribute or element.
function xml(text: string): string {
  return text
    .replace(/[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** The entry of `report.json` for a finding whose `case.json` is at `casePath` (relative to the report). */
function reportFinding(f: FuzzFinding, casePath: string): FuzzReportFinding {
  const out: FuzzReportFinding = {
    signature: f.signature,
    check: f.check,
    operation: f.operation,
    message: f.message,
    shrunk: f.shrunk,
    shrinkRuns: f.shrinkRuns,
    requests: f.case.requests.length,
    foundAfter: { ...f.foundAfter },
    case: casePath,
  };
  if (f.status !== undefined) out.status = f.status;
  if (f.code !== undefined) out.code = f.code;
  return out;
}

/** `report.json` for a report whose findings' cases are at `casePaths` (relative to the report's folder). */
export function reportFileOf(report: FuzzReport, casePaths: readonly string[]): FuzzReportFile {
  const file: FuzzReportFile = {
    format: 'batchwire-fuzz-report',
    version: 1,
    seed: report.seed,
    service: report.service,
    target: report.target,
    requests: report.requests,
    runs: report.runs,
    durationMs: report.durationMs,
    stoppedBy: report.stoppedBy,
    checks: [...FUZZ_SERVICE_CHECKS[report.service]],
    findings: report.findings.map((f, i) => reportFinding(f, casePaths[i] ?? '')),
    findingsOmitted: report.findingsOmitted ?? 0,
  };
  if (report.shard !== undefined) file.shard = { ...report.shard };
  if (report.insecure === true) file.insecure = true;
  return file;
}

/**
 * JUnit XML for a report: one failing test case per finding, one passing per check that applies
 * to the service and found nothing. `base` is the folder case paths are relative to.
 */
export function junitXml(report: FuzzReportFile, base = ''): string {
  const suite = `batchwire fuzz ${report.service}`;
  const cases: string[] = [];
  for (const check of FUZZ_SERVICE_CHECKS[report.service]) {
    const found = report.findings.filter((f) => f.check === check);
    if (found.length === 0) {
      cases.push(
        `    <testcase classname="${xml(`batchwire.fuzz.${report.service}`)}" name="${xml(check)}" time="0"/>`,
      );
      continue;
    }
    for (const f of found) {
      const path = f.case === '' ? '' : join(base, f.case);
      const detail = [
        f.message,
        `operation: ${f.operation}${f.status === undefined ? '' : `, HTTP ${f.status}`}${f.code === undefined ? '' : `, code ${f.code}`}`,
        `requests: ${f.requests}${f.shrunk ? ' (shrunk)' : ' (not fully shrunk)'}`,
        `found after ${f.foundAfter.runs} sequences, ${f.foundAfter.requests} requests`,
        ...(path === '' ? [] : [`case: ${path}`, `replay: batchwire fuzz replay ${path}`]),
      ].join('\n');
      cases.push(
        `    <testcase classname="${xml(`batchwire.fuzz.${report.service}.${check}`)}" name="${xml(f.signature)}" time="0">\n` +
          `      <failure type="${xml(check)}" message="${xml(f.message.slice(0, 500))}">${xml(detail)}</failure>\n` +
          '    </testcase>',
      );
    }
  }
  const seconds = (report.durationMs / 1000).toFixed(3);
  const failures = report.findings.length;
  const shard =
    report.shard === undefined
      ? []
      : [`      <property name="shard" value="${report.shard.index}/${report.shard.count}"/>`];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="batchwire fuzz" tests="${cases.length}" failures="${failures}" time="${seconds}">`,
    `  <testsuite name="${xml(suite)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0" time="${seconds}">`,
    '    <properties>',
    `      <property name="seed" value="${report.seed}"/>`,
    `      <property name="target" value="${xml(report.target)}"/>`,
    `      <property name="requests" value="${report.requests}"/>`,
    `      <property name="runs" value="${report.runs}"/>`,
    ...shard,
    '    </properties>',
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** A folder name for `signature` no other finding of the report uses (also on a case-insensitive disk). */
export function folderNames(signatures: readonly string[]): string[] {
  const taken = new Set<string>();
  return signatures.map((signature) => {
    let name = signature === '' ? 'finding' : signature;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${signature}~${n}`;
    taken.add(name.toLowerCase());
    return name;
  });
}

/** Writes a case's folder: its bodies, case.json, response.json (when it has an answer), reproduce.sh. */
export function writeCaseFolder(folder: string, c: FuzzCase): void {
  mkdirSync(folder, { recursive: true });
  for (const [name, bytes] of Object.entries(c.files)) writeFileSync(join(folder, name), bytes);
  writeFileSync(join(folder, 'case.json'), `${JSON.stringify(caseJson(c), null, 2)}\n`);
  if (c.response !== undefined)
    writeFileSync(join(folder, 'response.json'), `${JSON.stringify(c.response, null, 2)}\n`);
  writeFileSync(join(folder, 'reproduce.sh'), curlScript(c), { mode: 0o755 });
}

/** Runs file writing; a failure of the file system is `WRITE_FAILED`. */
export function writing<T>(what: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (isBatchwireError(error)) throw error;
    throw new BatchwireError('WRITE_FAILED', `${what}: ${(error as Error)?.message ?? String(error)}`, 0, {
      cause: error,
    });
  }
}

/**
 * Writes a run's findings under `dir`: `report.json` (the {@link FuzzReportFile} contract; each
 * finding's `case` is its `case.json` relative to `dir`), and per finding `dir/<signature>/` with
 * `case.json`, each body under its own name (`request-2.bin`, `response-body.json`, ...), the answer
 * seen (`response.json`) and `reproduce.sh` (curl; secret headers read from the environment).
 * Optionally JUnit XML.
 *
 * @throws {@link BatchwireError} `INVALID_ARGUMENT` for a report that is not one; `WRITE_FAILED`
 *   for a file or folder that cannot be written
 * @example
 * ```ts
 * import { runFuzz, writeFuzzReport } from 'batchwire/fuzz';
 * const report = await runFuzz({ target: 'http://127.0.0.1:8080', service: 'azure-batch', runs: 20 });
 * writeFuzzReport(report, 'fuzz-out', { junit: 'fuzz-out/junit.xml' });
 * ```
 */
export function writeFuzzReport(
  report: FuzzReport,
  dir: string,
  options: WriteReportOptions | null = {},
): WrittenReport {
  const r = optionsObject(report, 'writeFuzzReport') as unknown as FuzzReport;
  if (!Array.isArray(r.findings) || !Object.hasOwn(FUZZ_SERVICE_CHECKS, String(r.service)))
    throw invalidArgument('writeFuzzReport expects the report runFuzz resolved to');
  if (typeof dir !== 'string' || dir === '')
    throw invalidArgument('writeFuzzReport: dir must be a directory path');
  const junit = textOption(optionsObject(options, 'writeFuzzReport'), 'junit', 'writeFuzzReport');
  if (junit === '') throw invalidArgument('writeFuzzReport: junit must be a file path');
  return writing('writeFuzzReport', () => {
    mkdirSync(dir, { recursive: true });
    const folders = folderNames(r.findings.map((f) => f.signature));
    for (const [i, finding] of r.findings.entries()) writeCaseFolder(join(dir, folders[i]!), finding.case);
    const relative = folders.map((folder) => `${folder}/case.json`);
    const file = reportFileOf(r, relative);
    const reportPath = join(dir, 'report.json');
    writeFileSync(reportPath, `${JSON.stringify(file, null, 2)}\n`);
    const written: WrittenReport = {
      report: reportPath,
      cases: folders.map((f) => join(dir, f, 'case.json')),
    };
    if (junit !== undefined) {
      mkdirSync(dirname(junit), { recursive: true });
      writeFileSync(junit, junitXml(file, dir));
      written.junit = junit;
    }
    return written;
  });
}
