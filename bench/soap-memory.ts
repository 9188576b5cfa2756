// Memory stays bounded by one envelope: stream a generated SOAP message array of 400 MiB (by
// default) through readMessageArray and watch the heap. Run: npm run bench:memory:soap [-- --mib N]
import { fileURLToPath } from 'node:url';
import { sampleSoapMessages } from '../src/arbitraries/samples.js';
import { readMessageArray, writeMessageArray } from '../src/soap/index.js';
import { heapNow, peakWhileReading } from './heap.js';

const MiB = 1024 * 1024;

/** Streams about `mib` MiB of envelopes through the reader; returns the heap growth seen. */
export async function measureSoapMemory(
  mib: number,
): Promise<{ bytes: number; records: number; peak: number }> {
  // One block of envelopes, repeated between the root's tags: the reader sees one endless array,
  // the generator holds only the block.
  const pool = sampleSoapMessages(500, { seed: 3 });
  const whole = writeMessageArray(pool);
  const block = new TextEncoder().encode(whole.slice(whole.indexOf('<s:Envelope'), whole.lastIndexOf('</')));
  const repeats = Math.ceil((mib * MiB) / block.length);
  const total = repeats * pool.length;
  const end = writeMessageArray([{ kind: 'end', count: total }]);
  const closing = new TextEncoder().encode(`${end.slice(end.indexOf('<s:Envelope'))}`);
  async function* body() {
    yield new TextEncoder().encode('<HPCPack2008_WebAPI_MessageArray>');
    for (let i = 0; i < repeats; i++) {
      for (let o = 0; o < block.length; o += 64 * 1024) yield block.subarray(o, o + 64 * 1024);
    }
    yield closing;
  }
  const baseline = heapNow();
  const { records, peak } = await peakWhileReading(readMessageArray(body()), total, baseline);
  return { bytes: repeats * block.length + closing.length, records, peak };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const at = process.argv.indexOf('--mib');
  const mib = at > 0 ? Number(process.argv[at + 1]) : 400;
  const started = performance.now();
  measureSoapMemory(mib).then(({ bytes, records, peak }) => {
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(
      `streamed ${(bytes / MiB).toFixed(0)} MiB of SOAP (${records.toLocaleString('en-US')} records) in ${seconds.toFixed(1)} s; ` +
        `peak heap growth over the start: ${(peak / MiB).toFixed(1)} MiB (one envelope here is under 4 KiB)\n`,
    );
  });
}
