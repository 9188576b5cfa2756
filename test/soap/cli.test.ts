import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeSoapCommand, decodeStatusCommand } from '../../src/cli/soap.js';
import { runCommand } from '../support/cli.js';
import { useTempDir } from '../support/temp.js';

const temp = useTempDir('soap-cli');
const samples = fileURLToPath(new URL('../../samples/', import.meta.url));

const lines = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('batchwire decode soap / status', () => {
  it('prints one JSON line per envelope of a sample', async () => {
    const { code, stdout } = await runCommand(decodeSoapCommand, [join(samples, 'soap-runtime-mixed.xml')]);
    expect(code).toBe(0);
    expect(lines(stdout).map((r) => r.kind)).toEqual(['response', 'response', 'response', 'fault', 'end']);
  });

  it('prints the records before the error, then the error with its line, and exits 1', async () => {
    const text = `<A><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing"><s:Header><a:Action>x</a:Action></s:Header><s:Body><R/></s:Body></s:Envelope>\n<s:Envelope`;
    const file = temp('truncated.xml', text);
    const { code, stdout, stderr } = await runCommand(decodeSoapCommand, [file]);
    expect(code).toBe(1);
    expect(lines(stdout)).toHaveLength(1);
    expect(stderr).toMatch(/^error: TRUNCATED at offset \d+/);
    const noEnd = temp('no-end.xml', text.slice(0, text.lastIndexOf('\n')).concat('</A>'));
    expect((await runCommand(decodeSoapCommand, [noEnd], { 'no-require-end': true })).code).toBe(0);
  });

  it('decodes status bodies in both forms', async () => {
    const xml = await runCommand(decodeStatusCommand, [join(samples, 'status-finished.xml')]);
    expect([xml.code, lines(xml.stdout)]).toEqual([0, [{ status: 'Finished' }]]);
    const json = await runCommand(decodeStatusCommand, [join(samples, 'status-processing.json')], {
      'content-type': 'application/json',
    });
    expect(lines(json.stdout)).toEqual([{ status: 'Processing' }]);
    const bad = temp('status.json', '7');
    const result = await runCommand(decodeStatusCommand, [bad]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/UNKNOWN_STATUS/);
  });

  it('rejects extra arguments and bad options as usage errors', async () => {
    await expect(runCommand(decodeSoapCommand, ['a', 'b'])).rejects.toThrow(/unexpected argument/);
    await expect(runCommand(decodeSoapCommand, ['a'], { encoding: 'latin1' })).rejects.toThrow(/--encoding/);
  });
});
