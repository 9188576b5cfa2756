import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isBatchwireError } from '../core/errors.js';
import type { FuzzExchange, FuzzReport, FuzzService } from '../fuzz/index.js';
import { type Command, type CommandContext, oneLine, UsageError } from './io.js';

const USAGE = `Usage: batchwire fuzz <target-url> --service hpc-pack|azure-batch|dli [--seed S] [--runs N]
                      [--minutes M] [--concurrency C] [--rate R] [--header 'Name: value']...
                      [--out DIR] [--junit FILE] [--allow-remote] [--timeout SECONDS]
                      [--project ID] [--service-name NAME] [--api-version V]
       batchwire fuzz replay DIR/<signature>/case.json [--target URL] [--header 'Name: value']...
                      [--allow-remote] [--timeout SECONDS]

Drives a live backend with sequences of valid and near-valid requests (generated with
fast-check from the seed), checks every answer with batchwire's decoders and parseFault, and
shrinks each failure to a minimal case. Findings are grouped by signature (operation, check,
status, fault or decoder code) and written to DIR/<signature>/: case.json, each body as its own
file, the answer seen (response.json), and reproduce.sh (curl); DIR/report.json lists them all.
A progress line goes to stderr (requests, findings, requests/s).

Checks: server-error, status-code, fault-shape, undecodable-response, lost-response,
count-mismatch, filter-semantics, paging, state-transition, timeout, connection.
429 and 503 answers with Retry-After are waited for (up to 30 s per request), not findings.

Options:
  --service S        hpc-pack, azure-batch or dli (required)
  --seed S           seed of every random choice (default: random, printed): the same seed against
                     the same backend behaviour sends the same requests
  --runs N           sequences to generate (default 100 unless --minutes is given)
  --minutes M        stop generating after M minutes (shrinking a late finding may take 30 s more)
  --concurrency C    sequences in flight at once (default 1; above 1 each has its own seed)
  --rate R           at most R requests per second
  --header H         'Name: value' added to every request (repeatable: authorization, x-auth-token)
  --out DIR          where to write the findings (default ./batchwire-fuzz when there are any)
  --junit FILE       also write JUnit XML
  --allow-remote     allow a target that is not a loopback address
  --timeout SECONDS  longest wait for one complete answer (default 10, or a tenth of --minutes if
                     shorter, at least 1): past it, a timeout finding
  --project ID       DLI project id (default batchwire-fuzz)
  --service-name N   HPC Pack ServiceName of the sessions created (default Echo)
  --api-version V    api-version to send (HPC Pack default 2012-11-01.4.0, Azure Batch 2024-07-01.20.0)

replay sends a case again (to the case's own target, or --target) and says whether it still
fails: exit 1 if it does, 0 if it no longer does.

Exit status: 0 no finding, 1 findings, 2 usage error.
`;

const SERVICES = ['hpc-pack', 'azure-batch', 'dli'];

// Loaded when the command runs: batchwire/fuzz needs fast-check, an optional peer dependency.
async function loadFuzz() {
  try {
    const [fuzz, report] = await Promise.all([import('../fuzz/index.js'), import('../fuzz/report.js')]);
    return { ...fuzz, junitXml: report.junitXml };
  } catch (error) {
    throw new UsageError(
      `fuzz needs fast-check (an optional peer dependency): npm install fast-check (${(error as Error).message})`,
    );
  }
}

function numberOf(
  value: string | boolean | undefined,
  name: string,
  min: number,
  integer: boolean,
): number | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value.trim() : '';
  const n = /^-?[0-9]+(\.[0-9]+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n)) || n > Number.MAX_SAFE_INTEGER) {
    throw new UsageError(
      `--${name}: expected ${integer ? 'an integer' : 'a number'} of at least ${min}, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

function headersOf(value: string | boolean | undefined): Record<string, string> {
  if (value === undefined) return {};
  const headers: Record<string, string> = {};
  for (const spec of String(value).split('\0')) {
    const colon = spec.indexOf(':');
    const name = colon < 0 ? '' : spec.slice(0, colon).trim();
    if (colon < 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      throw new UsageError(`--header ${JSON.stringify(spec.slice(0, 80))}: expected 'Name: value'`);
    }
    headers[name] = spec.slice(colon + 1).trim();
  }
  return headers;
}

function stringOf(value: string | boolean | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} needs a value`);
  return value;
}

