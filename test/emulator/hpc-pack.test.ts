import { type BatchwireError, isBatchwireError } from 'batchwire';
import { GENERIC_REPLY_ACTION, type HpcServiceRequest } from 'batchwire/emulator';
import { parseFault } from 'batchwire/faults';
import {
  decodeGenericResponses,
  encodeGenericRequests,
  type GenericRecord,
  type GenericResponse,
} from 'batchwire/generic';
import { hpcPack } from 'batchwire/requests';
import {
  parseBrokerClientStatus,
  readMessageArray,
  type SoapRecord,
  writeMessageArray,
} from 'batchwire/soap';
import { describe, expect, it } from 'vitest';
import { contentTypeOf, send, useEmulator } from './support.js';

const ctx = useEmulator({ seed: 3 });
const startInfo = JSON.stringify({
  ServiceName: 'Echo',
  Username: 'u',
  Password: 'p',
  MaxMessageSize: 2147483647,
  Runtime: -1,
});

async function createSession(cluster?: string): Promise<number> {
  const response = await send(
    hpcPack.createSession({
      baseUrl: ctx.url,
      ...(cluster ? { cluster } : {}),
      body: startInfo,
      accept: 'application/json',
    }),
  );
  expect(response.status).toBe(201);
  const info = (await response.json()) as { Id: number; BrokerNode: string };
  expect(info.BrokerNode).toBe(new URL(ctx.url).host);
  return info.Id;
}

/** Every record of a generic Get Responses body, and the decoder's error if it threw one. */
async function readGeneric(
  response: Response,
  verifyCount = true,
): Promise<{ responses: GenericResponse[]; end?: GenericRecord; error?: BatchwireError }> {
  const responses: GenericResponse[] = [];
  let end: GenericRecord | undefined;
  try {
    for await (const record of decodeGenericResponses(response.body!, {
      ...contentTypeOf(response),
      verifyCount,
    })) {
      if (record.kind === 'response') responses.push(record);
      else end = record;
    }
  } catch (error) {
    if (!isBatchwireError(error)) throw error;
    return end ? { responses, end, error } : { responses, error };
  }
  return end ? { responses, end } : { responses };
}

async function status(sessionId: number, batchName: string): Promise<string> {
  const response = await send(hpcPack.getRequestStatus({ baseUrl: ctx.url, sessionId, batchName }));
  expect(response.status).toBe(200);
  return parseBrokerClientStatus(await response.text());
}

async function faultOf(response: Response) {
  return parseFault({ status: response.status, headers: response.headers, body: await response.text() });
}

