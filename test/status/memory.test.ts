// Memory follows what the caller keeps (issue 21, section 2), for the status and list page
// parsers: a kept field holds about its own characters, never the page it came from. (The
// engine's JSON.parse makes fresh strings; this holds it to that, bytes and text input alike.)
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseJobListPage, parseTaskListPage } from 'batchwire/status';
import { describe, expect, it } from 'vitest';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function page(p: number): string {
  const items = Array.from({ length: 300 }, (_, i) => ({
    id: `job-${String(p * 1000 + i).padStart(10, '0')}`,
    displayName: 'x'.repeat(400),
    state: 'active',
    executionInfo: { poolId: `pool-${'y'.repeat(100)}` },
  }));
  return JSON.stringify({ value: items, 'odata.nextLink': `https://b/jobs?$skiptoken=${p}` });
}

describe('what a field kept from a page holds alive', () => {
  for (const form of ['text', 'bytes'] as const) {
    it(`ids kept from 100 pages of ${form} (15 MB) hold about the ids`, () => {
      const before = heap();
      const kept: string[] = [];
      for (let p = 0; p < 100; p++) {
        const text = page(p);
        const body = form === 'text' ? text : new TextEncoder().encode(text);
        for (const job of parseJobListPage(body).items) kept.push(job.id!);
      }
      const growth = heap() - before;
      expect(kept).toHaveLength(30_000);
      const flatBefore = heap();
      const flat = kept.map((s) => JSON.parse(JSON.stringify(s)) as string);
      const flatGrowth = heap() - flatBefore;
      expect(flat[12_345]).toBe(kept[12_345]);
      expect(growth).toBeLessThan(2 * flatGrowth + 1024 * 1024);
    });
  }

  it('nextLink and task fields alike', () => {
    const before = heap();
    const kept: string[] = [];
    for (let p = 0; p < 50; p++) kept.push(parseTaskListPage(page(p)).nextLink!);
    expect(heap() - before).toBeLessThan(1024 * 1024);
    expect(kept[7]).toBe('https://b/jobs?$skiptoken=7');
  });
});
