// One generated sequence against the backend: it sends requests, records every exchange (the
// case a finding is written from, each body cut to a bounded prefix), applies the checks every
// answer gets whatever the operation (no transport failure, no 5xx, a fault body in the
// service's shape, a status the operation documents for that request), and gives the commands
// their check helpers, so a failure is one call, not a hand-built literal.
import fc from 'fast-check';
import { isBatchwireError } from '../core/errors.js';
import { parseFault } from '../faults/parse.js';
import type { FaultService, ServiceFault } from '../faults/types.js';
import type { RequestDescriptor } from '../requests/url.js';
import { type FailureInfo, FuzzFailure } from './failure.js';
import type { Transport, WireRequest, WireResult } from './http.js';
import type { Secrets } from './secrets.js';
import { probeAuth } from './sign.js';
import type { FuzzCheck, FuzzCommandRecord, FuzzExchange, FuzzService } from './types.js';

/** What a run shares with its sequences. */
export interface RunEnv {
  transport: Transport;
  /** The target's base URL, without a trailing slash. */
  target: string;
  service: FuzzService;
  /** Headers added to every request (names in lower case). */
  headers: Record<string, string>;
  onRequest: ((exchange: FuzzExchange) => void) | undefined;
  apiVersion: string | undefined;
  projectId: string;
  serviceName: string;
  secrets: Secrets;
  /** Most bytes of each body kept for a case. */
  maxCaseBodyBytes: number;
  /** Aborts when the run must stop (the caller's signal or the deadline). */
  signal: AbortSignal | undefined;
  /** Whether to send the `ignored-auth` probes (the run authenticates). */
  authProbe?: boolean;
}

/** What an answer must look like, as far as its status goes. */
export interface Expectation {
  /** `success`: a 2xx; `refuse`: a 4xx; `either`: a 2xx or a 4xx. */
  outcome: 'success' | 'refuse' | 'either';
  /** The documented success statuses (any 2xx when absent). */
  success?: readonly number[];
  /** The documented error statuses for this request (any 4xx when absent). */
  errors?: readonly number[];
  /** What the request is, for messages ("an unknown session id"). */
  what?: string;
}

/** An answer that passed the common checks. */
export interface Reply {
  /** The operation the request was for. */
  operation: string;
  status: number;
  headers: Record<string, string>;
  /** The whole body (the recorded exchange keeps only its start). */
  body: Uint8Array;
  contentType: string | undefined;
  /** The fault, for a 4xx. */
  fault?: ServiceFault;
  /** Index of the exchange in the sequence. */
  index: number;
}

/** One request as sent, and what came back, with the body cut to the case's bound. */
export interface Recorded {
  operation: string;
  request: WireRequest;
  result: WireResult & { bodyBytes: number };
}

/** The fault shapes `parseFault` must find in each service's error bodies. */
const SHAPES: Record<FuzzService, readonly FaultService[]> = {
  // The SOA Web API answers HpcWebServiceFault documents; a SOAP fault envelope is the broker's own.
  'hpc-pack': ['hpc-pack', 'soap'],
  'azure-batch': ['azure-batch'],
  dli: ['dli'],
};

/** The Content-Type's main type, lower case. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** A request descriptor as bytes on the wire, with the run's headers added. */
export function wireOf(descriptor: RequestDescriptor, extra: Record<string, string>): WireRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(descriptor.headers)) headers[k.toLowerCase()] = v;
  for (const [k, v] of Object.entries(extra)) headers[k] = v;
  const request: WireRequest = { method: descriptor.method, url: descriptor.url, headers };
  if (descriptor.body !== undefined) {
    request.body =
      typeof descriptor.body === 'string' ? new TextEncoder().encode(descriptor.body) : descriptor.body;
  }
  return request;
}

/** `result` with its body cut to `max` bytes (a copy: the whole body is not kept alive by a view). */
function bounded(result: WireResult, max: number): WireResult & { bodyBytes: number } {
  const size = result.body.length;
  return { ...result, body: size > max ? result.body.slice(0, max) : result.body, bodyBytes: size };
}

/** A generated sequence in progress. `S` is the service's own bookkeeping. */
export class Sequence<S> {
  readonly exchanges: Recorded[] = [];
  readonly ran: FuzzCommandRecord[] = [];

  constructor(
    readonly env: RunEnv,
    readonly state: S,
    public phase: FuzzExchange['phase'],
  ) {}

  /** Throws the failure of a check, pointing at exchange `index` (the last one by default). */
  fail(info: FailureInfo, index = this.exchanges.length - 1): never {
    throw new FuzzFailure(info, index < 0 ? undefined : index);
  }

