// Every public function of batchwire/odata (and the typed builder's methods) with arguments and
// option values of every JavaScript type, from the shared API-misuse generator: the only allowed
// outcomes are a value and a BatchwireError.
import { filterFor, schemas } from 'batchwire/odata';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Callable,
  describeFailure,
  make,
  misuseCases,
  publicCallables,
  runMisuse,
} from '../self-fuzz/misuse.js';

const typed = filterFor(schemas.jobs);
const builderMethods: Callable[] = Object.entries(typed)
  .filter(([, fn]) => typeof fn === 'function')
  .map(([name, fn]) => ({
    name: `filterFor(jobs).${name}`,
    call: (args) => (fn as (...a: unknown[]) => unknown)(...args),
  }));
const odataCallables = [...publicCallables().filter((c) => c.name.startsWith('odata.')), ...builderMethods];

describe('batchwire/odata misuse', () => {
  it('covers every export', () => {
    expect(odataCallables.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'odata.parseFilter',
        'odata.validateFilter',
        'odata.formatFilter',
        'odata.evaluateFilter',
        'odata.buildListQuery',
        'odata.filterFor',
        'odata.defineFilterSchema',
        'odata.and',
        'odata.or',
        'odata.odata',
        'odata.toLiteral',
        'filterFor(jobs).odata',
      ]),
    );
  });

  it('each function, 150 calls with hostile arguments: a value or a BatchwireError', async () => {
    const failures: string[] = [];
    for (const callable of odataCallables) {
      for (const c of fc.sample(misuseCases(1), { numRuns: 150, seed: callable.name.length * 7 + 1 })) {
        const made = make(c);
        const problems = await runMisuse(callable, made);
        if (problems.length > 0) failures.push(describeFailure(callable, made, problems[0]));
      }
    }
    expect(failures).toEqual([]);
  });
});
