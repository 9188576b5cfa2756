// Min+gzip size of each public subpath, as an app bundler would ship it: the ESM build bundled
// and minified by esbuild, with and without its dependencies. `batchwire/generic` must stay <= 6 KB.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { textTable } from './harness.js';

const SUBPATHS = ['generic', 'soap', 'odata', 'faults', 'status', 'requests', 'auth', 'index'];
const dist = fileURLToPath(new URL('../dist/', import.meta.url));

async function minified(entry: string, external: string[]): Promise<number> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    external,
    logLevel: 'silent',
  });
  return gzipSync(result.outputFiles[0]!.contents, { level: 9 }).length;
}

/** Returns the size table for the subpaths that are built. */
export async function run(): Promise<string> {
  if (!existsSync(`${dist}generic.js`))
    return '## bundle size\n(dist/ is not built: run npm run build first)\n';
  const rows: string[][] = [];
  for (const name of SUBPATHS) {
    const entry = `${dist}${name}.js`;
    if (!existsSync(entry)) continue;
    const own = await minified(entry, ['sax', 'fast-check']);
    const all = await minified(entry, ['fast-check']);
    const label = name === 'index' ? 'batchwire' : `batchwire/${name}`;
    const limit = name === 'generic' ? (own <= 6 * 1024 ? 'yes (<= 6 KB)' : 'NO (> 6 KB)') : '';
    rows.push([label, (own / 1024).toFixed(2), (all / 1024).toFixed(2), limit]);
  }
  const header = ['subpath', 'min+gzip KB (own code)', 'min+gzip KB (with deps)', 'within budget'];
  return ['## bundle size (esbuild --bundle --minify, gzip -9)', ...textTable(header, rows), ''].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  run().then((text) => process.stdout.write(text));
}
