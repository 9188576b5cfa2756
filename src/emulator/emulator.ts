// The emulator without its socket: options, state, the route table, the control endpoints, and
// `handle` (a request in, a response plan out). server.ts puts it on node:http.
// Over 500 lines on purpose: the option checks, the route table and the control endpoints are
// the parts of one EmulatorCore and read its state; the services live in their own files.
import { plainBytes } from '../core/bytes.js';
import { BatchwireError, invalidArgument, isBatchwireError } from '../core/errors.js';
import { type AzureBatchEmulator, type AzureBatchEmulatorOptions, AzureBatchService } from './azure-batch.js';
import { createClock, type EmulatorClock } from './clock.js';
import { type DliEmulator, type DliEmulatorOptions, DliService } from './dli.js';
import { defaultFaultName, hpcFaultByName, type ServiceName } from './fault-bodies.js';
import {
  type FaultAction,
  type FaultRule,
  type FaultRuleState,
  FaultRules,
  validateFaultRule,
} from './faults.js';
import { defaultFixture, type EmulatorFixture, validateFixture } from './fixture.js';
import { guarded, guardedAsync } from './guard.js';
import { type HpcPackEmulator, type HpcPackEmulatorOptions, HpcPackService } from './hpc-pack.js';
import { Journal, type JournalEntry } from './journal.js';
import type { EmulatorRequest, ParsedRequest, PlanBody, ResponsePlan } from './plan.js';
import { createRandom, deriveSeed, isSeed, type Random, randomUuid } from './random.js';
import { MalformedRequest, parseRequest, readBody } from './request.js';
import { describeRoute, type Route, type Routing, route, serviceOfPath } from './routes.js';
import { piecesOf } from './wire.js';

/** Options of {@link startEmulator} (and {@link createEmulator}). */
export interface EmulatorOptions {
  /** TCP port; 0 picks a free one. @defaultValue 0 */
  port?: number | undefined;
  /** Address to listen on. Only loopback addresses unless `allowRemote` is true. @defaultValue `'127.0.0.1'` */
  host?: string | undefined;
  /** Allow a `host` that is not a loopback address (the emulator has no authentication). @defaultValue false */
  allowRemote?: boolean | undefined;
  /** The seed of every random choice (fault probabilities, jitter, corrupted offsets, ids). @defaultValue 1 */
  seed?: number | undefined;
  /** The data served; without one, the small default data set (see the README). */
  fixture?: EmulatorFixture | undefined;
  /** Fault rules to start with. */
  faults?: readonly FaultRule[];
  /** `'real'` follows `Date.now()`; `'manual'` moves only with `clock.advance(ms)`. @defaultValue `'real'` */
  clock?: 'real' | 'manual' | undefined;
  /** The manual clock's first reading. @defaultValue the time of the call */
  startTime?: number | Date;
  /** Most journal entries kept (the oldest go first). @defaultValue 100 000 */
  journalLimit?: number;
  /** Largest Send Requests body, in bytes; a larger one is answered 413. @defaultValue 256 MiB */
  maxBodyBytes?: number;
  /** Largest JSON or XML request document (Create Session, DLI create, control endpoints). @defaultValue 1 MiB */
  maxDocumentBytes?: number;
  hpcPack?: HpcPackEmulatorOptions;
  azureBatch?: AzureBatchEmulatorOptions;
  dli?: DliEmulatorOptions;
  /** Called for every service request, around the emulator's own handler (see {@link Interceptor}). */
  intercept?: Interceptor;
}

/** A request as an interceptor sees it: parsed, with the route it matched. */
export interface InterceptedRequest extends ParsedRequest {
  service: ServiceName;
  operation: string;
  params: Readonly<Record<string, string>>;
  /** Reads the whole body (within the document limit) and keeps it, so `next()` can read it again. */
  bytes(): Promise<Uint8Array<ArrayBuffer>>;
}

/**
 * Runs around a service handler: call `next()` for the emulator's own plan and return it, a
 * changed copy, or a plan of your own. This is how a test builds a deliberately broken backend
 * (a dropped record, a wrong count, a 500 for some input) on top of the emulator.
 */
export type Interceptor = (
  request: InterceptedRequest,
  next: () => Promise<ResponsePlan>,
) => ResponsePlan | Promise<ResponsePlan>;

/** The request journal of an emulator. */
export interface EmulatorJournal {
  /** Every entry kept, oldest first (plain JSON objects). */
  entries(): JournalEntry[];
  clear(): void;
}

