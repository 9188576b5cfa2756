// Requests as the handlers see them, and the response plans they return. A handler is a plain
// function from a parsed request to a plan: the server turns plans into bytes on a socket (and
// applies faults on the way); tests can call handlers and read plans without any socket.
import type { TextEncodingName } from '../core/charset.js';
import type { SoapWriteOptions, SoapWriteRecord } from '../soap/index.js';
import type { ServiceName } from './fault-bodies.js';

export type { ServiceName } from './fault-bodies.js';

/** A request given to {@link Emulator.handle}: a `batchwire/requests` descriptor fits. */
export interface EmulatorRequest {
  method: string;
  /** A path with its query (`/jobs?api-version=...`) or an absolute URL (only its path and query are used). */
  url: string;
  headers?: Readonly<Record<string, string | readonly string[] | undefined>>;
  body?: string | Uint8Array | AsyncIterable<Uint8Array>;
}

/** A request as handlers see it. */
export interface ParsedRequest {
  /** Upper-case method. */
  method: string;
  /** The path as sent (percent-encoded), without the query. */
  path: string;
  /** The path's segments, percent-decoded. */
  segments: string[];
  /** The query string as sent, with its `?` (or `''`). */
  search: string;
  /** Query parameters: the first value of each, by lower-case name. */
  query: ReadonlyMap<string, string>;
  /** Headers by lower-case name (several values joined with `, `). */
  headers: Readonly<Record<string, string>>;
  /** The body, streamed; read it once. */
  body: AsyncIterable<Uint8Array>;
  /** The declared Content-Length, when there is one. */
  contentLength?: number;
}

/** One response record of a generic Get Responses stream, or its closing record. */
export type GenericPlanRecord =
  | { kind?: 'response'; action: string; output: string; userData?: string }
  | { kind: 'end'; count: number; reason: string };

/** What a response carries. */
export type PlanBody =
  /** Bytes written as they are (with a Content-Length). */
  | { kind: 'bytes'; bytes: Uint8Array }
  /** A JSON value, serialised when sent (interceptors may edit `value`). */
  | { kind: 'json'; value: unknown }
  /** A generic-service record stream, written record by record as the records come. */
  | {
      kind: 'generic';
      encoding: TextEncodingName;
      records: AsyncIterable<GenericPlanRecord>;
      /** Called when the client goes away before the body is written whole. */
      abandon?: () => void;
    }
  /** A SOAP message array, written envelope by envelope as the records come. */
  | {
      kind: 'soap';
      records: AsyncIterable<SoapWriteRecord>;
      options?: SoapWriteOptions;
      /** The `clientdata` echoed in each envelope's `..._Broker_ResponseCallbackId` header. */
      callbackId?: string;
      /** Called when the client goes away before the body is written whole. */
      abandon?: () => void;
    };

/** A response, described: status, headers and a body to produce. */
export interface ResponsePlan {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body?: PlanBody;
}

/** Where a request was routed. */
export interface RouteMatch {
  service: ServiceName | 'control';
  operation: string;
  params: Readonly<Record<string, string>>;
}
