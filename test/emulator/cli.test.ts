import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Emulator, JournalEntry } from 'batchwire/emulator';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/io.js';
import { runServe } from '../../src/cli/serve.js';
import { CLI_ENTRY } from '../support/cli.js';
import { useTempDir } from '../support/temp.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const temp = useTempDir('serve');

/** Runs `serve` in this process until `work` is done with the running emulator. */
async function serve(
  options: Record<string, string | boolean | string[] | undefined>,
  work: (emulator: Emulator) => Promise<void>,
): Promise<{ code: number; stdout: string }> {
  const stdout = new PassThrough();
  const out: string[] = [];
  stdout.on('data', (d: Buffer) => out.push(d.toString()));
  let stop!: () => void;
  const until = new Promise<void>((resolve) => {
    stop = resolve;
  });
  let failure: unknown;
  const code = await runServe(
    {
      args: [],
      options: options as Record<string, string | boolean | undefined>,
      stdout,
      stderr: new PassThrough(),
    },
    until,
    (emulator) => {
      work(emulator).then(stop, (error: unknown) => {
        failure = error;
        stop();
      });
    },
  );
  if (failure) throw failure;
  return { code, stdout: out.join('') };
}

describe('batchwire serve', () => {
  it('prints the URL, serves the fixture with the --fault rules, and writes the journal on shutdown', async () => {
    const fixture = temp(
      'fixture.json',
      JSON.stringify({
        azureBatch: { pools: [{ id: 'only-pool', state: 'active', nodes: [] }] },
        dli: { batches: [] },
      }),
    );
    const journal = temp('journal.json');
    const { code, stdout } = await serve(
      {
        fixture,
        journal,
        seed: '4',
        fault: [
          'op=listJobs,status=503,fault=ServerBusy,retry-after=2,times=1',
          '{"match":{"path":"/pools/*"},"action":{"type":"status","status":429}}',
        ],
      },
      async (emulator) => {
        const pools = await fetch(`${emulator.url}/pools?api-version=2025-06-01`);
        expect(((await pools.json()) as { value: { id: string }[] }).value.map((p) => p.id)).toEqual([
          'only-pool',
        ]);
        expect((await fetch(`${emulator.url}/jobs?api-version=2025-06-01`)).status).toBe(503);
        expect((await fetch(`${emulator.url}/jobs?api-version=2025-06-01`)).status).toBe(200);
        expect((await fetch(`${emulator.url}/pools/only-pool/nodes?api-version=2025-06-01`)).status).toBe(
          429,
        );
      },
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/^http:\/\/127\.0\.0\.1:\d+\n$/);
    const entries = JSON.parse(readFileSync(journal, 'utf8')) as JournalEntry[];
    expect(entries.map((e) => [e.operation, e.status, e.fault?.rule ?? null])).toEqual([
      ['listPools', 200, null],
      ['listJobs', 503, 1],
      ['listJobs', 200, null],
      ['listComputeNodes', 429, 2],
    ]);
  });

  it('refuses bad arguments with a usage error', async () => {
    const bad: Record<string, string | boolean | string[]>[] = [
      { port: 'abc' },
      { port: '70000' },
      { fault: ['explode=1'] },
      { fixture: join(root, 'does-not-exist.json') },
      { fixture: temp('bad.json', '{"azureBatch":{"jobs":[{"id":""}]}}') },
      { fixture: temp('not-json.json', '{') },
      { host: '0.0.0.0' },
      { clock: 'sundial' },
    ];
    for (const options of bad) {
      await expect(
        serve(options, async () => {}),
        JSON.stringify(options),
      ).rejects.toThrow(UsageError);
    }
  });

  it('runs as a process and closes cleanly on SIGTERM', async () => {
    const journal = temp('process-journal.json');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        CLI_ENTRY,
        'serve',
        '--journal',
        journal,
        '--fault',
        'op=listJobs,status=503',
        '--fault=op=listPools,status=429',
      ],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const url = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout.on('data', (d: Buffer) => {
        text += d.toString();
        if (text.includes('\n')) resolve(text.trim());
      });
      child.on('exit', (code) => reject(new Error(`exited with ${code}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(
      (await fetch(`${url}/WindowsHPC/Clusters`, { headers: { 'api-version': '2011-11-01' } })).status,
    ).toBe(200);
    // Both --fault options apply.
    expect((await fetch(`${url}/jobs?api-version=2025-06-01`)).status).toBe(503);
    expect((await fetch(`${url}/pools?api-version=2025-06-01`)).status).toBe(429);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect((JSON.parse(readFileSync(journal, 'utf8')) as JournalEntry[])[0]).toMatchObject({
      operation: 'getClusters',
      status: 200,
    });
  });
});
