// The emulator's Get Responses (64 MB generic, UTF-8 and UTF-16LE) served over loopback to a
// fetch client in the same process, beside a plain node:http server that writes the same
// pre-encoded bytes (the bound for any server in Node): wall time, and the servers' own CPU time
// (they run in a worker thread); then the emulator's heap while it streams a million records.
import { getHeapStatistics } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { startEmulator } from '../src/emulator/index.js';
import { fillBatch, type ServersReady } from './emulator-server.js';
import {
  type BenchCase,
  checkTarget,
  formatTable,
  runBench,
  speedRatio,
  suiteMain,
  textTable,
} from './harness.js';

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

/**
 * The servers in a worker thread of this process (see emulator-server.ts). Under tsx the worker
 * loads the TypeScript source through tsx's API, as the bench itself is loaded.
 */
function serversWorker(encoding: 'utf-8' | 'utf-16le', megabytes: number): Worker {
  const entry = new URL('./emulator-server.ts', import.meta.url).href;
  const code = `import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(entry)}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(code, {
    eval: true,
    workerData: { role: 'emulator-bench-servers', encoding, megabytes },
  });
}

async function throughput(quick: boolean): Promise<string> {
  const out: string[] = [];
  // Rounds of a few ms are noisy on a shared machine: the quick run takes more of them.
  const megabytes = quick ? 16 : 64;
  const rounds = quick ? 11 : 9;
  for (const encoding of ['utf-8', 'utf-16le'] as const) {
    const worker = serversWorker(encoding, megabytes);
    try {
      const ready = await new Promise<ServersReady>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      // The servers' thread's event-loop busy time: the CPU the servers used, without the client's.
      const busy = () =>
        new Promise<number>((resolve) => {
          worker.once('message', resolve);
          worker.postMessage('busy');
        });
      const serverMs = new Map<string, number[]>();
      const timed = (name: string, work: () => Promise<number>) => async () => {
        const before = await busy();
        const count = await work();
        serverMs.set(name, [...(serverMs.get(name) ?? []), (await busy()) - before]);
        return count;
      };
      const ours = 'emulator Get Responses (generic)';
      const theirs = 'plain node:http, same bytes';
      const init = { method: ready.get.method, headers: ready.get.headers };
      const cases: BenchCase[] = [
        { name: ours, run: timed(ours, () => receive(ready.get.url, init)) },
        { name: theirs, baseline: true, run: timed(theirs, () => receive(ready.plain, {})) },
      ];
      // A forced GC before each round, so no round pays for the garbage of another.
      const results = await runBench(cases, { rounds, collect: true });
      // The first sample of each is the warm-up round.
      const median = (name: string) => {
        const sorted = (serverMs.get(name) ?? []).slice(1).sort((a, b) => a - b);
        return sorted[sorted.length >> 1] ?? Number.NaN;
      };
      const cpuRatio = median(ours) / median(theirs);
      out.push(
        formatTable(
          `emulator: generic ${encoding} responses over loopback (${ready.records.toLocaleString('en-US')} records, fetch client on the main thread, servers in a worker thread)`,
          results,
          { bytes: ready.bytes, itemName: 'bytes' },
          'plain node:http, same bytes',
        ),
        `${checkTarget(`emulator ${encoding}`, 'MB/s received vs a plain node:http server', speedRatio(results, ours, theirs), 0.8)}`,
        `${checkTarget(`emulator ${encoding} server CPU`, 'plain server CPU / emulator server CPU (>= 0.67: at most 1.5x)', 1 / cpuRatio, 0.67)}`,
        `server CPU per round (the servers' event-loop busy time), medians: emulator ${median(ours).toFixed(1)} ms, plain ${median(theirs).toFixed(1)} ms: ${cpuRatio.toFixed(2)}x\n`,
      );
    } finally {
      await worker.terminate();
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
