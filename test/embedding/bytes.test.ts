import { encodeGenericRequests, encodeGenericResponses } from 'batchwire/generic';
import { hpcPack } from 'batchwire/requests';
import { describe, expect, it } from 'vitest';

describe('byte outputs are over a plain ArrayBuffer (a fetch body)', () => {
  it('encoders', () => {
    for (const encoding of ['utf-8', 'utf-16le', 'utf-16be'] as const) {
      for (const bom of [false, true]) {
        expect(
          encodeGenericResponses([{ action: 'a', output: 'b' }], { encoding, bom }).buffer,
        ).toBeInstanceOf(ArrayBuffer);
        expect(encodeGenericRequests([{ input: 'x' }], { encoding, bom }).buffer).toBeInstanceOf(ArrayBuffer);
      }
    }
  });

  it('a request body given over a SharedArrayBuffer is copied; others are passed as they are', async () => {
    const shared = new Uint8Array(new SharedArrayBuffer(3));
    shared.set([1, 2, 3]);
    const base = { baseUrl: 'https://head', sessionId: 1, batchName: 'b', genericService: true };
    const request = hpcPack.sendRequests({ ...base, body: shared });
    const body = request.body as Uint8Array;
    expect(body.buffer).toBeInstanceOf(ArrayBuffer);
    expect([...body]).toEqual([1, 2, 3]);
    const plain = encodeGenericRequests([{ input: 'x' }]);
    expect(hpcPack.sendRequests({ ...base, body: plain }).body).toBe(plain);
    // And fetch's Request takes it.
    expect(new Uint8Array(await new Request('https://head/x', request).arrayBuffer())).toEqual(
      new Uint8Array([1, 2, 3]),
    );
  });
});
