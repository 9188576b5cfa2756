// The emulator without its socket: options, state, the services behind the route table, and
// `handle` (a request in, a response plan out). server.ts puts it on node:http; control.ts holds
// the /_batchwire/ endpoints. The core knows the services only through EmulatedService.
import { plainBytes } from '../core/bytes.js';
import { invalidArgument } from '../core/errors.js';
import {
  callbackOption,
  choiceOption,
  nonEmptyTextOption,
  numberOption,
  optionsObject,
  optionValue,
  textOption,
} from '../core/options.js';
import type { ServiceId } from '../core/services.js';
import { type EmulatorAuth, type EmulatorAuthOptions, emulatorAuthOf } from './auth.js';
import { type AzureBatchEmulator, type AzureBatchEmulatorOptions, AzureBatchService } from './azure-batch.js';
import { createClock, type EmulatorClock } from './clock.js';
import { controlRefusal, controlRoutes } from './control.js';
import { type DliEmulator, type DliEmulatorOptions, DliService } from './dli.js';
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
import { createRandom, deriveSeed, type Random, randomUuid } from './random.js';
import { MalformedRequest, parseRequest, readBody, standInRequest } from './request.js';
import { compileRoute, describeRoute, type Route, type Routing, route } from './routes.js';
import { type EmulatedService, jsonPlan, type RefusalKind } from './service.js';
import { piecesOf } from './wire.js';

/** Options of {@link startEmulator} (and {@link createEmulator}). `null` means the default, for each. */
export interface EmulatorOptions {
  /** TCP port; 0 picks a free one. @defaultValue 0 */
  port?: number | null | undefined;
  /** Address to listen on. Only loopback addresses unless `allowRemote` is true. @defaultValue `'127.0.0.1'` */
  host?: string | null | undefined;
  /** Allow a `host` that is not a loopback address (the emulator has no authentication). @defaultValue false */
  allowRemote?: boolean | null | undefined;
  /** The seed of every random choice (fault probabilities, jitter, corrupted offsets, ids). @defaultValue 1 */
  seed?: number | null | undefined;
  /** The data served; without one, the small default data set (see the README). */
  fixture?: EmulatorFixture | null | undefined;
  /** Fault rules to start with. */
  faults?: readonly FaultRule[] | null | undefined;
  /** `'real'` follows `Date.now()`; `'manual'` moves only with `clock.advance(ms)`. @defaultValue `'real'` */
  clock?: 'real' | 'manual' | null | undefined;
  /** The manual clock's first reading. @defaultValue the time of the call */
  startTime?: number | Date | null | undefined;
  /** Most journal entries kept (the oldest go first). @defaultValue 100 000 */
  journalLimit?: number | null | undefined;
  /** Largest Send Requests body, in bytes; a larger one is answered 413. @defaultValue 256 MiB */
  maxBodyBytes?: number | null | undefined;
  /** Largest JSON or XML request document (Create Session, DLI create, control endpoints). @defaultValue 1 MiB */
  maxDocumentBytes?: number | null | undefined;
  /**
   * When set, every request to the control endpoints (`/_batchwire/*`) must carry it, as
   * `Authorization: Bearer TOKEN` or `X-Batchwire-Token: TOKEN` (else 401).
   */
  controlToken?: string | null | undefined;
  hpcPack?: HpcPackEmulatorOptions | null | undefined;
  azureBatch?: AzureBatchEmulatorOptions | null | undefined;
  dli?: DliEmulatorOptions | null | undefined;
  /** Called for every service request, around the emulator's own handler (see {@link Interceptor}). */
  intercept?: Interceptor | null | undefined;
  /**
   * Credentials each service checks, as the real one does (SharedKey, AK/SK, Basic, listed
   * tokens); a request without valid ones gets the service's own 401/403. A service left out
   * takes any request. @defaultValue none: no service checks credentials
   */
  auth?: EmulatorAuthOptions | null | undefined;
  /**
   * Serve HTTPS: `true` makes a CA and a certificate for `localhost`, `127.0.0.1` and `::1` at
   * start (the CA is {@link Emulator.ca}); or give a certificate and key (PEM). @defaultValue false
   */
  tls?: boolean | { cert: string; key: string } | null | undefined;
}

