// A compact, append-only store of byte records: records are packed into Buffers (memory outside
// the JS heap) and indexed by typed arrays, so a batch of a million responses costs a few bytes
// of heap per record, not a million objects. A record never spans two blocks, so a run of
// records in one block is one contiguous byte range and can be written to a socket as it is.

const FIRST_BLOCK = 4 * 1024;
const MAX_BLOCK = 1024 * 1024;

/** Bytes as text: how a log encodes the strings it is given. */
export type LogEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

function grow<T extends Uint32Array | Uint8Array>(array: T, needed: number): T {
  if (needed <= array.length) return array;
  const next = new (array.constructor as new (n: number) => T)(Math.max(needed, array.length * 2));
  next.set(array);
  return next;
}

/** Byte length of `text` in `encoding`. */
export function byteLength(text: string, encoding: LogEncoding): number {
  return encoding === 'utf-8' ? Buffer.byteLength(text, 'utf8') : text.length * 2;
}

/**
 * Writes `text` into `target` at `offset` in `encoding` and returns the bytes written. UTF-16
 * keeps every code unit as it is (a lone surrogate included, as .NET strings may carry one).
 */
export function writeText(target: Buffer, offset: number, text: string, encoding: LogEncoding): number {
  if (encoding === 'utf-8') return target.write(text, offset, 'utf8');
  const written = target.write(text, offset, 'utf16le');
  if (encoding === 'utf-16be') target.subarray(offset, offset + written).swap16();
  return written;
}

/** `text` as bytes in `encoding`. */
export function encodeText(text: string, encoding: LogEncoding): Buffer {
  const out = Buffer.allocUnsafe(byteLength(text, encoding));
  writeText(out, 0, text, encoding);
  return out;
}

/** Bytes in `encoding` as text. */
export function decodeText(bytes: Uint8Array, encoding: LogEncoding): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (encoding === 'utf-8') return buffer.toString('utf8');
  if (encoding === 'utf-16le') return buffer.toString('utf16le');
  return Buffer.from(buffer).swap16().toString('utf16le');
}

export class RecordLog {
  private blocks: Buffer[] = [];
  private used = 0;
  private blockOf = new Uint32Array(16);
  private startOf = new Uint32Array(16);
  private endOf = new Uint32Array(16);
  /** The first record of each block: a block holds the records up to the next one's first. */
  private firstOf: number[] = [];
  private count = 0;

  constructor(readonly encoding: LogEncoding) {}

  get length(): number {
    return this.count;
  }

  /** Appends `text` as one record. */
  append(text: string): void {
    const size = byteLength(text, this.encoding);
    let block = this.blocks[this.blocks.length - 1];
    if (block === undefined || this.used + size > block.length) {
      const last = block?.length ?? FIRST_BLOCK / 2;
      block = Buffer.allocUnsafe(Math.max(size, Math.min(MAX_BLOCK, last * 2)));
      this.blocks.push(block);
      this.firstOf.push(this.count);
      this.used = 0;
    }
    const n = this.count;
    this.blockOf = grow(this.blockOf, n + 1);
    this.startOf = grow(this.startOf, n + 1);
    this.endOf = grow(this.endOf, n + 1);
    this.blockOf[n] = this.blocks.length - 1;
    this.startOf[n] = this.used;
    this.used += writeText(block, this.used, text, this.encoding);
    this.endOf[n] = this.used;
    this.count = n + 1;
  }

  /** The bytes of record `i`. */
  bytes(i: number): Buffer {
    return this.blocks[this.blockOf[i]!]!.subarray(this.startOf[i]!, this.endOf[i]!);
  }

  /** The text of record `i`. */
  text(i: number): string {
    return decodeText(this.bytes(i), this.encoding);
  }

  /**
   * Records `from` to `to` (exclusive) as runs of contiguous bytes: each run lies in one block,
   * with the end offset of every record in it, relative to the run's first byte.
   */
  *runs(from: number, to: number): Generator<{ bytes: Buffer; ends: () => Uint32Array; first: number }> {
    let i = from;
    while (i < to) {
      const block = this.blockOf[i]!;
      // Where the block's records end: one lookup per block, not a step per record.
      const j = Math.min(to, this.firstOf[block + 1] ?? this.count);
      const base = this.startOf[i]!;
      const first = i;
      const last = j;
      const endOf = this.endOf;
      // Computed only when a fault needs record positions: the plain stream never does.
      const ends = () => {
        const out = new Uint32Array(last - first);
        for (let k = first; k < last; k++) out[k - first] = endOf[k]! - base;
        return out;
      };
      yield { bytes: this.blocks[block]!.subarray(base, this.endOf[j - 1]!), ends, first };
      i = j;
    }
  }

  /** Forgets records from `n` on (a Send Requests body that failed half-way is rolled back). */
  truncate(n: number): void {
    if (n >= this.count) return;
    if (n === 0) {
      this.clear();
      return;
    }
    const block = this.blockOf[n - 1]!;
    this.blocks.length = block + 1;
    this.firstOf.length = block + 1;
    this.used = this.endOf[n - 1]!;
    this.count = n;
  }

  /** Forgets every record and releases the memory. */
  clear(): void {
    this.blocks = [];
    this.firstOf = [];
    this.used = 0;
    this.count = 0;
    this.blockOf = new Uint32Array(16);
    this.startOf = new Uint32Array(16);
    this.endOf = new Uint32Array(16);
  }
}
