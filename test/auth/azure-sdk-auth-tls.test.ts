// The official Azure Batch SDK (@azure/batch 10.2.0) against the emulator with authentication on
// (issue 24 §3): SharedKey credentials, right and wrong key, and bearer-token credentials
// (@azure/ms-rest-js TokenCredentials), over HTTPS with the emulator's CA in an https.Agent.
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { BatchServiceClient, BatchSharedKeyCredentials } from '@azure/batch';
import { type ServiceClientCredentials, TokenCredentials } from '@azure/ms-rest-js';
import { type Emulator, startEmulator } from 'batchwire/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ACCOUNT = 'sdkauth';
const KEY = Buffer.alloc(64, 0x5a).toString('base64');
const WRONG_KEY = Buffer.alloc(64, 0x5b).toString('base64');
const TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.entra-emulated-token.';

let emulator: Emulator;
let agents: { http: HttpAgent; https: HttpsAgent };

beforeAll(async () => {
  emulator = await startEmulator({
    tls: true,
    auth: { 'azure-batch': { account: ACCOUNT, key: KEY, tokens: [TOKEN] } },
  });
  agents = { http: new HttpAgent(), https: new HttpsAgent({ ca: emulator.ca! }) };
});
afterAll(async () => {
  agents.https.destroy();
  await emulator.close();
});

function clientWith(credentials: ServiceClientCredentials): BatchServiceClient {
  return new BatchServiceClient(credentials, emulator.url, { agentSettings: agents });
}

async function failure(call: () => Promise<unknown>): Promise<unknown[]> {
  try {
    await call();
  } catch (error) {
    const e = error as { statusCode?: number; code?: string; body?: { values?: { key: string }[] } };
    return [e.statusCode, e.code, e.body?.values?.[0]?.key];
  }
  return ['no error'];
}

describe('@azure/batch against startEmulator({ tls: true, auth })', () => {
  it('SharedKey credentials: the everyday lists work over HTTPS', async () => {
    const client = clientWith(new BatchSharedKeyCredentials(ACCOUNT, KEY));
    expect(emulator.url).toMatch(/^https:/);
    const jobs = await client.job.list();
    expect(jobs.map((j) => j.id)).toContain('job-1');
    const tasks = await client.task.list('job-1');
    expect(tasks.length).toBeGreaterThan(0);
    const pools = await client.pool.list();
    expect(pools.map((p) => p.id)).toContain('pool-1');
    // With a filter and $select in the query: the canonicalized resource the SDK signs matches.
    const active = await client.job.list({
      jobListOptions: { filter: "state eq 'active'", select: 'id,state' },
    });
    expect(active.every((j) => j.state === 'active')).toBe(true);
  });

  it('a wrong key gets the RestError 403 AuthenticationFailed with AuthenticationErrorDetail', async () => {
    const client = clientWith(new BatchSharedKeyCredentials(ACCOUNT, WRONG_KEY));
    expect(await failure(() => client.job.list())).toEqual([
      403,
      'AuthenticationFailed',
      'AuthenticationErrorDetail',
    ]);
    const other = clientWith(new BatchSharedKeyCredentials('another-account', KEY));
    expect(await failure(() => other.pool.list())).toEqual([
      403,
      'AuthenticationFailed',
      'AuthenticationErrorDetail',
    ]);
  });

  it('bearer-token credentials: a token listed in the auth options works, another is refused', async () => {
    const client = clientWith(new TokenCredentials(TOKEN));
    const jobs = await client.job.list();
    expect(jobs.map((j) => j.id)).toContain('job-1');
    const nodes = await client.computeNode.list('pool-1');
    expect(nodes.length).toBeGreaterThan(0);
    const refused = clientWith(new TokenCredentials('not-a-listed-token'));
    expect(await failure(() => refused.job.list())).toEqual([
      403,
      'AuthenticationFailed',
      'AuthenticationErrorDetail',
    ]);
  });

  it('without the CA the SDK cannot connect: the certificate is the emulator CA, not a public one', async () => {
    const client = new BatchServiceClient(new TokenCredentials(TOKEN), emulator.url, {
      agentSettings: { http: new HttpAgent(), https: new HttpsAgent() },
    });
    const error = await client.job.list().then(
      () => undefined,
      (e: unknown) => e as { statusCode?: number; message?: string },
    );
    expect(error?.statusCode).toBeUndefined();
    expect(error?.message).toMatch(/certificate/i);
  });
});
