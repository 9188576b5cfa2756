// A fetch Response with a non-2xx status is a service fault, not a body (issue 21, section 5):
// every function that takes a Response rejects with BatchwireServiceError (SERVICE_FAULT, the
// parsed fault, status, retryAfterMs), as paginate does, whatever the error body is.
import { isBatchwireError, isBatchwireServiceError } from 'batchwire';
import { decodeGenericRequests, decodeGenericResponses, encodeGenericResponses } from 'batchwire/generic';
import { readMessageArray } from 'batchwire/soap';
import {
  parseComputeNodeListPage,
  parseDliBatchState,
  parseJobListPage,
  parseJobPrepReleaseStatusPage,
  parsePoolListPage,
  parseTaskListPage,
} from 'batchwire/status';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

async function drain(records: AsyncIterable<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const record of records) out.push(record);
  return out;
}

/** Every public function that takes a fetch Response, as a promise of what it reads. */
const READERS: [string, (response: Response, options?: object) => Promise<unknown>][] = [
  ['decodeGenericResponses', (r, o) => drain(decodeGenericResponses(r, o))],
  ['decodeGenericRequests', (r, o) => drain(decodeGenericRequests(r, o))],
  ['readMessageArray', (r, o) => drain(readMessageArray(r, o))],
  ['parseDliBatchState', (r, o) => parseDliBatchState(r, o)],
  ['parseJobPrepReleaseStatusPage', (r, o) => parseJobPrepReleaseStatusPage(r, o)],
  ['parseJobListPage', (r, o) => parseJobListPage(r, o)],
  ['parseTaskListPage', (r, o) => parseTaskListPage(r, o)],
  ['parsePoolListPage', (r, o) => parsePoolListPage(r, o)],
  ['parseComputeNodeListPage', (r, o) => parseComputeNodeListPage(r, o)],
];

// Error bodies as the services write them.
const FAULTS = [
  {
    what: 'an HPC Pack 400 InvalidSessionId (JSON)',
    status: 400,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: '{"Code":16777217,"Message":"The session Id 7 is invalid.","Values":null}',
    fault: { service: 'hpc-pack', code: '16777217' },
    retryAfterMs: undefined,
  },
  {
    what: 'an HPC Pack 400 HpcWebServiceFault (XML, UTF-16)',
    status: 400,
    headers: { 'content-type': 'application/xml; charset=utf-16' },
    body: new Uint8Array(
      Buffer.from(
        '\ufeff<HpcWebServiceFault xmlns="http://schemas.microsoft.com/HPCS2008R2/common" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><Code>16777217</Code><Message>The session Id 7 is invalid.</Message><Values i:nil="true"/></HpcWebServiceFault>',
        'utf16le',
      ),
    ),
    fault: { service: 'hpc-pack', code: '16777217' },
    retryAfterMs: undefined,
  },
  {
    what: 'an Azure Batch 503 ServerBusy with Retry-After',
    status: 503,
    headers: { 'content-type': 'application/json', 'retry-after': '7' },
    body: '{"odata.metadata":"https://b/$metadata#Microsoft.Azure.Batch.Protocol.Entities.Container.errors/@Element","code":"ServerBusy","message":{"lang":"en-US","value":"The server is busy.\\nRequestId:1\\nTime:2024-01-01T00:00:00Z"}}',
    fault: { service: 'azure-batch', code: 'ServerBusy', retriable: true },
    retryAfterMs: 7000,
  },
  {
    what: 'a DLI 404',
    status: 404,
    headers: { 'content-type': 'application/json' },
    body: '{"is_success":false,"error_code":"DLI.0002","error_msg":"The job does not exist."}',
    fault: { service: 'dli', code: 'DLI.0002' },
    retryAfterMs: undefined,
  },
  {
    what: 'an HTML 502 from a proxy',
    status: 502,
    headers: { 'content-type': 'text/html' },
    body: '<html><body><h1>502 Bad Gateway</h1></body></html>',
    fault: { service: 'unknown', retriable: true },
    retryAfterMs: undefined,
  },
  {
    what: 'a 500 without a body',
    status: 500,
    headers: {},
    body: null,
    fault: { service: 'unknown', retriable: true },
    retryAfterMs: undefined,
  },
] as const;