describe('HPC Pack SOA Web API: the whole flow', () => {
  it.each(['utf-8', 'utf-16le', 'utf-16be'] as const)(
    'generic service in %s, in both URI forms',
    async (encoding) => {
      for (const cluster of [undefined, 'HEAD']) {
        const base = { baseUrl: ctx.url, ...(cluster ? { cluster } : {}) };
        const sessionId = await createSession(cluster);
        const batchName = `flow-${encoding}`;
        const requests = [
          { input: 'one', userData: 'u1' },
          { input: 'wörld 🚀 日本', userData: 'u2' },
          { input: '', userData: '' },
        ];
        // Two flushes, then Commit: the .NET client's sequence.
        for (const part of [requests.slice(0, 2), requests.slice(2)]) {
          const body = encodeGenericRequests(part, { encoding });
          const r = await send(
            hpcPack.sendRequests({ ...base, sessionId, batchName, genericService: true, body }),
          );
          expect(r.status).toBe(200);
        }
        expect(await status(sessionId, batchName)).toBe('Ready');
        const commit = await send(hpcPack.commitRequests({ ...base, sessionId, batchName }));
        expect(commit.status).toBe(200);
        const response = await send(
          hpcPack.getResponses({ ...base, sessionId, batchName, genericService: true }),
        );
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe(`application/octet-stream; charset=${encoding}`);
        const { responses, end, error } = await readGeneric(response);
        expect(error).toBeUndefined();
        expect(responses).toEqual(
          requests.map((r) => ({
            kind: 'response',
            action: GENERIC_REPLY_ACTION,
            output: r.input,
            userData: r.userData,
          })),
        );
        expect(end).toMatchObject({ kind: 'end', count: 3, reason: 'Success' });
        expect(await status(sessionId, batchName)).toBe('Finished');
        const close = await send(hpcPack.closeSession({ ...base, sessionId }));
        expect(close.status).toBe(200);
        const after = await faultOf(await send(hpcPack.getRequestStatus({ ...base, sessionId, batchName })));
        expect(after).toMatchObject({ service: 'hpc-pack', name: 'BrokerNotActive', retriable: true });
      }
    },
  );

  it('SOAP message arrays: RelatesTo, user data, action and client data come back', async () => {
    const sessionId = await createSession();
    const messages = ['a', 'b<&>', 'c 🚀'].map((text, i) => ({
      action: 'http://tempuri.org/ICalc/Echo',
      messageId: `urn:uuid:00000000-0000-0000-0000-00000000000${i}`,
      userData: `task-${i}`,
      body: { name: 'Echo', namespace: 'http://tempuri.org/', result: text },
    }));
    const body = writeMessageArray(messages, {
      flavour: 'HPCServer2008',
      root: 'HPCServer2008_WebAPI_MessageArray',
    });
    const sent = await send(
      hpcPack.sendRequests({ baseUrl: ctx.url, sessionId, batchName: 'soap', commit: true, body }),
    );
    expect(sent.status).toBe(201);
    const response = await send(
      hpcPack.getResponses({ baseUrl: ctx.url, sessionId, batchName: 'soap', clientData: 'cb-7' }),
    );
    const text = await response.text();
    expect(text).toContain(
      '<HPCPack2008_Broker_ResponseCallbackId xmlns="http://www.microsoft.com/hpc">cb-7<',
    );
    const records: SoapRecord[] = [];
    for await (const record of readMessageArray(text)) records.push(record);
    expect(records).toHaveLength(4);
    for (let i = 0; i < 3; i++) {
      const r = records[i]!;
      expect(r.kind).toBe('response');
      if (r.kind !== 'response') continue;
      expect(r.action).toBe('http://tempuri.org/ICalc/EchoResponse');
      expect(r.relatesTo).toBe(messages[i]!.messageId);
      expect(r.requestAction).toBe('http://tempuri.org/ICalc/Echo');
      expect(r.userData).toBe(`task-${i}`);
      expect(r.body.name).toBe('EchoResponse');
      // The echo service answers with the request body's inner XML, as text.
      expect(r.body.result).toContain(messages[i]!.body.result.replace('<&>', '&lt;&amp;&gt;'));
    }
    expect(records[3]).toMatchObject({ kind: 'end', count: 3, reason: 'Success' });
  });

  it('moves Ready -> Processing -> Finished while a slow service works, and streams responses as they come', async () => {
    const releases: (() => void)[] = [];
    ctx.emulator.hpcPack.setService(
      (request) => new Promise((resolve) => releases.push(() => resolve(`done ${request.input}`))),
      'Slow',
    );
    const created = await send(
      hpcPack.createSession({
        baseUrl: ctx.url,
        body: JSON.stringify({ ServiceName: 'Slow' }),
        accept: 'application/json',
      }),
    );
    const sessionId = ((await created.json()) as { Id: number }).Id;
    // A Get Responses for everything, asked before any request is sent: it waits, then streams.
    const pending = send(
      hpcPack.getResponses({ baseUrl: ctx.url, sessionId, batchName: 'slow', genericService: true }),
    );
    const body = encodeGenericRequests([
      { input: 'x', userData: '1' },
      { input: 'y', userData: '2' },
    ]);
    await send(
      hpcPack.sendRequests({
        baseUrl: ctx.url,
        sessionId,
        batchName: 'slow',
        genericService: true,
        commit: true,
        body,
      }),
    );
    expect(await status(sessionId, 'slow')).toBe('Processing');
    const commitAgain = await faultOf(
      await send(hpcPack.commitRequests({ baseUrl: ctx.url, sessionId, batchName: 'slow' })),
    );
    expect(commitAgain.code).toBe('16777241'); // Broker_EOMReject_EndRequests
    while (releases.length < 1) await new Promise((r) => setTimeout(r, 5));
    releases.shift()!();
    while (releases.length < 1) await new Promise((r) => setTimeout(r, 5));
    releases.shift()!();
    const { responses, end } = await readGeneric(await pending);
    expect(responses.map((r) => r.output)).toEqual(['done x', 'done y']);
    expect(end).toMatchObject({ count: 2 });
    expect(await status(sessionId, 'slow')).toBe('Finished');
    ctx.emulator.hpcPack.setService(undefined, 'Slow');
  });
});

