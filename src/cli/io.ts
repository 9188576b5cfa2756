import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { EncodingOption } from '../core/charset.js';
import { isBatchwireError } from '../core/errors.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { readWhole } from '../core/source.js';
import { type OptionSpec, UsageError } from './args.js';
import { SNIFF_BYTES, type SniffedFormat, suggestFor } from './sniff.js';

export { UsageError } from './args.js';

/** What a CLI command gets: its positional arguments and options, and where to write. */
export interface CommandContext {
  args: string[];
  options: Record<string, string | boolean | undefined>;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Standard input (default `process.stdin`). */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  /** How long a decode runs before the progress line appears on a terminal. @defaultValue 1000 */
  progressAfterMs?: number;
}

/** A CLI (sub)command. `run` resolves to the process exit code. */
export interface Command {
  /** One line for the command list. */
  summary: string;
  /** Full `--help` text. */
  usage: string;
  /** Option names and whether each takes a value. */
  options: Record<string, OptionSpec>;
  run(context: CommandContext): Promise<number>;
}

/** An input being read: its bytes, how many have gone by, and the first few for sniffing. */
export interface Input extends AsyncIterable<Uint8Array> {
  /** `standard input` or the path. */
  readonly name: string;
  /** Bytes read so far. */
  readonly bytesRead: number;
  /** The first bytes read (up to 4 KiB), for the wrong-format hint. */
  head(): Uint8Array;
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files',
};

/** A file the CLI cannot open: one line naming the path, exit code 2. */
export function cannotRead(path: string, error: unknown): UsageError {
  const code = (error as { code?: unknown })?.code;
  const reason =
    typeof code === 'string' && Object.hasOwn(ERRNO_TEXT, code)
      ? ERRNO_TEXT[code]
      : error instanceof Error
        ? error.message
        : String(error);
  return new UsageError(`cannot read ${JSON.stringify(path)}: ${reason}`);
}

function tap(source: AsyncIterable<Uint8Array>, name: string): Input {
  const first: Uint8Array[] = [];
  let firstSize = 0;
  let bytesRead = 0;
  return {
    name,
    get bytesRead() {
      return bytesRead;
    },
    head() {
      return Buffer.concat(first, firstSize);
    },
    async *[Symbol.asyncIterator]() {
      for await (const chunk of source) {
        bytesRead += chunk.length;
        if (firstSize < SNIFF_BYTES) {
          const piece = chunk.subarray(0, SNIFF_BYTES - firstSize);
          first.push(Uint8Array.from(piece));
          firstSize += piece.length;
        }
        yield chunk;
      }
    },
  };
}

/**
 * A file, or standard input for `-` or no argument, as a byte stream. The file is opened here,
 * so a missing file or a directory is a one-line usage error (exit 2) before anything is printed;
 * reading a terminal says so on stderr, instead of waiting silently.
 *
 * @throws UsageError when the file cannot be opened or is a directory
 */
export async function openInput(path: string | undefined, context?: CommandContext): Promise<Input> {
  if (path === undefined || path === '-') {
    const stdin = context?.stdin ?? process.stdin;
    if (stdin.isTTY === true) {
      (context?.stderr ?? process.stderr).write(
        'batchwire: reading standard input (end it with Ctrl-D, or give a FILE; --help for usage)\n',
      );
    }
    return tap(stdin as AsyncIterable<Uint8Array>, 'standard input');
  }
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    const handle = await open(path, 'r');
    return tap(handle.createReadStream() as AsyncIterable<Uint8Array>, path);
  } catch (error) {
    throw cannotRead(path, error);
  }
}

/** A bundled file, opened without the checks (for `batchwire demo`). */
export function openBundled(path: string): AsyncIterable<Uint8Array> {
  return createReadStream(path);
}

/**
 * Reads a whole input (a FILE or standard input from {@link openInput}) into memory: at most
 * `limit` bytes (default `DEFAULT_LIMITS.maxBodyBytes`), else `LIMIT_EXCEEDED`; with `truncate`,
 * the first `limit + 1` bytes and no error (a fault body is parsed from its start).
 */
export async function readAll(
  input: AsyncIterable<Uint8Array>,
  options: { limit?: number; truncate?: boolean } = {},
): Promise<Uint8Array> {
  const limit = options.limit ?? DEFAULT_LIMITS.maxBodyBytes;
  const body = await readWhole(input, limit, { truncate: options.truncate === true });
  // An input that yielded nothing reads as text: the empty string.
  return typeof body === 'string' ? new TextEncoder().encode(body) : body;
}

/** Writes a line of JSON. Waits when the pipe is full, so huge bodies stream with bounded memory. */
export async function writeJsonLine(stream: NodeJS.WritableStream, value: unknown): Promise<void> {
  if (!stream.write(`${JSON.stringify(value)}\n`)) {
    await new Promise<void>((resolve) => stream.once('drain', resolve));
  }
}