describe('a non-2xx Response is a BatchwireServiceError', () => {
  for (const [name, read] of READERS) {
    for (const f of FAULTS) {
      it(`${name}: ${f.what}`, async () => {
        const response = new Response(f.body, { status: f.status, headers: f.headers });
        const error = await read(response).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isBatchwireServiceError(error), String(error)).toBe(true);
        if (!isBatchwireServiceError(error)) return;
        expect(error.code).toBe('SERVICE_FAULT');
        expect(error.status).toBe(f.status);
        expect(error.retryAfterMs).toBe(f.retryAfterMs);
        expect(error.fault).toMatchObject({ ...f.fault, status: f.status });
      });
    }
  }

  it('reads at most maxBodyBytes of the error body and cancels the rest', async () => {
    let pulled = 0;
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new TextEncoder().encode('x'.repeat(1024 * 1024)));
      },
      cancel() {
        cancelled = true;
      },
    });
    const error = await drain(decodeGenericResponses(new Response(body, { status: 500 }))).catch((e) => e);
    expect(error.code).toBe('SERVICE_FAULT');
    expect(error.fault.truncated).toBe(true);
    expect(cancelled).toBe(true);
    expect(pulled).toBeLessThan(10);
  });

  it('options are still checked at the call, and an aborted signal wins', async () => {
    const response = () => new Response('{}', { status: 503 });
    expect(() => decodeGenericResponses(response(), { encoding: 'latin1' as 'utf-8' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    const error = await drain(decodeGenericResponses(response(), { signal: controller.signal })).catch(
      (e) => e,
    );
    expect(error.message).toBe('stop');
  });

  it('a 2xx Response is still a body (200, 206 with the content-type charset)', async () => {
    const bytes = encodeGenericResponses([{ action: 'urn:a', output: 'ö', userData: 'u' }], {
      encoding: 'utf-16be',
    });
    const response = new Response(bytes, {
      status: 206,
      headers: { 'content-type': 'application/octet-stream; charset=utf-16be' },
    });
    const records = await drain(decodeGenericResponses(response));
    expect(records[0]).toEqual({ kind: 'response', action: 'urn:a', output: 'ö', userData: 'u' });
  });
});

describe('the status parsers read a 2xx Response', () => {
  it('a job list page, with the charset of its content-type', async () => {
    const text = '{"value":[{"id":"jöb-1","state":"active"}],"odata.nextLink":"https://b/jobs?$skiptoken=1"}';
    const response = new Response(new Uint8Array(Buffer.from(text, 'utf16le')), {
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-16le' },
    });
    const page = await parseJobListPage(response);
    expect(page.items[0]).toMatchObject({ id: 'jöb-1', state: 'active' });
    expect(page.nextLink).toBe('https://b/jobs?$skiptoken=1');
  });

  it('the DLI state, and a body over maxBodyBytes is LIMIT_EXCEEDED', async () => {
    const ok = new Response('{"id":"a","state":"Running"}', { status: 200 });
    await expect(parseDliBatchState(ok)).resolves.toMatchObject({ state: 'running' });
    const big = new Response(`{"id":"${'a'.repeat(2000)}","state":"x"}`, { status: 200 });
    await expect(parseDliBatchState(big, { maxBodyBytes: 100 })).rejects.toMatchObject({
      code: 'LIMIT_EXCEEDED',
    });
  });

  it('an error document in a 200 is still a service error', async () => {
    const response = new Response('{"code":"JobNotFound","message":{"value":"no"}}', { status: 200 });
    await expect(parseJobListPage(response)).rejects.toMatchObject({ code: 'SERVICE_FAULT' });
  });
});

// The class, not the examples: any status outside 2xx, any body (even a valid generic or SOAP
// body, which must not be read as records), any content-type: every reader rejects with a
// BatchwireServiceError carrying that status, and nothing else comes out.
describe('a non-2xx Response, as a property', () => {
  const generic = encodeGenericResponses([{ action: 'urn:a', output: 'o', userData: 'u' }]);
  const bodies = fc.oneof(
    fc.constant(null),
    fc.constant(generic),
    fc.string({ maxLength: 200 }),
    fc.uint8Array({ maxLength: 300 }),
    fc.constantFrom('{"value":[{"id":"j"}]}', '{"id":"a","state":"Running"}', '<s:Envelope/>', '2'),
  );
  const statuses = fc.integer({ min: 300, max: 599 });
  const contentTypes = fc.constantFrom(
    undefined,
    'application/json',
    'application/xml; charset=utf-16',
    'text/html',
    'application/octet-stream; charset=utf-16be',
  );
  // Statuses whose responses have no body by the Fetch standard.
  const NULL_BODY = new Set([101, 103, 204, 205, 304]);

  it('every reader rejects with a BatchwireServiceError of that status', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: READERS.length - 1 }),
        statuses,
        bodies,
        contentTypes,
        async (which, status, body, contentType) => {
          const [name, read] = READERS[which]!;
          const headers = contentType === undefined ? {} : { 'content-type': contentType };
          const response = new Response(NULL_BODY.has(status) ? null : body, { status, headers });
          const outcome = await read(response).then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          );
          expect('error' in outcome, `${name} ${status} resolved`).toBe(true);
          const error = (outcome as { error: unknown }).error;
          expect(isBatchwireServiceError(error), `${name} ${status}: ${String(error)}`).toBe(true);
          expect((error as { status: number }).status).toBe(status);
          expect((error as { code: string }).code).toBe('SERVICE_FAULT');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('Response.error() (a network error, status 0) is not a body either', async () => {
    for (const [name, read] of READERS) {
      const error = await read(Response.error()).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isBatchwireError(error), `${name}: ${String(error)}`).toBe(true);
    }
  });
});
