// TypeDoc's configuration. The entry points are the package's public subpaths, read from
// package.json "exports" (the one list of them), each built from src/<name>/index.ts.
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const entryPoints = Object.keys(pkg.exports)
  .filter((key) => key === '.' || /^\.\/[a-z-]+$/.test(key))
  .filter((key) => key !== './package.json')
  .map((key) => (key === '.' ? 'src/index.ts' : `src/${key.slice(2)}/index.ts`));

/** @type {import('typedoc').TypeDocOptions} */
export default {
  entryPoints,
  out: 'docs/api',
  name: 'batchwire',
  readme: 'README.md',
  excludePrivate: true,
  excludeInternal: true,
  excludeExternals: true,
  disableSources: true,
  // A broken {@link} or any other warning fails the docs step (and CI).
  treatWarningsAsErrors: true,
  validation: { notExported: false, invalidLink: true },
};
