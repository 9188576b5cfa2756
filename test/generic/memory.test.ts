// Memory follows what the caller keeps (issue 21, section 2): a field the caller keeps holds at
// most about twice its own characters alive (never the chunk it was decoded from), a record that
// arrives in tiny writes costs about 3x its size, and no decoder keeps the caller's chunk once
// `write` returns (a caller reusing one read buffer gets the right records).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { genericRequestsBody, genericResponsesBody, mutate, soapMessageArray } from 'batchwire/arbitraries';
import {
  decodeGenericRequests,
  decodeGenericResponses,
  encodeGenericRequests,
  encodeGenericResponses,
  GenericRequestDecoder,
  GenericResponseDecoder,
} from 'batchwire/generic';
import { MessageArrayReader, writeMessageArray } from 'batchwire/soap';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Push, run, splitAt } from '../support/chunks.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const MiB = 1024 * 1024;
const ACTION = 'http://hpc.microsoft.com/GenericService/IGenericService/GenericOperationResponse';

// Records of about 1 KB whose userData (18 characters) is long enough for V8 to slice.
function responses(count: number, from = 0) {
  return Array.from({ length: count }, (_, i) => ({
    action: ACTION,
    output: `result ${from + i} `.repeat(80).slice(0, 900),
    userData: `task-${String(from + i).padStart(8, '0')}-udata`,
  }));
}

// A body of `blocks` blocks of 1000 records, handed out in 64 KiB pieces (the generator holds
// one block of bytes at a time, as a socket would).
async function* body(encoding: 'utf-8' | 'utf-16le', blocks: number): AsyncGenerator<Uint8Array> {
  for (let b = 0; b < blocks; b++) {
    const bytes = encodeGenericResponses(responses(1000, b * 1000), { encoding, count: 0 });
    // Without its closing record (count 0 means the block's own closing record is cut off here).
    const end = bytes.length - encodeGenericResponses([], { encoding, count: 0 }).length;
    for (let o = 0; o < end; o += 64 * 1024) yield bytes.subarray(o, Math.min(end, o + 64 * 1024));
  }
  yield encodeGenericResponses([], { encoding, count: blocks * 1000 });
}

describe('what a kept field holds alive', () => {
  for (const encoding of ['utf-16le', 'utf-8'] as const) {
    it(`keeping only userData of ${encoding} records streamed from 64 KiB chunks holds about the userData (~20 MB body)`, async () => {
      const blocks = 20;
      const before = heap();
      const kept: string[] = [];
      for await (const record of decodeGenericResponses(body(encoding, blocks))) {
        if (record.kind === 'response') kept.push(record.userData);
      }
      const growth = heap() - before;
      expect(kept.length).toBe(blocks * 1000);
      expect(kept[12_345]).toBe('task-00012345-udata');
      // The same strings as flat copies of their own, measured alike.
      const flatBefore = heap();
      const flat = kept.map((s) => JSON.parse(JSON.stringify(s)) as string);
      const flatGrowth = heap() - flatBefore;
      expect(flat.length).toBe(kept.length);
      // Before: each kept userData held its 64 KiB chunk's decoded text (~20-40 MB here).
      expect(growth).toBeLessThan(2 * flatGrowth + 1 * MiB);
    });
  }

  it('keeping only the input of requests holds about the inputs', async () => {
    const requests = Array.from({ length: 20_000 }, (_, i) => ({
      input: `input-${String(i).padStart(10, '0')}`,
      userData: 'x'.repeat(1000),
    }));
    const bytes = encodeGenericRequests(requests, { encoding: 'utf-16le' });
    async function* chunks() {
      for (let o = 0; o < bytes.length; o += 64 * 1024) yield bytes.subarray(o, o + 64 * 1024);
    }
    const before = heap();
    const kept: string[] = [];
    for await (const request of decodeGenericRequests(chunks())) kept.push(request.input);
    const growth = heap() - before;
    expect(kept.length).toBe(20_000);
    // 20 000 strings of 16 characters: under 3 MB however they are held; the chunks were 40 MB.
    expect(growth).toBeLessThan(4 * MiB);
  });
});

