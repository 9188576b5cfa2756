// The interface every emulated service implements: its routes, the checks every request of it
// gets before its handler, and the error documents it answers with. The emulator core knows
// services only through this interface, so a new operation is a route, an authentication
// scheme is one more check, and a new service is one more implementation.
import type { ServiceId } from '../core/services.js';
import type { FaultAction } from './faults.js';
import type { ParsedRequest, ResponsePlan } from './plan.js';

/** A handler: a plain function from a parsed request (and the path's parameters) to a plan. */
export type Handler = (
  request: ParsedRequest,
  params: Readonly<Record<string, string>>,
) => ResponsePlan | Promise<ResponsePlan>;

/**
 * A check every request of a service gets before its handler (api-version, cluster name, and
 * authentication when a service has one): a refusal plan, or `undefined` to let it through.
 */
export type RequestCheck = (
  request: ParsedRequest,
  params: Readonly<Record<string, string>>,
) => ResponsePlan | undefined | Promise<ResponsePlan | undefined>;

/** One operation of a service: method, path pattern (`{name}` captures a segment), handler. */
export interface ServiceRoute {
  method: string;
  /** `/jobs/{jobId}/tasks`: literal segments compare without case. */
  path: string;
  /** The operation name of `batchwire/requests`. */
  operation: string;
  handler: Handler;
}

/** Why the emulator answers a request itself, before or instead of a handler. */
export type RefusalKind =
  /** No route has this path (404). */
  | 'no-route'
  /** The path is served with other methods (405). */
  | 'method'
  /** A request Node's HTTP parser or the emulator could not read (400). */
  | 'malformed'
  /** A body over the limit (413). */
  | 'too-large'
  /** Headers over Node's limit (431). */
  | 'headers-too-large'
  /** The client took too long to send its request (408). */
  | 'timeout';

/** An emulated service, as the emulator core sees it. */
export interface EmulatedService {
  readonly id: ServiceId;
  /** Whether a path belongs to this service (by its first segments), to answer errors in its shape. */
  owns(segments: readonly string[]): boolean;
  readonly routes: readonly ServiceRoute[];
  /** Run in order before every handler of this service; the first refusal is the answer. */
  readonly checks: readonly RequestCheck[];
  /** The service's own error document for a request the emulator answers itself. */
  refusal(request: ParsedRequest, kind: RefusalKind, status: number, message: string): ResponsePlan;
  /** The answer of a `status` fault rule: the service's error document, with the rule's fault name. */
  statusFault(
    request: ParsedRequest,
    params: Readonly<Record<string, string>>,
    action: Extract<FaultAction, { type: 'status' }>,
  ): ResponsePlan;
  /** The answer when a handler or an interceptor threw (a bug): 500 in the service's shape. */
  internalError(request: ParsedRequest, message: string): ResponsePlan;
  /** Back to the state of a new emulator (sessions, data from the fixture). */
  reset(): void;
}

/** A JSON plan (the control endpoints' and the fallback error shape). */
export function jsonPlan(status: number, value: unknown, headers: Record<string, string> = {}): ResponsePlan {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: { kind: 'json', value },
  };
}
