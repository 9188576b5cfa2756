import { Readable } from 'node:stream';
import { isBatchwireError } from 'batchwire';
import {
  decodeGenericBody,
  decodeGenericRequests,
  decodeGenericResponses,
  encodeGenericRequests,
  encodeGenericResponses,
  type GenericRecord,
  GenericRequestDecoderStream,
  GenericResponseDecoder,
  GenericResponseDecoderStream,
} from 'batchwire/generic';
import { describe, expect, it } from 'vitest';
import { collect } from '../support/chunks.js';
import { rejectionOf, thrownBy } from '../support/errors.js';

const ACTION = 'http://hpc.microsoft.com/GenericService/IGenericService/GenericOperationResponse';
const responses = [
  { action: ACTION, output: 'größer 🚀', userData: 'a' },
  { action: ACTION, output: 'two', userData: '' },
];
const expected: GenericRecord[] = [
  { kind: 'response', ...responses[0]! },
  { kind: 'response', ...responses[1]! },
  { kind: 'end', count: 2, reason: 'Success', rawReason: 'Success', received: 2 },
];
const body = encodeGenericResponses(responses, { encoding: 'utf-16le' });

describe('input sources', () => {
  const pieces = () => [body.subarray(0, 7), body.subarray(7, 101), body.subarray(101)];
  const sources: [string, () => Parameters<typeof decodeGenericResponses>[0]][] = [
    ['Uint8Array', () => body],
    ['ArrayBuffer', () => body.slice().buffer],
    ['Buffer', () => Buffer.from(body)],
    ['string', () => new TextDecoder('utf-16le').decode(body)],
    ['array of chunks', () => pieces()],
    [
      'generator',
      () =>
        (function* () {
          yield* pieces();
        })(),
    ],
    [
      'async generator',
      () =>
        (async function* () {
          yield* pieces();
        })(),
    ],
    [
      'WHATWG ReadableStream',
      () =>
        new ReadableStream({
          start(c) {
            for (const p of pieces()) c.enqueue(p);
            c.close();
          },
        }),
    ],
    ['Node Readable', () => Readable.from(pieces().map((p) => Buffer.from(p)))],
  ];
  for (const [name, source] of sources) {
    it(`reads ${name}`, async () => {
      expect(await collect(decodeGenericResponses(source()))).toEqual(expected);
    });
  }

  it('refuses a source that is not one', async () => {
    const error = await rejectionOf(collect(decodeGenericResponses(42 as never)));
    expect(error.code).toBe('INVALID_ARGUMENT');
  });

  it('refuses a chunk that is neither bytes nor text', async () => {
    const error = await rejectionOf(collect(decodeGenericResponses([body, 7 as never])));
    expect(error.code).toBe('INVALID_ARGUMENT');
  });

  it('refuses mixing string and byte chunks in one stream', () => {
    const decoder = new GenericResponseDecoder();
    decoder.write('http://x');
    expect(thrownBy(() => decoder.write(new Uint8Array([1]))).code).toBe('INVALID_ARGUMENT');
  });
});

