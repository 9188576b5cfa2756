// Huawei DLI batch (Spark) jobs: create, list, details, state and cancel. A created job moves
// along batchwire/status' DLI state graph, starting -> running -> success (or dead), on the
// emulator's clock.
import { invalidArgument } from '../core/errors.js';
import { callbackOption, numberOption, optionsObject } from '../core/options.js';
import { DLI_STATE_TRANSITIONS } from '../status/dli-states.js';
import type { DliBatchStateName } from '../status/types.js';
import { defaultFaultName, dliErrorBody } from './fault-bodies.js';
import type { FaultAction } from './faults.js';
import { isUuid, type RestObject, validateFixture } from './fixture.js';
import type { ParsedRequest, ResponsePlan } from './plan.js';
import { BodyTooLarge, readBody } from './request.js';
import type { EmulatedService, RefusalKind, RequestCheck, ServiceRoute } from './service.js';

/** The states a DLI batch job goes through (`batchwire/status`' `DliBatchStateName`). */
export type DliState = DliBatchStateName;

/** DLI options of {@link startEmulator}. */
export interface DliEmulatorOptions {
  /** How long a created job stays `starting`, in ms of the emulator's clock. @defaultValue 1000 */
  startingMs?: number | null | undefined;
  /** How long it then stays `running`. @defaultValue 2000 */
  runningMs?: number | null | undefined;
  /** How a job ends, from its create request body. @defaultValue every job ends `success` */
  outcome?: ((request: RestObject) => 'success' | 'dead') | null | undefined;
}

/** The DLI part of a running emulator. */
export interface DliEmulator {
  /** Adds a job (its REST representation, with a UUID `id`; its `state` stays as given). */
  addBatch(batch: RestObject): void;
  /** The jobs as List Batches serves them. */
  batches(): RestObject[];
}

/** What the DLI handlers need from the emulator. */
export interface DliContext {
  now(): number;
  uuid(): string;
  maxDocumentBytes: number;
}

interface Job {
  /** The representation, without its moving parts. */
  rest: RestObject;
  /** Jobs from a fixture or `addBatch` keep their state. */
  fixedState?: string;
  createdAt: number;
  outcome: 'success' | 'dead';
  cancelledAt?: number;
  serial: number;
}

const STRING_FIELDS = [
  'file',
  'className',
  'queue',
  'cluster_name',
  'name',
  'sc_type',
  'driverMemory',
  'executorMemory',
  'feature',
  'spark_version',
  'image',
  'obs_bucket',
  'execution_agency_urn',
  'catalog_name',
];
const LIST_FIELDS = ['args', 'jars', 'pyFiles', 'files', 'modules', 'resources', 'groups'];
const INT_FIELDS = ['driverCores', 'executorCores', 'numExecutors', 'max_retry_times'];

const WHAT = 'startEmulator: dli';
const MAX_MS = 365 * 24 * 3600 * 1000;

/** The DLI emulation: jobs and handlers. */
export class DliService implements DliEmulator, EmulatedService {
  readonly id = 'dli' as const;
  readonly routes: readonly ServiceRoute[];
  readonly checks: RequestCheck[] = [];
  private jobs = new Map<string, Job>();
  private serial = 0;
  private readonly startingMs: number;
  private readonly runningMs: number;
  private readonly outcomeOf: ((request: RestObject) => 'success' | 'dead') | undefined;

  constructor(
    options: DliEmulatorOptions | null | undefined,
    private readonly context: () => DliContext,
  ) {
    const o = optionsObject(options, WHAT);
    this.startingMs = numberOption(o, 'startingMs', { min: 0, max: MAX_MS }, 1000, WHAT);
    this.runningMs = numberOption(o, 'runningMs', { min: 0, max: MAX_MS }, 2000, WHAT);
    this.outcomeOf = callbackOption(o, 'outcome', WHAT);
    const batches = '/v2.0/{projectId}/batches';
    this.routes = [
      { method: 'POST', path: batches, operation: 'createBatch', handler: (r) => this.createBatch(r) },
      { method: 'GET', path: batches, operation: 'listBatches', handler: (r) => this.listBatches(r) },
      {
        method: 'GET',
        path: `${batches}/{batchId}`,
        operation: 'getBatch',
        handler: (r, p) => this.getBatch(r, p),
      },
      {
        method: 'GET',
        path: `${batches}/{batchId}/state`,
        operation: 'getBatchState',
        handler: (r, p) => this.getBatchState(r, p),
      },
      {
        method: 'DELETE',
        path: `${batches}/{batchId}`,
        operation: 'cancelBatch',
        handler: (r, p) => this.cancelBatch(r, p),
      },
    ];
  }

