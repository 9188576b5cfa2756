// Fuzz runs are bounded whatever the target does (issue 23 §2): bodies kept by findings are cut
// and marked, findings are capped, the deadline ends a run within seconds of its limit, every
// body is in the case folder under a name of its own, and an empty $filter is no false finding.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type FuzzDiscovery, runFuzz, writeFuzzReport } from 'batchwire/fuzz';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../support/temp.js';
import { emulatorWith } from './backends.js';
import { alwaysBusy, freshErrors, silent } from './hostile-targets.js';

const temp = useTempDir('bounded');

describe('memory', () => {
  it('a target answering each request with a new error code and a 4 MiB body: few findings kept, each body cut to its bound', async () => {
    const backend = await freshErrors(4 * 1024 * 1024);
    const found: FuzzDiscovery[] = [];
    try {
      const report = await runFuzz({
        target: backend.url,
        service: 'dli',
        seed: 5,
        runs: 400,
        timeLimitMs: 4000,
        maxFindings: 4,
        maxCaseBodyBytes: 1000,
        maxShrinkRuns: 3,
        onFinding: (f) => found.push(f),
      });
      expect(report.findings.length).toBeLessThanOrEqual(4);
      expect(report.findings.length).toBeGreaterThan(0);
      expect(report.findingsOmitted).toBeGreaterThan(0);
      // The progress counted each finding as it was met.
      expect(found.length).toBe(report.findings.length);
      for (const f of report.findings) {
        const body = f.case.files[f.case.response!.body!]!;
        expect(body.length).toBeLessThanOrEqual(1000);
        expect(f.case.response).toMatchObject({ bodyTruncated: true, bodyBytes: 4 * 1024 * 1024 });
      }
    } finally {
      await backend.close();
    }
  });
});

describe('time', () => {
  it('against an always-503 target with Retry-After 2.9, the run ends within a few seconds of its limit', async () => {
    const backend = await alwaysBusy();
    try {
      const started = performance.now();
      const report = await runFuzz({ target: backend.url, service: 'dli', seed: 1, timeLimitMs: 3000 });
      const elapsed = performance.now() - started;
      expect(report.stoppedBy).toBe('time');
      expect(elapsed).toBeLessThan(3000 + 2500);
    } finally {
      await backend.close();
    }
  });

  it('a request in flight is aborted at the deadline, whatever requestTimeoutMs says', async () => {
    const backend = await silent();
    try {
      const started = performance.now();
      const report = await runFuzz({
        target: backend.url,
        service: 'hpc-pack',
        seed: 1,
        timeLimitMs: 1500,
        requestTimeoutMs: 60_000,
      });
      expect(performance.now() - started).toBeLessThan(1500 + 2500);
      expect(report).toMatchObject({ stoppedBy: 'time', findings: [] });
    } finally {
      await backend.close();
    }
  });
});

describe('nothing lost in the report', () => {
  it('a JSON error body is its own file beside response.json, and every file a case names is there', async () => {
    const backend = await freshErrors(300);
    const out = temp('lost');
    try {
      const report = await runFuzz({ target: backend.url, service: 'dli', seed: 2, runs: 5, maxFindings: 2 });
      const written = writeFuzzReport(report, out);
      expect(written.cases.length).toBeGreaterThan(0);
      for (const casePath of written.cases) {
        const folder = join(casePath, '..');
        const c = JSON.parse(readFileSync(casePath, 'utf8'));
        const response = JSON.parse(readFileSync(join(folder, 'response.json'), 'utf8'));
        expect(response.body).toMatch(/^response-body\.json$/);
        expect(readFileSync(join(folder, response.body), 'utf8')).toMatch(/^\{"error_code":"DLI\./);
        const named = [
          'case.json',
          'response.json',
          'reproduce.sh',
          response.body,
          ...c.requests.flatMap((r: { body?: string }) => (r.body ? [r.body] : [])),
        ];
        expect(new Set(named).size).toBe(named.length);
        expect(readdirSync(folder).sort()).toEqual([...named].sort());
        for (const name of named) expect(statSync(join(folder, name)).size).toBeGreaterThan(0);
      }
    } finally {
      await backend.close();
    }
  });
});

describe('no false findings', () => {
  it('a backend that refuses $filter= (empty) with a 400 is no finding', async () => {
    let empties = 0;
    const backend = await emulatorWith(
      async (request, next) => {
        const filter = request.query.get('$filter');
        if (filter !== undefined && filter.trim() === '') {
          empties++;
          return {
            status: 400,
            headers: { 'content-type': 'application/json;odata=minimalmetadata' },
            body: {
              kind: 'json',
              value: {
                code: 'InvalidQueryParameterValue',
                message: { lang: 'en-US', value: 'empty $filter' },
              },
            },
          };
        }
        return next();
        // lifecycleMs 0: the runner's jobs end at once, so what a run does not hang on the wall clock.
      },
      { azureBatch: { lifecycleMs: 0 } },
    );
    try {
      const report = await runFuzz({
        target: backend.url,
        service: 'azure-batch',
        // A seed whose 400 runs send an empty $filter (seed 3 did before the job lifecycle commands).
        seed: 5,
        runs: 400,
        timeLimitMs: 40_000,
      });
      expect(empties, 'the run sent an empty $filter').toBeGreaterThan(0);
      expect(report.findings.map((f) => `${f.signature}: ${f.message}`)).toEqual([]);
    } finally {
      await backend.close();
    }
  });

  it('JUnit lists only the checks that apply to the service', async () => {
    const backend = await emulatorWith();
    try {
      const report = await runFuzz({ target: backend.url, service: 'dli', seed: 1, runs: 5 });
      const junit = temp('dli-junit.xml');
      writeFuzzReport(report, temp('dli-out'), { junit });
      const xml = readFileSync(junit, 'utf8');
      expect(xml).toContain('name="state-transition"');
      expect(xml).not.toContain('name="lost-response"');
      expect(xml).not.toContain('name="count-mismatch"');
    } finally {
      await backend.close();
    }
  });
});
