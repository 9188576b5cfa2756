// The HPC Pack SOA Web API: sessions, batches (broker clients) and their request and response
// queues, as the REST service and the broker behind it behave (shared/reference/hpc-pack-*.md).
// Requests and responses are kept in compact byte logs, so a batch of a million responses
// costs a few bytes of JS heap per response, and Get Responses streams them without building
// the body in memory.
// Over 500 lines on purpose: HpcPackService is the REST surface, one method per operation of the
// SOA Web API, and the operations read and change the same sessions and batches; the state
// (hpc-state.ts) and Get Responses' cursor (hpc-responses.ts) live apart.

import { charsetOf, detectEncoding, type TextEncodingName } from '../core/charset.js';
import { END_OF_GET_RESPONSE_ACTION } from '../core/end-of-responses.js';
import { BatchwireError, isBatchwireError } from '../core/errors.js';
import { decodeGenericRequests } from '../generic/index.js';
import { readMessageArray } from '../soap/index.js';
import { type FaultPair, HPC_CODES, hpcFaultBody, hpcFaultByName } from './fault-bodies.js';
import { ResponseCursor } from './hpc-responses.js';
import {
  ACKED,
  type Batch,
  codeOf,
  HANDED,
  isThenable,
  newBatch,
  notify,
  PENDING,
  type ResponseExtra,
  SEP,
  type Session,
  statusOf,
  yieldToLoop,
} from './hpc-state.js';
import type {
  HpcBatchInfo,
  HpcPackEmulator,
  HpcPackEmulatorOptions,
  HpcService,
  HpcServiceFault,
  HpcServiceRequest,
  HpcServiceResult,
  HpcSessionInfo,
} from './hpc-types.js';
import type { ParsedRequest, ResponsePlan } from './plan.js';
import { type LogEncoding, RecordLog } from './record-log.js';
import { limitedBody, readBody, wantsJson } from './request.js';
import { hasLoneSurrogate } from './wire.js';
import { escapeXml, readFlatXml } from './xml.js';

/** The generic service's request action. */
export const GENERIC_REQUEST_ACTION =
  'http://hpc.microsoft.com/GenericService/IGenericService/GenericOperation';
/** The generic service's reply action. */
export const GENERIC_REPLY_ACTION =
  'http://hpc.microsoft.com/GenericService/IGenericService/GenericOperationResponse';

/** The `api-version` values the SOA Web API documents. */
export const HPC_API_VERSIONS: readonly string[] = ['2011-11-01', '2012-03-31.3.4', '2012-11-01.4.0'];

/**
 * The default service: echoes each request. A generic request's input comes back as the output
 * with the generic reply action; a SOAP request `<Op>` comes back as `<OpResponse>` with action
 * `{request action}Response` and a single `<OpResult>` holding the request body's inner XML as text.
 */
export const echoService: HpcService = (request) => {
  if (typeof request !== 'object' || request === null || typeof request.input !== 'string') {
    throw new BatchwireError('INVALID_ARGUMENT', 'echoService expects a request with a string input', 0);
  }
  return request.input;
};

/** What the HPC handlers need from the emulator. */
export interface HpcContext {
  /** `host:port` reported as the broker node. */
  brokerNode: string;
  maxBodyBytes: number;
  maxDocumentBytes: number;
}

const BATCH_NAME = /^[0-9a-zA-Z_\-{}\s]*$/;

function boolParam(value: string | undefined): boolean | undefined | 'invalid' {
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  return 'invalid';
}

/** The HPC Pack SOA Web API emulation: state and handlers. */
export class HpcPackService implements HpcPackEmulator {
  readonly cluster: string;
  private sessionsById = new Map<number, Session>();
  private nextSessionId = 1;
  private defaultService: HpcService;
  private byName = new Map<string, HpcService>();
  private readonly flavour: 'HPCPack2008' | 'HPCServer2008';

