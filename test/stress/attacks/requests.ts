// Attacks on the request descriptors: long ids, many headers, long query and header values,
// large JSON bodies, and a bad character at the end of a long value.
import { azureBatch, dli, encodePathSegment, hpcPack } from 'batchwire/requests';
import { type Attack, attack } from '../harness.js';

const hpc = { baseUrl: 'https://head', sessionId: 42, batchName: 'b1' };
const dliBase = { endpoint: 'https://dli.example.com', projectId: 'p' };

// One JSON object with at most this many keys at 8n (32 000): from there on, V8's own JSON.parse
// of the object alone goes 2.4x to 9x per doubling on this machine (64 000 keys: 8 -> 71 ms),
// about what as many keys in small objects cost (garbage collection, not the object's shape);
// maxBodyBytes bounds it (a 3.3 MiB body of 300 000 keys parses in about 0.3 s either way).
const WIDE = 4000;

const attacks: Attack[] = [
  attack({
    target: 'hpcPack.getResponses',
    name: 'a long batch name of characters that need encoding',
    n: 5000,
    build: (n) => "a/b?c#d%e f'(".repeat(n),
    run: (batchName) => hpcPack.getResponses({ ...hpc, batchName }),
  }),
  attack({
    target: 'hpcPack.getResponses',
    name: 'long query values',
    n: 5000,
    build: (n) => 'x&y=z é'.repeat(n),
    run: (text) => hpcPack.getResponses({ ...hpc, action: text, clientData: text }),
  }),
  attack({
    target: 'hpcPack.getResponses',
    name: 'many extra headers',
    n: 1000,
    maxN: WIDE,
    build: (n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`x-h${i}`, `v${i}`])),
    run: (headers) => hpcPack.getResponses({ ...hpc, headers }),
  }),
  attack({
    target: 'hpcPack.getResponses',
    name: 'a long header value',
    n: 20_000,
    build: (n) => ({ authorization: `Bearer ${'t'.repeat(n)}` }),
    run: (headers) => hpcPack.getResponses({ ...hpc, headers }),
  }),
  attack({
    target: 'hpcPack.getResponses',
    name: 'a long header value with a line break at its end (INVALID_FIELD)',
    n: 20_000,
    build: (n) => ({ authorization: `Bearer ${'t'.repeat(n)}\r\nX-Injected: 1` }),
    run: (headers) => hpcPack.getResponses({ ...hpc, headers }),
    expect: 'INVALID_FIELD',
  }),
  attack({
    target: 'hpcPack.sendRequests',
    name: 'a long string body with a lone surrogate at its end (INVALID_FIELD)',
    n: 20_000,
    build: (n) => `<a>${'x'.repeat(n)}\ud800`,
    run: (body) => hpcPack.sendRequests({ ...hpc, body }),
    expect: 'INVALID_FIELD',
  }),
  attack({
    target: 'azureBatch.listJobPreparationAndReleaseTaskStatus',
    name: 'a long filter literal (up to maxFilterLength at 8n)',
    n: 500,
    maxN: 600,
    build: (n) => `nodeId eq '${"a'' /%".repeat(n)}'`,
    run: (filter) =>
      azureBatch.listJobPreparationAndReleaseTaskStatus({
        baseUrl: 'https://a.b.batch.azure.com',
        jobId: 'j',
        apiVersion: '2024-07-01.20.0',
        filter,
      }),
  }),
  attack({
    target: 'azureBatch.listJobPreparationAndReleaseTaskStatus',
    name: 'a long select list',
    n: 1000,
    build: (n) => Array.from({ length: n }, (_, i) => `p${i}`),
    run: (select) =>
      azureBatch.listJobPreparationAndReleaseTaskStatus({
        baseUrl: 'https://a.b.batch.azure.com',
        jobId: 'j',
        apiVersion: '2024-07-01.20.0',
        select,
      }),
  }),
  attack({
    target: 'dli.createBatch',
    name: 'a wide JSON body',
    maxN: WIDE,
    n: 1000,
    build: (n) => ({
      file: 'f',
      conf: Object.fromEntries(Array.from({ length: n }, (_, i) => [`spark.k${i}`, `v${i}`])),
    }),
    run: (body) => dli.createBatch({ ...dliBase, body }),
  }),
  attack({
    target: 'dli.createBatch',
    name: 'a body with a cycle after n fields (INVALID_FIELD)',
    maxN: WIDE,
    n: 1000,
    build: (n) => {
      const body: Record<string, unknown> = Object.fromEntries(
        Array.from({ length: n }, (_, i) => [`k${i}`, i]),
      );
      body.self = body;
      return body;
    },
    run: (body) => dli.createBatch({ ...dliBase, body }),
    expect: 'INVALID_FIELD',
  }),
  attack({
    target: 'dli.listBatches',
    name: 'long filter values',
    n: 5000,
    build: (n) => 'q u/e+u=e'.repeat(n),
    run: (text) => dli.listBatches({ ...dliBase, jobName: text, queueName: text, owner: text }),
  }),
  attack({
    target: 'encodePathSegment',
    name: 'a long id with surrogate pairs and reserved characters',
    n: 5000,
    build: (n) => '😀/%.'.repeat(n),
    run: (id) => encodePathSegment(id, 'id'),
  }),
];

export default attacks;
