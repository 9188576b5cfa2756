import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  BatchwireServiceError,
  paginate,
  parseBrokerClientStatus,
  parseDateTime,
  parseDliBatchState,
  parseJobPrepReleaseStatusPage,
} from 'batchwire/status';
import { describe, expect, it } from 'vitest';
import { thrownBy } from '../support/errors.js';

const samples = fileURLToPath(new URL('../../samples/', import.meta.url));
// The examples of seeds 002 (DLI batch state) and 003 (job prep/release status), cut out verbatim.
const seed002State = readFileSync(
  new URL('../vectors/seeds/002-dli-batch-state.json', import.meta.url),
  'utf8',
);
const seed003Page = readFileSync(
  new URL('../vectors/seeds/003-jobprep-status-page.json', import.meta.url),
  'utf8',
);

const thrown = thrownBy;

describe('parseDliBatchState', () => {
  it('reads the seed 002 example ("Success" with a capital S)', () => {
    const body = seed002State;
    expect(parseDliBatchState(body)).toEqual({
      id: '0a324461-d9d9-45da-a52a-3b3c7a3d809e',
      state: 'success',
      rawState: 'Success',
      known: true,
      terminal: true,
    });
  });

  it('knows every documented state and which are terminal', () => {
    const expected = { starting: false, running: false, dead: true, success: true, recovering: false };
    for (const [state, terminal] of Object.entries(expected)) {
      expect(parseDliBatchState(JSON.stringify({ id: 'x', state: state.toUpperCase() }))).toMatchObject({
        state,
        known: true,
        terminal,
      });
    }
  });

  it('keeps an unknown state raw, with known: false', () => {
    expect(parseDliBatchState('{"state":" Queued "}')).toEqual({
      state: 'queued',
      rawState: ' Queued ',
      known: false,
      terminal: false,
    });
  });

  it('reads bytes (UTF-8, UTF-16LE by BOM) and keeps other fields in extra', () => {
    const text = '{"id":"a","state":"running","duration":5}';
    const utf16 = new Uint8Array(2 + text.length * 2);
    utf16.set([0xff, 0xfe]);
    for (let i = 0; i < text.length; i++) utf16[2 + 2 * i] = text.charCodeAt(i);
    const state = parseDliBatchState(utf16);
    expect(state.state).toBe('running');
    expect(state.extra).toEqual(Object.assign(Object.create(null), { duration: 5 }));
  });

  it('rejects broken bodies with MALFORMED_DOCUMENT and the offset', () => {
    expect(thrown(() => parseDliBatchState('{"id":"a",'))).toMatchObject({
      code: 'MALFORMED_DOCUMENT',
      offset: 10,
    });
    expect(thrown(() => parseDliBatchState('{"id":"a" "state":1}'))).toMatchObject({ offset: 10 });
    expect(thrown(() => parseDliBatchState('{"id":"a","state":1}'))).toMatchObject({
      code: 'MALFORMED_DOCUMENT',
      offset: 18,
    });
    expect(thrown(() => parseDliBatchState('{"id":"a"}'))).toMatchObject({
      code: 'MALFORMED_DOCUMENT',
      offset: 0,
    });
    expect(thrown(() => parseDliBatchState('[]'))).toMatchObject({ code: 'MALFORMED_DOCUMENT' });
    // Byte offsets for byte input: "é" is two bytes.
    expect(thrown(() => parseDliBatchState(new TextEncoder().encode('{"id":"é","state":}')))).toMatchObject({
      offset: 19,
    });
    expect(thrown(() => parseDliBatchState(new Uint8Array([0x7b, 0xff, 0x7d])))).toMatchObject({
      code: 'INVALID_ENCODING',
      offset: 1,
    });
  });

  it('turns a DLI error body into a BatchwireServiceError', () => {
    let error: unknown;
    try {
      parseDliBatchState(readFileSync(`${samples}fault-dli.json`));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BatchwireServiceError);
    expect((error as BatchwireServiceError).fault).toMatchObject({ service: 'dli', code: 'DLI.0002' });
  });
});

