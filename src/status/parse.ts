import type { BodyInput } from '../core/body.js';
import { extraFields } from '../core/json.js';
import type { ResponseLike } from '../core/source.js';
import { CONTAINER_INFO } from './batch-lists.js';
import {
  closed,
  type FieldTable,
  isResponse,
  list,
  parseResponse,
  readDocument,
  readListPage,
  serviceError,
  statusOptions,
} from './fields.js';
import type {
  DliBatchState,
  DliBatchStateName,
  JobPrepReleaseStatusPage,
  StatusParseOptions,
} from './types.js';

/** The DLI batch job states the docs list, in lifecycle order. */
export const DLI_BATCH_STATES: readonly DliBatchStateName[] = Object.freeze([
  'starting',
  'running',
  'dead',
  'success',
  'recovering',
]);

const TERMINAL = new Set(['success', 'dead']);
const DLI_STATE_KEYS = new Set(['id', 'state']);

/**
 * Reads a DLI `GET /v2.0/{project_id}/batches/{batch_id}/state` body, `{"id":"...","state":"..."}`.
 * States compare without case and are reported lowercased; a state the docs do not list is
 * kept (`known: false`), not rejected.
 *
 * @throws {@link BatchwireError} `MALFORMED_DOCUMENT` (with the offset) for broken JSON or a
 *   body without a string `state`; `INVALID_ENCODING`, `LIMIT_EXCEEDED`; `INVALID_ARGUMENT` for
 *   a body or options of the wrong type; {@link BatchwireServiceError} when the body is a DLI
 *   error (`error_code`/`error_msg`)
 * @example
 * ```ts
 * import { parseDliBatchState } from 'batchwire/status';
 * parseDliBatchState('{"id":"0a324461-d9d9-45da-a52a-3b3c7a3d809e","state":"Success"}');
 * // { id: '0a32…', state: 'success', rawState: 'Success', known: true, terminal: true }
 * ```
 */
export function parseDliBatchState(
  response: ResponseLike,
  options?: StatusParseOptions,
): Promise<DliBatchState>;
export function parseDliBatchState(body: BodyInput, options?: StatusParseOptions): DliBatchState;
export function parseDliBatchState(
  body: BodyInput | ResponseLike,
  options?: StatusParseOptions,
): DliBatchState | Promise<DliBatchState> {
  if (isResponse(body)) return parseResponse(body, options, 'parseDliBatchState', parseDliBatchState);
  const settings = statusOptions(options, 'parseDliBatchState');
  const { reader, root } = readDocument(body, settings, 'DLI batch state');
  if (
    !Object.hasOwn(root, 'state') &&
    (Object.hasOwn(root, 'error_code') || Object.hasOwn(root, 'error_msg') || root.is_success === false)
  ) {
    throw serviceError(body, settings);
  }
  const rawState = reader.string(root, 'state', []);
  if (rawState === undefined) return reader.fail([], 'the body has no "state"');
  const id = reader.string(root, 'id', []);
  const state = rawState.trim().toLowerCase();
  const result: DliBatchState = {
    ...(id === undefined ? {} : { id }),
    state,
    rawState,
    known: (DLI_BATCH_STATES as readonly string[]).includes(state),
    terminal: TERMINAL.has(state),
  };
  const extra = extraFields(root, DLI_STATE_KEYS);
  if (extra !== undefined) result.extra = extra;
  return result;
}

// Failure details as the job preparation/release status has always read them: name and value
// only, other fields of a pair dropped.
const PAIR = closed({ name: 'string', value: 'string' });

const EXECUTION: FieldTable = {
  startTime: 'date',
  endTime: 'date',
  state: 'string',
  taskRootDirectory: 'string',
  taskRootDirectoryUrl: 'string',
  exitCode: 'int',
  containerInfo: CONTAINER_INFO,
  failureInfo: {
    category: 'string',
    code: 'string',
    message: 'string',
    details: list(PAIR),
    values: list(PAIR),
  },
  result: 'string',
  retryCount: 'int',
  lastRetryTime: 'date',
};

const JOB_PREP_RELEASE_STATUS: FieldTable = {
  poolId: 'string',
  nodeId: 'string',
  nodeUrl: 'string',
  jobPreparationTaskExecutionInfo: EXECUTION,
  jobReleaseTaskExecutionInfo: EXECUTION,
};

/**
 * Reads one page of Azure Batch List Job Preparation and Release Task Status
 * (`GET {endpoint}/jobs/{jobId}/jobpreparationandreleasetaskstatus`): typed items, date-times
 * as `Date`, `null` treated as absent, unknown fields kept in `extra`, and `odata.nextLink`.
 *
 * @throws {@link BatchwireError} `MALFORMED_DOCUMENT` with the offset of the bad value (broken
 *   JSON, no `value` array, a field of the wrong type, an invalid date-time); `INVALID_ENCODING`,
 *   `LIMIT_EXCEEDED`; `INVALID_ARGUMENT` for a body or options of the wrong type;
 *   {@link BatchwireServiceError} when the body is an Azure Batch error
 * @example
 * ```ts
 * import { parseJobPrepReleaseStatusPage } from 'batchwire/status';
 * const page = parseJobPrepReleaseStatusPage(await response.text());
 * for (const item of page.items) console.log(item.nodeId, item.jobPreparationTaskExecutionInfo?.state);
 * if (page.nextLink) { ... }
 * ```
 */
export function parseJobPrepReleaseStatusPage(
  response: ResponseLike,
  options?: StatusParseOptions,
): Promise<JobPrepReleaseStatusPage>;
export function parseJobPrepReleaseStatusPage(
  body: BodyInput,
  options?: StatusParseOptions,
): JobPrepReleaseStatusPage;
export function parseJobPrepReleaseStatusPage(
  body: BodyInput | ResponseLike,
  options?: StatusParseOptions,
): JobPrepReleaseStatusPage | Promise<JobPrepReleaseStatusPage> {
  return readListPage(
    body,
    options,
    'parseJobPrepReleaseStatusPage',
    'job preparation/release status page',
    JOB_PREP_RELEASE_STATUS,
  );
}
