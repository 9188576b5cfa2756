import { isBatchwireError } from 'batchwire';

/** A push decoder, as every batchwire streaming codec offers one. */
export interface Push<T> {
  write(chunk: Uint8Array | string): T[];
  end(): T[];
}

/** What a run of a decoder produced: the records, and the error that stopped it, if any. */
export interface Outcome<T> {
  records: T[];
  error?: { code: string; offset: number };
}

/**
 * Feeds `chunks` to a fresh decoder and collects records and the error. A foreign error (not a
 * BatchwireError) is rethrown so the test fails on it.
 */
export function run<T>(decoder: Push<T>, chunks: Iterable<Uint8Array | string>): Outcome<T> {
  const records: T[] = [];
  try {
    for (const chunk of chunks) records.push(...decoder.write(chunk));
    records.push(...decoder.end());
    return { records };
  } catch (error) {
    if (!isBatchwireError(error)) throw error;
    return { records, error: { code: error.code, offset: error.offset } };
  }
}

/** `bytes` split at the given cut points (sorted, deduplicated, clamped). */
export function splitAt<T extends Uint8Array | string>(data: T, cuts: number[]): T[] {
  const points = [...new Set(cuts.map((c) => Math.max(0, Math.min(data.length, c))))].sort((a, b) => a - b);
  const pieces: T[] = [];
  let last = 0;
  for (const point of [...points, data.length]) {
    pieces.push(data.slice(last, point) as T);
    last = point;
  }
  return pieces;
}

/** `data` in pieces of `size` units. */
export function chunksOfSize<T extends Uint8Array | string>(data: T, size: number): T[] {
  const pieces: T[] = [];
  for (let i = 0; i < data.length; i += size) pieces.push(data.slice(i, i + size) as T);
  if (pieces.length === 0) pieces.push(data.slice(0, 0) as T);
  return pieces;
}

export function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** Every item of an async iterable or a `ReadableStream`, in order. */
export async function collect<T>(source: AsyncIterable<T> | ReadableStream<T>): Promise<T[]> {
  const out: T[] = [];
  if ('getReader' in source) {
    const reader = source.getReader();
    for (let next = await reader.read(); !next.done; next = await reader.read()) out.push(next.value);
    return out;
  }
  for await (const item of source) out.push(item);
  return out;
}
