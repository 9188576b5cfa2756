// The HPC Pack SOA Web API: sessions, batches (broker clients) and their request and response
// queues, as the REST service and the broker behind it behave (shared/reference/hpc-pack-*.md).
// Requests and responses are kept in compact byte logs, so a batch of a million responses
// costs a few bytes of JS heap per response, and Get Responses streams them without building
// the body in memory. This file is the service's REST surface (routes, checks, errors, the
// session operations); Send Requests (hpc-flush.ts), Get Responses (hpc-responses.ts), the
// state (hpc-state.ts) and the documents (hpc-documents.ts) live apart.

import { BatchwireError, invalidArgument } from '../core/errors.js';
import { optionsObject, optionValue, textOption } from '../core/options.js';
import type { FaultPair } from './fault-bodies.js';
import type { FaultAction } from './faults.js';
import { guarded } from './guard.js';
import {
  argumentFault,
  bodyFault,
  boolParam,
  clientStatusPlan,
  clustersPlan,
  emptyPlan,
  hpcFault,
  readStartInfo,
  sessionInfoPlan,
} from './hpc-documents.js';
import { pumpBatch, readRequests } from './hpc-flush.js';
import { getResponsesPlan } from './hpc-responses.js';
import { type Batch, newBatch, notify, type Session, statusOf } from './hpc-state.js';
import type {
  HpcBatchInfo,
  HpcPackEmulator,
  HpcPackEmulatorOptions,
  HpcService,
  HpcSessionInfo,
} from './hpc-types.js';
import type { ParsedRequest, ResponsePlan } from './plan.js';
import { BodyRefused } from './request.js';
import type { EmulatedService, RefusalKind, RequestCheck, ServiceRoute } from './service.js';

export { GENERIC_REPLY_ACTION, GENERIC_REQUEST_ACTION } from './hpc-flush.js';

/** The `api-version` values the SOA Web API documents. */
export const HPC_API_VERSIONS: readonly string[] = ['2011-11-01', '2012-03-31.3.4', '2012-11-01.4.0'];

/**
 * The default service: echoes each request. A generic request's input comes back as the output
 * with the generic reply action; a SOAP request `<Op>` comes back as `<OpResponse>` with action
 * `{request action}Response` and a single `<OpResult>` holding the request body's inner XML as text.
 */
export const echoService: HpcService = (request) => {
  // Read once, inside the guard: a proxy or getter that throws is a bad argument, not a crash.
  const input = guarded('echoService', () =>
    typeof request === 'object' && request !== null ? (request as { input?: unknown }).input : undefined,
  );
  if (typeof input !== 'string') {
    throw new BatchwireError('INVALID_ARGUMENT', 'echoService expects a request with a string input', 0);
  }
  return input;
};

/** What the HPC handlers need from the emulator. */
export interface HpcContext {
  /** `host:port` reported as the broker node. */
  brokerNode: string;
  maxBodyBytes: number;
  maxDocumentBytes: number;
}

const BATCH_NAME = /^[0-9a-zA-Z_\-{}\s]*$/;
const WHAT = 'startEmulator: hpcPack';

type Params = Readonly<Record<string, string>>;

/** The options, checked: `null` means the default for the object and for each field. */
function readOptions(value: unknown): {
  cluster: string;
  service: HpcService;
  services: [string, HpcService][];
  flavour: 'HPCPack2008' | 'HPCServer2008';
} {
  const o = optionsObject(value, WHAT);
  const cluster = textOption(o, 'cluster', WHAT) ?? 'HEAD';
  if (cluster === '' || cluster.includes('/')) throw invalidArgument(`${WHAT}: cluster must be a name`);
  const service = optionValue(o, 'service', WHAT) ?? echoService;
  if (typeof service !== 'function') throw invalidArgument(`${WHAT}: service must be a function`);
  const services = optionsObject(optionValue(o, 'services', WHAT), `${WHAT}.services`);
  const named: [string, HpcService][] = [];
  for (const name of Object.keys(services)) {
    const s = services[name];
    if (typeof s !== 'function') throw invalidArgument(`${WHAT}.services: ${name} must be a function`);
    named.push([name, s as HpcService]);
  }
  const flavour = optionValue(o, 'soapFlavour', WHAT) ?? 'HPCPack2008';
  if (flavour !== 'HPCPack2008' && flavour !== 'HPCServer2008')
    throw invalidArgument(`${WHAT}: soapFlavour must be 'HPCPack2008' or 'HPCServer2008'`);
  return { cluster, service: service as HpcService, services: named, flavour };
}

