// The control API no web page can drive (issue 23 §4): JSON bodies only, no foreign Origin, no
// DNS-rebound Host, an optional token; rules checked when they are added, with a "did you mean";
// and fault messages with every placeholder filled.
import { request as httpRequest } from 'node:http';
import { type Emulator, startEmulator } from 'batchwire/emulator';
import { parseFault } from 'batchwire/faults';
import { hpcPack } from 'batchwire/requests';
import { afterEach, describe, expect, it } from 'vitest';
import { send } from './support.js';

const JSON_TYPE = { 'content-type': 'application/json' };
const RULE = JSON.stringify({ match: { operation: 'listJobs' }, action: { type: 'status', status: 503 } });

let running: Emulator | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function start(options: Parameters<typeof startEmulator>[0] = {}): Promise<Emulator> {
  running = await startEmulator(options);
  return running;
}

/** A raw request with a Host header of our choosing (fetch will not set one). */
function rawRequest(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the control endpoints accept no request a web page could send', () => {
  it('a body that is not application/json is 415, and nothing changes', async () => {
    const emulator = await start();
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const answer = await fetch(`${emulator.url}/_batchwire/faults`, {
        method: 'POST',
        headers: { 'content-type': type },
        body: RULE,
      });
      expect(answer.status, type).toBe(415);
    }
    // A POST without a body (and so without a type) is refused too: reset is a POST.
    emulator.faults.add({ action: { type: 'delay', ms: 1 } });
    expect((await fetch(`${emulator.url}/_batchwire/reset`, { method: 'POST' })).status).toBe(415);
    expect(emulator.faults.list()).toHaveLength(1);
    const ok = await fetch(`${emulator.url}/_batchwire/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: RULE,
    });
    expect(ok.status).toBe(201);
    expect(
      (await fetch(`${emulator.url}/_batchwire/reset`, { method: 'POST', headers: JSON_TYPE })).status,
    ).toBe(204);
  });

  it('a request with a foreign Origin is 403; the emulator’s own origin passes', async () => {
    const emulator = await start();
    const port = new URL(emulator.url).port;
    for (const origin of [
      'http://evil.example',
      'null',
      `http://127.0.0.1:${Number(port) + 1}`,
      'https://localhost',
    ]) {
      const answer = await fetch(`${emulator.url}/_batchwire/journal`, { headers: { origin } });
      expect(answer.status, origin).toBe(403);
    }
    for (const origin of [emulator.url, `http://localhost:${port}`]) {
      expect(
        (await fetch(`${emulator.url}/_batchwire/journal`, { headers: { origin } })).status,
        origin,
      ).toBe(200);
    }
  });

  it('bound to loopback, a Host that is not a loopback name is 403 (no DNS rebinding)', async () => {
    const emulator = await start();
    const port = new URL(emulator.url).port;
    const rebound = await rawRequest(`${emulator.url}/_batchwire/journal`, 'GET', {
      host: `evil.example:${port}`,
    });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toMatch(/ForbiddenHost/);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `app.localhost:${port}`]) {
      expect((await rawRequest(`${emulator.url}/_batchwire/journal`, 'GET', { host })).status, host).toBe(
        200,
      );
    }
    // The services themselves answer whatever the Host.
    const jobs = await rawRequest(`${emulator.url}/jobs?api-version=2024-07-01.20.0`, 'GET', {
      host: 'evil.example',
    });
    expect(jobs.status).toBe(200);
  });

  it('with controlToken, every control request needs it (Bearer or X-Batchwire-Token)', async () => {
    const emulator = await start({ controlToken: 's3cret-token' });
    const url = `${emulator.url}/_batchwire/faults`;
    const missing = await fetch(url);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await fetch(url, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer s3cret-token' } })).status).toBe(200);
    expect((await fetch(url, { headers: { 'x-batchwire-token': 's3cret-token' } })).status).toBe(200);
    const added = await fetch(url, {
      method: 'POST',
      headers: { ...JSON_TYPE, authorization: 'Bearer s3cret-token' },
      body: RULE,
    });
    expect(added.status).toBe(201);
    // The services need no token.
    expect((await fetch(`${emulator.url}/pools?api-version=2024-07-01.20.0`)).status).toBe(200);
  });
});

