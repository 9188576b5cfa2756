// Attacks on batchwire/odata: long filters of repeated structure (with maxFilterLength raised, so
// sizes grow past the default 32 768), deep parentheses (maxFilterDepth raised with them), long
// literals and paths, one bad character per position, wide and/or trees from the builder and
// every function over them, large schemas, and the CLI's caret rendering.
//
// Deep ASTs stay below 128 000 levels at 8n: walked from the root, a deep AST built by the parser
// is visited in the reverse of the order it was allocated, and past about 10^5 levels (tens of MB)
// every step misses the cache: evaluateFilter went 25 -> 124 ms from 128 000 to 256 000 levels
// with no garbage collection during the run (the machine's memory, not the algorithm). The
// shared-subtree AST's memo (a Map of a node per level) is kept to 160 000 entries likewise.
import {
  and,
  buildListQuery,
  eq,
  evaluateFilter,
  type FilterExpression,
  type FilterSchema,
  formatFilter,
  or,
  parseFilter,
  schemas,
  validateFilter,
} from 'batchwire/odata';
import { renderDiagnostics } from '../../../src/cli/odata.js';
import { type Attack, attack } from '../harness.js';

const jobs = schemas.jobs;
const UNLIMITED = { maxFilterLength: Infinity, maxFilterDepth: Infinity };
const joined = (unit: string, n: number, separator: string) =>
  Array.from({ length: n }, () => unit).join(separator);

/** Every problem, not the first 100: the renderer and the sink meet them all. */
const ALL = { ...UNLIMITED, maxDiagnostics: Infinity };

