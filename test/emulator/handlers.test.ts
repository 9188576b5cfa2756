import { createEmulator, type GenericPlanRecord, planBytes, startEmulator } from 'batchwire/emulator';
import { decodeGenericBody, encodeGenericRequests, encodeGenericResponses } from 'batchwire/generic';
import { dli, hpcPack } from 'batchwire/requests';
import { describe, expect, it } from 'vitest';
import { send } from './support.js';

const baseUrl = 'http://emulator.test';

async function jsonOf(plan: { body?: Parameters<typeof planBytes>[0] }): Promise<unknown> {
  return JSON.parse(Buffer.from(await planBytes(plan.body)).toString('utf8'));
}

describe('handlers without a socket', () => {
  it('routes request descriptors to plans', async () => {
    const emulator = createEmulator({ baseUrl, clock: 'manual', startTime: 0 });
    const list = await emulator.handle(dli.listBatches({ baseUrl, projectId: 'p' }));
    expect(list).toMatchObject({ status: 200, service: 'dli', operation: 'listBatches' });
    expect(await jsonOf(list)).toMatchObject({ from: 0, total: 2 });
    const created = await emulator.handle(
      hpcPack.createSession({ baseUrl, body: '{"ServiceName":"Echo"}', accept: 'application/json' }),
    );
    expect(created.status).toBe(201);
    expect(await jsonOf(created)).toMatchObject({ Id: 1, BrokerNode: 'emulator.test' });
    const missing = await emulator.handle({ method: 'GET', url: '/nowhere' });
    expect(missing).toMatchObject({ status: 404, service: null, operation: null });
    expect(emulator.journal.entries()).toEqual([]);
  });

  it('streams exactly the bytes encodeGenericResponses writes, in both encodings', async () => {
    const emulator = createEmulator({ baseUrl });
    const requests = [
      { input: 'a', userData: '1' },
      { input: '日本語 🚀', userData: '' },
      { input: '', userData: 'x' },
    ];
    for (const encoding of ['utf-8', 'utf-16le'] as const) {
      const body = encodeGenericRequests(requests, { encoding });
      await emulator.handle(hpcPack.createSession({ baseUrl, body: '{"ServiceName":"Echo"}' }));
      const sessionId = emulator.hpcPack.sessions().length;
      await emulator.handle(
        hpcPack.sendRequests({
          baseUrl,
          sessionId,
          batchName: 'b',
          genericService: true,
          commit: true,
          body,
        }),
      );
      const plan = await emulator.handle(
        hpcPack.getResponses({ baseUrl, sessionId, batchName: 'b', genericService: true }),
      );
      const expected = encodeGenericResponses(
        requests.map((r) => ({
          action: 'http://hpc.microsoft.com/GenericService/IGenericService/GenericOperationResponse',
          output: r.input,
          userData: r.userData,
        })),
        { encoding },
      );
      expect(Buffer.from(await planBytes(plan.body)).equals(Buffer.from(expected))).toBe(true);
    }
  });

  it('interceptors turn the emulator into a deliberately broken backend', async () => {
    const emulator = await startEmulator({ seed: 2 });
    try {
      // A broken backend: drops the last response and writes a closing count that is one off.
      emulator.use(async (request, next) => {
        const plan = await next();
        if (request.operation !== 'getResponses' || plan.body?.kind !== 'generic') return plan;
        const records = plan.body.records;
        plan.body = {
          ...plan.body,
          records: (async function* () {
            let held: GenericPlanRecord | undefined;
            for await (const record of records) {
              if (record.kind === 'end') {
                yield { kind: 'end', count: record.count + 1, reason: record.reason };
                return;
              }
              if (held) yield held;
              held = record;
            }
          })(),
        };
        return plan;
      });
      // And a 500 whenever a DLI job name has a quote in it.
      emulator.use(async (request, next) => {
        if (request.operation === 'createBatch') {
          const body = Buffer.from(await request.bytes()).toString('utf8');
          if (body.includes("'"))
            return {
              status: 500,
              headers: {},
              body: { kind: 'bytes', bytes: new TextEncoder().encode('oops') },
            };
        }
        return next();
      });
      const created = await send(
        hpcPack.createSession({
          baseUrl: emulator.url,
          body: '{"ServiceName":"Echo"}',
          accept: 'application/json',
        }),
      );
      const sessionId = ((await created.json()) as { Id: number }).Id;
      const body = encodeGenericRequests([{ input: 'a' }, { input: 'b' }, { input: 'c' }]);
      await send(
        hpcPack.sendRequests({
          baseUrl: emulator.url,
          sessionId,
          batchName: 'b',
          genericService: true,
          commit: true,
          body,
        }),
      );
      const response = await send(
        hpcPack.getResponses({ baseUrl: emulator.url, sessionId, batchName: 'b', genericService: true }),
      );
      const decoded = decodeGenericBody(new Uint8Array(await response.arrayBuffer()), { verifyCount: false });
      expect(decoded.responses.map((r) => r.output)).toEqual(['a', 'b']);
      expect(decoded.end.count).toBe(4);
      expect(
        (
          await send(
            dli.createBatch({
              endpoint: emulator.url,
              projectId: 'p',
              body: { file: 'f', className: 'C', name: "it's" },
            }),
          )
        ).status,
      ).toBe(500);
      expect(
        (
          await send(
            dli.createBatch({
              endpoint: emulator.url,
              projectId: 'p',
              body: { file: 'f', className: 'C', name: 'fine' },
            }),
          )
        ).status,
      ).toBe(200);
    } finally {
      await emulator.close();
    }
  });

  it('refuses bad options with BatchwireError', async () => {
    for (const options of [
      { host: '10.1.2.3' },
      { port: -1 },
      { seed: 1.5 },
      { clock: 'fast' },
      { journalLimit: 0 },
      { faults: [{ action: { type: 'nope' } }] },
      { dli: { startingMs: -1 } },
    ]) {
      await expect(startEmulator(options as never), JSON.stringify(options)).rejects.toMatchObject({
        name: 'BatchwireError',
        code: 'INVALID_ARGUMENT',
      });
    }
    await expect(startEmulator(null as never).then((e) => e.close())).resolves.toBeUndefined();
  });
});
