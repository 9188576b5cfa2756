// Issue 12, finding 4 for the status parsers: options and bodies of the wrong type give
// INVALID_ARGUMENT; hostile documents (deep, long, many items) give a value or a BatchwireError.
import { fc } from 'batchwire/arbitraries';
import { parseDliBatchState, parseJobPrepReleaseStatusPage } from 'batchwire/status';
import { describe, expect, it } from 'vitest';
import { thrownBy } from '../support/errors.js';

const state = '{"id":"0a32","state":"Running"}';
const page = '{"value":[{"poolId":"p","nodeId":"n"}]}';
const parsers = [
  [
    'parseDliBatchState',
    (body: unknown, options?: unknown) => parseDliBatchState(body as never, options as never),
    state,
  ],
  [
    'parseJobPrepReleaseStatusPage',
    (body: unknown, options?: unknown) => parseJobPrepReleaseStatusPage(body as never, options as never),
    page,
  ],
] as const;

describe('status parsers: arguments of the wrong type', () => {
  for (const [name, parse, body] of parsers) {
    it(`${name}: null options are no options; null option values are unset`, () => {
      expect(parse(body, null)).toEqual(parse(body));
      expect(parse(body, { contentType: null, maxBytes: null })).toEqual(parse(body));
    });

    it(`${name}: options of the wrong type are INVALID_ARGUMENT`, () => {
      const throwing = Object.defineProperty({}, 'maxBytes', {
        enumerable: true,
        get() {
          throw new Error('boom');
        },
      });
      for (const options of [
        5,
        'x',
        [],
        { contentType: 5 },
        { maxBytes: 'x' },
        { maxBytes: 0 },
        { maxBytes: Number.NaN },
        { maxBytes: -5 },
        throwing,
      ]) {
        expect(thrownBy(() => parse(body, options)).code).toBe('INVALID_ARGUMENT');
      }
    });

    it(`${name}: a body that is not text or bytes is INVALID_ARGUMENT`, () => {
      for (const input of [null, undefined, 5, {}, [], Symbol('s')]) {
        expect(thrownBy(() => parse(input)).code).toBe('INVALID_ARGUMENT');
      }
      // Bytes of any view are bytes.
      const bytes = new TextEncoder().encode(body);
      expect(parse(new DataView(bytes.buffer))).toEqual(parse(body));
      expect(parse(bytes.buffer)).toEqual(parse(body));
    });
  }
});

// Levels of arrays and objects, the outermost counting 1 (a scalar is 0).
function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let deepest = 0;
  for (const inner of Object.values(value)) deepest = Math.max(deepest, depthOf(inner));
  return deepest + 1;
}

describe('status parsers: hostile documents', () => {
  it('nesting past maxJsonDepth (1000) is LIMIT_EXCEEDED at the bracket, before JSON.parse', () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const body = `{"state":"dead","x":${deep}}`;
    const error = thrownBy(() => parseDliBatchState(body));
    expect(error.code).toBe('LIMIT_EXCEEDED');
    // The object is level 1, so the 999th bracket of x opens level 1001.
    expect(error.offset).toBe(body.indexOf('[') + 999);
    const page = `{"value":[{"nodeId":"n","x":${deep}}]}`;
    expect(thrownBy(() => parseJobPrepReleaseStatusPage(page)).code).toBe('LIMIT_EXCEEDED');
    // Raised, the limit lets it through: the value is kept under extra.
    const result = parseDliBatchState(body, { maxJsonDepth: Infinity });
    expect(Array.isArray(result.extra?.x)).toBe(true);
    expect(parseJobPrepReleaseStatusPage(page, { maxJsonDepth: 30_000 }).items[0]!.nodeId).toBe('n');
    // Brackets inside strings are not nesting.
    expect(parseDliBatchState(`{"state":"${'['.repeat(5000)}\\"["}`).rawState).toHaveLength(5002);
  });

  it('maxJsonDepth counts exactly: depth d passes at d and fails at d - 1', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const body = JSON.stringify({ state: 'running', x: value });
        const depth = depthOf(JSON.parse(body));
        expect(parseDliBatchState(body, { maxJsonDepth: depth }).state).toBe('running');
        if (depth > 1)
          expect(thrownBy(() => parseDliBatchState(body, { maxJsonDepth: depth - 1 })).code).toBe(
            'LIMIT_EXCEEDED',
          );
      }),
      { numRuns: 200 },
    );
  });

  it('deep nesting where an object is expected is MALFORMED_DOCUMENT at its offset', () => {
    const deep = `${'['.repeat(500)}${']'.repeat(500)}`;
    const body = `{"value":[${deep}]}`;
    const error = thrownBy(() => parseJobPrepReleaseStatusPage(body));
    expect(error.code).toBe('MALFORMED_DOCUMENT');
    expect(error.offset).toBe(10);
  });

  it('a bad date in the last of many items points at it', () => {
    const items = Array.from({ length: 5000 }, () => '{"nodeId":"n"}');
    items.push('{"jobPreparationTaskExecutionInfo":{"startTime":"yesterday"}}');
    const body = `{"value":[${items.join(',')}]}`;
    const error = thrownBy(() => parseJobPrepReleaseStatusPage(body));
    expect(error.code).toBe('MALFORMED_DOCUMENT');
    expect(body.slice(error.offset, error.offset + 11)).toBe('"yesterday"');
  });

  it('bodies past maxBytes are LIMIT_EXCEEDED before they are parsed', () => {
    const body = `{"state":"${'x'.repeat(5000)}"}`;
    expect(thrownBy(() => parseDliBatchState(body, { maxBytes: 1000 })).code).toBe('LIMIT_EXCEEDED');
    expect(parseDliBatchState(body, { maxBytes: Infinity }).rawState).toHaveLength(5000);
  });
});
