import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/cli/args.js';
import { commands, decoders } from '../../src/cli/commands.js';
import {
  cliInvocations,
  expectedOutputs,
  isTypeScript,
  PRELUDE,
  preludeDeclarations,
  readmeBlocks,
} from './readme-blocks.js';

// Every code block of the README, so its examples cannot rot: TypeScript blocks typecheck against
// the sources (strict, lib dom), the self-contained ones run and print what their comments say,
// and every `batchwire` command line names a real command with real options.
const root = fileURLToPath(new URL('../../', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = readmeBlocks(readme);
const tsBlocks = blocks.filter(isTypeScript);
// Inside the repository, so the blocks' other imports (vitest...) resolve from its node_modules.
const dir = join(root, 'node_modules/.cache/batchwire-readme-test');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fileOf = (line: number) => join(dir, `block-line-${line}.ts`);
for (const block of tsBlocks) writeFileSync(fileOf(block.line), `${block.code}\nexport {};\n`);
writeFileSync(join(dir, 'prelude.d.ts'), preludeDeclarations());

const subpaths = [
  'generic',
  'soap',
  'odata',
  'faults',
  'status',
  'requests',
  'auth',
  'arbitraries',
  'emulator',
];
subpaths.push('fuzz');
const compilerOptions: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  strict: true,
  skipLibCheck: true,
  noEmit: true,
  types: ['node'],
  baseUrl: root,
  paths: { batchwire: ['src/index.ts'], 'batchwire/*': ['src/*/index.ts'] },
};

function diagnostics(files: string[]): ts.Diagnostic[] {
  const program = ts.createProgram(files, compilerOptions);
  return [...ts.getPreEmitDiagnostics(program)].filter((d) => d.file?.fileName.startsWith(dir) ?? true);
}

function describeDiagnostic(d: ts.Diagnostic): string {
  const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
  const file = d.file ? d.file.fileName.slice(dir.length + 1) : '';
  return `${file}${where ? `:${where.line + 1}` : ''} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
}

// Without the prelude, the names a block uses but does not define: a block without any is run.
const unresolved = new Map<number, Set<string>>();
for (const d of diagnostics(tsBlocks.map((b) => fileOf(b.line)))) {
  if (d.code !== 2304 && d.code !== 2552) continue;
  const line = Number(/block-line-(\d+)\.ts$/.exec(d.file?.fileName ?? '')?.[1]);
  const name = /'([^']+)'/.exec(ts.flattenDiagnosticMessageText(d.messageText, '\n'))?.[1] ?? '?';
  if (!unresolved.has(line)) unresolved.set(line, new Set());
  unresolved.get(line)!.add(name);
}
// Test files (a block importing vitest) are typechecked only: they run inside a test runner.
const runnable = tsBlocks.filter((b) => !unresolved.has(b.line) && !/from 'vitest'/.test(b.code));

async function run(block: (typeof tsBlocks)[number]): Promise<{ code: number; output: string }> {
  const alias: Record<string, string> = { batchwire: join(root, 'src/index.ts') };
  for (const name of subpaths) alias[`batchwire/${name}`] = join(root, `src/${name}/index.ts`);
  const out = join(dir, `run-${block.line}.mjs`);
  await build({
    entryPoints: [fileOf(block.line)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node18',
    outfile: out,
    alias,
    packages: 'external',
    logLevel: 'silent',
  });
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [out],
      { cwd: root, encoding: 'utf8', timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

describe('README code blocks', () => {
  it('has TypeScript and shell blocks to check', () => {
    expect(tsBlocks.length).toBeGreaterThanOrEqual(6);
    expect(cliInvocations(blocks).length).toBeGreaterThanOrEqual(10);
  });

  it('every TypeScript block typechecks (strict, lib dom), free names declared by the prelude', () => {
    const problems = diagnostics([join(dir, 'prelude.d.ts'), ...tsBlocks.map((b) => fileOf(b.line))]);
    expect(problems.map(describeDiagnostic)).toEqual([]);
  });

  it('a block uses no undefined name beyond the prelude (the caller’s own variables)', () => {
    const stray = [...unresolved].flatMap(([line, names]) =>
      [...names].filter((n) => !Object.hasOwn(PRELUDE, n)).map((n) => `README line ${line}: ${n}`),
    );
    expect(stray).toEqual([]);
  });

  it('the self-contained blocks run and print what their comments say', async () => {
    // The Errors examples must be among them: they are what a reader copies first.
    expect(runnable.filter((b) => b.section === 'Errors')).toHaveLength(2);
    for (const block of runnable) {
      const { code, output } = await run(block);
      expect({ line: block.line, code, output: code === 0 ? '' : output }).toEqual({
        line: block.line,
        code: 0,
        output: '',
      });
      const printed = output.split('\n').map((l) => l.trim());
      for (const expected of expectedOutputs(block.code)) {
        expect(printed, `README line ${block.line} promises "${expected}"`).toContain(expected);
      }
    }
  });

  it('every batchwire command line names a real command and real options', () => {
    for (const { args, line } of cliInvocations(blocks)) {
      const [first, second, ...rest] = args;
      const command =
        first === 'decode' ? (second !== undefined ? decoders[second] : undefined) : commands[first ?? ''];
      expect(command, `README line ${line}: batchwire ${args.join(' ')}`).toBeDefined();
      const options = first === 'decode' ? rest : args.slice(1);
      expect(() => parseCommandLine(options, command!.options), `README line ${line}`).not.toThrow();
    }
  });
});
