// `batchwire fuzz`: the backend fuzz runner on the command line, with `replay` and `merge`, and
// `--workers N` (fuzz-workers.ts). Exit codes CI can trust: 0 no finding, 1 findings, 2 a usage
// error, a target that cannot be reached or a report that cannot be written, 130 and 143 when
// SIGINT or SIGTERM stopped the run (its report is written first).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isBatchwireError } from '../core/errors.js';
import type { FuzzDiscovery, FuzzReport, FuzzService, FuzzShard } from '../fuzz/index.js';
import { FUZZ_AUTH_NAMES, FUZZ_AUTH_OPTIONS, FUZZ_AUTH_USAGE, fuzzAuthOf } from './fuzz-auth.js';
import { printFindings, runMerge } from './fuzz-merge.js';
import { headersOf, numberOf, runReplay, secretNamesOf, stringOf } from './fuzz-replay.js';
import { runWorkers, type WorkerProgress } from './fuzz-workers.js';
import { type Command, type CommandContext, UsageError } from './io.js';

const USAGE = `Usage: batchwire fuzz <target-url> --service hpc-pack|azure-batch|dli [--seed S] [--runs N]
                      [--minutes M] [--concurrency C] [--rate R] [--header 'Name: value']...
                      [--secret-header NAME]... [--out DIR] [--junit FILE] [--allow-remote]
                      [--timeout SECONDS] [--project ID] [--service-name NAME] [--api-version V]
                      [--shard K/N] [--workers N] [--shared-key ACCOUNT --key-env VAR]
                      [--ak-env VAR --sk-env VAR] [--basic-env VAR] [--ca FILE] [--insecure]
       batchwire fuzz replay DIR/<signature>/case.json [--target URL] [--header 'Name: value']...
                      [--allow-remote] [--timeout SECONDS] (and the signing and TLS options)
       batchwire fuzz merge DIR1/report.json DIR2/report.json... [--out DIR] [--junit FILE]

Drives a live backend with sequences of valid and near-valid requests (generated with
fast-check from the seed), checks every answer with batchwire's decoders and parseFault, and
shrinks each failure to a minimal case. Findings are grouped by signature (operation, check,
status, fault or decoder code) and written to DIR/<signature>/: case.json, each body under a
name of its own, the answer seen (response.json), and reproduce.sh (curl); DIR/report.json lists
them all. A progress line goes to stderr (requests, findings, requests/s).

Checks: server-error, status-code, fault-shape, undecodable-response, lost-response,
count-mismatch, filter-semantics, paging, state-transition, timeout, connection, ignored-auth.
429 and 503 answers with Retry-After are waited for (up to 30 s per request), not findings.

Options:
  --service S        hpc-pack, azure-batch or dli (required)
  --seed S           seed of every random choice (default: random, printed): the same seed against
                     the same backend behaviour sends the same requests
  --runs N           sequences to generate (default 100 unless --minutes is given); with --shard,
                     the sequences of the whole seed, of which this shard runs its part
  --minutes M        the run's deadline: it ends within a few seconds of it, whatever the target does
  --concurrency C    sequences in flight at once (default 1)
  --workers N        run in N processes on this machine (their reports merged into one)
  --shard K/N        run the K-th of N parts of the seed's sequences (N machines cover a seed)
  --rate R           at most R requests per second (per process)
  --header H         'Name: value' added to every request (repeatable: authorization, x-auth-token)
  --secret-header N  one more header whose value is secret (repeatable); Authorization,
                     Proxy-Authorization, Cookie, X-Auth-Token and Ocp-* keys always are. Secret
                     values never reach a file: reproduce.sh reads them from BATCHWIRE_HEADER_<NAME>
  --out DIR          where to write the findings (default ./batchwire-fuzz when there are any)
  --junit FILE       also write JUnit XML
  --allow-remote     allow a target that is not a loopback address
  --timeout SECONDS  longest wait for one complete answer (default 10, or a tenth of --minutes if
                     shorter, at least 1): past it, a timeout finding
  --project ID       DLI project id (default batchwire-fuzz)
  --service-name N   HPC Pack ServiceName of the sessions created (default Echo)
  --api-version V    api-version to send (HPC Pack default 2012-11-01.4.0, Azure Batch 2024-07-01.20.0)
${FUZZ_AUTH_USAGE}
replay sends a case again (to the case's own target, or --target) and says whether it still
fails: exit 1 if it does, 0 if it no longer does. A secret header of the case comes from
--header or from the environment variable the case names.

merge joins the report.json of shards, workers or runs: one report and one JUnit file, each
signature once (its smallest case); exit 1 if the merged report holds findings.

Exit status: 0 no finding, 1 findings, 2 usage error, unreachable target or unwritable report,
130 stopped by SIGINT, 143 stopped by SIGTERM (the report is written first).
`;

