// One vocabulary and one option layer (issue 23 §1): the service ids everywhere, with the old
// spellings read as aliases; every operation a rule may name is a route; null means the default;
// the one loopback rule; the one HPC fault-code table; the one DLI state graph.
import {
  createEmulator,
  EMULATED_OPERATIONS,
  HPC_CODES,
  isLoopbackHost,
  SERVICE_IDS,
  startEmulator,
} from 'batchwire/emulator';
import { HPC_FAULT_CODES, HPC_FAULT_NUMBERS, parseFault } from 'batchwire/faults';
import { azureBatch, dli, hpcPack, type RequestDescriptor } from 'batchwire/requests';
import {
  DLI_BATCH_STATES,
  DLI_STATE_TRANSITIONS,
  dliStateMayFollow,
  isFinalDliState,
} from 'batchwire/status';
import { describe, expect, it } from 'vitest';
import { rejectionOf, thrownBy } from '../support/errors.js';

const baseUrl = 'http://emulator.test';
const session = { baseUrl, sessionId: 1, batchName: 'b' };
const job = { baseUrl, apiVersion: '2024-07-01.20.0' };
const batchId = '0a324461-d9d9-45da-a52a-3b3c7a3d809e';

/** One request per operation of each service, as a client builds it. */
const OPERATION_REQUESTS: Record<string, RequestDescriptor> = {
  getClusters: hpcPack.getClusters({ baseUrl }),
  createSession: hpcPack.createSession({ baseUrl, body: '{"ServiceName":"Echo"}' }),
  attachSession: hpcPack.attachSession({ baseUrl, sessionId: 1 }),
  closeSession: hpcPack.closeSession({ baseUrl, sessionId: 1 }),
  sendRequests: hpcPack.sendRequests({ ...session, genericService: true, body: new Uint8Array(0) }),
  getRequestStatus: hpcPack.getRequestStatus(session),
  commitRequests: hpcPack.commitRequests(session),
  deleteRequests: hpcPack.deleteRequests(session),
  getResponses: hpcPack.getResponses(session),
  listJobs: azureBatch.listJobs(job),
  listTasks: azureBatch.listTasks({ ...job, jobId: 'job-1' }),
  listJobPreparationAndReleaseTaskStatus: azureBatch.listJobPreparationAndReleaseTaskStatus({
    ...job,
    jobId: 'job-1',
  }),
  listPools: azureBatch.listPools(job),
  listComputeNodes: azureBatch.listComputeNodes({ ...job, poolId: 'pool-1' }),
  createBatch: dli.createBatch({ baseUrl, projectId: 'p', body: { file: 'a.jar', className: 'Main' } }),
  listBatches: dli.listBatches({ baseUrl, projectId: 'p' }),
  getBatch: dli.getBatch({ baseUrl, projectId: 'p', batchId }),
  getBatchState: dli.getBatchState({ baseUrl, projectId: 'p', batchId }),
  cancelBatch: dli.cancelBatch({ baseUrl, projectId: 'p', batchId }),
};

describe('one spelling of each service id', () => {
  it('every operation a rule may name is routed to that service and operation, and no other route exists', async () => {
    const emulator = createEmulator({ baseUrl, clock: 'manual' });
    const listed = Object.entries(EMULATED_OPERATIONS).flatMap(([service, ops]) =>
      ops.map((op) => [service, op]),
    );
    expect(listed.map(([, op]) => op).sort()).toEqual(Object.keys(OPERATION_REQUESTS).sort());
    expect(Object.keys(EMULATED_OPERATIONS)).toEqual([...SERVICE_IDS]);
    for (const [service, operation] of listed) {
      const handled = await emulator.handle(OPERATION_REQUESTS[operation!]!);
      expect([handled.service, handled.operation]).toEqual([service, operation]);
    }
  });

  it('the journal, fault rules and fixtures use hpc-pack, azure-batch, dli; hpcPack and azureBatch are read as aliases', async () => {
    const emulator = await startEmulator({
      fixture: { azureBatch: { pools: [{ id: 'p-old' }] } },
      faults: [{ match: { service: 'azureBatch', operation: 'listJobs' }, action: { type: 'delay', ms: 0 } }],
    });
    try {
      expect(emulator.faults.list()[0]!.match!.service).toBe('azure-batch');
      await fetch(`${emulator.url}/pools?api-version=2024-07-01.20.0`);
      await fetch(`${emulator.url}/WindowsHPC/Clusters?api-version=2012-11-01.4.0`);
      await fetch(`${emulator.url}/v2.0/p/batches`);
      expect(emulator.journal.entries().map((e) => e.service)).toEqual(['azure-batch', 'hpc-pack', 'dli']);
      expect(emulator.azureBatch.pools().map((p) => p.id)).toEqual(['p-old']);
    } finally {
      await emulator.close();
    }
    const canonical = createEmulator({ fixture: { 'azure-batch': { pools: [{ id: 'p-new' }] } } });
    expect(canonical.azureBatch.pools().map((p) => p.id)).toEqual(['p-new']);
    expect(thrownBy(() => createEmulator({ fixture: { 'azure-batch': {}, azureBatch: {} } })).code).toBe(
      'INVALID_ARGUMENT',
    );
  });
});