describe('a record that arrives in tiny writes', () => {
  for (const encoding of ['utf-8', 'utf-16le'] as const) {
    it(`holds about its own size while it is pending (4 MiB ${encoding} record in 2-byte writes)`, () => {
      const output = 'y'.repeat(encoding === 'utf-8' ? 4 * MiB : 2 * MiB);
      const bytes = encodeGenericResponses([{ action: ACTION, output, userData: 'u' }], { encoding });
      const cut = bytes.length - encodeGenericResponses([], { encoding, count: 1 }).length - 1;
      const decoder = new GenericResponseDecoder();
      const before = heap();
      const buffer = new Uint8Array(2);
      let early = 0;
      const started = performance.now();
      for (let o = 0; o < cut; o += 2) {
        // One buffer, refilled for every write, as a read loop does.
        buffer[0] = bytes[o]!;
        buffer[1] = bytes[o + 1]!;
        early += decoder.write(buffer.subarray(0, Math.min(2, cut - o))).length;
      }
      const ms = performance.now() - started;
      const pending = heap() - before;
      expect(early).toBe(0);
      // Linear, a fraction of a microsecond a write (before: 152 s for a 64 MiB record).
      expect(ms).toBeLessThan(10_000);
      // Before: a string per write, about 130 MiB for an 8 MiB record.
      expect(pending).toBeLessThan(2.5 * cut);
      const rest = [...decoder.write(bytes.subarray(cut)), ...decoder.end()];
      expect(rest).toHaveLength(2);
      expect(rest[0]).toEqual({ kind: 'response', action: ACTION, output, userData: 'u' });
    });
  }

  it('string input written a character at a time is held as a few strings, not one per write', () => {
    const record = `${ACTION}\uffff${'z'.repeat(1_000_000)}\uffffu`;
    const decoder = new GenericResponseDecoder();
    const before = heap();
    for (let i = 0; i < record.length; i++) decoder.write(record[i]!);
    const pending = heap() - before;
    expect(pending).toBeLessThan(6 * record.length);
    expect(decoder.write('\u0000')).toEqual([
      { kind: 'response', action: ACTION, output: 'z'.repeat(1_000_000), userData: 'u' },
    ]);
  });
});

describe("the caller's buffer is the caller's once write returns", () => {
  // Writes `bytes` through one buffer the caller refills for every write, `size` bytes at a time.
  function throughOneBuffer<T>(
    decoder: { write(c: Uint8Array): T[]; end(): T[] },
    bytes: Uint8Array,
    size: number,
  ) {
    const buffer = new Uint8Array(size);
    const out: T[] = [];
    for (let o = 0; o < bytes.length; o += size) {
      const n = Math.min(size, bytes.length - o);
      buffer.set(bytes.subarray(o, o + n));
      out.push(...decoder.write(buffer.subarray(0, n)));
      buffer.fill(0xee);
    }
    out.push(...decoder.end());
    return out;
  }

  const records = [
    { action: 'http://a/b', output: 'größer 🚀', userData: 'u1' },
    { action: 'http://a/b', output: '', userData: 'u2' },
  ];

  for (const size of [1, 2, 3, 5]) {
    for (const encoding of ['utf-8', 'utf-16le', 'utf-16be'] as const) {
      it(`generic responses, ${encoding}, ${size}-byte writes`, () => {
        const bytes = encodeGenericResponses(records, { encoding, bom: size === 1 });
        const got = throughOneBuffer(new GenericResponseDecoder(), bytes, size);
        expect(got.slice(0, 2)).toEqual(records.map((r) => ({ kind: 'response', ...r })));
        expect(got[2]).toMatchObject({ kind: 'end', count: 2 });
      });
    }
    it(`generic requests, ${size}-byte writes`, () => {
      const requests = [{ input: 'hé', userData: 'x' }];
      const bytes = encodeGenericRequests(requests, { encoding: 'utf-8' });
      expect(throughOneBuffer(new GenericRequestDecoder(), bytes, size)).toEqual(requests);
    });
    it(`SOAP message arrays (the shared text stream), ${size}-byte writes`, () => {
      const bytes = new TextEncoder().encode(
        writeMessageArray([
          { action: 'urn:a', userData: 'é', body: { name: 'R', namespace: 'urn:n', result: '1' } },
          { kind: 'end', reason: 'Success' },
        ]),
      );
      const got = throughOneBuffer(new MessageArrayReader(), bytes, size);
      expect(got.map((r) => r.kind)).toEqual(['response', 'end']);
    });
  }

  it('an async source that hands out the same buffer each time', async () => {
    const bytes = encodeGenericResponses(records, { encoding: 'utf-16le' });
    const buffer = new Uint8Array(1);
    async function* reads() {
      for (let o = 0; o < bytes.length; o += 1) {
        const n = 1;
        buffer.set(bytes.subarray(o, o + n));
        yield buffer.subarray(0, n);
        buffer.fill(0);
      }
    }
    const got = [];
    for await (const record of decodeGenericResponses(reads())) got.push(record);
    expect(got).toHaveLength(3);
    expect(got[0]).toEqual({ kind: 'response', ...records[0] });
  });
});

