// The README's code blocks, for the test that keeps its examples from rotting (readme.test.ts)
// and for the packed-tarball check (consumer.ts): TypeScript blocks are typechecked (free names
// such as `bytes` or `baseUrl` declared by a prelude) and the self-contained ones are run; every
// `npx batchwire ...` line must name a real command and real options.
import { transformSync } from 'esbuild';

/** One fenced block of the README. */
export interface CodeBlock {
  /** The info string: `ts`, `sh`... */
  lang: string;
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The heading the block is under. */
  section: string;
}

/** Every fenced code block of a Markdown text, in order. */
export function readmeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  let section = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('#')) section = line.replace(/^#+\s*/, '');
    const open = /^```(\S*)\s*$/.exec(line);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) body.push(lines[i]!);
    blocks.push({ lang: open[1]!, code: body.join('\n'), line: start + 1, section });
  }
  return blocks;
}

/**
 * Names the README's examples use without defining them (the caller's own variables), with the
 * type each stands for. A block that uses none of them is self-contained and is run.
 */
export const PRELUDE: Readonly<Record<string, string>> = {
  bytes: 'Uint8Array',
  base: 'string',
  baseUrl: 'string',
  id: 'number',
  batch: 'string',
  response: 'Response',
  text: 'string',
  authorization: 'string',
  action: 'string',
  myBackend: '{ accepts(bytes: Uint8Array): void }',
  sleep: '(ms: number) => Promise<void>',
  projectId: 'string',
  batchId: 'string',
  jobId: 'string',
  poolId: 'string',
  signal: 'AbortSignal',
  url: 'string',
  server: '{ url: string; close(): Promise<void> }',
};

/** The ambient declarations of {@link PRELUDE}, as a `.d.ts` script. */
export function preludeDeclarations(): string {
  return Object.entries(PRELUDE)
    .map(([name, type]) => `declare const ${name}: ${type};`)
    .join('\n');
}

function mentions(code: string, name: string): boolean {
  return new RegExp(`(?<![\\w$.'"\`/-])${name}(?![\\w$])`).test(code);
}

/** The prelude names a block uses. */
export function freeNames(code: string): string[] {
  return Object.keys(PRELUDE).filter((name) => mentions(code, name));
}

/** TypeScript blocks (`ts`, `typescript`). */
export function isTypeScript(block: CodeBlock): boolean {
  return block.lang === 'ts' || block.lang === 'typescript';
}

/** A TypeScript block that defines everything it uses, so it can run as it is. */
export function isRunnable(block: CodeBlock): boolean {
  return isTypeScript(block) && freeNames(block.code).length === 0;
}

/** A block as an ES module (types stripped). */
export function toEsm(code: string): string {
  return transformSync(code, { loader: 'ts', format: 'esm', target: 'es2022' }).code;
}

/**
 * A block as a CommonJS script: its `import { a, b as c } from 'x'` lines become `require`s
 * and the rest runs in an async function (CommonJS has no top-level await).
 */
export function toCjs(code: string): string {
  const esm = toEsm(code);
  const requires: string[] = [];
  const body = esm.replace(
    /^import\s*\{([^}]*)\}\s*from\s*(['"][^'"]+['"]);?\s*$/gm,
    (_, names: string, from: string) => {
      const bindings = names
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean)
        .map((n) => n.replace(/\s+as\s+/, ': '));
      requires.push(`const { ${bindings.join(', ')} } = require(${from});`);
      return '';
    },
  );
  if (/^\s*import\s/m.test(body)) throw new Error('a README block imports in a form toCjs does not rewrite');
  return `${requires.join('\n')}\n(async () => {\n${body}\n})().catch((error) => { console.error(error); process.exit(1); });\n`;
}

/** Splits a shell line into words: quotes ('...' and "...") group, `#` starts a comment. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = '';
      else word += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '#' && !inWord) break;
    else if (c === ' ' || c === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** The arguments of every `npx batchwire ...` (or `batchwire ...`) line in shell blocks, with their README line. */
export function cliInvocations(blocks: CodeBlock[]): { args: string[]; line: number }[] {
  const out: { args: string[]; line: number }[] = [];
  for (const block of blocks) {
    if (block.lang !== 'sh' && block.lang !== 'bash' && block.lang !== 'shell') continue;
    // A line ending in a backslash continues on the next one.
    const lines: { text: string; index: number }[] = [];
    block.code.split('\n').forEach((text, index) => {
      const last = lines[lines.length - 1];
      if (last?.text.endsWith('\\')) last.text = `${last.text.slice(0, -1)} ${text}`;
      else lines.push({ text, index });
    });
    lines.forEach(({ text, index }) => {
      let words = shellWords(text);
      if (words[0] === 'npx') words = words.slice(1);
      if (words[0] !== 'batchwire') return;
      // Redirections and pipes end the command's own arguments.
      const end = words.findIndex((w) => w === '|' || w.startsWith('<') || w.startsWith('>'));
      out.push({ args: words.slice(1, end < 0 ? undefined : end), line: block.line + 1 + index });
    });
  }
  return out;
}

/**
 * What a block promises to print: each `// ...` comment line right after a line that calls
 * `console.*` (the README's convention for showing output).
 */
export function expectedOutputs(code: string): string[] {
  const lines = code.split('\n');
  const out: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const comment = /^\s*\/\/\s?(.*)$/.exec(lines[i]!);
    if (comment && lines[i - 1]!.includes('console.')) out.push(comment[1]!.trim());
  }
  return out;
}