/** The progress line: requests, findings, requests/s (rewritten in place on a terminal). */
function progress(context: CommandContext) {
  const stderr = context.stderr as NodeJS.WritableStream & { isTTY?: boolean };
  const started = performance.now();
  let requests = 0;
  let findings = 0;
  let lastLine = 0;
  const line = () => {
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? requests / seconds : 0;
    return `batchwire fuzz: ${requests} requests, ${findings} finding${findings === 1 ? '' : 's'}, ${rate.toFixed(1)} requests/s, ${seconds.toFixed(0)} s`;
  };
  const timer = setInterval(
    () => {
      if (stderr.isTTY) stderr.write(`\r${line()}\u001b[K`);
      else if (performance.now() - lastLine >= 10_000) {
        lastLine = performance.now();
        stderr.write(`${line()}\n`);
      }
    },
    stderr.isTTY ? 250 : 1000,
  );
  timer.unref();
  return {
    onRequest(_exchange: FuzzExchange) {
      requests++;
    },
    finding() {
      findings++;
    },
    finish(report?: FuzzReport) {
      clearInterval(timer);
      if (report) {
        requests = report.requests;
        findings = report.findings.length;
      }
      stderr.write(`${stderr.isTTY ? '\r' : ''}${line()}${stderr.isTTY ? '\u001b[K' : ''}\n`);
    },
  };
}

async function runReplay(context: CommandContext): Promise<number> {
  const { args, options } = context;
  const path = args[1];
  if (path === undefined) throw new UsageError('fuzz replay needs the path of a case.json');
  if (args.length > 2) throw new UsageError(`unexpected argument ${JSON.stringify(args[2])}`);
  let target = stringOf(options.target, 'target');
  if (target === undefined) {
    try {
      const c = JSON.parse(readFileSync(path, 'utf8')) as {
        target?: unknown;
        requests?: { url?: unknown }[];
      };
      if (typeof c.target === 'string') target = c.target;
      else if (typeof c.requests?.[0]?.url === 'string') target = new URL(c.requests[0].url).origin;
    } catch (error) {
      throw new UsageError(`cannot read the case ${JSON.stringify(path)}: ${(error as Error).message}`);
    }
  }
  if (target === undefined) throw new UsageError('the case names no target: give --target URL');
  const timeout = numberOf(options.timeout, 'timeout', 0.001, false);
  const { replayCase } = await loadFuzz();
  let result: Awaited<ReturnType<typeof replayCase>>;
  try {
    result = await replayCase(path, {
      target,
      headers: headersOf(options.header),
      ...(options['allow-remote'] === true ? { allowRemote: true } : {}),
      ...(timeout === undefined ? {} : { requestTimeoutMs: timeout * 1000 }),
    });
  } catch (error) {
    if (isBatchwireError(error) && error.code === 'INVALID_ARGUMENT') throw new UsageError(error.message);
    throw error;
  }
  if (result.stillFails && result.failure) {
    context.stdout.write(`still fails: ${result.failure.signature}\n  ${oneLine(result.failure.message)}\n`);
    return 1;
  }
  if (result.failure) {
    // Still failing, otherwise (or the target is down): not the all-clear exit 0 gives.
    context.stdout.write(
      `no longer fails that way; it failed otherwise: ${result.failure.signature}\n  ${oneLine(result.failure.message)}\n`,
    );
    return 1;
  }
  context.stdout.write(`no longer fails (${result.requests} requests sent)\n`);
  return 0;
}

