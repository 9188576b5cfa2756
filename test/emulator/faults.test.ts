import { type BatchwireError, isBatchwireError } from 'batchwire';
import {
  type Emulator,
  type FaultRule,
  parseFaultSpec,
  startEmulator,
  validateFaultRule,
} from 'batchwire/emulator';
import { parseFault } from 'batchwire/faults';
import { decodeGenericResponses, encodeGenericRequests, type GenericRecord } from 'batchwire/generic';
import { hpcPack } from 'batchwire/requests';
import { readMessageArray, type SoapRecord, writeMessageArray } from 'batchwire/soap';
import { afterEach, describe, expect, it } from 'vitest';
import { contentTypeOf, send, useEmulator } from './support.js';

const JSON_TYPE = { 'content-type': 'application/json' };

const ctx = useEmulator({ seed: 11 });
afterEach(() => ctx.emulator.faults.clear());

const INPUTS = ['first', 'second 🚀 rocket', 'third', 'fourth ünïcode', 'fifth'];

/** A committed generic batch of INPUTS in `encoding`; returns the Get Responses descriptor. */
async function batch(encoding: 'utf-8' | 'utf-16le', name: string) {
  const created = await send(
    hpcPack.createSession({ baseUrl: ctx.url, body: '{"ServiceName":"Echo"}', accept: 'application/json' }),
  );
  const sessionId = ((await created.json()) as { Id: number }).Id;
  const body = encodeGenericRequests(
    INPUTS.map((input, i) => ({ input, userData: `u${i}` })),
    { encoding },
  );
  const sent = await send(
    hpcPack.sendRequests({
      baseUrl: ctx.url,
      sessionId,
      batchName: name,
      genericService: true,
      commit: true,
      body,
    }),
  );
  expect(sent.status).toBe(201);
  return hpcPack.getResponses({
    baseUrl: ctx.url,
    sessionId,
    batchName: name,
    genericService: true,
    reset: true,
  });
}

async function decode(response: Response): Promise<{ records: GenericRecord[]; error?: BatchwireError }> {
  const records: GenericRecord[] = [];
  try {
    for await (const record of decodeGenericResponses(response.body!, {
      ...contentTypeOf(response),
    })) {
      records.push(record);
    }
  } catch (error) {
    if (isBatchwireError(error)) return { records, error };
    throw error;
  }
  return { records };
}

function lastEntry(emulator: Emulator) {
  const entries = emulator.journal.entries();
  return entries[entries.length - 1]!;
}

function cutOffset(emulator: Emulator): number {
  const detail = lastEntry(emulator).fault?.detail ?? '';
  const match = /cut at byte (\d+)/.exec(detail);
  expect(match, detail).not.toBeNull();
  return Number(match![1]);
}

