import { parseFault } from 'batchwire/faults';
import { dli } from 'batchwire/requests';
import { parseDliBatchState } from 'batchwire/status';
import { describe, expect, it } from 'vitest';
import { send, useEmulator } from './support.js';

const ctx = useEmulator({
  clock: 'manual',
  startTime: Date.UTC(2025, 0, 1),
  dli: {
    startingMs: 60_000,
    runningMs: 120_000,
    outcome: (body) => (body.className === 'Fails' ? 'dead' : 'success'),
  },
});
const project = { projectId: 'p-1' };
const endpoint = () => ctx.url;

async function create(body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const response = await send(dli.createBatch({ baseUrl: endpoint(), ...project, body }));
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

async function state(batchId: string) {
  const response = await send(dli.getBatchState({ baseUrl: endpoint(), ...project, batchId }));
  expect(response.status).toBe(200);
  return parseDliBatchState(await response.text());
}

describe('Huawei DLI batch jobs', () => {
  it('a job goes starting -> running -> success on the emulator clock', async () => {
    const job = await create({
      file: 'obs://bucket/app.jar',
      className: 'Main',
      queue: 'q1',
      name: 'wordcount',
    });
    expect(job).toMatchObject({
      state: 'starting',
      queue: 'q1',
      cluster_name: 'q1',
      name: 'wordcount',
      sc_type: 'A',
      appId: '',
    });
    expect(job.create_time).toBe(Date.UTC(2025, 0, 1));
    const id = job.id as string;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await state(id)).toMatchObject({ id, state: 'starting', terminal: false });
    ctx.emulator.clock.advance(60_000);
    expect(await state(id)).toMatchObject({ state: 'running', terminal: false });
    ctx.emulator.clock.advance(119_999);
    expect((await state(id)).state).toBe('running');
    ctx.emulator.clock.advance(1);
    expect(await state(id)).toMatchObject({ state: 'success', terminal: true });
    const details = await send(dli.getBatch({ baseUrl: endpoint(), ...project, batchId: id }));
    const body = (await details.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      id,
      state: 'success',
      duration: 120_000,
      update_time: Date.UTC(2025, 0, 1) + 180_000,
    });
    expect(body.appId).toMatch(/^application_/);
    expect(JSON.parse(body.req_body as string)).toEqual({
      file: 'obs://bucket/app.jar',
      className: 'Main',
      queue: 'q1',
      name: 'wordcount',
    });
  });

  it('ends dead when the outcome says so; cancel stops a running job; finished jobs cannot be cancelled', async () => {
    const failing = (await create({ file: 'a.jar', className: 'Fails' })).id as string;
    const cancelled = (await create({ file: 'b.jar', className: 'Main', executorCores: 2 })).id as string;
    ctx.emulator.clock.advance(60_000);
    const cancel = await send(dli.cancelBatch({ baseUrl: endpoint(), ...project, batchId: cancelled }));
    expect(cancel.status).toBe(200);
    expect(await cancel.json()).toEqual({ msg: 'deleted' });
    expect((await state(cancelled)).state).toBe('dead');
    ctx.emulator.clock.advance(120_000);
    expect((await state(failing)).state).toBe('dead');
    const again = await send(dli.cancelBatch({ baseUrl: endpoint(), ...project, batchId: failing }));
    expect(again.status).toBe(400);
    expect(parseFault({ status: 400, body: await again.text() })).toMatchObject({
      service: 'dli',
      code: 'DLI.0001',
    });
  });

  it('lists with filters, paging and order', async () => {
    const a = (await create({ file: 'x.jar', className: 'A', queue: 'list-q', name: 'alpha' })).id;
    ctx.emulator.clock.advance(10);
    const b = (await create({ file: 'x.jar', className: 'B', queue: 'list-q', name: 'beta' })).id;
    const page = async (query: Parameters<typeof dli.listBatches>[0]) => {
      const response = await send(dli.listBatches(query));
      expect(response.status).toBe(200);
      return (await response.json()) as {
        from: number;
        total: number;
        sessions: { id: string }[];
        create_time: number;
      };
    };
    const both = await page({ baseUrl: endpoint(), ...project, queueName: 'list-q' });
    expect(both.total).toBe(2);
    expect(both.sessions.map((s) => s.id)).toEqual([a, b]);
    const second = await page({ baseUrl: endpoint(), ...project, queueName: 'list-q', from: 1, size: 1 });
    expect(second).toMatchObject({ from: 1, total: 2 });
    expect(second.sessions.map((s) => s.id)).toEqual([b]);
    const named = await page({ baseUrl: endpoint(), ...project, jobName: 'ALPHA' });
    expect(named.sessions.map((s) => s.id)).toEqual([a]);
    const desc = await fetch(`${endpoint()}/v2.0/p-1/batches?queue_name=list-q&order=CREATE_TIME_DESC`);
    expect(((await desc.json()) as { sessions: { id: string }[] }).sessions.map((s) => s.id)).toEqual([b, a]);
    // The default data set's finished jobs are there too.
    const all = await page({ baseUrl: endpoint(), ...project, state: 'success' });
    expect(all.sessions.map((s) => s.id)).toContain('0a324461-d9d9-45da-a52a-3b3c7a3d809e');
  });

  it('answers DLI-shaped errors: bad ids, unknown ids, bad bodies', async () => {
    const fault = async (response: Response) => {
      expect(response.status).toBe(400);
      return parseFault({ status: response.status, body: await response.text() });
    };
    expect(
      await fault(await send(dli.getBatchState({ baseUrl: endpoint(), ...project, batchId: 'nope' }))),
    ).toMatchObject({
      service: 'dli',
      code: 'DLI.0001',
    });
    expect(
      await fault(
        await send(
          dli.getBatch({ baseUrl: endpoint(), ...project, batchId: '00000000-0000-4000-8000-000000000000' }),
        ),
      ),
    ).toMatchObject({ code: 'DLI.0002' });
    expect(
      (await fault(await send(dli.createBatch({ baseUrl: endpoint(), ...project, body: { file: 'x.jar' } }))))
        .message,
    ).toContain('className');
    expect(
      (await fault(await send(dli.createBatch({ baseUrl: endpoint(), ...project, body: '{"file":' })))).code,
    ).toBe('DLI.0001');
    expect(
      (await fault(await send(dli.createBatch({ baseUrl: endpoint(), ...project, body: '[1]' })))).code,
    ).toBe('DLI.0001');
    expect(
      (
        await fault(
          await send(
            dli.createBatch({
              endpoint: endpoint(),
              ...project,
              body: { file: 'a', className: 'b', sc_type: 'Z' },
            }),
          ),
        )
      ).code,
    ).toBe('DLI.0001');
    expect((await fault(await fetch(`${endpoint()}/v2.0/p/batches?size=0`))).code).toBe('DLI.0001');
    expect((await fault(await fetch(`${endpoint()}/v2.0/p/batches?order=SIDEWAYS`))).code).toBe('DLI.0001');
  });
});
