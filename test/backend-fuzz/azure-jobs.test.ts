// Broken Azure Batch job lifecycles: runFuzz's job commands (add, get, add task, terminate,
// delete) find a terminated job that still takes tasks and a deleted job that comes back.
import type { Interceptor } from 'batchwire/emulator';
import { describe, expect, it } from 'vitest';
import { emulatorWith } from './backends.js';
import { findingOf, fuzz, operations } from './support.js';

// The lifecycle is one command of weight 2 among the lists' 9: runs enough to reach a terminate then a task.
const azure = { service: 'azure-batch', seed: 1, runs: 800, timeLimitMs: 40_000 } as const;

/** Answers terminate 202 and does nothing: the job stays active and takes tasks. */
const terminateIgnored: Interceptor = async (request, next) =>
  request.operation === 'terminateJob' ? { status: 202, headers: {} } : next();

/** Answers delete 202 and does nothing: the job the client deleted is still there, active. */
const deleteIgnored: Interceptor = async (request, next) =>
  request.operation === 'deleteJob' ? { status: 202, headers: {} } : next();

describe('runFuzz against broken Azure Batch job lifecycles', () => {
  it('finds a terminated job that takes a task (status-code on addTask)', async () => {
    const report = await fuzz(await emulatorWith(terminateIgnored), azure);
    const f = findingOf(report, 'status-code', 'addTask');
    expect(f.status).toBe(201);
    expect(operations(f.case)).toContain('terminateJob');
    expect(f.message).toMatch(/terminated/);
  });

  it('finds a deleted job that is still active (it takes tasks, is terminated, or reads active)', async () => {
    const report = await fuzz(await emulatorWith(deleteIgnored), azure);
    const found = report.findings.filter((f) => operations(f.case).includes('deleteJob'));
    expect(found.map((f) => f.signature).length).toBeGreaterThan(0);
    for (const f of found) {
      expect(['status-code', 'state-transition']).toContain(f.check);
      expect(f.message).toMatch(/deleted|delete was accepted|delete job \S+ a second time/);
    }
  });
});