/** The HPC Pack SOA Web API emulation: state and handlers. */
export class HpcPackService implements HpcPackEmulator, EmulatedService {
  readonly id = 'hpc-pack' as const;
  readonly cluster: string;
  readonly routes: readonly ServiceRoute[];
  readonly checks: RequestCheck[];
  private sessionsById = new Map<number, Session>();
  private nextSessionId = 1;
  private defaultService: HpcService;
  private byName: Map<string, HpcService>;
  private readonly settings: ReturnType<typeof readOptions>;

  constructor(
    options: HpcPackEmulatorOptions | null | undefined,
    private readonly context: () => HpcContext,
  ) {
    this.settings = readOptions(options);
    this.cluster = this.settings.cluster;
    this.defaultService = this.settings.service;
    this.byName = new Map(this.settings.services);
    this.checks = [(request, params) => this.checkVersionAndCluster(request, params)];
    this.routes = this.buildRoutes();
  }

  private buildRoutes(): ServiceRoute[] {
    const batch = '/session/{sessionId}/batch/{batchName}';
    const operations: [
      string,
      string,
      string,
      (r: ParsedRequest, p: Params) => ResponsePlan | Promise<ResponsePlan>,
    ][] = [
      ['POST', '/sessions/Create', 'createSession', (r) => this.createSession(r)],
      ['GET', '/session/{sessionId}/Attach', 'attachSession', (r, p) => this.attachSession(r, p)],
      ['POST', '/session/{sessionId}/Close', 'closeSession', (r, p) => this.closeSession(r, p)],
      ['POST', batch, 'sendRequests', (r, p) => this.sendRequests(r, p)],
      ['GET', `${batch}/Status`, 'getRequestStatus', (r, p) => this.getRequestStatus(r, p)],
      ['POST', `${batch}/Commit`, 'commitRequests', (r, p) => this.commitRequests(r, p)],
      ['POST', `${batch}/Purge`, 'deleteRequests', (r, p) => this.deleteRequests(r, p)],
      ['POST', `${batch}/Response`, 'getResponses', (r, p) => this.getResponses(r, p)],
    ];
    // The HPC Pack 2016 form first, then the pre-2016 form with the cluster segment.
    const routes: ServiceRoute[] = [
      {
        method: 'GET',
        path: '/WindowsHPC/Clusters',
        operation: 'getClusters',
        handler: (r) => this.getClusters(r),
      },
    ];
    for (const prefix of ['/WindowsHPC', '/WindowsHPC/{cluster}']) {
      for (const [method, path, operation, handler] of operations)
        routes.push({ method, path: `${prefix}${path}`, operation, handler });
    }
    return routes;
  }

  owns(segments: readonly string[]): boolean {
    return (segments[0] ?? '').toLowerCase() === 'windowshpc';
  }

  setService(service: HpcService | undefined, serviceName?: string): void {
    if (service !== undefined && service !== null && typeof service !== 'function')
      throw invalidArgument('setService: a service must be a function');
    if (serviceName !== undefined && serviceName !== null && typeof serviceName !== 'string')
      throw invalidArgument('setService: serviceName must be a string');
    if (serviceName === undefined || serviceName === null) this.defaultService = service ?? echoService;
    else if (service === undefined || service === null) this.byName.delete(serviceName);
    else this.byName.set(serviceName, service);
  }

  sessions(): HpcSessionInfo[] {
    return [...this.sessionsById.values()].map((s) => ({
      id: s.id,
      serviceName: s.serviceName,
      durable: s.durable,
      closed: s.closed,
      batches: [...s.batches.values()].map(
        (b): HpcBatchInfo => ({
          name: b.name,
          status: statusOf(b),
          requests: b.requestCount,
          responses: b.responses?.length ?? 0,
        }),
      ),
    }));
  }

