// More broken backends, each caught by a check that needs the service's own semantics.
import { describe, expect, it } from 'vitest';
import { emulatorWith, noNextLink, swappedUserData, wrongJob } from './backends.js';
import { findingOf, fuzz, operations } from './support.js';

describe('runFuzz against more broken backends', () => {
  it('HPC Pack: SOAP responses with their userData swapped (RelatesTo names the request)', async () => {
    const report = await fuzz(await emulatorWith(swappedUserData), {
      service: 'hpc-pack',
      seed: 1,
      runs: 100,
    });
    const f = findingOf(report, 'lost-response', 'getResponses');
    expect(operations(f.case)).toEqual(['createSession', 'sendRequests', 'getResponses']);
    expect(f.message).toMatch(/carries userData/);
  });

  it('Azure Batch: a full page without odata.nextLink (the list stops early)', async () => {
    const report = await fuzz(await emulatorWith(noNextLink), { service: 'azure-batch', seed: 1, runs: 60 });
    const f = findingOf(report, 'paging');
    expect(f.case.requests.length).toBeLessThanOrEqual(3);
  });

  it('DLI: the details of another job', async () => {
    const report = await fuzz(await emulatorWith(wrongJob), { service: 'dli', seed: 1, runs: 60 });
    const f = findingOf(report, 'undecodable-response', 'getBatch');
    expect(f.message).toMatch(/asked for job .*, the answer is about job/);
    expect(operations(f.case)).toEqual(['createBatch', 'getBatch']);
  });
});
