// Azure Batch resources as the service writes them: the entity headers (ETag, Last-Modified),
// `$select`/`$expand` views, statistics for `$expand=stats`, and the job and task a create
// request makes (only the documented properties are copied, so a `__proto__` key goes nowhere).
import type { RestObject } from './fixture.js';

/** The `$expand` values each resource honours (the service: `stats` on jobs, pools and tasks). */
export const EXPANDABLE: Readonly<Record<'jobs' | 'pools' | 'tasks' | 'nodes', readonly string[]>> = {
  jobs: ['stats'],
  pools: ['stats'],
  tasks: ['stats'],
  nodes: [],
};

/** A key set as an ordinary own property (a key named `__proto__` too). */
export function put(target: RestObject, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** `$select`: only the named top-level properties (nested names keep their top property). */
export function select(item: RestObject, names: readonly string[] | undefined): RestObject {
  if (names === undefined) return item;
  const out: RestObject = {};
  for (const name of names) {
    const top = name.split('/')[0]!;
    if (Object.hasOwn(item, top)) put(out, top, item[top]);
  }
  return out;
}

// .NET ticks at the Unix epoch: Batch ETags are the entity's change time in ticks, in hex.
const EPOCH_TICKS = 621355968000000000n;

/** An ETag as Batch writes them (`0x8DC...`), from a time in milliseconds and a change counter. */
export function etagOf(time: number, change: number): string {
  const ticks = EPOCH_TICKS + BigInt(Math.max(0, Math.floor(time))) * 10000n + BigInt(change % 10000);
  return `0x${ticks.toString(16).toUpperCase()}`;
}

/** ISO-8601 UTC, as the service writes times. */
export function iso(time: number): string {
  return new Date(time).toISOString();
}

/** `ETag` and `Last-Modified` of an entity, from its own `eTag` and `lastModified` fields. */
export function entityHeaders(rest: RestObject): Record<string, string> {
  const headers: Record<string, string> = {};
  if (typeof rest.eTag === 'string' && /^[\x21-\x7e]{1,128}$/.test(rest.eTag)) headers.etag = rest.eTag;
  const modified = typeof rest.lastModified === 'string' ? Date.parse(rest.lastModified) : Number.NaN;
  if (Number.isFinite(modified)) headers['last-modified'] = new Date(modified).toUTCString();
  return headers;
}

/** Marks an entity changed at `time`: a new ETag and Last-Modified. */
export function touch(rest: RestObject, time: number, change: number): void {
  rest.eTag = etagOf(time, change);
  rest.lastModified = iso(time);
}

/** Moves an entity to `state` at `time`, keeping the one before as `previousState`. */
export function transition(rest: RestObject, state: string, time: number): void {
  if (typeof rest.state === 'string') rest.previousState = rest.state;
  if (typeof rest.stateTransitionTime === 'string')
    rest.previousStateTransitionTime = rest.stateTransitionTime;
  rest.state = state;
  rest.stateTransitionTime = iso(time);
}

/** What `$expand=stats` adds when the data carries no statistics of its own. */
function statsOf(kind: 'jobs' | 'pools' | 'tasks', item: RestObject, now: number): RestObject {
  const url = `${typeof item.url === 'string' ? item.url : ''}/stats`;
  const startTime = typeof item.creationTime === 'string' ? item.creationTime : iso(now);
  if (kind === 'pools') return { url, startTime, lastUpdateTime: iso(now) };
  const times = {
    url,
    startTime,
    lastUpdateTime: iso(now),
    userCPUTime: 'PT0S',
    kernelCPUTime: 'PT0S',
    wallClockTime: 'PT0S',
    readIOps: 0,
    writeIOps: 0,
    readIOGiB: 0,
    writeIOGiB: 0,
    waitTime: 'PT0S',
  };
  return kind === 'jobs' ? { ...times, numSucceededTasks: 0, numFailedTasks: 0, numTaskRetries: 0 } : times;
}

/**
 * An item as a read shows it: `stats` only when `$expand` asks for it (the data's own, or zeros),
 * then `$select`.
 */
export function view(
  kind: keyof typeof EXPANDABLE,
  item: RestObject,
  names: readonly string[] | undefined,
  expand: readonly string[] | undefined,
  now: number,
): RestObject {
  let shown = item;
  const stats = expand?.includes('stats') && kind !== 'nodes';
  if (stats && !Object.hasOwn(item, 'stats')) shown = { ...item, stats: statsOf(kind, item, now) };
  else if (!stats && Object.hasOwn(item, 'stats')) {
    shown = {};
    for (const key of Object.keys(item)) if (key !== 'stats') put(shown, key, item[key]);
  }
  return select(shown, names);
}

/** A problem with a create request's body: the Batch error code and its values. */
export interface BodyProblem {
  status: number;
  code: string;
  values: { key: string; value: string }[];
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

function missing(name: string): BodyProblem {
  return { status: 400, code: 'MissingRequiredProperty', values: [{ key: 'PropertyName', value: name }] };
}

function invalid(name: string, value: unknown, reason: string): BodyProblem {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return {
    status: 400,
    code: 'InvalidPropertyValue',
    values: [
      { key: 'PropertyName', value: name },
      { key: 'PropertyValue', value: text.slice(0, 1024) },
      { key: 'Reason', value: reason },
    ],
  };
}

function isObject(value: unknown): value is RestObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkId(body: RestObject): BodyProblem | undefined {
  if (body.id === undefined || body.id === null) return missing('id');
  if (typeof body.id !== 'string' || !ID.test(body.id))
    return invalid('id', body.id, 'The id must be 1 to 64 letters, digits, hyphens or underscores');
  return undefined;
}

function copy(target: RestObject, body: RestObject, keys: readonly string[]): void {
  for (const key of keys) if (body[key] !== undefined && body[key] !== null) put(target, key, body[key]);
}

const JOB_KEYS = [
  'displayName',
  'usesTaskDependencies',
  'allowTaskPreemption',
  'jobManagerTask',
  'jobPreparationTask',
  'jobReleaseTask',
  'commonEnvironmentSettings',
  'networkConfiguration',
  'metadata',
] as const;

const NO_LIMIT = 'P10675199DT2H48M5.4775807S';

/** The job an Add Job body makes, or what is wrong with the body. */
export function newJob(
  body: unknown,
  url: (id: string) => string,
  time: number,
  change: number,
): RestObject | BodyProblem {
  if (!isObject(body))
    return { status: 400, code: 'InvalidRequestBody', values: [{ key: 'Reason', value: 'not an object' }] };
  const bad = checkId(body);
  if (bad) return bad;
  if (body.poolInfo === undefined || body.poolInfo === null) return missing('poolInfo');
  if (!isObject(body.poolInfo)) return invalid('poolInfo', body.poolInfo, 'poolInfo must be an object');
  const priority = body.priority ?? 0;
  if (!Number.isInteger(priority) || (priority as number) < -1000 || (priority as number) > 1000)
    return invalid('priority', priority, 'The priority must be an integer from -1000 to 1000');
  const parallel = body.maxParallelTasks ?? -1;
  if (!Number.isInteger(parallel) || (parallel as number) < -1 || (parallel as number) === 0)
    return invalid('maxParallelTasks', parallel, 'maxParallelTasks must be -1 or greater than 0');
  for (const name of ['onAllTasksComplete', 'onTaskFailure'] as const) {
    const v = body[name];
    const allowed =
      name === 'onAllTasksComplete'
        ? ['noaction', 'terminatejob']
        : ['noaction', 'performexitoptionsjobaction'];
    if (v !== undefined && v !== null && (typeof v !== 'string' || !allowed.includes(v.toLowerCase())))
      return invalid(name, v, `${name} must be one of ${allowed.join(', ')}`);
  }
  const id = body.id as string;
  const job: RestObject = { id, url: url(id) };
  touch(job, time, change);
  job.creationTime = iso(time);
  job.state = 'active';
  job.stateTransitionTime = iso(time);
  job.priority = priority;
  job.maxParallelTasks = parallel;
  job.constraints = isObject(body.constraints)
    ? { maxWallClockTime: NO_LIMIT, maxTaskRetryCount: 0, ...body.constraints }
    : { maxWallClockTime: NO_LIMIT, maxTaskRetryCount: 0 };
  job.poolInfo = body.poolInfo;
  job.onAllTasksComplete = typeof body.onAllTasksComplete === 'string' ? body.onAllTasksComplete : 'noaction';
  job.onTaskFailure = typeof body.onTaskFailure === 'string' ? body.onTaskFailure : 'noaction';
  copy(job, body, JOB_KEYS);
  const poolId = (body.poolInfo as RestObject).poolId;
  job.executionInfo =
    typeof poolId === 'string' ? { startTime: iso(time), poolId } : { startTime: iso(time) };
  return job;
}

const TASK_KEYS = [
  'displayName',
  'exitConditions',
  'resourceFiles',
  'outputFiles',
  'environmentSettings',
  'affinityInfo',
  'userIdentity',
  'multiInstanceSettings',
  'dependsOn',
  'applicationPackageReferences',
  'authenticationTokenSettings',
  'containerSettings',
] as const;

/** The task an Add Task body makes, or what is wrong with the body. */
export function newTask(
  body: unknown,
  url: (id: string) => string,
  time: number,
  change: number,
): RestObject | BodyProblem {
  if (!isObject(body))
    return { status: 400, code: 'InvalidRequestBody', values: [{ key: 'Reason', value: 'not an object' }] };
  const bad = checkId(body);
  if (bad) return bad;
  if (body.commandLine === undefined || body.commandLine === null) return missing('commandLine');
  if (typeof body.commandLine !== 'string')
    return invalid('commandLine', body.commandLine, 'commandLine must be a string');
  const slots = body.requiredSlots ?? 1;
  if (!Number.isInteger(slots) || (slots as number) < 1)
    return invalid('requiredSlots', slots, 'requiredSlots must be at least 1');
  const id = body.id as string;
  const task: RestObject = { id, url: url(id) };
  touch(task, time, change);
  task.creationTime = iso(time);
  task.state = 'active';
  task.stateTransitionTime = iso(time);
  task.commandLine = body.commandLine;
  task.constraints = isObject(body.constraints)
    ? { maxWallClockTime: NO_LIMIT, retentionTime: 'P7D', maxTaskRetryCount: 0, ...body.constraints }
    : { maxWallClockTime: NO_LIMIT, retentionTime: 'P7D', maxTaskRetryCount: 0 };
  task.requiredSlots = slots;
  task.executionInfo = { retryCount: 0, requeueCount: 0 };
  copy(task, body, TASK_KEYS);
  return task;
}

/** Whether a create result is a problem rather than an entity. */
export function isProblem(value: RestObject | BodyProblem): value is BodyProblem {
  return typeof value.code === 'string' && typeof value.status === 'number' && Array.isArray(value.values);
}
