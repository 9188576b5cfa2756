import {
  isBatchwireError,
  MessageArrayReader,
  MessageArrayReaderStream,
  parseBrokerClientStatus,
  writeMessageArray,
} from 'batchwire/soap';
import { describe, expect, it } from 'vitest';

const body = writeMessageArray([
  { action: 'a', userData: 'u', body: { name: 'R', namespace: 'urn:r', result: 'v' } },
  { kind: 'end' },
]);

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    if (!isBatchwireError(error)) throw error;
    return error.code;
  }
}

describe('wrong arguments give a value or a BatchwireError (issue 12 item 4)', () => {
  it('MessageArrayReader takes null or missing options, and refuses wrong-typed values', () => {
    expect(new MessageArrayReader(null as never).write(body)).toHaveLength(2);
    expect(new MessageArrayReader(undefined).write(body)).toHaveLength(2);
    for (const options of [
      42,
      'x',
      { maxDepth: 'x' },
      { maxMessageBytes: -1 },
      { maxTextLength: Number.NaN },
      { encoding: 'latin1' },
      { contentType: 5 },
      { verifyCount: 'yes' },
      { requireEnd: 1 },
    ]) {
      expect(
        codeOf(() => new MessageArrayReader(options as never)),
        JSON.stringify(options),
      ).toBe('INVALID_ARGUMENT');
    }
  });

  it('write takes any bytes (ArrayBuffer, DataView, typed arrays) and refuses anything else', () => {
    const bytes = new TextEncoder().encode(body);
    for (const chunk of [
      bytes.buffer,
      new DataView(bytes.buffer),
      new Uint16Array(bytes.buffer.slice(0, bytes.length - (bytes.length % 2))),
      Buffer.from(bytes),
    ]) {
      const reader = new MessageArrayReader({ verifyCount: false, requireEnd: false });
      expect(() => reader.write(chunk as never)).not.toThrow();
    }
    const reader = new MessageArrayReader();
    for (const chunk of [null, undefined, 42, {}, [1, 2], () => 1]) {
      expect(codeOf(() => reader.write(chunk as never))).toBe('INVALID_ARGUMENT');
    }
    // A wrong chunk leaves the reader usable.
    expect(reader.write(new TextEncoder().encode(body).buffer as never)).toHaveLength(2);
  });

  it('MessageArrayReaderStream accepts ArrayBuffer chunks and errors (not a TypeError) on junk', async () => {
    const bytes = new TextEncoder().encode(body);
    const out: unknown[] = [];
    const good = new ReadableStream({
      start(controller) {
        controller.enqueue(bytes.buffer);
        controller.close();
      },
    }).pipeThrough(new MessageArrayReaderStream());
    const reader = good.getReader();
    for (let next = await reader.read(); !next.done; next = await reader.read()) out.push(next.value);
    expect(out).toHaveLength(2);
    const bad = new ReadableStream({
      start(controller) {
        controller.enqueue(42);
        controller.close();
      },
    }).pipeThrough(new MessageArrayReaderStream());
    let error: unknown;
    try {
      const reader = bad.getReader();
      while (!(await reader.read()).done);
    } catch (caught) {
      error = caught;
    }
    expect(isBatchwireError(error) && error.code).toBe('INVALID_ARGUMENT');
  });

  it('parseBrokerClientStatus refuses a contentType that is not a string, and any body that is not one', () => {
    expect(codeOf(() => parseBrokerClientStatus('1', 123 as never))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => parseBrokerClientStatus('1', {} as never))).toBe('INVALID_ARGUMENT');
    expect(parseBrokerClientStatus('1', null as never)).toBe('Ready');
    for (const body of [null, undefined, 42, {}, []]) {
      expect(codeOf(() => parseBrokerClientStatus(body as never))).toBe('INVALID_ARGUMENT');
    }
    expect(parseBrokerClientStatus(new TextEncoder().encode('2').buffer)).toBe('Processing');
    expect(parseBrokerClientStatus(new DataView(new TextEncoder().encode('3').buffer))).toBe('Finished');
  });
});
