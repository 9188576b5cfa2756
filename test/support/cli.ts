import { PassThrough } from 'node:stream';
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
