import { type Emulator, startEmulator } from 'batchwire/emulator';
import { parseFault } from 'batchwire/faults';
import { decodeGenericResponses, encodeGenericRequests } from 'batchwire/generic';
import { hpcPack, type RequestDescriptor } from 'batchwire/requests';
import { afterAll, beforeAll, expect, it } from 'vitest';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ seed: 1 });
});
afterAll(() => emulator.close());

// Request descriptors say what to send; fetch sends it.
function send({ method, url, headers, body }: RequestDescriptor): Promise<Response> {
  return fetch(url, { method, headers, body: (body ?? null) as BodyInit | null });
}

it('echoes a batch, and survives a busy broker', async () => {
  const baseUrl = emulator.url;
  const created = await send(
    hpcPack.createSession({ baseUrl, body: '{"ServiceName":"Echo"}', accept: 'application/json' }),
  );
  const { Id: sessionId } = (await created.json()) as { Id: number };
  const body = encodeGenericRequests([{ input: 'hello', userData: 'job-1' }], { encoding: 'utf-16le' });
  await send(
    hpcPack.sendRequests({ baseUrl, sessionId, batchName: 'b', genericService: true, commit: true, body }),
  );

  // The first Get Responses fails the way a busy broker does; the client retries after Retry-After.
  emulator.faults.add({
    match: { operation: 'getResponses' },
    action: { type: 'status', status: 503, fault: 'BrokerNotActive', headers: { 'Retry-After': '1' } },
    times: 1,
  });
  const getResponses = hpcPack.getResponses({ baseUrl, sessionId, batchName: 'b', genericService: true });
  const busy = await send(getResponses);
  const fault = parseFault({ status: busy.status, headers: busy.headers, body: await busy.text() });
  expect(fault).toMatchObject({
    service: 'hpc-pack',
    name: 'BrokerNotActive',
    retriable: true,
    retryAfterMs: 1000,
  });

  const response = await send(getResponses);
  const outputs: string[] = [];
  // The decoder takes the Response itself, and its Content-Type charset.
  for await (const record of decodeGenericResponses(response)) {
    if (record.kind === 'response') outputs.push(`${record.userData}: ${record.output}`);
  }
  expect(outputs).toEqual(['job-1: hello']);
  expect(emulator.journal.entries().map((e) => [e.operation, e.status])).toContainEqual([
    'getResponses',
    503,
  ]);
});
