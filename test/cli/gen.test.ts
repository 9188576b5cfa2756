import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isBatchwireError } from 'batchwire';
import { parseFault } from 'batchwire/faults';
import { decodeGenericBody } from 'batchwire/generic';
import { parseFilter, schemas } from 'batchwire/odata';
import { parseMessageArray } from 'batchwire/soap';
import { parseDliBatchState, parseJobPrepReleaseStatusPage } from 'batchwire/status';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { useTempDir } from '../support/temp.js';

const _root = fileURLToPath(new URL('../../', import.meta.url));
const temp = useTempDir('gen');

let runs = 0;

interface Case {
  file: string;
  labels: string[];
  expected: { outcome: 'valid' } | { outcome: 'error'; code: string; offset: number };
}

async function generate(format: string, extra: string[]): Promise<{ dir: string; cases: Case[] }> {
  // Each call gets a directory of its own, inside the file's temporary directory.
  const dir = temp(`${format}-${++runs}`);
  const { code, stderr } = await runCli([
    'gen',
    format,
    '--count',
    '12',
    '--seed',
    '42',
    '--out',
    dir,
    ...extra,
  ]);
  expect(stderr).not.toMatch(/error/i);
  expect(code).toBe(0);
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as {
    format: string;
    cases: Case[];
  };
  expect(index.format).toBe(format);
  expect(index.cases).toHaveLength(12);
  return { dir, cases: index.cases };
}

// The decoder each format's expected outcome is checked against, called the way a user would.
const decoders: Record<string, (bytes: Uint8Array) => unknown> = {
  'generic-responses': (bytes) => decodeGenericBody(bytes),
  soap: (bytes) => parseMessageArray(bytes),
  filter: (bytes) =>
    parseFilter(new TextDecoder('utf-8', { fatal: true }).decode(bytes), {
      schema: schemas.jobPreparationAndReleaseTaskStatus,
    }),
  fault: (bytes) => parseFault({ status: 500, body: bytes }),
  'dli-state': (bytes) => parseDliBatchState(bytes),
  'jobprep-page': (bytes) => parseJobPrepReleaseStatusPage(bytes),
};

function outcomeOf(decode: (bytes: Uint8Array) => unknown, bytes: Uint8Array): string {
  try {
    decode(bytes);
    return 'valid';
  } catch (error) {
    if (isBatchwireError(error)) return `error:${error.code}@${error.offset}`;
    if (error instanceof TypeError) return 'error:INVALID_ENCODING'; // the fatal TextDecoder above
    throw error;
  }
}

describe('batchwire gen', () => {
  for (const [format, decode] of Object.entries(decoders)) {
    it(`${format}: valid cases decode, broken ones are labelled, and index.json says what the decoder says`, async () => {
      const valid = await generate(format, []);
      for (const c of valid.cases) {
        expect(c.labels).toEqual(['valid']);
        expect(c.expected.outcome).toBe('valid');
        expect(outcomeOf(decode, readFileSync(join(valid.dir, c.file)))).toBe('valid');
      }
      const broken = await generate(format, ['--invalid']);
      for (const c of broken.cases) {
        expect(c.labels.length).toBeGreaterThan(0);
        expect(c.labels.every((l) => /^[a-z-]+(\(|@|$)/.test(l))).toBe(true);
        const seen = outcomeOf(decode, readFileSync(join(broken.dir, c.file)));
        const expected =
          c.expected.outcome === 'valid'
            ? 'valid'
            : c.expected.code === 'INVALID_ENCODING' && format === 'filter'
              ? 'error:INVALID_ENCODING'
              : `error:${c.expected.code}@${c.expected.offset}`;
        expect(seen, `${c.file} ${c.labels.join(', ')}`).toBe(expected);
      }
      // Mutations must break many payloads; parseFault by design accepts every body, and a filter
      // cut short or changed inside a string literal is often still a valid filter.
      if (format !== 'fault')
        expect(broken.cases.filter((c) => c.expected.outcome === 'error').length).toBeGreaterThanOrEqual(
          format === 'filter' ? 4 : 7,
        );
    }, 30_000);
  }

  it('writes the same bytes for the same seed', async () => {
    const a = await generate('soap', ['--invalid']);
    const b = await generate('soap', ['--invalid']);
    expect(b.cases).toEqual(a.cases);
    for (const c of a.cases)
      expect(readFileSync(join(b.dir, c.file))).toEqual(readFileSync(join(a.dir, c.file)));
  }, 30_000);

  it('names the bad argument', async () => {
    const unknown = await runCli(['gen', 'nope', '--count', '1']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('nope');
    const count = await runCli(['gen', 'soap', '--count', 'many']);
    expect(count.code).toBe(2);
    expect(count.stderr).toContain('--count');
  });
});