/** The fault rules of an emulator. */
export interface EmulatorFaults {
  /** Adds a rule (checked; see {@link FaultRule}) and returns its id. */
  add(rule: FaultRule): number;
  /** Removes a rule by id; false when there was none. */
  remove(id: number): boolean;
  clear(): void;
  /** The rules with their counters. */
  list(): FaultRuleState[];
}

/** A running emulator. */
export interface Emulator {
  /** `http://127.0.0.1:PORT`: the base URL of all three services. */
  readonly url: string;
  /** Stops listening, ends open connections and waits for them to close. */
  close(): Promise<void>;
  /** Clears all state: sessions, data (back to the fixture), faults, journal, seed, clock. */
  reset(): void;
  readonly journal: EmulatorJournal;
  readonly faults: EmulatorFaults;
  readonly clock: EmulatorClock;
  readonly hpcPack: HpcPackEmulator;
  readonly azureBatch: AzureBatchEmulator;
  readonly dli: DliEmulator;
  /** Adds an interceptor (outermost last); returns a function that removes it. */
  use(interceptor: Interceptor): () => void;
  /**
   * Routes one request without any socket and resolves to the plan the handler returns (no
   * fault rule applies and nothing is journaled). Read the plan's body with {@link planBytes}.
   */
  handle(request: EmulatorRequest): Promise<HandledRequest>;
}

/** What {@link Emulator.handle} resolves to: the plan, and the route the request matched. */
export interface HandledRequest extends ResponsePlan {
  service: ServiceName | 'control' | null;
  operation: string | null;
}

/** The whole body of a plan, as the server would write it without faults. */
export async function planBytes(body: PlanBody | undefined): Promise<Uint8Array<ArrayBuffer>> {
  return guardedAsync('plan body', async () => {
    const parts: Uint8Array[] = [];
    for await (const piece of piecesOf(body).pieces) parts.push(Buffer.from(piece.bytes));
    return plainBytes(Buffer.concat(parts));
  });
}

function positiveInteger(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
    throw invalidArgument(`${name} must be a positive integer`);
  return value;
}

function json(status: number, value: unknown, headers: Record<string, string> = {}): ResponsePlan {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: { kind: 'json', value },
  };
}

/** The emulator's state and request handling, shared by {@link createEmulator} and the server. */
export class EmulatorCore {
  readonly clock: EmulatorClock & { restart(): void };
  readonly journalStore: Journal;
  readonly rules: FaultRules;
  readonly hpc: HpcPackService;
  readonly batch: AzureBatchService;
  readonly dliService: DliService;
  readonly routes: Route[];
  readonly seed: number;
  readonly maxBodyBytes: number;
  readonly maxDocumentBytes: number;
  private ids: Random;
  private readonly fixture: EmulatorFixture;
  private interceptors: Interceptor[] = [];
  /** The base URL links point to; set when the server listens. */
  url: string;

  constructor(options: EmulatorOptions | null | undefined, url: string) {
    const o = options ?? {};
    if (typeof o !== 'object') throw invalidArgument('options must be an object');
    this.url = url;
    if (o.seed !== undefined && !isSeed(o.seed)) throw invalidArgument('seed must be a safe integer');
    this.seed = (o.seed ?? 1) >>> 0;
    if (o.clock !== undefined && o.clock !== 'real' && o.clock !== 'manual')
      throw invalidArgument("clock must be 'real' or 'manual'");
    let start = Date.now();
    if (o.startTime !== undefined) {
      start = o.startTime instanceof Date ? o.startTime.getTime() : o.startTime;
      if (typeof start !== 'number' || !Number.isFinite(start))
        throw invalidArgument('startTime must be a Date or a number of ms');
    }
    this.clock = createClock(o.clock ?? 'real', start);
    this.journalStore = new Journal(positiveInteger(o.journalLimit, 'journalLimit', 100_000));
    this.maxBodyBytes = positiveInteger(o.maxBodyBytes, 'maxBodyBytes', 256 * 1024 * 1024);
    this.maxDocumentBytes = positiveInteger(o.maxDocumentBytes, 'maxDocumentBytes', 1024 * 1024);
    this.ids = createRandom(deriveSeed(this.seed, 0x1d5));
    this.fixture = o.fixture === undefined ? defaultFixture() : validateFixture(o.fixture);
    if (o.faults !== undefined && !Array.isArray(o.faults))
      throw invalidArgument('faults must be an array of rules');
    const faults = (o.faults ?? []).map((rule) => validateFaultRule(rule));
    this.rules = new FaultRules(this.seed);
    for (const rule of faults) this.rules.add(rule);
    if (o.intercept !== undefined) {
      if (typeof o.intercept !== 'function') throw invalidArgument('intercept must be a function');
      this.interceptors.push(o.intercept);
    }
    const brokerNode = () => {
      try {
        return new URL(this.url).host;
      } catch {
        return 'localhost';
      }
    };
    this.hpc = new HpcPackService(o.hpcPack ?? {}, () => ({
      brokerNode: brokerNode(),
      maxBodyBytes: this.maxBodyBytes,
      maxDocumentBytes: this.maxDocumentBytes,
    }));
    this.batch = new AzureBatchService(o.azureBatch ?? {}, () => ({
      baseUrl: this.url,
      now: () => this.clock.now(),
      requestId: () => randomUuid(this.ids),
    }));
    this.dliService = new DliService(o.dli ?? {}, () => ({
      now: () => this.clock.now(),
      uuid: () => randomUuid(this.ids),
      maxDocumentBytes: this.maxDocumentBytes,
    }));
    this.loadFixture();
    this.routes = this.buildRoutes();
  }

