import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/**
 * A temporary directory for one test file, removed once its tests have run. Returns a function
 * that gives the path of `name` inside it, writing `content` there first when given.
 */
export function useTempDir(prefix: string): (name: string, content?: string | Uint8Array) => string {
  const dir = mkdtempSync(join(tmpdir(), `batchwire-${prefix}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return (name, content) => {
    const file = join(dir, name);
    if (content !== undefined) writeFileSync(file, content);
    return file;
  };
}
