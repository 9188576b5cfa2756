import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

// One entry per public subpath, read from package.json "exports" (the one list of them): "."
// is src/index.ts, "./<name>" is src/<name>/index.ts.
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  exports: Record<string, unknown>;
};
const entry: Record<string, string> = {};
for (const key of Object.keys(pkg.exports)) {
  if (key === '.') entry.index = 'src/index.ts';
  else if (/^\.\/[a-z-]+$/.test(key)) entry[key.slice(2)] = `src/${key.slice(2)}/index.ts`;
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