  /** Forgets every session (pending Get Responses end as purged). */
  reset(): void {
    for (const session of this.sessionsById.values()) {
      for (const batch of session.batches.values()) this.purge(batch);
    }
    this.sessionsById.clear();
    this.nextSessionId = 1;
    this.defaultService = this.settings.service;
    this.byName = new Map(this.settings.services);
  }

  // ---- errors ------------------------------------------------------------------------------

  /** An HpcWebServiceFault response: XML, or JSON when the request's Accept asks for it. */
  fault(
    request: ParsedRequest,
    status: number,
    name: string,
    values: readonly FaultPair[] = [],
    message?: string,
  ): ResponsePlan {
    return hpcFault(request, status, name, values, message);
  }

  refusal(request: ParsedRequest, _kind: RefusalKind, status: number, message: string): ResponsePlan {
    return hpcFault(
      request,
      status,
      'ArgumentError',
      [
        { key: 'path', value: request.path.slice(0, 500) },
        { key: 'reason', value: message },
      ],
      'The request cannot be served: {1}',
    );
  }

  statusFault(
    request: ParsedRequest,
    params: Params,
    action: Extract<FaultAction, { type: 'status' }>,
  ): ResponsePlan {
    const name = action.fault ?? (action.status >= 500 ? 'UnknownError' : 'ArgumentError');
    if (action.message !== undefined) return hpcFault(request, action.status, name, [], action.message);
    return hpcFault(request, action.status, name, this.injectedValues(request, params, name));
  }

  // The arguments of an injected fault's message, from the request it answers, so that every
  // format item of the message is filled (`for session 3`, not `for session .`).
  private injectedValues(request: ParsedRequest, params: Params, name: string): FaultPair[] {
    const session = params.sessionId ?? '(none)';
    const batch = this.findBatch(params);
    const state = batch === undefined ? 'Unknown' : statusOf(batch);
    const reason = 'injected by an emulator fault rule';
    switch (name) {
      case 'BrokerNotActive':
      case 'InvalidSessionId':
        return [{ key: 'sessionId', value: session }];
      case 'APIVersionIncorrect':
        return [
          {
            key: 'api-version',
            value: request.headers['api-version'] ?? request.query.get('api-version') ?? '',
          },
          { key: 'supported', value: HPC_API_VERSIONS.join(', ') },
        ];
      case 'ArgumentError':
      case 'InvalidArgument':
        return [
          { key: 'argument', value: 'request' },
          { key: 'reason', value: reason },
        ];
      case 'UnknownError':
        return [{ key: 'reason', value: reason }];
      case 'Broker_FlushRejected':
      case 'Broker_EOMRejected':
        return [{ key: 'state', value: state }];
      default:
        return [];
    }
  }

  internalError(request: ParsedRequest, message: string): ResponsePlan {
    return hpcFault(request, 500, 'UnknownError', [{ key: 'reason', value: message }]);
  }

  // ---- checks ------------------------------------------------------------------------------

  /** The api-version every operation needs (header first), and the cluster segment of a pre-2016 URI. */
  private checkVersionAndCluster(request: ParsedRequest, params: Params): ResponsePlan | undefined {
    const version = request.headers['api-version'] ?? request.query.get('api-version');
    if (version === undefined || version === '') {
      return hpcFault(
        request,
        400,
        'APIVersionIncorrect',
        [{ key: 'api-version', value: '' }],
        `The api-version is missing: give it as a header or a query parameter. Supported versions: ${HPC_API_VERSIONS.join(', ')}.`,
      );
    }
    if (!HPC_API_VERSIONS.includes(version)) {
      return hpcFault(request, 400, 'APIVersionIncorrect', [
        { key: 'api-version', value: version },
        { key: 'supported', value: HPC_API_VERSIONS.join(', ') },
      ]);
    }
    const cluster = params.cluster;
    if (cluster !== undefined && cluster.toLowerCase() !== this.cluster.toLowerCase()) {
      return argumentFault(request, 'cluster', cluster, `this head node hosts cluster ${this.cluster}`, {
        status: 404,
        name: 'InvalidArgument',
      });
    }
    return undefined;
  }

