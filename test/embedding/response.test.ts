import { Readable } from 'node:stream';
import { parseFault } from 'batchwire/faults';
import {
  decodeGenericRequests,
  decodeGenericResponses,
  encodeGenericRequests,
  encodeGenericResponses,
  GenericResponseDecoder,
} from 'batchwire/generic';
import { readMessageArray, writeMessageArray } from 'batchwire/soap';
import { describe, expect, it } from 'vitest';

async function collect<T>(records: AsyncIterable<T>): Promise<{ records: T[]; error?: unknown }> {
  const out: T[] = [];
  try {
    for await (const record of records) out.push(record);
    return { records: out };
  } catch (error) {
    return { records: out, error };
  }
}

const responses = [
  { action: 'urn:a', output: 'π = 3.14', userData: 'job-1' },
  { action: 'urn:a', output: '42', userData: 'job-2' },
];

function streamOf(bytes: Uint8Array, size = 3): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) controller.close();
      else {
        controller.enqueue(bytes.slice(at, at + size));
        at += size;
      }
    },
  });
}

describe('a fetch Response is an input', () => {
  it('decodeGenericResponses reads its body with its content-type charset', async () => {
    const body = encodeGenericResponses(responses, { encoding: 'utf-16le' });
    const response = new Response(streamOf(body), {
      headers: { 'content-type': 'application/octet-stream; charset=utf-16le' },
    });
    const { records, error } = await collect(decodeGenericResponses(response));
    expect(error).toBeUndefined();
    expect(records.slice(0, 2)).toEqual(responses.map((r) => ({ kind: 'response', ...r })));
    expect(records[2]).toMatchObject({ kind: 'end', count: 2 });
  });

  it('the charset of the content-type decides where sniffing would guess wrong', async () => {
    const text =
      '\u0100bc\uffffd\uffffe\u0000http://hpc.microsoft.com/EndOfGetResponse\uffff1\uffffSuccess\u0000';
    const bytes = new Uint8Array(Buffer.from(text, 'utf16le'));
    const labelled = new Response(bytes, { headers: { 'content-type': 'text/plain; charset=utf-16le' } });
    const { records } = await collect(decodeGenericResponses(labelled));
    expect(records[0]).toEqual({ kind: 'response', action: '\u0100bc', output: 'd', userData: 'e' });
    // An explicit contentType option wins over the response's header.
    const overridden = new Response(bytes, { headers: { 'content-type': 'text/plain; charset=utf-8' } });
    const again = await collect(
      decodeGenericResponses(overridden, { contentType: 'text/plain; charset=utf-16le' }),
    );
    expect(again.records[0]).toEqual(records[0]);
  });

  it('readMessageArray reads a Response', async () => {
    const xml = writeMessageArray([
      { action: 'urn:r', userData: 'u1', body: { name: 'R', namespace: 'urn:x', result: '1' } },
      { kind: 'end', reason: 'Success' },
    ]);
    const response = new Response(xml, { headers: { 'content-type': 'application/xml; charset=utf-8' } });
    const { records, error } = await collect(readMessageArray(response));
    expect(error).toBeUndefined();
    expect(records.map((r) => r.kind)).toEqual(['response', 'end']);
  });

  it('a null body (204, HEAD) is empty input with the decoder’s own result', async () => {
    const empty = new Response(null, { status: 204 });
    const generic = await collect(decodeGenericResponses(empty));
    expect(generic.records).toEqual([]);
    expect(generic.error).toMatchObject({ name: 'BatchwireError', code: 'TRUNCATED', offset: 0 });
    const requests = await collect(decodeGenericRequests(new Response(null, { status: 204 })));
    expect(requests).toEqual({ records: [] });
    const soap = await collect(readMessageArray(new Response(null, { status: 204 })));
    expect(soap.error).toMatchObject({ code: 'TRUNCATED' });
  });

  it('a body already read is an INVALID_ARGUMENT error, not a TypeError', async () => {
    const response = new Response('x');
    await response.text();
    const { error } = await collect(decodeGenericResponses(response));
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('parseFault reads status, headers, content-type and body of a Response', async () => {
    const response = new Response(
      JSON.stringify({ code: 'ServerBusy', message: { lang: 'en-US', value: 'Server busy.\nRequestId:1' } }),
      {
        status: 503,
        headers: { 'retry-after': '7', 'content-type': 'application/json;odata=minimalmetadata' },
      },
    );
    const fault = await parseFault(response);
    expect(fault).toMatchObject({
      service: 'azure-batch',
      code: 'ServerBusy',
      status: 503,
      retriable: true,
      retryAfterMs: 7000,
    });
    const html = await parseFault(
      new Response('<html><body>502 Bad Gateway</body></html>', {
        status: 502,
        headers: { 'content-type': 'text/html' },
      }),
    );
    expect(html).toMatchObject({ service: 'unknown', status: 502, retriable: true });
    const none = await parseFault(new Response(null, { status: 404 }));
    expect(none).toMatchObject({ service: 'unknown', status: 404, message: '', retriable: false });
  });

  it('parseFault reads at most maxBodyBytes of a Response and cancels the rest', async () => {
    let pulled = 0;
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(1024).fill(0x41));
      },
      cancel() {
        cancelled = true;
      },
    });
    const fault = await parseFault(new Response(endless, { status: 500 }), { maxBodyBytes: 4096 });
    expect(fault.truncated).toBe(true);
    expect(cancelled).toBe(true);
    expect(pulled).toBeLessThan(10);
  });

  it('parseFault keeps the synchronous form for { status, headers, body }', () => {
    const fault = parseFault({
      status: 400,
      headers: new Headers(),
      body: '{"error_code":"DLI.0001","error_msg":"x"}',
    });
    expect(fault.service).toBe('dli');
    // maxBytes is still read, as the old name of maxBodyBytes.
    expect(parseFault({ body: 'x'.repeat(100) }, { maxBytes: 10 }).truncated).toBe(true);
    expect(parseFault({ body: 'x'.repeat(100) }, { maxBodyBytes: 10 }).truncated).toBe(true);
  });
});

