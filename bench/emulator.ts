// The emulator's Get Responses served over loopback, received by a fetch client, beside a plain
// node:http server that writes the same pre-encoded bytes (the bound for any server in Node);
// then the emulator's heap while it streams a Get Responses of a million records.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getHeapStatistics } from 'node:v8';
import { sampleGenericResponses } from '../src/arbitraries/samples.js';
import { type Emulator, startEmulator } from '../src/emulator/index.js';
import { encodeGenericRequests } from '../src/generic/index.js';
import { hpcPack, type RequestDescriptor } from '../src/requests/index.js';
import {
  type BenchCase,
  checkTarget,
  formatTable,
  runBench,
  speedRatio,
  suiteMain,
  textTable,
} from './harness.js';

type Encoding = 'utf-8' | 'utf-16le';

/** Sends `count` generic requests to a new batch in bodies of `perBody` requests, then commits it. */
async function fillBatch(
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
  // Wait until the service has answered every request.
  const status = hpcPack.getRequestStatus({ baseUrl, sessionId, batchName, accept: 'application/json' });
  for (;;) {
    const s = await (await fetch(status.url, { headers: status.headers })).text();
    if (s === '3') break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return hpcPack.getResponses({ baseUrl, sessionId, batchName, genericService: true, reset: true });
}

/** Fetches a body and counts its bytes as they arrive, as a client streaming it would. */
async function receive(
  url: string,
  init: RequestInit,
  onChunk?: (received: number) => void,
): Promise<number> {
  const response = await fetch(url, init);
  if (response.status !== 200) throw new Error(`status ${response.status}`);
  const reader = response.body!.getReader();
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return received;
    received += value.length;
    onChunk?.(received);
  }
}

async function plainServer(
  body: Uint8Array,
  contentType: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': contentType, 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function throughput(quick: boolean): Promise<string> {
  const out: string[] = [];
  const samples = sampleGenericResponses(2000);
  // Rounds of a few ms are noisy on a shared machine: the quick run takes more of them.
  const megabytes = quick ? 16 : 100;
  const rounds = quick ? 11 : 9;
  for (const encoding of ['utf-8', 'utf-16le'] as const) {
    const emulator = await startEmulator();
    try {
      const perRecord =
        (encoding === 'utf-8' ? 1.1 : 2) *
        (samples.reduce((n, s) => n + s.output.length + 90, 0) / samples.length);
      const count = Math.round((megabytes * 1e6) / perRecord);
      const get = await fillBatch(
        emulator,
        'bench',
        count,
        (i) => ({ input: samples[i % samples.length]!.output, userData: `task-${i}` }),
        encoding,
      );
      const init = { method: get.method, headers: get.headers };
      // The same bytes, pre-encoded, for the plain server.
      const bytes = new Uint8Array(await (await fetch(get.url, init)).arrayBuffer());
      const plain = await plainServer(bytes, `application/octet-stream; charset=${encoding}`);
      try {
        // Client and server share this process, so its CPU time is the work of both: a second
        // measure, much less sensitive than wall time to what other processes do meanwhile.
        const cpu = new Map<string, number[]>();
        const timed = (name: string, work: () => Promise<number>) => async () => {
          const before = process.cpuUsage();
          const count = await work();
          const used = process.cpuUsage(before);
          cpu.set(name, [...(cpu.get(name) ?? []), (used.user + used.system) / 1000]);
          return count;
        };
        const ours = 'emulator Get Responses (generic)';
        const theirs = 'plain node:http, same bytes';
        const cases: BenchCase[] = [
          { name: ours, run: timed(ours, () => receive(get.url, init)) },
          { name: theirs, baseline: true, run: timed(theirs, () => receive(plain.url, {})) },
        ];
        // A forced GC before each round, so no round pays for the garbage of another.
        const results = await runBench(cases, { rounds, collect: true });
        // The first sample of each is the warm-up round.
        const cpuMedian = (name: string) => {
          const sorted = (cpu.get(name) ?? []).slice(1).sort((a, b) => a - b);
          return sorted[sorted.length >> 1] ?? Number.NaN;
        };
        const cpuRatio = cpuMedian(theirs) / cpuMedian(ours);
        out.push(
          formatTable(
            `emulator: generic ${encoding} responses over loopback (${count.toLocaleString('en-US')} records, fetch client in the same process)`,
            results,
            { bytes: bytes.length, itemName: 'bytes' },
            'plain node:http, same bytes',
          ),
          `${checkTarget(`emulator ${encoding}`, 'MB/s received vs a plain node:http server', speedRatio(results, ours, theirs), 0.7)}`,
          `process CPU per round (client + server), medians: emulator ${cpuMedian(ours).toFixed(0)} ms, plain ${cpuMedian(theirs).toFixed(0)} ms: ${cpuRatio.toFixed(2)}x\n`,
        );
      } finally {
        await plain.close();
      }
    } finally {
      await emulator.close();
    }
  }
  return out.join('\n');
}

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

async function memory(quick: boolean): Promise<string> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const collect = () => {
    gc?.();
    gc?.();
  };
  const records = quick ? 200_000 : 1_000_000;
  collect();
  const empty = process.memoryUsage();
  const emulator = await startEmulator();
  try {
    const get = await fillBatch(
      emulator,
      'million',
      records,
      (i) => ({ input: `result of request ${i}`, userData: `t${i}` }),
      'utf-8',
      100_000,
    );
    collect();
    const stored = process.memoryUsage();
    let peak = stored.heapUsed;
    let chunks = 0;
    const started = performance.now();
    const received = await receive(get.url, { method: get.method, headers: get.headers }, () => {
      if (++chunks % 16 === 0) peak = Math.max(peak, getHeapStatistics().used_heap_size);
    });
    const seconds = (performance.now() - started) / 1000;
    collect();
    const after = process.memoryUsage();
    const rows = [
      ['before the emulator starts (after GC)', mb(empty.heapUsed), mb(empty.external + empty.arrayBuffers)],
      [
        `${records.toLocaleString('en-US')} responses stored (after GC)`,
        mb(stored.heapUsed),
        mb(stored.external + stored.arrayBuffers),
      ],
      ['peak while streaming them (sampled every 16 chunks)', mb(peak), ''],
      ['after the stream (after GC)', mb(after.heapUsed), mb(after.external + after.arrayBuffers)],
    ];
    return [
      `## emulator: heap while one Get Responses streams ${records.toLocaleString('en-US')} generic records`,
      `(${mb(received)} MiB received by a fetch client in the same process in ${seconds.toFixed(1)} s, ${(received / 1e6 / seconds).toFixed(0)} MB/s; responses are kept in Buffers outside the JS heap)`,
      ...textTable(['moment', 'heapUsed MiB', 'external + arrayBuffers MiB'], rows),
      `heap growth while streaming: ${mb(peak - stored.heapUsed)} MiB for a ${mb(received)} MiB body`,
      '',
    ].join('\n');
  } finally {
    await emulator.close();
  }
}

/** Runs the emulator benchmark and returns the printed tables. */
export async function run(quick: boolean): Promise<string> {
  const speed = await throughput(quick);
  return `${speed}\n${await memory(quick)}`;
}

suiteMain(import.meta.url, run);
