import { existsSync } from 'node:fs';
import { defineConfig } from 'tsup';

// One entry per public subpath (package.json "exports").
const subpaths = [
  'generic',
  'soap',
  'odata',
  'faults',
  'status',
  'requests',
  'auth',
  'arbitraries',
  'emulator',
];
subpaths.push('fuzz');
const entry: Record<string, string> = { index: 'src/index.ts' };
for (const name of subpaths) {
  if (existsSync(`src/${name}/index.ts`)) entry[name] = `src/${name}/index.ts`;
}

export default defineConfig([
  {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    // Source maps (with the sources inlined), so stack traces can name the real files.
    sourcemap: true,
    clean: true,
    target: 'es2022',
    splitting: true,
    treeshake: true,
    // fast-check is an optional peer of batchwire/arbitraries only; never bundle it.
    external: ['fast-check'],
  },
  {
    entry: { cli: 'src/cli/bin.ts' },
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    sourcemap: true,
    clean: false,
  },
]);
