// The generic decoders beside a hand-tuned indexOf loop, per record shape (tiny, 1 KB, 1 MB
// records) and encoding, in memory (decodeGenericBody, and one write of the whole body) and
// streaming (64 KiB writes), in the same run. The loop decodes with the fastest the platform has
// (Node's Buffer for UTF-16, TextDecoder for UTF-8), finds each record's U+0000 and two U+FFFF
// with indexOf and slices the fields; a second loop also copies the fields batchwire copies (what
// keeping memory in proportion to what the caller keeps costs). Run: npm run bench:generic-shapes.
import { sampleGenericResponses } from '../src/arbitraries/samples.js';
import { decodeGenericBody, encodeGenericResponses, GenericResponseDecoder } from '../src/generic/index.js';
import { type BenchCase, checkTarget, formatTable, runBench, speedRatio, suiteMain } from './harness.js';

type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be';
type Shape = 'tiny' | '1 KB' | '1 MB';
interface Response {
  kind: 'response';
  action: string;
  output: string;
  userData: string;
}

const CHUNK = 64 * 1024;
const SEP = '\uffff';
const ACTION = 'http://hpc.microsoft.com/GenericService/IGenericService/GenericOperationResponse';

/** About `megabytes` MB of records of one shape, in `encoding`. */
function body(shape: Shape, encoding: Encoding, megabytes: number): Uint8Array {
  const pool = sampleGenericResponses(2000);
  const unit = encoding === 'utf-8' ? 1 : 2;
  const records: { action: string; output: string; userData: string }[] = [];
  let size = 0;
  for (let i = 0; size < megabytes * 1e6; i++) {
    let record: { action: string; output: string; userData: string };
    if (shape === 'tiny') record = { action: 'a', output: String(i % 100), userData: '' };
    else {
      const length = shape === '1 KB' ? 900 : 1_000_000;
      let output = '';
      for (let k = i; output.length < length; k++) output += `${pool[k % pool.length]!.output} `;
      // Cut on a character (the samples hold astral emoji).
      output = output.slice(0, length).replace(/[\ud800-\udbff]$/, 'x');
      record = { action: ACTION, output, userData: `task-${i}` };
    }
    records.push(record);
    size += (record.action.length + record.output.length + record.userData.length + 3) * unit;
  }
  return encodeGenericResponses(records, { encoding });
}

// The platform's fastest whole decode: Node's Buffer copies UTF-16LE at memcpy speed.
function decodeAll(bytes: Uint8Array, encoding: Encoding): string {
  if (encoding === 'utf-8') return new TextDecoder().decode(bytes);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (encoding === 'utf-16le') return buffer.toString('utf16le');
  const swapped = Buffer.from(buffer);
  swapped.swap16();
  return swapped.toString('utf16le');
}

/** A streaming decode with the same primitives: an odd UTF-16 byte waits for the next chunk. */
function chunkDecoder(encoding: Encoding): (chunk: Uint8Array) => string {
  if (encoding === 'utf-8') {
    const decoder = new TextDecoder();
    return (chunk) => decoder.decode(chunk, { stream: true });
  }
  let odd: number | undefined;
  return (chunk) => {
    let buffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (odd !== undefined) buffer = Buffer.concat([Buffer.from([odd]), buffer]);
    odd = buffer.length & 1 ? buffer[buffer.length - 1] : undefined;
    if (odd !== undefined) buffer = buffer.subarray(0, buffer.length - 1);
    if (encoding === 'utf-16be') {
      buffer = Buffer.from(buffer);
      buffer.swap16();
    }
    return buffer.toString('utf16le');
  };
}

// What batchwire does to a field V8 would slice (13+ characters, under half of its string).
function copied(field: string, parent: number): string {
  return field.length < 13 || field.length * 2 >= parent ? field : `\u0000${field}`.slice(1);
}

/**
 * The hand-tuned loop over `text`: each record's U+0000, then its two U+FFFF, fields sliced (or
 * copied). Returns where the unfinished record starts.
 */
function loop(text: string, from: number, emit: (r: Response) => void, copy: boolean): number {
  let pos = from;
  const parent = copy ? text.length : 0;
  for (;;) {
    const stop = text.indexOf('\u0000', pos);
    if (stop < 0) return pos;
    const a = text.indexOf(SEP, pos);
    const b = text.indexOf(SEP, a + 1);
    emit({
      kind: 'response',
      action: copied(text.slice(pos, a), parent),
      output: copied(text.slice(a + 1, b), parent),
      userData: copied(text.slice(b + 1, stop), parent),
    });
    pos = stop + 1;
  }
}

