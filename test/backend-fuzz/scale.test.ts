// Fuzzing beyond one core and one machine (issue 23 §5): shards of a seed are deterministic and
// cover its sequences between them; `fuzz merge` joins reports with each signature once;
// `--workers N` finds what one worker finds with the same seed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FuzzExchange, mergeFuzzReports, runFuzz, writeFuzzReport } from 'batchwire/fuzz';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { useTempDir } from '../support/temp.js';
import { emulatorWith, quoteIn500, wrongJob } from './backends.js';

const temp = useTempDir('scale');

/** The operations an HPC Pack run sends (its model is the sequence's own: nothing leaks between sequences), in order. */
async function operationsOf(options: {
  runs: number;
  shard?: { index: number; count: number };
}): Promise<string[]> {
  const backend = await emulatorWith();
  const sent: string[] = [];
  try {
    await runFuzz({
      target: backend.url,
      service: 'hpc-pack',
      seed: 11,
      ...options,
      onRequest: (e: FuzzExchange) => {
        if (e.phase === 'explore') sent.push(e.operation);
      },
    });
  } finally {
    await backend.close();
  }
  return sent;
}

describe('--shard K/N', () => {
  it('is deterministic, and the shards of a seed run exactly its chunks between them', async () => {
    const whole = await operationsOf({ runs: 75 });
    const first = await operationsOf({ runs: 75, shard: { index: 1, count: 2 } });
    const second = await operationsOf({ runs: 75, shard: { index: 2, count: 2 } });
    expect(await operationsOf({ runs: 75, shard: { index: 2, count: 2 } })).toEqual(second);
    // Chunks of 25: shard 1/2 has chunks 0 and 2, shard 2/2 chunk 1; together what one run sends.
    expect(first.length + second.length).toBe(whole.length);
    expect([...first, ...second].sort()).toEqual([...whole].sort());
    expect(first).not.toEqual(second);
  });
});

describe('merge', () => {
  it('two shards of a buggy backend: one report, each signature once, one JUnit', async () => {
    const dirs: string[] = [];
    for (const index of [1, 2]) {
      const backend = await emulatorWith(wrongJob);
      try {
        const report = await runFuzz({
          target: backend.url,
          service: 'dli',
          seed: 1,
          runs: 100,
          shard: { index, count: 2 },
        });
        expect(report.shard).toEqual({ index, count: 2 });
        const dir = temp(`shard-${index}`);
        writeFuzzReport(report, dir);
        dirs.push(dir);
      } finally {
        await backend.close();
      }
    }
    const signatures = dirs.map((d) =>
      JSON.parse(readFileSync(join(d, 'report.json'), 'utf8')).findings.map(
        (f: { signature: string }) => f.signature,
      ),
    );
    const out = temp('merged');
    const junit = temp('merged-junit.xml');
    const cli = await runCli([
      'fuzz',
      'merge',
      join(dirs[0]!, 'report.json'),
      join(dirs[1]!, 'report.json'),
      '--out',
      out,
      '--junit',
      junit,
    ]);
    expect(cli.code, cli.stderr).toBe(1);
    const merged = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    const union = [...new Set(signatures.flat())].sort();
    expect(merged.findings.map((f: { signature: string }) => f.signature).sort()).toEqual(union);
    expect(merged.merged.map((m: { shard: unknown }) => m.shard)).toEqual([
      { index: 1, count: 2 },
      { index: 2, count: 2 },
    ]);
    for (const f of merged.findings)
      expect(JSON.parse(readFileSync(join(out, f.case), 'utf8')).signature).toBe(f.signature);
    const xml = readFileSync(junit, 'utf8');
    for (const s of union) expect(xml.split(`name="${s}"`).length - 1).toBe(1);
    // The API does the same; reports of different services are refused.
    const again = mergeFuzzReports([join(dirs[0]!, 'report.json')], temp('one'));
    expect(again.cases.length).toBe(signatures[0]!.length);
    const other = temp('other');
    const backend = await emulatorWith();
    try {
      writeFuzzReport(
        await runFuzz({ target: backend.url, service: 'azure-batch', seed: 1, runs: 2 }),
        other,
      );
    } finally {
      await backend.close();
    }
    expect(() =>
      mergeFuzzReports([join(dirs[0]!, 'report.json'), join(other, 'report.json')], temp('mixed')),
    ).toThrow(/azure-batch report/);
  });
});

describe('--workers N', () => {
  it('two workers find what one finds, with the same seed', async () => {
    const signaturesWith = async (workers: number): Promise<string[]> => {
      const backend = await emulatorWith(quoteIn500);
      const out = temp(`workers-${workers}`);
      try {
        const run = await runCli([
          'fuzz',
          backend.url,
          '--service',
          'hpc-pack',
          '--seed',
          '1',
          '--runs',
          '100',
          '--workers',
          String(workers),
          '--out',
          out,
        ]);
        expect(run.code, run.stderr).toBe(1);
        expect(run.stderr).toMatch(/batchwire fuzz: \d+ requests, [1-9]\d* findings?/);
        return JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'))
          .findings.map((f: { signature: string }) => f.signature)
          .sort();
      } finally {
        await backend.close();
      }
    };
    const one = await signaturesWith(1);
    expect(one).toContain('sendRequests.server-error.500');
    expect(await signaturesWith(2)).toEqual(one);
  });
});
