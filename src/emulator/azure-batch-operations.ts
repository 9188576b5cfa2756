// The Azure Batch single-resource operations: get job, task, pool and compute node ($select,
// $expand), HEAD on a job or pool, add job and add task (201), terminate job (202, `terminating`
// then `completed`), delete job (202, `deleting`, then gone) and the job's task counts. Lifecycle
// steps happen on the emulator's clock: each read settles the jobs whose next state is due.

import {
  type BodyProblem,
  type EXPANDABLE,
  entityHeaders,
  iso,
  isProblem,
  newJob,
  newTask,
  touch,
  transition,
  view,
} from './azure-batch-entities.js';
import type { FaultPair } from './fault-bodies.js';
import type { RestObject } from './fixture.js';
import type { ParsedRequest, ResponsePlan } from './plan.js';
import { BodyTooLarge, readBody } from './request.js';

/** A job as the emulator holds it. */
export interface StoredJob {
  rest: RestObject;
  tasks: RestObject[];
  statuses: RestObject[];
  /** When a `terminating` job turns `completed` (emulator clock, ms). */
  completesAt?: number | undefined;
  /** When a `deleting` job is gone. */
  goneAt?: number | undefined;
}

/** A pool as the emulator holds it. */
export interface StoredPool {
  rest: RestObject;
  nodes: RestObject[];
}

/** What the operations need from the Azure Batch service. */
export interface BatchStore {
  jobsById: Map<string, StoredJob>;
  poolsById: Map<string, StoredPool>;
  endpoint(): string;
  now(): number;
  requestId(): string;
  maxDocumentBytes(): number;
  /** How long `terminating` and `deleting` last on the emulator's clock. */
  lifecycleMs: number;
  /** A counter that makes each change's ETag differ. */
  change(): number;
  error(status: number, code: string, values?: readonly FaultPair[], message?: string): ResponsePlan;
  invalidParameter(name: string, value: string, reason: string): ResponsePlan;
  /** `$select` and `$expand` of a request, or the refusal of a bad one. */
  query(request: ParsedRequest, kind: Kind): { names?: string[]; expand?: string[] } | ResponsePlan;
}

type Params = Readonly<Record<string, string>>;
type Kind = keyof typeof EXPANDABLE;

const SETS: Readonly<Record<Kind, string>> = {
  jobs: 'jobs',
  pools: 'pools',
  tasks: 'tasks',
  nodes: 'nodes',
};

const path = (...parts: string[]) => parts.map((p) => `/${encodeURIComponent(p)}`).join('');

/** Moves every job whose next lifecycle state is due: `terminating` to `completed`, `deleting` to gone. */
export function settle(store: BatchStore): void {
  const now = store.now();
  for (const [key, job] of store.jobsById) {
    if (job.goneAt !== undefined && now >= job.goneAt) {
      store.jobsById.delete(key);
      continue;
    }
    if (job.completesAt !== undefined && now >= job.completesAt) {
      const at = job.completesAt;
      job.completesAt = undefined;
      if (job.rest.state !== 'terminating') continue;
      transition(job.rest, 'completed', at);
      touch(job.rest, at, store.change());
      const info =
        typeof job.rest.executionInfo === 'object' && job.rest.executionInfo !== null
          ? (job.rest.executionInfo as RestObject)
          : {};
      job.rest.executionInfo = { ...info, endTime: iso(at) };
      for (const task of job.tasks) {
        if (task.state === 'completed') continue;
        // What the service does to the tasks of a terminated job: ended by user request.
        transition(task, 'completed', at);
        touch(task, at, store.change());
        const ti =
          typeof task.executionInfo === 'object' && task.executionInfo !== null
            ? (task.executionInfo as RestObject)
            : {};
        task.executionInfo = {
          retryCount: 0,
          requeueCount: 0,
          ...ti,
          endTime: iso(at),
          result: 'failure',
          failureInfo: {
            category: 'usererror',
            code: 'TaskEnded',
            message: 'Task Was Ended by User Request',
          },
        };
      }
    }
  }
}