describe('cut', () => {
  it.each(['utf-8', 'utf-16le'] as const)(
    'inside a record gives TRUNCATED at the cut offset (%s)',
    async (encoding) => {
      const request = await batch(encoding, `cut-record-${encoding}`);
      ctx.emulator.faults.add({
        match: { operation: 'getResponses' },
        action: { type: 'cut', at: { inside: 'record', record: 2 } },
      });
      const response = await send(request);
      expect(response.status).toBe(200);
      const { records, error } = await decode(response);
      expect(records.map((r) => (r.kind === 'response' ? r.output : r.kind))).toEqual(['first']);
      expect(error?.code).toBe('TRUNCATED');
      const at = cutOffset(ctx.emulator);
      expect(error?.offset).toBe(at);
      expect(lastEntry(ctx.emulator)).toMatchObject({
        outcome: 'cut',
        responseBytes: at,
        fault: { type: 'cut' },
      });
    },
  );

  it('inside a separator, between the halves of a surrogate pair, after record k, before the end', async () => {
    const cases: [FaultRule['action'], number, 'utf-8' | 'utf-16le'][] = [
      [{ type: 'cut', at: { inside: 'separator', record: 3 } }, 2, 'utf-8'],
      [{ type: 'cut', at: { inside: 'separator', record: 3 } }, 2, 'utf-16le'],
      [{ type: 'cut', at: { inside: 'surrogate', record: 1 } }, 1, 'utf-16le'],
      [{ type: 'cut', at: { inside: 'surrogate', record: 1 } }, 1, 'utf-8'],
      [{ type: 'cut', at: { record: 4 } }, 4, 'utf-8'],
      [{ type: 'cut', at: { record: 0 } }, 0, 'utf-16le'],
      [{ type: 'cut', at: 'before-end' }, 5, 'utf-16le'],
    ];
    for (const [action, complete, encoding] of cases) {
      const request = await batch(
        encoding,
        `cut-${JSON.stringify(action.type === 'cut' ? action.at : '')}-${encoding}`.replace(/[^\w-]/g, ''),
      );
      ctx.emulator.faults.clear();
      ctx.emulator.faults.add({ match: { operation: 'getResponses' }, action });
      const { records, error } = await decode(await send(request));
      expect(
        records.filter((r) => r.kind === 'response'),
        JSON.stringify(action),
      ).toHaveLength(complete);
      expect(records.some((r) => r.kind === 'end')).toBe(false);
      expect(error?.code, JSON.stringify(action)).toBe('TRUNCATED');
      const at = cutOffset(ctx.emulator);
      // A cut inside a character is reported where that character starts.
      expect(error!.offset).toBeLessThanOrEqual(at);
      expect(error!.offset).toBeGreaterThanOrEqual(at - 3);
    }
  });

  it('after k bytes of any body; a position the body never reaches leaves it whole', async () => {
    ctx.emulator.faults.add({
      match: { service: 'azureBatch' },
      action: { type: 'cut', at: { bytes: 40 } },
      times: 1,
    });
    const response = await fetch(`${ctx.url}/jobs?api-version=2024-07-01.20.0`);
    const text = await response.text();
    expect(text).toHaveLength(40);
    expect(() => JSON.parse(text)).toThrow();
    const request = await batch('utf-8', 'not-reached');
    ctx.emulator.faults.add({
      match: { operation: 'getResponses' },
      action: { type: 'cut', at: { record: 50 } },
    });
    const { records, error } = await decode(await send(request));
    expect(error).toBeUndefined();
    expect(records).toHaveLength(6);
    expect(lastEntry(ctx.emulator)).toMatchObject({
      outcome: 'complete',
      fault: { detail: 'not reached: the body had 5 records' },
    });
  });

  it('after the k-th SOAP envelope', async () => {
    const created = await send(
      hpcPack.createSession({ baseUrl: ctx.url, body: '{"ServiceName":"Echo"}', accept: 'application/json' }),
    );
    const sessionId = ((await created.json()) as { Id: number }).Id;
    const body = writeMessageArray(
      [0, 1, 2].map((i) => ({
        action: 'urn:a',
        messageId: `urn:uuid:${i}`,
        body: { name: 'Op', namespace: 'urn:n', result: String(i) },
      })),
    );
    await send(hpcPack.sendRequests({ baseUrl: ctx.url, sessionId, batchName: 's', commit: true, body }));
    ctx.emulator.faults.add({
      match: { operation: 'getResponses' },
      action: { type: 'cut', at: { record: 2 } },
    });
    const response = await send(hpcPack.getResponses({ baseUrl: ctx.url, sessionId, batchName: 's' }));
    const records: SoapRecord[] = [];
    let error: unknown;
    try {
      for await (const record of readMessageArray(response.body!)) records.push(record);
    } catch (e) {
      error = e;
    }
    expect(records.map((r) => r.kind)).toEqual(['response', 'response']);
    expect(isBatchwireError(error) && error.code).toBe('TRUNCATED');
  });
});

