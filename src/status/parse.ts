import { type BodyInput, decodeBody } from '../core/body.js';
import { BatchwireError } from '../core/errors.js';
import { extraFields, type JsonPathStep, parseJsonDocument } from '../core/json.js';
import { checkJsonDepth } from '../core/json-depth.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { limitOption, optionsObject, textOption } from '../core/options.js';
import { BatchwireServiceError } from '../faults/error.js';
import { parseFault } from '../faults/parse.js';
import { DocumentReader } from './read.js';
import type {
  DliBatchState,
  DliBatchStateName,
  JobPreparationTaskExecutionInfo,
  JobPrepReleaseStatus,
  JobPrepReleaseStatusPage,
  NameValuePair,
  StatusParseOptions,
  TaskContainerExecutionInfo,
  TaskFailureInfo,
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

interface StatusSettings {
  contentType: string | undefined;
  maxBytes: number;
  maxJsonDepth: number;
}

// The options, checked: not an object, or a value of the wrong type, is INVALID_ARGUMENT.
function statusOptions(options: StatusParseOptions | undefined, what: string): StatusSettings {
  const o = optionsObject(options, what);
  return {
    contentType: textOption(o, 'contentType', what),
    // maxBodyBytes, the DEFAULT_LIMITS name; maxBytes, its older alias.
    maxBytes: limitOption(
      o,
      'maxBodyBytes',
      limitOption(o, 'maxBytes', DEFAULT_LIMITS.maxBodyBytes, what),
      what,
    ),
    maxJsonDepth: limitOption(o, 'maxJsonDepth', DEFAULT_LIMITS.maxJsonDepth, what),
  };
}

function readDocument(body: BodyInput, options: StatusSettings, what: string) {
  const decoded = decodeBody(body, options.contentType, options.maxBytes);
  checkJsonDepth(decoded, options.maxJsonDepth, what);
  const value = parseJsonDocument(decoded, what);
  return { reader: new DocumentReader(decoded, what), value };
}

// An error body where a document was expected: the caller learns what the service said.
function serviceError(body: BodyInput, options: StatusSettings): BatchwireServiceError {
  return new BatchwireServiceError(
    parseFault(options.contentType === undefined ? { body } : { body, contentType: options.contentType }),
  );
}

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
export function parseDliBatchState(body: BodyInput, options?: StatusParseOptions): DliBatchState {
  const settings = statusOptions(options, 'parseDliBatchState');
  const { reader, value } = readDocument(body, settings, 'DLI batch state');
  const root = reader.object(value, []);
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

const PAGE_KEYS = new Set(['value', 'odata.nextLink', '@odata.nextLink', 'odata.metadata', '@odata.context']);
const ITEM_KEYS = new Set([
  'poolId',
  'nodeId',
  'nodeUrl',
  'jobPreparationTaskExecutionInfo',
  'jobReleaseTaskExecutionInfo',
]);
const EXECUTION_KEYS = new Set([
  'startTime',
  'endTime',
  'state',
  'taskRootDirectory',
  'taskRootDirectoryUrl',
  'exitCode',
  'containerInfo',
  'failureInfo',
  'result',
  'retryCount',
  'lastRetryTime',
]);
const CONTAINER_KEYS = new Set(['containerId', 'state', 'error']);
const FAILURE_KEYS = new Set(['category', 'code', 'message', 'details', 'values']);

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
  body: BodyInput,
  options?: StatusParseOptions,
): JobPrepReleaseStatusPage {
  const settings = statusOptions(options, 'parseJobPrepReleaseStatusPage');
  const { reader, value } = readDocument(body, settings, 'job preparation/release status page');
  const root = reader.object(value, []);
  if (!Object.hasOwn(root, 'value') && (Object.hasOwn(root, 'code') || Object.hasOwn(root, 'odata.error'))) {
    throw serviceError(body, settings);
  }
  const list = reader.array(root, 'value', []);
  if (list === undefined) return reader.fail([], 'the body has no "value" array');
  const items: JobPrepReleaseStatus[] = [];
  for (let i = 0; i < list.length; i++)
    items.push(readItem(reader, reader.object(list[i], ['value', i]), ['value', i]));
  const page: JobPrepReleaseStatusPage = { items };
  const nextLink = reader.string(root, 'odata.nextLink', []) ?? reader.string(root, '@odata.nextLink', []);
  if (nextLink !== undefined && nextLink !== '') page.nextLink = nextLink;
  const metadata = reader.string(root, 'odata.metadata', []) ?? reader.string(root, '@odata.context', []);
  if (metadata !== undefined) page.metadata = metadata;
  const extra = extraFields(root, PAGE_KEYS);
  if (extra !== undefined) page.extra = extra;
  return page;
}

function readItem(
  reader: DocumentReader,
  source: Record<string, unknown>,
  path: JsonPathStep[],
): JobPrepReleaseStatus {
  const item: JobPrepReleaseStatus = {};
  const poolId = reader.string(source, 'poolId', path);
  if (poolId !== undefined) item.poolId = poolId;
  const nodeId = reader.string(source, 'nodeId', path);
  if (nodeId !== undefined) item.nodeId = nodeId;
  const nodeUrl = reader.string(source, 'nodeUrl', path);
  if (nodeUrl !== undefined) item.nodeUrl = nodeUrl;
  const prep = reader.child(source, 'jobPreparationTaskExecutionInfo', path);
  if (prep !== undefined) {
    item.jobPreparationTaskExecutionInfo = readExecution(reader, prep, [
      ...path,
      'jobPreparationTaskExecutionInfo',
    ]);
  }
  const release = reader.child(source, 'jobReleaseTaskExecutionInfo', path);
  if (release !== undefined) {
    item.jobReleaseTaskExecutionInfo = readExecution(reader, release, [
      ...path,
      'jobReleaseTaskExecutionInfo',
    ]);
  }
  const extra = extraFields(source, ITEM_KEYS);
  if (extra !== undefined) item.extra = extra;
  return item;
}

function readExecution(
  reader: DocumentReader,
  source: Record<string, unknown>,
  path: JsonPathStep[],
): JobPreparationTaskExecutionInfo {
  const info: JobPreparationTaskExecutionInfo = {};
  const startTime = reader.date(source, 'startTime', path);
  if (startTime !== undefined) info.startTime = startTime;
  const endTime = reader.date(source, 'endTime', path);
  if (endTime !== undefined) info.endTime = endTime;
  const state = reader.string(source, 'state', path);
  if (state !== undefined) info.state = state;
  const taskRootDirectory = reader.string(source, 'taskRootDirectory', path);
  if (taskRootDirectory !== undefined) info.taskRootDirectory = taskRootDirectory;
  const taskRootDirectoryUrl = reader.string(source, 'taskRootDirectoryUrl', path);
  if (taskRootDirectoryUrl !== undefined) info.taskRootDirectoryUrl = taskRootDirectoryUrl;
  const exitCode = reader.integer(source, 'exitCode', path);
  if (exitCode !== undefined) info.exitCode = exitCode;
  const container = reader.child(source, 'containerInfo', path);
  if (container !== undefined)
    info.containerInfo = readContainer(reader, container, [...path, 'containerInfo']);
  const failure = reader.child(source, 'failureInfo', path);
  if (failure !== undefined) info.failureInfo = readFailure(reader, failure, [...path, 'failureInfo']);
  const result = reader.string(source, 'result', path);
  if (result !== undefined) info.result = result;
  const retryCount = reader.integer(source, 'retryCount', path);
  if (retryCount !== undefined) info.retryCount = retryCount;
  const lastRetryTime = reader.date(source, 'lastRetryTime', path);
  if (lastRetryTime !== undefined) info.lastRetryTime = lastRetryTime;
  const extra = extraFields(source, EXECUTION_KEYS);
  if (extra !== undefined) info.extra = extra;
  return info;
}

function readContainer(
  reader: DocumentReader,
  source: Record<string, unknown>,
  path: JsonPathStep[],
): TaskContainerExecutionInfo {
  const info: TaskContainerExecutionInfo = {};
  const containerId = reader.string(source, 'containerId', path);
  if (containerId !== undefined) info.containerId = containerId;
  const state = reader.string(source, 'state', path);
  if (state !== undefined) info.state = state;
  const error = reader.string(source, 'error', path);
  if (error !== undefined) info.error = error;
  const extra = extraFields(source, CONTAINER_KEYS);
  if (extra !== undefined) info.extra = extra;
  return info;
}

function readFailure(
  reader: DocumentReader,
  source: Record<string, unknown>,
  path: JsonPathStep[],
): TaskFailureInfo {
  const info: TaskFailureInfo = {};
  const category = reader.string(source, 'category', path);
  if (category !== undefined) info.category = category;
  const code = reader.string(source, 'code', path);
  if (code !== undefined) info.code = code;
  const message = reader.string(source, 'message', path);
  if (message !== undefined) info.message = message;
  for (const key of ['details', 'values'] as const) {
    const list = reader.array(source, key, path);
    if (list === undefined) continue;
    const pairs: NameValuePair[] = [];
    for (let i = 0; i < list.length; i++) {
      const at = [...path, key, i];
      const entry = reader.object(list[i], at);
      const pair: NameValuePair = {};
      const name = reader.string(entry, 'name', at);
      if (name !== undefined) pair.name = name;
      const value = reader.string(entry, 'value', at);
      if (value !== undefined) pair.value = value;
      pairs.push(pair);
    }
    info[key] = pairs;
  }
  const extra = extraFields(source, FAILURE_KEYS);
  if (extra !== undefined) info.extra = extra;
  return info;
}