  private loadFixture(): void {
    const f = this.fixture;
    this.batch.load(f.azureBatch?.jobs ?? [], f.azureBatch?.pools ?? []);
    this.dliService.clear();
    for (const b of f.dli?.batches ?? []) this.dliService.addBatch(b);
  }

  reset(): void {
    this.hpc.reset();
    this.loadFixture();
    // All rules go, the startup ones (options.faults, --fault) too: reset means a clean slate.
    this.rules.reset();
    this.journalStore.reset();
    this.ids = createRandom(deriveSeed(this.seed, 0x1d5));
    this.clock.restart();
  }

  use(interceptor: Interceptor): () => void {
    if (typeof interceptor !== 'function') throw invalidArgument('an interceptor must be a function');
    this.interceptors.push(interceptor);
    return () => {
      this.interceptors = this.interceptors.filter((i) => i !== interceptor);
    };
  }

  private buildRoutes(): Route[] {
    const routes: Route[] = [];
    const hpc = this.hpc;
    const add = (
      method: string,
      path: string,
      service: Route['service'],
      operation: string,
      handler: Route['handler'],
    ) => {
      routes.push({ method, pattern: path.split('/').slice(1), service, operation, handler });
    };
    // HPC Pack: the HPC Pack 2016 form first, then the pre-2016 form with the cluster segment.
    const hpcOps: [string, string, string, keyof HpcPackService][] = [
      ['POST', '/sessions/Create', 'createSession', 'createSession'],
      ['GET', '/session/{sessionId}/Attach', 'attachSession', 'attachSession'],
      ['POST', '/session/{sessionId}/Close', 'closeSession', 'closeSession'],
      ['POST', '/session/{sessionId}/batch/{batchName}', 'sendRequests', 'sendRequests'],
      ['GET', '/session/{sessionId}/batch/{batchName}/Status', 'getRequestStatus', 'getRequestStatus'],
      ['POST', '/session/{sessionId}/batch/{batchName}/Commit', 'commitRequests', 'commitRequests'],
      ['POST', '/session/{sessionId}/batch/{batchName}/Purge', 'deleteRequests', 'deleteRequests'],
      ['POST', '/session/{sessionId}/batch/{batchName}/Response', 'getResponses', 'getResponses'],
    ];
    const hpcHandler =
      (name: keyof HpcPackService): Route['handler'] =>
      (request, params) =>
        hpc.check(request, params) ?? (hpc[name] as Route['handler']).call(hpc, request, params);
    add('GET', '/WindowsHPC/Clusters', 'hpcPack', 'getClusters', hpcHandler('getClusters'));
    for (const [method, path, operation, name] of hpcOps)
      add(method, `/WindowsHPC${path}`, 'hpcPack', operation, hpcHandler(name));
    for (const [method, path, operation, name] of hpcOps)
      add(method, `/WindowsHPC/{cluster}${path}`, 'hpcPack', operation, hpcHandler(name));
    // Azure Batch.
    const b = this.batch;
    const batchHandler =
      (fn: Route['handler']): Route['handler'] =>
      (request, params) =>
        b.check(request) ?? fn.call(b, request, params);
    add('GET', '/jobs', 'azureBatch', 'listJobs', batchHandler(b.listJobs));
    add('GET', '/jobs/{jobId}/tasks', 'azureBatch', 'listTasks', batchHandler(b.listTasks));
    add(
      'GET',
      '/jobs/{jobId}/jobpreparationandreleasetaskstatus',
      'azureBatch',
      'listJobPreparationAndReleaseTaskStatus',
      batchHandler(b.listJobPreparationAndReleaseTaskStatus),
    );
    add('GET', '/pools', 'azureBatch', 'listPools', batchHandler(b.listPools));
    add('GET', '/pools/{poolId}/nodes', 'azureBatch', 'listComputeNodes', batchHandler(b.listComputeNodes));
    // DLI.
    const d = this.dliService;
    add('POST', '/v2.0/{projectId}/batches', 'dli', 'createBatch', (r) => d.createBatch(r));
    add('GET', '/v2.0/{projectId}/batches', 'dli', 'listBatches', (r) => d.listBatches(r));
    add('GET', '/v2.0/{projectId}/batches/{batchId}', 'dli', 'getBatch', (r, p) => d.getBatch(r, p));
    add('GET', '/v2.0/{projectId}/batches/{batchId}/state', 'dli', 'getBatchState', (r, p) =>
      d.getBatchState(r, p),
    );
    add('DELETE', '/v2.0/{projectId}/batches/{batchId}', 'dli', 'cancelBatch', (r, p) => d.cancelBatch(r, p));
    // Control endpoints.
    add('GET', '/_batchwire/faults', 'control', 'listFaults', () => json(200, this.rules.list()));
    add('POST', '/_batchwire/faults', 'control', 'addFaults', (r) => this.addFaults(r));
    add('DELETE', '/_batchwire/faults', 'control', 'clearFaults', () => {
      this.rules.clear();
      return { status: 204, headers: {} };
    });
    add('DELETE', '/_batchwire/faults/{id}', 'control', 'removeFault', (_r, p) => {
      const id = /^[0-9]{1,15}$/.test(p.id ?? '') ? Number(p.id) : Number.NaN;
      return this.rules.remove(id)
        ? { status: 204, headers: {} }
        : json(404, { error: 'NoSuchRule', message: `no fault rule with id ${JSON.stringify(p.id)}` });
    });
    add('GET', '/_batchwire/journal', 'control', 'journal', () => json(200, this.journalStore.entries()));
    add('DELETE', '/_batchwire/journal', 'control', 'clearJournal', () => {
      this.journalStore.clear();
      return { status: 204, headers: {} };
    });
    add('POST', '/_batchwire/reset', 'control', 'reset', () => {
      this.reset();
      return { status: 204, headers: {} };
    });
    add('GET', '/_batchwire/clock', 'control', 'clock', () => this.clockState());
    add('POST', '/_batchwire/clock', 'control', 'advanceClock', (r) => this.advanceClock(r));
    return routes;
  }

