// Azure Batch: jobs (with their tasks and per-node preparation/release status) and pools (with
// their compute nodes), served by the list operations with `$filter` (parsed and validated with
// batchwire's own schemas, evaluated with evaluateFilter), `$select`, `maxresults` and
// `odata.nextLink` paging, and the service's documented errors.
import { BatchwireError, invalidArgument, isBatchwireError } from '../core/errors.js';
import { numberOption, optionsObject, textOption } from '../core/options.js';
import {
  buildListQuery,
  evaluateFilter,
  type FilterExpression,
  type FilterSchema,
  parseFilter,
  schemas,
} from '../odata/index.js';
import { EXPANDABLE, select, view } from './azure-batch-entities.js';
import {
  addJob,
  addTask,
  type BatchStore,
  deleteJob,
  getComputeNode,
  getJob,
  getPool,
  getTask,
  getTaskCounts,
  headJob,
  headPool,
  type StoredJob,
  type StoredPool,
  settle,
  terminateJob,
} from './azure-batch-operations.js';
import { batchErrorBody, defaultFaultName, type FaultPair } from './fault-bodies.js';
import type { FaultAction } from './faults.js';
import { type FixtureJob, type FixturePool, type RestObject, validateFixture } from './fixture.js';
import type { ParsedRequest, ResponsePlan } from './plan.js';
import type { EmulatedService, RefusalKind, RequestCheck, ServiceRoute } from './service.js';

/** Azure Batch options of {@link startEmulator}. */
export interface AzureBatchEmulatorOptions {
  /** The account endpoint written in `odata.metadata` and `odata.nextLink`. @defaultValue the emulator's URL */
  endpoint?: string | null | undefined;
  /**
   * How long, on the emulator's clock, a terminated job stays `terminating` before it is
   * `completed`, and a deleted job stays `deleting` before it is gone. @defaultValue 2000
   */
  lifecycleMs?: number | null | undefined;
}

/** The Azure Batch part of a running emulator: its data can be added to in code. */
export interface AzureBatchEmulator {
  /** Adds a job (its REST representation; `tasks` and `preparationAndReleaseTaskStatus` optional). */
  addJob(job: FixtureJob): void;
  /** Adds a pool (its REST representation; `nodes` optional). */
  addPool(pool: FixturePool): void;
  /** The jobs as List Jobs serves them. */
  jobs(): RestObject[];
  /** The pools as List Pools serves them. */
  pools(): RestObject[];
}

/** What the Batch handlers need from the emulator. */
export interface BatchContext {
  /** The base URL links point to. */
  baseUrl: string;
  now(): number;
  /** A fresh request id (seeded). */
  requestId(): string;
  /** The largest request body read whole (add job, add task). */
  maxDocumentBytes: number;
}

type Job = StoredJob;
type Pool = StoredPool;

// The collections at the root of a Batch account: a path under any of them is answered in
// Batch's error shape, served or not.
const BATCH_ROOTS = new Set([
  'jobs',
  'pools',
  'jobschedules',
  'certificates',
  'applications',
  'supportedimages',
  'nodecounts',
  'poolusagemetrics',
  'lifetimejobstats',
  'lifetimepoolstats',
  'nodeagentskus',
  '$metadata',
]);

const API_VERSION = /^[0-9]{4}-[0-9]{2}-[0-9]{2}(\.[0-9]{1,4}\.[0-9]{1,4})?$/;
const PROPERTY = /^[A-Za-z_][A-Za-z0-9_]*(\/[A-Za-z_][A-Za-z0-9_]*)*$/;

