// Fuzzing authenticated backends (issue 24 §4): `sign` signs every request (the authenticated
// emulator finds nothing wrong), the ignored-auth check finds a node:http backend that answers
// 2xx without credentials or with a forged signature, and no value a signer wrote reaches a file.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { join } from 'node:path';
import { signSharedKey } from 'batchwire/auth';
import { startEmulator } from 'batchwire/emulator';
import { type FuzzWireRequest, runFuzz, writeFuzzReport } from 'batchwire/fuzz';
import { describe, expect, it } from 'vitest';
import { runFuzzCommand } from '../../src/cli/fuzz.js';
import { runCommand } from '../support/cli.js';
import { useTempDir } from '../support/temp.js';

const temp = useTempDir('fuzz-auth');
const ACCOUNT = 'fuzzauth';
const KEY = Buffer.alloc(64, 0x33).toString('base64');
const sign = (request: FuzzWireRequest) => signSharedKey(request, { account: ACCOUNT, key: KEY });

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** A node:http backend in front of an emulator that takes any request: it only checks that an Authorization header is there (or nothing at all). */
async function brokenBackend(target: string, checksPresence: boolean) {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    const auth = req.headers.authorization;
    if (auth) seen.push(auth, String(req.headers['ocp-date']));
    if (checksPresence && !auth) {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'AuthenticationFailed', message: { value: 'no credentials' } }));
      return;
    }
    const upstream = httpRequest(
      new URL(req.url!, target),
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('runFuzz({ sign })', () => {
  it('against the authenticated emulator: every request signed, nothing found (ignored-auth probes refused)', async () => {
    const emulator = await startEmulator({ auth: { 'azure-batch': { account: ACCOUNT, key: KEY } } });
    try {
      let probes = 0;
      const report = await runFuzz({
        target: emulator.url,
        service: 'azure-batch',
        seed: 5,
        runs: 6,
        sign,
        onRequest: () => probes++,
      });
      expect(report.findings).toEqual([]);
      expect(report.requests).toBeGreaterThan(6);
      // The probes were refused by the emulator: 403s in its journal, and the signed requests served.
      const statuses = emulator.journal.entries().map((e) => e.status);
      expect(statuses.filter((s) => s === 403).length).toBeGreaterThan(0);
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
      expect(probes).toBeGreaterThan(0);
    } finally {
      await emulator.close();
    }
  });

  it('ignored-auth: a backend that answers 2xx without credentials, or to a forged signature, is found; no secret is written', async () => {
    const emulator = await startEmulator();
    const open = await brokenBackend(emulator.url, false);
    const presence = await brokenBackend(emulator.url, true);
    try {
      for (const [backend, how] of [
        [open, 'without credentials'],
        [presence, 'with its signature altered'],
      ] as const) {
        const report = await runFuzz({ target: backend.url, service: 'azure-batch', seed: 3, runs: 4, sign });
        const found = report.findings.filter((f) => f.check === 'ignored-auth');
        expect(found.length).toBeGreaterThan(0);
        expect(found[0]!.message).toContain(how);
        const dir = temp(`out-${how.length}`);
        writeFuzzReport(report, dir);
        const text = files(dir)
          .map((path) => readFileSync(path, 'latin1'))
          .join('\n');
        expect(text).toContain('ignored-auth');
        expect(text).not.toContain(KEY);
        const secrets = [...new Set(backend.seen)].filter((v) => v !== 'undefined');
        // The open backend fails on the first (unsigned) probe of every sequence: it sees no signature.
        if (backend === presence) expect(secrets.length).toBeGreaterThan(0);
        for (const value of secrets) {
          // Every value the signer wrote (the Authorization and the ocp-date) is redacted.
          expect(text).not.toContain(value);
          if (value.startsWith('SharedKey ')) expect(text).not.toContain(value.split(':')[1]);
        }
      }
    } finally {
      await open.close();
      await presence.close();
      await emulator.close();
    }
  });
});

describe('batchwire fuzz --shared-key ACCOUNT --key-env VAR --ca FILE', () => {
  it('fuzzes the HTTPS, authenticated emulator from the command line; --insecure is said in the summary', async () => {
    const emulator = await startEmulator({
      tls: true,
      auth: { 'azure-batch': { account: ACCOUNT, key: KEY } },
    });
    process.env.BW_TEST_FUZZ_KEY = KEY;
    try {
      const ca = temp('ca.pem', emulator.ca!);
      const common = {
        service: 'azure-batch',
        runs: '3',
        seed: '2',
        'shared-key': ACCOUNT,
        'key-env': 'BW_TEST_FUZZ_KEY',
      };
      const run = await runCommand(
        { run: (c) => runFuzzCommand(c), summary: '', usage: '', options: {} },
        [emulator.url],
        {
          ...common,
          ca,
        },
      );
      expect(run.stdout).toMatch(/0 findings/);
      expect(run.code).toBe(0);
      const insecure = await runCommand(
        { run: (c) => runFuzzCommand(c), summary: '', usage: '', options: {} },
        [emulator.url],
        {
          ...common,
          insecure: true,
        },
      );
      expect(insecure.code).toBe(0);
      expect(insecure.stdout).toContain('NOT checked (--insecure)');
      // A key on the command line is not an option: only the environment variable's name is.
      await expect(
        runCommand({ run: (c) => runFuzzCommand(c), summary: '', usage: '', options: {} }, [emulator.url], {
          ...common,
          'key-env': 'BW_TEST_NOT_SET_VAR',
        }),
      ).rejects.toThrow(/BW_TEST_NOT_SET_VAR is not set/);
    } finally {
      await emulator.close();
    }
  });
});
