import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { filterCommand, renderDiagnostic } from '../../src/cli/odata.js';

function sink(): { stream: NodeJS.WritableStream; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

async function run(
  args: string[],
  schema?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = sink();
  const err = sink();
  const code = await filterCommand.run({
    args,
    options: schema === undefined ? {} : { schema },
    stdout: out.stream,
    stderr: err.stream,
  });
  return { code, stdout: out.text(), stderr: err.text() };
}

describe('batchwire filter', () => {
  it('check reports each diagnostic on stderr with a caret line under the span and exits 1', async () => {
    const { code, stdout, stderr } = await run(
      ['check', "nodeid eq 'x' and poolId gt 'p'"],
      'jobPreparationAndReleaseTaskStatus',
    );
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      [
        "error[FILTER_UNKNOWN_PROPERTY]: unknown property 'nodeid' for jobPreparationAndReleaseTaskStatus",
        '  --> line 1, column 1 (offset 0)',
        "   | nodeid eq 'x' and poolId gt 'p'",
        '   | ^^^^^^',
        "   = hint: property names are case-sensitive: write 'nodeId'",
        'error[FILTER_OPERATOR_NOT_ALLOWED]: operator gt is not allowed on poolId',
        '  --> line 1, column 26 (offset 25)',
        "   | nodeid eq 'x' and poolId gt 'p'",
        '   |                          ^^',
        '   = hint: allowed: eq, ne',
        '2 problems',
        '',
      ].join('\n'),
    );
  });

  it('check exits 0 on a good filter; aliases name schemas', async () => {
    expect(await run(['check', "nodeId eq 'x'"], 'jobprep')).toEqual({
      code: 0,
      stdout: 'ok (jobPreparationAndReleaseTaskStatus)\n',
      stderr: '',
    });
    expect(await run(['check', 'a eq 1'])).toEqual({ code: 0, stdout: 'ok\n', stderr: '' });
  });

  it('format prints the canonical form on stdout, or the problems on stderr', async () => {
    expect(await run(['format', "(PoolId EQ 'a''b') AND t gt datetime'2011-05-08T08:49:37Z'"])).toEqual({
      code: 0,
      stdout: "PoolId eq 'a''b' and t gt DateTime'2011-05-08T08:49:37Z'\n",
      stderr: '',
    });
    const bad = await run(['format', 't gt 2011-05-08']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain("hint: write DateTime'2011-05-08'");
    expect(bad.stderr).toContain('   |      ^^^^^^^^^^');
  });

  it('refuses bad usage', async () => {
    await expect(run([])).rejects.toThrow(/check or format/);
    await expect(run(['lint', 'a eq 1'])).rejects.toThrow(/unknown sub-command/);
    await expect(run(['check'])).rejects.toThrow(/expression/);
    await expect(run(['check', 'a', 'eq'])).rejects.toThrow(/quote the whole filter/);
    await expect(run(['check', 'a eq 1'], 'nope')).rejects.toThrow(/--schema/);
    expect(filterCommand.usage).toContain('batchwire filter check');
  });

  it('renders the caret on the right line of a multi-line filter, control characters made visible', () => {
    const text = "poolId eq 'x'\n\tand nodeid eq '\u001b'";
    const out = renderDiagnostic(text, { code: 'FILTER_UNKNOWN_PROPERTY', message: 'm', start: 19, end: 25 });
    expect(out).toBe(
      [
        'error[FILTER_UNKNOWN_PROPERTY]: m',
        '  --> line 2, column 6 (offset 19)',
        "   |  and nodeid eq '\u00b7'",
        '   |      ^^^^^^',
        '',
      ].join('\n'),
    );
    const end = renderDiagnostic('a eq', { code: 'FILTER_SYNTAX', message: 'm', start: 4, end: 4 });
    expect(end).toContain('   |     ^\n');
  });
});