  constructor(
    private readonly options: HpcPackEmulatorOptions,
    private readonly context: () => HpcContext,
  ) {
    this.cluster = options.cluster ?? 'HEAD';
    this.defaultService = options.service ?? echoService;
    for (const [name, service] of Object.entries(options.services ?? {})) this.byName.set(name, service);
    this.flavour = options.soapFlavour ?? 'HPCPack2008';
  }

  setService(service: HpcService | undefined, serviceName?: string): void {
    if (service !== undefined && typeof service !== 'function')
      throw new BatchwireError('INVALID_ARGUMENT', 'a service must be a function', 0);
    if (serviceName === undefined) this.defaultService = service ?? echoService;
    else if (service === undefined) this.byName.delete(serviceName);
    else this.byName.set(serviceName, service);
  }

  sessions(): HpcSessionInfo[] {
    return [...this.sessionsById.values()].map((s) => ({
      id: s.id,
      serviceName: s.serviceName,
      durable: s.durable,
      closed: s.closed,
      batches: [...s.batches.values()].map((b) => ({
        name: b.name,
        status: statusOf(b),
        requests: b.requestCount,
        responses: b.responses?.length ?? 0,
      })),
    }));
  }

  /** Forgets every session (pending Get Responses end as purged). */
  reset(): void {
    for (const session of this.sessionsById.values()) {
      for (const batch of session.batches.values()) this.purge(batch);
    }
    this.sessionsById.clear();
    this.nextSessionId = 1;
    this.defaultService = this.options.service ?? echoService;
    this.byName = new Map(Object.entries(this.options.services ?? {}));
  }

  // ---- faults and documents -------------------------------------------------------------

  /** An HpcWebServiceFault response: XML, or JSON when the request's Accept asks for it. */
  fault(
    request: ParsedRequest,
    status: number,
    name: string,
    values: readonly FaultPair[] = [],
    message?: string,
  ): ResponsePlan {
    const known = hpcFaultByName(name);
    const json = wantsJson(request);
    const body = hpcFaultBody(known.code, message ?? known.message, values, json);
    return {
      status,
      headers: {
        'content-type': json ? 'application/json; charset=utf-8' : 'application/xml; charset=utf-8',
      },
      body: { kind: 'bytes', bytes: Buffer.from(body, 'utf8') },
    };
  }

  private document(request: ParsedRequest, status: number, json: unknown, xml: string): ResponsePlan {
    if (wantsJson(request)) {
      return {
        status,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: { kind: 'json', value: json },
      };
    }
    return {
      status,
      headers: { 'content-type': 'application/xml; charset=utf-8' },
      body: { kind: 'bytes', bytes: Buffer.from(xml, 'utf8') },
    };
  }

  private empty(status: number): ResponsePlan {
    return { status, headers: {} };
  }

  /**
   * Checks what every operation needs: an api-version (header first), the cluster segment of a
   * pre-2016 URI. Returns a fault plan, or undefined when the request may go on.
   */
  check(request: ParsedRequest, params: Readonly<Record<string, string>>): ResponsePlan | undefined {
    const version = request.headers['api-version'] ?? request.query.get('api-version');
    if (version === undefined || version === '') {
      return this.fault(
        request,
        400,
        'APIVersionIncorrect',
        [{ key: 'api-version', value: '' }],
        `The api-version is missing: give it as a header or a query parameter. Supported versions: ${HPC_API_VERSIONS.join(', ')}.`,
      );
    }
    if (!HPC_API_VERSIONS.includes(version)) {
      return this.fault(request, 400, 'APIVersionIncorrect', [
        { key: 'api-version', value: version },
        { key: 'supported', value: HPC_API_VERSIONS.join(', ') },
      ]);
    }
    const cluster = params.cluster;
    if (cluster !== undefined && cluster.toLowerCase() !== this.cluster.toLowerCase()) {
      return this.fault(request, 404, 'InvalidArgument', [
        { key: 'cluster', value: cluster },
        { key: 'reason', value: `this head node hosts cluster ${this.cluster}` },
      ]);
    }
    return undefined;
  }