  private clockState(): ResponsePlan {
    const now = this.clock.now();
    return json(200, { mode: this.clock.mode, now, time: new Date(now).toISOString() });
  }

  private async readJson(request: ParsedRequest): Promise<{ value: unknown } | ResponsePlan> {
    let bytes: Uint8Array;
    try {
      bytes = await readBody(request, this.maxDocumentBytes);
    } catch (error) {
      if (isBatchwireError(error)) return json(413, { error: 'BodyTooLarge', message: error.message });
      throw error;
    }
    try {
      return { value: JSON.parse(Buffer.from(bytes).toString('utf8')) };
    } catch (error) {
      return json(400, { error: 'InvalidJson', message: (error as Error).message });
    }
  }

  private async addFaults(request: ParsedRequest): Promise<ResponsePlan> {
    const body = await this.readJson(request);
    if (!('value' in body)) return body;
    const many = Array.isArray(body.value);
    const given = many ? (body.value as unknown[]) : [body.value];
    let rules: FaultRule[];
    try {
      rules = given.map((rule) => validateFaultRule(rule));
    } catch (error) {
      if (isBatchwireError(error)) return json(400, { error: 'InvalidFaultRule', message: error.message });
      throw error;
    }
    const ids = rules.map((rule) => this.rules.add(rule));
    const added = this.rules.list().filter((r) => ids.includes(r.id));
    return json(201, many ? added : added[0]);
  }