describe('status, reset, dribble, delay, hang, corrupt', () => {
  it('status 503 gives a service-shaped fault with retriable and retryAfterMs, for each service', async () => {
    const request = await batch('utf-8', 'busy');
    ctx.emulator.faults.add(parseFaultSpec('status=503,fault=ServerBusy,retry-after=3,times=3'));
    const checks: [Response, string][] = [
      [await fetch(`${ctx.url}/jobs?api-version=2024-07-01.20.0`), 'azure-batch'],
      [await fetch(`${ctx.url}/v2.0/p/batches`), 'dli'],
      [await send(request), 'hpc-pack'],
    ];
    for (const [response, service] of checks) {
      expect(response.status).toBe(503);
      const fault = parseFault({
        status: response.status,
        headers: response.headers,
        body: await response.text(),
      });
      expect(fault).toMatchObject({ service, retriable: true, retryAfterMs: 3000 });
    }
    // times: 3, so the fourth passes.
    expect((await send(request)).status).toBe(200);
    ctx.emulator.faults.add({
      match: { service: 'hpcPack' },
      action: { type: 'status', status: 400, fault: 'BrokerNotActive' },
    });
    const hpc = await send(request);
    expect(parseFault({ status: 400, body: await hpc.text() })).toMatchObject({
      service: 'hpc-pack',
      name: 'BrokerNotActive',
    });
    ctx.emulator.faults.clear();
    ctx.emulator.faults.add({ match: { service: 'dli' }, action: { type: 'status', status: 500 } });
    const dli = await fetch(`${ctx.url}/v2.0/p/batches`);
    expect(parseFault({ status: 500, body: await dli.text() })).toMatchObject({
      code: 'DLI.0999',
      retriable: true,
    });
  });

  it('reset before the headers and in the middle of the body are network errors', async () => {
    const request = await batch('utf-8', 'reset');
    for (const when of ['before-headers', 'mid-body'] as const) {
      ctx.emulator.faults.clear();
      ctx.emulator.faults.add({ match: { operation: 'getResponses' }, action: { type: 'reset', when } });
      const attempt = (async () => {
        const response = await send(request);
        await response.arrayBuffer();
      })();
      await expect(attempt).rejects.toThrow(TypeError);
      expect(lastEntry(ctx.emulator).outcome).toBe('reset');
    }
    ctx.emulator.faults.clear();
    expect((await send(request)).status).toBe(200);
  });

  it('dribble still decodes correctly', async () => {
    const request = await batch('utf-16le', 'dribble');
    ctx.emulator.faults.add({
      match: { operation: 'getResponses' },
      action: { type: 'dribble', bytes: 7, everyMs: 0 },
    });
    const { records, error } = await decode(await send(request));
    expect(error).toBeUndefined();
    expect(
      records.filter((r) => r.kind === 'response').map((r) => (r.kind === 'response' ? r.output : '')),
    ).toEqual(INPUTS);
    expect(records[5]).toMatchObject({ kind: 'end', count: 5 });
  });

  it('delay (with seeded jitter) and hang', async () => {
    ctx.emulator.faults.add({
      match: { operation: 'listPools' },
      action: { type: 'delay', ms: 120, jitterMs: 30 },
    });
    const started = performance.now();
    expect((await fetch(`${ctx.url}/pools?api-version=2024-07-01.20.0`)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);
    expect(lastEntry(ctx.emulator).fault?.detail).toMatch(/^1(2|3|4|5)\d ms$/);
    ctx.emulator.faults.add({ match: { operation: 'listJobs' }, action: { type: 'hang' } });
    await expect(
      fetch(`${ctx.url}/jobs?api-version=2024-07-01.20.0`, { signal: AbortSignal.timeout(150) }),
    ).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 50));
    expect(lastEntry(ctx.emulator)).toMatchObject({ status: null, outcome: 'hang' });
  });

  it('corrupt flips bytes at offsets drawn from the seed: the same seed flips the same bytes', async () => {
    const run = async (seed: number) => {
      const emulator = await startEmulator({
        seed,
        faults: [{ match: { operation: 'listJobs' }, action: { type: 'corrupt', count: 3 } }],
      });
      try {
        const faulty = new Uint8Array(
          await (await fetch(`${emulator.url}/jobs?api-version=2024-07-01.20.0`)).arrayBuffer(),
        );
        emulator.faults.clear();
        const clean = new Uint8Array(
          await (await fetch(`${emulator.url}/jobs?api-version=2024-07-01.20.0`)).arrayBuffer(),
        );
        const differ = [];
        for (let i = 0; i < clean.length; i++) if (clean[i] !== faulty[i]) differ.push(i);
        return { differ, detail: emulator.journal.entries()[0]!.fault?.detail };
      } finally {
        await emulator.close();
      }
    };
    const a = await run(5);
    const b = await run(5);
    const c = await run(6);
    // request-id and the body differ per request, so compare positions only.
    expect(a.differ.length).toBeGreaterThanOrEqual(3);
    expect(a.detail).toBe(b.detail);
    expect(a.detail).toMatch(/^flipped bytes at \d+, \d+, \d+$/);
    expect(c.detail).not.toBe(a.detail);
  });
});