function headers(store: BatchStore, request: ParsedRequest, extra: Record<string, string> = {}) {
  const out: Record<string, string> = {
    'request-id': store.requestId(),
    dataserviceversion: '3.0',
    ...extra,
  };
  const clientId = request.headers['client-request-id'];
  if (clientId !== undefined && (request.headers['return-client-request-id'] ?? '').toLowerCase() === 'true')
    out['client-request-id'] = clientId;
  return out;
}

function entity(store: BatchStore, request: ParsedRequest, kind: Kind, item: RestObject): ResponsePlan {
  const q = store.query(request, kind);
  if ('status' in q) return q;
  const value: RestObject = { 'odata.metadata': `${store.endpoint()}/$metadata#${SETS[kind]}/@Element` };
  Object.assign(value, view(kind, item, q.names, q.expand, store.now()));
  return {
    status: 200,
    headers: headers(store, request, {
      'content-type': 'application/json;odata=minimalmetadata',
      ...entityHeaders(item),
    }),
    body: { kind: 'json', value },
  };
}

function withUrl(store: BatchStore, item: RestObject, at: string): RestObject {
  return Object.hasOwn(item, 'url') ? item : { url: `${store.endpoint()}${at}`, ...item };
}

function job(store: BatchStore, params: Params): StoredJob | undefined {
  settle(store);
  return store.jobsById.get((params.jobId ?? '').toLowerCase());
}

function pool(store: BatchStore, params: Params): StoredPool | undefined {
  return store.poolsById.get((params.poolId ?? '').toLowerCase());
}

/** GET /jobs/{jobId} */
export function getJob(store: BatchStore, request: ParsedRequest, params: Params): ResponsePlan {
  const j = job(store, params);
  if (!j) return store.error(404, 'JobNotFound');
  return entity(store, request, 'jobs', withUrl(store, j.rest, path('jobs', String(j.rest.id))));
}

/** HEAD /jobs/{jobId}: 200 or 404, no body. */
export function headJob(store: BatchStore, request: ParsedRequest, params: Params): ResponsePlan {
  const j = job(store, params);
  if (!j) return { status: 404, headers: headers(store, request) };
  return { status: 200, headers: headers(store, request, entityHeaders(j.rest)) };
}

/** GET /jobs/{jobId}/tasks/{taskId} */
export function getTask(store: BatchStore, request: ParsedRequest, params: Params): ResponsePlan {
  const j = job(store, params);
  if (!j) return store.error(404, 'JobNotFound');
  const id = (params.taskId ?? '').toLowerCase();
  const task = j.tasks.find((t) => String(t.id).toLowerCase() === id);
  if (!task) return store.error(404, 'TaskNotFound');
  return entity(
    store,
    request,
    'tasks',
    withUrl(store, task, path('jobs', String(j.rest.id), 'tasks', String(task.id))),
  );
}

/** GET /pools/{poolId} */
export function getPool(store: BatchStore, request: ParsedRequest, params: Params): ResponsePlan {
  const p = pool(store, params);
  if (!p) return store.error(404, 'PoolNotFound');
  return entity(store, request, 'pools', withUrl(store, p.rest, path('pools', String(p.rest.id))));
}

/** HEAD /pools/{poolId}: 200 or 404, no body. */
export function headPool(store: BatchStore, request: ParsedRequest, params: Params): ResponsePlan {
  const p = pool(store, params);
  if (!p) return { status: 404, headers: headers(store, request) };
  return { status: 200, headers: headers(store, request, entityHeaders(p.rest)) };
}

/** GET /pools/{poolId}/nodes/{nodeId} */
export function getComputeNode(store: BatchStore, request: ParsedRequest, params: Params): ResponsePlan {
  const p = pool(store, params);
  if (!p) return store.error(404, 'PoolNotFound');
  const id = (params.nodeId ?? '').toLowerCase();
  const node = p.nodes.find((n) => String(n.id).toLowerCase() === id);
  if (!node) return store.error(404, 'NodeNotFound');
  return entity(
    store,
    request,
    'nodes',
    withUrl(store, node, path('pools', String(p.rest.id), 'nodes', String(node.id))),
  );
}

