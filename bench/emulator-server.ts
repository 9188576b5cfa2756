// The servers of the emulator bench, in a worker thread of the bench's process: the emulator
// with a Get Responses of MB megabytes stored, and a plain node:http server writing the same
// pre-encoded bytes. The fetch client stays on the main thread, so the worker's event-loop
// busy time is the servers' own CPU time (the bench asks for it before and after each round).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { sampleGenericResponses } from '../src/arbitraries/samples.js';
import { type Emulator, startEmulator } from '../src/emulator/index.js';
import { encodeGenericRequests } from '../src/generic/index.js';
import { hpcPack, type RequestDescriptor } from '../src/requests/index.js';

type Encoding = 'utf-8' | 'utf-16le';

/** Sends `count` generic requests to a new batch in bodies of `perBody` requests, commits it, and waits for every response. */
export async function fillBatch(
  emulator: Emulator,
  batchName: string,
  count: number,
  request: (i: number) => { input: string; userData: string },
  encoding: Encoding,
  perBody = 50_000,
): Promise<RequestDescriptor> {
  const baseUrl = emulator.url;
  const session = hpcPack.createSession({
    baseUrl,
    body: '{"ServiceName":"Echo"}',
    accept: 'application/json',
  });
  const created = await fetch(session.url, {
    method: session.method,
    headers: session.headers,
    body: session.body as string,
  });
  const sessionId = ((await created.json()) as { Id: number }).Id;
  for (let from = 0; from < count; from += perBody) {
    const part = [];
    for (let i = from; i < Math.min(count, from + perBody); i++) part.push(request(i));
    const d = hpcPack.sendRequests({
      baseUrl,
      sessionId,
      batchName,
      genericService: true,
      body: encodeGenericRequests(part, { encoding }),
    });
    const r = await fetch(d.url, {
      method: d.method,
      headers: d.headers,
      body: d.body as Uint8Array<ArrayBuffer>,
    });
    if (r.status !== 200) throw new Error(`Send Requests answered ${r.status}: ${await r.text()}`);
  }
  const commit = hpcPack.commitRequests({ baseUrl, sessionId, batchName });
  await fetch(commit.url, { method: commit.method, headers: commit.headers });
  const status = hpcPack.getRequestStatus({ baseUrl, sessionId, batchName, accept: 'application/json' });
  while ((await (await fetch(status.url, { headers: status.headers })).text()) !== '3')
    await new Promise((r) => setTimeout(r, 20));
  return hpcPack.getResponses({ baseUrl, sessionId, batchName, genericService: true, reset: true });
}

/** What the worker posts once its servers listen. */
export interface ServersReady {
  get: { url: string; method: string; headers: Record<string, string> };
  plain: string;
  bytes: number;
  records: number;
}

async function serve(encoding: Encoding, megabytes: number): Promise<void> {
  const emulator = await startEmulator();
  const samples = sampleGenericResponses(2000);
  const perRecord =
    (encoding === 'utf-8' ? 1.1 : 2) *
    (samples.reduce((n, s) => n + s.output.length + 90, 0) / samples.length);
  const records = Math.round((megabytes * 1e6) / perRecord);
  const get = await fillBatch(
    emulator,
    'bench',
    records,
    (i) => ({ input: samples[i % samples.length]!.output, userData: `task-${i}` }),
    encoding,
  );
  const bytes = new Uint8Array(
    await (await fetch(get.url, { method: get.method, headers: get.headers })).arrayBuffer(),
  );
  const type = `application/octet-stream; charset=${encoding}`;
  const plain = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': type, 'content-length': bytes.length });
    res.end(bytes);
  });
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
  parentPort!.on('message', (message: string) => {
    if (message === 'busy') parentPort!.postMessage(performance.eventLoopUtilization().active);
  });
  const ready: ServersReady = {
    get: { url: get.url, method: get.method, headers: get.headers },
    plain: `http://127.0.0.1:${(plain.address() as AddressInfo).port}/`,
    bytes: bytes.length,
    records,
  };
  parentPort!.postMessage(ready);
}

if (parentPort && workerData?.role === 'emulator-bench-servers')
  await serve(workerData.encoding, workerData.megabytes);
