// The documents the HPC Pack emulation writes and reads besides the request and response
// streams: HpcWebServiceFault answers, WebSessionInfo, Get Clusters, BrokerClientStatus, and the
// WebSessionStartInfo of Create Session (JSON or flat XML).
import { isBatchwireError } from '../core/errors.js';
import { type FaultPair, hpcFaultBody, hpcFaultByName } from './fault-bodies.js';
import type { Session } from './hpc-state.js';
import type { ParsedRequest, ResponsePlan } from './plan.js';
import { BodyTooLarge, readBody, wantsJson } from './request.js';
import { escapeXml, readFlatXml } from './xml.js';

/** `true`, `false` (any case), absent, or something else. */
export function boolParam(value: string | undefined): boolean | undefined | 'invalid' {
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  return 'invalid';
}

/**
 * An HpcWebServiceFault response: XML, or JSON when the request's Accept asks for it. The
 * message keeps its .NET format items (`{0}`) and `values` carry the arguments, as the service
 * writes them (parseFault's `formatted` fills them in).
 */
export function hpcFault(
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

/** A success document: JSON with `Accept: application/json`, else the XML given. */
export function hpcDocument(
  request: ParsedRequest,
  status: number,
  json: unknown,
  xml: string,
): ResponsePlan {
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

/** An answer without a body. */
export function emptyPlan(status: number): ResponsePlan {
  return { status, headers: {} };
}

/** The fault for a request body that cannot be read: 413 past the limit, else 400 naming the problem. */
export function bodyFault(request: ParsedRequest, error: unknown): ResponsePlan {
  if (error instanceof BodyTooLarge) {
    return hpcFault(request, 413, 'ArgumentError', [
      { key: 'body', value: 'too large' },
      { key: 'limit', value: String(error.limit) },
    ]);
  }
  if (isBatchwireError(error)) {
    return hpcFault(request, 400, 'ArgumentError', [
      { key: 'body', value: error.code },
      { key: 'offset', value: String(error.offset) },
      { key: 'reason', value: error.message.slice(0, 500) },
    ]);
  }
  throw error;
}

/** The WebSessionInfo of a session (Create Session, Attach Session). */
export function sessionInfoPlan(
  request: ParsedRequest,
  session: Session,
  status: number,
  brokerNode: string,
): ResponsePlan {
  const info = {
    BrokerNode: brokerNode,
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
  return hpcDocument(request, status, info, xml);
}

/** Get Clusters' answer: one cluster, `cluster`. */
export function clustersPlan(request: ParsedRequest, cluster: string): ResponsePlan {
  const xml =
    `<ArrayOfObject xmlns="http://schemas.microsoft.com/HPCS2008R2/common" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">` +
    `<Object><Properties><Property><Name>Name</Name><Value>${escapeXml(cluster)}</Value></Property></Properties></Object></ArrayOfObject>`;
  return hpcDocument(request, 200, [{ Properties: [{ Name: 'Name', Value: cluster }] }], xml);
}

/** Get Request Status' answer: `BrokerClientStatus` as XML, or its number as JSON. */
export function clientStatusPlan(
  request: ParsedRequest,
  status: 'Ready' | 'Processing' | 'Finished',
): ResponsePlan {
  const number = { Ready: 1, Processing: 2, Finished: 3 }[status];
  return hpcDocument(
    request,
    200,
    number,
    `<BrokerClientStatus xmlns="http://hpc.microsoft.com">${status}</BrokerClientStatus>`,
  );
}

/** What Create Session needs of a WebSessionStartInfo. */
export interface StartInfo {
  serviceName: string;
  maxMessageSize: number;
}

/** Reads a WebSessionStartInfo body (JSON, or flat XML); a fault plan when it is not one. */
export async function readStartInfo(
  request: ParsedRequest,
  limit: number,
): Promise<StartInfo | ResponsePlan> {
  let bytes: Uint8Array;
  try {
    bytes = await readBody(request, limit);
  } catch (error) {
    return bodyFault(request, error);
  }
  const text = Buffer.from(bytes).toString('utf8');
  const fields = new Map<string, unknown>();
  const header = request.headers['content-type'];
  const contentType = (header ?? '').toLowerCase();
  const trimmed = text.trimStart();
  if (contentType.includes('json') || trimmed.startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return hpcFault(request, 400, 'ArgumentError', [{ key: 'body', value: 'not valid JSON' }]);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return hpcFault(request, 400, 'ArgumentError', [
        { key: 'body', value: 'expected a WebSessionStartInfo object' },
      ]);
    }
    for (const [k, v] of Object.entries(value)) fields.set(k, v);
  } else if (trimmed !== '') {
    const xml = readFlatXml(bytes, header);
    if (typeof xml === 'string' || xml.root !== 'WebSessionStartInfo') {
      return hpcFault(request, 400, 'ArgumentError', [
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
    return hpcFault(request, 400, 'ArgumentError', [
      { key: 'ServiceName', value: '' },
      { key: 'reason', value: 'WebSessionStartInfo.ServiceName is required' },
    ]);
  }
  const maxRaw = fields.get('MaxMessageSize');
  const max = typeof maxRaw === 'number' ? maxRaw : typeof maxRaw === 'string' ? Number(maxRaw) : 2147483647;
  return { serviceName, maxMessageSize: Number.isSafeInteger(max) && max > 0 ? max : 2147483647 };
}

/**
 * An `ArgumentError` (or `InvalidArgument`) fault about one argument: its message format is
 * `The argument {0} is not valid: {1}`, so the values are the argument's name, the reason, and
 * then the value given.
 */
export function argumentFault(
  request: ParsedRequest,
  argument: string,
  given: string,
  reason: string,
  options: { status?: number; name?: 'ArgumentError' | 'InvalidArgument' } = {},
): ResponsePlan {
  return hpcFault(request, options.status ?? 400, options.name ?? 'ArgumentError', [
    { key: 'argument', value: argument },
    { key: 'reason', value: reason },
    { key: argument, value: given.slice(0, 500) },
  ]);
}