describe('cancellation', () => {
  it('an abort stops a stalled ReadableStream at once, cancels it, and rejects with the reason', async () => {
    let cancelledWith: unknown;
    const stalled = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encodeGenericResponses(responses).subarray(0, 20));
      },
      cancel(reason) {
        cancelledWith = reason;
      },
    });
    const controller = new AbortController();
    const reason = new Error('user cancelled');
    const done = collect(decodeGenericResponses(stalled, { signal: controller.signal }));
    setTimeout(() => controller.abort(reason), 20);
    const { error } = await done;
    expect(error).toBe(reason);
    expect(cancelledWith).toBe(reason);
  });

  it('an abort destroys a Node stream', async () => {
    const source = new Readable({ read() {} });
    source.push(Buffer.from('partial'));
    const controller = new AbortController();
    const done = collect(decodeGenericRequests(source, { signal: controller.signal }));
    setTimeout(() => controller.abort(), 20);
    const { error } = await done;
    expect((error as Error).name).toBe('AbortError');
    expect(source.destroyed).toBe(true);
  });

  it('no record is handed out after the abort, and an aborted signal rejects before reading', async () => {
    const controller = new AbortController();
    const body = encodeGenericRequests(Array.from({ length: 10 }, (_, i) => ({ input: `${i}` })));
    const seen: unknown[] = [];
    let error: unknown;
    try {
      for await (const request of decodeGenericRequests(body, { signal: controller.signal })) {
        seen.push(request);
        if (seen.length === 3) controller.abort('stop');
      }
    } catch (e) {
      error = e;
    }
    expect(seen).toHaveLength(3);
    expect(error).toBe('stop');
    const aborted = AbortSignal.abort('early');
    const early = await collect(readMessageArray('<x/>', { signal: aborted }));
    expect(early).toEqual({ records: [], error: 'early' });
    const faulted = parseFault(new Response('{"code":"x"}', { status: 500 }), { signal: aborted });
    await expect(faulted).rejects.toBe('early');
  });

  it('a signal that is not an AbortSignal is INVALID_ARGUMENT, at the call', () => {
    const bad = { signal: 'soon' } as unknown as { signal: AbortSignal };
    expect(() => decodeGenericRequests('a\uffffb\u0000', bad)).toThrow('signal must be an AbortSignal');
  });
});

describe('progress counters of push decoders', () => {
  it('GenericResponseDecoder counts input units and records', () => {
    const body = encodeGenericResponses(responses, { encoding: 'utf-16le' });
    const decoder = new GenericResponseDecoder();
    expect([decoder.bytesRead, decoder.recordsRead]).toEqual([0, 0]);
    let records = 0;
    for (let i = 0; i < body.length; i += 7) records += decoder.write(body.subarray(i, i + 7)).length;
    records += decoder.end().length;
    expect(decoder.bytesRead).toBe(body.length);
    expect(decoder.recordsRead).toBe(3);
    expect(records).toBe(3);
  });
});

describe('progress counters of the SOAP reader', () => {
  it('MessageArrayReader counts input units and messages', async () => {
    const { MessageArrayReader } = await import('batchwire/soap');
    const xml = writeMessageArray([
      { action: 'urn:r', userData: 'u1', body: { name: 'R', namespace: 'urn:x', result: '1' } },
      { action: 'urn:r', userData: 'u2', body: { name: 'R', namespace: 'urn:x', result: '2' } },
      { kind: 'end', reason: 'Success' },
    ]);
    const bytes = new TextEncoder().encode(xml);
    const reader = new MessageArrayReader();
    expect([reader.bytesRead, reader.messagesRead]).toEqual([0, 0]);
    let records = 0;
    for (let i = 0; i < bytes.length; i += 50) records += reader.write(bytes.subarray(i, i + 50)).length;
    records += reader.end().length;
    expect(reader.bytesRead).toBe(bytes.length);
    expect(reader.messagesRead).toBe(3);
    expect(records).toBe(3);
  });
});
