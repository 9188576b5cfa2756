// The short stress run inside `npm test`: every attack of test/stress/attacks/ at small sizes,
// best of several runs, failing only beyond 3.5x per doubling (and only when three whole
// measurements agree); output growth is a count, checked exactly. `npm run stress` is the strict one.
import { describe, expect, it } from 'vitest';
import { describeResult, loadAttacks, measure, QUICK } from './harness.js';

const attacks = await loadAttacks();

describe('stress (short): time and output linear in the input', () => {
  it('has attacks for every area', () => {
    expect(attacks.length).toBeGreaterThan(0);
  });
  for (const a of attacks) {
    it(`${a.target}: ${a.name}`, async () => {
      const result = await measure(a, QUICK);
      expect(result.failures, describeResult(result)).toEqual([]);
    });
  }
});