describe('one option layer', () => {
  it('null means the default, for the options object and each option', async () => {
    const emulator = createEmulator({
      seed: null,
      clock: null,
      startTime: null,
      fixture: null,
      faults: null,
      journalLimit: null,
      hpcPack: null,
      azureBatch: null,
      dli: { startingMs: null, runningMs: null, outcome: null },
      intercept: null,
      controlToken: null,
    });
    expect(emulator.hpcPack.cluster).toBe('HEAD');
    expect(createEmulator(null).clock.mode).toBe('real');
    const started = await startEmulator({ port: null, host: null, allowRemote: null, seed: null });
    await started.close();
  });

  it('a port that cannot be bound is LISTEN_FAILED, not a bad argument', async () => {
    const first = await startEmulator();
    try {
      const port = Number(new URL(first.url).port);
      const error = await rejectionOf(startEmulator({ port }));
      expect(error.code).toBe('LISTEN_FAILED');
      expect(error.message).toMatch(new RegExp(`127\\.0\\.0\\.1:${port}`));
      expect((await rejectionOf(startEmulator({ port: 70000 }))).code).toBe('INVALID_ARGUMENT');
    } finally {
      await first.close();
    }
  });

  it('one loopback rule', () => {
    for (const host of [
      'localhost',
      'LOCALHOST.',
      'api.localhost',
      '127.0.0.1',
      '127.255.0.9',
      '::1',
      '[::1]',
      '0:0:0:0:0:0:0:1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
    ])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const host of [
      '',
      'localhost.evil.com',
      '128.0.0.1',
      '10.0.0.1',
      '::2',
      '::ffff:10.0.0.1',
      'evil.com',
      '127.0.0',
      '1.127.0.0.1',
      '::1::',
      42,
    ])
      expect(isLoopbackHost(host), String(host)).toBe(false);
  });
});

describe('one table, one graph', () => {
  it('the HPC fault codes: parseFault names the broker codes the emulator raises, from the same table', () => {
    expect(HPC_CODES).toBe(HPC_FAULT_NUMBERS);
    for (const [code, name] of Object.entries(HPC_FAULT_CODES))
      expect(HPC_FAULT_NUMBERS[name]).toBe(Number(code));
    const fault = parseFault({ status: 400, body: '{"Code":16777241,"Message":"x","Values":null}' });
    expect(fault.name).toBe('Broker_EOMReject_EndRequests');
  });

  it('the DLI state graph', () => {
    expect(Object.keys(DLI_STATE_TRANSITIONS).sort()).toEqual([...DLI_BATCH_STATES].sort());
    expect(dliStateMayFollow('starting', 'success')).toBe(true);
    expect(dliStateMayFollow('recovering', 'running')).toBe(true);
    expect(dliStateMayFollow('success', 'running')).toBe(false);
    expect(dliStateMayFollow('dead', 'success')).toBe(false);
    expect(dliStateMayFollow('running', 'starting')).toBe(false);
    expect(dliStateMayFollow('whatever', 'starting')).toBe(true);
    expect(DLI_BATCH_STATES.filter(isFinalDliState)).toEqual(['dead', 'success']);
  });
});