function isTerminal(stream: NodeJS.WritableStream): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** The progress text of a decode: bytes read, items decoded, throughput. */
export function decodeProgress(bytes: number, items: number, unit: string, startedMs: number): string {
  const seconds = Math.max(0.001, (Date.now() - startedMs) / 1000);
  return `${megabytes(bytes)} read, ${items.toLocaleString('en-US')} ${unit}, ${(bytes / 1e6 / seconds).toFixed(1)} MB/s`;
}

/**
 * The progress line of a long run: on a terminal only, after `afterMs`, redrawn in place at
 * most four times a second, and erased when the run ends (so the last state is never printed
 * twice, and a pipe or log file gets nothing).
 */
export class Progress {
  private timer: ReturnType<typeof setInterval> | undefined;
  private drawn = false;
  /** When the run started (ms since the epoch). */
  readonly started = Date.now();

  constructor(
    private readonly stderr: NodeJS.WritableStream,
    private readonly describe: (startedMs: number) => string,
    afterMs = 1000,
  ) {
    if (!isTerminal(stderr)) return;
    this.timer = setInterval(() => {
      if (Date.now() - this.started >= afterMs) this.draw();
    }, 250);
    this.timer.unref?.();
  }

  private draw(): void {
    this.stderr.write(`\rbatchwire: ${oneLine(this.describe(this.started))}\u001b[K`);
    this.drawn = true;
  }

  /** Stops the updates and erases the line. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (this.drawn) this.stderr.write('\r\u001b[K');
    this.drawn = false;
  }
}

/**
 * Streams records as JSON lines; on a batchwire error prints its code, offset and message on
 * stderr (and, when the input looks like another format, which command reads it) and returns 1.
 */
export async function printRecords(
  records: AsyncIterable<unknown>,
  context: CommandContext,
  input?: Input,
  expected?: SniffedFormat,
  unit = 'records',
): Promise<number> {
  let count = 0;
  const progress = input
    ? new Progress(
        context.stderr,
        (started) => decodeProgress(input.bytesRead, count, unit, started),
        context.progressAfterMs,
      )
    : undefined;
  try {
    for await (const record of records) {
      await writeJsonLine(context.stdout, record);
      count++;
    }
    return 0;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    progress?.stop();
    reportError(error, context.stderr);
    if (input && expected && isBatchwireError(error)) hint(input, expected, context);
    return 1;
  } finally {
    progress?.stop();
  }
}

/** Prints `hint: ...` on stderr when the input read so far looks like another format than `expected`. */
export function hint(input: Input, expected: SniffedFormat, context: CommandContext): void {
  const text = suggestFor(input.head(), expected);
  if (text !== undefined) context.stderr.write(`hint: ${text}\n`);
}

/**
 * Text for one line of a terminal: line breaks and other control characters (a service's
 * multi-line message, or bytes meant to move the cursor) written as escapes.
 */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** One line on stderr for an error: `CODE at offset N: message` for batchwire errors. */
export function reportError(error: unknown, stderr: NodeJS.WritableStream): void {
  if (isBatchwireError(error)) {
    const where = error.line === undefined ? '' : ` (line ${error.line}, column ${error.column})`;
    stderr.write(`error: ${error.code} at offset ${error.offset}${where}: ${oneLine(error.message)}\n`);
  } else if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    stderr.write(`error: ${typeof code === 'string' ? `${code}: ` : ''}${oneLine(error.message)}\n`);
  } else {
    stderr.write(`error: ${oneLine(String(error))}\n`);
  }
}

const ENCODINGS: readonly EncodingOption[] = ['auto', 'utf-8', 'utf-16le', 'utf-16be'];

/** The `--encoding` option of the decode commands. */
export function encodingOption(value: string | boolean | undefined): EncodingOption {
  if (value === undefined) return 'auto';
  if (typeof value === 'string' && (ENCODINGS as readonly string[]).includes(value.toLowerCase()))
    return value.toLowerCase() as EncodingOption;
  throw new UsageError(`--encoding: expected one of ${ENCODINGS.join(', ')}, got ${JSON.stringify(value)}`);
}

/** The `--encoding` and `--content-type` options of the decode commands, checked. */
export function readingOptions(options: CommandContext['options']): {
  encoding: EncodingOption;
  contentType: string | undefined;
} {
  const contentType = options['content-type'];
  return {
    encoding: encodingOption(options.encoding),
    contentType: typeof contentType === 'string' ? contentType : undefined,
  };
}

/** The one FILE (or `-`, or nothing: standard input) a decode command reads. */
export function oneFile(args: string[]): string | undefined {
  const [file, extra] = args;
  if (extra !== undefined)
    throw new UsageError(`unexpected argument ${JSON.stringify(extra)}: give one FILE or -`);
  return file;
}
