import iconv from 'iconv-lite';
import { sampleGenericResponses } from '../src/arbitraries/samples.js';
import { chunked, countSeparators, splitRecords } from '../src/cli/bench-cases.js';
import { encodeGenericResponses, GenericResponseDecoder } from '../src/generic/index.js';
import { type BenchCase, checkTarget, formatTable, runBench, speedRatio, suiteMain } from './harness.js';

const CHUNK = 64 * 1024;

/** A body of about `megabytes` MB in the given encoding. */
export function makeBody(
  megabytes: number,
  encoding: 'utf-8' | 'utf-16le',
): { body: Uint8Array; responses: number } {
  const pool = sampleGenericResponses(2000);
  const one = encodeGenericResponses(pool, { encoding });
  const perPool = one.length;
  const repeats = Math.max(1, Math.round((megabytes * 1e6) / perPool));
  const responses: typeof pool = [];
  for (let r = 0; r < repeats; r++) responses.push(...pool);
  return { body: encodeGenericResponses(responses, { encoding }), responses: responses.length };
}

function cases(chunks: Uint8Array[], encoding: 'utf-8' | 'utf-16le'): BenchCase[] {
  const buffers = chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength));
  return [
    {
      name: 'batchwire GenericResponseDecoder',
      run() {
        const decoder = new GenericResponseDecoder({ encoding });
        let n = 0;
        for (const chunk of chunks) n += decoder.write(chunk).length;
        return n + decoder.end().length;
      },
    },
    {
      name: '(a) TextDecoder stream + split',
      baseline: true,
      run() {
        const decoder = new TextDecoder(encoding);
        let carry = '';
        let n = 0;
        const count = (fields: string[]) => {
          if (fields.length > 0) n++;
        };
        for (const chunk of chunks)
          carry = splitRecords(decoder.decode(chunk, { stream: true }), carry, count);
        carry = splitRecords(decoder.decode(), carry, count);
        return n;
      },
    },
    {
      name: '(b) iconv-lite decoder + split',
      baseline: true,
      run() {
        const decoder = iconv.getDecoder(encoding === 'utf-8' ? 'utf8' : 'utf16le');
        let carry = '';
        let n = 0;
        const count = (fields: string[]) => {
          if (fields.length > 0) n++;
        };
        for (const chunk of buffers) carry = splitRecords(decoder.write(chunk), carry, count);
        carry = splitRecords(decoder.end() ?? '', carry, count);
        return n;
      },
    },
    {
      name: '(c) scan limit: count separators',
      baseline: true,
      run() {
        // The bound `batchwire bench FILE` reports too: the same scan.
        return countSeparators(chunks, encoding);
      },
    },
  ];
}

/** Runs the generic benchmark and returns the printed tables. */
export async function run(quick: boolean): Promise<string> {
  const megabytes = quick ? 10 : 100;
  const rounds = quick ? 3 : 7;
  const out: string[] = [];
  for (const encoding of ['utf-16le', 'utf-8'] as const) {
    const { body } = makeBody(megabytes, encoding);
    const chunks = chunked(body, CHUNK);
    // Quick rounds last milliseconds: a forced GC before each would dominate them (see collect).
    const results = await runBench(cases(chunks, encoding), { rounds, collect: !quick });
    const ours = 'batchwire GenericResponseDecoder';
    // Our speed relative to each baseline; the smaller ratio is the one against the faster baseline.
    const ratios = [
      speedRatio(results, ours, '(a) TextDecoder stream + split'),
      speedRatio(results, ours, '(b) iconv-lite decoder + split'),
    ];
    const vsFaster = Math.min(...ratios);
    const vsSlower = Math.max(...ratios);
    out.push(
      formatTable(
        `generic ${encoding}, 64 KiB chunks`,
        results,
        { bytes: body.length, itemName: 'records' },
        ours,
      ),
      `${checkTarget(`generic ${encoding}`, 'vs the faster of (a) TextDecoder+split, (b) iconv-lite+split', vsFaster, 1.0)}; vs the slower: ${vsSlower.toFixed(2)}x`,
      `${checkTarget(`generic ${encoding}`, 'vs (c) the scan limit', speedRatio(results, ours, '(c) scan limit: count separators'), 0.5)}\n`,
    );
  }
  return out.join('\n');
}

suiteMain(import.meta.url, run);
