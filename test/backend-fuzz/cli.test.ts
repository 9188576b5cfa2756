// `batchwire fuzz` and `batchwire fuzz replay`: exit codes, the files a run writes (the JSON
// contracts of report.json and case.json), JUnit, replay, and the same requests for the same seed.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { startEmulator } from 'batchwire/emulator';
import { type FuzzExchange, replayCase, runFuzz } from 'batchwire/fuzz';
import { describe, expect, it } from 'vitest';
import { runFuzzCommand } from '../../src/cli/fuzz.js';
import { UsageError } from '../../src/cli/io.js';
import { useTempDir } from '../support/temp.js';
import { dropLastResponse, emulatorWith } from './backends.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const temp = useTempDir('fuzz');

async function cli(
  args: string[],
  options: Record<string, string | boolean | undefined>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (d: Buffer) => out.push(d.toString()));
  stderr.on('data', (d: Buffer) => err.push(d.toString()));
  const code = await runFuzzCommand({ args, options, stdout, stderr });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('batchwire fuzz', () => {
  it('writes report.json, one directory per finding and JUnit, and exits 1; replay says whether the case still fails', async () => {
    const broken = await emulatorWith(dropLastResponse);
    const out = temp('out');
    const junit = temp('junit.xml');
    let run: Awaited<ReturnType<typeof cli>>;
    try {
      run = await cli([broken.url], { service: 'hpc-pack', seed: '3', runs: '40', out, junit });
    } finally {
      // Replay below goes to a backend with the same bug, and then to a correct one.
    }
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/batchwire fuzz: \d+ requests, \d+ findings?, [0-9.]+ requests\/s/);
    expect(run.stdout).toMatch(/finding getResponses\.lost-response\.200/);

    // report.json: { seed, requests, findings: [{ signature, check, operation, status?, code?, case }] }
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.seed).toBe(3);
    expect(typeof report.requests).toBe('number');
    expect(report.findings.length).toBeGreaterThan(0);
    const finding = report.findings.find((f: { check: string }) => f.check === 'lost-response');
    expect(finding).toMatchObject({
      signature: 'getResponses.lost-response.200',
      check: 'lost-response',
      operation: 'getResponses',
      status: 200,
    });
    // `case` is relative to the folder of report.json, so a report can be moved or merged.
    expect(finding.case).toBe('getResponses.lost-response.200/case.json');
    finding.case = join(out, finding.case);
    expect(report).toMatchObject({ format: 'batchwire-fuzz-report', version: 1, service: 'hpc-pack' });
    expect(finding.foundAfter).toMatchObject({ runs: expect.any(Number), requests: expect.any(Number) });
    expect(run.stdout).toMatch(/found after \d+ sequences \/ \d+ requests/);

    // case.json: { seed, requests: [{ method, url, headers, body? }] }, body naming a file beside it
    const caseJson = JSON.parse(readFileSync(finding.case, 'utf8'));
    expect(caseJson).toMatchObject({ service: 'hpc-pack', serviceName: 'Echo', projectId: 'batchwire-fuzz' });
    expect(caseJson.seed).toBe(3);
    expect(caseJson.requests.map((r: { method: string }) => r.method)).toEqual(['POST', 'POST', 'POST']);
    for (const r of caseJson.requests) {
      expect(typeof r.url).toBe('string');
      expect(typeof r.headers).toBe('object');
      if (r.body !== undefined) expect(existsSync(join(dirname(finding.case), r.body))).toBe(true);
    }
    expect(caseJson.requests.filter((r: { body?: string }) => r.body !== undefined)).toHaveLength(2);
    const folder = dirname(finding.case);
    expect(readFileSync(join(folder, 'reproduce.sh'), 'utf8')).toMatch(
      /curl -sS -i .* -X POST '.*\/Response\?count=-1&genericservice=true'/,
    );
    expect(JSON.parse(readFileSync(join(folder, 'response.json'), 'utf8'))).toMatchObject({
      request: 2,
      status: 200,
    });

    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testsuite name="batchwire fuzz hpc-pack" tests="\d+" failures="\d+"/);
    expect(xml).toContain('name="getResponses.lost-response.200"');
    expect(xml).toContain('<testcase classname="batchwire.fuzz.hpc-pack" name="server-error" time="0"/>');

    // Replay against the same bug: still fails (exit 1); against a correct emulator: no longer (exit 0).
    const again = await cli(['replay', finding.case], { target: broken.url });
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/still fails: getResponses\.lost-response\.200/);
    await broken.close();
    const fixed = await startEmulator();
    try {
      const replay = await cli(['replay', finding.case], { target: fixed.url });
      expect(replay.code).toBe(0);
      expect(replay.stdout).toMatch(/no longer fails/);
      const api = await replayCase(finding.case, { target: fixed.url });
      expect(api).toMatchObject({ stillFails: false });
    } finally {
      await fixed.close();
    }
    // Nothing listening: it fails otherwise, which is not the all-clear.
    const down = await cli(['replay', finding.case], { target: fixed.url });
    expect(down.code).toBe(1);
    expect(down.stdout).toMatch(/failed otherwise: .*connection/);
    expect(caseJson.serviceName).toBe('Echo');
  });

  it('exits 0 without a finding and writes nothing unless asked', async () => {
    const emulator = await startEmulator();
    try {
      const run = await cli([emulator.url], { service: 'dli', seed: '1', runs: '10' });
      expect(run).toMatchObject({ code: 0 });
      expect(run.stdout).toMatch(/^seed 1: 10 sequences, \d+ requests in [0-9.]+ s, 0 findings\n$/);
    } finally {
      await emulator.close();
    }
  });

  it('exits 2 on a usage error, and refuses a remote target without --allow-remote', async () => {
    await expect(cli([], { service: 'dli' })).rejects.toThrow(UsageError);
    await expect(cli(['http://127.0.0.1:9'], {})).rejects.toThrow(
      /--service: expected one of hpc-pack, azure-batch, dli/,
    );
    await expect(cli(['http://127.0.0.1:9'], { service: 'dli', runs: '-3' })).rejects.toThrow(/--runs/);
    await expect(cli(['http://batch.example.com'], { service: 'azure-batch' })).rejects.toThrow(
      /not a loopback address.*--allow-remote/,
    );
    await expect(cli(['replay'], {})).rejects.toThrow(/case\.json/);
    // An --out that cannot be written (under a regular file) is the caller's to fix: exit 2.
    const file = temp('not-a-directory', 'x');
    const emulator = await startEmulator();
    try {
      await expect(
        cli([emulator.url], { service: 'dli', seed: '1', runs: '1', out: join(file, 'out') }),
      ).rejects.toThrow(UsageError);
    } finally {
      await emulator.close();
    }
    // Through the real command line: the exit status is 2.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(root, 'src/cli/bin.ts'), 'fuzz', 'http://10.1.2.3:80', '--service', 'dli'],
      { cwd: root },
    );
    const stderr: string[] = [];
    child.stderr.on('data', (d: Buffer) => stderr.push(d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(2);
    expect(stderr.join('')).toMatch(/not a loopback address/);
  });
});

