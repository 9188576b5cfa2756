import { createEmulator, type GenericPlanRecord, planBytes, startEmulator } from 'batchwire/emulator';
import { decodeGenericBody, encodeGenericRequests, encodeGenericResponses } from 'batchwire/generic';
import { dli, hpcPack } from 'batchwire/requests';
import { parseMessageArray, writeMessageArray } from 'batchwire/soap';
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

  it('keeps going when a service or an interceptor produces something the format cannot carry', async () => {
    const emulator = await startEmulator();
    try {
      emulator.hpcPack.setService((request) =>
        request.input.includes('ctl') ? 'bell \u0007 here' : request.input,
      );
      let breakNext = false;
      emulator.use(async (request, next) => {
        const plan = await next();
        if (request.operation !== 'getResponses' || plan.body?.kind !== 'generic') return plan;
        const records = plan.body.records;
        plan.body = {
          ...plan.body,
          records: (async function* () {
            for await (const record of records) {
              if (breakNext) throw new Error('interceptor bug');
              yield record.kind === 'end' ? record : { ...record, output: `${record.output}\uffffforged` };
            }
          })(),
        };
        return plan;
      });
      const created = await send(
        hpcPack.createSession({
          baseUrl: emulator.url,
          body: '{"ServiceName":"Echo"}',
          accept: 'application/json',
        }),
      );
      const sessionId = ((await created.json()) as { Id: number }).Id;
      // SOAP: the control character cannot be written as XML, so that response becomes a fault envelope.
      const soapBody = writeMessageArray([
        {
          action: 'urn:op',
          messageId: 'urn:uuid:1',
          body: { name: 'Op', namespace: 'urn:n', result: 'ctl' },
        },
        {
          action: 'urn:op',
          messageId: 'urn:uuid:2',
          body: { name: 'Op', namespace: 'urn:n', result: 'fine' },
        },
      ]);
      await send(
        hpcPack.sendRequests({
          baseUrl: emulator.url,
          sessionId,
          batchName: 's',
          commit: true,
          body: soapBody,
        }),
      );
      const soap = parseMessageArray(
        new Uint8Array(
          await (
            await send(hpcPack.getResponses({ baseUrl: emulator.url, sessionId, batchName: 's' }))
          ).arrayBuffer(),
        ),
      );
      expect(soap.messages.map((m) => m.kind)).toEqual(['fault', 'response']);
      expect(soap.messages[0]).toMatchObject({
        kind: 'fault',
        reason: expect.stringContaining('cannot be written as XML'),
      });
      // Generic: an output with U+FFFF would forge a record; it goes out as a fault record instead.
      const body = encodeGenericRequests([{ input: 'a', userData: '1' }]);
      await send(
        hpcPack.sendRequests({
          baseUrl: emulator.url,
          sessionId,
          batchName: 'g',
          genericService: true,
          commit: true,
          body,
        }),
      );
      const get = hpcPack.getResponses({
        baseUrl: emulator.url,
        sessionId,
        batchName: 'g',
        genericService: true,
        reset: true,
      });
      const generic = decodeGenericBody(new Uint8Array(await (await send(get)).arrayBuffer()));
      expect(generic.responses).toEqual([
        {
          kind: 'response',
          action: 'http://hpc.microsoft.com/session/SessionFault',
          output: expect.stringContaining('cannot be written'),
          userData: '',
        },
      ]);
      // A records iterator that throws ends the exchange; the journal says why; the emulator goes on.
      breakNext = true;
      await expect(send(get).then((r) => r.arrayBuffer())).rejects.toThrow(TypeError);
      const last = emulator.journal.entries().at(-1)!;
      expect(last).toMatchObject({ outcome: 'aborted', error: 'RESPONSE_FAILED: interceptor bug' });
      expect((await fetch(`${emulator.url}/pools?api-version=2025-06-01`)).status).toBe(200);
    } finally {
      await emulator.close();
    }
  });

  it('answers a malformed request given to handle() with a 400 plan, not an exception', async () => {
    const emulator = createEmulator();
    expect(await emulator.handle({ method: 'GET', url: '/jobs/%E0%A4%A/tasks' })).toMatchObject({
      status: 400,
      service: null,
    });
    expect(await emulator.handle({ method: 'GET', url: 'http://[bad/jobs' })).toMatchObject({ status: 400 });
    await expect(emulator.handle(null as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(() => emulator.hpcPack.setService(42 as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });

  it('hands every response out once when windows of one action are read with reset=false', async () => {
    const emulator = createEmulator({ baseUrl });
    await emulator.handle(hpcPack.createSession({ baseUrl, body: '{"ServiceName":"Echo"}' }));
    const messages = Array.from({ length: 300 }, (_, i) => ({
      action: i % 3 === 0 ? 'urn:A' : 'urn:B',
      messageId: `urn:uuid:${i}`,
      userData: String(i),
      body: { name: 'Op', namespace: 'urn:n', result: String(i) },
    }));
    await emulator.handle(
      hpcPack.sendRequests({
        baseUrl,
        sessionId: 1,
        batchName: 'w',
        commit: true,
        body: writeMessageArray(messages),
      }),
    );
    const seen: string[] = [];
    let end: { count: number } | undefined;
    for (let call = 0; call < 200 && !end; call++) {
      const plan = await emulator.handle(
        hpcPack.getResponses({
          baseUrl,
          sessionId: 1,
          batchName: 'w',
          action: 'urn:A',
          count: 7,
          reset: false,
        }),
      );
      const text = Buffer.from(await planBytes(plan.body)).toString('utf8');
      const { messages: got, end: closing } = parseMessageArray(text, {
        requireEnd: false,
        verifyCount: false,
      });
      for (const m of got) if (m.kind === 'response') seen.push(m.userData ?? '');
      if (closing) end = closing;
    }
    expect(seen).toEqual(messages.filter((m) => m.action === 'urn:A').map((m) => m.userData));
    expect(end?.count).toBe(100);
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
