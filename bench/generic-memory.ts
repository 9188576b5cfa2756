// Memory stays bounded by the largest record: stream a generated body of 1 GiB (by default)
// through decodeGenericResponses and watch the heap. Run: npm run bench:memory [-- --mib N]
import { fileURLToPath } from 'node:url';
import { sampleGenericResponses } from '../src/arbitraries/samples.js';
import { decodeGenericResponses, encodeGenericResponses } from '../src/generic/index.js';
import { heapNow, peakWhileReading } from './heap.js';

const MiB = 1024 * 1024;

/** Streams about `mib` MiB of UTF-16LE records through the decoder; returns the heap growth seen. */
export async function measureMemory(
  mib: number,
): Promise<{ bytes: number; records: number; baseline: number; peak: number }> {
  // One encoded block of records (without its closing record), repeated: the decoder sees an
  // endless stream, the generator holds only the block.
  const pool = sampleGenericResponses(500, { seed: 7 });
  const whole = encodeGenericResponses(pool, { encoding: 'utf-16le' });
  const trailer = encodeGenericResponses([], { encoding: 'utf-16le', count: pool.length });
  const block = whole.subarray(0, whole.length - trailer.length);
  const repeats = Math.ceil((mib * MiB) / block.length);
  const total = repeats * pool.length;
  const closing = encodeGenericResponses([], { encoding: 'utf-16le', count: total });
  async function* body() {
    for (let i = 0; i < repeats; i++) {
      // Hand out 64 KiB pieces, as a socket would.
      for (let o = 0; o < block.length; o += 64 * 1024) yield block.subarray(o, o + 64 * 1024);
    }
    yield closing;
  }
  const baseline = heapNow();
  const { records, peak } = await peakWhileReading(decodeGenericResponses(body()), total, baseline);
  return { bytes: repeats * block.length + closing.length, records, baseline, peak };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const at = process.argv.indexOf('--mib');
  const mib = at > 0 ? Number(process.argv[at + 1]) : 1024;
  const started = performance.now();
  measureMemory(mib).then(({ bytes, records, peak }) => {
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(
      `streamed ${(bytes / MiB).toFixed(0)} MiB (${records.toLocaleString('en-US')} records) in ${seconds.toFixed(1)} s; ` +
        `peak heap growth over the start: ${(peak / MiB).toFixed(1)} MiB (bound: about 64 MiB)\n`,
    );
  });
}