// The class, not the example: any body (valid or broken), any cut points, any decoder. A caller
// that reuses one buffer (and scribbles over it after each write) gets exactly what a caller that
// hands over fresh copies gets: the same records, the same error at the same offset.
describe("the caller's buffer, as a property", () => {
  function outcome<T>(decoder: Push<T>, bytes: Uint8Array, cuts: number[], reuse: boolean) {
    const buffer = new Uint8Array(bytes.length + 1);
    const pieces = splitAt(bytes, cuts);
    return run(
      decoder,
      (function* () {
        for (const piece of pieces) {
          if (!reuse) {
            yield piece.slice();
            continue;
          }
          buffer.fill(0xee);
          buffer.set(piece);
          yield buffer.subarray(0, piece.length);
          // What a read loop does to its buffer before the next read.
          buffer.fill(0);
        }
      })(),
    );
  }

  const cuts = fc.array(fc.nat({ max: 600 }), { maxLength: 40 });
  const encodings = ['generic-utf-8', 'generic-utf-16le', 'generic-utf-16be'] as const;
  const responseBodies = fc.oneof(
    genericResponsesBody().map((b) => b.bytes),
    ...encodings.map((format) =>
      mutate(
        format,
        genericResponsesBody({ encodings: [format.slice(8) as 'utf-8'] }).map((b) => b.bytes),
      ).map((m) => m.bytes),
    ),
  );

  it('generic responses: reused buffer = fresh copies, for any body and any cuts', () => {
    fc.assert(
      fc.property(responseBodies, cuts, (bytes, at) => {
        expect(outcome(new GenericResponseDecoder(), bytes, at, true)).toEqual(
          outcome(new GenericResponseDecoder(), bytes, at, false),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('generic requests: reused buffer = fresh copies, for any body and any cuts', () => {
    const bodies = fc.oneof(
      genericRequestsBody().map((b) => b.bytes),
      mutate(
        'generic-utf-16le',
        genericRequestsBody({ encodings: ['utf-16le'] }).map((b) => b.bytes),
      ).map((m) => m.bytes),
    );
    fc.assert(
      fc.property(bodies, cuts, (bytes, at) => {
        expect(outcome(new GenericRequestDecoder(), bytes, at, true)).toEqual(
          outcome(new GenericRequestDecoder(), bytes, at, false),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('SOAP message arrays: reused buffer = fresh copies, for any body and any cuts', () => {
    const encoder = new TextEncoder();
    const bodies = fc.oneof(
      soapMessageArray().map((m) => encoder.encode(m.xml)),
      mutate(
        'xml',
        soapMessageArray().map((m) => encoder.encode(m.xml)),
      ).map((m) => m.bytes),
    );
    fc.assert(
      fc.property(bodies, cuts, (bytes, at) => {
        expect(outcome(new MessageArrayReader(), bytes, at, true)).toEqual(
          outcome(new MessageArrayReader(), bytes, at, false),
        );
      }),
      { numRuns: 150 },
    );
  });
});