describe('adapters', () => {
  it('GenericResponseDecoderStream is a TransformStream', async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < body.length; i += 3) c.enqueue(body.subarray(i, i + 3));
        c.close();
      },
    }).pipeThrough(new GenericResponseDecoderStream());
    expect(await collect(stream)).toEqual(expected);
  });

  it('GenericResponseDecoderStream errors the stream with a BatchwireError', async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(body.subarray(0, 40));
        c.close();
      },
    }).pipeThrough(new GenericResponseDecoderStream());
    const error = await rejectionOf(collect(stream));
    expect(error.code).toBe('TRUNCATED');
    expect(error.offset).toBe(40);
  });

  it('decodeGenericRequests and GenericRequestDecoderStream read request bodies', async () => {
    const requests = [
      { input: 'in 1', userData: 'u' },
      { input: 'in 2', userData: '' },
    ];
    const encoded = encodeGenericRequests(requests);
    expect(await collect(decodeGenericRequests(encoded))).toEqual(requests);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(encoded);
        c.close();
      },
    });
    expect(await collect(stream.pipeThrough(new GenericRequestDecoderStream()))).toEqual(requests);
  });

  it('cancels a ReadableStream it stops reading: on a decode error, and when the caller breaks off', async () => {
    const source = (first: Uint8Array) => {
      const cancelled: unknown[] = [];
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(first);
        },
        pull(c) {
          c.enqueue(body); // more body, forever: only a cancel ends it
        },
        cancel(reason) {
          cancelled.push(reason);
        },
      });
      return { stream, cancelled };
    };
    const broken = source(new Uint8Array([0x68, 0xc3, 0x28]));
    const error = await rejectionOf(collect(decodeGenericResponses(broken.stream, { encoding: 'utf-8' })));
    expect(error.code).toBe('INVALID_ENCODING');
    expect(broken.cancelled).toHaveLength(1);
    const endless = source(body);
    for await (const record of decodeGenericResponses(endless.stream)) {
      expect(record.kind).toBe('response');
      break;
    }
    expect(endless.cancelled).toHaveLength(1);
  });

  it('decodeGenericBody splits responses and the closing record', () => {
    expect(decodeGenericBody(body)).toEqual({ responses: expected.slice(0, 2), end: expected[2] });
  });
});

describe('errors', () => {
  it('delivers every record before a problem, then throws it (async iterator)', async () => {
    const broken = new Uint8Array([...encodeGenericResponses(responses).subarray(0, -5)]);
    const seen: GenericRecord[] = [];
    const error = await rejectionOf(
      (async () => {
        for await (const record of decodeGenericResponses(broken)) seen.push(record);
      })(),
    );
    expect(seen).toEqual(expected.slice(0, 2));
    expect(error.code).toBe('TRUNCATED');
    expect(error.offset).toBe(broken.length);
  });

  it('a push decoder returns the records of a chunk and throws the problem on the next call, then refuses', () => {
    const decoder = new GenericResponseDecoder();
    const good = encodeGenericResponses(responses);
    const bad = new Uint8Array([...good.subarray(0, 30), 0xff, ...good.subarray(30)]);
    // Records before the invalid byte come back... none here, the first record is cut:
    expect(thrownBy(() => decoder.write(bad)).code).toBe('INVALID_ENCODING');
    expect(thrownBy(() => decoder.write(good)).code).toBe('INVALID_ENCODING');
    expect(thrownBy(() => decoder.end()).code).toBe('INVALID_ENCODING');

    const second = new GenericResponseDecoder();
    const firstRecordEnd = good.indexOf(0) + 1;
    const late = new Uint8Array([...good.subarray(0, firstRecordEnd), 0xff]);
    expect(second.write(late)).toEqual([expected[0]]);
    const error = thrownBy(() => second.end());
    expect(error.code).toBe('INVALID_ENCODING');
    expect(error.offset).toBe(firstRecordEnd);
  });

  it('refuses calls after end()', () => {
    const decoder = new GenericResponseDecoder();
    decoder.write(body);
    decoder.end();
    expect(thrownBy(() => decoder.write(body)).code).toBe('INVALID_ARGUMENT');
  });

  it('string input reports character offsets', () => {
    const text = `${ACTION}\uffff日本🚀\u0000x`;
    const error = thrownBy(() => decodeGenericBody(text));
    expect(error.code).toBe('MALFORMED_RECORD');
    expect(error.offset).toBe(ACTION.length + 1 + 4);
    expect(isBatchwireError(error)).toBe(true);
    expect(error.name).toBe('BatchwireError');
  });

  it('UTF-8 byte input reports byte offsets past multi-byte characters', () => {
    const text = `${ACTION}\uffff日本🚀\u0000`;
    const bytes = new TextEncoder().encode(text);
    const error = thrownBy(() => decodeGenericBody(bytes));
    expect(error.code).toBe('MALFORMED_RECORD');
    expect(error.offset).toBe(bytes.length - 1);
  });

  it('a record over maxRecordBytes fails before it is buffered, even when it never ends', () => {
    const decoder = new GenericResponseDecoder({ maxRecordBytes: 1000 });
    decoder.write(new Uint8Array(600).fill(0x61));
    const error = thrownBy(() => decoder.write(new Uint8Array(600).fill(0x61)));
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(error.offset).toBe(1000);
  });

  it('lone surrogates in UTF-16 are kept by default and refused on request, with the offset', () => {
    const withLone = encodeGenericResponses([{ action: ACTION, output: 'x\ud83d', userData: '' }], {
      encoding: 'utf-16be',
    });
    expect(decodeGenericBody(withLone).responses[0]!.output).toBe('x\ud83d');
    const error = thrownBy(() => decodeGenericBody(withLone, { loneSurrogates: 'error' }));
    expect(error.code).toBe('INVALID_ENCODING');
    expect(error.offset).toBe((ACTION.length + 2) * 2);
  });

  it('errors serialise to JSON with their facts', () => {
    const error = thrownBy(() => decodeGenericBody(new Uint8Array([0x68, 0xc3])));
    expect(error.toJSON()).toMatchObject({ name: 'BatchwireError', code: 'TRUNCATED', offset: 1 });
  });
});