/** The JSON body of a create or terminate request, or the service's refusal of it. */
async function jsonBody(
  store: BatchStore,
  request: ParsedRequest,
  optional: boolean,
): Promise<{ value: unknown } | ResponsePlan> {
  let bytes: Uint8Array;
  try {
    bytes = await readBody(request, store.maxDocumentBytes());
  } catch (error) {
    if (error instanceof BodyTooLarge) return store.error(413, 'RequestBodyTooLarge');
    throw error;
  }
  if (bytes.length === 0 && optional) return { value: undefined };
  try {
    return { value: JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown };
  } catch {
    return store.error(400, 'InvalidRequestBody', [{ key: 'Reason', value: 'The body is not valid JSON' }]);
  }
}

function refused(store: BatchStore, problem: BodyProblem): ResponsePlan {
  return store.error(problem.status, problem.code, problem.values);
}

/** What a job that is not active answers an operation that needs an active job. */
function notActive(store: BatchStore, j: StoredJob): ResponsePlan | undefined {
  if (j.rest.state === 'deleting') return store.error(409, 'JobBeingDeleted');
  if (j.rest.state === 'terminating') return store.error(409, 'JobBeingTerminated');
  if (j.rest.state === 'completed') return store.error(409, 'JobCompleted');
  return undefined;
}

function created(store: BatchStore, request: ParsedRequest, rest: RestObject, at: string): ResponsePlan {
  const url = `${store.endpoint()}${at}`;
  return {
    status: 201,
    headers: headers(store, request, { ...entityHeaders(rest), dataserviceid: url, location: url }),
  };
}

/** POST /jobs */
export async function addJob(store: BatchStore, request: ParsedRequest): Promise<ResponsePlan> {
  const body = await jsonBody(store, request, false);
  if ('status' in body) return body;
  const now = store.now();
  const made = newJob(body.value, (id) => `${store.endpoint()}${path('jobs', id)}`, now, store.change());
  if (isProblem(made)) return refused(store, made);
  settle(store);
  const key = String(made.id).toLowerCase();
  const existing = store.jobsById.get(key);
  if (existing) return store.error(409, existing.rest.state === 'deleting' ? 'JobBeingDeleted' : 'JobExists');
  store.jobsById.set(key, { rest: made, tasks: [], statuses: [] });
  return created(store, request, made, path('jobs', String(made.id)));
}

/** POST /jobs/{jobId}/tasks */
export async function addTask(
  store: BatchStore,
  request: ParsedRequest,
  params: Params,
): Promise<ResponsePlan> {
  const j = job(store, params);
  if (!j) return store.error(404, 'JobNotFound');
  const body = await jsonBody(store, request, false);
  if ('status' in body) return body;
  const jobPath = path('jobs', String(j.rest.id));
  const made = newTask(
    body.value,
    (id) => `${store.endpoint()}${jobPath}${path('tasks', id)}`,
    store.now(),
    store.change(),
  );
  if (isProblem(made)) return refused(store, made);
  const conflict = notActive(store, j);
  if (conflict) return conflict;
  const id = String(made.id).toLowerCase();
  if (j.tasks.some((t) => String(t.id).toLowerCase() === id)) return store.error(409, 'TaskExists');
  for (const [field, code] of [
    ['jobPreparationTask', 'TaskIdSameAsJobPreparationTask'],
    ['jobReleaseTask', 'TaskIdSameAsJobReleaseTask'],
  ] as const) {
    const special = j.rest[field] as RestObject | undefined;
    if (typeof special?.id === 'string' && special.id.toLowerCase() === id) return store.error(409, code);
  }
  j.tasks.push(made);
  return created(store, request, made, `${jobPath}${path('tasks', String(made.id))}`);
}