  /** The check `check` fired on `reply`: its operation and status, and what was wrong. */
  failAt(reply: Reply, check: FuzzCheck, message: string, code?: string): never {
    const info: FailureInfo = { check, operation: reply.operation, status: reply.status, message };
    if (code !== undefined) info.code = code;
    return this.fail(info, reply.index);
  }

  /** `undecodable-response` on `reply`: batchwire's decoder (or the document's shape) refused it. */
  undecodable(reply: Reply, error: { code: string; message: string }, what?: string): never {
    return this.failAt(
      reply,
      'undecodable-response',
      what === undefined ? error.message : `${what}: ${error.message}`,
      error.code,
    );
  }

  /** Runs `read` on a reply's body; a BatchwireError it throws is `undecodable-response` ("what: ..."). */
  decoding<T>(reply: Reply, what: string, read: () => T): T {
    try {
      return read();
    } catch (error) {
      if (!isBatchwireError(error)) throw error;
      return this.undecodable(reply, error, what);
    }
  }

  /** Sends a descriptor (the run's headers added) and applies the common checks. */
  send(operation: string, descriptor: RequestDescriptor, expect: Expectation): Promise<Reply> {
    return this.sendWire(operation, wireOf(descriptor, this.env.headers), expect);
  }

  /** Sends a request without checking anything: cleanup, whose answers do not matter. */
  async sendQuietly(operation: string, request: WireRequest, timeoutMs?: number): Promise<WireResult> {
    const sent = await this.env.transport.send(request, timeoutMs);
    this.report(operation, sent.request, sent.result);
    return sent.result;
  }

  private report(operation: string, request: WireRequest, result: WireResult): void {
    const hook = this.env.onRequest;
    if (hook === undefined) return;
    const exchange: FuzzExchange = {
      phase: this.phase,
      operation,
      method: request.method,
      url: request.url,
      durationMs: result.durationMs,
      retries: result.retries,
    };
    if (result.status !== undefined) exchange.status = result.status;
    if (result.error !== undefined) exchange.error = result.error.kind;
    hook(exchange);
  }

  /** Sends a request and applies the common checks. */
  async sendWire(operation: string, request: WireRequest, expect: Expectation): Promise<Reply> {
    if (this.env.authProbe) await probeAuth(this, operation, request);
    const sent = await this.env.transport.send(request);
    const { result } = sent;
    this.exchanges.push({
      operation,
      request: sent.request,
      result: bounded(result, this.env.maxCaseBodyBytes),
    });
    this.report(operation, sent.request, result);
    const { status, error } = result;
    if (error) {
      if (error.kind === 'timeout') this.fail({ check: 'timeout', operation, message: error.message });
      if (error.kind === 'too-large') {
        this.fail({
          check: 'undecodable-response',
          operation,
          ...(status === undefined ? {} : { status }),
          code: 'LIMIT_EXCEEDED',
          message: error.message,
        });
      }
      this.fail({
        check: 'connection',
        operation,
        message: error.kind === 'incomplete' ? error.message : `no answer: ${error.message}`,
      });
    }
    const reply: Reply = {
      operation,
      status: status ?? 0,
      headers: result.headers,
      body: result.body,
      contentType: result.headers['content-type'],
      index: this.exchanges.length - 1,
    };
    const what = expect.what ? ` to ${expect.what}` : '';
    if (reply.status >= 400) this.checkError(reply, expect, what);
    else if (reply.status >= 200 && reply.status < 300) this.checkSuccess(reply, expect, what);
    else
      this.failAt(
        reply,
        'status-code',
        `HTTP ${reply.status}${what} is neither a success nor an error status`,
      );
    return reply;
  }

  private checkError(reply: Reply, expect: Expectation, what: string): void {
    const code = reply.status;
    const fault = parseFault({ status: code, headers: reply.headers, body: reply.body });
    reply.fault = fault;
    const label = fault.name ?? (fault.code === '' ? undefined : fault.code);
    if (code >= 500) {
      const text = fault.service === 'unknown' ? fault.message : `${fault.code} ${fault.formatted}`;
      this.failAt(
        reply,
        'server-error',
        `HTTP ${code}${what}: ${text.replace(/\s+/g, ' ').slice(0, 300)}`,
        label === undefined || fault.service === 'unknown' ? undefined : label,
      );
    }
    if (!SHAPES[this.env.service].includes(fault.service)) {
      this.failAt(
        reply,
        'fault-shape',
        `the HTTP ${code} body is not a ${this.env.service} error document (parseFault reads it as ${fault.service}): ${fault.message.slice(0, 120)}`,
        fault.service,
      );
    }
    if (expect.outcome === 'success') {
      this.failAt(
        reply,
        'status-code',
        `a valid request${what} was refused with HTTP ${code}: ${fault.formatted.slice(0, 200)}`,
        label,
      );
    }
    if (expect.errors !== undefined && !expect.errors.includes(code)) {
      this.failAt(
        reply,
        'status-code',
        `HTTP ${code}${what}; the documented answer is ${expect.errors.join(' or ')}`,
        label,
      );
    }
  }

