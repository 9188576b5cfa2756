// Exit codes CI can trust (issue 23 §2): a run stopped by SIGINT or SIGTERM writes its report and
// exits 130 or 143; a target that cannot be reached at the start is one line on stderr and exit 2.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_ENTRY, runCli } from '../support/cli.js';
import { useTempDir } from '../support/temp.js';
import { emulatorWith } from './backends.js';

const temp = useTempDir('exit');

/** Runs the CLI, sends `signal` once it has made progress, and resolves with its exit code and output. */
function interrupted(
  args: string[],
  signal: NodeJS.Signals,
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI_ENTRY, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    // Long enough for tsx to load and the run to start sending.
    const timer = setTimeout(() => child.kill(signal), 4000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

describe('batchwire fuzz exit codes', () => {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal}: the report is written, exit ${code}`, async () => {
      const backend = await emulatorWith();
      const out = temp(`out-${signal}`);
      try {
        const run = await interrupted(
          ['fuzz', backend.url, '--service', 'dli', '--minutes', '5', '--seed', '1', '--out', out],
          signal,
        );
        expect(run.code, run.stderr).toBe(code);
        expect(run.stderr).toMatch(new RegExp(`stopped by ${signal}`));
        const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
        expect(report).toMatchObject({
          format: 'batchwire-fuzz-report',
          stoppedBy: 'signal',
          service: 'dli',
        });
        expect(report.requests).toBeGreaterThan(0);
      } finally {
        await backend.close();
      }
    });
  }

  it('a target that cannot be reached at the start: one line on stderr, exit 2, no report', async () => {
    const out = temp('unreachable');
    const run = await runCli(['fuzz', 'http://127.0.0.1:9', '--service', 'hpc-pack', '--out', out]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^batchwire: cannot reach http:\/\/127\.0\.0\.1:9: ECONNREFUSED/);
    expect(run.stdout).toBe('');
    expect(existsSync(join(out, 'report.json'))).toBe(false);
  });
});