  owns(segments: readonly string[]): boolean {
    return /^v[0-9]+\.[0-9]+$/.test((segments[0] ?? '').toLowerCase());
  }

  /** Forgets every job (the emulator loads its fixture again). */
  reset(): void {
    this.clear();
  }

  refusal(_request: ParsedRequest, kind: RefusalKind, status: number, message: string): ResponsePlan {
    return this.error(status, kind === 'no-route' ? 'APIG.0101' : 'DLI.0001', message);
  }

  statusFault(
    _request: ParsedRequest,
    _params: Readonly<Record<string, string>>,
    action: Extract<FaultAction, { type: 'status' }>,
  ): ResponsePlan {
    return this.error(
      action.status,
      action.fault ?? defaultFaultName(this.id, action.status),
      action.message,
    );
  }

  internalError(_request: ParsedRequest, message: string): ResponsePlan {
    return this.error(500, 'DLI.0999', message);
  }

  addBatch(batch: RestObject): void {
    const valid = validateFixture({ dli: { batches: [batch] } }).dli!.batches![0]!;
    const id = String(valid.id).toLowerCase();
    if (this.jobs.has(id))
      throw invalidArgument(`a DLI job with id ${JSON.stringify(valid.id)} exists already`);
    const created = typeof valid.create_time === 'number' ? valid.create_time : this.context().now();
    const job: Job = { rest: valid, createdAt: created, outcome: 'success', serial: ++this.serial };
    if (typeof valid.state === 'string') job.fixedState = valid.state;
    this.jobs.set(id, job);
  }

  batches(): RestObject[] {
    const now = this.context().now();
    return [...this.jobs.values()].map((job) => this.view(job, now));
  }

  /** Forgets every job. */
  clear(): void {
    this.jobs.clear();
    this.serial = 0;
  }

  // A job's schedule is a path along the state graph: starting, running, then its outcome.
  private stateAt(job: Job, now: number): { state: string; since: number } {
    if (job.fixedState !== undefined) return { state: job.fixedState, since: job.createdAt };
    const running = job.createdAt + this.startingMs;
    const ended = running + this.runningMs;
    if (job.cancelledAt !== undefined && job.cancelledAt < ended)
      return { state: 'dead', since: job.cancelledAt };
    if (now < running) return { state: 'starting', since: job.createdAt };
    if (now < ended) return { state: 'running', since: running };
    return { state: job.outcome, since: ended };
  }

  private view(job: Job, now: number): RestObject {
    if (job.fixedState !== undefined) return structuredClone(job.rest);
    const { state, since } = this.stateAt(job, now);
    const out = structuredClone(job.rest);
    out.state = state;
    out.update_time = since;
    const started = job.createdAt + this.startingMs;
    if (state !== 'starting') {
      out.appId = `application_${job.createdAt}_${String(job.serial).padStart(4, '0')}`;
      out.duration = Math.max(0, (state === 'running' ? now : since) - started);
    }
    return out;
  }

  /** A DLI error response. */
  error(status: number, code: string, message?: string): ResponsePlan {
    return {
      status,
      headers: { 'content-type': 'application/json;charset=UTF-8' },
      body: { kind: 'bytes', bytes: Buffer.from(dliErrorBody(code, message), 'utf8') },
    };
  }

  private ok(value: unknown): ResponsePlan {
    return {
      status: 200,
      headers: { 'content-type': 'application/json;charset=UTF-8' },
      body: { kind: 'json', value },
    };
  }

