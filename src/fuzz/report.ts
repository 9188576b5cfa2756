// Writing a run's findings as files other tools can read: DIR/report.json, one directory per
// finding (case.json, each body as its own file, the answer seen, a curl reproducer), and JUnit XML.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isBatchwireError } from '../core/errors.js';
import { invalid, optionsRecord } from './options.js';
import { FUZZ_CHECKS, type FuzzCase, type FuzzFinding, type FuzzReport } from './types.js';

/** Options of {@link writeFuzzReport}. */
export interface WriteReportOptions {
  /** Also write JUnit XML to this file (one test case per finding, and one per check that passed). */
  junit?: string;
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

/** A shell script that sends the case's requests with curl, in order. */
export function curlScript(c: FuzzCase): string {
  const lines = [
    '#!/bin/sh',
    `# batchwire fuzz: ${c.signature}`,
    `# ${c.message.replace(/[\r\n]+/g, ' ').slice(0, 500)}`,
    '# The requests of the minimal case, in order, each with its body file. Ids the backend handed',
    '# out (session ids, job ids, next links) may differ on another run: `batchwire fuzz replay',
    '# case.json` sends the same sequence and resolves them again.',
    'cd "$(dirname "$0")" || exit 2',
  ];
  c.requests.forEach((r, i) => {
    const parts = ['curl', '-sS', '-i', '--max-time', '30', '-X', r.method, shellQuote(r.url)];
    for (const [name, value] of Object.entries(r.headers)) {
      if (name === 'content-length' || name === 'host') continue;
      parts.push('-H', shellQuote(`${name}: ${value}`));
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

/** JUnit XML for a report: one failing test case per finding, one passing per check without findings. */
export function junitXml(report: FuzzReport, casePaths: readonly string[] = []): string {
  const suite = `batchwire fuzz ${report.service}`;
  const cases: string[] = [];
  for (const check of FUZZ_CHECKS) {
    const found = report.findings.map((f, i) => [f, i] as const).filter(([f]) => f.check === check);
    if (found.length === 0) {
      cases.push(
        `    <testcase classname="${xml(`batchwire.fuzz.${report.service}`)}" name="${xml(check)}" time="0"/>`,
      );
      continue;
    }
    for (const [f, i] of found) {
      const detail = [
        f.message,
        `operation: ${f.operation}${f.status === undefined ? '' : `, HTTP ${f.status}`}${f.code === undefined ? '' : `, code ${f.code}`}`,
        `requests: ${f.case.requests.length}${f.shrunk ? ' (shrunk)' : ' (not fully shrunk)'}`,
        ...(casePaths[i] === undefined
          ? []
          : [`case: ${casePaths[i]}`, `replay: batchwire fuzz replay ${casePaths[i]}`]),
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
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="batchwire fuzz" tests="${cases.length}" failures="${failures}" time="${seconds}">`,
    `  <testsuite name="${xml(suite)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0" time="${seconds}">`,
    '    <properties>',
    `      <property name="seed" value="${report.seed}"/>`,
    `      <property name="target" value="${xml(report.target)}"/>`,
    `      <property name="requests" value="${report.requests}"/>`,
    `      <property name="runs" value="${report.runs}"/>`,
    '    </properties>',
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function writeFinding(dir: string, finding: FuzzFinding): string {
  const c = finding.case;
  const folder = join(dir, finding.signature);
  mkdirSync(folder, { recursive: true });
  for (const [name, bytes] of Object.entries(c.files)) writeFileSync(join(folder, name), bytes);
  const casePath = join(folder, 'case.json');
  writeFileSync(casePath, `${JSON.stringify(caseJson(c), null, 2)}\n`);
  if (c.response !== undefined)
    writeFileSync(join(folder, 'response.json'), `${JSON.stringify(c.response, null, 2)}\n`);
  writeFileSync(join(folder, 'reproduce.sh'), curlScript(c), { mode: 0o755 });
  return casePath;
}

/**
 * Writes a run's findings under `dir`: `report.json` (`{ seed, requests, findings: [{ signature,
 * check, operation, status?, code?, case }] }`, `case` the path of that finding's `case.json`),
 * and per finding `dir/<signature>/` with `case.json` (`{ seed, requests: [{ method, url,
 * headers, body? }], ... }`, `body` naming the body's file beside it), the bodies, the answer
 * seen (`response.json` and its body) and `reproduce.sh` (curl). Optionally JUnit XML.
 *
 * @throws {@link BatchwireError} `INVALID_ARGUMENT` for a report that is not one, or a file that cannot be written
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
  options: WriteReportOptions = {},
): WrittenReport {
  const r = optionsRecord(report, 'writeFuzzReport') as unknown as FuzzReport;
  if (!Array.isArray(r.findings)) throw invalid('writeFuzzReport expects the report runFuzz resolved to');
  if (typeof dir !== 'string' || dir === '') throw invalid('writeFuzzReport: dir must be a directory path');
  const o = optionsRecord(options ?? {}, 'writeFuzzReport');
  if (o.junit !== undefined && (typeof o.junit !== 'string' || o.junit === ''))
    throw invalid('junit must be a file path');
  try {
    mkdirSync(dir, { recursive: true });
    const cases = r.findings.map((finding) => writeFinding(dir, finding));
    const json = {
      seed: r.seed,
      requests: r.requests,
      findings: r.findings.map((f, i) => ({
        signature: f.signature,
        check: f.check,
        operation: f.operation,
        ...(f.status === undefined ? {} : { status: f.status }),
        ...(f.code === undefined ? {} : { code: f.code }),
        case: cases[i],
        message: f.message,
        shrunk: f.shrunk,
        requests: f.case.requests.length,
      })),
      service: r.service,
      target: r.target,
      runs: r.runs,
      durationMs: r.durationMs,
      stoppedBy: r.stoppedBy,
    };
    const reportPath = join(dir, 'report.json');
    writeFileSync(reportPath, `${JSON.stringify(json, null, 2)}\n`);
    const written: WrittenReport = { report: reportPath, cases };
    if (typeof o.junit === 'string') {
      mkdirSync(dirname(o.junit), { recursive: true });
      writeFileSync(o.junit, junitXml(r, cases));
      written.junit = o.junit;
    }
    return written;
  } catch (error) {
    if (isBatchwireError(error)) throw error;
    throw invalid(`writeFuzzReport: ${(error as Error).message}`);
  }
}