  private async advanceClock(request: ParsedRequest): Promise<ResponsePlan> {
    const body = await this.readJson(request);
    if (!('value' in body)) return body;
    const v = body.value as { advanceMs?: unknown } | null;
    const ms = typeof v === 'object' && v !== null ? v.advanceMs : undefined;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      return json(400, {
        error: 'InvalidClockChange',
        message: 'expected { "advanceMs": a non-negative number }',
      });
    }
    this.clock.advance(ms);
    return this.clockState();
  }

  /** Routes a parsed request. */
  route(request: ParsedRequest): Routing {
    return route(this.routes, request.method, request.segments);
  }

  /** The emulator's plan for a request: the handler (with interceptors), or a routing error. */
  async dispatch(request: ParsedRequest, routing: Routing): Promise<ResponsePlan> {
    if (routing.kind === 'method') {
      const service = routing.route.service === 'control' ? undefined : routing.route.service;
      return this.errorPlan(
        service,
        request,
        405,
        `${request.method} is not allowed here; use ${routing.allowed.join(' or ')}`,
        {
          allow: routing.allowed.join(', '),
        },
      );
    }
    if (routing.kind === 'none') {
      const closest = routing.closest ? describeRoute(routing.closest) : 'none';
      return this.errorPlan(
        serviceOfPath(request.segments),
        request,
        404,
        `no route for ${request.method} ${request.path}; the closest is ${closest}`,
        {
          'x-batchwire-closest-route': closest,
        },
      );
    }
    const { route: r, params } = routing;
    if (r.service === 'control') return await r.handler(request, params);
    const service = r.service;
    let held: Uint8Array<ArrayBuffer> | undefined;
    const intercepted: InterceptedRequest = {
      ...request,
      service,
      operation: r.operation,
      params,
      bytes: async () => {
        held ??= plainBytes(await readBody(intercepted, this.maxDocumentBytes));
        intercepted.body = (async function* () {
          yield held!;
        })();
        intercepted.contentLength = held.length;
        return held;
      },
    };
    const chain = [...this.interceptors];
    const run = async (i: number): Promise<ResponsePlan> => {
      if (i < 0) return await r.handler(intercepted, params);
      return await chain[i]!(intercepted, () => run(i - 1));
    };
    return await run(chain.length - 1);
  }

  /** A service-shaped error about a request that did not reach a handler. */
  errorPlan(
    service: ServiceName | undefined,
    request: ParsedRequest,
    status: number,
    message: string,
    headers: Record<string, string> = {},
  ): ResponsePlan {
    let plan: ResponsePlan;
    if (service === 'hpcPack') {
      plan = this.hpc.fault(
        request,
        status,
        'ArgumentError',
        [
          { key: 'path', value: request.path.slice(0, 500) },
          { key: 'reason', value: message },
        ],
        'The request cannot be served: {1}',
      );
    } else if (service === 'azureBatch') {
      const code =
        status === 404
          ? 'InvalidUri'
          : status === 405
            ? 'UnsupportedHttpVerb'
            : status === 413
              ? 'RequestBodyTooLarge'
              : status === 431
                ? 'InvalidHeaderValue'
                : status === 408
                  ? 'OperationTimedOut'
                  : 'InvalidRequestBody';
      plan = this.batch.error(status, code, [{ key: 'Reason', value: message }]);
    } else if (service === 'dli') {
      plan = this.dliService.error(status, status === 404 ? 'APIG.0101' : 'DLI.0001', message);
    } else {
      plan = json(status, { error: status === 404 ? 'NoRoute' : 'BadRequest', message });
    }
    Object.assign(plan.headers, headers);
    return plan;
  }

  /** The response a `status` fault writes instead of the service's: the service's own error shape. */
  statusPlan(
    service: ServiceName | undefined,
    request: ParsedRequest,
    action: Extract<FaultAction, { type: 'status' }>,
  ): ResponsePlan {
    const shape = service ?? serviceOfPath(request.segments);
    const name = action.fault ?? (shape ? defaultFaultName(shape, action.status) : 'Fault');
    let plan: ResponsePlan;
    if (shape === 'hpcPack') {
      const known = hpcFaultByName(name);
      plan = this.hpc.fault(
        request,
        action.status,
        name,
        [],
        action.message ?? known.message.replace(/\{[0-9]+\}/g, '').trim(),
      );
    } else if (shape === 'azureBatch') {
      plan = this.batch.error(action.status, name, [], action.message);
    } else if (shape === 'dli') {
      plan = this.dliService.error(action.status, name, action.message);
    } else {
      plan = json(action.status, {
        error: name,
        message: action.message ?? `The emulator injected the fault ${name}.`,
      });
    }
    for (const [k, v] of Object.entries(action.headers ?? {})) plan.headers[k.toLowerCase()] = v;
    return plan;
  }

  /** The plan for a service error the emulator hit itself (a bug in it or in an interceptor). */
  internalErrorPlan(service: ServiceName | undefined, request: ParsedRequest, error: unknown): ResponsePlan {
    const message = `internal error: ${error instanceof Error ? error.message : String(error)}`.slice(
      0,
      1000,
    );
    if (service === 'hpcPack')
      return this.hpc.fault(request, 500, 'UnknownError', [{ key: 'reason', value: message }]);
    if (service === 'azureBatch')
      return this.batch.error(500, 'InternalError', [{ key: 'Reason', value: message }]);
    if (service === 'dli') return this.dliService.error(500, 'DLI.0999', message);
    return json(500, { error: 'InternalError', message });
  }
}