describe('rule semantics', () => {
  it('close() leaves no journal entry pending (a hung request included)', async () => {
    const emulator = await startEmulator({
      faults: [{ match: { operation: 'listJobs' }, action: { type: 'hang' } }],
    });
    const hung = fetch(`${emulator.url}/jobs?api-version=2024-07-01.20.0`).catch(() => undefined);
    for (let i = 0; i < 200 && emulator.journal.entries().length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 5));
    await emulator.close();
    await hung;
    const outcomes = emulator.journal.entries().map((e) => e.outcome);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).not.toBe('pending');
  });

  it('reset() and POST /_batchwire/reset clear every rule, the startup ones included', async () => {
    const emulator = await startEmulator({
      faults: [{ match: { operation: 'listJobs' }, action: { type: 'status', status: 503 } }],
    });
    try {
      const jobs = `${emulator.url}/jobs?api-version=2024-07-01.20.0`;
      expect((await fetch(jobs)).status).toBe(503);
      emulator.reset();
      expect(emulator.faults.list()).toEqual([]);
      expect((await fetch(jobs)).status).toBe(200);
      emulator.faults.add({ match: { operation: 'listJobs' }, action: { type: 'status', status: 503 } });
      expect(
        (await fetch(`${emulator.url}/_batchwire/reset`, { method: 'POST', headers: JSON_TYPE })).ok,
      ).toBe(true);
      expect(emulator.faults.list()).toEqual([]);
      expect((await fetch(jobs)).status).toBe(200);
    } finally {
      await emulator.close();
    }
  });

  it('times, after, probability: the same seed and requests give the same faults', async () => {
    const pattern = async (seed: number) => {
      const emulator = await startEmulator({
        seed,
        faults: [
          {
            match: { method: 'GET', path: '/pools*' },
            action: { type: 'status', status: 503 },
            probability: 0.5,
          },
          { match: { operation: 'listJobs' }, action: { type: 'status', status: 429 }, after: 1, times: 2 },
        ],
      });
      try {
        const out: number[] = [];
        for (let i = 0; i < 16; i++)
          out.push((await fetch(`${emulator.url}/pools?api-version=2024-07-01.20.0`)).status);
        for (let i = 0; i < 5; i++)
          out.push((await fetch(`${emulator.url}/jobs?api-version=2024-07-01.20.0`)).status);
        return { out, rules: emulator.faults.list() };
      } finally {
        await emulator.close();
      }
    };
    const a = await pattern(42);
    const b = await pattern(42);
    expect(a.out).toEqual(b.out);
    expect(a.out.slice(16)).toEqual([200, 429, 429, 200, 200]);
    const pools = a.out.slice(0, 16);
    expect(pools.filter((s) => s === 503).length).toBeGreaterThan(2);
    expect(pools.filter((s) => s === 200).length).toBeGreaterThan(2);
    expect(a.rules[1]).toMatchObject({ matched: 5, applied: 2 });
    const other = await pattern(43);
    expect(other.out.slice(0, 16)).not.toEqual(pools);
  });

  it('validates rules and reads the compact syntax', () => {
    expect(parseFaultSpec('op=getResponses,cut=inside-separator:3,times=1')).toEqual({
      match: { operation: 'getResponses' },
      action: { type: 'cut', at: { inside: 'separator', record: 3 } },
      times: 1,
    });
    expect(parseFaultSpec('service=dli,method=get,path=/v2.0/*,dribble=7/5,probability=0.25')).toEqual({
      match: { service: 'dli', method: 'GET', path: '/v2.0/*' },
      action: { type: 'dribble', bytes: 7, everyMs: 5 },
      probability: 0.25,
    });
    expect(parseFaultSpec('status=503,header=Retry-After:3,message=busy')).toEqual({
      action: { type: 'status', status: 503, message: 'busy', headers: { 'retry-after': '3' } },
    });
    expect(parseFaultSpec('reset=mid-body').action).toEqual({ type: 'reset', when: 'mid-body' });
    expect(parseFaultSpec('corrupt=4,within=100').action).toEqual({ type: 'corrupt', count: 4, within: 100 });
    expect(parseFaultSpec('{"action":{"type":"hang"}}')).toEqual({ action: { type: 'hang' } });
    for (const bad of [
      '',
      'op=x',
      'delay=5,hang',
      'jitter=5,hang',
      'cut=middle',
      'status=abc',
      'nope=1',
      'status=999',
      '{',
    ]) {
      expect(() => parseFaultSpec(bad), bad).toThrow(/fault/);
    }
    for (const bad of [
      null,
      {},
      { action: { type: 'explode' } },
      { action: { type: 'delay' } },
      { action: { type: 'cut', at: { record: -1 } } },
      { action: { type: 'status', status: 503, headers: { 'Bad Name': 'x' } } },
      { action: { type: 'status', status: 503, headers: { ok: 'a\r\nb' } } },
      { action: { type: 'hang' }, probability: 2 },
      { action: { type: 'hang' }, match: { service: 'nope' } },
      { action: { type: 'hang' }, extra: 1 },
    ]) {
      expect(() => validateFaultRule(bad), JSON.stringify(bad)).toThrow(/fault rule/);
    }
  });
});

