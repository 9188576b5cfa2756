// The arbitraries take options like every other batchwire function: null means the defaults, a
// value of the wrong type is INVALID_ARGUMENT (never a TypeError, never fast-check's own Error).
import {
  fc,
  filterExpression,
  filterLiteral,
  filterText,
  genericField,
  genericRequestsBody,
  genericResponse,
  genericResponsesBody,
  mutate,
  soapMessageArray,
  soapText,
} from 'batchwire/arbitraries';
import { describe, expect, it } from 'vitest';
import { thrownBy } from '../support/errors.js';

const withOptions: [string, (options: unknown) => fc.Arbitrary<unknown>][] = [
  ['genericField', (o) => genericField(o as never)],
  ['genericResponse', (o) => genericResponse(o as never)],
  ['genericResponsesBody', (o) => genericResponsesBody(o as never)],
  ['genericRequestsBody', (o) => genericRequestsBody(o as never)],
  ['soapText', (o) => soapText(o as never)],
  ['soapMessageArray', (o) => soapMessageArray(o as never)],
  ['filterExpression', (o) => filterExpression(o as never)],
  ['filterText', (o) => filterText(o as never)],
];

const throwing = (key: string) =>
  Object.defineProperty({}, key, {
    get() {
      throw new Error('boom');
    },
  });

describe('arbitraries: options', () => {
  for (const [name, make] of withOptions) {
    it(`${name}: null options are the defaults; wrong types are INVALID_ARGUMENT`, () => {
      expect(fc.sample(make(null), { numRuns: 2, seed: 1 })).toHaveLength(2);
      for (const options of [5, 'x', [], true]) {
        expect(thrownBy(() => make(options)).code, JSON.stringify(options)).toBe('INVALID_ARGUMENT');
      }
    });
  }

  it('option values: counts, lists, schemas and getters', () => {
    expect(thrownBy(() => genericResponsesBody({ encodings: [] })).code).toBe('INVALID_ARGUMENT');
    expect(thrownBy(() => genericResponsesBody({ encodings: ['latin1'] as never })).code).toBe(
      'INVALID_ARGUMENT',
    );
    expect(thrownBy(() => genericRequestsBody({ maxRequests: Number.NaN })).code).toBe('INVALID_ARGUMENT');
    expect(thrownBy(() => soapMessageArray({ maxMessages: 2 ** 40 })).code).toBe('INVALID_ARGUMENT');
    expect(thrownBy(() => filterExpression({ schema: 5 as never })).code).toBe('INVALID_ARGUMENT');
    expect(thrownBy(() => filterExpression({ schema: {} as never })).code).toBe('INVALID_ARGUMENT');
    expect(thrownBy(() => filterExpression({ maxDepth: 'x' as never })).code).toBe('INVALID_ARGUMENT');
    expect(thrownBy(() => filterLiteral('Float' as never)).code).toBe('INVALID_ARGUMENT');
    expect(thrownBy(() => genericField(throwing('maxLength') as never)).code).toBe('INVALID_ARGUMENT');
    expect(thrownBy(() => soapText(throwing('maxLength') as never)).code).toBe('INVALID_ARGUMENT');
  });

  it('mutate: format, arbitrary and options checked', () => {
    const bytes = fc.uint8Array({ minLength: 4 });
    expect(fc.sample(mutate('json', bytes, null as never), { numRuns: 2, seed: 1 })).toHaveLength(2);
    expect(thrownBy(() => mutate(undefined as never, bytes)).code).toBe('INVALID_ARGUMENT');
    expect(thrownBy(() => mutate('yaml' as never, bytes)).code).toBe('INVALID_ARGUMENT');
    expect(thrownBy(() => mutate('json', 'bytes' as never)).code).toBe('INVALID_ARGUMENT');
    expect(thrownBy(() => mutate('json', bytes, { strategies: ['inject-doctype'] })).code).toBe(
      'INVALID_ARGUMENT',
    );
    expect(thrownBy(() => mutate('json', bytes, { strategies: ['explode'] as never })).code).toBe(
      'INVALID_ARGUMENT',
    );
    expect(thrownBy(() => mutate('json', bytes, { maxMutations: 0 })).code).toBe('INVALID_ARGUMENT');
    expect(thrownBy(() => mutate('json', bytes, { growBy: -1 })).code).toBe('INVALID_ARGUMENT');
  });
});
