import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { useTempDir } from '../support/temp.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const temp = useTempDir('cli');

function lines(text: string): unknown[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
}

describe('the process entry', () => {
  it("--version works from source and prints package.json's version", async () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const { code, stdout, stderr } = await runCli(['--version']);
    expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('importing the CLI module runs nothing (the entry is bin.ts)', async () => {
    const before = process.exitCode;
    const module = await import('../../src/cli/main.js');
    expect(typeof module.main).toBe('function');
    // A CLI run on import would have printed its usage and set an exit code by now.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(process.exitCode).toBe(before);
  });
});

describe('batchwire decode generic', () => {
  it('prints one JSON line per record of a bundled sample', async () => {
    const { code, stdout } = await runCli(['decode', 'generic', 'samples/generic-responses.utf16le.bin']);
    expect(code).toBe(0);
    const records = lines(stdout);
    expect(records).toHaveLength(5);
    expect(records[4]).toEqual({
      kind: 'end',
      count: 4,
      reason: 'Success',
      rawReason: 'Success',
      received: 4,
    });
  });

  it('reads standard input with an explicit encoding', async () => {
    const body = Buffer.from(
      'a\uffffb\uffffc\u0000http://hpc.microsoft.com/EndOfGetResponse\uffff1\uffff0\u0000',
      'utf16le',
    );
    const { code, stdout } = await runCli(['decode', 'generic', '-', '--encoding', 'utf-16le'], body);
    expect(code).toBe(0);
    expect(lines(stdout)[0]).toEqual({ kind: 'response', action: 'a', output: 'b', userData: 'c' });
  });

  it('prints the records before a problem, then the error on stderr, and exits 1', async () => {
    const file = temp('truncated.bin', Buffer.from('a\uffffb\uffffc\u0000trunc', 'utf8'));
    const { code, stdout, stderr } = await runCli(['decode', 'generic', file]);
    expect(code).toBe(1);
    expect(lines(stdout)).toEqual([{ kind: 'response', action: 'a', output: 'b', userData: 'c' }]);
    expect(stderr).toMatch(/^error: TRUNCATED at offset 15: /m);
  });

  it('names a bad argument and exits 2', async () => {
    const { code, stderr } = await runCli(['decode', 'generic', 'x', '--encoding', 'latin9']);
    expect(code).toBe(2);
    expect(stderr).toContain('--encoding');
  });

  it('answers --help', async () => {
    const { code, stdout } = await runCli(['decode', 'generic', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: batchwire decode generic');
  });

  it('demo decodes every bundled sample', async () => {
    const { code, stdout } = await runCli(['demo']);
    expect(code).toBe(0);
    for (const file of readdirSync(join(root, 'samples'))) expect(stdout).toContain(`# samples/${file}\n`);
    const records = lines(stdout) as Record<string, unknown>[];
    // Three generic response bodies and two message arrays each end with their closing record.
    expect(records.filter((r) => r.kind === 'end')).toHaveLength(5);
    expect(records.filter((r) => typeof r.service === 'string')).toHaveLength(7);
    expect(records).toContainEqual({ status: 'Finished' });
  });

  it('lists every decoder and command in --help', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    for (const name of ['generic', 'soap', 'status', 'fault', 'dli-state', 'jobprep-page'])
      expect(stdout).toContain(`decode ${name} `);
    for (const name of ['filter', 'demo', 'gen', 'bench'])
      expect(stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
  });
});
