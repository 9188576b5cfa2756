import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { encodeGenericRequests, encodeGenericResponses } from 'batchwire/generic';
import { describe, expect, it } from 'vitest';
import { closest, parseCommandLine } from '../../src/cli/args.js';
import { corpusFormats } from '../../src/cli/corpus.js';
import { GEN_FORMATS, genCommand } from '../../src/cli/gen.js';
import { decodeGenericCommand } from '../../src/cli/generic.js';
import { oneLine, Progress, reportError } from '../../src/cli/io.js';
import { sniffFormat } from '../../src/cli/sniff.js';
import { CLI_ENTRY, runCli } from '../support/cli.js';
import { useTempDir } from '../support/temp.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const temp = useTempDir('cli-usability');

// A context whose stderr claims to be a terminal, for the TTY-only behaviour.
function terminalContext(args: string[], options: Record<string, string | boolean | undefined> = {}) {
  const stdout = new PassThrough();
  const stderr = Object.assign(new PassThrough(), { isTTY: true });
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (d: Buffer) => out.push(d.toString()));
  stderr.on('data', (d: Buffer) => err.push(d.toString()));
  return { context: { args, options, stdout, stderr }, out, err };
}

const bigBody = encodeGenericResponses(
  Array.from({ length: 20_000 }, (_, i) => ({
    action: 'urn:a',
    output: `output ${i}`.repeat(4),
    userData: `${i}`,
  })),
);

