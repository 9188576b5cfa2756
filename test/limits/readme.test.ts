// The README's "Limits" section lists every key of DEFAULT_LIMITS with its default, and nothing
// that is not one: this keeps the two in step when a limit is added or changed.
import { readFileSync } from 'node:fs';
import { DEFAULT_LIMITS } from 'batchwire';
import { describe, expect, it } from 'vitest';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

// 64 MiB, 32 768, 8192: how the README writes a default.
function written(value: number): string {
  const MiB = 1024 * 1024;
  if (value >= MiB && value % MiB === 0) return `${value / MiB} MiB`;
  return value >= 10_000 ? value.toLocaleString('en-US').replaceAll(',', ' ') : String(value);
}

describe('README: Limits', () => {
  const start = readme.indexOf('\n## Limits\n');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  // The first table of the section: `| `key` | default | what it bounds |`.
  const tableStart = section.indexOf('| `DEFAULT_LIMITS` key');
  const table = section.slice(tableStart, section.indexOf('\n\n', tableStart));
  const rows = new Map<string, string>();
  for (const match of table.matchAll(/^\| `(\w+)` \| ([^|]+) \|/gm)) rows.set(match[1]!, match[2]!.trim());

  it('has the section', () => {
    expect(start).toBeGreaterThan(0);
  });

  it('lists every DEFAULT_LIMITS key with its default', () => {
    for (const [key, value] of Object.entries(DEFAULT_LIMITS)) {
      expect(rows.get(key), key).toBe(written(value));
    }
  });

  it('lists no limit that DEFAULT_LIMITS does not have', () => {
    for (const key of rows.keys()) expect(Object.hasOwn(DEFAULT_LIMITS, key), key).toBe(true);
  });
});
