import fc from 'fast-check';
import { DLI_BATCH_STATES } from '../status/parse.js';

/** A DLI batch state body and the state it carries. */
export interface DliStateSample {
  body: string;
  id: string;
  rawState: string;
}

/**
 * A DLI `.../batches/{batch_id}/state` body: a documented state in any letter case (the docs'
 * own example says `"Success"`) or, now and then, one the docs do not list.
 *
 * @example
 * ```ts
 * fc.sample(dliBatchStateBody(), 1)[0]!.body; // '{"id":"…","state":"Success"}'
 * ```
 */
export function dliBatchStateBody(): fc.Arbitrary<DliStateSample> {
  const state = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...DLI_BATCH_STATES).chain(caseVariant) },
    { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) },
  );
  return fc.record({ id: fc.uuid(), rawState: state }).map(({ id, rawState }) => ({
    body: JSON.stringify({ id, state: rawState }),
    id,
    rawState,
  }));
}

function caseVariant(word: string): fc.Arbitrary<string> {
  return fc.constantFrom(word, word.toUpperCase(), word[0]!.toUpperCase() + word.slice(1));
}

/** The JSON of one job prep/release status item, as the service writes it. */
export type JobPrepReleaseItemJson = Record<string, unknown>;

// Date-times as Azure writes them: whole seconds or 7 fraction digits, always UTC.
function dateTime(): fc.Arbitrary<string> {
  return fc
    .record({
      ms: fc.integer({ min: Date.UTC(2010, 0, 1), max: Date.UTC(2035, 0, 1) }),
      ticks: fc.option(fc.integer({ min: 0, max: 9_999_999 }), { nil: undefined }),
    })
    .map(({ ms, ticks }) => {
      const base = new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19);
      return ticks === undefined ? `${base}Z` : `${base}.${String(ticks).padStart(7, '0')}Z`;
    });
}

function nameValues(): fc.Arbitrary<{ name: string; value: string }[]> {
  return fc.array(fc.record({ name: fc.string({ maxLength: 10 }), value: fc.string({ maxLength: 20 }) }), {
    maxLength: 3,
  });
}

function executionInfo(preparation: boolean): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record(
      {
        state: fc.constantFrom('running', 'completed'),
        startTime: dateTime(),
        endTime: dateTime(),
        taskRootDirectory: fc.string({ maxLength: 20 }),
        taskRootDirectoryUrl: fc.webUrl(),
        exitCode: fc.integer({ min: -2147483648, max: 2147483647 }),
        result: fc.constantFrom('success', 'failure'),
        failureInfo: fc.record(
          {
            category: fc.constantFrom('usererror', 'servererror'),
            code: fc.string({ maxLength: 12 }),
            message: fc.string({ maxLength: 30 }),
            details: nameValues(),
          },
          { requiredKeys: ['category'] },
        ),
        containerInfo: fc.record(
          { containerId: fc.string(), state: fc.string(), error: fc.string() },
          { requiredKeys: [] },
        ),
        retryCount: fc.nat(10),
        lastRetryTime: dateTime(),
        futureField: fc.jsonValue({ maxDepth: 2 }),
      },
      { requiredKeys: preparation ? ['state', 'startTime', 'retryCount'] : ['state', 'startTime'] },
    )
    .map((info) => {
      // The release schema has no retry fields (though old docs show one); keep most samples faithful.
      if (!preparation) delete (info as Record<string, unknown>).lastRetryTime;
      return info as Record<string, unknown>;
    });
}

/**
 * One item of Azure Batch List Job Preparation and Release Task Status, as JSON, now and then
 * with a field batchwire does not know.
 *
 * @example
 * ```ts
 * fc.sample(jobPrepReleaseItem(), 1);
 * ```
 */
export function jobPrepReleaseItem(): fc.Arbitrary<JobPrepReleaseItemJson> {
  return fc.record(
    {
      poolId: fc.string({ minLength: 1, maxLength: 12 }),
      nodeId: fc.string({ minLength: 1, maxLength: 20 }),
      nodeUrl: fc.webUrl(),
      jobPreparationTaskExecutionInfo: executionInfo(true),
      jobReleaseTaskExecutionInfo: executionInfo(false),
      nodeAgentVersion: fc.string({ maxLength: 8 }),
    },
    { requiredKeys: ['poolId', 'nodeId'] },
  );
}

/** A page body and the items and link it carries. */
export interface JobPrepReleasePageSample {
  body: string;
  items: JobPrepReleaseItemJson[];
  nextLink?: string;
}

/**
 * A page of List Job Preparation and Release Task Status: `odata.metadata`, `value` and,
 * unless it is the last page, `odata.nextLink`.
 *
 * @example
 * ```ts
 * fc.sample(jobPrepReleasePageBody(), 1)[0]!.items.length;
 * ```
 */
export function jobPrepReleasePageBody(): fc.Arbitrary<JobPrepReleasePageSample> {
  return fc
    .record({
      items: fc.array(jobPrepReleaseItem(), { maxLength: 5 }),
      nextLink: fc.option(fc.webUrl({ withQueryParameters: true }), { nil: undefined }),
      indent: fc.boolean(),
    })
    .map(({ items: generated, nextLink, indent }) => {
      // What a reader of the JSON can see (-0 is written as 0, undefined members vanish).
      const items = JSON.parse(JSON.stringify(generated)) as JobPrepReleaseItemJson[];
      const document: Record<string, unknown> = {
        'odata.metadata': 'https://acct.region.batch.azure.com/$metadata#jobpreparationandreleasestatuslist',
        value: items,
      };
      if (nextLink !== undefined) document['odata.nextLink'] = nextLink;
      return {
        body: JSON.stringify(document, null, indent ? 2 : undefined),
        items,
        ...(nextLink === undefined ? {} : { nextLink }),
      };
    });
}
