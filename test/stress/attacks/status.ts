// Attacks on the status documents: DLI batch state and Azure Batch job prep/release pages with
// many items, long strings, deep JSON, and errors found at the end of a long body.
import {
  parseDliBatchState,
  parseJobListPage,
  parseJobPrepReleaseStatusPage,
  parseTaskListPage,
} from 'batchwire/status';
import { type Attack, attack } from '../harness.js';

// Bodies stay under maxBodyBytes (4 MiB) at 8n: n at most 4 MiB / 8 / (characters per n).
const under = (charsPerN: number) => Math.floor((4 * 1024 * 1024) / 8 / charsPerN);

const item = (i: number) =>
  JSON.stringify({
    poolId: 'pool',
    nodeId: `tvm-${i}`,
    nodeUrl: `https://a/pools/pool/nodes/tvm-${i}`,
    jobPreparationTaskExecutionInfo: {
      startTime: '2024-07-01T10:20:31.1234567Z',
      state: 'completed',
      exitCode: 0,
      retryCount: 0,
      failureInfo: { category: 'usererror', code: 'c', details: [{ name: 'n', value: 'v' }] },
    },
  });

const page = (items: string[], extra = '') =>
  `{"odata.metadata":"https://a/$metadata"${extra},"value":[${items.join(',')}]}`;

// One JSON object with at most this many keys at 8n (32 000): from there on, V8's own JSON.parse
// of the object alone goes 2.4x to 9x per doubling on this machine (64 000 keys: 8 -> 71 ms),
// about what as many keys in small objects cost (garbage collection, not the object's shape);
// maxBodyBytes bounds it (a 3.3 MiB body of 300 000 keys parses in about 0.3 s either way).
const WIDE = 4000;

