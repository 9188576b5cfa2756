import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../support/temp.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'src/cli/main.ts');
const temp = useTempDir('cli');

// Runs the CLI from source (through tsx), so the test needs no build.
function batchwire(
  args: string[],
  input?: Uint8Array,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', cli, ...args],
      { cwd: root, encoding: 'utf8' },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
    if (input) child.stdin!.end(input);
    else child.stdin!.end();
  });
}

function lines(text: string): unknown[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
}

describe('batchwire decode generic', () => {
  it('prints one JSON line per record of a bundled sample', async () => {
    const { code, stdout } = await batchwire(['decode', 'generic', 'samples/generic-responses.utf16le.bin']);
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
    const { code, stdout } = await batchwire(['decode', 'generic', '-', '--encoding', 'utf-16le'], body);
    expect(code).toBe(0);
    expect(lines(stdout)[0]).toEqual({ kind: 'response', action: 'a', output: 'b', userData: 'c' });
  });

  it('prints the records before a problem, then the error on stderr, and exits 1', async () => {
    const file = temp('truncated.bin', Buffer.from('a\uffffb\uffffc\u0000trunc', 'utf8'));
    const { code, stdout, stderr } = await batchwire(['decode', 'generic', file]);
    expect(code).toBe(1);
    expect(lines(stdout)).toEqual([{ kind: 'response', action: 'a', output: 'b', userData: 'c' }]);
    expect(stderr).toMatch(/^error: TRUNCATED at offset 15: /m);
  });

  it('names a bad argument and exits 2', async () => {
    const { code, stderr } = await batchwire(['decode', 'generic', 'x', '--encoding', 'latin9']);
    expect(code).toBe(2);
    expect(stderr).toContain('--encoding');
  });

  it('answers --help', async () => {
    const { code, stdout } = await batchwire(['decode', 'generic', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: batchwire decode generic');
  });

  it('demo decodes every bundled sample', async () => {
    const { code, stdout } = await batchwire(['demo']);
    expect(code).toBe(0);
    for (const file of readdirSync(join(root, 'samples'))) expect(stdout).toContain(`# samples/${file}\n`);
    const records = lines(stdout) as Record<string, unknown>[];
    // Three generic response bodies and two message arrays each end with their closing record.
    expect(records.filter((r) => r.kind === 'end')).toHaveLength(5);
    expect(records.filter((r) => typeof r.service === 'string')).toHaveLength(7);
    expect(records).toContainEqual({ status: 'Finished' });
  });

  it('lists every decoder and command in --help', async () => {
    const { code, stdout } = await batchwire(['--help']);
    expect(code).toBe(0);
    for (const name of ['generic', 'soap', 'status', 'fault', 'dli-state', 'jobprep-page'])
      expect(stdout).toContain(`decode ${name} `);
    for (const name of ['filter', 'demo', 'gen', 'bench'])
      expect(stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
  });
});