/** A request as an interceptor sees it: parsed, with the route it matched. */
export interface InterceptedRequest extends ParsedRequest {
  service: ServiceId;
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
  /** `http://127.0.0.1:PORT` (`https://` with `tls`): the base URL of all three services. */
  readonly url: string;
  /** With `tls`: the PEM certificate to trust (`ca` of an `https.Agent` or undici `Agent`, `NODE_EXTRA_CA_CERTS`). */
  readonly ca?: string;
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
  service: ServiceId | 'control' | null;
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

const WHAT = 'startEmulator';
const MAX_SEED = 2 ** 53 - 1;

/** The options every emulator reads, checked (`null` is the default everywhere). */
function readOptions(options: unknown) {
  const o = optionsObject(options, WHAT);
  const seed = numberOption(o, 'seed', { min: -MAX_SEED, max: MAX_SEED, integer: true }, 1, WHAT) >>> 0;
  const clock = choiceOption(o, 'clock', ['real', 'manual'] as const, 'real', WHAT);
  const startValue = optionValue(o, 'startTime', WHAT);
  const start = startValue instanceof Date ? startValue.getTime() : (startValue ?? Date.now());
  if (typeof start !== 'number' || !Number.isFinite(start))
    throw invalidArgument(`${WHAT}: startTime must be a Date or a number of ms`);
  const size = (key: string, fallback: number) =>
    numberOption(o, key, { min: 1, max: 2 ** 32, integer: true }, fallback, WHAT);
  const faults = optionValue(o, 'faults', WHAT) ?? [];
  if (!Array.isArray(faults)) throw invalidArgument(`${WHAT}: faults must be an array of rules`);
  const token = nonEmptyTextOption(o, 'controlToken', WHAT);
  if (token !== undefined && !/^[\x21-\x7e]{1,512}$/.test(token))
    throw invalidArgument(`${WHAT}: controlToken must be 1 to 512 visible ASCII characters`);
  const fixture = optionValue(o, 'fixture', WHAT);
  return {
    seed,
    clock,
    start,
    journalLimit: numberOption(o, 'journalLimit', { min: 1, max: 100_000_000, integer: true }, 100_000, WHAT),
    maxBodyBytes: size('maxBodyBytes', 256 * 1024 * 1024),
    maxDocumentBytes: size('maxDocumentBytes', 1024 * 1024),
    faults: faults.map((rule) => validateFaultRule(rule)),
    fixture: fixture === undefined ? defaultFixture() : validateFixture(fixture),
    intercept: callbackOption<Interceptor>(o, 'intercept', WHAT),
    auth: emulatorAuthOf(optionValue(o, 'auth', WHAT)),
    controlToken: token,
    hpcPack: optionValue(o, 'hpcPack', WHAT) as HpcPackEmulatorOptions | undefined,
    azureBatch: optionValue(o, 'azureBatch', WHAT) as AzureBatchEmulatorOptions | undefined,
    dli: optionValue(o, 'dli', WHAT) as DliEmulatorOptions | undefined,
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
  readonly services: readonly EmulatedService[];
  readonly routes: Route[];
  readonly seed: number;
  readonly maxBodyBytes: number;
  readonly maxDocumentBytes: number;
  readonly controlToken: string | undefined;
  readonly auth: EmulatorAuth | undefined;
  private ids: Random;
  private readonly fixture: EmulatorFixture;
  private interceptors: Interceptor[] = [];
  /** The base URL links point to; set when the server listens. */
  url: string;
  /** Whether the server listens on a loopback address only (control requests must then name one). */
  loopbackOnly = true;

  constructor(options: unknown, url: string) {
    const o = readOptions(options);
    this.url = url;
    this.seed = o.seed;
    this.clock = createClock(o.clock, o.start);
    this.journalStore = new Journal(o.journalLimit);
    this.maxBodyBytes = o.maxBodyBytes;
    this.maxDocumentBytes = o.maxDocumentBytes;
    this.controlToken = o.controlToken;
    this.auth = o.auth;
    this.ids = createRandom(deriveSeed(this.seed, 0x1d5));
    this.fixture = o.fixture;
    this.rules = new FaultRules(this.seed);
    for (const rule of o.faults) this.rules.add(rule);
    if (o.intercept !== undefined) this.interceptors.push(o.intercept);
    const brokerNode = () => {
      try {
        return new URL(this.url).host;
      } catch {
        return 'localhost';
      }
    };
    this.hpc = new HpcPackService(o.hpcPack, () => ({
      brokerNode: brokerNode(),
      maxBodyBytes: this.maxBodyBytes,
      maxDocumentBytes: this.maxDocumentBytes,
    }));
    this.batch = new AzureBatchService(o.azureBatch, () => ({
      baseUrl: this.url,
      now: () => this.clock.now(),
      requestId: () => randomUuid(this.ids),
      maxDocumentBytes: this.maxDocumentBytes,
    }));
    this.dliService = new DliService(o.dli, () => ({
      now: () => this.clock.now(),
      uuid: () => randomUuid(this.ids),
      maxDocumentBytes: this.maxDocumentBytes,
    }));
    this.services = [this.hpc, this.batch, this.dliService];
    this.loadFixture();
    this.routes = [
      ...this.services.flatMap((s) =>
        s.routes.map((r) => compileRoute(s.id, r.method, r.path, r.operation, r.handler)),
      ),
      ...controlRoutes(this),
    ];
  }

  private loadFixture(): void {
    const f = this.fixture;
    this.batch.load(f['azure-batch']?.jobs ?? [], f['azure-batch']?.pools ?? []);
    this.dliService.clear();
    for (const b of f.dli?.batches ?? []) this.dliService.addBatch(b);
  }

  reset(): void {
    for (const service of this.services) service.reset();
    this.loadFixture();
    // All rules go, the startup ones (options.faults, --fault) too: reset means a clean slate.
    this.rules.reset();
    this.journalStore.reset();
    this.ids = createRandom(deriveSeed(this.seed, 0x1d5));
    this.clock.restart();
  }

  use(interceptor: Interceptor): () => void {
    if (typeof interceptor !== 'function') throw invalidArgument('use: an interceptor must be a function');
    this.interceptors.push(interceptor);
    return () => {
      this.interceptors = this.interceptors.filter((i) => i !== interceptor);
    };
  }

  /** The service a path belongs to (by its first segment), to answer errors about it in its shape. */
  serviceOf(segments: readonly string[]): EmulatedService | undefined {
    return this.services.find((s) => s.owns(segments));
  }

  /** The service with this id. */
  service(id: ServiceId): EmulatedService {
    return this.services.find((s) => s.id === id)!;
  }

  /** Routes a parsed request. */
  route(request: ParsedRequest): Routing {
    return route(this.routes, request.method, request.segments);
  }

  /** The emulator's plan for a request: the handler (checks and interceptors around it), or a routing error. */
  async dispatch(request: ParsedRequest, routing: Routing): Promise<ResponsePlan> {
    if (routing.kind === 'method') {
      const service = routing.route.service === 'control' ? undefined : this.service(routing.route.service);
      const plan = this.refusal(
        service,
        request,
        'method',
        405,
        `${request.method} is not allowed here; use ${routing.allowed.join(' or ')}`,
      );
      plan.headers.allow = routing.allowed.join(', ');
      return plan;
    }
    if (routing.kind === 'none') {
      const closest = routing.closest ? describeRoute(routing.closest) : 'none';
      const plan = this.refusal(
        this.serviceOf(request.segments),
        request,
        'no-route',
        404,
        `no route for ${request.method} ${request.path}; the closest is ${closest}`,
      );
      plan.headers['x-batchwire-closest-route'] = closest;
      return plan;
    }
    const { route: r, params } = routing;
    if (r.service === 'control') return controlRefusal(this, request) ?? (await r.handler(request, params));
    const service = this.service(r.service);
    let held: Uint8Array<ArrayBuffer> | undefined;
    const intercepted: InterceptedRequest = {
      ...request,
      service: service.id,
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
    if (this.auth !== undefined) {
      // Credentials first, as at the real service's front door: interceptors see only what passed.
      const refused = await this.auth.check(service, intercepted, {
        now: () => this.clock.now(),
        url: () => this.url,
        batch: this.batch,
        bytes: () => intercepted.bytes(),
      });
      if (refused !== undefined) return refused;
    }
    const handle = async (): Promise<ResponsePlan> => {
      for (const check of service.checks) {
        const refused = await check(intercepted, params);
        if (refused !== undefined) return refused;
      }
      return await r.handler(intercepted, params);
    };
    const chain = [...this.interceptors];
    const run = async (i: number): Promise<ResponsePlan> => {
      if (i < 0) return await handle();
      return await chain[i]!(intercepted, () => run(i - 1));
    };
    return await run(chain.length - 1);
  }

  /** An answer the emulator gives itself, in the shape of the service the path belongs to. */
  refusal(
    service: EmulatedService | undefined,
    request: ParsedRequest,
    kind: RefusalKind,
    status: number,
    message: string,
  ): ResponsePlan {
    if (service) return service.refusal(request, kind, status, message);
    const error = kind === 'no-route' ? 'NoRoute' : kind === 'method' ? 'MethodNotAllowed' : 'BadRequest';
    return jsonPlan(status, { error, message });
  }

  /** The response a `status` fault writes instead of the service's: the service's own error shape. */
  statusPlan(
    service: EmulatedService | undefined,
    request: ParsedRequest,
    params: Readonly<Record<string, string>>,
    action: Extract<FaultAction, { type: 'status' }>,
  ): ResponsePlan {
    const shape = service ?? this.serviceOf(request.segments);
    const plan = shape
      ? shape.statusFault(request, params, action)
      : jsonPlan(action.status, {
          error: action.fault ?? 'Fault',
          message: action.message ?? `The emulator injected the fault ${action.fault ?? 'Fault'}.`,
        });
    for (const [k, v] of Object.entries(action.headers ?? {})) plan.headers[k.toLowerCase()] = v;
    return plan;
  }

  /** The plan for an error the emulator hit itself (a bug in it or in an interceptor). */
  internalErrorPlan(
    service: EmulatedService | undefined,
    request: ParsedRequest,
    error: unknown,
  ): ResponsePlan {
    let text: string;
    try {
      text = error instanceof Error ? error.message : String(error);
    } catch {
      text = 'an exception';
    }
    const message = `internal error: ${text}`.slice(0, 1000);
    return service
      ? service.internalError(request, message)
      : jsonPlan(500, { error: 'InternalError', message });
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
        const stand = standInRequest(request.method, request.url);
        return {
          ...core.refusal(core.serviceOf(stand.segments), stand, 'malformed', 400, error.message),
          service: null,
          operation: null,
        };
      }
      const routing = core.route(parsed);
      const service =
        routing.kind === 'route' && routing.route.service !== 'control'
          ? core.service(routing.route.service)
          : undefined;
      let plan: ResponsePlan;
      try {
        plan = await core.dispatch(parsed, routing);
      } catch (error) {
        // As on the socket: a request the client could have sent gets an answer, not an exception.
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
export function createEmulator(options?: (EmulatorOptions & { baseUrl?: string | null }) | null): Emulator {
  const core = guarded('options', () => {
    const o = optionsObject(options, 'createEmulator');
    const baseUrl = textOption(o, 'baseUrl', 'createEmulator') ?? 'http://127.0.0.1';
    return new EmulatorCore(o, baseUrl.replace(/\/+$/, ''));
  });
  return emulatorOf(core, async () => {});
}
