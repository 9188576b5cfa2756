import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { encodeGenericRequests, encodeGenericResponses } from 'batchwire/generic';
import { describe, expect, it } from 'vitest';
import { benchCommand } from '../../src/cli/bench.js';
import type { BodyReport } from '../../src/cli/bench-run.js';
import { useTempDir } from '../support/temp.js';

const samples = fileURLToPath(new URL('../../samples/', import.meta.url));
const temp = useTempDir('bench');

async function bench(args: string[], options: Record<string, string | boolean> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await benchCommand.run({ args, options, stdout, stderr });
  return { code, stdout: out, stderr: err };
}

const responses = Array.from({ length: 2000 }, (_, i) => ({
  action: 'urn:a',
  output: `value ${i}`,
  userData: `t${i}`,
}));

describe('batchwire bench FILE...', () => {
  it('measures each body in its sniffed format beside the installed baselines (--json)', async () => {
    const generic = temp('responses.bin', encodeGenericResponses(responses, { encoding: 'utf-16le' }));
    const { code, stdout, stderr } = await bench(
      [generic, `${samples}soap-responses.xml`, `${samples}jobprep-filter.txt`],
      {
        rounds: '2',
        chunk: '4096',
        json: true,
      },
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { node: string; bodies: BodyReport[] };
    expect(report.bodies.map((b) => b.format)).toEqual(['generic', 'soap', 'filter']);
    const [body, soap, filter] = report.bodies;
    expect(body).toMatchObject({ bytes: expect.any(Number), chunkBytes: 4096, rounds: 2, records: 2001 });
    expect(body!.results.map((r) => r.name)).toEqual([
      'batchwire GenericResponseDecoder',
      '(a) TextDecoder stream + split',
      '(c) scan limit: count separators',
      '(b) iconv-lite decoder + split',
    ]);
    for (const result of body!.results) {
      expect(result.medianMs).toBeGreaterThan(0);
      expect(result.minMs).toBeLessThanOrEqual(result.medianMs);
      expect(result.maxMs).toBeGreaterThanOrEqual(result.medianMs);
      expect(result.mbPerSecond).toBeGreaterThan(0);
    }
    expect(body!.results[1]!.ratio).toBeGreaterThan(0);
    expect(body!.results[0]!.perSecond).toBeCloseTo(2001 / (body!.results[0]!.medianMs / 1000), 0);
    expect(body!.heapGrowthBytes).toBeGreaterThanOrEqual(0);
    expect(soap!.results.map((r) => r.name)).toContain('fast-xml-parser, whole document');
    expect(filter!.results.map((r) => r.name)).toEqual([
      'batchwire parseFilter',
      'odata-v4-parser filter()',
      '@odata/parser filter()',
    ]);
  });

  it('prints a table, and --format overrides the sniffing', async () => {
    const file = temp('requests.bin', encodeGenericRequests([{ input: 'a' }, { input: 'b' }]));
    const { code, stdout } = await bench([file], { format: 'generic-requests', rounds: '1' });
    expect(code).toBe(0);
    expect(stdout).toContain('generic-requests');
    expect(stdout).toMatch(/^batchwire GenericRequestDecoder\s+[0-9.]+/m);
    expect(stdout).toContain('heap growth while batchwire decodes it once');
  });

  it('a body that does not decode in the chosen format is exit 1 with a hint', async () => {
    const { code, stderr } = await bench([`${samples}soap-responses.xml`], {
      format: 'generic',
      rounds: '1',
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/does not decode as generic: TRUNCATED/);
    expect(stderr).toContain('try batchwire decode soap');
  });

  it('refuses bad options and unreadable or unknown files as usage errors', async () => {
    await expect(bench(['x'], { rounds: '0' })).rejects.toThrow('--rounds');
    await expect(bench(['x'], { format: 'xml' })).rejects.toThrow('--format');
    await expect(bench(['no-such-file.bin'])).rejects.toThrow('cannot read "no-such-file.bin"');
    const unknown = temp('noise.bin', new Uint8Array([1, 2, 3, 250]));
    await expect(bench([unknown])).rejects.toThrow('give --format');
  });

  it('with no FILE and --json: generated bodies of each format, batchwire alone', async () => {
    const { code, stdout } = await bench([], { json: true, quick: true, rounds: '1' });
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { bodies: BodyReport[] };
    expect(report.bodies.map((b) => b.format)).toEqual([
      'generic',
      'generic-requests',
      'soap',
      'filter',
      'fault',
    ]);
    for (const body of report.bodies) {
      expect(body.results).toHaveLength(1);
      expect(body.results[0]!.baseline).toBe(false);
      expect(body.records).toBeGreaterThan(0);
    }
  });
});