  // biome-ignore lint/complexity/noExcessiveCognitiveComplexity: field-by-field checks of a create-batch request in the order DLI reports its errors
  async createBatch(request: ParsedRequest): Promise<ResponsePlan> {
    let bytes: Uint8Array;
    try {
      bytes = await readBody(request, this.context().maxDocumentBytes);
    } catch (error) {
      if (error instanceof BodyTooLarge) return this.error(413, 'DLI.0001', 'The request body is too large.');
      throw error;
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.from(bytes).toString('utf8'));
    } catch {
      return this.error(400, 'DLI.0001', 'The request body is not valid JSON.');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return this.error(400, 'DLI.0001', 'The request body must be a JSON object.');
    }
    const b = body as RestObject;
    for (const name of ['file', 'className']) {
      if (typeof b[name] !== 'string' || b[name] === '')
        return this.error(400, 'DLI.0001', `The parameter ${name} is mandatory.`);
    }
    for (const name of STRING_FIELDS) {
      if (b[name] !== undefined && typeof b[name] !== 'string')
        return this.error(400, 'DLI.0001', `The parameter ${name} must be a string.`);
    }
    for (const name of LIST_FIELDS) {
      if (b[name] !== undefined && !Array.isArray(b[name]))
        return this.error(400, 'DLI.0001', `The parameter ${name} must be an array.`);
    }
    for (const name of INT_FIELDS) {
      if (b[name] !== undefined && !Number.isInteger(b[name]))
        return this.error(400, 'DLI.0001', `The parameter ${name} must be an integer.`);
    }
    if (b.conf !== undefined && (typeof b.conf !== 'object' || b.conf === null || Array.isArray(b.conf))) {
      return this.error(400, 'DLI.0001', 'The parameter conf must be an object.');
    }
    if (typeof b.name === 'string' && b.name.length > 128)
      return this.error(400, 'DLI.0001', 'The parameter name is longer than 128 characters.');
    if (b.sc_type !== undefined && !['A', 'B', 'C'].includes(b.sc_type as string)) {
      return this.error(400, 'DLI.0001', 'The parameter sc_type must be A, B or C.');
    }
    if (typeof b.max_retry_times === 'number' && (b.max_retry_times < 0 || b.max_retry_times > 100)) {
      return this.error(400, 'DLI.0001', 'The parameter max_retry_times must be from 0 to 100.');
    }
    const context = this.context();
    const now = context.now();
    const queue = (b.queue ?? b.cluster_name ?? 'default') as string;
    const custom = ['driverMemory', 'driverCores', 'executorMemory', 'executorCores', 'numExecutors'].some(
      (k) => b[k] !== undefined,
    );
    const rest: RestObject = {
      id: context.uuid(),
      appId: '',
      name: (b.name as string | undefined) ?? '',
      owner: 'emulator',
      proxyUser: '',
      kind: '',
      log: [],
      sc_type: custom ? 'CUSTOMIZED' : ((b.sc_type as string | undefined) ?? 'A'),
      cluster_name: queue,
      queue,
      create_time: now,
      req_body: JSON.stringify(body),
    };
    for (const key of ['image', 'feature', 'spark_version'])
      if (typeof b[key] === 'string') rest[key] = b[key];
    let outcome: 'success' | 'dead' = 'success';
    if (this.outcomeOf) {
      try {
        outcome = this.outcomeOf(structuredClone(b)) === 'dead' ? 'dead' : 'success';
      } catch {
        outcome = 'dead';
      }
    }
    const job: Job = { rest, createdAt: now, outcome, serial: ++this.serial };
    this.jobs.set(String(rest.id), job);
    const view = this.view(job, now);
    delete view.req_body;
    return this.ok(view);
  }

  private find(params: Readonly<Record<string, string>>): Job | ResponsePlan {
    const id = params.batchId ?? '';
    if (!isUuid(id))
      return this.error(
        400,
        'DLI.0001',
        `The batch_id ${JSON.stringify(id.slice(0, 100))} is not a valid UUID.`,
      );
    const job = this.jobs.get(id.toLowerCase());
    if (!job) return this.error(400, 'DLI.0002', `The batch job ${id} does not exist.`);
    return job;
  }

  getBatch(_request: ParsedRequest, params: Readonly<Record<string, string>>): ResponsePlan {
    const job = this.find(params);
    if (!('rest' in job)) return job;
    return this.ok(this.view(job, this.context().now()));
  }

  getBatchState(_request: ParsedRequest, params: Readonly<Record<string, string>>): ResponsePlan {
    const job = this.find(params);
    if (!('rest' in job)) return job;
    const view = this.view(job, this.context().now());
    return this.ok({ id: view.id, state: view.state });
  }

  cancelBatch(_request: ParsedRequest, params: Readonly<Record<string, string>>): ResponsePlan {
    const job = this.find(params);
    if (!('rest' in job)) return job;
    const now = this.context().now();
    const state = this.stateAt(job, now).state.toLowerCase();
    // Cancelling moves a job to dead: only where the graph has that move (a final job has none).
    const movable =
      !Object.hasOwn(DLI_STATE_TRANSITIONS, state) ||
      (DLI_STATE_TRANSITIONS[state as DliState] as readonly string[]).includes('dead');
    if (!movable) {
      return this.error(
        400,
        'DLI.0001',
        `The batch job ${String(job.rest.id)} is ${state} and cannot be cancelled.`,
      );
    }
    if (job.fixedState !== undefined) job.fixedState = 'dead';
    else job.cancelledAt = now;
    return this.ok({ msg: 'deleted' });
  }

  listBatches(request: ParsedRequest): ResponsePlan {
    const q = request.query;
    const int = (name: string, fallback: number, min: number): number | ResponsePlan => {
      const text = q.get(name);
      if (text === undefined || text === '') return fallback;
      if (!/^[0-9]{1,15}$/.test(text) || Number(text) < min)
        return this.error(400, 'DLI.0001', `The parameter ${name} must be an integer of at least ${min}.`);
      return Number(text);
    };
    const from = int('from', 0, 0);
    if (typeof from !== 'number') return from;
    const size = int('size', 100, 1);
    if (typeof size !== 'number') return size;
    const start = int('start', 0, 0);
    if (typeof start !== 'number') return start;
    const end = int('end', Number.MAX_SAFE_INTEGER, 0);
    if (typeof end !== 'number') return end;
    const order = q.get('order');
    const orders = ['DURATION_DESC', 'DURATION_ASC', 'CREATE_TIME_DESC', 'CREATE_TIME_ASC'];
    if (order !== undefined && order !== '' && !orders.includes(order)) {
      return this.error(400, 'DLI.0001', `The parameter order must be one of ${orders.join(', ')}.`);
    }
    const now = this.context().now();
    const equal = (name: string, value: unknown) => {
      const wanted = q.get(name);
      return (
        wanted === undefined || wanted === '' || String(value ?? '').toLowerCase() === wanted.toLowerCase()
      );
    };
    let items = [...this.jobs.values()]
      .map((job) => ({ job, view: this.view(job, now) }))
      .filter(
        ({ view, job }) =>
          equal('job_name', view.name) &&
          equal('job-name', view.name) &&
          equal('job-id', view.id) &&
          equal('cluster_name', view.cluster_name) &&
          equal('queue_name', view.queue) &&
          equal('state', view.state) &&
          equal('owner', view.owner) &&
          job.createdAt >= start &&
          job.createdAt <= end,
      );
    if (order !== undefined && order !== '') {
      const key = order.startsWith('DURATION')
        ? (v: RestObject) => Number(v.duration ?? 0)
        : (v: RestObject) => Number(v.create_time ?? 0);
      const sign = order.endsWith('_DESC') ? -1 : 1;
      items = [...items].sort((a, b) => sign * (key(a.view) - key(b.view)) || a.job.serial - b.job.serial);
    }
    return this.ok({
      from,
      total: items.length,
      sessions: items.slice(from, from + size).map((i) => i.view),
      create_time: now,
    });
  }
}
