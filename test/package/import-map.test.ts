// The map of src/ in CONTRIBUTING.md is the contract for imports between folders: this test reads
// the table from there (so the document and the check cannot drift) and the imports from the
// sources (through the TypeScript parser, so comments and strings do not count).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const src = join(root, 'src');

interface Rule {
  /** The folder under src/, or '' for the files directly in src/. */
  folder: string;
  /** Folders it may import at run time. */
  runtime: Set<string>;
  /** Folders it may import types from only. */
  typesOnly: Set<string>;
  /** Folders it may load with a dynamic `import()` only. */
  lazy: Set<string>;
}

/** The table under "The map of `src/`": folder, what it holds, may import. */
function readMap(): Rule[] {
  const text = readFileSync(join(root, 'CONTRIBUTING.md'), 'utf8');
  const start = text.indexOf('| folder | what it holds | may import |');
  expect(start, 'CONTRIBUTING.md has the map table').toBeGreaterThanOrEqual(0);
  const rows = text.slice(start).split('\n').slice(2);
  const rules: Rule[] = [];
  for (const row of rows) {
    if (!row.startsWith('|')) break;
    const cells = row.split(' | ');
    const folder = /^\| `src\/([a-z-]*)\/?`$/.exec(cells[0]!.trim())?.[1];
    expect(folder, `a folder in ${row.slice(0, 40)}`).toBeDefined();
    const allowed = cells[cells.length - 1]!.replace(/\|\s*$/, '');
    const rule: Rule = { folder: folder!, runtime: new Set(), typesOnly: new Set(), lazy: new Set() };
    for (const match of allowed.matchAll(/`([a-z-]+)`( \((types only|lazy)\b)?/g)) {
      const set = match[3] === 'types only' ? rule.typesOnly : match[3] === 'lazy' ? rule.lazy : rule.runtime;
      set.add(match[1]!);
    }
    rules.push(rule);
  }
  return rules;
}

interface Import {
  file: string;
  specifier: string;
  typeOnly: boolean;
  /** A dynamic `import()`: loaded when the code runs, not when the module is imported. */
  lazy: boolean;
}

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const out: Import[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      let typeOnly = false;
      if (ts.isImportDeclaration(node)) {
        const clause = node.importClause;
        const named = clause?.namedBindings;
        typeOnly =
          clause !== undefined &&
          (clause.isTypeOnly ||
            (clause.name === undefined &&
              named !== undefined &&
              ts.isNamedImports(named) &&
              named.elements.length > 0 &&
              named.elements.every((e) => e.isTypeOnly)));
      } else {
        const clause = node.exportClause;
        typeOnly =
          node.isTypeOnly ||
          (clause !== undefined &&
            ts.isNamedExports(clause) &&
            clause.elements.length > 0 &&
            clause.elements.every((e) => e.isTypeOnly));
      }
      out.push({ file, specifier: node.moduleSpecifier.text, typeOnly, lazy: false });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] !== undefined &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      out.push({ file, specifier: node.arguments[0].text, typeOnly: false, lazy: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The folder of a file under src/ ('' for src/ itself). */
function folderOf(file: string): string {
  const parts = relative(src, file).split('/');
  return parts.length > 1 ? parts[0]! : '';
}

/** The source file a relative specifier names (`./x.js` is `./x.ts`). */
function target(imp: Import): string {
  return resolve(dirname(imp.file), imp.specifier).replace(/\.js$/, '.ts');
}

const files = sourceFiles(src);
const imports = new Map(files.map((file) => [file, importsOf(file)]));
const rules = readMap();
const CODECS = ['core', 'generic', 'soap', 'odata', 'faults', 'status', 'requests', 'auth', ''];

describe('the map of src/ in CONTRIBUTING.md', () => {
  it('has one row per folder of src/', () => {
    const folders = new Set(files.map(folderOf));
    expect(rules.map((r) => r.folder).sort()).toEqual([...folders].sort());
  });

  it('lists every import between folders, and types-only ones as such', () => {
    const wrong: string[] = [];
    for (const [file, list] of imports) {
      const from = folderOf(file);
      const rule = rules.find((r) => r.folder === from)!;
      for (const imp of list) {
        if (!imp.specifier.startsWith('.')) continue;
        const to = folderOf(target(imp));
        if (to === from || rule.runtime.has(to)) continue;
        if ((imp.typeOnly && rule.typesOnly.has(to)) || (imp.lazy && rule.lazy.has(to))) continue;
        const how = imp.typeOnly ? ' (types)' : imp.lazy ? ' (lazy)' : '';
        wrong.push(`${relative(root, file)} imports ${imp.specifier}${how}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('keeps the codecs free of the CLI, the arbitraries, the emulator, the fuzz runner and node: modules', () => {
    for (const rule of rules.filter((r) => CODECS.includes(r.folder))) {
      for (const tool of ['cli', 'arbitraries', 'emulator', 'fuzz']) {
        const allowed = rule.runtime.has(tool) || rule.typesOnly.has(tool) || rule.lazy.has(tool);
        expect(allowed, `${rule.folder} -> ${tool}`).toBe(false);
      }
    }
    const nodeImports = [...imports]
      .filter(([file]) => CODECS.includes(folderOf(file)))
      .flatMap(([, list]) => list.filter((i) => i.specifier.startsWith('node:') && !i.typeOnly))
      .map((i) => `${relative(root, i.file)} imports ${i.specifier}`);
    expect(nodeImports).toEqual([]);
  });

  it('keeps auth on the platform: it reaches only core, and WebCrypto rather than node:crypto', () => {
    const auth = rules.find((r) => r.folder === 'auth')!;
    expect([...auth.runtime]).toEqual(['core']);
    const text = files
      .filter((file) => folderOf(file) === 'auth')
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    expect(text).toContain('crypto.subtle');
    expect(text).not.toMatch(/node:crypto|from 'crypto'/);
  });

  it('lets core know no format: no import of another folder, not even a lazy one or a type', () => {
    const core = rules.find((r) => r.folder === 'core')!;
    expect([...core.runtime, ...core.lazy]).toEqual([]);
    // Not even a type: the error union's service member and ServiceFault live in core.
    const reached = [...imports]
      .filter(([file]) => folderOf(file) === 'core')
      .flatMap(([, list]) =>
        list.filter((i) => i.specifier.startsWith('.') && folderOf(target(i)) !== 'core'),
      )
      .map((i) => `${relative(src, i.file)} imports ${i.specifier}`);
    expect(reached).toEqual([]);
  });

  it('keeps the XML parser out of generic, odata and auth at import time: nothing they reach statically imports a package', () => {
    for (const entry of ['generic/index.ts', 'odata/index.ts', 'auth/index.ts']) {
      const seen = new Set<string>();
      const todo = [join(src, entry)];
      const packages = new Set<string>();
      while (todo.length > 0) {
        const file = todo.pop()!;
        if (seen.has(file)) continue;
        seen.add(file);
        for (const imp of imports.get(file) ?? []) {
          // A dynamic import() loads when it runs (generic: only for a non-2xx Response).
          if (imp.typeOnly || imp.lazy) continue;
          if (imp.specifier.startsWith('.')) todo.push(target(imp));
          else packages.add(imp.specifier);
        }
      }
      expect(seen.size, entry).toBeGreaterThan(3);
      expect([...packages], entry).toEqual([]);
    }
  });

  it('has the lazy imports of the codecs reach batchwire/faults only, from generic and soap', () => {
    const lazy = [...imports]
      .filter(([file]) => CODECS.includes(folderOf(file)))
      .flatMap(([, list]) => list.filter((i) => i.lazy && i.specifier.startsWith('.')));
    const targets = lazy.map((i) => `${folderOf(i.file)} -> ${relative(src, target(i))}`);
    expect(new Set(targets)).toEqual(new Set(['generic -> faults/index.ts', 'soap -> faults/index.ts']));
  });

  // Issue 22: one XML reader in the codebase. saxes is a dev dependency (differential tests, the
  // bench baseline `batchwire bench` loads only if installed), so no file of src/ imports it.
  it('has no file of src/ import saxes: batchwire reads XML with its own scanner', () => {
    const saxes = [...imports]
      .flatMap(([, list]) => list.filter((i) => i.specifier === 'saxes'))
      .map((i) => relative(root, i.file));
    expect(saxes).toEqual([]);
    expect(imports.size).toBeGreaterThan(100);
  });
});
