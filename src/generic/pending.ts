// The unfinished record of a generic stream, held between writes: the caller's chunk is never
// kept (it may be a read buffer the caller reuses), and writes of any size cost linear time and a
// few bytes of overhead per byte or character, never an object each.
import { BatchwireError } from '../core/errors.js';
import { MAX_STRING_LENGTH } from '../core/limits.js';

const EMPTY = new Uint8Array(0);
/** A buffer larger than this is let go after its record: one long record does not keep its size. */
const KEEP_BYTES = 128 * 1024;

/** Bytes of the unfinished record, copied into a buffer of our own that doubles when full. */
export class PendingBytes {
  bytes: Uint8Array = EMPTY;
  length = 0;

  /** Appends `data[from, from + count)`. */
  append(data: Uint8Array, from: number, count: number): void {
    if (count <= 0) return;
    const needed = this.length + count;
    if (needed > this.bytes.length) {
      const grown = new Uint8Array(Math.max(needed, 2 * this.bytes.length, 256));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    // A few bytes (a caller writing byte by byte) are cheaper copied one by one than through a view.
    if (count <= 16) for (let j = 0; j < count; j++) this.bytes[this.length + j] = data[from + j]!;
    else this.bytes.set(data.subarray(from, from + count), this.length);
    this.length = needed;
  }

  /** The bytes held, as a view. */
  view(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }

  /** The bytes held (a view), and the holder emptied for the next record. */
  take(): Uint8Array {
    const held = this.view();
    this.length = 0;
    if (this.bytes.length > KEEP_BYTES) this.bytes = EMPTY;
    return held;
  }
}

/**
 * Text of the unfinished record (string input), as pieces: short pieces are joined as they pile
 * up, so a record written a character at a time costs a few bytes per character, not a string each.
 */
export class PendingText {
  private pieces: string[] = [];
  private small: string[] = [];
  /** Characters held. */
  length = 0;

  hold(piece: string): void {
    if (piece.length === 0) return;
    this.length += piece.length;
    if (piece.length >= 4096) {
      this.flush();
      this.pieces.push(piece);
      return;
    }
    this.small.push(piece);
    if (this.small.length >= 256) this.flush();
  }

  /** The text held, joined once (and kept joined); `start` names the record in an error. */
  text(start: number): string {
    this.flush();
    if (this.length > MAX_STRING_LENGTH) {
      throw new BatchwireError(
        'LIMIT_EXCEEDED',
        `a record starting at offset ${start} is longer than a JavaScript string can be`,
        start,
      );
    }
    const text = this.pieces.length === 1 ? this.pieces[0]! : this.pieces.join('');
    this.pieces = [text];
    return text;
  }

  clear(): void {
    this.pieces = [];
    this.small = [];
    this.length = 0;
  }

  private flush(): void {
    if (this.small.length === 0) return;
    this.pieces.push(this.small.join(''));
    this.small = [];
  }
}

/** `a` then `b` in one array (`b` itself when `a` is empty). */
export function joinBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