  private checkSuccess(reply: Reply, expect: Expectation, what: string): void {
    const code = reply.status;
    if (expect.outcome === 'refuse') {
      this.failAt(
        reply,
        'status-code',
        `HTTP ${code}${what}; a request the service must refuse was accepted${expect.errors ? ` (documented: ${expect.errors.join(' or ')})` : ''}`,
      );
    }
    if (expect.success !== undefined && !expect.success.includes(code)) {
      this.failAt(
        reply,
        'status-code',
        `HTTP ${code}${what}; the documented success status is ${expect.success.join(' or ')}`,
      );
    }
  }
}

/** One kind of operation a sequence can hold: its parameters and what it does with them. */
export interface CommandSpec<S, P = unknown> {
  name: string;
  /** How often it is drawn, relative to the others. */
  weight: number;
  params: fc.Arbitrary<P>;
  /** Whether it applies now (a command that does not apply is skipped, and drops out when shrinking). */
  check(sequence: Sequence<S>, params: P): boolean;
  run(sequence: Sequence<S>, params: P): Promise<void>;
}

/** A service's operations, bookkeeping and cleanup. */
export interface ServiceDriver<S> {
  commands: readonly CommandSpec<S, never>[];
  initialState(env: RunEnv): S;
  /** Undoes what a sequence opened (closes sessions); answers are not checked. */
  cleanup(sequence: Sequence<S>): Promise<void>;
}

/** Declares a command spec with its parameter type inferred. */
export function command<S, P>(spec: CommandSpec<S, P>): CommandSpec<S, never> {
  return spec as unknown as CommandSpec<S, never>;
}

/** A command with its generated parameters, as fast-check runs it. */
export class FuzzCommand<S> implements fc.AsyncCommand<Sequence<S>, Sequence<S>> {
  constructor(
    readonly spec: CommandSpec<S, unknown>,
    readonly params: unknown,
  ) {}

  check(sequence: Readonly<Sequence<S>>): boolean {
    return this.spec.check(sequence as Sequence<S>, this.params);
  }

  async run(_model: Sequence<S>, sequence: Sequence<S>): Promise<void> {
    sequence.ran.push({ name: this.spec.name, params: this.params });
    await this.spec.run(sequence, this.params);
  }

  toString(): string {
    const text = JSON.stringify(encodeParams(this.params)) ?? '';
    return `${this.spec.name}(${text.length > 200 ? `${text.slice(0, 200)}...` : text})`;
  }
}

/** The arbitrary of a service's sequences. */
export function sequenceArbitrary<S>(
  driver: ServiceDriver<S>,
  maxCommands: number,
): fc.Arbitrary<Iterable<fc.AsyncCommand<Sequence<S>, Sequence<S>>>> {
  const one = fc.oneof(
    ...driver.commands.map((spec) => ({
      weight: spec.weight,
      arbitrary: (spec.params as fc.Arbitrary<unknown>).map(
        (params) => new FuzzCommand(spec as CommandSpec<S, unknown>, params),
      ),
    })),
  );
  return fc.commands([one], { maxCommands, disableReplayLog: true });
}

/** Parameters as JSON: bytes become `{ "$base64": ... }`. */
export function encodeParams(value: unknown): unknown {
  if (value instanceof Uint8Array) return { $base64: Buffer.from(value).toString('base64') };
  if (Array.isArray(value)) return value.map(encodeParams);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = encodeParams(v);
    return out;
  }
  return value;
}

/** The inverse of {@link encodeParams}. */
export function decodeParams(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeParams);
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.length === 1 && keys[0] === '$base64' && typeof record.$base64 === 'string') {
      return new Uint8Array(Buffer.from(record.$base64, 'base64'));
    }
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      // defineProperty: a key named __proto__ stays data.
      Object.defineProperty(out, k, {
        value: decodeParams(record[k]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}
