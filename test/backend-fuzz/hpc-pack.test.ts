// Broken HPC Pack backends: runFuzz finds each bug within its budget and shrinks it to a minimal
// case (fewest requests, fields reduced to what the bug needs).
import { describe, expect, it } from 'vitest';
import { countOffByOne, dropLastResponse, emulatorWith, quoteIn500 } from './backends.js';
import { findingOf, fuzz, operations, sentRequests } from './support.js';

const budget = { service: 'hpc-pack', seed: 1, runs: 150, timeLimitMs: 20_000 } as const;

describe('runFuzz against broken HPC Pack backends', () => {
  it('finds a 500 when userData holds a quote, shrunk to one request whose userData is the quote', async () => {
    const report = await fuzz(await emulatorWith(quoteIn500), budget);
    const f = findingOf(report, 'server-error', 'sendRequests');
    expect(f.status).toBe(500);
    expect(operations(f.case)).toEqual(['createSession', 'sendRequests']);
    expect(await sentRequests(f.case, 1)).toEqual([{ input: '', userData: '"' }]);
    expect(f.shrunk).toBe(true);
  });

  it('finds a dropped last response, shrunk to create, send one empty request, read', async () => {
    const report = await fuzz(await emulatorWith(dropLastResponse), budget);
    const f = findingOf(report, 'lost-response', 'getResponses');
    expect(operations(f.case)).toEqual(['createSession', 'sendRequests', 'getResponses']);
    expect(await sentRequests(f.case, 1)).toEqual([{ input: '', userData: '' }]);
    expect(f.case.requests[2]!.url).toContain('count=-1');
  });

  it('finds a closing count off by one', async () => {
    const report = await fuzz(await emulatorWith(countOffByOne), budget);
    const f = findingOf(report, 'count-mismatch', 'getResponses');
    expect(operations(f.case)).toEqual(['createSession', 'sendRequests', 'getResponses']);
    expect(await sentRequests(f.case, 1)).toEqual([{ input: '', userData: '' }]);
    expect(f.message).toMatch(/closing record says 2 responses; 1 were handed out/);
  });

  it('finds a body cut inside a record (TRUNCATED), from the emulator’s own cut fault', async () => {
    const report = await fuzz(
      await emulatorWith(undefined, {
        faults: [
          {
            match: { operation: 'getResponses' },
            action: { type: 'cut', at: { inside: 'record', record: 1 } },
          },
        ],
      }),
      budget,
    );
    const f = findingOf(report, 'undecodable-response', 'getResponses');
    expect(f.code).toMatch(/^(TRUNCATED|XML_SYNTAX)$/);
    expect(operations(f.case)).toEqual(['createSession', 'sendRequests', 'getResponses']);
  });

  it('a correct emulator gives no finding', async () => {
    const report = await fuzz(await emulatorWith(), { ...budget, runs: 60 });
    expect(report.findings.map((f) => `${f.signature}: ${f.message}`)).toEqual([]);
    expect(report.requests).toBeGreaterThan(150);
  });
});
