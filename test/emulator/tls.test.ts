// TLS emulation (issue 24 §3): `tls: true` makes a CA and a certificate for localhost,
// 127.0.0.1 and ::1 at start; `serve --tls --auth FILE` prints the URL and the CA file to trust,
// and a separate Node process that trusts it through NODE_EXTRA_CA_CERTS reaches the emulator.
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { Agent, get } from 'node:https';
import { PassThrough } from 'node:stream';
import { signSharedKey } from 'batchwire/auth';
import { startEmulator } from 'batchwire/emulator';
import { azureBatch, hpcPack } from 'batchwire/requests';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/io.js';
import { runServe } from '../../src/cli/serve.js';
import { useTempDir } from '../support/temp.js';

const temp = useTempDir('tls');

function fetchStatus(url: string, agent: Agent, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { agent, headers }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    }).on('error', reject);
  });
}

describe('startEmulator({ tls: true })', () => {
  it('serves HTTPS with a certificate for localhost, 127.0.0.1 and ::1 signed by the CA it returns', async () => {
    const emulator = await startEmulator({ tls: true });
    try {
      expect(emulator.url).toMatch(/^https:\/\/127\.0\.0\.1:[0-9]+$/);
      const ca = new X509Certificate(emulator.ca!);
      expect(ca.ca).toBe(true);
      const agent = new Agent({ ca: emulator.ca! });
      const port = new URL(emulator.url).port;
      const { url, headers } = hpcPack.getClusters({ baseUrl: emulator.url });
      expect(await fetchStatus(url, agent, headers)).toBe(200);
      // The same certificate for the name: localhost is in its names.
      expect(await fetchStatus(url.replace('127.0.0.1', 'localhost'), agent, headers)).toBe(200);
      const leaf = await new Promise<X509Certificate>((resolve, reject) => {
        const req = get(url, { agent: new Agent({ ca: emulator.ca! }) }, (response) => {
          const socket = response.socket as import('node:tls').TLSSocket;
          resolve(new X509Certificate(socket.getPeerX509Certificate()!.raw));
          response.resume();
        });
        req.on('error', reject);
      });
      expect(leaf.subjectAltName).toContain('DNS:localhost');
      expect(leaf.subjectAltName).toContain('IP Address:127.0.0.1');
      expect(leaf.subjectAltName).toMatch(/IP Address:(0:0:0:0:0:0:0:1|::1)/);
      expect(leaf.checkIssued(ca)).toBe(true);
      expect(leaf.verify(ca.publicKey)).toBe(true);
      // Without the CA, Node refuses the certificate.
      await expect(fetchStatus(url, new Agent())).rejects.toThrow(/certificate/i);
      expect(port).not.toBe('');
    } finally {
      await emulator.close();
    }
  });

  it('serves a given certificate and key ({ cert, key }), and refuses what is not PEM', async () => {
    const source = await import('../../src/emulator/tls.js');
    const material = await source.makeLoopbackCertificate();
    const emulator = await startEmulator({ tls: { cert: material.cert, key: material.key } });
    try {
      expect(emulator.ca).toContain('-----BEGIN CERTIFICATE-----');
      const agent = new Agent({ ca: material.ca });
      const { url, headers } = hpcPack.getClusters({ baseUrl: emulator.url });
      expect(await fetchStatus(url, agent, headers)).toBe(200);
    } finally {
      await emulator.close();
    }
    await expect(startEmulator({ tls: { cert: 'nope', key: 'nope' } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(startEmulator({ tls: 'yes' as never })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('batchwire serve --tls --auth FILE', () => {
  it('prints the URL and NODE_EXTRA_CA_CERTS=PATH; a Node process trusting it gets 403 unsigned and 200 signed', async () => {
    const key = Buffer.alloc(64, 7).toString('base64');
    process.env.BW_TEST_SERVE_KEY = key;
    const auth = temp(
      'auth.json',
      JSON.stringify({ 'azure-batch': { account: 'servetest', key: { env: 'BW_TEST_SERVE_KEY' } } }),
    );
    const stdout = new PassThrough();
    const out: string[] = [];
    stdout.on('data', (d: Buffer) => out.push(d.toString()));
    let stop!: () => void;
    const until = new Promise<void>((resolve) => {
      stop = resolve;
    });
    let failure: unknown;
    let caPath = '';
    const code = await runServe(
      { args: [], options: { tls: true, auth }, stdout, stderr: new PassThrough() },
      until,
      (emulator) => {
        (async () => {
          const lines = out.join('').trim().split('\n');
          expect(lines[0]).toBe(emulator.url);
          expect(lines[0]).toMatch(/^https:/);
          expect(lines[1]).toMatch(/^NODE_EXTRA_CA_CERTS=/);
          caPath = lines[1]!.slice('NODE_EXTRA_CA_CERTS='.length);
          expect(readFileSync(caPath, 'utf8')).toBe(emulator.ca);
          const request = azureBatch.listJobs({ baseUrl: emulator.url, apiVersion: '2024-07-01.20.0' });
          const signed = await signSharedKey(request, { account: 'servetest', key });
          // A separate process, trusting the CA the way the README says: plain fetch, no agent.
          const script =
            'const [u,h]=process.argv.slice(1);fetch(u,{headers:JSON.parse(h)}).then(r=>console.log(r.status),e=>{console.log(String(e.cause??e));process.exit(1)})';
          const run = (headers: Record<string, string>) =>
            new Promise<string>((resolve) =>
              execFile(
                process.execPath,
                ['-e', script, request.url, JSON.stringify(headers)],
                { env: { ...process.env, NODE_EXTRA_CA_CERTS: caPath } },
                (_error, text) => resolve(text.trim()),
              ),
            );
          expect(await run(request.headers)).toBe('403');
          expect(await run(signed.headers)).toBe('200');
        })().then(stop, (error: unknown) => {
          failure = error;
          stop();
        });
      },
    );
    if (failure) throw failure;
    expect(code).toBe(0);
    // The CA file it made is removed on shutdown.
    expect(existsSync(caPath)).toBe(false);
  });

  it('refuses --auth that is not JSON without quoting it, and --cert without --key', async () => {
    const bad = temp('bad.json', '{ "azure-batch": { "key": "SECRET-in-a-broken-file" ');
    const context = { args: [], stdout: new PassThrough(), stderr: new PassThrough() };
    const run = (options: Record<string, string | boolean>) =>
      runServe({ ...context, options }, Promise.resolve());
    await expect(run({ auth: bad })).rejects.toThrow(UsageError);
    await expect(run({ auth: bad })).rejects.not.toThrow(/SECRET/);
    await expect(run({ cert: bad })).rejects.toThrow(/--cert and --key go together/);
  });
});
