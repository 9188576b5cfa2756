// Bugs the backend fuzz runner found in batchwire itself, kept fixed.
import {
  decodeGenericBody,
  encodeGenericRequests,
  encodeGenericResponses,
  GenericRequestDecoder,
} from 'batchwire/generic';
import { describe, expect, it } from 'vitest';

describe('found by batchwire fuzz', () => {
  // An interceptor that read a Send Requests body before the emulator did made the emulator read
  // it in the wrong byte order: decoding UTF-16BE swapped the caller's Buffer in place.
  it('decoding UTF-16BE from a Node Buffer leaves the Buffer as it was', () => {
    const requests = Buffer.from(
      encodeGenericRequests([{ input: 'a', userData: ' ' }], { encoding: 'utf-16be' }),
    );
    const before = Buffer.from(requests);
    const decoder = new GenericRequestDecoder({ encoding: 'utf-16be' });
    expect([...decoder.write(requests), ...decoder.end()]).toEqual([{ input: 'a', userData: ' ' }]);
    expect(requests).toEqual(before);
    // Decoding it twice gives the same records.
    const again = new GenericRequestDecoder({ encoding: 'utf-16be' });
    expect([...again.write(requests), ...again.end()]).toEqual([{ input: 'a', userData: ' ' }]);

    const responses = Buffer.from(
      encodeGenericResponses([{ action: 'urn:a', output: 'x', userData: 'u' }], { encoding: 'utf-16be' }),
    );
    const copy = Buffer.from(responses);
    expect(decodeGenericBody(responses, { encoding: 'utf-16be' }).responses).toHaveLength(1);
    expect(responses).toEqual(copy);
  });
});
