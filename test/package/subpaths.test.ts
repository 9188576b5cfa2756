// The public subpaths are listed once, in package.json "exports": tsup builds an entry for each
// and TypeDoc documents each (both read the list from there); typesVersions, the node10 mirror of
// the list, must name the same ones.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
  exports: Record<string, unknown>;
  typesVersions: Record<string, Record<string, string[]>>;
};
const subpaths = Object.keys(pkg.exports)
  .filter((k) => k !== '.' && k !== './package.json')
  .map((k) => k.slice(2));

describe('the subpath list', () => {
  it('each subpath of exports has its src/<name>/index.ts and its typesVersions entry', () => {
    for (const name of subpaths) expect(existsSync(`${root}src/${name}/index.ts`), name).toBe(true);
    expect(Object.keys(pkg.typesVersions['*']!).sort()).toEqual([...subpaths].sort());
  });

  it('tsup builds exactly the subpaths of exports, and the CLI', async () => {
    const config = (await import('../../tsup.config.js')).default as { entry: Record<string, string> }[];
    expect(Object.keys(config[0]!.entry).sort()).toEqual(['index', ...subpaths].sort());
    expect(config[1]!.entry).toEqual({ cli: 'src/cli/bin.ts' });
  });

  it('TypeDoc documents exactly the subpaths of exports, and fails on a warning', async () => {
    // @ts-expect-error: a JavaScript module without declarations
    const config = (await import('../../typedoc.config.mjs')).default as {
      entryPoints: string[];
      treatWarningsAsErrors: boolean;
    };
    expect([...config.entryPoints].sort()).toEqual(
      ['src/index.ts', ...subpaths.map((name) => `src/${name}/index.ts`)].sort(),
    );
    expect(config.treatWarningsAsErrors).toBe(true);
  });
});