  private sessionFor(request: ParsedRequest, params: Params, active: boolean): Session | ResponsePlan {
    const raw = params.sessionId ?? '';
    const id = /^[0-9]{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
    const session = this.sessionsById.get(id);
    if (!session) return hpcFault(request, 400, 'InvalidSessionId', [{ key: 'sessionId', value: raw }]);
    if (active && session.closed)
      return hpcFault(request, 400, 'BrokerNotActive', [{ key: 'sessionId', value: raw }]);
    return session;
  }

  private findBatch(params: Params): Batch | undefined {
    const raw = params.sessionId ?? '';
    const session = /^[0-9]{1,9}$/.test(raw) ? this.sessionsById.get(Number(raw)) : undefined;
    return session?.batches.get(params.batchName ?? '');
  }

  private batchFor(
    request: ParsedRequest,
    params: Params,
  ): { session: Session; batch: Batch } | ResponsePlan {
    const session = this.sessionFor(request, params, true);
    if (!('batches' in session)) return session;
    const name = params.batchName ?? '';
    if (name.length > 128 || !BATCH_NAME.test(name)) {
      return argumentFault(
        request,
        'batchName',
        name,
        'a batch name has at most 128 letters, digits, spaces, _, -, { or }',
      );
    }
    // The broker creates a client on first reference by any batch call.
    let batch = session.batches.get(name);
    if (!batch) {
      batch = newBatch(name);
      session.batches.set(name, batch);
    }
    return { session, batch };
  }

  // ---- operations -------------------------------------------------------------------------

  getClusters(request: ParsedRequest): ResponsePlan {
    return clustersPlan(request, this.cluster);
  }

  async createSession(request: ParsedRequest): Promise<ResponsePlan> {
    const durable = boolParam(request.query.get('durable'));
    if (durable === undefined || durable === 'invalid') {
      return argumentFault(
        request,
        'durable',
        request.query.get('durable') ?? '',
        'durable=true or durable=false is required',
      );
    }
    const info = await readStartInfo(request, this.context().maxDocumentBytes);
    if ('status' in info) return info;
    const session: Session = {
      id: this.nextSessionId++,
      serviceName: info.serviceName,
      durable,
      closed: false,
      maxMessageSize: info.maxMessageSize,
      batches: new Map(),
    };
    this.sessionsById.set(session.id, session);
    return sessionInfoPlan(request, session, 201, this.context().brokerNode);
  }

  attachSession(request: ParsedRequest, params: Params): ResponsePlan {
    const durable = boolParam(request.query.get('durable'));
    if (durable === 'invalid')
      return argumentFault(
        request,
        'durable',
        request.query.get('durable') ?? '',
        'durable is true or false',
      );
    const session = this.sessionFor(request, params, false);
    if (!('batches' in session)) return session;
    if (session.closed)
      return hpcFault(request, 400, 'InvalidSessionId', [{ key: 'sessionId', value: String(session.id) }]);
    return sessionInfoPlan(request, session, 200, this.context().brokerNode);
  }

  closeSession(request: ParsedRequest, params: Params): ResponsePlan {
    const session = this.sessionFor(request, params, false);
    if (!('batches' in session)) return session;
    if (!session.closed) {
      session.closed = true;
      // Closing ends the session's job and deletes its responses.
      for (const batch of session.batches.values()) this.purge(batch);
      session.batches.clear();
    }
    return emptyPlan(200);
  }

  getRequestStatus(request: ParsedRequest, params: Params): ResponsePlan {
    const found = this.batchFor(request, params);
    if (!('batch' in found)) return found;
    return clientStatusPlan(request, statusOf(found.batch));
  }

  private commit(request: ParsedRequest, batch: Batch, session: Session, status: number): ResponsePlan {
    const state = statusOf(batch);
    const values = [{ key: 'batchName', value: batch.name }];
    if (state === 'Processing') return hpcFault(request, 400, 'Broker_EOMReject_EndRequests', values);
    if (state === 'Finished') return hpcFault(request, 400, 'Broker_EOMReject_GetResponse', values);
    if (batch.requestCount === 0) return hpcFault(request, 400, 'Broker_EOMReject_NoRequest', values);
    batch.committed = true;
    notify(batch);
    this.pump(session, batch);
    return emptyPlan(status);
  }

  commitRequests(request: ParsedRequest, params: Params): ResponsePlan {
    const found = this.batchFor(request, params);
    if (!('batch' in found)) return found;
    return this.commit(request, found.batch, found.session, 200);
  }

  deleteRequests(request: ParsedRequest, params: Params): ResponsePlan {
    const found = this.batchFor(request, params);
    if (!('batch' in found)) return found;
    this.purge(found.batch);
    found.session.batches.delete(found.batch.name);
    return emptyPlan(200);
  }

  private purge(batch: Batch): void {
    batch.purged = true;
    batch.requests.clear();
    batch.responses?.clear();
    batch.extras.clear();
    notify(batch);
  }

  private pump(session: Session, batch: Batch): void {
    void pumpBatch(session, batch, (name) => this.byName.get(name) ?? this.defaultService);
  }

  async sendRequests(request: ParsedRequest, params: Params): Promise<ResponsePlan> {
    const found = this.batchFor(request, params);
    if (!('batch' in found)) return found;
    const { batch } = found;
    // Send Requests calls on one batch run one after another.
    const turn = batch.flushing.then(() => this.flush(request, found.session, batch));
    batch.flushing = turn.catch(() => undefined);
    return turn;
  }

  private async flush(request: ParsedRequest, session: Session, batch: Batch): Promise<ResponsePlan> {
    const notActive = () =>
      hpcFault(request, 400, 'BrokerNotActive', [{ key: 'sessionId', value: String(session.id) }]);
    if (batch.purged || session.closed) return notActive();
    const commit = boolParam(request.query.get('commit'));
    const generic = boolParam(request.query.get('genericservice'));
    for (const [key, value] of [
      ['commit', commit],
      ['genericservice', generic],
    ] as const) {
      if (value === 'invalid')
        return argumentFault(request, key, request.query.get(key) ?? '', `${key} is true or false`);
    }
    const state = statusOf(batch);
    if (state !== 'Ready')
      return hpcFault(request, 400, 'Broker_FlushRejected', [{ key: 'state', value: state }]);
    const format = generic === true ? 'generic' : 'soap';
    if (batch.format !== undefined && batch.format !== format) {
      return argumentFault(
        request,
        'genericservice',
        String(generic === true),
        `batch ${batch.name} already holds ${batch.format} requests`,
      );
    }
    // A flush is all or nothing: requests decoded before a problem in the body are rolled back.
    const before = batch.requests.length;
    let added: number;
    try {
      added = await readRequests(request, session, batch, format, this.context().maxBodyBytes);
    } catch (error) {
      batch.requests.truncate(before);
      if (error instanceof BodyRefused) return argumentFault(request, 'body', '', error.message);
      return bodyFault(request, error);
    }
    if (batch.purged) return notActive();
    batch.requestCount += added;
    if (added > 0) batch.format = format;
    // Each flush may run before Commit, as the broker dispatches requests as they come.
    this.pump(session, batch);
    if (commit === true) return this.commit(request, batch, session, 201);
    return emptyPlan(200);
  }

  getResponses(request: ParsedRequest, params: Params): ResponsePlan {
    const found = this.batchFor(request, params);
    if (!('batch' in found)) return found;
    return getResponsesPlan(request, found.session, found.batch, this.settings.flavour);
  }
}

export type {
  HpcBatchInfo,
  HpcPackEmulator,
  HpcPackEmulatorOptions,
  HpcService,
  HpcServiceFault,
  HpcServiceRequest,
  HpcServiceResult,
  HpcSessionInfo,
} from './hpc-types.js';
