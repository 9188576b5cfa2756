// `batchwire fuzz --workers N`: the run in N processes on one machine. Each worker is this CLI
// again, on its own shard of the seed's chunks (within the run's own --shard, if any), writing
// its report to a folder of its own and its progress to the parent over IPC; the parent merges
// the reports as `fuzz merge` does. A signal to the parent goes on to every worker, which writes
// what it found.
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FuzzShard } from '../fuzz/types.js';

/** What a worker reports to its parent. */
export interface WorkerProgress {
  type: 'progress';
  requests: number;
  findings: number;
}

/** The shard worker `w` (0-based) of `workers` runs, within the run's shard. */
export function workerShard(shard: FuzzShard | undefined, w: number, workers: number): FuzzShard {
  const index = shard?.index ?? 1;
  const count = shard?.count ?? 1;
  return { index: index + count * w, count: count * workers };
}

/** The script of this CLI (the built dist/cli.js, or src/cli/bin.ts under tsx). */
function cliEntry(): string {
  const entry = process.env.BATCHWIRE_CLI_ENTRY ?? process.argv[1];
  if (entry === undefined) throw new Error('cannot tell which script runs the CLI');
  return entry;
}

/**
 * Runs `workers` workers with `args` (the command line without --workers, --out, --junit, --shard
 * and --seed, which each worker gets its own of) and resolves to their report.json paths.
 */
export async function runWorkers(options: {
  args: string[];
  seed: number;
  workers: number;
  shard: FuzzShard | undefined;
  signal: AbortSignal | undefined;
  onProgress: (requests: number, findings: number) => void;
}): Promise<{ reports: string[]; cleanup(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'batchwire-fuzz-workers-'));
  const progress = Array.from({ length: options.workers }, () => ({ requests: 0, findings: 0 }));
  const children: ChildProcess[] = [];
  const reports: string[] = [];
  const exits: Promise<void>[] = [];
  for (let w = 0; w < options.workers; w++) {
    const shard = workerShard(options.shard, w, options.workers);
    const out = join(dir, `worker-${w + 1}`);
    reports.push(join(out, 'report.json'));
    const child = fork(
      cliEntry(),
      [
        'fuzz',
        ...options.args,
        '--seed',
        String(options.seed),
        '--shard',
        `${shard.index}/${shard.count}`,
        '--out',
        out,
        '--worker',
      ],
      { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
    );
    children.push(child);
    child.on('message', (message: WorkerProgress) => {
      if (message?.type !== 'progress') return;
      progress[w] = { requests: message.requests, findings: message.findings };
      options.onProgress(
        progress.reduce((n, p) => n + p.requests, 0),
        progress.reduce((n, p) => n + p.findings, 0),
      );
    });
    exits.push(new Promise((resolve) => child.once('exit', () => resolve())));
  }
  const forward = () => {
    const reason = options.signal?.reason;
    for (const child of children) child.kill(reason === 'SIGINT' ? 'SIGINT' : 'SIGTERM');
  };
  options.signal?.addEventListener('abort', forward, { once: true });
  try {
    await Promise.all(exits);
  } finally {
    options.signal?.removeEventListener('abort', forward);
  }
  return { reports, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
