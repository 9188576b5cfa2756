import { dliBatchStateBody, fc, jobPrepReleasePageBody, mutate } from 'batchwire/arbitraries';
import {
  isBatchwireError,
  paginate,
  parseDliBatchState,
  parseJobPrepReleaseStatusPage,
} from 'batchwire/status';
import { describe, expect, it } from 'vitest';
import { thrownBy } from '../support/errors.js';

const DATE_FIELDS = new Set(['startTime', 'endTime', 'lastRetryTime']);
const KNOWN_EXECUTION = new Set([
  'state',
  'startTime',
  'endTime',
  'taskRootDirectory',
  'taskRootDirectoryUrl',
  'exitCode',
  'result',
  'failureInfo',
  'containerInfo',
  'retryCount',
  'lastRetryTime',
]);

// The parsed execution info, turned back into the JSON the service wrote.
function executionJson(info: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(info)) {
    if (key === 'extra') continue;
    out[key] = value;
  }
  for (const [key, value] of Object.entries((info.extra as Record<string, unknown>) ?? {})) out[key] = value;
  return out;
}

function expectBadInputOnly(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    if (!isBatchwireError(error)) throw error;
    expect([
      'MALFORMED_DOCUMENT',
      'INVALID_ENCODING',
      'TRUNCATED',
      'LIMIT_EXCEEDED',
      'SERVICE_FAULT',
    ]).toContain(error.code);
    expect(Number.isInteger(error.offset)).toBe(true);
  }
}

describe('status properties', () => {
  it('DLI state: lowercased state, raw state kept, known iff documented', () => {
    fc.assert(
      fc.property(dliBatchStateBody(), fc.boolean(), (sample, bytes) => {
        const state = parseDliBatchState(bytes ? new TextEncoder().encode(sample.body) : sample.body);
        expect(state.id).toBe(sample.id);
        expect(state.rawState).toBe(sample.rawState);
        expect(state.state).toBe(sample.rawState.trim().toLowerCase());
        expect(state.known).toBe(
          ['starting', 'running', 'dead', 'success', 'recovering'].includes(state.state),
        );
        expect(state.terminal).toBe(state.state === 'success' || state.state === 'dead');
      }),
      { numRuns: 200 },
    );
  });

  it('job prep page: every field read back, dates equal, unknown fields preserved', () => {
    fc.assert(
      fc.property(jobPrepReleasePageBody(), (sample) => {
        const page = parseJobPrepReleaseStatusPage(sample.body);
        expect(page.nextLink).toBe(sample.nextLink);
        expect(page.items).toHaveLength(sample.items.length);
        sample.items.forEach((json, i) => {
          const item = page.items[i]!;
          expect(item.poolId).toBe(json.poolId);
          expect(item.nodeId).toBe(json.nodeId);
          expect(item.extra?.nodeAgentVersion).toBe(json.nodeAgentVersion);
          for (const key of ['jobPreparationTaskExecutionInfo', 'jobReleaseTaskExecutionInfo'] as const) {
            const source = json[key] as Record<string, unknown> | undefined;
            const parsed = item[key] as Record<string, unknown> | undefined;
            if (source === undefined) {
              expect(parsed).toBeUndefined();
              continue;
            }
            const back = executionJson(parsed!);
            for (const [field, value] of Object.entries(source)) {
              if (value === null) continue;
              if (DATE_FIELDS.has(field)) {
                expect((back[field] as Date).getTime()).toBe(new Date(value as string).getTime());
              } else if (field === 'failureInfo' || field === 'containerInfo') {
                expect(JSON.parse(JSON.stringify(back[field]))).toEqual(value);
              } else if (KNOWN_EXECUTION.has(field)) {
                expect(back[field]).toEqual(value);
              } else {
                expect((parsed!.extra as Record<string, unknown> | undefined)?.[field]).toEqual(value);
              }
            }
          }
        });
      }),
      { numRuns: 150 },
    );
  });

  it('never throws a foreign error on random or mutated bodies', () => {
    const bodies = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'),
      mutate(
        'json',
        jobPrepReleasePageBody().map((s) => new TextEncoder().encode(s.body)),
        { depth: 3000 },
      ).map((m) => m.bytes),
      mutate(
        'json',
        dliBatchStateBody().map((s) => new TextEncoder().encode(s.body)),
      ).map((m) => m.bytes),
    );
    fc.assert(
      fc.property(bodies, (body) => {
        expectBadInputOnly(() => parseJobPrepReleaseStatusPage(body));
        expectBadInputOnly(() => parseDliBatchState(body));
      }),
      { numRuns: 300 },
    );
  });

  it('a page cut anywhere before its end fails, at an offset within the body', () => {
    fc.assert(
      fc.property(
        // A proper prefix of a JSON object (trailing whitespace aside) is never a document.
        jobPrepReleasePageBody().chain((s) => {
          const text = s.body.trimEnd();
          return fc.nat(text.length - 1).map((cut) => text.slice(0, cut));
        }),
        (body) => {
          const error = thrownBy(() => parseJobPrepReleaseStatusPage(body));
          expect(error.code).toBe('MALFORMED_DOCUMENT');
          expect(error.offset).toBeGreaterThanOrEqual(0);
          expect(error.offset).toBeLessThanOrEqual(body.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('paginate yields every item of every page in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.string({ minLength: 1, maxLength: 5 }), { maxLength: 4 }), {
          minLength: 1,
          maxLength: 6,
        }),
        async (pages) => {
          const bodies = pages.map((ids, i) =>
            JSON.stringify({
              value: ids.map((nodeId) => ({ nodeId })),
              ...(i < pages.length - 1 ? { 'odata.nextLink': `https://x/p?$skiptoken=${i + 1}` } : {}),
            }),
          );
          const out: string[] = [];
          for await (const item of paginate(
            (link) => bodies[link === undefined ? 0 : Number(link.split('=')[1])]!,
          )) {
            out.push(item.nodeId!);
          }
          expect(out).toEqual(pages.flat());
        },
      ),
      { numRuns: 100 },
    );
  });
});
