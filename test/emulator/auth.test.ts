// Authenticated emulation (issue 24 §3): each service checks the credentials its real
// counterpart takes and refuses in its own shape; a service left out, or no `auth`, takes
// anything. Requests go over a real socket, signed with batchwire/auth.
import { basicAuth, signAkSk, signSharedKey } from 'batchwire/auth';
import { type Emulator, startEmulator } from 'batchwire/emulator';
import { parseFault } from 'batchwire/faults';
import { azureBatch, dli, hpcPack } from 'batchwire/requests';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ACCOUNT = 'authacct';
const KEY = Buffer.alloc(64, 0x21).toString('base64');
const OTHER_KEY = Buffer.alloc(64, 0x22).toString('base64');
const AK = 'AKEMULATOR0001';
const SK = 'sk-emulator-secret-0001';
const USER = 'CONTOSO\\hpcuser';
const PASSWORD = 'pa55-word-Ünïcode';
const API = '2024-07-01.20.0';

let emulator: Emulator;
beforeAll(async () => {
  process.env.BW_TEST_DLI_SK = SK;
  emulator = await startEmulator({
    clock: 'manual',
    auth: {
      'azure-batch': { account: ACCOUNT, key: [OTHER_KEY.replace(/./, 'Q'), KEY], tokens: ['entra-token-1'] },
      dli: { ak: AK, sk: { env: 'BW_TEST_DLI_SK' }, tokens: ['iam-token-1'] },
      'hpc-pack': { user: USER, password: PASSWORD, realm: 'head.contoso.com' },
    },
  });
});
afterAll(() => emulator?.close());

// The emulator's clock is manual: sign at its time.
const at = () => emulator.clock.now();

async function send(request: {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
}) {
  const response = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    ...(request.body === undefined ? {} : { body: request.body as string }),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe('startEmulator({ auth })', () => {
  it('reads a secret from the environment variable the options name, and says which one is missing without a value', async () => {
    await expect(
      startEmulator({ auth: { dli: { ak: AK, sk: { env: 'BW_TEST_NOT_SET_ANYWHERE' } } } }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('BW_TEST_NOT_SET_ANYWHERE'),
    });
    await expect(
      startEmulator({ auth: { 'azure-batch': { account: ACCOUNT, key: 'not base64 !!' } } }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.not.stringContaining('not base64 !!'),
    });
    await expect(startEmulator({ auth: { 'azure-batch': { acount: 'x' } } as never })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('acount'),
    });
  });
});

describe('Azure Batch: SharedKey and bearer tokens', () => {
  const list = () => azureBatch.listJobs({ baseUrl: emulator.url, apiVersion: API });

  it('takes a SharedKey request signed with any of the account keys', async () => {
    const signed = await signSharedKey(list(), { account: ACCOUNT, key: KEY, date: at() });
    const answer = await send(signed);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text).value.length).toBeGreaterThan(0);
  });

  it('answers 403 AuthenticationFailed with AuthenticationErrorDetail for no credentials, a bad signature, a stale date', async () => {
    const unsigned = await send(list());
    const stale = await signSharedKey(list(), { account: ACCOUNT, key: KEY, date: at() - 16 * 60_000 });
    const wrongKey = await signSharedKey(list(), { account: ACCOUNT, key: OTHER_KEY, date: at() });
    const answers = [unsigned, await send(stale), await send(wrongKey)];
    for (const answer of answers) {
      expect(answer.status).toBe(403);
      const body = JSON.parse(answer.text);
      expect(body.code).toBe('AuthenticationFailed');
      expect(body.message.value).toMatch(/^Server failed to authenticate the request/);
      expect(body.values[0].key).toBe('AuthenticationErrorDetail');
      expect(answer.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
      const fault = parseFault({
        status: 403,
        headers: Object.fromEntries(answer.headers),
        body: answer.text,
      });
      expect(fault).toMatchObject({ service: 'azure-batch', code: 'AuthenticationFailed' });
      // No key in any answer.
      expect(answer.text).not.toContain(KEY);
      expect(answer.text).not.toContain(OTHER_KEY);
    }
    expect(JSON.parse(answers[1]!.text).values[0].value).toMatch(/^Request date header too old/);
    expect(JSON.parse(answers[2]!.text).values[0].value).toMatch(
      /^The MAC signature found in the HTTP request/,
    );
  });

  it('moves with the emulator clock: a request signed now is too old 16 minutes later', async () => {
    const signed = await signSharedKey(list(), { account: ACCOUNT, key: KEY, date: at() });
    emulator.clock.advance(16 * 60_000);
    const answer = await send(signed);
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.text).values[0].value).toMatch(/too old/);
  });

  it('takes a bearer token listed in the options, and refuses another', async () => {
    expect(
      (await send({ ...list(), headers: { ...list().headers, authorization: 'Bearer entra-token-1' } }))
        .status,
    ).toBe(200);
    const refused = await send({
      ...list(),
      headers: { ...list().headers, authorization: 'Bearer entra-token-2' },
    });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.text).code).toBe('AuthenticationFailed');
  });
});