describe('HPC Pack SOA Web API: Get Responses parameters', () => {
  async function batchOf(n: number, batchName: string): Promise<number> {
    const sessionId = await createSession();
    const body = encodeGenericRequests(
      Array.from({ length: n }, (_, i) => ({ input: `in-${i}`, userData: String(i) })),
    );
    await send(
      hpcPack.sendRequests({
        baseUrl: ctx.url,
        sessionId,
        batchName,
        genericService: true,
        commit: true,
        body,
      }),
    );
    return sessionId;
  }

  it('count windows, reset=false acknowledging, reset=true rewinding, and the cumulative closing count', async () => {
    const sessionId = await batchOf(5, 'windows');
    const get = (count: number, reset?: boolean) =>
      send(
        hpcPack.getResponses({
          baseUrl: ctx.url,
          sessionId,
          batchName: 'windows',
          genericService: true,
          count,
          ...(reset === undefined ? {} : { reset }),
        }),
      );
    // A count-limited call that stops before the end has no closing record.
    const first = await readGeneric(await get(2, true));
    expect(first.responses.map((r) => r.userData)).toEqual(['0', '1']);
    expect(first.error?.code).toBe('TRUNCATED');
    const second = await readGeneric(await get(2, false));
    expect(second.responses.map((r) => r.userData)).toEqual(['2', '3']);
    // The last call ends the batch: the closing count is every response of the pair since the reset.
    const third = await readGeneric(await get(-1, false), false);
    expect(third.responses.map((r) => r.userData)).toEqual(['4']);
    expect(third.end).toMatchObject({ kind: 'end', count: 5 });
    // Everything was handed out: an immediate closing record (acknowledging the last one).
    const fourth = await readGeneric(await get(-1, false), false);
    expect(fourth.responses).toEqual([]);
    expect(fourth.end).toMatchObject({ count: 5 });
    // reset=true puts back only what was held, not what was acknowledged (interactive session).
    const fifth = await readGeneric(await get(-1, true));
    expect(fifth.responses).toEqual([]);
    expect(fifth.end).toMatchObject({ count: 0 });
  });

  it('reset=true hands the held responses out again', async () => {
    const sessionId = await batchOf(3, 'again');
    const get = (reset: boolean) =>
      send(
        hpcPack.getResponses({
          baseUrl: ctx.url,
          sessionId,
          batchName: 'again',
          genericService: true,
          reset,
        }),
      );
    const a = await readGeneric(await get(true));
    const b = await readGeneric(await get(true));
    expect(b.responses).toEqual(a.responses);
    expect(b.end).toMatchObject({ count: 3 });
  });

  it('filters on the request action and refuses a bad count', async () => {
    const sessionId = await createSession();
    const message = (action: string, i: number) => ({
      action,
      messageId: `urn:uuid:${i}`,
      userData: String(i),
      body: {
        name: action.endsWith('Add') ? 'Add' : 'Sub',
        namespace: 'http://tempuri.org/',
        result: String(i),
      },
    });
    const body = writeMessageArray([
      message('http://tempuri.org/ICalc/Add', 0),
      message('http://tempuri.org/ICalc/Sub', 1),
      message('http://tempuri.org/ICalc/Add', 2),
    ]);
    await send(hpcPack.sendRequests({ baseUrl: ctx.url, sessionId, batchName: 'ops', commit: true, body }));
    const response = await send(
      hpcPack.getResponses({
        baseUrl: ctx.url,
        sessionId,
        batchName: 'ops',
        action: 'http://tempuri.org/ICalc/Add',
      }),
    );
    const records: SoapRecord[] = [];
    for await (const r of readMessageArray(response.body!)) records.push(r);
    expect(records.map((r) => (r.kind === 'response' ? r.userData : r.kind))).toEqual(['0', '2', 'end']);
    const bad = await fetch(`${ctx.url}/WindowsHPC/session/${sessionId}/batch/ops/Response?count=0`, {
      method: 'POST',
      headers: { 'api-version': '2012-11-01.4.0' },
    });
    expect(bad.status).toBe(400);
    expect((await faultOf(bad)).name).toBe('ArgumentError');
  });

  it('purge ends a waiting Get Responses with ClientPurged, and the batch starts again as Ready', async () => {
    const sessionId = await createSession();
    const body = encodeGenericRequests([{ input: 'a' }]);
    await send(
      hpcPack.sendRequests({ baseUrl: ctx.url, sessionId, batchName: 'p', genericService: true, body }),
    );
    // Not committed: a Get Responses for all waits after the one response.
    const pending = send(
      hpcPack.getResponses({ baseUrl: ctx.url, sessionId, batchName: 'p', genericService: true }),
    );
    const response = await pending;
    await new Promise((r) => setTimeout(r, 20));
    const purge = await send(hpcPack.deleteRequests({ baseUrl: ctx.url, sessionId, batchName: 'p' }));
    expect(purge.status).toBe(200);
    const { responses, end } = await readGeneric(response);
    expect(responses).toHaveLength(1);
    expect(end).toMatchObject({ reason: 'ClientPurged', count: 1 });
    expect(await status(sessionId, 'p')).toBe('Ready');
  });
});

