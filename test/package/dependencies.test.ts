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
    ['index.ts', []],
    ['generic/index.ts', []],
    ['soap/index.ts', []],
    ['odata/index.ts', []],
    ['faults/index.ts', []],
    ['status/index.ts', []],
    ['requests/index.ts', []],
  ])('%s loads only %j (never fast-check)', async (entry, expected) => {
    expect(await packagesImportedBy(entry)).toEqual(expected);
  });

  it('batchwire/arbitraries is the one entry that loads fast-check', async () => {
    expect(await packagesImportedBy('arbitraries/index.ts')).toContain('fast-check');
  });

  // The codecs stay transport-free: the emulator (node:http, node:net) is its own Node-only subpath.
  it.each([
    'index.ts',
    'generic/index.ts',
    'soap/index.ts',
    'odata/index.ts',
    'faults/index.ts',
    'status/index.ts',
    'requests/index.ts',
    'arbitraries/index.ts',
  ])('%s loads neither the emulator, the fuzz runner nor node:http / node:net', async (entry) => {
    const { imports, inputs } = await graphOf(entry);
    expect(inputs.filter((file) => file.includes('src/emulator/'))).toEqual([]);
    expect(inputs.filter((file) => file.includes('src/fuzz/'))).toEqual([]);
    expect(imports.filter((i) => /^(node:)?(http|https|net|http2|tls)$/.test(i))).toEqual([]);
  });

  it('batchwire/emulator is the entry that loads node:http and node:net', async () => {
    const { imports, inputs } = await graphOf('emulator/index.ts');
    expect(imports).toEqual(expect.arrayContaining(['node:http', 'node:net']));
    expect(imports).not.toContain('fast-check');
    expect(inputs.filter((file) => file.includes('src/fuzz/'))).toEqual([]);
  });

  // The backend fuzz runner is Node only too (node:http, node:https) and needs fast-check.
  it('batchwire/fuzz loads node:http and fast-check, and not the emulator', async () => {
    const { imports, inputs } = await graphOf('fuzz/index.ts');
    expect(imports).toEqual(expect.arrayContaining(['node:http', 'node:https', 'fast-check']));
    expect(inputs.filter((file) => file.includes('src/emulator/'))).toEqual([]);
  });
});

// The source files an entry's bundle holds, and the packages it imports.
async function graphOf(entry: string): Promise<{ imports: string[]; inputs: string[] }> {
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
  return {
    imports: [...new Set(imports.filter((i) => i.external).map((i) => i.path))].sort(),
    inputs: Object.keys(result.metafile.inputs),
  };
}
