import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Command } from '../../src/cli/io.js';

/** Runs a CLI command object in this process, collecting what it writes. */
export async function runCommand(
  command: Command,
  args: string[],
  options: Record<string, string | boolean | undefined> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (d: Buffer) => out.push(d.toString()));
  stderr.on('data', (d: Buffer) => err.push(d.toString()));
  const code = await command.run({ args, options, stdout, stderr });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The CLI's process entry in the sources: run with `node --import tsx`, no build needed. */
export const CLI_ENTRY = join(root, 'src/cli/bin.ts');

/** What a CLI process did: its exit code and everything it wrote. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `batchwire ARGS...` from source as a child process (through tsx, from the repository's
 * top folder), with `input` (or nothing) on its standard input, and collects what it writes.
 */
export function runCli(args: string[], input?: Uint8Array): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', CLI_ENTRY, ...args],
      { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin!.end(input ?? new Uint8Array(0));
  });
}
