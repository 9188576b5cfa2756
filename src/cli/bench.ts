import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { isBatchwireError } from '../core/errors.js';
import { integerOption } from './args.js';
import { generatedBody } from './bench-bodies.js';
import { BENCH_FORMATS, type BenchFormat, type BodyReport, benchBody, formatReport } from './bench-run.js';
import { type Command, type CommandContext, cannotRead, oneLine, UsageError } from './io.js';
import { sniffFormat, suggestFor } from './sniff.js';

// The suite lives in the repository's bench/ folder with its bench-only dependencies.
function benchEntry(): string | undefined {
  for (const relative of ['../bench/index.ts', '../../bench/index.ts']) {
    const path = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(path)) return path;
  }
  return undefined;
}

function formatOption(value: string | boolean | undefined): BenchFormat | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (BENCH_FORMATS as readonly string[]).includes(value))
    return value as BenchFormat;
  throw new UsageError(`--format: expected one of ${BENCH_FORMATS.join(', ')}, got ${JSON.stringify(value)}`);
}

// What bench measures for a sniffed format (a status or list page is not a decoder bench case).
function benchFormatOf(file: string, body: Uint8Array): BenchFormat {
  const sniffed = sniffFormat(body);
  if ((BENCH_FORMATS as readonly string[]).includes(sniffed)) return sniffed as BenchFormat;
  throw new UsageError(
    sniffed === 'unknown'
      ? `cannot tell the format of ${JSON.stringify(file)}: give --format (${BENCH_FORMATS.join(', ')})`
      : `${JSON.stringify(file)} looks like a ${sniffed} document, which bench does not measure: give --format (${BENCH_FORMATS.join(', ')})`,
  );
}

function runSuite(context: CommandContext, entry: string, quick: boolean): Promise<number> {
  const args = ['--expose-gc', '--import', 'tsx', entry, ...(quick ? ['--quick'] : [])];
  return new Promise<number>((resolve) => {
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: fileURLToPath(new URL('.', `file://${entry}`)),
    });
    child.stdout.pipe(context.stdout as NodeJS.WritableStream, { end: false });
    child.stderr.pipe(context.stderr as NodeJS.WritableStream, { end: false });
    child.on('error', (error) => {
      context.stderr.write(`error: could not start the benchmark: ${error.message}\n`);
      resolve(1);
    });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

async function readBench(file: string): Promise<Uint8Array> {
  try {
    const info = await stat(file);
    if (info.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    return new Uint8Array(await readFile(file));
  } catch (error) {
    throw cannotRead(file, error);
  }
}

/**
 * `batchwire bench`: batchwire's decoders on your own bodies (`FILE...`), beside the baselines of
 * `npm run bench` that are installed; without FILE, the repository's suite, or (from an installed
 * package) generated bodies of each format.
 */
export const benchCommand: Command = {
  summary:
    'measure batchwire on your own bodies (bench FILE... [--format F] [--rounds N] [--chunk B] [--json])',
  usage: `Usage: batchwire bench FILE... [--format F] [--rounds N] [--chunk BYTES] [--json]
       batchwire bench [--quick] [--json]

With FILEs: decodes each body with batchwire's decoder for its format (sniffed, or --format)
N times, interleaved with the baselines of "npm run bench" whose packages are installed, and
prints for each case the median time, the quartiles and min-max of the rounds, MB/s, records/s,
the ratio to batchwire, and batchwire's heap growth over one decode.
Without FILE, in a clone of the repository: the full suite (npm run bench). From an installed
package: generated bodies of each format, batchwire alone.

Formats: generic (Get Responses), generic-requests (Send Requests), soap (message array),
filter (one $filter per line), fault (an error body).
Baselines: TextDecoder + split and a separator-counting scan (the speed bound) always, and
iconv-lite + split, for generic bodies; sax (xmlns off
and on), saxes and fast-xml-parser for soap; odata-v4-parser and @odata/parser for filters.
Install them beside batchwire (npm install --no-save iconv-lite saxes fast-xml-parser
odata-v4-parser @odata/parser) to see them in the table.

Options:
  --format F      generic, generic-requests, soap, filter or fault (default: sniffed per file)
  --rounds N      timed rounds per case, after one warm-up round (default 10)
  --chunk BYTES   chunk size fed to the streaming decoders (default 65536)
  --json          print one JSON document instead of the tables
  --quick         with no FILE: small inputs, fewer rounds

Machines are noisy: compare ratios measured in the same run, not lone times.
`,
  options: {
    format: { type: 'string' },
    rounds: { type: 'string' },
    chunk: { type: 'string' },
    json: { type: 'boolean' },
    quick: { type: 'boolean' },
  },
  async run(context) {
    const format = formatOption(context.options.format);
    const quick = context.options.quick === true;
    const rounds = integerOption(context.options.rounds, 'rounds', 1, 10_000) ?? (quick ? 3 : 10);
    const chunkBytes = integerOption(context.options.chunk, 'chunk', 1, 1 << 30) ?? 65_536;
    const json = context.options.json === true;
    const reports: BodyReport[] = [];
    const print = (report: BodyReport) => {
      if (!json) context.stdout.write(`${formatReport(report)}\n`);
      reports.push(report);
    };
    if (context.args.length === 0) {
      const entry = benchEntry();
      if (entry && !json && format === undefined) return runSuite(context, entry, quick);
      // An installed package: generated bodies, batchwire alone.
      const formats = format === undefined ? BENCH_FORMATS : [format];
      for (const name of formats) {
        const { name: title, body } = generatedBody(name, quick ? 1 : 10);
        print(benchBody(title, name, body, { rounds, chunkBytes, baselines: false }));
      }
      if (!json) {
        context.stdout.write(
          'These are batchwire alone on generated bodies. For the side-by-side comparison, give your own\n' +
            'bodies (batchwire bench FILE...) with the baseline packages installed (npm install --no-save\n' +
            'iconv-lite saxes fast-xml-parser odata-v4-parser @odata/parser), or run npm run bench in a clone\n' +
            'of the batchwire repository.\n',
        );
      }
    } else {
      for (const file of context.args) {
        const body = await readBench(file);
        const chosen = format ?? benchFormatOf(file, body);
        try {
          print(benchBody(file, chosen, body, { rounds, chunkBytes, baselines: true }));
        } catch (error) {
          if (!isBatchwireError(error)) throw error;
          context.stderr.write(
            `error: ${file} does not decode as ${chosen}: ${error.code} at offset ${error.offset}: ${oneLine(error.message)}\n`,
          );
          const hint = suggestFor(body, chosen);
          if (hint !== undefined) context.stderr.write(`hint: ${hint}\n`);
          return 1;
        }
      }
    }
    if (json) {
      context.stdout.write(
        `${JSON.stringify({ node: process.version, date: new Date().toISOString(), bodies: reports }, null, 2)}\n`,
      );
    }
    return 0;
  },
};