  private sessionFor(
    request: ParsedRequest,
    params: Readonly<Record<string, string>>,
    active: boolean,
  ): Session | ResponsePlan {
    const raw = params.sessionId ?? '';
    const id = /^[0-9]{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
    const session = this.sessionsById.get(id);
    if (!session) return this.fault(request, 400, 'InvalidSessionId', [{ key: 'sessionId', value: raw }]);
    if (active && session.closed)
      return this.fault(request, 400, 'BrokerNotActive', [{ key: 'sessionId', value: raw }]);
    return session;
  }

  private batchFor(
    request: ParsedRequest,
    params: Readonly<Record<string, string>>,
  ): { session: Session; batch: Batch } | ResponsePlan {
    const session = this.sessionFor(request, params, true);
    if (!('batches' in session)) return session;
    const name = params.batchName ?? '';
    if (name.length > 128 || !BATCH_NAME.test(name)) {
      return this.fault(request, 400, 'ArgumentError', [
        { key: 'batchName', value: name.slice(0, 200) },
        { key: 'reason', value: 'a batch name has at most 128 letters, digits, spaces, _, -, { or }' },
      ]);
    }
    // The broker creates a client on first reference by any batch call.
    let batch = session.batches.get(name);
    if (!batch) {
      batch = newBatch(name);
      session.batches.set(name, batch);
    }
    return { session, batch };
  }

  private sessionInfo(request: ParsedRequest, session: Session, status: number): ResponsePlan {
    const info = {
      BrokerNode: this.context().brokerNode,
      Id: session.id,
      IsDurable: session.durable,
      MaxMessageSize: session.maxMessageSize,
      ServiceOperationTimeout: 86_400_000,
      ServiceVersion: null,
    };
    const xml =
      `<WebSessionInfo xmlns="http://hpc.microsoft.com/" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">` +
      `<BrokerNode>${escapeXml(info.BrokerNode)}</BrokerNode><Id>${info.Id}</Id><IsDurable>${info.IsDurable}</IsDurable>` +
      `<MaxMessageSize>${info.MaxMessageSize}</MaxMessageSize><ServiceOperationTimeout>${info.ServiceOperationTimeout}</ServiceOperationTimeout>` +
      `<ServiceVersion i:nil="true" xmlns:a="http://schemas.datacontract.org/2004/07/System"/></WebSessionInfo>`;
    return this.document(request, status, info, xml);
  }

  // ---- operations -------------------------------------------------------------------------

  getClusters(request: ParsedRequest): ResponsePlan {
    const xml =
      `<ArrayOfObject xmlns="http://schemas.microsoft.com/HPCS2008R2/common" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">` +
      `<Object><Properties><Property><Name>Name</Name><Value>${escapeXml(this.cluster)}</Value></Property></Properties></Object></ArrayOfObject>`;
    return this.document(request, 200, [{ Properties: [{ Name: 'Name', Value: this.cluster }] }], xml);
  }

  async createSession(request: ParsedRequest): Promise<ResponsePlan> {
    const durable = boolParam(request.query.get('durable'));
    if (durable === undefined || durable === 'invalid') {
      return this.fault(request, 400, 'ArgumentError', [
        { key: 'durable', value: request.query.get('durable') ?? '' },
        { key: 'reason', value: 'durable=true or durable=false is required' },
      ]);
    }
    let bytes: Uint8Array;
    try {
      bytes = await readBody(request, this.context().maxDocumentBytes);
    } catch (error) {
      return this.bodyError(request, error);
    }
    const text = Buffer.from(bytes).toString('utf8');
    const fields = new Map<string, unknown>();
    const contentType = (request.headers['content-type'] ?? '').toLowerCase();
    const trimmed = text.trimStart();
    if (contentType.includes('json') || trimmed.startsWith('{')) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return this.fault(request, 400, 'ArgumentError', [{ key: 'body', value: 'not valid JSON' }]);
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return this.fault(request, 400, 'ArgumentError', [
          { key: 'body', value: 'expected a WebSessionStartInfo object' },
        ]);
      }
      for (const [k, v] of Object.entries(value)) fields.set(k, v);
    } else if (trimmed !== '') {
      const xml = readFlatXml(text);
      if (typeof xml === 'string' || xml.root !== 'WebSessionStartInfo') {
        return this.fault(request, 400, 'ArgumentError', [
          {
            key: 'body',
            value: typeof xml === 'string' ? xml : `expected WebSessionStartInfo, got ${xml.root}`,
          },
        ]);
      }
      for (const [k, v] of xml.fields) fields.set(k, v);
    }
    const serviceName = fields.get('ServiceName');
    if (typeof serviceName !== 'string' || serviceName === '') {
      return this.fault(request, 400, 'ArgumentError', [
        { key: 'ServiceName', value: '' },
        { key: 'reason', value: 'WebSessionStartInfo.ServiceName is required' },
      ]);
    }
    const maxRaw = fields.get('MaxMessageSize');
    const max =
      typeof maxRaw === 'number' ? maxRaw : typeof maxRaw === 'string' ? Number(maxRaw) : 2147483647;
    const session: Session = {
      id: this.nextSessionId++,
      serviceName,
      durable,
      closed: false,
      maxMessageSize: Number.isSafeInteger(max) && max > 0 ? max : 2147483647,
      batches: new Map(),
    };
    this.sessionsById.set(session.id, session);
    return this.sessionInfo(request, session, 201);
  }

  attachSession(request: ParsedRequest, params: Readonly<Record<string, string>>): ResponsePlan {
    const durable = boolParam(request.query.get('durable'));
    if (durable === 'invalid') {
      return this.fault(request, 400, 'ArgumentError', [
        { key: 'durable', value: request.query.get('durable') ?? '' },
      ]);
    }
    const session = this.sessionFor(request, params, false);
    if (!('batches' in session)) return session;
    if (session.closed)
      return this.fault(request, 400, 'InvalidSessionId', [{ key: 'sessionId', value: String(session.id) }]);
    return this.sessionInfo(request, session, 200);
  }

  closeSession(request: ParsedRequest, params: Readonly<Record<string, string>>): ResponsePlan {
    const session = this.sessionFor(request, params, false);
    if (!('batches' in session)) return session;
    if (!session.closed) {
      session.closed = true;
      // Closing ends the session's job and deletes its responses.
      for (const batch of session.batches.values()) this.purge(batch);
      session.batches.clear();
    }
    return this.empty(200);
  }

  getRequestStatus(request: ParsedRequest, params: Readonly<Record<string, string>>): ResponsePlan {
    const found = this.batchFor(request, params);
    if (!('batch' in found)) return found;
    const status = statusOf(found.batch);
    const number = { Ready: 1, Processing: 2, Finished: 3 }[status];
    return this.document(
      request,
      200,
      number,
      `<BrokerClientStatus xmlns="http://hpc.microsoft.com">${status}</BrokerClientStatus>`,
    );
  }

  private commit(request: ParsedRequest, batch: Batch, session: Session, status: number): ResponsePlan {
    const state = statusOf(batch);
    if (state === 'Processing')
      return this.fault(request, 400, 'Broker_EOMReject_EndRequests', [
        { key: 'batchName', value: batch.name },
      ]);
    if (state === 'Finished')
      return this.fault(request, 400, 'Broker_EOMReject_GetResponse', [
        { key: 'batchName', value: batch.name },
      ]);
    if (batch.requestCount === 0)
      return this.fault(request, 400, 'Broker_EOMReject_NoRequest', [
        { key: 'batchName', value: batch.name },
      ]);
    batch.committed = true;
    notify(batch);
    void this.pump(session, batch);
    return this.empty(status);
  }

  commitRequests(request: ParsedRequest, params: Readonly<Record<string, string>>): ResponsePlan {
    const found = this.batchFor(request, params);
    if (!('batch' in found)) return found;
    return this.commit(request, found.batch, found.session, 200);
  }

  deleteRequests(request: ParsedRequest, params: Readonly<Record<string, string>>): ResponsePlan {
    const found = this.batchFor(request, params);
    if (!('batch' in found)) return found;
    this.purge(found.batch);
    found.session.batches.delete(found.batch.name);
    return this.empty(200);
  }

  private purge(batch: Batch): void {
    batch.purged = true;
    batch.requests.clear();
    batch.responses?.clear();
    batch.extras.clear();
    notify(batch);
  }

  private bodyError(request: ParsedRequest, error: unknown): ResponsePlan {
    if (isBatchwireError(error) && error.code === 'LIMIT_EXCEEDED' && /request body/.test(error.message)) {
      return this.fault(request, 413, 'ArgumentError', [
        { key: 'body', value: 'too large' },
        { key: 'limit', value: String(this.context().maxBodyBytes) },
      ]);
    }
    if (isBatchwireError(error)) {
      return this.fault(request, 400, 'ArgumentError', [
        { key: 'body', value: error.code },
        { key: 'offset', value: String(error.offset) },
        { key: 'reason', value: error.message.slice(0, 500) },
      ]);
    }
    throw error;
  }

  async sendRequests(
    request: ParsedRequest,
    params: Readonly<Record<string, string>>,
  ): Promise<ResponsePlan> {
    const found = this.batchFor(request, params);
    if (!('batch' in found)) return found;
    const { batch } = found;
    const turn = batch.flushing.then(() => this.flush(request, found.session, batch));
    batch.flushing = turn.catch(() => undefined);
    return turn;
  }

  // biome-ignore lint/complexity/noExcessiveCognitiveComplexity: runs a batch's requests through the pluggable service (sync or async, faults, encodings) in arrival order, in one place
  private async flush(request: ParsedRequest, session: Session, batch: Batch): Promise<ResponsePlan> {
    if (batch.purged || session.closed) {
      return this.fault(request, 400, 'BrokerNotActive', [{ key: 'sessionId', value: String(session.id) }]);
    }
    const commit = boolParam(request.query.get('commit'));
    const generic = boolParam(request.query.get('genericservice'));
    if (commit === 'invalid' || generic === 'invalid') {
      return this.fault(request, 400, 'ArgumentError', [
        {
          key: commit === 'invalid' ? 'commit' : 'genericservice',
          value: request.query.get(commit === 'invalid' ? 'commit' : 'genericservice') ?? '',
        },
      ]);
    }
    const state = statusOf(batch);
    if (state !== 'Ready')
      return this.fault(request, 400, 'Broker_FlushRejected', [{ key: 'state', value: state }]);
    const format = generic === true ? 'generic' : 'soap';
    if (batch.format !== undefined && batch.format !== format) {
      return this.fault(request, 400, 'ArgumentError', [
        { key: 'genericservice', value: String(generic === true) },
        { key: 'reason', value: `batch ${batch.name} already holds ${batch.format} requests` },
      ]);
    }
    // A flush is all or nothing: requests decoded before a problem in the body are rolled back.
    const before = batch.requests.length;
    let added = 0;
    const contentType = request.headers['content-type'];
    const limit = this.context().maxBodyBytes;
    try {
      if (format === 'generic') {
        let encoding: TextEncodingName | undefined;
        const head: Uint8Array[] = [];
        let headLength = 0;
        const source = limitedBody(request, limit);
        const sniffing = async function* (): AsyncIterable<Uint8Array> {
          for await (const chunk of source) {
            if (encoding === undefined) {
              head.push(chunk);
              headLength += chunk.length;
              if (headLength < 3) continue;
              encoding = detectEncoding(Buffer.concat(head), charsetOf(contentType)).encoding;
              yield* head;
              continue;
            }
            yield chunk;
          }
          if (encoding === undefined && headLength > 0) {
            encoding = detectEncoding(Buffer.concat(head), charsetOf(contentType)).encoding;
            yield* head;
          }
        };
        const options =
          contentType === undefined
            ? { maxRecordBytes: session.maxMessageSize }
            : { contentType, maxRecordBytes: session.maxMessageSize };
        for await (const record of decodeGenericRequests(sniffing(), options)) {
          batch.requests.append(
            [GENERIC_REQUEST_ACTION, record.input, record.userData, '', '', ''].join(SEP),
          );
          added++;
        }
        if (batch.responses === undefined && encoding !== undefined)
          batch.responses = new RecordLog(encoding);
      } else {
        const source = limitedBody(request, limit);
        const options =
          contentType === undefined ? { requireEnd: false } : { requireEnd: false, contentType };
        for await (const record of readMessageArray(source, options)) {
          if (record.kind !== 'response') {
            throw Object.assign(
              new Error(
                record.kind === 'end'
                  ? 'a request array has no closing envelope'
                  : 'a request array holds no faults',
              ),
              {
                emulatorReason: true,
              },
            );
          }
          batch.requests.append(
            [
              record.action,
              record.body.xml,
              record.userData ?? '',
              record.messageId ?? '',
              record.body.name,
              record.body.namespace,
            ].join(SEP),
          );
          added++;
        }
        if (batch.responses === undefined) batch.responses = new RecordLog('utf-8');
      }
    } catch (error) {
      batch.requests.truncate(before);
      if ((error as { emulatorReason?: boolean }).emulatorReason) {
        return this.fault(request, 400, 'ArgumentError', [{ key: 'body', value: (error as Error).message }]);
      }
      return this.bodyError(request, error);
    }
    if (batch.purged)
      return this.fault(request, 400, 'BrokerNotActive', [{ key: 'sessionId', value: String(session.id) }]);
    batch.requestCount += added;
    if (added > 0) batch.format = format;
    // Each flush may run before Commit, as the broker dispatches requests as they come.
    void this.pump(session, batch);
    if (commit === true) return this.commit(request, batch, session, 201);
    return this.empty(200);
  }

  /** Runs the service over the batch's pending requests, in order, one at a time. */
  private async pump(session: Session, batch: Batch): Promise<void> {
    if (batch.processing) return;
    batch.processing = true;
    try {
      let sinceYield = 0;
      while (!batch.purged && batch.processed < batch.requestCount) {
        const fields = batch.requests.text(batch.processed - batch.requestBase).split(SEP);
        const [action = '', input = '', userData = '', messageId = '', bodyName = '', bodyNamespace = ''] =
          fields;
        const req: HpcServiceRequest = {
          sessionId: session.id,
          serviceName: session.serviceName,
          batchName: batch.name,
          index: batch.processed,
          generic: batch.format !== 'soap',
          action,
          input,
          userData,
        };
        if (batch.format === 'soap') {
          if (messageId !== '') req.messageId = messageId;
          req.body = { name: bodyName, namespace: bodyNamespace };
        }
        const service = this.byName.get(session.serviceName) ?? this.defaultService;
        let result: HpcServiceResult;
        try {
          const answer = service(req);
          result = isThenable(answer) ? await answer : answer;
        } catch (error) {
          result = { fault: { reason: error instanceof Error ? error.message : String(error) } };
        }
        if (batch.purged) return;
        this.store(batch, req, result);
        batch.processed++;
        if (++sinceYield >= 512) {
          sinceYield = 0;
          notify(batch);
          await yieldToLoop();
        }
      }
      if (
        !batch.purged &&
        batch.processed === batch.requestCount &&
        batch.requests.length === batch.processed - batch.requestBase
      ) {
        batch.requests.clear();
        batch.requestBase = batch.requestCount;
      }
    } finally {
      batch.processing = false;
      notify(batch);
    }
  }

  // biome-ignore lint/complexity/noExcessiveCognitiveComplexity: one arm per service result shape (output, { output, action }, { fault }, null) for generic and SOAP batches
  private store(batch: Batch, request: HpcServiceRequest, result: HpcServiceResult): void {
    if (result === null || result === undefined) return;
    batch.responses ??= new RecordLog('utf-8');
    const log = batch.responses;
    let action: string;
    let output: string;
    let extra: ResponseExtra | undefined;
    const soap = !request.generic;
    const replyName = soap ? `${request.body?.name ?? 'Operation'}Response` : 'GenericOperationResponse';
    if (typeof result === 'string') {
      action = soap ? `${request.action}Response` : GENERIC_REPLY_ACTION;
      output = result;
    } else if (typeof result === 'object' && 'fault' in result && result.fault) {
      const f = result.fault;
      action = f.action ?? 'http://hpc.microsoft.com/session/SessionFault';
      output = String(f.reason ?? '');
      extra = {
        fault: {
          code: codeOf(f.code) ?? 's:Receiver',
          subcodes: Array.isArray(f.subcodes) ? f.subcodes.map((c) => codeOf(c) ?? String(c)) : [],
        },
      };
      if (f.detail !== undefined) extra.fault!.detail = String(f.detail);
    } else if (typeof result === 'object') {
      const r = result as Exclude<HpcServiceResult, string | null | undefined | { fault: HpcServiceFault }>;
      action = r.action ?? (soap ? `${request.action}Response` : GENERIC_REPLY_ACTION);
      output = r.output ?? '';
      if (r.body) {
        extra = {};
        if (r.body.name !== undefined) extra.bodyName = r.body.name;
        if (r.body.namespace !== undefined) extra.bodyNamespace = r.body.namespace;
        if (r.body.xml !== undefined) extra.bodyXml = r.body.xml;
      }
    } else {
      action = soap ? `${request.action}Response` : GENERIC_REPLY_ACTION;
      output = String(result);
    }
    if (soap) {
      extra ??= {};
      if (request.messageId !== undefined) extra.relatesTo = request.messageId;
      extra.bodyName ??= replyName;
      extra.bodyNamespace ??= request.body?.namespace ?? '';
    }
    let text = `${action}${SEP}${output}${SEP}${request.userData}\u0000`;
    // A response that cannot be written in the batch's format comes back as a fault saying why.
    const problem =
      typeof action !== 'string' || typeof output !== 'string'
        ? 'the service answered something that is not text'
        : /[\uFFFF\u0000]/.test(action + output) || action === END_OF_GET_RESPONSE_ACTION
          ? 'the service output contains U+FFFF or U+0000, or the closing action'
          : log.encoding === 'utf-8' && hasLoneSurrogate(action + output)
            ? 'the service output has an unpaired surrogate, which UTF-8 cannot carry'
            : undefined;
    if (problem !== undefined) {
      text = `http://hpc.microsoft.com/session/SessionFault${SEP}${problem}${SEP}${request.userData}\u0000`;
      extra = { fault: { code: 's:Receiver', subcodes: [] } };
      if (request.messageId !== undefined) extra.relatesTo = request.messageId;
    }
    const index = log.length;
    log.append(text);
    batch.states.set(index, PENDING);
    let actionId = batch.actionIndex.get(request.action);
    if (actionId === undefined) {
      actionId = batch.actions.length;
      batch.actions.push(request.action);
      batch.actionIndex.set(request.action, actionId);
    }
    batch.actionIds.set(index, actionId);
    if (extra === undefined) batch.extraIds.set(index, -1);
    else {
      batch.extraIds.set(index, batch.extras.length);
      batch.extras.append(JSON.stringify(extra));
    }
  }

  // biome-ignore lint/complexity/noExcessiveCognitiveComplexity: Get Responses' query semantics (count, reset, action, clientdata, waiting, closing record) in the order the broker applies them
  getResponses(request: ParsedRequest, params: Readonly<Record<string, string>>): ResponsePlan {
    const found = this.batchFor(request, params);
    if (!('batch' in found)) return found;
    const { session, batch } = found;
    const countText = request.query.get('count');
    const count =
      countText === undefined || countText === ''
        ? -1
        : /^-?[0-9]{1,10}$/.test(countText)
          ? Number(countText)
          : Number.NaN;
    if (!(count === -1 || (count >= 1 && count <= 2147483647))) {
      return this.fault(request, 400, 'ArgumentError', [
        { key: 'count', value: countText ?? '' },
        { key: 'reason', value: 'count is -1 (all) or a positive number' },
      ]);
    }
    const reset = boolParam(request.query.get('reset'));
    const generic = boolParam(request.query.get('genericservice'));
    if (reset === 'invalid' || generic === 'invalid') {
      const key = reset === 'invalid' ? 'reset' : 'genericservice';
      return this.fault(request, 400, 'ArgumentError', [{ key, value: request.query.get(key) ?? '' }]);
    }
    const action = request.query.get('action') ?? '';
    const clientData = request.query.get('clientdata') ?? '';
    const pair = `${action}\u0000${clientData}`;
    // Responses handed out by the previous call are acknowledged (reset=false) or put back (reset=true).
    const states = batch.states.array;
    const total = batch.responses?.length ?? 0;
    const runs = batch.handed;
    batch.handed = [];
    if (reset === true) {
      let lowest = total;
      for (let r = 0; r < runs.length; r += 2) {
        for (let i = runs[r]!; i < runs[r + 1]!; i++) if (states[i] === HANDED) states[i] = PENDING;
        lowest = Math.min(lowest, runs[r]!);
      }
      // A durable session rewinds to the first response, acknowledged ones included.
      if (session.durable) {
        for (let i = 0; i < total; i++) if (states[i] === ACKED) states[i] = PENDING;
        lowest = 0;
      }
      for (const [filter, from] of batch.scanFrom) batch.scanFrom.set(filter, Math.min(from, lowest));
      batch.pairs.set(pair, 0);
    } else {
      for (let r = 0; r < runs.length; r += 2) {
        for (let i = runs[r]!; i < runs[r + 1]!; i++) if (states[i] === HANDED) states[i] = ACKED;
      }
    }
    if (!batch.pairs.has(pair)) batch.pairs.set(pair, 0);
    const filter = action === '' ? -1 : (batch.actionIndex.get(action) ?? -2);
    const cursor = new ResponseCursor(batch, session, count, filter, pair, () =>
      this.actionIdOf(batch, action),
    );
    if (generic === true) {
      const encoding: LogEncoding = batch.responses?.encoding ?? 'utf-8';
      const records = cursor.genericRecords(encoding);
      return {
        status: 200,
        headers: { 'content-type': `application/octet-stream; charset=${encoding}` },
        body: { kind: 'generic', encoding, records, abandon: () => cursor.abandon() },
      };
    }
    return {
      status: 200,
      headers: { 'content-type': 'application/xml; charset=utf-8' },
      body: {
        kind: 'soap',
        records: cursor.soapRecords(),
        options: { flavour: this.flavour },
        callbackId: clientData,
        abandon: () => cursor.abandon(),
      },
    };
  }

  private actionIdOf(batch: Batch, action: string): number {
    return action === '' ? -1 : (batch.actionIndex.get(action) ?? -2);
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
};
export { HPC_CODES };