/** POST /jobs/{jobId}/terminate: 202; the job is `terminating`, then `completed`. */
export async function terminateJob(
  store: BatchStore,
  request: ParsedRequest,
  params: Params,
): Promise<ResponsePlan> {
  const j = job(store, params);
  if (!j) return store.error(404, 'JobNotFound');
  const body = await jsonBody(store, request, true);
  if ('status' in body) return body;
  const b = body.value;
  let reason = 'UserTerminate';
  if (b !== undefined && b !== null) {
    if (typeof b !== 'object' || Array.isArray(b))
      return store.error(400, 'InvalidRequestBody', [{ key: 'Reason', value: 'not an object' }]);
    const given = (b as RestObject).terminateReason;
    if (given !== undefined && given !== null) {
      if (typeof given !== 'string' || given.length > 64)
        return store.error(400, 'InvalidPropertyValue', [{ key: 'PropertyName', value: 'terminateReason' }]);
      reason = given;
    }
  }
  const conflict = notActive(store, j);
  if (conflict) return conflict;
  const now = store.now();
  transition(j.rest, 'terminating', now);
  touch(j.rest, now, store.change());
  const info =
    typeof j.rest.executionInfo === 'object' && j.rest.executionInfo !== null
      ? (j.rest.executionInfo as RestObject)
      : {};
  j.rest.executionInfo = { ...info, terminateReason: reason };
  j.completesAt = now + store.lifecycleMs;
  settle(store);
  return accepted(store, request, j.rest, path('jobs', String(j.rest.id)));
}

function accepted(store: BatchStore, request: ParsedRequest, rest: RestObject, at: string): ResponsePlan {
  return {
    status: 202,
    headers: headers(store, request, { ...entityHeaders(rest), dataserviceid: `${store.endpoint()}${at}` }),
  };
}

/** DELETE /jobs/{jobId}: 202; the job is `deleting`, then gone (404). */
export function deleteJob(store: BatchStore, request: ParsedRequest, params: Params): ResponsePlan {
  const j = job(store, params);
  if (!j) return store.error(404, 'JobNotFound');
  if (j.rest.state === 'deleting') return store.error(409, 'JobBeingDeleted');
  const now = store.now();
  transition(j.rest, 'deleting', now);
  touch(j.rest, now, store.change());
  j.completesAt = undefined;
  j.goneAt = now + store.lifecycleMs;
  const plan: ResponsePlan = { status: 202, headers: headers(store, request) };
  settle(store);
  return plan;
}

/** GET /jobs/{jobId}/taskcounts */
export function getTaskCounts(store: BatchStore, request: ParsedRequest, params: Params): ResponsePlan {
  const j = job(store, params);
  if (!j) return store.error(404, 'JobNotFound');
  const counts = { active: 0, running: 0, completed: 0, succeeded: 0, failed: 0 };
  const slots = { active: 0, running: 0, completed: 0, succeeded: 0, failed: 0 };
  for (const task of j.tasks) {
    const n = Number.isInteger(task.requiredSlots) ? (task.requiredSlots as number) : 1;
    const state = task.state === 'running' ? 'running' : task.state === 'completed' ? 'completed' : 'active';
    counts[state]++;
    slots[state] += n;
    if (state === 'completed') {
      const info = task.executionInfo as RestObject | undefined;
      const ok = info?.result === 'success' || (info?.result === undefined && info?.exitCode === 0);
      counts[ok ? 'succeeded' : 'failed']++;
      slots[ok ? 'succeeded' : 'failed'] += n;
    }
  }
  return {
    status: 200,
    headers: headers(store, request, { 'content-type': 'application/json;odata=minimalmetadata' }),
    body: {
      kind: 'json',
      value: {
        'odata.metadata': `${store.endpoint()}/$metadata#taskcountsresult/@Element`,
        taskCounts: counts,
        taskSlotCounts: slots,
      },
    },
  };
}