describe('parseJobPrepReleaseStatusPage', () => {
  const seedBody = seed003Page;

  it('reads the seed 003 example', () => {
    const page = parseJobPrepReleaseStatusPage(seedBody);
    expect(page.metadata).toBe(
      'https://myaccount.myregion.batch.azure.com/$metadata#jobpreparationandreleasestatuslist',
    );
    expect(page.nextLink).toBe(
      'https://myaccount.myregion.batch.azure.com/jobs/myjob/jobpreparationandreleasestatus?$skipToken=tvm-2167304207_1-20140905t174658z&api-version=2016-02-01.3.0',
    );
    expect(page.items).toHaveLength(1);
    const item = page.items[0]!;
    expect(item.poolId).toBe('mypool1');
    expect(item.nodeId).toBe('tvm-2167304207_1-20140905t174658z');
    expect(item.nodeUrl).toBe(
      'https://myaccount.myregion.batch.azure.com/pools/mypool1/nodes/tvm-2167304207_1-20140905t174658z',
    );
    expect(item.jobPreparationTaskExecutionInfo).toEqual({
      state: 'completed',
      startTime: new Date('2015-05-01T10:20:31Z'),
      endTime: new Date('2015-05-02T20:12:42Z'),
      taskRootDirectory: 'tasks/myjob/job-1/myjobpreptask',
      taskRootDirectoryUrl:
        'https://myaccount.myregion.batch.azure.com/pools/mypool1/nodes/tvm-2167304207_1-20140905t174658z/files/tasks/myjob/job-1/myjobpreptask',
      exitCode: 0,
      retryCount: 0,
    });
    // The old docs show retryCount on the release info too: tolerated and read.
    expect(item.jobReleaseTaskExecutionInfo?.retryCount).toBe(0);
    expect(item.jobReleaseTaskExecutionInfo?.startTime).toBeInstanceOf(Date);
  });

  it('reads every field of the newer schema: failureInfo with details or values, containerInfo, lastRetryTime', () => {
    const body = JSON.stringify({
      value: [
        {
          poolId: 'p',
          nodeId: 'n',
          jobPreparationTaskExecutionInfo: {
            state: 'completed',
            startTime: '2024-07-01T10:00:00.1234567Z',
            endTime: '2024-07-01T10:01:00+02:00',
            exitCode: -1073741510,
            result: 'failure',
            retryCount: 2,
            lastRetryTime: '2024-07-01T09:59:00Z',
            containerInfo: { containerId: 'c1', state: 'exited', error: 'OOM', exitReason: 'x' },
            failureInfo: {
              category: 'usererror',
              code: 'FailureExitCode',
              message: 'The task exited with an exit code representing a failure',
              details: [{ name: 'Message', value: 'exit 1' }],
            },
          },
          jobReleaseTaskExecutionInfo: {
            state: 'running',
            startTime: '2024-07-01T10:02:00Z',
            failureInfo: { category: 'servererror', values: [{ name: 'k', value: null }] },
            newField: [1, 2],
          },
          unknownTop: { a: 1 },
        },
      ],
      '@odata.nextLink': 'https://a/next',
    });
    const page = parseJobPrepReleaseStatusPage(body);
    const prep = page.items[0]!.jobPreparationTaskExecutionInfo!;
    expect(prep.startTime?.toISOString()).toBe('2024-07-01T10:00:00.123Z');
    expect(prep.endTime?.toISOString()).toBe('2024-07-01T08:01:00.000Z');
    expect(prep.lastRetryTime?.toISOString()).toBe('2024-07-01T09:59:00.000Z');
    expect(prep.exitCode).toBe(-1073741510);
    expect(prep.result).toBe('failure');
    expect(prep.containerInfo).toMatchObject({ containerId: 'c1', state: 'exited', error: 'OOM' });
    expect(prep.containerInfo?.extra).toEqual(Object.assign(Object.create(null), { exitReason: 'x' }));
    expect(prep.failureInfo).toEqual({
      category: 'usererror',
      code: 'FailureExitCode',
      message: 'The task exited with an exit code representing a failure',
      details: [{ name: 'Message', value: 'exit 1' }],
    });
    const release = page.items[0]!.jobReleaseTaskExecutionInfo!;
    expect(release.failureInfo).toEqual({ category: 'servererror', values: [{ name: 'k' }] });
    expect(release.extra?.newField).toEqual([1, 2]);
    expect(page.items[0]!.extra?.unknownTop).toEqual({ a: 1 });
    expect(page.nextLink).toBe('https://a/next');
  });

  it('reports the offset of a wrongly typed value or a bad date', () => {
    const body =
      '{"value":[{"poolId":"p"},{"jobPreparationTaskExecutionInfo":{"startTime":"2015-02-30T00:00:00Z"}}]}';
    expect(thrown(() => parseJobPrepReleaseStatusPage(body))).toMatchObject({
      code: 'MALFORMED_DOCUMENT',
      offset: body.indexOf('"2015-02-30'),
    });
    const exit = '{"value":[{"jobReleaseTaskExecutionInfo":{"exitCode":1.5}}]}';
    expect(thrown(() => parseJobPrepReleaseStatusPage(exit)).offset).toBe(exit.indexOf('1.5'));
    expect(thrown(() => parseJobPrepReleaseStatusPage('{"value":{}}')).offset).toBe(9);
    expect(thrown(() => parseJobPrepReleaseStatusPage('{"value":[3]}')).offset).toBe(10);
    expect(thrown(() => parseJobPrepReleaseStatusPage('{}')).message).toContain('no "value"');
    expect(thrown(() => parseJobPrepReleaseStatusPage('{"value":[],}')).offset).toBe(12);
    expect(thrown(() => parseJobPrepReleaseStatusPage(''))).toMatchObject({
      code: 'MALFORMED_DOCUMENT',
      offset: 0,
    });
  });

  it('turns an Azure Batch error body into a BatchwireServiceError', () => {
    try {
      parseJobPrepReleaseStatusPage(
        '{"code":"JobPreparationTaskNotSpecified","message":{"lang":"en-us","value":"The specified job does not have a job preparation task."}}',
      );
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(BatchwireServiceError);
      expect((error as BatchwireServiceError).code).toBe('SERVICE_FAULT');
      expect((error as BatchwireServiceError).fault.code).toBe('JobPreparationTaskNotSpecified');
    }
  });

  it('enforces maxBytes', () => {
    expect(thrown(() => parseJobPrepReleaseStatusPage('{"value":[]}', { maxBytes: 5 })).code).toBe(
      'LIMIT_EXCEEDED',
    );
  });
});

