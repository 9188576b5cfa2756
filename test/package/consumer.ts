// `npm run check:consumer`: what a new user does with the published package, end to end and slow
// (about a minute: a pack, an npm install, five TypeScript runs), so it is a script beside
// `npm test`, run by CI. It packs the tarball, installs it in a fresh app, and checks:
// - every subpath imports as ESM and requires as CommonJS, and works;
// - an error thrown by the CommonJS copy is recognised by the ESM copy's guards and instanceof;
// - the types resolve under moduleResolution node10, node16, nodenext and bundler (strict);
// - the README's TypeScript blocks typecheck against the installed package, and the
//   self-contained ones run as ESM and as CommonJS and print what their comments promise;
// - the installed CLI runs (version, decode, bench without the repository's suite, | head).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  expectedOutputs,
  isTypeScript,
  preludeDeclarations,
  readmeBlocks,
  toCjs,
  toEsm,
} from './readme-blocks.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'batchwire-consumer-'));
const app = join(work, 'app');
let failures = 0;

function step(name: string, action: () => void): void {
  const started = Date.now();
  try {
    action();
    console.log(`ok   ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (error) {
    failures++;
    console.log(`FAIL ${name}\n${String((error as Error).message ?? error).replace(/^/gm, '     ')}`);
  }
}

function run(command: string, args: string[], options: { cwd?: string; input?: string } = {}): string {
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? app,
    encoding: 'utf8',
    input: options.input,
    env: {
      ...process.env,
      npm_config_fund: 'false',
      npm_config_audit: 'false',
      npm_config_update_notifier: 'false',
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}\n${result.stdout}${result.stderr}`);
  }
  return result.stdout + result.stderr;
}