describe('DLI: AK/SK and IAM tokens', () => {
  const list = () => dli.listBatches({ baseUrl: emulator.url, projectId: 'p1' });

  it('takes an SDK-HMAC-SHA256 request, with or without a body (the body hash is checked)', async () => {
    expect((await send(await signAkSk(list(), { ak: AK, sk: SK, date: at() }))).status).toBe(200);
    const create = dli.createBatch({
      baseUrl: emulator.url,
      projectId: 'p1',
      body: { file: 'obs://bucket/app.jar', className: 'com.example.Main', queue: 'default' },
    });
    const signed = await signAkSk(create, { ak: AK, sk: SK, date: at() });
    const created = await send(signed);
    expect(created.status).toBeLessThan(300);
    // The same signature over another body: refused.
    const tampered = await send({ ...signed, body: (signed.body as string).replace('Main', 'Evil') });
    expect(tampered.status).toBe(401);
  });

  it("answers 401 in API Gateway's shape (error_code APIG.0301, error_msg) without credentials or with a bad signature", async () => {
    const bad = await signAkSk(list(), { ak: AK, sk: 'another-secret', date: at() });
    for (const answer of [await send(list()), await send(bad)]) {
      expect(answer.status).toBe(401);
      const body = JSON.parse(answer.text);
      expect(body).toMatchObject({
        error_code: 'APIG.0301',
        error_msg: expect.stringMatching(/^Incorrect IAM authentication information/),
      });
      expect(typeof body.request_id).toBe('string');
      expect(
        parseFault({ status: 401, headers: Object.fromEntries(answer.headers), body: answer.text }),
      ).toMatchObject({
        service: 'dli',
        code: 'APIG.0301',
      });
      expect(answer.text).not.toContain(SK);
    }
  });

  it('takes an X-Auth-Token listed in the options, and refuses another', async () => {
    expect(
      (await send({ ...list(), headers: { ...list().headers, 'x-auth-token': 'iam-token-1' } })).status,
    ).toBe(200);
    expect(
      (await send({ ...list(), headers: { ...list().headers, 'x-auth-token': 'iam-token-9' } })).status,
    ).toBe(401);
  });
});

describe('HPC Pack: Basic', () => {
  it('answers 401 with WWW-Authenticate: Basic, and takes the right user and password (from the environment)', async () => {
    // The password's variable was not set when this emulator started: start one now that it is.
    process.env.BW_TEST_HPC_PASSWORD = PASSWORD;
    const hpc = await startEmulator({
      auth: { 'hpc-pack': { user: USER, passwordEnv: 'BW_TEST_HPC_PASSWORD' } },
    });
    try {
      const request = hpcPack.getClusters({ baseUrl: hpc.url });
      const none = await send(request);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Basic realm="batchwire", charset="UTF-8"');
      const wrong = await send(await basicAuth(request, { user: USER, password: 'nope' }));
      expect(wrong.status).toBe(401);
      expect(wrong.text).not.toContain(PASSWORD);
      expect((await send(await basicAuth(request, { user: USER, password: PASSWORD }))).status).toBe(200);
      // Another service of the same emulator, not configured, takes anything.
      expect((await send(azureBatch.listJobs({ baseUrl: hpc.url, apiVersion: API }))).status).toBe(200);
    } finally {
      await hpc.close();
    }
  });

  it('refuses to start when the variable is not set, naming it', async () => {
    delete process.env.BW_TEST_HPC_PASSWORD;
    await expect(
      startEmulator({ auth: { 'hpc-pack': { user: USER, passwordEnv: 'BW_TEST_HPC_PASSWORD' } } }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('BW_TEST_HPC_PASSWORD'),
    });
  });
});

describe('without auth', () => {
  it('nothing changes: unsigned requests of every service are served', async () => {
    const plain = await startEmulator();
    try {
      expect((await send(azureBatch.listJobs({ baseUrl: plain.url, apiVersion: API }))).status).toBe(200);
      expect((await send(dli.listBatches({ baseUrl: plain.url, projectId: 'p1' }))).status).toBe(200);
      expect((await send(hpcPack.getClusters({ baseUrl: plain.url }))).status).toBe(200);
    } finally {
      await plain.close();
    }
  });
});
