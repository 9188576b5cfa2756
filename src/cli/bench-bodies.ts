// Bodies `batchwire bench` generates when given no FILE (an installed package has no benchmark
// suite): realistic, deterministic, a few MB each, built with batchwire's own writers.
import { encodeGenericRequests, encodeGenericResponses } from '../generic/index.js';
import { writeMessageArray } from '../soap/index.js';
import type { BenchFormat } from './bench-run.js';

const WORDS = [
  'result',
  'value',
  'pi',
  '3.14159',
  'converged',
  'iteration',
  'größe',
  'naïve',
  '日本語',
  'ok',
];
const ACTION = 'http://hpc.microsoft.com/GenericService/IGenericService/GenericOperationResponse';

// A small deterministic generator (mulberry32), so every run measures the same bytes.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sentence(random: () => number, min: number, spread: number): string {
  const words: string[] = [];
  const n = min + Math.floor(random() * spread);
  for (let i = 0; i < n; i++) words.push(WORDS[Math.floor(random() * WORDS.length)]!);
  return words.join(' ');
}

const encoder = new TextEncoder();

/** A generated body of about `megabytes` MB in `format`, with a name for the report. */
export function generatedBody(format: BenchFormat, megabytes: number): { name: string; body: Uint8Array } {
  const random = prng(7);
  const target = megabytes * 1e6;
  if (format === 'generic' || format === 'generic-requests') {
    const pool = Array.from({ length: 500 }, (_, i) => ({
      action: ACTION,
      output: sentence(random, 8, 80),
      userData: `task-${i}`,
    }));
    const perPool = encodeGenericResponses(pool, { encoding: 'utf-16le' }).length;
    const records: typeof pool = [];
    for (let r = 0; r < Math.max(1, Math.round(target / perPool)); r++) records.push(...pool);
    const body =
      format === 'generic'
        ? encodeGenericResponses(records, { encoding: 'utf-16le' })
        : encodeGenericRequests(
            records.map((r) => ({ input: r.output, userData: r.userData })),
            { encoding: 'utf-16le' },
          );
    return { name: `generated ${format} (UTF-16LE)`, body };
  }
  if (format === 'soap') {
    const messages = [];
    let size = 0;
    for (let i = 0; size < target; i++) {
      const result = sentence(random, 4, 40);
      messages.push({
        action: 'http://tempuri.org/ICalculator/ComputeResponse',
        userData: `task-${i}`,
        relatesTo: `urn:uuid:${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`,
        body: { name: 'ComputeResponse', namespace: 'http://tempuri.org/', result },
      });
      size += 700 + result.length;
    }
    const xml = writeMessageArray([...messages, { kind: 'end', reason: 'Success' }]);
    return { name: 'generated soap message array', body: encoder.encode(xml) };
  }
  if (format === 'filter') {
    const lines: string[] = [];
    let size = 0;
    for (let i = 0; size < target / 20; i++) {
      const line =
        i % 3 === 0
          ? `nodeId eq 'tvm-${i}' and jobPreparationTaskExecutionInfo/exitCode ne ${i % 7}`
          : i % 3 === 1
            ? `(state eq 'active' or state eq 'completed') and creationTime gt DateTime'2024-0${1 + (i % 9)}-01T00:00:00Z'`
            : `startswith(id, 'render-${i}') and executionInfo/poolId eq 'pool-${i % 5}'`;
      lines.push(line);
      size += line.length + 1;
    }
    return { name: 'generated $filter lines', body: encoder.encode(lines.join('\n')) };
  }
  const values = Array.from({ length: 3 }, (_, i) => ({ key: `Key${i}`, value: sentence(random, 2, 6) }));
  const fault = JSON.stringify({
    'odata.metadata':
      'https://acct.westus.batch.azure.com/$metadata#Microsoft.Azure.Batch.Protocol.Entities.Container.errors/@Element',
    code: 'ServerBusy',
    message: {
      lang: 'en-US',
      value: 'The server is currently unable to receive requests.\nRequestId:1\nTime:2024-07-01T10:20:31Z',
    },
    values,
  });
  return { name: 'generated Azure Batch error body', body: encoder.encode(fault) };
}