describe('control endpoints', () => {
  it('POST, GET and DELETE /_batchwire/faults, GET /_batchwire/journal, POST /_batchwire/reset', async () => {
    const emulator = await startEmulator({ clock: 'manual', startTime: 0 });
    try {
      const rule = {
        match: { operation: 'listJobs' },
        action: { type: 'status', status: 503, fault: 'ServerBusy', headers: { 'Retry-After': '1' } },
        times: 1,
      };
      const added = await fetch(`${emulator.url}/_batchwire/faults`, {
        method: 'POST',
        headers: JSON_TYPE,
        body: JSON.stringify(rule),
      });
      expect(added.status).toBe(201);
      const state = (await added.json()) as { id: number };
      expect(state).toMatchObject({
        ...rule,
        action: { ...rule.action, headers: { 'retry-after': '1' } },
        id: 1,
        matched: 0,
        applied: 0,
      });
      const many = await fetch(`${emulator.url}/_batchwire/faults`, {
        method: 'POST',
        headers: JSON_TYPE,
        body: JSON.stringify([{ action: { type: 'delay', ms: 1 } }, { action: { type: 'hang' }, times: 0 }]),
      });
      expect(((await many.json()) as { id: number }[]).map((r) => r.id)).toEqual([2, 3]);
      const bad = await fetch(`${emulator.url}/_batchwire/faults`, {
        method: 'POST',
        headers: JSON_TYPE,
        body: '{"action":{"type":"cut"}}',
      });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ error: 'InvalidFaultRule' });
      expect(
        (await fetch(`${emulator.url}/_batchwire/faults`, { method: 'POST', headers: JSON_TYPE, body: '{' }))
          .status,
      ).toBe(400);
      expect((await fetch(`${emulator.url}/_batchwire/faults/2`, { method: 'DELETE' })).status).toBe(204);
      expect((await fetch(`${emulator.url}/_batchwire/faults/2`, { method: 'DELETE' })).status).toBe(404);
      expect((await fetch(`${emulator.url}/jobs?api-version=2024-07-01.20.0`)).status).toBe(503);
      const listed = (await (await fetch(`${emulator.url}/_batchwire/faults`)).json()) as {
        id: number;
        applied: number;
      }[];
      expect(listed.map((r) => [r.id, r.applied])).toEqual([
        [1, 1],
        [3, 0],
      ]);
      await fetch(`${emulator.url}/nowhere`, { method: 'PUT' });
      const journal = (await (await fetch(`${emulator.url}/_batchwire/journal`)).json()) as Record<
        string,
        unknown
      >[];
      expect(journal).toEqual([
        {
          seq: 1,
          time: '1970-01-01T00:00:00.000Z',
          method: 'GET',
          path: '/jobs',
          query: '?api-version=2024-07-01.20.0',
          service: 'azure-batch',
          operation: 'listJobs',
          status: 503,
          requestBytes: 0,
          responseBytes: expect.any(Number),
          durationMs: expect.any(Number),
          outcome: 'complete',
          fault: { rule: 1, type: 'status', detail: '503 application/json;odata=minimalmetadata' },
        },
        expect.objectContaining({
          seq: 2,
          method: 'PUT',
          path: '/nowhere',
          status: 404,
          unmatched: true,
          service: null,
        }),
      ]);
      const clock = await fetch(`${emulator.url}/_batchwire/clock`, {
        method: 'POST',
        headers: JSON_TYPE,
        body: '{"advanceMs":1500}',
      });
      expect(await clock.json()).toMatchObject({ mode: 'manual', now: 1500 });
      expect((await fetch(`${emulator.url}/_batchwire/faults`, { method: 'DELETE' })).status).toBe(204);
      expect(emulator.faults.list()).toEqual([]);
      emulator.faults.add({ action: { type: 'hang' } });
      expect(
        (await fetch(`${emulator.url}/_batchwire/reset`, { method: 'POST', headers: JSON_TYPE })).status,
      ).toBe(204);
      expect(emulator.faults.list()).toEqual([]);
      expect(emulator.journal.entries()).toEqual([]);
      expect(emulator.clock.now()).toBe(0);
      expect((await fetch(`${emulator.url}/_batchwire/journal`, { method: 'PATCH' })).status).toBe(405);
    } finally {
      await emulator.close();
    }
  });
});
