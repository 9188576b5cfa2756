import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { integerOption } from './args.js';
import { type Arbitraries, corpusFormats } from './corpus.js';
import { type Command, Progress, UsageError, writeJsonLine } from './io.js';

/** The formats `gen` writes (checked against the corpus table by a test). */
export const GEN_FORMATS = [
  'generic-responses',
  'generic-requests',
  'soap',
  'filter',
  'fault',
  'dli-state',
  'jobprep-page',
] as const;

// A count: up to nine digits, so a typo cannot ask for billions of files.
function count(value: string | boolean | undefined, name: string, fallback: number): number {
  return integerOption(value, name, 0, 999_999_999, 'a non-negative integer') ?? fallback;
}

async function loadArbitraries(): Promise<Arbitraries> {
  try {
    return await import('../arbitraries/index.js');
  } catch (error) {
    throw new UsageError(
      `gen needs fast-check (an optional peer dependency): npm install fast-check (${(error as Error).message})`,
    );
  }
}

/** `batchwire gen`: a reproducible corpus of valid or broken payloads, with an index.json. */
export const genCommand: Command = {
  summary: 'write a reproducible corpus of valid (or --invalid) payloads for fuzz-testing a backend',
  usage: `Usage: batchwire gen <format> [--count N] [--seed S] [--invalid] [--out DIR|-]

Writes N cases of <format>, one file each, plus DIR/index.json with each case's file, labels
(what was broken, for --invalid) and expected outcome (what batchwire's decoder says: valid, or
the error code and offset). The same seed always gives the same bytes. Needs fast-check.

Formats:
  generic-responses   generic-service Get Responses bodies (UTF-8, UTF-16LE, UTF-16BE)
  generic-requests    generic-service Send Requests bodies
  soap                SOAP 1.2 message arrays (Get Responses)
  filter              Azure Batch OData $filter expressions
  fault               error bodies of every service (HPC Pack, Azure Batch, DLI, SOAP)
  dli-state           DLI batch job state documents
  jobprep-page        Azure Batch job preparation/release status pages

Options:
  --count N    number of cases (default 100)
  --seed S     seed of the generator (default 1)
  --invalid    near-valid broken payloads instead of valid ones
  --out DIR    output folder (default ./corpus/<format>[-invalid]); "--out -" prints the cases
               as JSON lines on stdout instead: {"file","format","bytes","labels","expected","base64"}
`,
  options: {
    count: { type: 'string' },
    seed: { type: 'string' },
    invalid: { type: 'boolean' },
    out: { type: 'string' },
  },
  async run(context) {
    const formats = await corpusFormats();
    const [name, extra] = context.args;
    if (name === undefined) throw new UsageError(`gen needs a format: ${Object.keys(formats).join(', ')}`);
    if (extra !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(extra)}`);
    const format = Object.hasOwn(formats, name) ? formats[name] : undefined;
    if (!format)
      throw new UsageError(
        `unknown format ${JSON.stringify(name)}; formats: ${Object.keys(formats).join(', ')}`,
      );
    const total = count(context.options.count, 'count', 100);
    const seed = count(context.options.seed, 'seed', 1);
    const invalid = context.options.invalid === true;
    const out =
      typeof context.options.out === 'string'
        ? context.options.out
        : join('corpus', `${name}${invalid ? '-invalid' : ''}`);
    if (out === '') throw new UsageError('--out: give a folder, or - for standard output');
    const toStdout = out === '-';
    const arbitraries = await loadArbitraries();
    const cases = invalid
      ? format.invalid(arbitraries)
      : format.valid(arbitraries).map((bytes) => ({ bytes, labels: ['valid'] }));
    if (!toStdout) mkdirSync(out, { recursive: true });
    const index = [];
    const samples = arbitraries.fc.sample(cases, { seed, numRuns: total });
    let done = 0;
    const progress = new Progress(
      context.stderr,
      () => `gen: ${done}/${samples.length} cases`,
      context.progressAfterMs,
    );
    try {
      for (let i = 0; i < samples.length; i++) {
        const { bytes, labels } = samples[i]!;
        const file = `case-${String(i + 1).padStart(6, '0')}.${format.extension}`;
        const entry = {
          file,
          format: name,
          bytes: bytes.length,
          labels,
          expected: await format.verdict(bytes),
        };
        if (toStdout)
          await writeJsonLine(context.stdout, { ...entry, base64: Buffer.from(bytes).toString('base64') });
        else {
          writeFileSync(join(out, file), bytes);
          index.push(entry);
        }
        done++;
        // Let the progress timer run: the loop itself only awaits microtasks.
        if (done % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      progress.stop();
    }
    if (toStdout) return 0;
    writeFileSync(
      join(out, 'index.json'),
      `${JSON.stringify({ format: name, seed, invalid, cases: index }, null, 2)}\n`,
    );
    context.stdout.write(`wrote ${samples.length} cases and index.json to ${out}\n`);
    return 0;
  },
};