const SERVICES = ['hpc-pack', 'azure-batch', 'dli'];
/** Options a worker gets as they were given (the rest it gets its own of). */
const PASSED_ON = [
  'service',
  'runs',
  'minutes',
  'concurrency',
  'rate',
  'header',
  'secret-header',
  'allow-remote',
  'timeout',
  'project',
  'service-name',
  'api-version',
  ...FUZZ_AUTH_NAMES,
];

// Loaded when the command runs: batchwire/fuzz needs fast-check, an optional peer dependency.
async function loadFuzz() {
  try {
    const [fuzz, runner] = await Promise.all([import('../fuzz/index.js'), import('../fuzz/runner.js')]);
    return { ...fuzz, probeTarget: runner.probeTarget };
  } catch (error) {
    throw new UsageError(
      `fuzz needs fast-check (an optional peer dependency): npm install fast-check (${(error as Error).message})`,
    );
  }
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
    set(total: number, found: number) {
      requests = total;
      findings = found;
    },
    request() {
      requests++;
    },
    // Counted as each is met, not when the run ends.
    finding() {
      findings++;
    },
    counts: () => ({ requests, findings }),
    finish(report?: { requests: number; findings: unknown[] }) {
      clearInterval(timer);
      if (report === undefined) return;
      requests = report.requests;
      findings = report.findings.length;
      stderr.write(`${stderr.isTTY ? '\r' : ''}${line()}${stderr.isTTY ? '\u001b[K' : ''}\n`);
    },
  };
}

function shardOf(value: string | boolean | undefined): FuzzShard | undefined {
  if (value === undefined) return undefined;
  const m = typeof value === 'string' ? /^([0-9]{1,6})\/([0-9]{1,6})$/.exec(value.trim()) : null;
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count)
    throw new UsageError(`--shard: expected K/N with 1 <= K <= N, got ${JSON.stringify(value)}`);
  return { index, count };
}

/** The exit code of a run stopped by a signal, or undefined. */
function signalExit(signal: AbortSignal | undefined): number | undefined {
  if (!signal?.aborted) return undefined;
  return signal.reason === 'SIGINT' ? 130 : signal.reason === 'SIGTERM' ? 143 : undefined;
}

/** The run's options as checked from the command line. */
function runOptions(context: CommandContext) {
  const { args, options } = context;
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
  const concurrency = numberOf(options.concurrency, 'concurrency', 1, true);
  if (concurrency !== undefined && concurrency > 64) throw new UsageError('--concurrency: at most 64');
  const workers = numberOf(options.workers, 'workers', 1, true) ?? 1;
  if (workers > 64) throw new UsageError('--workers: at most 64');
  const minutes = numberOf(options.minutes, 'minutes', 0, false);
  const timeout = numberOf(options.timeout, 'timeout', 0.001, false);
  const given = {
    seed: numberOf(options.seed, 'seed', -(2 ** 53 - 1), true),
    runs: numberOf(options.runs, 'runs', 1, true),
    timeLimitMs: minutes === undefined ? undefined : minutes * 60_000,
    concurrency,
    rate: numberOf(options.rate, 'rate', 0.001, false),
    requestTimeoutMs: timeout === undefined ? undefined : timeout * 1000,
    projectId: stringOf(options.project, 'project'),
    serviceName: stringOf(options['service-name'], 'service-name'),
    apiVersion: stringOf(options['api-version'], 'api-version'),
    shard: shardOf(options.shard),
  };
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  return {
    target,
    workers,
    out: stringOf(options.out, 'out'),
    junit: stringOf(options.junit, 'junit'),
    fuzz: {
      target,
      service: service as FuzzService,
      ...defined,
      ...(options['allow-remote'] === true ? { allowRemote: true } : {}),
      headers: headersOf(options.header),
      secretHeaders: secretNamesOf(options['secret-header']),
      ...fuzzAuthOf(options),
    },
  };
}

