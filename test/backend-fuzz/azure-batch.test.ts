// Broken Azure Batch backends, and a connection reset: runFuzz finds each bug within its budget
// and shrinks it to a minimal case.
import { describe, expect, it } from 'vitest';
import { caseSensitiveFilter, emulatorWith, overlappingPages, wrongStatusForUnknownId } from './backends.js';
import { findingOf, fuzz, operations } from './support.js';

const azure = { service: 'azure-batch', seed: 1, runs: 60, timeLimitMs: 20_000 } as const;

describe('runFuzz against broken Azure Batch backends', () => {
  it('finds a filter compared case-sensitively: an item that satisfies it left out', async () => {
    // Found after 40 sequences with seed 1 (3 to 92 over seeds 1-8: npm run fuzz:backend -- --broken).
    const report = await fuzz(await emulatorWith(caseSensitiveFilter), { ...azure, runs: 100 });
    const f = findingOf(report, 'filter-semantics', 'listJobs');
    expect(operations(f.case)).toEqual(['listJobs', 'listJobs']);
    const filter = new URL(f.case.requests[1]!.url).searchParams.get('$filter');
    // A value of the data in another letter case.
    expect(filter).toMatch(/'[^']*[A-Z][^']*'/);
  });

  it('finds overlapping pages, shrunk to the two pages that overlap', async () => {
    const report = await fuzz(await emulatorWith(overlappingPages), azure);
    // One finding per list operation the bug shows in; List Jobs needs no parent, so two pages.
    const f = findingOf(report, 'paging', 'listJobs');
    expect(f.case.requests).toHaveLength(2);
    expect(f.case.requests[0]!.url).toMatch(/maxresults=[12]\b/);
    expect(f.message).toMatch(/came back twice/);
  });

  it('finds a wrong status for an unknown job or pool, shrunk to that one request', async () => {
    const report = await fuzz(await emulatorWith(wrongStatusForUnknownId), azure);
    const f = findingOf(report, 'status-code');
    expect(f.status).toBe(400);
    expect(f.case.requests).toHaveLength(1);
    expect(f.message).toMatch(/documented answer is 404/);
  });

  it('finds a connection reset before the headers (the emulator’s reset fault)', async () => {
    const report = await fuzz(
      await emulatorWith(undefined, {
        faults: [{ match: { operation: 'listPools' }, action: { type: 'reset' } }],
      }),
      azure,
    );
    const f = findingOf(report, 'connection', 'listPools');
    expect(f.case.requests).toHaveLength(1);
  });

  it('a correct emulator gives no finding', async () => {
    const report = await fuzz(await emulatorWith(), { ...azure, runs: 60 });
    expect(report.findings.map((f) => `${f.signature}: ${f.message}`)).toEqual([]);
  });
});