describe('runFuzz', () => {
  it('sends the same requests for the same seed against the same backend behaviour', async () => {
    const requests = async () => {
      const emulator = await startEmulator({ seed: 1 });
      const seen: string[] = [];
      try {
        await runFuzz({
          target: emulator.url,
          service: 'hpc-pack',
          seed: 42,
          runs: 15,
          onRequest: (e: FuzzExchange) =>
            seen.push(`${e.method} ${e.url.replace(emulator.url, '')} ${e.status}`),
        });
      } finally {
        await emulator.close();
      }
      return seen;
    };
    const first = await requests();
    expect(first.length).toBeGreaterThan(40);
    expect(await requests()).toEqual(first);
  });

  it('replays a case that holds only requests (no operations), with the checks every answer gets', async () => {
    const emulator = await startEmulator();
    try {
      const body = 'not json';
      const file = temp('request-1.json', body);
      const caseFile = temp(
        'raw-case.json',
        JSON.stringify({
          seed: 0,
          service: 'dli',
          requests: [
            {
              method: 'POST',
              url: `${emulator.url}/v2.0/p1/batches`,
              headers: { 'content-type': 'application/json' },
              body: 'request-1.json',
            },
          ],
        }),
      );
      expect(existsSync(file)).toBe(true);
      // A refused bad body is fine: a DLI-shaped 400.
      expect(await replayCase(caseFile, { target: emulator.url })).toEqual({
        stillFails: false,
        requests: 1,
      });
      emulator.use(async () => ({
        status: 500,
        headers: {},
        body: { kind: 'bytes', bytes: new Uint8Array(0) },
      }));
      const result = await replayCase(caseFile, { target: emulator.url });
      expect(result).toMatchObject({ stillFails: true, failure: { check: 'server-error', status: 500 } });
      // Nothing is guessed from the URLs: a case names its service.
      const unnamed = temp('unnamed-case.json', JSON.stringify({ seed: 0, requests: [] }));
      await expect(replayCase(unnamed, { target: emulator.url })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringMatching(/names its "service"/),
      });
    } finally {
      await emulator.close();
    }
  });

  it('refuses unusable options with INVALID_ARGUMENT', async () => {
    await expect(runFuzz(null as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(runFuzz({ target: 'http://127.0.0.1:9', service: 'soap' as never })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(runFuzz({ target: 'ftp://127.0.0.1', service: 'dli' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(runFuzz({ target: 'http://127.0.0.1:9', service: 'dli', runs: 1.5 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    const hostile = Object.defineProperty({ target: 'http://127.0.0.1:9', service: 'dli' }, 'seed', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    });
    await expect(runFuzz(hostile as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(replayCase(temp('missing.json'), { target: 'http://127.0.0.1:9' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('stops on the signal and resolves with what it found; runs lanes at once with concurrency', async () => {
    const emulator = await startEmulator();
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 300);
      const started = performance.now();
      const report = await runFuzz({
        target: emulator.url,
        service: 'dli',
        seed: 1,
        timeLimitMs: 60_000,
        concurrency: 3,
        signal: controller.signal,
      });
      expect(performance.now() - started).toBeLessThan(5000);
      expect(report).toMatchObject({ stoppedBy: 'signal', findings: [] });
      expect(report.runs).toBeGreaterThan(3);
    } finally {
      await emulator.close();
    }
  });

  it('hands an exception from onRequest to the caller, as it is', async () => {
    const emulator = await startEmulator();
    try {
      const mine = new Error('from onRequest');
      const run = runFuzz({
        target: emulator.url,
        service: 'azure-batch',
        runs: 5,
        onRequest: () => {
          throw mine;
        },
      });
      await expect(run).rejects.toBe(mine);
    } finally {
      await emulator.close();
    }
  });

  it('refuses a backend that is not there at the start (TARGET_UNREACHABLE), not a connection finding', async () => {
    const error = await runFuzz({
      target: 'http://127.0.0.1:9',
      service: 'azure-batch',
      seed: 1,
      runs: 3,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      code: 'TARGET_UNREACHABLE',
      message: expect.stringMatching(/127\.0\.0\.1:9/),
    });
  });
});
