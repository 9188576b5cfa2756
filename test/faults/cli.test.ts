import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeDliStateCommand, decodeFaultCommand, decodeJobPrepPageCommand } from '../../src/cli/faults.js';
import { runCommand } from '../support/cli.js';

const samples = fileURLToPath(new URL('../../samples/', import.meta.url));

const run = runCommand;

describe('CLI: decode fault, dli-state, jobprep-page', () => {
  it('decode fault prints the ServiceFault as a JSON line, with --status', async () => {
    const result = await run(decodeFaultCommand, [`${samples}fault-azure-batch.json`], { status: '503' });
    expect(result.code).toBe(0);
    const fault = JSON.parse(result.stdout);
    expect(fault).toMatchObject({
      service: 'azure-batch',
      code: 'InvalidQueryParameterValue',
      status: 503,
      retriable: true,
    });
    const hpc = await run(decodeFaultCommand, [`${samples}fault-hpc-values.xml`]);
    expect(JSON.parse(hpc.stdout).formatted).toBe('The session 42 does not exist on cluster HEADNODE.');
  });

  it('decode fault rejects a bad --status and a second file', async () => {
    await expect(run(decodeFaultCommand, [`${samples}fault-dli.json`], { status: 'abc' })).rejects.toThrow(
      /--status/,
    );
    await expect(run(decodeFaultCommand, ['a', 'b'])).rejects.toThrow(/unexpected argument/);
  });

  it('decode dli-state and jobprep-page print their documents; errors go to stderr', async () => {
    const state = await run(decodeDliStateCommand, [`${samples}dli-state.json`]);
    expect(JSON.parse(state.stdout)).toEqual({
      id: '0a324461-d9d9-45da-a52a-3b3c7a3d809e',
      state: 'success',
      rawState: 'Success',
      known: true,
      terminal: true,
    });
    const page = await run(decodeJobPrepPageCommand, [`${samples}jobprep-page.json`]);
    const parsed = JSON.parse(page.stdout);
    expect(parsed.items[0].jobPreparationTaskExecutionInfo.startTime).toBe('2015-05-01T10:20:31.000Z');
    expect(parsed.nextLink).toContain('$skipToken=');
    const bad = await run(decodeJobPrepPageCommand, [`${samples}fault-dli.json`]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: MALFORMED_DOCUMENT at offset 0/);
    // A file that cannot be read is a usage error (exit 2 from the CLI), one line naming the path.
    await expect(run(decodeDliStateCommand, [`${samples}no-such-file.json`])).rejects.toThrow(
      /^cannot read ".*no-such-file\.json": no such file or directory$/,
    );
  });
});
