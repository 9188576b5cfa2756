// Bodies `batchwire bench` generates when given no FILE (an installed package has no benchmark
// suite): the realistic samples of batchwire/arbitraries (the inputs of `npm run bench` too),
// deterministic, a few MB each, written with batchwire's own writers.
import { sampleFilters, sampleGenericResponses, sampleSoapMessages } from '../arbitraries/samples.js';
import { encodeGenericRequests, encodeGenericResponses } from '../generic/index.js';
import { writeMessageArray } from '../soap/index.js';
import type { BenchFormat } from './bench-cases.js';

const encoder = new TextEncoder();

// Repeats a pool of records until their encoding reaches about `target` bytes.
function repeated<T>(pool: T[], encodedSize: number, target: number): T[] {
  const records: T[] = [];
  for (let r = 0; r < Math.max(1, Math.round(target / encodedSize)); r++) records.push(...pool);
  return records;
}

/** A generated body of about `megabytes` MB in `format`, with a name for the report. */
export function generatedBody(format: BenchFormat, megabytes: number): { name: string; body: Uint8Array } {
  const target = megabytes * 1e6;
  if (format === 'generic' || format === 'generic-requests') {
    const pool = sampleGenericResponses(500, { seed: 7 });
    const perPool = encodeGenericResponses(pool, { encoding: 'utf-16le' }).length;
    const records = repeated(pool, perPool, target);
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
    const pool = sampleSoapMessages(500, { seed: 7 });
    const perPool = writeMessageArray(pool).length;
    const xml = writeMessageArray([...repeated(pool, perPool, target), { kind: 'end', reason: 'Success' }]);
    return { name: 'generated soap message array', body: encoder.encode(xml) };
  }
  if (format === 'filter') {
    // One filter per line; filters are short, so a twentieth of the size is plenty of them.
    const pool = sampleFilters(500, { seed: 7 }).map((f) => f.filter);
    const perPool = pool.join('\n').length + 1;
    const lines = repeated(pool, perPool, target / 20);
    return { name: 'generated $filter lines', body: encoder.encode(lines.join('\n')) };
  }
  const fault = JSON.stringify({
    'odata.metadata':
      'https://acct.westus.batch.azure.com/$metadata#Microsoft.Azure.Batch.Protocol.Entities.Container.errors/@Element',
    code: 'ServerBusy',
    message: {
      lang: 'en-US',
      value: 'The server is currently unable to receive requests.\nRequestId:1\nTime:2024-07-01T10:20:31Z',
    },
    values: [
      { key: 'Reason', value: 'The account is being throttled' },
      { key: 'RetryAfter', value: '5' },
    ],
  });
  return { name: 'generated Azure Batch error body', body: encoder.encode(fault) };
}
