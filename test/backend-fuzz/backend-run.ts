// `npm run fuzz:backend [-- --minutes M] [--service S] [--seed N] [--concurrency C]`: the long
// runs behind the backend fuzzer's "no false positives" claim. Each service's fuzz runs for M
// minutes (default 2) against a correct emulator (`startEmulator`, default options, real clock);
// any finding fails the run. `--broken` instead runs every deliberately broken backend of the
// tests with its budget (`--only TEXT` picks by name) and prints when each bug was found and how
// small its case shrank.
import { startEmulator } from '../../src/emulator/index.js';
import { type FuzzReport, type FuzzService, runFuzz } from '../../src/fuzz/index.js';
import {
  type Backend,
  caseSensitiveFilter,
  countOffByOne,
  dropLastResponse,
  emulatorWith,
  overlappingPages,
  plainTextErrors,
  quoteIn500,
  successThenRunning,
  truncatingProxy,
  wrongStatusForUnknownId,
} from './backends.js';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

const minutes = Number(option('minutes') ?? 2);
const seed = Number(option('seed') ?? 1);
const concurrency = Number(option('concurrency') ?? 1);
const only = option('service') as FuzzService | undefined;

function summary(report: FuzzReport): string {
  const seconds = report.durationMs / 1000;
  return `${report.runs} sequences, ${report.requests} requests in ${seconds.toFixed(1)} s (${(report.requests / seconds).toFixed(0)} requests/s), ${report.findings.length} findings`;
}

async function clean(): Promise<number> {
  let findings = 0;
  for (const service of ['hpc-pack', 'azure-batch', 'dli'] as const) {
    if (only !== undefined && only !== service) continue;
    const emulator = await startEmulator({ seed: 1 });
    const report = await runFuzz({
      target: emulator.url,
      service,
      seed,
      timeLimitMs: minutes * 60_000,
      concurrency,
    });
    await emulator.close();
    console.log(`${service.padEnd(12)} seed ${seed}: ${summary(report)}`);
    for (const f of report.findings) console.log(`  ${f.signature}: ${f.message}`);
    findings += report.findings.length;
  }
  return findings === 0 ? 0 : 1;
}

const BROKEN: [string, FuzzService, () => Promise<Backend>, { requestTimeoutMs?: number }?][] = [
  ['500 when userData holds a quote', 'hpc-pack', () => emulatorWith(quoteIn500)],
  ['dropped last response', 'hpc-pack', () => emulatorWith(dropLastResponse)],
  ['closing count off by one', 'hpc-pack', () => emulatorWith(countOffByOne)],
  [
    'Get Responses cut inside a record',
    'hpc-pack',
    () =>
      emulatorWith(undefined, {
        faults: [
          {
            match: { operation: 'getResponses' },
            action: { type: 'cut', at: { inside: 'record', record: 1 } },
          },
        ],
      }),
  ],
  ['filter compared case-sensitively', 'azure-batch', () => emulatorWith(caseSensitiveFilter)],
  ['overlapping pages', 'azure-batch', () => emulatorWith(overlappingPages)],
  ['400 instead of 404 for an unknown id', 'azure-batch', () => emulatorWith(wrongStatusForUnknownId)],
  [
    'connection reset',
    'azure-batch',
    () =>
      emulatorWith(undefined, { faults: [{ match: { operation: 'listPools' }, action: { type: 'reset' } }] }),
  ],
  ['job from success back to running', 'dli', successThenRunning],
  ['error bodies of the wrong shape', 'dli', () => emulatorWith(plainTextErrors)],
  ['truncated list body (node:http proxy)', 'dli', truncatingProxy],
  [
    'hang',
    'dli',
    () =>
      emulatorWith(undefined, {
        faults: [{ match: { operation: 'getBatchState' }, action: { type: 'hang' } }],
      }),
    { requestTimeoutMs: 100 },
  ],
];

async function broken(): Promise<number> {
  const pick = option('only');
  for (const [name, service, start, extra] of BROKEN) {
    if (pick !== undefined && !name.includes(pick)) continue;
    const backend = await start();
    const report = await runFuzz({
      target: backend.url,
      service,
      seed,
      runs: 150,
      timeLimitMs: 20_000,
      requestTimeoutMs: 2000,
      ...extra,
    });
    await backend.close();
    console.log(`${name} (${service}): ${summary(report)}`);
    for (const f of report.findings) {
      console.log(
        `  ${f.signature}: found after ${f.foundAfter.runs} sequences / ${f.foundAfter.requests} requests / ${f.foundAfter.ms} ms; ` +
          `${f.shrinkRuns} shrink runs${f.shrunk ? '' : ' (cut short)'}; case: ${f.case.requests.map((r) => r.operation).join(' -> ')}`,
      );
    }
  }
  return 0;
}

process.exitCode = await (process.argv.includes('--broken') ? broken() : clean());