const attacks: Attack[] = [
  attack({
    target: 'validateFilter',
    name: "'a / a / a ...' (65M characters of hints for 32 KB before)",
    n: 2000,
    build: (n) => joined('a', n, ' / '),
    run: (text) => validateFilter(text, undefined, UNLIMITED),
  }),
  attack({
    target: 'validateFilter',
    name: "'a / a / a ...' against a schema, every problem listed",
    n: 2000,
    build: (n) => joined('a', n, ' / '),
    run: (text) => validateFilter(text, jobs, ALL),
  }),
  attack({
    target: 'validateFilter',
    name: "'a eq 1 and ...': an unknown property per comparison (did-you-mean for the first 100)",
    n: 1000,
    build: (n) => joined('nodeID eq 1', n, ' and '),
    run: (text) => validateFilter(text, jobs, UNLIMITED),
  }),
  attack({
    target: 'validateFilter',
    name: 'one bad character per position, every problem listed',
    n: 2000,
    build: (n) => '@'.repeat(n),
    run: (text) => validateFilter(text, undefined, ALL),
  }),
  attack({
    target: 'validateFilter',
    name: 'one bad character per position (the first 100 kept, the rest counted)',
    n: 5000,
    build: (n) => '@'.repeat(n),
    run: (text) => validateFilter(text, undefined, UNLIMITED),
  }),
  attack({
    target: 'validateFilter',
    name: "type errors reported after the next token: 'exitCode eq 'x' @ ...'",
    n: 1000,
    build: (n) => "executionInfo/exitCode eq 'x' @ ".repeat(n),
    run: (text) => validateFilter(text, schemas.tasks, UNLIMITED),
  }),
  attack({
    target: 'validateFilter',
    name: 'symbols, not and null in place of operators and values',
    n: 1000,
    build: (n) => 'not id == null && startswith(id, 1) || '.repeat(n),
    run: (text) => validateFilter(text, jobs, ALL),
  }),
  attack({
    target: 'parseFilter',
    name: "a valid 'id eq ... and ...' against a schema",
    n: 1000,
    build: (n) => joined("id eq 'job-1'", n, ' and '),
    run: (text) => parseFilter(text, { ...UNLIMITED, schema: jobs }),
  }),
  attack({
    target: 'parseFilter',
    name: 'deep parentheses, maxFilterDepth raised with the size',
    n: 2000,
    build: (n) => `${'('.repeat(n)}a eq 1${')'.repeat(n)}`,
    run: (text) => parseFilter(text, UNLIMITED),
  }),
  attack({
    target: 'validateFilter',
    name: 'deep parentheses never closed (a missing-) per level)',
    n: 2000,
    build: (n) => `${'('.repeat(n)}a eq 1`,
    run: (text) => validateFilter(text, undefined, ALL),
  }),
  attack({
    target: 'parseFilter',
    name: "a long string literal of doubled quotes ''",
    n: 5000,
    build: (n) => `a eq '${"''x".repeat(n)}'`,
    run: (text) => parseFilter(text, UNLIMITED),
  }),
  attack({
    target: 'validateFilter',
    name: "an unterminated string of doubled quotes ''",
    n: 5000,
    build: (n) => `a eq '${"''x".repeat(n)}`,
    run: (text) => validateFilter(text, undefined, UNLIMITED),
  }),
  attack({
    target: 'parseFilter',
    name: 'a long property path a/b/c/...',
    n: 2000,
    build: (n) => `${joined('seg', n, '/')} eq 1`,
    run: (text) => parseFilter(text, UNLIMITED),
  }),
  attack({
    target: 'validateFilter',
    name: 'a long unknown property path against a schema',
    n: 2000,
    build: (n) => `${joined('executionInfo', n, '/')} eq 1`,
    run: (text) => validateFilter(text, jobs, UNLIMITED),
  }),
  attack({
    target: 'validateFilter',
    name: 'long literals quoted back in hints (double quotes, DateTime, bare date, integer)',
    n: 5000,
    build: (n) =>
      `a eq "${'x'.repeat(n)}" and t gt DateTime'${'y'.repeat(n)}' and t lt 2011-05-08${'1'.repeat(n)} and b eq ${'9'.repeat(n)}`,
    run: (text) => validateFilter(text, jobs, UNLIMITED),
  }),
  attack({
    target: 'and',
    name: 'and(list) of builder filters (a spread that wide overflows the stack)',
    n: 2000,
    build: (n) => Array.from({ length: n }, (_, i) => eq('nodeId', `tvm-${i}`)),
    run: (parts) => and(parts),
    inputSize: (parts) => parts.reduce((sum, p) => sum + p.length, 0),
  }),
  attack({
    target: 'or',
    name: 'or(ast, ...) flattening a wide or-tree operand',
    n: 2000,
    build: (n) => parseFilter(joined("nodeId eq 'x'", n, ' or '), UNLIMITED),
    run: (ast) => or(ast, eq('poolId', 'p')),
  }),
  attack({
    target: 'formatFilter',
    name: 'a wide and-tree',
    n: 2000,
    build: (n) => parseFilter(joined("nodeId eq 'x'", n, ' and '), UNLIMITED),
    run: (ast) => formatFilter(ast),
  }),
  attack({
    target: 'formatFilter',
    name: 'alternating and/or nesting, parentheses written back',
    n: 500,
    maxN: 8000,
    build: (n) => parseFilter(`${'(a eq 1 or (b eq 2 and '.repeat(n)}c eq 3${'))'.repeat(n)}`, UNLIMITED),
    run: (ast) => formatFilter(ast),
  }),
  attack({
    target: 'evaluateFilter',
    name: 'a wide and-tree that matches (every operand evaluated)',
    n: 2000,
    build: (n) => parseFilter(joined("nodeId ne 'x'", n, ' and '), UNLIMITED),
    run: (ast) => evaluateFilter(ast, { nodeId: 'y' }),
    outputSize: () => 1,
  }),
  attack({
    target: 'evaluateFilter',
    name: 'deep nesting that matches',
    n: 2000,
    maxN: 16_000,
    build: (n) => parseFilter(`${'('.repeat(n)}a eq 1${') and b eq 2'.repeat(n)}`, UNLIMITED),
    run: (ast) => evaluateFilter(ast, { a: 1, b: 2 }),
    outputSize: () => 1,
  }),
  attack({
    target: 'evaluateFilter',
    name: 'a hand-built AST sharing subtrees (x = or(x, x), n levels): linear in its objects',
    n: 2500,
    maxN: 20_000,
    build: (n) => {
      let node: FilterExpression = parseFilter('a eq 1');
      for (let i = 0; i < n; i++) node = { kind: 'or', operands: [node, node], start: 0, end: 0 };
      return node;
    },
    run: (ast) => evaluateFilter(ast, { a: 2 }),
    inputSize: () => 1,
    outputSize: () => 1,
  }),
  // Issue 21: each comparison lowercased the record's value again, so time was comparisons times
  // value length (1 200 comparisons over a 1 M-character value took 7.9 s). Filter and value grow
  // together here: linear means each is read a constant number of times.
  attack({
    target: 'evaluateFilter',
    name: "n comparisons ('v ne ...' and ...) of one value of 100n characters",
    n: 200,
    maxN: 3200,
    build: (n): [FilterExpression, Record<string, string>] => [
      parseFilter(joined("v ne 'x'", n, ' and '), UNLIMITED),
      { v: 'A'.repeat(100 * n) },
    ],
    run: ([ast, record]) => evaluateFilter(ast, record),
    inputSize: ([, record]) => record.v!.length,
    outputSize: () => 1,
  }),
  attack({
    target: 'evaluateFilter',
    name: 'n startswith(v, ...) and ordering comparisons of one value of 100n characters',
    n: 200,
    maxN: 3200,
    build: (n): [FilterExpression, Record<string, string>] => [
      parseFilter(joined("startswith(v, 'a') and v gt 'a' and v le 'b'", n, ' and '), UNLIMITED),
      { v: 'A'.repeat(100 * n) },
    ],
    run: ([ast, record]) => evaluateFilter(ast, record),
    inputSize: ([, record]) => record.v!.length,
    outputSize: () => 1,
  }),
  attack({
    target: 'buildListQuery',
    name: 'a wide AST filter with a schema (formatted, then checked)',
    n: 2000,
    build: (n) => parseFilter(joined("id eq 'x'", n, ' or '), UNLIMITED),
    run: (filter) => buildListQuery({ filter, select: ['id', 'state'], maxResults: 10 }),
  }),
  // Judged by the bytes it allocates (issue 21, whose cachegrind run found instructions per clause
  // flat from 8k to 256k properties); the time steps come from the working set (schema index, AST,
  // diagnostics) leaving the caches and from scavenges of a live AST, not from more work per
  // clause. Allocated bytes per doubling are a count the machine cannot disturb.
  attack({
    target: 'validateFilter',
    judge: 'allocation',
    name: 'a schema of many properties of one first letter and length, each used (a compare per path was n^2)',
    n: 1000,
    build: (n): [string, FilterSchema] => {
      const paths = Array.from({ length: n }, (_, i) => `p${String(i).padStart(7, '0')}`);
      const schema = {
        name: 'wide',
        properties: Object.fromEntries(
          paths.map((path) => [path, { type: 'Int' as const, operators: ['eq' as const] }]),
        ),
      };
      return [`${paths.map((path) => `${path} eq 1`).join(' and ')} and prop eq 2 and (p / q eq 1)`, schema];
    },
    run: ([text, schema]) => validateFilter(text, schema, UNLIMITED),
    inputSize: ([text]) => text.length * 2,
  }),
  attack({
    target: 'renderDiagnostics (batchwire filter check)',
    name: 'one bad character per position on one line, every problem rendered',
    n: 1000,
    build: (n) => '@'.repeat(n),
    run: (text) => renderDiagnostics(text, validateFilter(text, undefined, ALL)),
  }),
  attack({
    target: 'renderDiagnostics (batchwire filter check)',
    name: 'a problem on each of many lines (line numbers in one pass)',
    n: 1000,
    build: (n) => 'a eq 1 and @ and\n'.repeat(n).concat('a eq 1'),
    run: (text) => renderDiagnostics(text, validateFilter(text, undefined, ALL)),
  }),
  attack({
    target: 'renderDiagnostics (batchwire filter check)',
    name: "the default report of 'a / a / a ...' (one window of a long line)",
    n: 5000,
    build: (n) => joined('a', n, ' / '),
    run: (text) => renderDiagnostics(text, validateFilter(text, undefined, UNLIMITED)),
  }),
];

export default attacks;