/** Runs `batchwire fuzz` with the context's arguments until `signal` aborts or the budget ends. Exported for tests. */
export async function runFuzzCommand(context: CommandContext, signal?: AbortSignal): Promise<number> {
  const { args, options } = context;
  if (args[0] === 'replay') return runReplay(context);
  const target = args[0];
  if (target === undefined)
    throw new UsageError('fuzz needs a target URL (e.g. http://127.0.0.1:8080) and --service');
  if (args.length > 1) throw new UsageError(`unexpected argument ${JSON.stringify(args[1])}`);
  const service = options.service;
  if (typeof service !== 'string' || !SERVICES.includes(service)) {
    throw new UsageError(
      `--service: expected one of ${SERVICES.join(', ')}${typeof service === 'string' ? `, got ${JSON.stringify(service)}` : ''}`,
    );
  }
  const seed = numberOf(options.seed, 'seed', -(2 ** 53 - 1), true);
  const runs = numberOf(options.runs, 'runs', 1, true);
  const minutes = numberOf(options.minutes, 'minutes', 0, false);
  const concurrency = numberOf(options.concurrency, 'concurrency', 1, true);
  const rate = numberOf(options.rate, 'rate', 0.001, false);
  const timeout = numberOf(options.timeout, 'timeout', 0.001, false);
  const out = stringOf(options.out, 'out');
  const junit = stringOf(options.junit, 'junit');
  const project = stringOf(options.project, 'project');
  const serviceName = stringOf(options['service-name'], 'service-name');
  const apiVersion = stringOf(options['api-version'], 'api-version');
  if (concurrency !== undefined && concurrency > 64) throw new UsageError('--concurrency: at most 64');
  const { runFuzz, writeFuzzReport, junitXml } = await loadFuzz();
  const meter = progress(context);
  let report: FuzzReport;
  try {
    report = await runFuzz({
      target,
      service: service as FuzzService,
      ...(seed === undefined ? {} : { seed }),
      ...(runs === undefined ? {} : { runs }),
      ...(minutes === undefined ? {} : { timeLimitMs: minutes * 60_000 }),
      ...(concurrency === undefined ? {} : { concurrency }),
      ...(rate === undefined ? {} : { rate }),
      ...(timeout === undefined ? {} : { requestTimeoutMs: timeout * 1000 }),
      ...(project === undefined ? {} : { projectId: project }),
      ...(serviceName === undefined ? {} : { serviceName }),
      ...(apiVersion === undefined ? {} : { apiVersion }),
      ...(options['allow-remote'] === true ? { allowRemote: true } : {}),
      headers: headersOf(options.header),
      onRequest: (exchange) => meter.onRequest(exchange),
      ...(signal === undefined ? {} : { signal }),
    });
  } catch (error) {
    meter.finish();
    if (isBatchwireError(error) && error.code === 'INVALID_ARGUMENT') throw new UsageError(error.message);
    throw error;
  }
  meter.finish(report);
  const dir = out ?? (report.findings.length > 0 ? 'batchwire-fuzz' : undefined);
  let cases: string[] = [];
  try {
    if (dir !== undefined) cases = writeFuzzReport(report, dir, junit === undefined ? {} : { junit }).cases;
    else if (junit !== undefined) writeFileSync(junit, junitXml(report));
  } catch (error) {
    // An --out or --junit that cannot be written is the caller's to fix (exit 2), not a finding (1).
    throw new UsageError(
      `cannot write the report: ${error instanceof Error ? error.message : String(error)}`.slice(0, 500),
    );
  }
  context.stdout.write(
    `seed ${report.seed}: ${report.runs} sequences, ${report.requests} requests in ${(report.durationMs / 1000).toFixed(1)} s, ${report.findings.length} finding${report.findings.length === 1 ? '' : 's'}\n`,
  );
  report.findings.forEach((f, i) => {
    context.stdout.write(
      `finding ${f.signature} (${f.case.requests.length} request${f.case.requests.length === 1 ? '' : 's'}${f.shrunk ? '' : ', not fully shrunk'})\n  ${oneLine(f.message)}\n`,
    );
    if (cases[i] !== undefined) context.stdout.write(`  case: ${cases[i]}\n`);
  });
  if (dir !== undefined) context.stdout.write(`report: ${join(dir, 'report.json')}\n`);
  return report.findings.length > 0 ? 1 : 0;
}

/** Aborts on the first SIGINT or SIGTERM (the run then writes what it found). */
function interruption(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}

/** `batchwire fuzz`: the backend fuzz runner. */
export const fuzzCommand: Command = {
  summary: 'fuzz a live HPC Pack, Azure Batch or DLI backend; shrink and export what fails',
  usage: USAGE,
  options: {
    service: { type: 'string' },
    seed: { type: 'string' },
    runs: { type: 'string' },
    minutes: { type: 'string' },
    concurrency: { type: 'string' },
    rate: { type: 'string' },
    header: { type: 'string', multiple: true },
    out: { type: 'string' },
    junit: { type: 'string' },
    'allow-remote': { type: 'boolean' },
    timeout: { type: 'string' },
    project: { type: 'string' },
    'service-name': { type: 'string' },
    'api-version': { type: 'string' },
    target: { type: 'string' },
  },
  async run(context) {
    const stop = interruption();
    try {
      return await runFuzzCommand(context, stop.signal);
    } finally {
      stop.dispose();
    }
  },
};
