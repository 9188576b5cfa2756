import { readFileSync } from 'node:fs';
import { type GenericDecodeOptions, GenericRequestDecoder, GenericResponseDecoder } from 'batchwire/generic';
import { describe, expect, it } from 'vitest';
import { chunksOfSize, fromHex, run, splitAt } from '../support/chunks.js';

interface Vector {
  name: string;
  hex: string;
  options: GenericDecodeOptions;
  records: unknown[];
  error?: { code: string; offset: number };
}

function load(file: string): Vector[] {
  return JSON.parse(readFileSync(new URL(`../vectors/generic/${file}`, import.meta.url), 'utf8')) as Vector[];
}

function expected(vector: Vector) {
  return vector.error ? { records: vector.records, error: vector.error } : { records: vector.records };
}

describe('generic responses: golden vectors (test/vectors/generic/responses.json)', () => {
  for (const vector of load('responses.json')) {
    describe(vector.name, () => {
      const bytes = fromHex(vector.hex);
      it('decodes in one chunk', () => {
        expect(run(new GenericResponseDecoder(vector.options), [bytes])).toEqual(expected(vector));
      });
      it('decodes the same in 1-byte chunks', () => {
        expect(run(new GenericResponseDecoder(vector.options), chunksOfSize(bytes, 1))).toEqual(
          expected(vector),
        );
      });
      it('decodes the same split at every single point', () => {
        for (let cut = 1; cut < bytes.length; cut++) {
          expect(run(new GenericResponseDecoder(vector.options), splitAt(bytes, [cut]))).toEqual(
            expected(vector),
          );
        }
      });
    });
  }
});

describe('generic requests: golden vectors (test/vectors/generic/requests.json)', () => {
  for (const vector of load('requests.json')) {
    it(vector.name, () => {
      const bytes = fromHex(vector.hex);
      expect(run(new GenericRequestDecoder(vector.options), [bytes])).toEqual(expected(vector));
      expect(run(new GenericRequestDecoder(vector.options), chunksOfSize(bytes, 1))).toEqual(
        expected(vector),
      );
    });
  }
});
