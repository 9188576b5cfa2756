import {
  isBatchwireError,
  MessageArrayReader,
  MessageArrayReaderStream,
  parseBrokerClientStatus,
  parseMessageArray,
  readMessageArray,
  type SoapRecord,
  writeMessageArray,
} from 'batchwire/soap';
import { describe, expect, it } from 'vitest';

const reply = (i: number) => ({
  action: 'http://tempuri.org/IService/EchoResponse',
  userData: `u${i}`,
  body: { name: 'EchoResponse', namespace: 'http://tempuri.org/', result: `r${i}` },
});
const body = writeMessageArray([reply(1), reply(2), reply(3), { kind: 'end' }]);

async function collect(records: AsyncIterable<SoapRecord>): Promise<SoapRecord[]> {
  const out: SoapRecord[] = [];
  for await (const record of records) out.push(record);
  return out;
}

describe('soap API surface', () => {
  it('readMessageArray reads a ReadableStream, an async iterable and a string alike', async () => {
    const bytes = new TextEncoder().encode(body);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 7) controller.enqueue(bytes.subarray(i, i + 7));
        controller.close();
      },
    });
    async function* pieces() {
      for (let i = 0; i < body.length; i += 11) yield body.slice(i, i + 11);
    }
    const expected = await collect(readMessageArray(body));
    expect(expected.map((r) => r.kind)).toEqual(['response', 'response', 'response', 'end']);
    expect(await collect(readMessageArray(stream))).toEqual(expected);
    expect(await collect(readMessageArray(pieces()))).toEqual(expected);
  });

  it('MessageArrayReaderStream is a TransformStream from bytes to records', async () => {
    const source = new Blob([body]).stream().pipeThrough(new MessageArrayReaderStream());
    const reader = source.getReader();
    const out: SoapRecord[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      out.push(value);
    }
    expect(out).toEqual(parseMessageArray(body).messages.concat([parseMessageArray(body).end!] as never));
  });

  it('yields records decoded before an error, then throws it on the next call, and keeps refusing', () => {
    const reader = new MessageArrayReader();
    const broken = body
      .replace('<s:Envelope', '<s:Envelope')
      .replace('</HPCPack2008_WebAPI_MessageArray>', '');
    const cut = `${broken.slice(0, broken.lastIndexOf('<s:Envelope'))}<s:Envelope &nbsp;`;
    const first = reader.write(cut);
    expect(first).toHaveLength(3);
    let code = '';
    try {
      reader.write('more');
    } catch (error) {
      if (isBatchwireError(error)) code = error.code;
    }
    expect(code).toBe('XML_SYNTAX');
    expect(() => reader.end()).toThrow(expect.objectContaining({ code: 'XML_SYNTAX' }));
  });

  it('refuses to be used after end', () => {
    const reader = new MessageArrayReader();
    expect(reader.write(body)).toHaveLength(4);
    expect(reader.end()).toEqual([]);
    expect(() => reader.write('<x/>')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('holds only one envelope: a 20 000-message array streams with the body text dropped after each', () => {
    const reader = new MessageArrayReader({ maxMessageBytes: 4096 });
    let n = 0;
    const one = writeMessageArray([reply(0)]);
    const envelope = one.slice(one.indexOf('<s:Envelope'), one.lastIndexOf('</'));
    n += reader.write('<A>').length;
    for (let i = 0; i < 20_000; i++) n += reader.write(envelope).length;
    n += reader.write('</A>').length;
    expect(n).toBe(20_000);
    expect(() => reader.end()).toThrow(expect.objectContaining({ code: 'TRUNCATED' }));
  });

  it('refuses an unbounded start tag outside any envelope', () => {
    const reader = new MessageArrayReader({ maxMessageBytes: 10_000 });
    reader.write('<A');
    let code = '';
    try {
      for (let i = 0; i < 100; i++) reader.write(` a${i}="${'v'.repeat(200)}"`);
    } catch (error) {
      if (isBatchwireError(error)) code = error.code;
    }
    expect(code).toBe('LIMIT_EXCEEDED');
  });
});

describe('the XML layer through parseBrokerClientStatus', () => {
  it('resolves namespaces by URI and reports syntax errors with line and column', () => {
    expect(
      parseBrokerClientStatus(
        '<f:BrokerClientStatus xmlns:f="urn:f" xmlns:i="urn:i" i:x="1">Ready</f:BrokerClientStatus>',
      ),
    ).toBe('Ready');
    try {
      parseBrokerClientStatus('<a>\n<b></a>');
      throw new Error('expected an error');
    } catch (error) {
      expect(error).toMatchObject({ code: 'XML_SYNTAX', line: 2 });
    }
    expect(() => parseBrokerClientStatus(`<a>${' '.repeat(5 * 1024 * 1024)}</a>`)).toThrow(
      expect.objectContaining({ code: 'LIMIT_EXCEEDED' }),
    );
    expect(() => parseBrokerClientStatus(`${'<a>'.repeat(9)}${'</a>'.repeat(9)}`)).toThrow(
      expect.objectContaining({ code: 'LIMIT_EXCEEDED' }),
    );
  });
});
