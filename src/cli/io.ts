import { createReadStream } from 'node:fs';
import type { EncodingOption } from '../core/charset.js';
import { isBatchwireError } from '../core/errors.js';

/** What a CLI command gets: its positional arguments and options, and where to write. */
export interface CommandContext {
  args: string[];
  options: Record<string, string | boolean | undefined>;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** A CLI (sub)command. `run` resolves to the process exit code. */
export interface Command {
  /** One line for the command list. */
  summary: string;
  /** Full `--help` text. */
  usage: string;
  /** Option names and whether each takes a value. */
  options: Record<string, { type: 'string' | 'boolean'; short?: string }>;
  run(context: CommandContext): Promise<number>;
}

/** A file, or standard input for `-` or no argument, as a byte stream. */
export function openInput(path: string | undefined): AsyncIterable<Uint8Array> {
  if (path === undefined || path === '-') return process.stdin;
  return createReadStream(path);
}

/** Raised for a bad command line: the message names the bad argument. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Writes a line of JSON. Waits when the pipe is full, so huge bodies stream with bounded memory. */
export async function writeJsonLine(stream: NodeJS.WritableStream, value: unknown): Promise<void> {
  if (!stream.write(`${JSON.stringify(value)}\n`)) {
    await new Promise<void>((resolve) => stream.once('drain', resolve));
  }
}

/**
 * Streams records as JSON lines; on a batchwire error prints its code, offset and message on
 * stderr and returns 1. Other errors (a missing file) are reported the same way with their own code.
 */
export async function printRecords(
  records: AsyncIterable<unknown>,
  context: CommandContext,
): Promise<number> {
  try {
    for await (const record of records) await writeJsonLine(context.stdout, record);
    return 0;
  } catch (error) {
    reportError(error, context.stderr);
    return 1;
  }
}

/** One line on stderr for an error: `CODE at offset N: message` for batchwire errors. */
export function reportError(error: unknown, stderr: NodeJS.WritableStream): void {
  if (isBatchwireError(error)) {
    const where = error.line === undefined ? '' : ` (line ${error.line}, column ${error.column})`;
    stderr.write(`error: ${error.code} at offset ${error.offset}${where}: ${error.message}\n`);
  } else if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    stderr.write(`error: ${typeof code === 'string' ? `${code}: ` : ''}${error.message}\n`);
  } else {
    stderr.write(`error: ${String(error)}\n`);
  }
}

const ENCODINGS: readonly EncodingOption[] = ['auto', 'utf-8', 'utf-16le', 'utf-16be'];

/** The `--encoding` option of the decode commands. */
export function encodingOption(value: string | boolean | undefined): EncodingOption {
  if (value === undefined) return 'auto';
  if (typeof value === 'string' && (ENCODINGS as readonly string[]).includes(value))
    return value as EncodingOption;
  throw new UsageError(`--encoding: expected one of ${ENCODINGS.join(', ')}, got ${JSON.stringify(value)}`);
}

/** The one FILE (or `-`, or nothing: standard input) a decode command reads. */
export function oneFile(args: string[]): string | undefined {
  const [file, extra] = args;
  if (extra !== undefined)
    throw new UsageError(`unexpected argument ${JSON.stringify(extra)}: give one FILE or -`);
  return file;
}