/** Writes the report (and JUnit) where asked; resolves to the folder it went to. */
async function writeReport(
  report: FuzzReport,
  out: string | undefined,
  junit: string | undefined,
): Promise<string | undefined> {
  const { writeFuzzReport, junitXml } = await import('../fuzz/report.js');
  const dir = out ?? (report.findings.length > 0 ? 'batchwire-fuzz' : undefined);
  try {
    if (dir !== undefined) writeFuzzReport(report, dir, junit === undefined ? {} : { junit });
    else if (junit !== undefined) {
      const { reportFileOf } = await import('../fuzz/report.js');
      writeFileSync(junit, junitXml(reportFileOf(report, [])));
    }
  } catch (error) {
    // An --out or --junit that cannot be written is the caller's to fix (exit 2), not a finding (1).
    throw new UsageError(
      `cannot write the report (WRITE_FAILED): ${error instanceof Error ? error.message : String(error)}`.slice(
        0,
        500,
      ),
    );
  }
  return dir;
}

function summary(
  context: CommandContext,
  r: {
    seed: number;
    runs: number;
    requests: number;
    durationMs: number;
    findings: unknown[];
    shard?: FuzzShard | undefined;
    insecure?: true | undefined;
  },
) {
  const shard = r.shard === undefined ? '' : ` (shard ${r.shard.index}/${r.shard.count})`;
  if (r.insecure === true) context.stdout.write('tls: the target certificate was NOT checked (--insecure)\n');
  context.stdout.write(
    `seed ${r.seed}${shard}: ${r.runs} sequences, ${r.requests} requests in ${(r.durationMs / 1000).toFixed(1)} s, ${r.findings.length} finding${r.findings.length === 1 ? '' : 's'}\n`,
  );
}

/** A worker: runs its shard, writes its report always, reports progress over IPC, prints nothing. */
async function runAsWorker(context: CommandContext, signal: AbortSignal | undefined): Promise<number> {
  const o = runOptions(context);
  if (o.out === undefined) throw new UsageError('--worker needs --out');
  const { runFuzz, writeFuzzReport } = await loadFuzz();
  let requests = 0;
  let findings = 0;
  const send = () => process.send?.({ type: 'progress', requests, findings } satisfies WorkerProgress);
  const timer = setInterval(send, 250);
  timer.unref();
  try {
    const report = await runFuzz({
      ...o.fuzz,
      onRequest: () => requests++,
      onFinding: () => findings++,
      ...(signal === undefined ? {} : { signal }),
    });
    requests = report.requests;
    send();
    writeFuzzReport(report, o.out);
    return signalExit(signal) ?? (report.findings.length > 0 ? 1 : 0);
  } finally {
    clearInterval(timer);
  }
}

/** The parent of `--workers N`: probes the target once, runs the workers, merges their reports. */
async function runWithWorkers(context: CommandContext, signal: AbortSignal | undefined): Promise<number> {
  const o = runOptions(context);
  const { probeTarget } = await loadFuzz();
  const { mergeFuzzReports, readReportFile } = await import('../fuzz/merge.js');
  await probed(probeTarget, o.fuzz.target, o.fuzz.allowRemote === true);
  const seed = (o.fuzz as { seed?: number }).seed ?? (Math.random() * 2 ** 31) | 0;
  const args = [o.target];
  for (const name of PASSED_ON) {
    const value = context.options[name];
    if (value === undefined) continue;
    if (value === true) args.push(`--${name}`);
    else for (const v of String(value).split('\0')) args.push(`--${name}`, v);
  }
  const meter = progress(context);
  const started = performance.now();
  const run = await runWorkers({
    args,
    seed,
    workers: o.workers,
    shard: (o.fuzz as { shard?: FuzzShard }).shard,
    signal,
    onProgress: (requests, findings) => meter.set(requests, findings),
  });
  try {
    const present = run.reports.filter((path) => {
      try {
        readReportFile(path);
        return true;
      } catch {
        return false;
      }
    });
    if (present.length === 0) throw new UsageError('the workers wrote no report');
    const dir = o.out ?? 'batchwire-fuzz';
    let merged: ReturnType<typeof readReportFile>;
    try {
      merged = readReportFile(
        mergeFuzzReports(present, dir, o.junit === undefined ? {} : { junit: o.junit }).report,
      );
    } catch (error) {
      if (isBatchwireError(error))
        throw new UsageError(`cannot write the report (${error.code}): ${error.message}`);
      throw error;
    }
    merged.durationMs = Math.round(performance.now() - started);
    meter.finish(merged);
    summary(context, {
      ...merged,
      shard: (o.fuzz as { shard?: FuzzShard }).shard,
      insecure: (o.fuzz as { insecure?: true }).insecure,
    });
    printFindings(context, merged, dir);
    context.stdout.write(`report: ${join(dir, 'report.json')}\n`);
    return signalExit(signal) ?? (merged.findings.length > 0 ? 1 : 0);
  } finally {
    meter.finish();
    run.cleanup();
  }
}