describe('rules are checked when they are added', () => {
  async function add(emulator: Emulator, rule: unknown): Promise<{ status: number; message: string }> {
    const answer = await fetch(`${emulator.url}/_batchwire/faults`, {
      method: 'POST',
      headers: JSON_TYPE,
      body: JSON.stringify(rule),
    });
    const body = (await answer.json()) as { message?: string };
    return { status: answer.status, message: body.message ?? '' };
  }

  it('an unknown operation or service is 400 with a "did you mean"', async () => {
    const emulator = await start();
    const status = { type: 'status', status: 503 };
    const op = await add(emulator, { match: { operation: 'getResponse' }, action: status });
    expect(op.status).toBe(400);
    expect(op.message).toMatch(/did you mean "getResponses"/);
    const wrongService = await add(emulator, {
      match: { service: 'dli', operation: 'listJobs' },
      action: status,
    });
    expect(wrongService.status).toBe(400);
    expect(wrongService.message).toMatch(/not an operation of dli/);
    const service = await add(emulator, { match: { service: 'azure-bath' }, action: status });
    expect(service.status).toBe(400);
    expect(service.message).toMatch(/did you mean "azure-batch"/);
    expect(emulator.faults.list()).toEqual([]);
    // The old spellings are read, and kept as the one id.
    const alias = await add(emulator, {
      match: { service: 'hpcPack', operation: 'getResponses' },
      action: status,
    });
    expect(alias.status).toBe(201);
    expect(emulator.faults.list()[0]!.match).toEqual({ service: 'hpc-pack', operation: 'getResponses' });
  });

  it('a header HTTP cannot carry, or one that frames the body, is 400 at creation, and later requests are served', async () => {
    const emulator = await start();
    for (const headers of [
      { 'Retry-After': '1\u2028x' },
      { 'X-Note': 'caf\u00e9 \u263a' },
      { 'Content-Length': '5' },
      { 'transfer-encoding': 'chunked' },
      { 'bad name': 'x' },
    ]) {
      const answer = await add(emulator, { action: { type: 'status', status: 503, headers } });
      expect(answer.status, JSON.stringify(headers)).toBe(400);
    }
    expect(emulator.faults.list()).toEqual([]);
    expect((await fetch(`${emulator.url}/jobs?api-version=2024-07-01.20.0`)).status).toBe(200);
    expect(() =>
      emulator.faults.add({ action: { type: 'status', status: 503, headers: { 'Content-Length': '1' } } }),
    ).toThrow(/frames its answers itself/);
  });
});

describe('fault messages fill their placeholders', () => {
  it('an injected BrokerNotActive names the session', async () => {
    const emulator = await start();
    const baseUrl = emulator.url;
    const created = await send(
      hpcPack.createSession({ baseUrl, body: '{"ServiceName":"Echo"}', accept: 'application/json' }),
    );
    const { Id } = (await created.json()) as { Id: number };
    emulator.faults.add({
      match: { operation: 'getRequestStatus' },
      action: { type: 'status', status: 503, fault: 'BrokerNotActive' },
    });
    const busy = await send(hpcPack.getRequestStatus({ baseUrl, sessionId: Id, batchName: 'b' }));
    const fault = parseFault({ status: busy.status, headers: busy.headers, body: await busy.text() });
    expect(fault).toMatchObject({ service: 'hpc-pack', name: 'BrokerNotActive' });
    expect(fault.formatted).toBe(
      `The broker is not active for session ${Id}. Try to attach to the session first.`,
    );
    // Every HPC fault the emulator can be asked for, on a request with no session: no format item left.
    for (const name of [
      'InvalidSessionId',
      'APIVersionIncorrect',
      'ArgumentError',
      'UnknownError',
      'Broker_FlushRejected',
    ]) {
      emulator.faults.clear();
      emulator.faults.add({
        match: { operation: 'getClusters' },
        action: { type: 'status', status: 400, fault: name },
      });
      const answer = await send(hpcPack.getClusters({ baseUrl }));
      const f = parseFault({ status: answer.status, headers: answer.headers, body: await answer.text() });
      expect(f.formatted, name).not.toMatch(/\{[0-9]+\}|\s\.|:\s*$/);
    }
  });
});