describe('encoders', () => {
  it('refuse fields that would split a record', () => {
    for (const bad of ['a\u0000b', 'a\uffffb']) {
      expect(thrownBy(() => encodeGenericResponses([{ action: ACTION, output: bad }])).code).toBe(
        'INVALID_FIELD',
      );
      expect(thrownBy(() => encodeGenericResponses([{ action: bad, output: '' }])).code).toBe(
        'INVALID_FIELD',
      );
      expect(
        thrownBy(() => encodeGenericResponses([{ action: ACTION, output: '', userData: bad }])).code,
      ).toBe('INVALID_FIELD');
      expect(thrownBy(() => encodeGenericRequests([{ input: bad }])).code).toBe('INVALID_FIELD');
      expect(thrownBy(() => encodeGenericResponses([], { reason: bad })).code).toBe('INVALID_FIELD');
    }
  });

  it('refuse a response that would forge the closing record', () => {
    const error = thrownBy(() =>
      encodeGenericResponses([
        { action: 'http://hpc.microsoft.com/EndOfGetResponse', output: '0', userData: 'Success' },
      ]),
    );
    expect(error.code).toBe('INVALID_FIELD');
  });

  it('refuse lone surrogates in UTF-8 rather than writing U+FFFD', () => {
    expect(thrownBy(() => encodeGenericResponses([{ action: ACTION, output: '\udc00' }])).code).toBe(
      'INVALID_FIELD',
    );
  });

  it('write the byte forms of the reference: EF BF BF / 00 in UTF-8, FF FF / 00 00 in UTF-16LE', () => {
    const utf8 = encodeGenericRequests([{ input: 'a', userData: 'b' }]);
    expect([...utf8]).toEqual([0x61, 0xef, 0xbf, 0xbf, 0x62, 0x00]);
    const utf16 = encodeGenericRequests([{ input: 'a', userData: 'b' }], { encoding: 'utf-16le' });
    expect([...utf16]).toEqual([0x61, 0, 0xff, 0xff, 0x62, 0, 0, 0]);
    const be = encodeGenericRequests([{ input: 'a' }], { encoding: 'utf-16be', bom: true });
    expect([...be]).toEqual([0xfe, 0xff, 0, 0x61, 0xff, 0xff, 0, 0]);
  });

  it('write a byte order mark when the text starts with U+FEFF, so it survives decoding', () => {
    const encoded = encodeGenericRequests([{ input: '\ufeffx' }]);
    expect([...encoded.subarray(0, 6)]).toEqual([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf]);
  });

  it('write the closing count and reason given', () => {
    const encoded = encodeGenericResponses([], { count: 5, reason: 'ClientPurged' });
    expect(decodeGenericBody(encoded, { verifyCount: false }).end).toEqual({
      kind: 'end',
      count: 5,
      reason: 'ClientPurged',
      rawReason: 'ClientPurged',
      received: 0,
    });
  });
});