describe('parseDateTime', () => {
  it('accepts what Azure writes and refuses the rest', () => {
    expect(parseDateTime('2015-05-01T10:20:31Z')?.getTime()).toBe(Date.UTC(2015, 4, 1, 10, 20, 31));
    expect(parseDateTime('2024-02-29T00:00:00.5-01:30')?.toISOString()).toBe('2024-02-29T01:30:00.500Z');
    expect(parseDateTime('2024-01-01T00:00')?.toISOString()).toBe('2024-01-01T00:00:00.000Z');
    for (const bad of [
      '2023-02-29T00:00:00Z',
      '2015-13-01T00:00:00Z',
      '2015-05-01',
      'Sun, 08 May 2011 08:49:37 GMT',
      '2015-05-01T25:00:00Z',
      '2015-05-01T10:20:31.Z',
      '2015-05-01T10:20:31Zjunk',
    ]) {
      expect(parseDateTime(bad)).toBeUndefined();
    }
  });
});

describe('paginate', () => {
  const page = (ids: string[], next?: string) =>
    JSON.stringify({ value: ids.map((nodeId) => ({ nodeId })), ...(next ? { 'odata.nextLink': next } : {}) });

  it('fetches the first page without a link, then follows odata.nextLink until none remains', async () => {
    const calls: (string | undefined)[] = [];
    const pages: Record<string, string> = {
      first: page(['a', 'b'], 'https://h/L1'),
      'https://h/L1': page([], 'https://h/L2'),
      'https://h/L2': page(['c']),
    };
    const seen: string[] = [];
    for await (const item of paginate((link) => {
      calls.push(link);
      return Promise.resolve(pages[link ?? 'first']!);
    })) {
      seen.push(item.nodeId!);
    }
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(calls).toEqual([undefined, 'https://h/L1', 'https://h/L2']);
  });

  it('stops with a BatchwireError when a link repeats, and at maxPages', async () => {
    const loop = async () => {
      const out: string[] = [];
      for await (const item of paginate((link) =>
        page(
          [link ?? 'first'],
          link === 'https://h/B' ? 'https://h/A' : link === 'https://h/A' ? 'B' : 'https://h/A',
        ),
      )) {
        out.push(item.nodeId!);
      }
      return out;
    };
    await expect(loop()).rejects.toMatchObject({ code: 'MALFORMED_DOCUMENT' });
    let n = 0;
    const endless = paginate(() => page(['x'], `https://h/L${n++}`), { maxPages: 3 });
    const got: unknown[] = [];
    await expect(
      (async () => {
        for await (const item of endless) got.push(item);
      })(),
    ).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
    expect(got).toHaveLength(3);
  });

  it('fetches no further page when the consumer stops early; takes a custom parser', async () => {
    let fetched = 0;
    for await (const _ of paginate(() => {
      fetched++;
      return page(['a', 'b'], `https://h/L${fetched}`);
    })) {
      break;
    }
    expect(fetched).toBe(1);
    const numbers: number[] = [];
    for await (const n of paginate((link) => (link ? '[3]' : '[1,2]'), {
      url: 'https://h/list',
      parse: (body) => ({
        items: JSON.parse(String(body)) as number[],
        ...(String(body) === '[1,2]' ? { nextLink: 'n' } : {}),
      }),
    })) {
      numbers.push(n);
    }
    expect(numbers).toEqual([1, 2, 3]);
  });
});

describe('parseBrokerClientStatus re-export', () => {
  it('reads both forms', () => {
    expect(
      parseBrokerClientStatus(
        '<BrokerClientStatus xmlns="http://hpc.microsoft.com">Finished</BrokerClientStatus>',
      ),
    ).toBe('Finished');
    expect(parseBrokerClientStatus('2', 'application/json')).toBe('Processing');
  });
});