function strip(item: RestObject, keys: readonly string[]): RestObject {
  const out: RestObject = {};
  for (const key of Object.keys(item)) {
    if (keys.includes(key)) continue;
    // defineProperty: a key named __proto__ stays an ordinary key.
    Object.defineProperty(out, key, {
      value: item[key],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

// The code of each answer the emulator gives itself, by why it gives it.
const REFUSAL_CODES: Readonly<Record<RefusalKind, string>> = {
  'no-route': 'InvalidUri',
  method: 'UnsupportedHttpVerb',
  malformed: 'InvalidRequestBody',
  'too-large': 'RequestBodyTooLarge',
  'headers-too-large': 'InvalidHeaderValue',
  timeout: 'OperationTimedOut',
};

/** The Azure Batch emulation: data and handlers. */
export class AzureBatchService implements AzureBatchEmulator, EmulatedService {
  readonly id = 'azure-batch' as const;
  readonly routes: readonly ServiceRoute[];
  readonly checks: RequestCheck[];
  readonly jobsById = new Map<string, Job>();
  readonly poolsById = new Map<string, Pool>();
  private readonly endpointOption: string | undefined;
  private readonly store: BatchStore;
  private changes = 0;

  constructor(
    options: AzureBatchEmulatorOptions | null | undefined,
    private readonly context: () => BatchContext,
  ) {
    const what = 'startEmulator: azureBatch';
    const o = optionsObject(options, what);
    const endpoint = textOption(o, 'endpoint', what);
    const lifecycleMs = numberOption(o, 'lifecycleMs', { min: 0, max: 86_400_000 }, 2000, what);
    if (endpoint !== undefined && !/^https?:\/\/[^/?#]+(\/[^?#]*)?$/.test(endpoint))
      throw invalidArgument(`${what}: endpoint must be an http(s) URL without query`);
    this.endpointOption = endpoint?.replace(/\/+$/, '');
    this.checks = [(request) => this.check(request)];
    this.store = {
      jobsById: this.jobsById,
      poolsById: this.poolsById,
      endpoint: () => this.endpoint(),
      now: () => this.context().now(),
      requestId: () => this.context().requestId(),
      maxDocumentBytes: () => this.context().maxDocumentBytes,
      lifecycleMs,
      change: () => this.changes++,
      error: (status, code, values, message) => this.error(status, code, values, message),
      invalidParameter: (name, value, reason) => this.invalidParameter(name, value, reason),
      query: (request, kind) => this.readQuery(request, kind),
    };
    const s = this.store;
    this.routes = [
      { method: 'GET', path: '/jobs', operation: 'listJobs', handler: (r) => this.listJobs(r) },
      { method: 'POST', path: '/jobs', operation: 'addJob', handler: (r) => addJob(s, r) },
      { method: 'GET', path: '/jobs/{jobId}', operation: 'getJob', handler: (r, p) => getJob(s, r, p) },
      { method: 'HEAD', path: '/jobs/{jobId}', operation: 'jobExists', handler: (r, p) => headJob(s, r, p) },
      {
        method: 'DELETE',
        path: '/jobs/{jobId}',
        operation: 'deleteJob',
        handler: (r, p) => deleteJob(s, r, p),
      },
      {
        method: 'POST',
        path: '/jobs/{jobId}/terminate',
        operation: 'terminateJob',
        handler: (r, p) => terminateJob(s, r, p),
      },
      {
        method: 'GET',
        path: '/jobs/{jobId}/taskcounts',
        operation: 'getTaskCounts',
        handler: (r, p) => getTaskCounts(s, r, p),
      },
      {
        method: 'POST',
        path: '/jobs/{jobId}/tasks',
        operation: 'addTask',
        handler: (r, p) => addTask(s, r, p),
      },
      {
        method: 'GET',
        path: '/jobs/{jobId}/tasks/{taskId}',
        operation: 'getTask',
        handler: (r, p) => getTask(s, r, p),
      },
      { method: 'GET', path: '/pools/{poolId}', operation: 'getPool', handler: (r, p) => getPool(s, r, p) },
      {
        method: 'HEAD',
        path: '/pools/{poolId}',
        operation: 'poolExists',
        handler: (r, p) => headPool(s, r, p),
      },
      {
        method: 'GET',
        path: '/pools/{poolId}/nodes/{nodeId}',
        operation: 'getComputeNode',
        handler: (r, p) => getComputeNode(s, r, p),
      },
      {
        method: 'GET',
        path: '/jobs/{jobId}/tasks',
        operation: 'listTasks',
        handler: (r, p) => this.listTasks(r, p),
      },
      {
        method: 'GET',
        path: '/jobs/{jobId}/jobpreparationandreleasetaskstatus',
        operation: 'listJobPreparationAndReleaseTaskStatus',
        handler: (r, p) => this.listJobPreparationAndReleaseTaskStatus(r, p),
      },
      { method: 'GET', path: '/pools', operation: 'listPools', handler: (r) => this.listPools(r) },
      {
        method: 'GET',
        path: '/pools/{poolId}/nodes',
        operation: 'listComputeNodes',
        handler: (r, p) => this.listComputeNodes(r, p),
      },
    ];
  }

  owns(segments: readonly string[]): boolean {
    return BATCH_ROOTS.has((segments[0] ?? '').toLowerCase());
  }

  /** Forgets every job and pool (the emulator loads its fixture again). */
  reset(): void {
    this.jobsById.clear();
    this.poolsById.clear();
  }

  refusal(_request: ParsedRequest, kind: RefusalKind, status: number, message: string): ResponsePlan {
    return this.error(status, REFUSAL_CODES[kind], [{ key: 'Reason', value: message }]);
  }

  statusFault(
    _request: ParsedRequest,
    _params: Readonly<Record<string, string>>,
    action: Extract<FaultAction, { type: 'status' }>,
  ): ResponsePlan {
    return this.error(
      action.status,
      action.fault ?? defaultFaultName(this.id, action.status),
      [],
      action.message,
    );
  }

  internalError(_request: ParsedRequest, message: string): ResponsePlan {
    return this.error(500, 'InternalError', [{ key: 'Reason', value: message }]);
  }

  addJob(job: FixtureJob): void {
    const valid = validateFixture({ 'azure-batch': { jobs: [job] } })['azure-batch']!.jobs![0]!;
    const key = valid.id.toLowerCase();
    if (this.jobsById.has(key))
      throw validationError(`a job with id ${JSON.stringify(valid.id)} exists already`);
    this.jobsById.set(key, {
      rest: strip(valid, ['tasks', 'preparationAndReleaseTaskStatus']),
      tasks: valid.tasks ?? [],
      statuses: valid.preparationAndReleaseTaskStatus ?? [],
    });
  }

  addPool(pool: FixturePool): void {
    const valid = validateFixture({ 'azure-batch': { pools: [pool] } })['azure-batch']!.pools![0]!;
    const key = valid.id.toLowerCase();
    if (this.poolsById.has(key))
      throw validationError(`a pool with id ${JSON.stringify(valid.id)} exists already`);
    this.poolsById.set(key, { rest: strip(valid, ['nodes']), nodes: valid.nodes ?? [] });
  }

  jobs(): RestObject[] {
    settle(this.store);
    return [...this.jobsById.values()].map((j) =>
      structuredClone(this.withUrl(j.rest, `/jobs/${encodeURIComponent(String(j.rest.id))}`)),
    );
  }

  pools(): RestObject[] {
    return [...this.poolsById.values()].map((p) =>
      structuredClone(this.withUrl(p.rest, `/pools/${encodeURIComponent(String(p.rest.id))}`)),
    );
  }

  /** Replaces the data with a fixture's. */
  load(jobs: readonly FixtureJob[], pools: readonly FixturePool[]): void {
    this.jobsById.clear();
    this.poolsById.clear();
    for (const pool of pools) this.addPool(pool);
    for (const job of jobs) this.addJob(job);
  }

  private endpoint(): string {
    return this.endpointOption ?? this.context().baseUrl;
  }

  private withUrl(item: RestObject, path: string): RestObject {
    if (Object.hasOwn(item, 'url')) return item;
    return { url: `${this.endpoint()}${path}`, ...item };
  }

  /** An Azure Batch error response. */
  error(
    status: number,
    code: string,
    values: readonly FaultPair[] = [],
    message?: string,
    extraHeaders: Record<string, string> = {},
  ): ResponsePlan {
    const context = this.context();
    const requestId = context.requestId();
    const body = batchErrorBody(code, message, values, {
      baseUrl: this.endpoint(),
      requestId,
      time: context.now(),
    });
    return {
      status,
      headers: {
        'content-type': 'application/json;odata=minimalmetadata',
        'request-id': requestId,
        dataserviceversion: '3.0',
        ...extraHeaders,
      },
      body: { kind: 'bytes', bytes: Buffer.from(body, 'utf8') },
    };
  }

  private invalidParameter(name: string, value: string, reason: string): ResponsePlan {
    return this.error(400, 'InvalidQueryParameterValue', [
      { key: 'QueryParameterName', value: name },
      { key: 'QueryParameterValue', value: value.slice(0, 4096) },
      { key: 'Reason', value: reason },
    ]);
  }

  /** Checks the api-version every Batch operation needs; a fault plan or undefined. */
  private check(request: ParsedRequest): ResponsePlan | undefined {
    const version = request.query.get('api-version');
    if (version === undefined || version === '') {
      return this.error(400, 'MissingRequiredQueryParameter', [
        { key: 'QueryParameterName', value: 'api-version' },
      ]);
    }
    if (!API_VERSION.test(version)) {
      return this.invalidParameter(
        'api-version',
        version,
        'The specified api-version is not supported by the service.',
      );
    }
    return undefined;
  }

  /**
   * `$select` and `$expand` of a list or get, checked: property names only, and for jobs, pools
   * and tasks only the expansions the service offers (`stats`).
   */
  readQuery(
    request: ParsedRequest,
    kind?: keyof typeof EXPANDABLE,
  ): { names?: string[]; expand?: string[] } | ResponsePlan {
    const q = request.query;
    const out: { names?: string[]; expand?: string[] } = {};
    const selectText = q.get('$select');
    if (selectText !== undefined && selectText !== '') {
      const names = selectText.split(',').map((s) => s.trim());
      const bad = names.find((n) => n.length > 256 || !PROPERTY.test(n));
      if (bad !== undefined)
        return this.invalidParameter('$select', selectText, `${JSON.stringify(bad)} is not a property name`);
      if (names.length > 256) return this.invalidParameter('$select', selectText, 'too many properties');
      out.names = names;
    }
    const expandText = q.get('$expand');
    if (expandText !== undefined && expandText !== '') {
      const expand = expandText.split(',').map((s) => s.trim());
      if (expand.length > 16 || expand.some((n) => n.length > 64 || !PROPERTY.test(n))) {
        return this.invalidParameter('$expand', expandText, 'The $expand value is not valid');
      }
      const offered = kind === undefined || kind === 'nodes' ? undefined : EXPANDABLE[kind];
      const unknown = offered && expand.find((n) => !offered.includes(n));
      if (unknown !== undefined)
        return this.invalidParameter('$expand', expandText, `${unknown} cannot be expanded here`);
      out.expand = expand;
    }
    return out;
  }

  // biome-ignore lint/complexity/noExcessiveCognitiveComplexity: the List operations' query checks ($filter, $select, $expand, maxresults, $skiptoken, timeout) in the order the service reports them
  private list(
    request: ParsedRequest,
    items: readonly RestObject[],
    schema: FilterSchema,
    set: string,
    path: string,
    filterView: (item: RestObject) => RestObject = (item) => item,
  ): ResponsePlan {
    settle(this.store);
    const kind = Object.hasOwn(EXPANDABLE, set) ? (set as keyof typeof EXPANDABLE) : undefined;
    const q = request.query;
    const maxText = q.get('maxresults');
    let max = 1000;
    if (maxText !== undefined) {
      if (!/^-?[0-9]{1,10}$/.test(maxText))
        return this.invalidParameter('maxresults', maxText, 'MaxResults is not a valid integer');
      max = Number(maxText);
      if (max < 1) return this.invalidParameter('maxresults', maxText, 'MaxResults cannot be less than 1');
      if (max > 1000)
        return this.invalidParameter('maxresults', maxText, 'MaxResults cannot be greater than 1000');
    }
    const timeoutText = q.get('timeout');
    let timeout: number | undefined;
    if (timeoutText !== undefined) {
      if (!/^[0-9]{1,10}$/.test(timeoutText) || Number(timeoutText) < 1) {
        return this.invalidParameter(
          'timeout',
          timeoutText,
          'Timeout must be a positive integer number of seconds',
        );
      }
      timeout = Math.min(30, Number(timeoutText));
    }
    const filterText = q.get('$filter');
    let filter: FilterExpression | undefined;
    if (filterText !== undefined && filterText.trim() !== '') {
      try {
        filter = parseFilter(filterText, { schema });
      } catch (error) {
        if (!isBatchwireError(error)) throw error;
        return this.invalidParameter('$filter', filterText, `${error.message} (at offset ${error.offset})`);
      }
    }
    const shape = this.readQuery(request, kind);
    if ('status' in shape) return shape;
    const { names, expand } = shape;
    const token = q.get('$skiptoken');
    let offset = 0;
    if (token !== undefined) {
      if (!/^[0-9]{1,9}$/.test(token))
        return this.invalidParameter('$skiptoken', token, 'The skip token is not valid');
      offset = Number(token);
    }
    const matching =
      filter === undefined ? items : items.filter((item) => evaluateFilter(filter, filterView(item)));
    if (offset > matching.length)
      return this.invalidParameter('$skiptoken', token ?? '', 'The skip token is not valid');
    const now = this.context().now();
    const page = matching
      .slice(offset, offset + max)
      .map((item) => (kind === undefined ? select(item, names) : view(kind, item, names, expand, now)));
    const body: RestObject = { 'odata.metadata': `${this.endpoint()}/$metadata#${set}`, value: page };
    if (offset + max < matching.length) {
      const query = buildListQuery({
        apiVersion: q.get('api-version')!,
        ...(filterText !== undefined && filterText.trim() !== '' ? { filter: filterText } : {}),
        ...(names ? { select: names } : {}),
        ...(expand ? { expand } : {}),
        ...(maxText !== undefined ? { maxResults: max } : {}),
        ...(timeout !== undefined ? { timeout } : {}),
        skipToken: String(offset + max),
      });
      body['odata.nextLink'] = `${this.endpoint()}${path}?${query}`;
    }
    const context = this.context();
    const headers: Record<string, string> = {
      'content-type': 'application/json;odata=minimalmetadata',
      'request-id': context.requestId(),
      dataserviceversion: '3.0',
    };
    const clientId = request.headers['client-request-id'];
    if (
      clientId !== undefined &&
      (request.headers['return-client-request-id'] ?? '').toLowerCase() === 'true'
    ) {
      headers['client-request-id'] = clientId;
    }
    return { status: 200, headers, body: { kind: 'json', value: body } };
  }

  private job(id: string): Job | undefined {
    settle(this.store);
    return this.jobsById.get(id.toLowerCase());
  }

  listJobs(request: ParsedRequest): ResponsePlan {
    const items = [...this.jobsById.values()].map((j) =>
      this.withUrl(j.rest, `/jobs/${encodeURIComponent(String(j.rest.id))}`),
    );
    return this.list(request, items, schemas.jobs, 'jobs', '/jobs');
  }

  listTasks(request: ParsedRequest, params: Readonly<Record<string, string>>): ResponsePlan {
    const job = this.job(params.jobId ?? '');
    if (!job) return this.error(404, 'JobNotFound');
    const jobPath = `/jobs/${encodeURIComponent(String(job.rest.id))}`;
    const items = job.tasks.map((t) =>
      this.withUrl(t, `${jobPath}/tasks/${encodeURIComponent(String(t.id))}`),
    );
    // The filter table calls the wire's `lastModified` `lastModifiedTime`.
    const view = (task: RestObject) =>
      Object.hasOwn(task, 'lastModified') && !Object.hasOwn(task, 'lastModifiedTime')
        ? { ...task, lastModifiedTime: task.lastModified }
        : task;
    return this.list(request, items, schemas.tasks, 'tasks', `${jobPath}/tasks`, view);
  }

  listJobPreparationAndReleaseTaskStatus(
    request: ParsedRequest,
    params: Readonly<Record<string, string>>,
  ): ResponsePlan {
    const job = this.job(params.jobId ?? '');
    if (!job) return this.error(404, 'JobNotFound');
    if (!Object.hasOwn(job.rest, 'jobPreparationTask') && !Object.hasOwn(job.rest, 'jobReleaseTask')) {
      return this.error(409, 'JobPreparationTaskOrReleaseTaskNotSpecified');
    }
    const items = job.statuses.map((s) =>
      Object.hasOwn(s, 'nodeUrl')
        ? s
        : {
            poolId: s.poolId,
            nodeId: s.nodeId,
            nodeUrl: `${this.endpoint()}/pools/${encodeURIComponent(String(s.poolId))}/nodes/${encodeURIComponent(String(s.nodeId))}`,
            ...s,
          },
    );
    return this.list(
      request,
      items,
      schemas.jobPreparationAndReleaseTaskStatus,
      'jobpreparationandreleasetaskstatuslist',
      `/jobs/${encodeURIComponent(String(job.rest.id))}/jobpreparationandreleasetaskstatus`,
    );
  }

  listPools(request: ParsedRequest): ResponsePlan {
    const items = [...this.poolsById.values()].map((p) =>
      this.withUrl(p.rest, `/pools/${encodeURIComponent(String(p.rest.id))}`),
    );
    return this.list(request, items, schemas.pools, 'pools', '/pools');
  }

  listComputeNodes(request: ParsedRequest, params: Readonly<Record<string, string>>): ResponsePlan {
    const pool = this.poolsById.get((params.poolId ?? '').toLowerCase());
    if (!pool) return this.error(404, 'PoolNotFound');
    const poolPath = `/pools/${encodeURIComponent(String(pool.rest.id))}`;
    const items = pool.nodes.map((n) =>
      this.withUrl(n, `${poolPath}/nodes/${encodeURIComponent(String(n.id))}`),
    );
    return this.list(request, items, schemas.computeNodes, 'nodes', `${poolPath}/nodes`);
  }
}

function validationError(message: string): BatchwireError {
  return new BatchwireError('INVALID_ARGUMENT', message, 0);
}
