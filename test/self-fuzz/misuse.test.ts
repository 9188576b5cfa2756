// A fixed slice of the API-misuse fuzz target inside `npm test`: every public callable of every
// subpath, a few thousand calls with arguments of every type, one seed. A function that lets a
// foreign exception out fails here, unless it is a known finding still with its owner.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  describeFailure,
  exotic,
  junk,
  make,
  misuseCases,
  oneTrapProxies,
  publicCallables,
  runMisuse,
  show,
} from './misuse.js';
import { isKnown } from './misuse-target.js';

const callables = publicCallables();

describe('API misuse: a value or a BatchwireError, whatever the arguments', () => {
  it('reaches every subpath', () => {
    const subpaths = new Set(callables.map((c) => c.name.replace(/^new /, '').split('.')[0]));
    for (const subpath of [
      'generic',
      'soap',
      'odata',
      'faults',
      'status',
      'requests',
      'auth',
      'arbitraries',
      'emulator',
    ]) {
      expect(subpaths.has(subpath), subpath).toBe(true);
    }
  });

  it('3000 calls (seed 12), outside the known findings', async () => {
    const failures: string[] = [];
    for (const c of fc.sample(misuseCases(callables.length), { numRuns: 3000, seed: 12 })) {
      const callable = callables[c.callable]!;
      if (isKnown(callable.name)) continue;
      const made = make(c);
      const problems = await runMisuse(callable, made);
      if (problems.length > 0) failures.push(describeFailure(callable, made, problems[0]));
    }
    expect(failures).toEqual([]);
  });

  it('every function of generic, faults, status, requests and auth with a few hostile arguments each', async () => {
    const mine = callables.filter((c) => /^(new )?(generic|faults|status|requests|auth)\./.test(c.name));
    const failures: string[] = [];
    for (const callable of mine) {
      if (isKnown(callable.name)) continue;
      for (const c of fc.sample(misuseCases(1), { numRuns: 60, seed: callable.name.length })) {
        const made = make(c);
        const problems = await runMisuse(callable, made);
        if (problems.length > 0) failures.push(describeFailure(callable, made, problems[0]));
      }
    }
    expect(failures).toEqual([]);
  });

  // The fuzzer's own report must survive what it feeds: a revoked proxy, or one whose ownKeys or
  // getOwnPropertyDescriptor traps throw behind a getPrototypeOf that answers, is named, not read.
  it('describes every exotic and junk value without throwing', () => {
    const partial = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('ownKeys');
        },
      },
    );
    const values = [
      ...fc.sample(exotic, { numRuns: 60, seed: 21 }).map((m) => m.make()),
      ...fc.sample(junk(), { numRuns: 300, seed: 21 }).map((m) => m.make()),
      partial,
      [partial],
      { nested: partial },
    ];
    for (const value of values) expect(typeof show(value)).toBe('string');
    const callable = callables[0]!;
    for (const value of values) {
      const text = describeFailure(callable, { args: [value], chunks: [value] }, value);
      expect(typeof text).toBe('string');
    }
  });

  // Issue 21: objects that pass instanceof without being what they claim, revoked proxies and
  // proxies whose traps throw (as inputs, options, headers, ASTs, signals), detached buffers and
  // views over them, views over shared memory, a Uint8Array subclass whose methods throw: every
  // callable with each of them in each place, not left to the draw.
  it('every function with every exotic argument, in every place', async () => {
    const values = [...fc.sample(exotic, { numRuns: 60, seed: 21 }), ...oneTrapProxies];
    const payloads = [
      'a\uffffb\uffffc\u0000http://hpc.microsoft.com/EndOfGetResponse\uffff1\uffffSuccess\u0000',
      "poolId eq 'p'",
      {
        baseUrl: 'https://h',
        sessionId: 1,
        batchName: 'b',
        jobId: 'j',
        poolId: 'p',
        projectId: 'p',
        batchId: 'b',
      },
    ];
    const keys = ['headers', 'signal', 'encoding', 'schema', 'filter', 'body', 'parse', 'contentType'];
    const failures: string[] = [];
    for (const callable of callables) {
      if (isKnown(callable.name)) continue;
      for (const value of values) {
        const cases = [
          () => ({ args: [value.make()], chunks: [value.make()] }),
          ...payloads.map((p) => () => ({ args: [structuredClone(p), value.make()], chunks: [] })),
          ...keys.map((k) => () => ({
            args: [structuredClone(payloads[0]), { [k]: value.make() }],
            chunks: [],
          })),
          () => ({
            args: [{ ...(payloads[2] as object), headers: value.make(), body: value.make() }],
            chunks: [],
          }),
        ];
        for (const build of cases) {
          const made = build();
          const problems = await runMisuse(callable, made);
          if (problems.length > 0) failures.push(describeFailure(callable, made, problems[0]));
        }
        if (failures.length > 20) break;
      }
    }
    expect(failures).toEqual([]);
  });
});