describe('HPC Pack SOA Web API: Get Clusters', () => {
  it('names the cluster in XML (first Value) and JSON', async () => {
    const xml = await send(hpcPack.getClusters({ baseUrl: ctx.url }));
    expect(xml.status).toBe(200);
    expect(xml.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    expect(await xml.text()).toMatch(/<Property><Name>Name<\/Name><Value>HEAD<\/Value><\/Property>/);
    const json = await send(hpcPack.getClusters({ baseUrl: ctx.url, accept: 'application/json' }));
    expect(await json.json()).toEqual([{ Properties: [{ Name: 'Name', Value: 'HEAD' }] }]);
  });
});

describe('HPC Pack SOA Web API: errors', () => {
  it('api-version: the header wins, the query works alone, missing or unknown is a 400 fault', async () => {
    const sessionId = await createSession();
    const path = `${ctx.url}/WindowsHPC/session/${sessionId}/batch/v/Status`;
    expect(
      (await fetch(`${path}?api-version=bogus`, { headers: { 'api-version': '2011-11-01' } })).status,
    ).toBe(200);
    expect((await fetch(`${path}?api-version=2012-03-31.3.4`)).status).toBe(200);
    const missing = await fetch(path);
    expect(missing.status).toBe(400);
    expect(missing.headers.get('content-type')).toContain('application/xml');
    expect(await faultOf(missing)).toMatchObject({
      service: 'hpc-pack',
      code: '50331700',
      name: 'APIVersionIncorrect',
    });
    const unknown = await fetch(path, {
      headers: { 'api-version': '2099-01-01', accept: 'application/json' },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('content-type')).toContain('application/json');
    const fault = await faultOf(unknown);
    expect(fault).toMatchObject({ service: 'hpc-pack', name: 'APIVersionIncorrect' });
    expect(fault.formatted).toContain('2099-01-01');
  });

  it('unknown sessions, wrong clusters, bad batch names and missing ServiceName are faults', async () => {
    expect(
      (await faultOf(await send(hpcPack.attachSession({ baseUrl: ctx.url, sessionId: 999999 })))).name,
    ).toBe('InvalidSessionId');
    const wrongCluster = await send(
      hpcPack.attachSession({ baseUrl: ctx.url, cluster: 'OTHER', sessionId: 1 }),
    );
    expect(wrongCluster.status).toBe(404);
    expect((await faultOf(wrongCluster)).service).toBe('hpc-pack');
    const sessionId = await createSession();
    const attach = await send(
      hpcPack.attachSession({ baseUrl: ctx.url, sessionId, accept: 'application/json' }),
    );
    expect(attach.status).toBe(200);
    expect(await attach.json()).toMatchObject({ Id: sessionId, IsDurable: false });
    const badName = await send(hpcPack.getRequestStatus({ baseUrl: ctx.url, sessionId, batchName: 'a;b' }));
    expect(badName.status).toBe(400);
    const noName = await send(hpcPack.createSession({ baseUrl: ctx.url, body: '{"Username":"u"}' }));
    expect(noName.status).toBe(400);
    expect((await faultOf(noName)).name).toBe('ArgumentError');
    const xml = await send(
      hpcPack.createSession({
        baseUrl: ctx.url,
        body: '<WebSessionStartInfo xmlns="http://hpc.microsoft.com/"><ServiceName>Echo</ServiceName><Username>u</Username></WebSessionStartInfo>',
      }),
    );
    expect(xml.status).toBe(201);
    expect(await xml.text()).toMatch(/^<WebSessionInfo xmlns="http:\/\/hpc.microsoft.com\/".*<Id>\d+<\/Id>/);
    const doctype = await send(
      hpcPack.createSession({
        baseUrl: ctx.url,
        body: '<!DOCTYPE x [<!ENTITY a "b">]><WebSessionStartInfo/>',
      }),
    );
    expect(doctype.status).toBe(400);
  });

  it('Commit and Send Requests follow the broker rules; a broken body is rolled back', async () => {
    const sessionId = await createSession();
    const base = { baseUrl: ctx.url, sessionId };
    expect((await faultOf(await send(hpcPack.commitRequests({ ...base, batchName: 'c' })))).code).toBe(
      '16777246',
    );
    const good = encodeGenericRequests([{ input: 'a', userData: '1' }]);
    await send(hpcPack.sendRequests({ ...base, batchName: 'c', genericService: true, body: good }));
    // A body cut inside a record: 400 with the decoder's code, and nothing of it is kept.
    const broken = new TextEncoder().encode('b\uffff2\u0000c\uffff');
    const rejected = await send(
      hpcPack.sendRequests({ ...base, batchName: 'c', genericService: true, body: broken }),
    );
    expect(rejected.status).toBe(400);
    const fault = await faultOf(rejected);
    expect(fault.values).toContainEqual({ key: 'body', value: 'TRUNCATED' });
    expect(ctx.emulator.hpcPack.sessions().find((s) => s.id === sessionId)?.batches[0]).toMatchObject({
      requests: 1,
    });
    expect((await send(hpcPack.commitRequests({ ...base, batchName: 'c' }))).status).toBe(200);
    const { responses } = await readGeneric(
      await send(hpcPack.getResponses({ ...base, batchName: 'c', genericService: true })),
    );
    expect(responses.map((r) => r.output)).toEqual(['a']);
    expect((await faultOf(await send(hpcPack.commitRequests({ ...base, batchName: 'c' })))).code).toBe(
      '16777240',
    );
    const late = await faultOf(
      await send(hpcPack.sendRequests({ ...base, batchName: 'c', genericService: true, body: good })),
    );
    expect(late.code).toBe('16777242');
    expect(late.formatted).toContain("'Finished'");
  });
});

describe('HPC Pack SOA Web API: the pluggable service', () => {
  it('takes sync results, faults, lost responses and thrown errors', async () => {
    const seen: HpcServiceRequest[] = [];
    ctx.emulator.hpcPack.setService((request) => {
      seen.push(request);
      if (request.input === 'fault') {
        return {
          fault: {
            reason: 'no such thing',
            code: 's:Sender',
            subcodes: [{ namespace: 'http://hpc.microsoft.com/session/', name: 'SessionFault' }],
          },
        };
      }
      if (request.input === 'lose') return null;
      if (request.input === 'throw') throw new Error('boom');
      return { output: request.input.toUpperCase(), action: 'urn:custom' };
    }, 'Custom');
    const created = await send(
      hpcPack.createSession({
        baseUrl: ctx.url,
        body: JSON.stringify({ ServiceName: 'Custom' }),
        accept: 'application/json',
      }),
    );
    const sessionId = ((await created.json()) as { Id: number }).Id;
    const body = encodeGenericRequests(
      ['ok', 'fault', 'lose', 'throw'].map((input, i) => ({ input, userData: String(i) })),
    );
    await send(
      hpcPack.sendRequests({
        baseUrl: ctx.url,
        sessionId,
        batchName: 'x',
        genericService: true,
        commit: true,
        body,
      }),
    );
    const { responses, end } = await readGeneric(
      await send(hpcPack.getResponses({ baseUrl: ctx.url, sessionId, batchName: 'x', genericService: true })),
    );
    expect(responses.map((r) => [r.action, r.output, r.userData])).toEqual([
      ['urn:custom', 'OK', '0'],
      ['http://hpc.microsoft.com/session/SessionFault', 'no such thing', '1'],
      ['http://hpc.microsoft.com/session/SessionFault', 'boom', '3'],
    ]);
    expect(end).toMatchObject({ count: 3 });
    expect(seen.map((r) => [r.serviceName, r.batchName, r.index, r.generic])).toEqual([
      ['Custom', 'x', 0, true],
      ['Custom', 'x', 1, true],
      ['Custom', 'x', 2, true],
      ['Custom', 'x', 3, true],
    ]);
    // As SOAP, the fault is a SOAP fault envelope.
    const soap = await send(
      hpcPack.getResponses({ baseUrl: ctx.url, sessionId, batchName: 'x', reset: true }),
    );
    const records: SoapRecord[] = [];
    for await (const r of readMessageArray(soap.body!)) records.push(r);
    expect(records.map((r) => r.kind)).toEqual(['response', 'fault', 'fault', 'end']);
    expect(records[1]).toMatchObject({
      kind: 'fault',
      reason: 'no such thing',
      userData: '1',
      code: { namespace: 'http://www.w3.org/2003/05/soap-envelope', name: 'Sender' },
      subcodes: [{ namespace: 'http://hpc.microsoft.com/session/', name: 'SessionFault' }],
    });
    ctx.emulator.hpcPack.setService(undefined, 'Custom');
  });
});

describe('HPC Pack SOA Web API: a client that leaves a waiting Get Responses', () => {
  it.each([true, false])(
    'takes nothing with it: the responses committed later all come to the next call (generic %s)',
    async (genericService) => {
      const sessionId = await createSession();
      const batchName = `gone-${genericService}`;
      const base = { baseUrl: ctx.url, sessionId, batchName };
      const before = ctx.emulator.journal.entries().length;
      const controller = new AbortController();
      const waiting = await send(hpcPack.getResponses({ ...base, genericService }), {
        signal: controller.signal,
      });
      expect(waiting.status).toBe(200);
      controller.abort();
      // The emulator sees the connection close.
      for (let i = 0; i < 200; i++) {
        const entry = ctx.emulator.journal
          .entries()
          .slice(before)
          .find((e) => e.operation === 'getResponses');
        if (entry?.outcome === 'aborted') break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const requests = [1, 2, 3].map((n) => ({ input: `in-${n}`, userData: `u${n}` }));
      const body = genericService
        ? encodeGenericRequests(requests)
        : writeMessageArray(
            requests.map((r, i) => ({
              action: 'http://tempuri.org/ICalc/Echo',
              messageId: `urn:uuid:00000000-0000-0000-0000-00000000010${i}`,
              userData: r.userData,
              body: { name: 'Echo', namespace: 'http://tempuri.org/', result: r.input },
            })),
          );
      const sent = await send(hpcPack.sendRequests({ ...base, genericService, commit: true, body }));
      expect(sent.status).toBe(201);
      const again = await send(hpcPack.getResponses({ ...base, genericService }));
      expect(again.status).toBe(200);
      if (genericService) {
        const { responses, end, error } = await readGeneric(again);
        expect(error).toBeUndefined();
        expect(responses.map((r) => r.userData)).toEqual(['u1', 'u2', 'u3']);
        expect(end).toMatchObject({ kind: 'end', count: 3 });
      } else {
        const records: SoapRecord[] = [];
        for await (const record of readMessageArray(again.body!, contentTypeOf(again))) records.push(record);
        expect(
          records.filter((r) => r.kind === 'response').map((r) => (r as { userData?: string }).userData),
        ).toEqual(['u1', 'u2', 'u3']);
        expect(records.at(-1)).toMatchObject({ kind: 'end', count: 3 });
      }
    },
  );
});