/** The public face of an {@link EmulatorCore}, with `close` supplied by whoever owns the socket. */
export function emulatorOf(core: EmulatorCore, close: () => Promise<void>): Emulator {
  return {
    get url() {
      return core.url;
    },
    close,
    reset: () => core.reset(),
    journal: { entries: () => core.journalStore.entries(), clear: () => core.journalStore.clear() },
    faults: {
      add: (rule) => core.rules.add(rule),
      remove: (id) => core.rules.remove(id),
      clear: () => core.rules.clear(),
      list: () => core.rules.list(),
    },
    clock: core.clock,
    hpcPack: core.hpc,
    azureBatch: core.batch,
    dli: core.dliService,
    use: (interceptor) => core.use(interceptor),
    handle: async (request) => {
      let parsed: ParsedRequest;
      try {
        parsed = parseRequest(request);
      } catch (error) {
        if (!(error instanceof MalformedRequest)) throw error;
        const target = typeof request.url === 'string' ? request.url : '';
        const path = target.split('?')[0] ?? '';
        const segments = path.split('/').slice(1);
        const fake: ParsedRequest = {
          method: String(request.method).toUpperCase(),
          path,
          segments,
          search: '',
          query: new Map(),
          headers: {},
          body: (async function* () {})(),
        };
        return {
          ...core.errorPlan(serviceOfPath(segments), fake, 400, error.message),
          service: null,
          operation: null,
        };
      }
      const routing = core.route(parsed);
      let plan: ResponsePlan;
      try {
        plan = await core.dispatch(parsed, routing);
      } catch (error) {
        // As on the socket: a request the client could have sent gets an answer, not an exception.
        const service =
          routing.kind === 'route' && routing.route.service !== 'control' ? routing.route.service : undefined;
        plan = core.internalErrorPlan(service, parsed, error);
      }
      return {
        ...plan,
        service: routing.kind === 'route' ? routing.route.service : null,
        operation: routing.kind === 'route' ? routing.route.operation : null,
      };
    },
  };
}

/**
 * An emulator without a socket: call its handlers with {@link Emulator.handle}. Its `url` (used
 * in links and the broker node) is `baseUrl`.
 *
 * @throws {@link BatchwireError} `INVALID_ARGUMENT` for bad options, a bad fixture or fault rule
 * @example
 * ```ts
 * import { createEmulator, planBytes } from 'batchwire/emulator';
 * import { dli } from 'batchwire/requests';
 * const emulator = createEmulator({ clock: 'manual' });
 * const plan = await emulator.handle(dli.listBatches({ baseUrl: 'http://dli.test', projectId: 'p1' }));
 * JSON.parse(Buffer.from(await planBytes(plan.body)).toString()).total; // 2
 * ```
 */
export function createEmulator(options?: EmulatorOptions & { baseUrl?: string }): Emulator {
  const core = guarded('options', () => {
    const baseUrl = options?.baseUrl ?? 'http://127.0.0.1';
    if (typeof baseUrl !== 'string') throw invalidArgument('baseUrl must be a string');
    return new EmulatorCore(options, baseUrl);
  });
  return emulatorOf(core, async () => {});
}