const SUBPATHS = [
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
SUBPATHS.push('fuzz');

// One check per subpath, the same in ESM and CommonJS: something real, not just a load.
const CHECKS = `
const body = generic.encodeGenericResponses([{ action: 'urn:a', output: '42', userData: 'u' }], { encoding: 'utf-16le' });
if (generic.decodeGenericBody(body).responses[0].output !== '42') throw new Error('generic');
const xml = soap.writeMessageArray([{ kind: 'end', reason: 'Success' }]);
if (soap.parseMessageArray(xml).end.count !== 0) throw new Error('soap');
if (odata.formatFilter(odata.parseFilter("poolId EQ 'p'")) !== "poolId eq 'p'") throw new Error('odata');
if (faults.parseFault({ status: 503, body: '{"code":"ServerBusy"}' }).retriable !== true) throw new Error('faults');
if (status.parseJobListPage('{"value":[{"id":"j"}]}').items[0].id !== 'j') throw new Error('status');
if (!requests.azureBatch.listPools({ baseUrl: 'https://a.b', apiVersion: '2025-06-01' }).url.endsWith('/pools?api-version=2025-06-01')) throw new Error('requests');
// Signing is async: 'checks passed' is printed once it has settled (a rejection fails the run).
const authCheck = (async () => {
  const key = 'a2V5'.repeat(22);
  const signed = await auth.signSharedKey(requests.azureBatch.listPools({ baseUrl: 'https://a.b', apiVersion: '2025-06-01' }), { account: 'a', key, date: 0 });
  const verdict = await auth.verifySharedKey({ method: 'GET', url: '/pools?api-version=2025-06-01', headers: signed.headers }, { account: 'a', key, now: 0 });
  if (!verdict.ok || !signed.headers.authorization.startsWith('SharedKey a:')) throw new Error('auth');
})();
if (arbitraries.fc.sample(arbitraries.genericResponsesBody(), 1).length !== 1) throw new Error('arbitraries');
if (typeof emulator !== 'object') throw new Error('emulator');
if (typeof fuzz.runFuzz !== 'function' || !fuzz.FUZZ_CHECKS.includes('lost-response')) throw new Error('fuzz');
if (!(root.BatchwireError && root.DEFAULT_LIMITS.maxBodyBytes > 0)) throw new Error('root');
authCheck.then(() => console.log('checks passed'));
`;

try {
  let tarball = '';
  step('npm pack (prepack builds dist/)', () => {
    const output = run('npm', ['pack', '--pack-destination', work, '--json'], { cwd: root });
    // The JSON array is the block from a line "[" to a line "]"; prepack's output may surround it.
    const lines = output.split('\n');
    const from = lines.indexOf('[');
    const to = lines.lastIndexOf(']');
    const packed = JSON.parse(lines.slice(from, to + 1).join('\n')) as {
      filename: string;
      files: { path: string }[];
    }[];
    tarball = join(work, packed[0]!.filename);
    const files = packed[0]!.files.map((f) => f.path);
    for (const needed of [
      'LICENSE',
      'README.md',
      'dist/index.js',
      'dist/index.cjs',
      'dist/generic.d.cts',
      'dist/cli.js',
    ]) {
      if (!files.includes(needed)) throw new Error(`the tarball has no ${needed}`);
    }
    if (!files.some((f) => f.endsWith('.js.map'))) throw new Error('the tarball has no source maps');
  });

  step(
    'install the tarball in a fresh app (with fast-check, the optional peer, and what README examples import)',
    () => {
      mkdirSync(app);
      writeFileSync(
        join(app, 'package.json'),
        JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }),
      );
      // The README's SDK example drives the official Azure Batch SDK, as a user would install it.
      const dev = (
        JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
          devDependencies: Record<string, string>;
        }
      ).devDependencies;
      const examples = ['@azure/batch', '@azure/ms-rest-js', '@types/node'].map(
        (name) => `${name}@${dev[name]}`,
      );
      run('npm', [
        'install',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        tarball,
        'fast-check@^4',
        ...examples,
      ]);
    },
  );

  const imports = (style: 'esm' | 'cjs') =>
    [
      style === 'esm' ? "import * as root from 'batchwire';" : "const root = require('batchwire');",
      ...SUBPATHS.map((name) =>
        style === 'esm'
          ? `import * as ${name} from 'batchwire/${name}';`
          : `const ${name} = require('batchwire/${name}');`,
      ),
    ].join('\n');

  step('every subpath as ESM', () => {
    writeFileSync(join(app, 'esm.mjs'), `${imports('esm')}\n${CHECKS}`);
    if (!run('node', ['esm.mjs']).includes('checks passed')) throw new Error('no output');
  });

  step('every subpath as CommonJS', () => {
    writeFileSync(join(app, 'cjs.cjs'), `${imports('cjs')}\n${CHECKS}`);
    if (!run('node', ['cjs.cjs']).includes('checks passed')) throw new Error('no output');
  });

  step('errors of the CommonJS copy are recognised by the ESM copy (and back)', () => {
    writeFileSync(
      join(app, 'dual.mjs'),
      `import { createRequire } from 'node:module';
import * as esm from 'batchwire';
const cjs = createRequire(import.meta.url)('batchwire');
if (esm.BatchwireError === cjs.BatchwireError) throw new Error('expected two copies');
let fromCjs;
try { cjs.decodeGenericBody('x'); } catch (e) { fromCjs = e; }
const service = new cjs.BatchwireServiceError(cjs.parseFault({ status: 500, body: '' }));
const checks = [
  esm.isBatchwireError(fromCjs), fromCjs instanceof esm.BatchwireError, !(fromCjs instanceof esm.BatchwireServiceError),
  esm.isBatchwireServiceError(service), service instanceof esm.BatchwireServiceError, service instanceof esm.BatchwireError,
  cjs.isBatchwireServiceError(new esm.BatchwireServiceError(esm.parseFault({ body: '' }))),
];
if (checks.some((ok) => !ok)) throw new Error('guards: ' + checks.join(','));
console.log('dual ok');`,
    );
    run('node', ['dual.mjs']);
  });

  // One strict TypeScript file over every subpath, compiled under each module resolution.
  const typesFile = `import { BatchwireError, isBatchwireError, type ServiceFault } from 'batchwire';
import { decodeGenericResponses, encodeGenericResponses } from 'batchwire/generic';
import { readMessageArray } from 'batchwire/soap';
import { filterFor, schemas } from 'batchwire/odata';
import { parseFault } from 'batchwire/faults';
import { paginate, parseTaskListPage, type BatchTask } from 'batchwire/status';
import { azureBatch } from 'batchwire/requests';
import { signAkSk, type AuthVerdict, verifyAkSk } from 'batchwire/auth';
import { fc, genericResponsesBody } from 'batchwire/arbitraries';
export async function use(response: Response): Promise<void> {
  const body: Uint8Array<ArrayBuffer> = encodeGenericResponses([{ action: 'a', output: 'b' }]);
  new Response(body);
  for await (const record of decodeGenericResponses(response)) if (record.kind === 'end') record.count.toFixed();
  for await (const record of readMessageArray(body)) record.kind;
  filterFor(schemas.tasks).eq('state', 'completed');
  const fault: ServiceFault = await parseFault(response);
  const first = azureBatch.listTasks({ baseUrl: 'https://a.b', apiVersion: '2025-06-01', jobId: 'j' });
  await fetch(first.url, first);
  const signed = await signAkSk(first, { ak: 'AK', sk: 'SK' });
  await fetch(signed.url, signed);
  const verdict: AuthVerdict = await verifyAkSk({ method: 'GET', url: '/', headers: signed.headers }, { ak: 'AK', sk: 'SK' });
  if (!verdict.ok) verdict.reason.toUpperCase();
  const tasks: BatchTask[] = [];
  for await (const task of paginate((link) => fetch(link ?? first.url, first), { parse: parseTaskListPage })) tasks.push(task);
  fc.sample(genericResponsesBody(), 1);
  try { fault.code.toUpperCase(); } catch (error) {
    if (isBatchwireError(error) && error.code === 'SERVICE_FAULT') error.fault.retriable;
    if (error instanceof BatchwireError) error.offset;
  }
}
`;
  const settings: [string, Record<string, unknown>][] = [
    // fast-check's own declarations need node16 to find pure-rand's: skip checking libraries there.
    ['node10', { module: 'commonjs', moduleResolution: 'node10', skipLibCheck: true }],
    ['node16', { module: 'node16', moduleResolution: 'node16' }],
    ['nodenext', { module: 'nodenext', moduleResolution: 'nodenext' }],
    ['bundler', { module: 'esnext', moduleResolution: 'bundler' }],
  ];
  for (const [name, resolution] of settings) {
    step(`strict TypeScript, moduleResolution ${name}`, () => {
      const folder = join(app, `ts-${name}`);
      mkdirSync(folder);
      // node16/nodenext read the file as ESM through its .mts extension.
      const file = name === 'node16' || name === 'nodenext' ? 'use.mts' : 'use.ts';
      writeFileSync(join(folder, file), typesFile);
      writeFileSync(
        join(folder, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'es2022',
            lib: ['es2022', 'dom', 'dom.iterable'],
            strict: true,
            noEmit: true,
            types: [],
            ...resolution,
          },
          files: [file],
        }),
      );
      run('node', [tsc, '-p', folder]);
    });
  }

  const blocks = readmeBlocks(readFileSync(join(root, 'README.md'), 'utf8')).filter(isTypeScript);
  step('README TypeScript blocks typecheck against the installed package (strict)', () => {
    const folder = join(app, 'readme');
    mkdirSync(folder);
    writeFileSync(join(folder, 'prelude.d.ts'), preludeDeclarations());
    const files = ['prelude.d.ts'];
    for (const block of blocks) {
      if (/from 'vitest'/.test(block.code)) continue; // a test file: the app has no vitest
      const file = `line-${block.line}.ts`;
      writeFileSync(join(folder, file), `${block.code}\nexport {};\n`);
      files.push(file);
    }
    writeFileSync(
      join(folder, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'es2022',
          lib: ['es2022', 'dom', 'dom.iterable'],
          module: 'esnext',
          moduleResolution: 'bundler',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: [],
        },
        files,
      }),
    );
    run('node', [tsc, '-p', folder]);
  });

  step('self-contained README blocks run as ESM and as CommonJS, printing what they promise', () => {
    // Self-contained: compiled without the prelude, no name is left undefined (TS2304/TS2552).
    const folder = join(app, 'readme');
    const config = JSON.parse(readFileSync(join(folder, 'tsconfig.json'), 'utf8')) as { files: string[] };
    config.files = config.files.filter((f) => f !== 'prelude.d.ts');
    writeFileSync(join(folder, 'tsconfig.noprelude.json'), JSON.stringify(config));
    const result = spawnSync('node', [tsc, '-p', join(folder, 'tsconfig.noprelude.json')], {
      cwd: folder,
      encoding: 'utf8',
    });
    const open = new Set<number>();
    for (const m of result.stdout.matchAll(/line-(\d+)\.ts\(\d+,\d+\): error TS(?:2304|2552)/g))
      open.add(Number(m[1]));
    let ran = 0;
    for (const block of blocks) {
      if (/from 'vitest'/.test(block.code) || open.has(block.line)) continue;
      for (const [style, code] of [
        ['mjs', toEsm(block.code)],
        ['cjs', toCjs(block.code)],
      ] as const) {
        const file = join(app, `readme-${block.line}.${style}`);
        writeFileSync(file, code);
        const output = run('node', [file]);
        for (const expected of expectedOutputs(block.code)) {
          if (!output.split('\n').some((l) => l.trim() === expected))
            throw new Error(
              `README line ${block.line} (${style}) should print "${expected}"; printed:\n${output}`,
            );
        }
      }
      ran++;
    }
    if (ran < 2) throw new Error(`only ${ran} README blocks ran`);
  });

  step('the installed CLI: --version, decode, bench without the suite, demo | head', () => {
    const bin = join(app, 'node_modules/.bin/batchwire');
    const version = run(bin, ['--version']).trim();
    const expected = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
    if (version !== expected) throw new Error(`--version said ${version}`);
    const sample = join(app, 'node_modules/batchwire/samples/generic-responses.utf8.bin');
    if (!run(bin, ['decode', 'generic', sample]).includes('"kind":"end"')) throw new Error('decode');
    const bench = run(bin, ['bench', '--quick', '--rounds', '1']);
    if (!bench.includes('generated') || !bench.includes('side-by-side')) throw new Error(`bench:\n${bench}`);
    const piped = spawnSync('bash', ['-c', `"${bin}" demo | head -1; echo "exit=\${PIPESTATUS[0]}"`], {
      cwd: app,
      encoding: 'utf8',
    });
    if (!piped.stdout.includes('exit=0') || piped.stderr !== '')
      throw new Error(`demo | head: ${piped.stderr}`);
  });
} finally {
  if (keep) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

console.log(failures === 0 ? 'consumer check: all passed' : `consumer check: ${failures} failed`);
process.exitCode = failures === 0 ? 0 : 1;