/** A target that accepts no connection is one line on stderr and exit 2, before anything runs. */
async function probed(
  probe: (target: string, timeoutMs: number) => Promise<void>,
  target: string,
  allowRemote: boolean,
): Promise<void> {
  try {
    // The same checks as runFuzz, so a bad URL is named as such first.
    const { targetOf } = await import('../fuzz/options.js');
    await probe(targetOf(target, allowRemote, 'fuzz'), 10_000);
  } catch (error) {
    if (isBatchwireError(error)) throw new UsageError(error.message);
    throw error;
  }
}

/** Runs `batchwire fuzz` with the context's arguments until `signal` aborts or the budget ends. Exported for tests. */
export async function runFuzzCommand(context: CommandContext, signal?: AbortSignal): Promise<number> {
  const { args, options } = context;
  if (args[0] === 'replay') return runReplay(context);
  if (args[0] === 'merge') return runMerge(context);
  if (options.worker === true) return runAsWorker(context, signal);
  const o = runOptions(context);
  if (o.workers > 1) return runWithWorkers(context, signal);
  const { runFuzz } = await loadFuzz();
  const meter = progress(context);
  let report: FuzzReport;
  try {
    report = await runFuzz({
      ...o.fuzz,
      onRequest: () => meter.request(),
      onFinding: (_found: FuzzDiscovery) => meter.finding(),
      ...(signal === undefined ? {} : { signal }),
    });
  } catch (error) {
    meter.finish();
    if (isBatchwireError(error) && (error.code === 'INVALID_ARGUMENT' || error.code === 'TARGET_UNREACHABLE'))
      throw new UsageError(error.message);
    throw error;
  }
  meter.finish(report);
  const dir = await writeReport(report, o.out, o.junit);
  summary(context, report);
  if (signal?.aborted && typeof signal.reason === 'string')
    context.stderr.write(`batchwire fuzz: stopped by ${signal.reason}; the report holds what was found\n`);
  const { reportFileOf } = await import('../fuzz/report.js');
  const { readReportFile } = await import('../fuzz/merge.js');
  // What was written, read back: the lines name the case folders as report.json does.
  const file = dir === undefined ? reportFileOf(report, []) : readReportFile(join(dir, 'report.json'));
  printFindings(context, file, dir ?? '');
  if (dir !== undefined) context.stdout.write(`report: ${join(dir, 'report.json')}\n`);
  return signalExit(signal) ?? (report.findings.length > 0 ? 1 : 0);
}

/** Aborts on the first SIGINT or SIGTERM, with the signal's name as the reason (the run then writes what it found). */
function interruption(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onInt = () => controller.abort('SIGINT');
  const onTerm = () => controller.abort('SIGTERM');
  process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
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
    workers: { type: 'string' },
    shard: { type: 'string' },
    rate: { type: 'string' },
    header: { type: 'string', multiple: true },
    'secret-header': { type: 'string', multiple: true },
    out: { type: 'string' },
    junit: { type: 'string' },
    'allow-remote': { type: 'boolean' },
    timeout: { type: 'string' },
    project: { type: 'string' },
    'service-name': { type: 'string' },
    'api-version': { type: 'string' },
    ...FUZZ_AUTH_OPTIONS,
    target: { type: 'string' },
    // Internal: a process of --workers.
    worker: { type: 'boolean' },
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
