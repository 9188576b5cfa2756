// Broken DLI backends, a hang, and 503s with Retry-After: runFuzz finds each bug within its
// budget and shrinks it to a minimal case; waits that fit the retry budget are not findings.
import { describe, expect, it } from 'vitest';
import { emulatorWith, plainTextErrors, successThenRunning, truncatingProxy } from './backends.js';
import { findingOf, fuzz, operations } from './support.js';

const dli = { service: 'dli', seed: 1, runs: 60, timeLimitMs: 20_000 } as const;

describe('runFuzz against broken DLI backends', () => {
  it('finds a job that goes from success back to running', async () => {
    const report = await fuzz(await successThenRunning(), dli);
    const f = findingOf(report, 'state-transition', 'getBatchState');
    expect(operations(f.case)).toEqual(['createBatch', 'getBatchState']);
    expect(f.message).toMatch(/from success to running/);
    // The job body shrinks to the two required fields.
    const body = JSON.parse(Buffer.from(f.case.files[f.case.requests[0]!.body!]!).toString()) as object;
    expect(Object.keys(body).sort()).toEqual(['className', 'file']);
  });

  it('finds error bodies of the wrong shape, shrunk to one request', async () => {
    const report = await fuzz(await emulatorWith(plainTextErrors), dli);
    const f = findingOf(report, 'fault-shape');
    expect(f.code).toBe('unknown');
    expect(f.case.requests).toHaveLength(1);
  });

  it('finds a truncated body (node:http proxy cutting the list in half)', async () => {
    const report = await fuzz(await truncatingProxy(), dli);
    const f = findingOf(report, 'undecodable-response', 'listBatches');
    expect(f.code).toBe('MALFORMED_DOCUMENT');
    expect(f.case.requests).toHaveLength(1);
  });

  it('finds a hang (timeout), shrunk to one request', async () => {
    const report = await fuzz(
      await emulatorWith(undefined, {
        faults: [{ match: { operation: 'getBatchState' }, action: { type: 'hang' } }],
      }),
      { ...dli, runs: 40, requestTimeoutMs: 100 },
    );
    const f = findingOf(report, 'timeout', 'getBatchState');
    expect(f.case.requests.length).toBeLessThanOrEqual(2);
    expect(f.case.requests.at(-1)!.operation).toBe('getBatchState');
  });

  it('honours 503 with Retry-After within the budget: no finding, the wait observed', async () => {
    const started = performance.now();
    const report = await fuzz(
      await emulatorWith(undefined, {
        faults: [
          {
            match: { operation: 'listBatches' },
            action: { type: 'status', status: 503, fault: 'DLI.0999', headers: { 'Retry-After': '1' } },
            times: 2,
          },
        ],
      }),
      { ...dli, runs: 20 },
    );
    expect(report.findings).toEqual([]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1900);
  });

  it('a 503 that outlasts the retry budget is a finding', async () => {
    const report = await fuzz(
      await emulatorWith(undefined, {
        faults: [
          {
            match: { operation: 'listBatches' },
            action: { type: 'status', status: 503, fault: 'DLI.0999', headers: { 'Retry-After': '1' } },
          },
        ],
      }),
      { ...dli, runs: 20, retryBudgetMs: 500 },
    );
    const f = findingOf(report, 'server-error', 'listBatches');
    expect(f.status).toBe(503);
  });

  it('a correct emulator gives no finding', async () => {
    const report = await fuzz(await emulatorWith(undefined, { dli: { startingMs: 30, runningMs: 60 } }), {
      ...dli,
      runs: 60,
    });
    expect(report.findings.map((f) => `${f.signature}: ${f.message}`)).toEqual([]);
  });
});
