import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

// What each public entry point pulls in when it is imported, by bundling its source graph with
// code splitting (as the build does) and packages left external, then following the static
// imports from the entry's own output: a chunk only a dynamic import() reaches loads later.
async function packagesImportedBy(entry: string, when: 'import' | 'ever' = 'import'): Promise<string[]> {
  const result = await build({
    entryPoints: [`${root}src/${entry}`],
    bundle: true,
    write: false,
    format: 'esm',
    splitting: true,
    outdir: `${root}.deps-out`,
    platform: 'neutral',
    packages: 'external',
    metafile: true,
    logLevel: 'silent',
  });
  const outputs = result.metafile.outputs;
  const start = Object.keys(outputs).find((path) => outputs[path]!.entryPoint !== undefined)!;
  const packages = new Set<string>();
  const seen = new Set<string>();
  const todo = [start];
  while (todo.length > 0) {
    const path = todo.pop()!;
    if (seen.has(path)) continue;
    seen.add(path);
    for (const imp of outputs[path]?.imports ?? []) {
      if (when === 'import' && imp.kind === 'dynamic-import') continue;
      if (imp.external) packages.add(imp.path);
      else todo.push(imp.path);
    }
  }
  return [...packages].sort();
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
    ['auth/index.ts', []],
  ])('%s loads only %j (never fast-check)', async (entry, expected) => {
    expect(await packagesImportedBy(entry)).toEqual(expected);
  });

  // A non-2xx Response given to a generic decoder is read by batchwire/faults, loaded only then;
  // batchwire/faults reads XML with batchwire's own scanner, so even that loads no package.
  it('batchwire/generic and batchwire/odata load no package, not even through a dynamic import()', async () => {
    expect(await packagesImportedBy('generic/index.ts', 'ever')).toEqual([]);
    expect(await packagesImportedBy('odata/index.ts', 'ever')).toEqual([]);
  });

  // saxes is a dev dependency (differential tests, bench baseline) since issue 22: what a
  // published entry point can load is a runtime dependency, the optional peer, or the platform.
  it('package.json lists node-forge as the one runtime dependency, saxes among the dev dependencies', async () => {
    const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as Record<
      string,
      Record<string, string>
    >;
    expect(Object.keys(pkg.dependencies ?? {})).toEqual(['node-forge']);
    expect(Object.keys(pkg.devDependencies ?? {})).toContain('saxes');
    const allowed = new Set([
      ...Object.keys(pkg.dependencies ?? {}),
      ...Object.keys(pkg.peerDependencies ?? {}),
    ]);
    const entries = Object.keys(pkg.exports!)
      .filter((key) => key.startsWith('./') && key !== './package.json')
      .map((key) => `${key.slice(2)}/index.ts`);
    expect(entries.length).toBeGreaterThan(8);
    for (const entry of ['index.ts', ...entries, 'cli/bin.ts']) {
      const foreign = (await packagesImportedBy(entry, 'ever')).filter(
        (name) => !name.startsWith('node:') && !allowed.has(name),
      );
      expect(foreign, entry).toEqual([]);
    }
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
    'auth/index.ts',
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

  // The TLS certificate library is the emulator's alone: every codec's list above excludes it.
  it('batchwire/emulator is the one entry that loads node-forge (for serve --tls) and node:https', async () => {
    const { imports } = await graphOf('emulator/index.ts');
    expect(imports).toEqual(expect.arrayContaining(['node-forge', 'node:https']));
    for (const entry of ['index.ts', 'auth/index.ts', 'requests/index.ts', 'fuzz/index.ts']) {
      expect((await graphOf(entry)).imports).not.toContain('node-forge');
    }
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
