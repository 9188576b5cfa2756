import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('types that fit fetch', () => {
  it('byte outputs are BodyInit and descriptors RequestInit under --lib es2022,dom (no Node types)', async () => {
    // test/types/tsconfig.json: lib es2022 + dom, types [], strict; fetch-dom.ts passes descriptors
    // to fetch and encoder outputs to new Response / new Blob.
    const result = await tsc('test/types');
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it('the emulator and fuzz runner byte outputs are BodyInit too (lib dom with Node types)', async () => {
    const result = await tsc('test/types/node');
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });
});

function tsc(project: string): Promise<{ code: number; output: string }> {
  return new Promise<{ code: number; output: string }>((resolve) => {
    execFile(
      process.execPath,
      [`${root}node_modules/typescript/bin/tsc`, '-p', project],
      { cwd: root, encoding: 'utf8' },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}
