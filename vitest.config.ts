import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = fileURLToPath(new URL('./src/', import.meta.url));

export default defineConfig({
  resolve: {
    // Tests import the public entry points; map them to the sources.
    alias: [
      { find: /^batchwire$/, replacement: `${src}index.ts` },
      { find: /^batchwire\/(.+)$/, replacement: `${src}$1/index.ts` },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // `npm test` runs with --coverage (V8's own counters, so no second run of the suite in CI).
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      // The floor: the figures when coverage went into CI (2026-11-29: statements 90.97%,
      // branches 85.31%, functions 91.71%, lines 93.01%), less half a point, since the property
      // tests draw new inputs each run. Raise it as coverage grows; never lower it.
      thresholds: { statements: 90.5, branches: 84.8, functions: 91.2, lines: 92.5 },
    },
  },
});
