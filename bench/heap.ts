// The memory benches' one measurement: read a record stream to its end and sample the heap.

/** Heap plus ArrayBuffer bytes in use, after a collection when `--expose-gc` is on. */
export function heapNow(): number {
  (globalThis as { gc?: () => void }).gc?.();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/**
 * Reads every record, checking that the closing record counted `total`; returns how many were
 * read and the peak growth over `baseline`, sampled every 16 384 records.
 */
export async function peakWhileReading(
  records: AsyncIterable<{ kind: string; received?: number }>,
  total: number,
  baseline: number,
): Promise<{ records: number; peak: number }> {
  let peak = 0;
  let count = 0;
  for await (const record of records) {
    count++;
    if (record.kind === 'end' && record.received !== total) throw new Error('lost records');
    if ((count & 0x3fff) === 0) {
      const usage = process.memoryUsage();
      peak = Math.max(peak, usage.heapUsed + usage.arrayBuffers - baseline);
    }
  }
  return { records: count, peak };
}