const attacks: Attack[] = [
  attack({
    target: 'parseDliBatchState',
    name: 'a long state string',
    maxN: under(1),
    n: 20_000,
    build: (n) => `{"id":"0a32","state":"${'r'.repeat(n)}"}`,
    run: (body) => parseDliBatchState(body),
  }),
  attack({
    target: 'parseDliBatchState',
    name: 'many extra keys',
    maxN: WIDE,
    n: 2000,
    build: (n) =>
      JSON.stringify({
        state: 'running',
        ...Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, `v${i}`])),
      }),
    run: (body) => parseDliBatchState(body),
  }),
  attack({
    target: 'parseDliBatchState',
    name: 'an extra field nested n levels deep (past maxJsonDepth)',
    n: 2000,
    maxN: under(6),
    build: (n) => `{"state":"dead","x":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`,
    run: (body) => parseDliBatchState(body),
    expect: 'LIMIT_EXCEEDED',
  }),
  attack({
    target: 'parseDliBatchState',
    name: 'n extra fields nested 900 levels deep each',
    maxN: 64,
    n: 2,
    build: (n) =>
      `{"state":"dead",${Array.from({ length: n }, (_, i) => `"x${i}":${'['.repeat(900)}${']'.repeat(900)}`).join(',')}}`,
    run: (body) => parseDliBatchState(body),
  }),
  attack({
    target: 'parseDliBatchState',
    name: 'a DLI error body with a long message (BatchwireServiceError)',
    maxN: under(1),
    n: 20_000,
    build: (n) => JSON.stringify({ error_code: 'DLI.0002', error_msg: 'm'.repeat(n) }),
    run: (body) => parseDliBatchState(body),
    expect: 'SERVICE_FAULT',
  }),
  attack({
    target: 'parseDliBatchState',
    name: 'a syntax error after a long string (offset rescan)',
    maxN: under(1),
    n: 20_000,
    build: (n) => `{"id":"${'i'.repeat(n)}","state":"x",}`,
    run: (body) => parseDliBatchState(body),
    expect: 'MALFORMED_DOCUMENT',
  }),
  attack({
    target: 'parseJobPrepReleaseStatusPage',
    name: 'many items',
    maxN: under(300),
    n: 500,
    build: (n) => page(Array.from({ length: n }, (_, i) => item(i))),
    run: (body) => parseJobPrepReleaseStatusPage(body),
  }),
  attack({
    target: 'parseJobPrepReleaseStatusPage',
    name: 'one item with n failure details',
    maxN: under(30),
    n: 1000,
    build: (n) =>
      page([
        JSON.stringify({
          nodeId: 'n',
          jobReleaseTaskExecutionInfo: {
            failureInfo: { details: Array.from({ length: n }, (_, i) => ({ name: `n${i}`, value: 'v' })) },
          },
        }),
      ]),
    run: (body) => parseJobPrepReleaseStatusPage(body),
  }),
  attack({
    target: 'parseJobPrepReleaseStatusPage',
    name: 'long strings and a long nextLink',
    maxN: under(3),
    n: 20_000,
    build: (n) =>
      `{"odata.nextLink":"https://a/jobs/j/jobpreparationandreleasetaskstatus?$skiptoken=${'s'.repeat(n)}","value":[{"poolId":"${'p'.repeat(n)}","nodeId":"${'n'.repeat(n)}"}]}`,
    run: (body) => parseJobPrepReleaseStatusPage(body),
  }),
  attack({
    target: 'parseJobPrepReleaseStatusPage',
    name: 'an unknown field nested n levels deep in an item (past maxJsonDepth)',
    n: 2000,
    maxN: under(2),
    build: (n) => page([`{"nodeId":"n","x":${'['.repeat(n)}${']'.repeat(n)}}`]),
    run: (body) => parseJobPrepReleaseStatusPage(body),
    expect: 'LIMIT_EXCEEDED',
  }),
  attack({
    target: 'parseJobPrepReleaseStatusPage',
    name: 'a bad date-time in the last of many items (path rescan)',
    maxN: under(300),
    n: 500,
    build: (n) =>
      page([
        ...Array.from({ length: n }, (_, i) => item(i)),
        '{"jobPreparationTaskExecutionInfo":{"startTime":"yesterday"}}',
      ]),
    run: (body) => parseJobPrepReleaseStatusPage(body),
    expect: 'MALFORMED_DOCUMENT',
  }),
  attack({
    target: 'parseJobPrepReleaseStatusPage',
    name: 'a wrong type deep inside the last of many items',
    maxN: under(300),
    n: 500,
    build: (n) =>
      page([
        ...Array.from({ length: n }, (_, i) => item(i)),
        '{"jobPreparationTaskExecutionInfo":{"failureInfo":{"details":[{"name":5}]}}}',
      ]),
    run: (body) => parseJobPrepReleaseStatusPage(body),
    expect: 'MALFORMED_DOCUMENT',
  }),
  attack({
    target: 'parseJobPrepReleaseStatusPage',
    name: 'broken JSON at the end of many items',
    maxN: under(300),
    n: 500,
    build: (n) => `${page(Array.from({ length: n }, (_, i) => item(i))).slice(0, -2)},]}`,
    run: (body) => parseJobPrepReleaseStatusPage(body),
    expect: 'MALFORMED_DOCUMENT',
  }),
  attack({
    target: 'parseJobPrepReleaseStatusPage',
    name: 'many top-level extra fields, hostile names included',
    maxN: WIDE,
    n: 2000,
    build: (n) =>
      page(
        [item(0)],
        Array.from({ length: n }, (_, i) => `,"${i % 2 ? '__proto__' : 'constructor'}${i}":{"a":1}`).join(''),
      ),
    run: (body) => parseJobPrepReleaseStatusPage(body),
  }),
  attack({
    target: 'parseJobListPage',
    name: 'many jobs',
    n: 500,
    maxN: under(200),
    build: (n) =>
      page(
        Array.from({ length: n }, (_, i) =>
          JSON.stringify({
            id: `job-${i}`,
            state: 'active',
            poolInfo: { poolId: 'p' },
            creationTime: '2024-07-01T10:20:31Z',
          }),
        ),
      ),
    run: (body) => parseJobListPage(body),
  }),
  attack({
    target: 'parseTaskListPage',
    name: 'an unknown field nested n levels deep (past maxJsonDepth)',
    n: 2000,
    maxN: under(2),
    build: (n) => page([`{"id":"t","x":${'['.repeat(n)}${']'.repeat(n)}}`]),
    run: (body) => parseTaskListPage(body),
    expect: 'LIMIT_EXCEEDED',
  }),
];

export default attacks;
