import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

// What each public entry point pulls in, by bundling its source graph with packages left external.
async function packagesImportedBy(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [`${root}src/${entry}`],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    packages: 'external',
    metafile: true,
    logLevel: 'silent',
  });
  const imports = Object.values(result.metafile.outputs).flatMap((output) => output.imports);
  return [...new Set(imports.filter((i) => i.external).map((i) => i.path))].sort();
}

describe('runtime dependencies', () => {
  it.each([
    ['index.ts', ['sax']],
    ['generic/index.ts', []],
    ['soap/index.ts', ['sax']],
    ['odata/index.ts', []],
    ['faults/index.ts', ['sax']],
    ['status/index.ts', ['sax']],
    ['requests/index.ts', []],
  ])('%s loads only %j (never fast-check)', async (entry, expected) => {
    expect(await packagesImportedBy(entry)).toEqual(expected);
  });

  it('batchwire/arbitraries is the one entry that loads fast-check', async () => {
    expect(await packagesImportedBy('arbitraries/index.ts')).toContain('fast-check');
  });
});
