// Memory follows what the caller keeps: three measurements of the generic decoder's heap.
//  - stream: about 1 GiB of records streamed, nothing kept: the heap's peak growth (bounded by
//    one record, not the body);
//  - kept: 256 MiB of records streamed in 64 KiB chunks, only each record's userData kept: the
//    heap they hold, beside the same strings as flat copies (before: about twice the body);
//  - tiny: one 8 MiB record written 2 bytes at a time through one reused buffer: the heap while
//    it is pending, and the time (before: 130 MiB of heap; 64 MiB took 152 s).
// Run: npm run bench:memory [-- --case stream|kept|tiny] [--mib N]
import { fileURLToPath } from 'node:url';
import { sampleGenericResponses } from '../src/arbitraries/samples.js';
import {
  decodeGenericResponses,
  encodeGenericResponses,
  GenericResponseDecoder,
} from '../src/generic/index.js';
import { heapNow, peakWhileReading } from './heap.js';

const MiB = 1024 * 1024;

// One encoded block of records (without its closing record), repeated: the decoder sees an
// endless stream, the generator holds only the block. Handed out in 64 KiB pieces, as a socket would.
function repeated(records: { action: string; output: string; userData: string }[], mib: number) {
  const whole = encodeGenericResponses(records, { encoding: 'utf-16le' });
  const trailer = encodeGenericResponses([], { encoding: 'utf-16le', count: records.length });
  const block = whole.subarray(0, whole.length - trailer.length);
  const repeats = Math.ceil((mib * MiB) / block.length);
  const total = repeats * records.length;
  const closing = encodeGenericResponses([], { encoding: 'utf-16le', count: total });
  async function* body() {
    for (let i = 0; i < repeats; i++) {
      for (let o = 0; o < block.length; o += 64 * 1024) yield block.subarray(o, o + 64 * 1024);
    }
    yield closing;
  }
  return { body, total, bytes: repeats * block.length + closing.length };
}

/** Streams about `mib` MiB of UTF-16LE records through the decoder; returns the heap growth seen. */
export async function measureMemory(
  mib: number,
): Promise<{ bytes: number; records: number; baseline: number; peak: number }> {
  const { body, total, bytes } = repeated(sampleGenericResponses(500, { seed: 7 }), mib);
  const baseline = heapNow();
  const { records, peak } = await peakWhileReading(decodeGenericResponses(body()), total, baseline);
  return { bytes, records, baseline, peak };
}

/**
 * Streams about `mib` MiB of records and keeps only each record's userData (18 characters, so V8
 * would slice it): the heap they hold, and the heap of the same strings as flat copies.
 */
export async function measureKept(
  mib: number,
): Promise<{ bytes: number; kept: number; held: number; flat: number }> {
  const records = sampleGenericResponses(500, { seed: 7 }).map((r, i) => ({
    ...r,
    userData: `task-${String(i).padStart(8, '0')}-udata`,
  }));
  const { body, bytes } = repeated(records, mib);
  const before = heapNow();
  const kept: string[] = [];
  for await (const record of decodeGenericResponses(body()))
    if (record.kind === 'response') kept.push(record.userData);
  const held = heapNow() - before;
  const flatBefore = heapNow();
  const flat = kept.map((s) => JSON.parse(JSON.stringify(s)) as string);
  const flatHeld = heapNow() - flatBefore;
  if (flat.length !== kept.length) throw new Error('lost records');
  return { bytes, kept: kept.length, held, flat: flatHeld };
}

/** One record of about `mib` MiB written 2 bytes at a time through one reused buffer. */
export function measureTinyWrites(mib: number): { bytes: number; pending: number; ms: number } {
  const output = 'y'.repeat((mib * MiB) / 2);
  const bytes = encodeGenericResponses([{ action: 'http://a/b', output, userData: 'u' }], {
    encoding: 'utf-16le',
  });
  const decoder = new GenericResponseDecoder({ maxRecordBytes: Infinity });
  const buffer = new Uint8Array(2);
  const before = heapNow();
  const started = performance.now();
  // Everything but the record's terminator and the closing record, which come in one last write.
  const cut = bytes.length - encodeGenericResponses([], { encoding: 'utf-16le', count: 1 }).length - 2;
  for (let o = 0; o < cut; o += 2) {
    buffer[0] = bytes[o]!;
    buffer[1] = bytes[o + 1]!;
    decoder.write(buffer);
  }
  const pending = heapNow() - before;
  const records = [...decoder.write(bytes.subarray(cut)), ...decoder.end()];
  const ms = performance.now() - started;
  if (records.length !== 2 || (records[0] as { output?: string }).output !== output)
    throw new Error('wrong record');
  return { bytes: cut, pending, ms };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const option = (name: string) => {
    const at = process.argv.indexOf(`--${name}`);
    return at > 0 ? process.argv[at + 1] : undefined;
  };
  const only = option('case');
  const mib = option('mib');
  const run = async () => {
    if (only === undefined || only === 'stream') {
      const started = performance.now();
      const { bytes, records, peak } = await measureMemory(mib ? Number(mib) : 1024);
      const seconds = (performance.now() - started) / 1000;
      process.stdout.write(
        `stream: ${(bytes / MiB).toFixed(0)} MiB (${records.toLocaleString('en-US')} records) in ${seconds.toFixed(1)} s; ` +
          `peak heap growth over the start: ${(peak / MiB).toFixed(1)} MiB (bound: about 64 MiB)\n`,
      );
    }
    if (only === undefined || only === 'kept') {
      const { bytes, kept, held, flat } = await measureKept(mib ? Number(mib) : 256);
      process.stdout.write(
        `kept: userData of ${kept.toLocaleString('en-US')} records from ${(bytes / MiB).toFixed(0)} MiB in 64 KiB chunks holds ` +
          `${(held / MiB).toFixed(1)} MiB of heap; the same strings as flat copies ${(flat / MiB).toFixed(1)} MiB (${(held / Math.max(flat, 1)).toFixed(2)}x)\n`,
      );
    }
    if (only === undefined || only === 'tiny') {
      const { bytes, pending, ms } = measureTinyWrites(mib ? Number(mib) : 8);
      process.stdout.write(
        `tiny: a ${(bytes / MiB).toFixed(0)} MiB record in ${(bytes / 2).toLocaleString('en-US')} 2-byte writes: ` +
          `${(pending / MiB).toFixed(1)} MiB of heap while pending (${(pending / bytes).toFixed(2)}x the record), ${(ms / 1000).toFixed(1)} s\n`,
      );
    }
  };
  void run();
}