describe('CLI in ordinary shell use', () => {
  it('exits quietly when the reader of its output goes away (| head)', async () => {
    const file = temp('big.bin', bigBody);
    const result = await new Promise<{ stderr: string; status: string }>((resolve) => {
      const child = spawn(
        'bash',
        [
          '-c',
          `"${process.execPath}" --import tsx "${CLI_ENTRY}" decode generic "${file}" | head -1 >/dev/null; echo "\${PIPESTATUS[0]}"`,
        ],
        { cwd: root },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', () => resolve({ stderr, status: stdout.trim() }));
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe('0');
  });

  it('a missing file or a directory is one line naming the path, exit 2', async () => {
    const missing = await runCli(['decode', 'generic', 'nope.bin']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('batchwire: cannot read "nope.bin": no such file or directory\n');
    const dir = temp('a-folder');
    mkdirSync(dir, { recursive: true });
    const folder = await runCli(['decode', 'soap', dir]);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toBe(`batchwire: cannot read ${JSON.stringify(dir)}: is a directory\n`);
    expect(folder.stdout).toBe('');
  });

  it('suggests the right command for a body of another format', async () => {
    const soap = await runCli(['decode', 'generic', 'samples/soap-responses.xml']);
    expect(soap.code).toBe(1);
    expect(soap.stderr).toMatch(/^error: TRUNCATED/m);
    expect(soap.stderr).toContain(
      'hint: the input looks like an XML SOAP message array: try batchwire decode soap',
    );
    const requests = await runCli(
      ['decode', 'generic', '-'],
      encodeGenericRequests([{ input: 'a', userData: '1' }]),
    );
    expect(requests.stderr).toMatch(/^error: MALFORMED_RECORD/m);
    expect(requests.stderr).toContain('try batchwire decode generic --requests');
    const generic = await runCli(['decode', 'soap', 'samples/generic-responses.utf16le.bin']);
    expect(generic.stderr).toContain('try batchwire decode generic\n');
  });

  it('unknown options get a "did you mean", negative counts a plain message', async () => {
    const typo = await runCli(['decode', 'generic', 'x', '--encodng', 'utf-8']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe('batchwire: unknown option --encodng (did you mean --encoding?)\n');
    const negative = await runCli(['gen', 'soap', '--count', '-5']);
    expect(negative.code).toBe(2);
    expect(negative.stderr).toBe('batchwire: --count: expected a non-negative integer, got "-5"\n');
  });

  it('gen --help lists every format, and --out - prints the cases', async () => {
    const help = await runCli(['gen', '--help']);
    for (const format of GEN_FORMATS) expect(help.stdout).toMatch(new RegExp(`^  ${format} `, 'm'));
    expect(Object.keys(await corpusFormats())).toEqual([...GEN_FORMATS]);
    const out = await runCli(['gen', 'dli-state', '--count', '3', '--seed', '5', '--out', '-']);
    expect(out.code).toBe(0);
    const lines = out.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { base64: string; bytes: number });
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(Buffer.from(line.base64, 'base64').length).toBe(line.bytes);
  });
});

describe('CLI pieces', () => {
  it('parses options, keeps a dash value, refuses values on flags', () => {
    const specs = { count: { type: 'string' as const }, invalid: { type: 'boolean' as const } };
    expect(parseCommandLine(['x', '--count', '-5', '--invalid', '-'], specs)).toEqual({
      positionals: ['x', '-'],
      values: { count: '-5', invalid: true },
    });
    expect(parseCommandLine(['--count=7', '--', '--invalid'], specs)).toEqual({
      positionals: ['--invalid'],
      values: { count: '7' },
    });
    expect(() => parseCommandLine(['--invalid=yes'], specs)).toThrow(
      '--invalid is a flag and takes no value',
    );
    expect(() => parseCommandLine(['--count'], specs)).toThrow('--count needs a value');
    expect(() => parseCommandLine(['--cuont', '1'], specs)).toThrow('did you mean --count?');
    expect(() => parseCommandLine(['-z'], specs)).toThrow('unknown option -z; run with --help');
    expect(closest('xyz', ['count', 'invalid'])).toBeUndefined();
  });

  it('writes a multi-line message (a service fault) on one line', () => {
    const stderr = new PassThrough();
    let text = '';
    stderr.on('data', (d: Buffer) => (text += d.toString()));
    reportError(new Error('The job does not exist.\nRequestId:abc\r\nTime:2024\u001b[31m'), stderr);
    expect(text).toBe('error: The job does not exist.\\nRequestId:abc\\r\\nTime:2024\\u001b[31m\n');
    expect(oneLine('a\u2028b')).toBe('a\\u2028b');
  });

  it('says it is reading standard input when that is a terminal', async () => {
    const { context, err } = terminalContext([]);
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    stdin.end(encodeGenericResponses([]));
    const code = await decodeGenericCommand.run({ ...context, stdin });
    expect(code).toBe(0);
    expect(err.join('')).toContain('reading standard input');
  });

  it('draws a progress line on a terminal only, and erases it once at the end', async () => {
    const tty = Object.assign(new PassThrough(), { isTTY: true });
    let drawn = '';
    tty.on('data', (d: Buffer) => (drawn += d.toString()));
    const progress = new Progress(tty, () => 'working', 0);
    await new Promise((resolve) => setTimeout(resolve, 600));
    progress.stop();
    progress.stop();
    expect(drawn).toMatch(/^(\rbatchwire: working\u001b\[K)+\r\u001b\[K$/);
    const pipe = new PassThrough();
    let piped = '';
    pipe.on('data', (d: Buffer) => (piped += d.toString()));
    const quiet = new Progress(pipe, () => 'working', 0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    quiet.stop();
    expect(piped).toBe('');
  });

  it('gen prints nothing on stderr when it is not a terminal', async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (d: Buffer) => (err += d.toString()));
    stdout.resume();
    const code = await genCommand.run({
      args: ['filter'],
      options: { count: '300', out: temp('gen-out') },
      stdout,
      stderr,
      progressAfterMs: 0,
    });
    expect(code).toBe(0);
    expect(err).toBe('');
  });

  it('sniffs each format from its first bytes', () => {
    const utf8 = (s: string) => new TextEncoder().encode(s);
    expect(
      sniffFormat(encodeGenericResponses([{ action: 'a', output: 'b' }], { encoding: 'utf-16be' })),
    ).toBe('generic');
    expect(sniffFormat(encodeGenericRequests([{ input: 'a' }], { encoding: 'utf-16le' }))).toBe(
      'generic-requests',
    );
    expect(sniffFormat(utf8('<?xml version="1.0"?><HPCServer2008_WebAPI_MessageArray>'))).toBe('soap');
    expect(
      sniffFormat(utf8('<BrokerClientStatus xmlns="http://hpc.microsoft.com">1</BrokerClientStatus>')),
    ).toBe('status');
    expect(sniffFormat(utf8('{"odata.metadata":"x","value":[]}'))).toBe('jobprep-page');
    expect(sniffFormat(utf8('{"id":"x","state":"running"}'))).toBe('dli-state');
    expect(sniffFormat(utf8('{"error_code":"DLI.0001","error_msg":"x"}'))).toBe('fault');
    expect(sniffFormat(utf8("nodeId eq 'x'"))).toBe('filter');
    expect(sniffFormat(utf8('\u0001\u0002 random'))).toBe('unknown');
  });

  it('sniffs every bundled sample as what it is (an HpcWebServiceFault holds a <Message> too)', () => {
    const expected: Record<string, string> = {
      'dli-state.json': 'dli-state',
      'fault-azure-batch.json': 'fault',
      'fault-dli.json': 'fault',
      'fault-hpc-legacy.xml': 'fault',
      'fault-hpc-values.xml': 'fault',
      'fault-hpc.json': 'fault',
      'fault-hpc.xml': 'fault',
      'fault-soap12.xml': 'fault',
      'generic-requests.utf8.bin': 'generic-requests',
      'generic-responses.utf16be.bin': 'generic',
      'generic-responses.utf16le.bin': 'generic',
      'generic-responses.utf8.bin': 'generic',
      'jobprep-filter.txt': 'filter',
      'jobprep-page.json': 'jobprep-page',
      'soap-responses.xml': 'soap',
      'soap-runtime-mixed.xml': 'soap',
      'status-finished.xml': 'status',
      'status-processing.json': 'status',
    };
    const folder = fileURLToPath(new URL('../../samples/', import.meta.url));
    const sniffed = Object.fromEntries(
      readdirSync(folder).map((name) => [name, sniffFormat(readFileSync(join(folder, name)))]),
    );
    expect(sniffed).toEqual(expected);
  });
});
