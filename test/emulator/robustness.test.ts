import { connect } from 'node:net';
import { startEmulator } from 'batchwire/emulator';
import { parseFault } from 'batchwire/faults';
import { decodeGenericResponses, encodeGenericRequests } from 'batchwire/generic';
import { hpcPack } from 'batchwire/requests';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentTypeOf, send, useEmulator } from './support.js';

const ctx = useEmulator({ maxBodyBytes: 64 * 1024, maxDocumentBytes: 4096 });

/** Writes raw bytes on a new connection and resolves with what came back before it closed. */
function raw(port: number, bytes: string | Uint8Array, waitMs = 2000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const done = () => resolve(Buffer.concat(chunks).toString('latin1'));
    socket.on('data', (d) => chunks.push(d));
    socket.on('close', done);
    socket.on('error', () => {});
    socket.setTimeout(waitMs, () => socket.destroy());
    socket.end(bytes);
  });
}

function port(): number {
  return Number(new URL(ctx.url).port);
}

async function alive(): Promise<void> {
  const response = await fetch(`${ctx.url}/pools?api-version=2024-07-01.20.0`);
  expect(response.status).toBe(200);
}

describe('bad requests never crash it', () => {
  it('answers wrong methods, unknown paths and bad escapes with service-shaped 4xx', async () => {
    const cases: [string, string, number, string][] = [
      ['PUT', '/jobs?api-version=2024-07-01.20.0', 405, 'azure-batch'],
      ['GET', '/WindowsHPC/sessions/Create', 405, 'hpc-pack'],
      ['POST', '/v2.0/p/batches/x/state', 405, 'dli'],
      ['GET', '/v2.0/p/nothing', 404, 'dli'],
      ['GET', '/WindowsHPC/session/1/batch/b/Nope', 404, 'hpc-pack'],
      ['GET', '/jobs/%E0%A4%A/tasks', 400, 'azure-batch'],
    ];
    for (const [method, path, status, service] of cases) {
      const response = await fetch(`${ctx.url}${path}`, {
        method,
        headers: { 'api-version': '2012-11-01.4.0' },
      });
      expect(response.status, `${method} ${path}`).toBe(status);
      const fault = parseFault({ status, headers: response.headers, body: await response.text() });
      expect(fault.service, `${method} ${path}`).toBe(service);
    }
    const unknown = await fetch(`${ctx.url}/jobz`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('x-batchwire-closest-route')).toBe('GET /jobs (azure-batch.listJobs)');
    const journal = ctx.emulator.journal.entries();
    expect(journal[journal.length - 1]).toMatchObject({
      unmatched: true,
      closest: 'GET /jobs (azure-batch.listJobs)',
      status: 404,
    });
  });

  it('refuses bodies over the documented limits with 413, before and while reading them', async () => {
    const created = await send(
      hpcPack.createSession({ baseUrl: ctx.url, body: '{"ServiceName":"Echo"}', accept: 'application/json' }),
    );
    const sessionId = ((await created.json()) as { Id: number }).Id;
    const big = encodeGenericRequests(
      Array.from({ length: 2000 }, (_, i) => ({ input: `input number ${i} ${'x'.repeat(30)}` })),
    );
    expect(big.length).toBeGreaterThan(64 * 1024);
    const declared = await send(
      hpcPack.sendRequests({
        baseUrl: ctx.url,
        sessionId,
        batchName: 'big',
        genericService: true,
        body: big,
      }),
    );
    expect(declared.status).toBe(413);
    expect(parseFault({ status: 413, body: await declared.text() }).service).toBe('hpc-pack');
    // Chunked, so the limit is found while streaming; nothing of it is kept.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < big.length; i += 8192) controller.enqueue(big.subarray(i, i + 8192));
        controller.close();
      },
    });
    const request = hpcPack.sendRequests({
      baseUrl: ctx.url,
      sessionId,
      batchName: 'big',
      genericService: true,
      body: '',
    });
    const chunked = await fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(ctx.emulator.hpcPack.sessions().find((s) => s.id === sessionId)?.batches[0]?.requests).toBe(0);
    const doc = await fetch(`${ctx.url}/v2.0/p/batches`, {
      method: 'POST',
      body: JSON.stringify({ file: 'x'.repeat(5000), className: 'A' }),
    });
    expect(doc.status).toBe(413);
    expect(parseFault({ status: 413, body: await doc.text() }).service).toBe('dli');
    await alive();
  });

  it('answers huge headers, garbage and half requests on raw sockets, and keeps serving', async () => {
    const huge = await raw(port(), `GET /jobs HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(huge).toMatch(/^HTTP\/1\.1 431 /);
    expect(await raw(port(), 'NOT HTTP AT ALL\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
    expect(await raw(port(), Buffer.from([0, 1, 2, 255, 254, 13, 10, 13, 10]))).toMatch(/^HTTP\/1\.1 400 /);
    // A body shorter than its Content-Length, then the client goes away.
    await raw(port(), 'POST /v2.0/p/batches HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"file":', 200);
    // Bad chunked framing.
    expect(
      await raw(
        port(),
        'POST /v2.0/p/batches HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      ),
    ).toMatch(/^HTTP\/1\.1 400 /);
    await alive();
    const errors = ctx.emulator.journal
      .entries()
      .filter((e) => e.error !== undefined)
      .map((e) => e.error);
    expect(errors).toContain('HPE_HEADER_OVERFLOW');
  });

  it("answers a request node:http refused (huge headers, a bad target) in its path's service's shape", async () => {
    const big = `Host: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`;
    const cases = [
      ['/WindowsHPC/Clusters?api-version=2012-11-01.4.0', 'hpc-pack'],
      ['/jobs?api-version=2024-07-01.20.0', 'azure-batch'],
      ['/v2.0/p1/batches', 'dli'],
    ] as const;
    for (const [path, service] of cases) {
      const answer = await raw(port(), `GET ${path} HTTP/1.1\r\n${big}`);
      const split = answer.indexOf('\r\n\r\n');
      const head = answer.slice(0, split);
      expect(head).toMatch(/^HTTP\/1\.1 431 /);
      const contentType = /content-type: ([^\r]+)/i.exec(head)?.[1] ?? '';
      const fault = parseFault({
        status: 431,
        headers: { 'content-type': contentType },
        body: answer.slice(split + 4),
      });
      expect(fault.service).toBe(service);
      const entry = ctx.emulator.journal.entries().at(-1)!;
      expect(entry).toMatchObject({
        method: 'GET',
        path: path.split('?')[0],
        status: 431,
        error: 'HPE_HEADER_OVERFLOW',
      });
    }
    await alive();
  });

  it('never answers 5xx to random requests (fast-check), whatever the method, path, query, headers and body', async () => {
    const segment = fc.oneof(
      fc.constantFrom(
        'WindowsHPC',
        'HEAD',
        'session',
        'sessions',
        'Create',
        'batch',
        'Status',
        'Commit',
        'Purge',
        'Response',
        'Attach',
        'Close',
        'Clusters',
      ),
      fc.constantFrom(
        'jobs',
        'pools',
        'tasks',
        'nodes',
        'jobpreparationandreleasetaskstatus',
        'job-1',
        'pool-1',
        'v2.0',
        'p',
        'batches',
        'state',
      ),
      fc.constantFrom(
        '1',
        '0',
        '-1',
        '99999999999',
        '%2F',
        '%00',
        '..',
        '__proto__',
        'constructor',
        '0a324461-d9d9-45da-a52a-3b3c7a3d809e',
      ),
      fc.stringMatching(/^[A-Za-z0-9._~-]{0,12}$/),
    );
    // Paths of the real routes with random ids, so that handlers, not only routing, see the input.
    const id = fc.oneof(
      fc.constantFrom('1', '2', '0', 'b', 'job-1', 'pool-1', 'HEAD', '0a324461-d9d9-45da-a52a-3b3c7a3d809e'),
      segment,
    );
    const routeShaped = fc.oneof(
      fc
        .tuple(
          fc.constantFrom([], ['HEAD'], ['OTHER']),
          id,
          id,
          fc.constantFrom([], ['Status'], ['Commit'], ['Purge'], ['Response']),
        )
        .map(([cluster, session, batch, op]) => [
          'WindowsHPC',
          ...cluster,
          'session',
          session,
          'batch',
          batch,
          ...op,
        ]),
      fc
        .tuple(fc.constantFrom([], ['HEAD']), id, fc.constantFrom('Attach', 'Close'))
        .map(([c, s, op]) => ['WindowsHPC', ...c, 'session', s, op]),
      fc.constantFrom(
        ['WindowsHPC', 'sessions', 'Create'],
        ['WindowsHPC', 'HEAD', 'sessions', 'Create'],
        ['WindowsHPC', 'Clusters'],
        ['jobs'],
        ['pools'],
      ),
      fc
        .tuple(id, fc.constantFrom('tasks', 'jobpreparationandreleasetaskstatus'))
        .map(([j, op]) => ['jobs', j, op]),
      id.map((p) => ['pools', p, 'nodes']),
      fc.tuple(id, fc.constantFrom([], ['state'])).map(([b, st]) => ['v2.0', 'p', 'batches', b, ...st]),
      fc.constant(['v2.0', 'p', 'batches']),
    );
    const query = fc.array(
      fc.tuple(
        fc.constantFrom(
          'api-version',
          'count',
          'reset',
          'genericservice',
          'commit',
          'durable',
          'action',
          'clientdata',
          '$filter',
          'maxresults',
          '$skiptoken',
          '$select',
          'from',
          'size',
          'order',
          'timeout',
          '__proto__',
        ),
        fc.oneof(
          fc.constantFrom(
            '2012-11-01.4.0',
            '2024-07-01.20.0',
            'true',
            'False',
            '-1',
            '0',
            '5',
            "state eq 'active'",
            "nodeId eq 'x' and",
            '1001',
            '',
            'x',
          ),
          fc.string({ maxLength: 20 }),
        ),
      ),
      { maxLength: 4 },
    );
    const body = fc.oneof(
      fc.constant(undefined),
      fc.string({ maxLength: 200 }),
      fc.uint8Array({ maxLength: 200 }),
      fc.constantFrom(
        '{"ServiceName":"Echo"}',
        '{"file":"a","className":"b"}',
        '<WebSessionStartInfo><ServiceName>x</ServiceName></WebSessionStartInfo>',
        '{"__proto__":{"x":1}}',
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH'),
        fc.oneof(fc.array(segment, { minLength: 1, maxLength: 7 }), routeShaped),
        query,
        body,
        fc.constantFrom(undefined, 'application/json', 'application/xml'),
        async (method, segments, params, payload, accept) => {
          const search = params
            .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
            .join('&');
          const url = `${ctx.url}/${segments.join('/')}${search ? `?${search}` : ''}`;
          const headers: Record<string, string> = { 'api-version': '2012-11-01.4.0' };
          if (accept) headers.accept = accept;
          const response = await fetch(url, {
            method,
            headers,
            ...(payload === undefined || method === 'GET' ? {} : { body: payload }),
            signal: AbortSignal.timeout(300),
          }).catch((error: unknown) => error);
          // A Get Responses may wait for requests that never come: that is a timeout, not a failure.
          if (response instanceof Error) return response.name === 'TimeoutError';
          const r = response as Response;
          const text = await r.text().catch(() => '');
          if (r.status >= 500) throw new Error(`${method} ${url} -> ${r.status} ${text.slice(0, 300)}`);
          return true;
        },
      ),
      { numRuns: 300, seed: 1515 },
    );
    await alive();
    expect(Object.prototype).not.toHaveProperty('x');
    // The generated requests reached the handlers, not only the router.
    const statuses = new Set(ctx.emulator.journal.entries().map((e) => e.status));
    for (const status of [200, 400, 404, 405]) expect(statuses).toContain(status);
  });
});

describe('concurrency', () => {
  it('200 concurrent sessions show no cross-talk', async () => {
    const emulator = await startEmulator({ seed: 9 });
    try {
      const baseUrl = emulator.url;
      const run = async (n: number) => {
        const encoding = n % 2 ? 'utf-16le' : 'utf-8';
        const created = await send(
          hpcPack.createSession({ baseUrl, body: '{"ServiceName":"Echo"}', accept: 'application/json' }),
        );
        const sessionId = ((await created.json()) as { Id: number }).Id;
        const requests = Array.from({ length: 6 }, (_, i) => ({
          input: `session ${n} request ${i} ✓`,
          userData: `${n}:${i}`,
        }));
        const batchName = 'same-name-everywhere';
        await send(
          hpcPack.sendRequests({
            baseUrl,
            sessionId,
            batchName,
            genericService: true,
            body: encodeGenericRequests(requests.slice(0, 3), { encoding }),
          }),
        );
        await send(
          hpcPack.sendRequests({
            baseUrl,
            sessionId,
            batchName,
            genericService: true,
            commit: true,
            body: encodeGenericRequests(requests.slice(3), { encoding }),
          }),
        );
        const response = await send(
          hpcPack.getResponses({ baseUrl, sessionId, batchName, genericService: true }),
        );
        const got: string[] = [];
        let count = -1;
        for await (const record of decodeGenericResponses(response.body!, {
          ...contentTypeOf(response),
        })) {
          if (record.kind === 'response') got.push(`${record.userData}=${record.output}`);
          else count = record.count;
        }
        expect(got).toEqual(requests.map((r) => `${r.userData}=${r.input}`));
        expect(count).toBe(6);
        return sessionId;
      };
      const ids = await Promise.all(Array.from({ length: 200 }, (_, n) => run(n)));
      expect(new Set(ids).size).toBe(200);
      expect(emulator.journal.entries().filter((e) => e.status !== null && e.status >= 400)).toEqual([]);
    } finally {
      await emulator.close();
    }
  });
});