function streamingLoop(chunks: Uint8Array[], encoding: Encoding, copy: boolean): number {
  const decode = chunkDecoder(encoding);
  let n = 0;
  const count = () => {
    n++;
  };
  let pieces: string[] = [];
  for (const chunk of chunks) {
    const text = decode(chunk);
    let from = 0;
    if (pieces.length > 0) {
      const stop = text.indexOf('\u0000');
      if (stop < 0) {
        pieces.push(text);
        continue;
      }
      pieces.push(text.slice(0, stop + 1));
      loop(pieces.join(''), 0, count, copy);
      pieces = [];
      from = stop + 1;
    }
    const rest = loop(text, from, count, copy);
    if (rest < text.length) pieces.push(text.slice(rest));
  }
  return n;
}

function cases(bytes: Uint8Array, encoding: Encoding): BenchCase[] {
  const chunks: Uint8Array[] = [];
  for (let o = 0; o < bytes.length; o += CHUNK) chunks.push(bytes.subarray(o, o + CHUNK));
  return [
    {
      name: 'hand loop, in memory',
      baseline: true,
      run() {
        const kept: Response[] = [];
        loop(decodeAll(bytes, encoding), 0, (r) => kept.push(r), false);
        return kept.length;
      },
    },
    { name: 'decodeGenericBody', run: () => decodeGenericBody(bytes).responses.length },
    {
      name: 'GenericResponseDecoder, one write',
      run() {
        const decoder = new GenericResponseDecoder();
        const kept = decoder.write(bytes);
        return kept.length + decoder.end().length - 1;
      },
    },
    { name: 'hand loop, 64 KiB chunks', baseline: true, run: () => streamingLoop(chunks, encoding, false) },
    {
      name: 'hand loop, 64 KiB chunks, fields copied',
      baseline: true,
      run: () => streamingLoop(chunks, encoding, true),
    },
    {
      name: 'GenericResponseDecoder, 64 KiB writes',
      run() {
        const decoder = new GenericResponseDecoder();
        let n = 0;
        for (const chunk of chunks) n += decoder.write(chunk).length;
        return n + decoder.end().length - 1;
      },
    },
  ];
}

function selected(variable: string, value: string): boolean {
  const list = process.env[variable];
  return list === undefined || list.split(',').includes(value);
}

/** Runs every shape and encoding; returns the printed tables. */
export async function run(quick: boolean): Promise<string> {
  const megabytes = quick ? 4 : 32;
  const rounds = quick ? 3 : 5;
  const out: string[] = [];
  // BENCH_SHAPES / BENCH_ENCODINGS (comma-separated) narrow a run to some cases.
  const shapes = (['tiny', '1 KB', '1 MB'] as const).filter((s) => selected('BENCH_SHAPES', s));
  const encodings = (['utf-8', 'utf-16le', 'utf-16be'] as const).filter((e) =>
    selected('BENCH_ENCODINGS', e),
  );
  for (const shape of shapes) {
    for (const encoding of encodings) {
      const bytes = body(shape, encoding, megabytes);
      const results = await runBench(cases(bytes, encoding), { rounds, collect: !quick });
      const title = `generic ${shape} records, ${encoding}`;
      const memory = speedRatio(results, 'decodeGenericBody', 'hand loop, in memory');
      const oneWrite = speedRatio(results, 'GenericResponseDecoder, one write', 'hand loop, in memory');
      const streaming = speedRatio(
        results,
        'GenericResponseDecoder, 64 KiB writes',
        'hand loop, 64 KiB chunks',
      );
      const copying = speedRatio(
        results,
        'hand loop, 64 KiB chunks, fields copied',
        'hand loop, 64 KiB chunks',
      );
      out.push(
        formatTable(title, results, { bytes: bytes.length, itemName: 'records' }, 'hand loop, in memory'),
        checkTarget(title, 'decodeGenericBody vs the hand loop in memory', memory, 0.9),
        checkTarget(title, '64 KiB writes vs the hand loop on 64 KiB chunks', streaming, 0.9),
        `one write of the whole body vs the hand loop in memory: ${oneWrite.toFixed(2)}x; ` +
          `copying the fields batchwire copies costs the hand loop ${copying.toFixed(2)}x of its speed\n`,
      );
    }
  }
  return out.join('\n');
}

suiteMain(import.meta.url, run);
