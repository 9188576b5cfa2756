import {
  decodeGenericBody,
  decodeGenericRequests,
  decodeGenericResponses,
  encodeGenericRequests,
  encodeGenericResponses,
  GenericRequestDecoder,
  GenericRequestDecoderStream,
  GenericResponseDecoder,
  GenericResponseDecoderStream,
} from 'batchwire/generic';
import { describe, expect, it } from 'vitest';
import { collect } from '../support/chunks.js';
import { rejectionOf, thrownBy } from '../support/errors.js';

const ACTION = 'http://a/b';
const body = encodeGenericResponses([{ action: ACTION, output: 'größer 🚀', userData: 'u' }], {
  encoding: 'utf-16le',
});
const expected = decodeGenericBody(body);
const requestBody = encodeGenericRequests(
  [
    { input: 'hello', userData: '1' },
    { input: 'world', userData: '' },
  ],
  { encoding: 'utf-16le' },
);

function throwingGetter(key: string): Record<string, unknown> {
  return Object.defineProperty({}, key, {
    enumerable: true,
    get() {
      throw new Error('boom');
    },
  });
}

describe('constructors and options', () => {
  it('new GenericRequestDecoder() without options works (the README example)', () => {
    const decoder = new GenericRequestDecoder();
    expect([...decoder.write(requestBody), ...decoder.end()]).toEqual([
      { input: 'hello', userData: '1' },
      { input: 'world', userData: '' },
    ]);
    expect(new GenericRequestDecoderStream()).toBeInstanceOf(TransformStream);
  });

  it('null options are no options', async () => {
    expect(decodeGenericBody(body, null as never)).toEqual(expected);
    const decoder = new GenericResponseDecoder(null as never);
    expect([...decoder.write(body), ...decoder.end()]).toHaveLength(2);
    expect(new GenericRequestDecoder(null as never).write(requestBody)).toHaveLength(2);
    let n = 0;
    for await (const _ of decodeGenericRequests(requestBody, null as never)) n++;
    expect(n).toBe(2);
    expect(encodeGenericRequests([{ input: 'a' }], null as never)).toEqual(
      encodeGenericRequests([{ input: 'a' }]),
    );
    // null option values are unset values too: `headers.get('content-type')` gives null.
    expect(decodeGenericBody(body, { contentType: null, encoding: null } as never)).toEqual(expected);
  });

  const badOptions: [string, unknown][] = [
    ['a number', 5],
    ['a string', 'utf-8'],
    ['an array', []],
    ['encoding latin1', { encoding: 'latin1' }],
    ['encoding as a number', { encoding: 8 }],
    ['maxRecordBytes as text', { maxRecordBytes: 'x' }],
    ['maxRecordBytes NaN', { maxRecordBytes: Number.NaN }],
    ['maxRecordBytes 0', { maxRecordBytes: 0 }],
    ['maxRecordBytes -1', { maxRecordBytes: -1 }],
    ['maxRecordBytes 1.5', { maxRecordBytes: 1.5 }],
    ['verifyCount as text', { verifyCount: 'yes' }],
    ['loneSurrogates drop', { loneSurrogates: 'drop' }],
    ['contentType as a number', { contentType: 5 }],
    ['a getter that throws', throwingGetter('encoding')],
  ];
  for (const [what, options] of badOptions) {
    it(`options ${what}: INVALID_ARGUMENT everywhere`, async () => {
      expect(thrownBy(() => decodeGenericBody(body, options as never)).code).toBe('INVALID_ARGUMENT');
      expect(thrownBy(() => new GenericResponseDecoder(options as never)).code).toBe('INVALID_ARGUMENT');
      expect(thrownBy(() => new GenericRequestDecoder(options as never)).code).toBe('INVALID_ARGUMENT');
      expect(thrownBy(() => new GenericResponseDecoderStream(options as never)).code).toBe(
        'INVALID_ARGUMENT',
      );
      expect(thrownBy(() => new GenericRequestDecoderStream(options as never)).code).toBe('INVALID_ARGUMENT');
      expect(thrownBy(() => decodeGenericResponses(body, options as never)).code).toBe('INVALID_ARGUMENT');
    });
  }

  it('limits accept Infinity (no limit)', () => {
    expect(decodeGenericBody(body, { maxRecordBytes: Infinity })).toEqual(expected);
  });
});

