import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// package.json "engines" claims what CI runs: the tests run on the Node that CI has, so the
// running Node must satisfy the claim, and the CLI's build must not target an older one.
const root = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { engines: { node: string } };

describe('supported Node versions', () => {
  const floor = /^>=(\d+)$/.exec(pkg.engines.node);

  it('engines names one floor (">=N")', () => {
    expect(floor, pkg.engines.node).not.toBeNull();
  });

  it('the Node running the tests (the one CI runs) satisfies engines', () => {
    const major = Number(process.versions.node.split('.')[0]);
    expect(major).toBeGreaterThanOrEqual(Number(floor![1]));
  });

  it('the CLI build targets the engines floor', () => {
    const config = readFileSync(`${root}tsup.config.ts`, 'utf8');
    expect(config).toContain(`target: 'node${floor![1]}'`);
  });
});