describe('chunks of every type', () => {
  const views: [string, (bytes: Uint8Array) => unknown][] = [
    ['ArrayBuffer', (b) => b.slice().buffer],
    ['DataView', (b) => new DataView(b.slice().buffer)],
    [
      'DataView on part of a buffer',
      (b) => {
        const big = new Uint8Array(b.length + 8);
        big.set(b, 4);
        return new DataView(big.buffer, 4, b.length);
      },
    ],
    ['Buffer', (b) => Buffer.from(b)],
    ['Int8Array', (b) => new Int8Array(b.slice().buffer)],
    ['Uint8ClampedArray', (b) => new Uint8ClampedArray(b.slice().buffer)],
    ['Uint16Array', (b) => new Uint16Array(b.slice().buffer)],
  ];
  for (const [what, view] of views) {
    it(`push decoders and one-shot functions take a ${what} as bytes`, async () => {
      const decoder = new GenericResponseDecoder();
      const half = (body.length >> 1) & ~1;
      const records = [
        ...decoder.write(view(body.subarray(0, half)) as never),
        ...decoder.write(view(body.subarray(half)) as never),
        ...decoder.end(),
      ];
      expect(records).toEqual([...expected.responses, expected.end]);
      expect(decodeGenericBody(view(body) as never)).toEqual(expected);
      const requests = new GenericRequestDecoder();
      expect([...requests.write(view(requestBody) as never), ...requests.end()]).toHaveLength(2);
      const stream = new ReadableStream({
        start(controller) {
          controller.enqueue(view(body));
          controller.close();
        },
      });
      expect(await collect(stream.pipeThrough(new GenericResponseDecoderStream()))).toEqual([
        ...expected.responses,
        expected.end,
      ]);
    });
  }

  const junk: [string, unknown][] = [
    ['null', null],
    ['undefined', undefined],
    ['a number', 42],
    ['a plain object', { length: 3 }],
    ['an array of bytes', [0x68, 0x00]],
    ['a promise', Promise.resolve(body)],
    ['a symbol', Symbol('x')],
  ];
  for (const [what, chunk] of junk) {
    it(`${what} as a chunk is INVALID_ARGUMENT, and the decoder carries on`, async () => {
      const decoder = new GenericResponseDecoder();
      const first = decoder.write(body.subarray(0, 5));
      expect(thrownBy(() => decoder.write(chunk as never)).code).toBe('INVALID_ARGUMENT');
      // The bad chunk was not consumed: the rest of the body still decodes.
      expect([...first, ...decoder.write(body.subarray(5)), ...decoder.end()]).toEqual([
        ...expected.responses,
        expected.end,
      ]);
      expect(thrownBy(() => new GenericRequestDecoder().write(chunk as never)).code).toBe('INVALID_ARGUMENT');
      expect(thrownBy(() => decodeGenericBody(chunk as never)).code).toBe('INVALID_ARGUMENT');
      const streamOf = () =>
        new ReadableStream({
          start(controller) {
            controller.enqueue(chunk);
            controller.close();
          },
        });
      const responses = streamOf().pipeThrough(new GenericResponseDecoderStream());
      expect((await rejectionOf(collect(responses))).code).toBe('INVALID_ARGUMENT');
      const requests = streamOf().pipeThrough(new GenericRequestDecoderStream());
      expect((await rejectionOf(collect(requests))).code).toBe('INVALID_ARGUMENT');
    });
  }

  it('a detached ArrayBuffer is INVALID_ARGUMENT', () => {
    const buffer = body.slice().buffer;
    structuredClone(buffer, { transfer: [buffer] });
    expect(thrownBy(() => new GenericResponseDecoder().write(buffer)).code).toBe('INVALID_ARGUMENT');
  });
});

describe('encoders', () => {
  it('refuse lists and records of the wrong type', () => {
    for (const list of [null, undefined, 5, {}, { [Symbol.iterator]: 5 }, { [Symbol.iterator]: () => 5 }]) {
      expect(thrownBy(() => encodeGenericResponses(list as never)).code).toBe('INVALID_ARGUMENT');
      expect(thrownBy(() => encodeGenericRequests(list as never)).code).toBe('INVALID_ARGUMENT');
    }
    for (const record of [null, 5, 'x', Symbol('x')]) {
      expect(thrownBy(() => encodeGenericResponses([record] as never)).code).toBe('INVALID_FIELD');
      expect(thrownBy(() => encodeGenericRequests([record] as never)).code).toBe('INVALID_FIELD');
    }
    expect(thrownBy(() => encodeGenericRequests([throwingGetter('input')] as never)).code).toBe(
      'INVALID_FIELD',
    );
    const failing = {
      *[Symbol.iterator]() {
        yield { input: 'a' };
        throw new Error('boom');
      },
    };
    expect(thrownBy(() => encodeGenericRequests(failing as never)).code).toBe('INVALID_ARGUMENT');
  });

  it('refuse options of the wrong type', () => {
    const list = [{ action: ACTION, output: 'x' }];
    for (const options of [5, [], { encoding: 'latin1' }, { bom: 1 }, { reason: 5 }, throwingGetter('bom')]) {
      expect(thrownBy(() => encodeGenericResponses(list, options as never)).code).toBe('INVALID_ARGUMENT');
    }
    for (const count of ['1', -1, 1.5, Number.NaN, 2 ** 53]) {
      expect(thrownBy(() => encodeGenericResponses(list, { count } as never)).code).toBe('INVALID_FIELD');
    }
    expect(thrownBy(() => encodeGenericRequests([{ input: 'x' }], { encoding: 'ucs-2' } as never)).code).toBe(
      'INVALID_ARGUMENT',
    );
  });
});
