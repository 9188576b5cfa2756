import { decodeLenient, normaliseBody } from '../core/body.js';
import { isSpace } from '../core/chars.js';
import { extraFields, isJsonObject, own } from '../core/json.js';
import { jsonDepthOffset } from '../core/json-depth.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import type { ResponseLike } from '../core/source.js';
import { formatDotNet, hpcFaultInfo } from './hpc.js';
import { isFetchResponse, parseFaultResponse } from './response.js';
import { headerValue, isRetriableStatus, retryAfterMsOf, TRANSIENT_FAULT_CODES } from './retry.js';
import type { FaultResponse, FaultValue, ParseFaultOptions, ServiceFault } from './types.js';
import { type BodyFault, classifyXml } from './xml.js';

export { HPC_FAULT_NAMESPACE, HPC_SESSION_NAMESPACE, SERIALIZATION_NAMESPACE } from './xml.js';

const DEFAULT_MAX_TEXT = 4096;

/**
 * Recognises and normalises an error response from HPC Pack (`HpcWebServiceFault` in XML or
 * JSON, the pre-2011 `<string>` body), Azure Batch (error JSON), DLI (`error_code`/`error_msg`,
 * `is_success: false`) and SOAP 1.1/1.2 `Fault` envelopes. Anything else, including broken or
 * binary bodies, becomes `service: 'unknown'` with the (bounded) body text as the message.
 * It never throws.
 *
 * Given a fetch `Response` it reads the body (at most `maxBodyBytes`; the rest is cancelled) and
 * returns a promise of the fault, with the response's status and headers (`Retry-After`,
 * `content-type`); the promise rejects only when `options.signal` is aborted.
 *
 * @example
 * ```ts
 * const response = await fetch(request.url, request);
 * if (!response.ok) throw new BatchwireServiceError(await parseFault(response));
 * ```
 *
 * @example
 * ```ts
 * import { parseFault } from 'batchwire/faults';
 * const fault = parseFault({
 *   status: 503,
 *   headers: { 'Retry-After': '5' },
 *   body: '{"code":"ServerBusy","message":{"lang":"en-us","value":"Server busy."}}',
 * });
 * fault.service; // 'azure-batch'
 * fault.retriable; // true
 * fault.retryAfterMs; // 5000
 * ```
 */
export function parseFault(response: ResponseLike, options?: ParseFaultOptions): Promise<ServiceFault>;
export function parseFault(response: FaultResponse, options?: ParseFaultOptions): ServiceFault;
export function parseFault(
  response: FaultResponse | ResponseLike,
  options: ParseFaultOptions = {},
): ServiceFault | Promise<ServiceFault> {
  if (isFetchResponse(response)) return parseFaultResponse(response, options, (r) => parseFault(r, options));
  return parseFaultSync(response as FaultResponse, options ?? {});
}

function parseFaultSync(response: FaultResponse, options: ParseFaultOptions): ServiceFault {
  let status: number | undefined;
  let headers: FaultResponse['headers'];
  let contentType: string | undefined;
  let body: unknown;
  try {
    status = validStatus(response?.status);
    headers = response?.headers;
    contentType = typeof response?.contentType === 'string' ? response.contentType : undefined;
    contentType ??= headerValue(headers, 'content-type');
    body = response?.body;
  } catch {
    // A response object whose getters throw has nothing more to offer than an unknown fault.
  }
  const { now, maxBytes, maxText } = faultOptions(options);
  let retryAfterMs: number | undefined;
  let requestId: string | undefined;
  try {
    retryAfterMs = retryAfterMsOf(headers, now);
    requestId = requestIdOf(headers);
  } catch {
    // A headers object whose getters throw tells nothing more.
  }
  let shape: BodyFault;
  let truncated = false;
  try {
    const input = normaliseBody(body);
    if (input === undefined) {
      shape = unknownFault('');
    } else if (input.length > maxBytes) {
      // Too big to be an error body worth parsing: keep its start, readable.
      truncated = true;
      shape = unknownFault(decodeLenient(input, contentType, maxText * 4));
    } else {
      shape = classify(decodeLenient(input, contentType, maxBytes), contentType);
    }
  } catch {
    shape = unknownFault('');
  }
  if (shape.service === 'unknown' && shape.message.length > maxText) {
    shape.message = shape.message.slice(0, maxText);
    truncated = true;
  }
  const fault = finish(shape, status, retryAfterMs, truncated);
  requestId ??= shape.service === 'azure-batch' ? requestIdLine(shape.message) : undefined;
  if (requestId !== undefined) fault.requestId = requestId;
  return fault;
}

// Longest request id kept: real ones are GUIDs (36 characters); a longer value is not one.
const MAX_REQUEST_ID_LENGTH = 256;

/** The headers services put the request's id in, most specific first (names without case). */
const REQUEST_ID_HEADERS = ['request-id', 'client-request-id', 'x-request-id'];

function requestIdText(value: string | undefined): string | undefined {
  const text = value?.trim();
  return text === undefined || text === '' || text.length > MAX_REQUEST_ID_LENGTH ? undefined : text;
}

function requestIdOf(headers: FaultResponse['headers']): string | undefined {
  for (const name of REQUEST_ID_HEADERS) {
    const id = requestIdText(headerValue(headers, name));
    if (id !== undefined) return id;
  }
  return undefined;
}

// The `RequestId:<id>` line Azure Batch appends to its messages (`text\nRequestId:...\nTime:...`).
function requestIdLine(message: string): string | undefined {
  const marker = 'RequestId:';
  for (let at = message.indexOf(marker); at >= 0; at = message.indexOf(marker, at + 1)) {
    const before = message.charCodeAt(at - 1);
    if (at > 0 && before !== 0x0a && before !== 0x0d) continue;
    const start = at + marker.length;
    let end = start;
    while (end < message.length && end - start <= MAX_REQUEST_ID_LENGTH) {
      const c = message.charCodeAt(end);
      if (c === 0x0a || c === 0x0d) break;
      end++;
    }
    return requestIdText(message.slice(start, end));
  }
  return undefined;
}

function positive(value: unknown, fallback: number): number {
  return typeof value === 'number' && value > 0 ? value : fallback;
}

// parseFault never throws, so options it cannot use (null, a number, a wrong-typed value, a
// getter that throws) fall back to the defaults instead of failing the call.
function faultOptions(options: unknown): { now: number | undefined; maxBytes: number; maxText: number } {
  let now: unknown;
  let maxBytes: unknown;
  let maxText: unknown;
  if (typeof options === 'object' && options !== null) {
    try {
      const o = options as Record<string, unknown>;
      now = o.now;
      // maxBodyBytes, the DEFAULT_LIMITS name; maxBytes, its older alias.
      maxBytes = o.maxBodyBytes ?? o.maxBytes;
      maxText = o.maxTextLength;
    } catch {
      // Whatever was read before the throwing getter is kept; the rest are defaults.
    }
  }
  let time: number | undefined;
  if (now instanceof Date) time = now.getTime();
  else if (typeof now === 'number') time = now;
  return {
    now: Number.isFinite(time) ? time : undefined,
    maxBytes: positive(maxBytes, DEFAULT_LIMITS.maxBodyBytes),
    maxText: positive(maxText, DEFAULT_MAX_TEXT),
  };
}

function validStatus(status: unknown): number | undefined {
  return typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 999
    ? status
    : undefined;
}

function finish(
  shape: BodyFault,
  status: number | undefined,
  retryAfterMs: number | undefined,
  truncated: boolean,
): ServiceFault {
  const info = shape.hpc ? hpcFaultInfo(shape.code) : {};
  let formatted = shape.formatted ?? shape.message;
  if (shape.formatted === undefined && shape.hpc && shape.values.length > 0) {
    try {
      // Bounded: at most twice the message and the values it uses, plus 1024 (a '…' marks a cut).
      formatted = formatDotNet(
        shape.message,
        shape.values.map((v) => v.value),
      );
    } catch {
      // The values are strings by construction; should that ever change, keep the message.
    }
  }
  const retriable =
    isRetriableStatus(status) ||
    TRANSIENT_FAULT_CODES.has(shape.code) ||
    (info.name !== undefined && TRANSIENT_FAULT_CODES.has(info.name)) ||
    info.category === 'SessionConnectionError' ||
    (shape.action?.endsWith('/RetryOperationError') ?? false);
  const fault: ServiceFault = {
    service: shape.service,
    code: shape.code,
    message: shape.message,
    formatted,
    values: shape.values,
    retriable,
  };
  if (status !== undefined) fault.status = status;
  if (retryAfterMs !== undefined) fault.retryAfterMs = retryAfterMs;
  if (info.category !== undefined) fault.category = info.category;
  if (info.name !== undefined) fault.name = info.name;
  if (shape.action !== undefined) fault.action = shape.action;
  if (shape.extra !== undefined) fault.extra = shape.extra;
  if (shape.soap !== undefined) fault.soap = shape.soap;
  if (truncated) fault.truncated = true;
  return fault;
}

function unknownFault(text: string): BodyFault {
  return { service: 'unknown', code: '', message: text.trim(), values: [] };
}

function classify(text: string, contentType: string | undefined): BodyFault {
  let start = 0;
  while (start < text.length && (isSpace(text.charCodeAt(start)) || text.charCodeAt(start) === 0xfeff))
    start++;
  const first = text.charCodeAt(start);
  const json = contentType?.toLowerCase().includes('json') === true;
  if (first === 0x7b || first === 0x5b || first === 0x22 || (json && first !== 0x3c)) {
    // No error body nests this deep, and JSON.parse slows down superlinearly on such nesting.
    if (jsonDepthOffset(text, DEFAULT_LIMITS.maxJsonDepth) >= 0) return unknownFault(text);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return unknownFault(text);
    }
    return classifyJson(value) ?? unknownFault(typeof value === 'string' ? value : text);
  }
  if (first === 0x3c) {
    let shape: BodyFault | undefined;
    try {
      shape = classifyXml({ text, encoding: 'text', offsetOf: (index) => index });
    } catch {
      return unknownFault(text);
    }
    return shape ?? unknownFault(text);
  }
  return unknownFault(text);
}

// ---- JSON forms ------------------------------------------------------------------------------

const HPC_KEYS = new Set(['Code', 'Message', 'Values']);
const AZURE_KEYS = new Set(['code', 'message', 'values']);
const DLI_KEYS = new Set(['error_code', 'error_msg']);

function classifyJson(value: unknown): BodyFault | undefined {
  if (!isJsonObject(value)) return undefined;
  if (Object.hasOwn(value, 'Code') && (Object.hasOwn(value, 'Message') || Object.hasOwn(value, 'Values'))) {
    return {
      service: 'hpc-pack',
      code: codeText(own(value, 'Code')),
      message: textOf(own(value, 'Message')),
      values: pairs(own(value, 'Values')),
      extra: extraFields(value, HPC_KEYS),
      hpc: true,
    };
  }
  if (
    Object.hasOwn(value, 'error_code') ||
    Object.hasOwn(value, 'error_msg') ||
    own(value, 'is_success') === false
  ) {
    const message = own(value, 'error_msg') ?? own(value, 'message');
    const known = Object.hasOwn(value, 'error_msg') ? DLI_KEYS : new Set([...DLI_KEYS, 'message']);
    return {
      service: 'dli',
      code: codeText(own(value, 'error_code')),
      message: textOf(message),
      values: [],
      extra: extraFields(value, known),
    };
  }
  if (Object.hasOwn(value, 'code') && isCode(own(value, 'code'))) return azureError(value, value);
  // OData v3 verbose JSON and the Azure REST guidelines wrap the same fields one level down.
  for (const wrapper of ['odata.error', 'error']) {
    const inner = own(value, wrapper);
    if (isJsonObject(inner) && isCode(own(inner, 'code'))) return azureError(inner, value, wrapper);
  }
  return undefined;
}

function azureError(
  error: Record<string, unknown>,
  outer: Record<string, unknown>,
  wrapper?: string,
): BodyFault {
  const message = own(error, 'message');
  const fault: BodyFault = {
    service: 'azure-batch',
    code: codeText(own(error, 'code')),
    message: isJsonObject(message) ? textOf(own(message, 'value')) : textOf(message),
    values: pairs(own(error, 'values') ?? own(error, 'details')),
    extra:
      wrapper === undefined
        ? extraFields(outer, AZURE_KEYS)
        : mergeExtra(
            extraFields(outer, new Set([wrapper])),
            extraFields(error, new Set([...AZURE_KEYS, 'details'])),
          ),
  };
  return fault;
}

function mergeExtra(
  a: Record<string, unknown> | undefined,
  b: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  for (const key of Object.keys(b)) {
    Object.defineProperty(a, key, { value: b[key], enumerable: true, writable: true, configurable: true });
  }
  return a;
}

function isCode(value: unknown): boolean {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

function codeText(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return '';
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return '';
  try {
    // Printed JSON can be longer than its source (1e20 prints 21 digits): kept bounded.
    return (JSON.stringify(value) ?? '').slice(0, DEFAULT_MAX_TEXT);
  } catch {
    // Too deeply nested to print: the shape is what matters, and it is not a message.
    return '';
  }
}

// `[{key, value}]` (DataContract JSON and Azure), `[{Key, Value}]` (Json.NET) or `[{name, value}]`.
function pairs(list: unknown): FaultValue[] {
  if (!Array.isArray(list)) return [];
  const out: FaultValue[] = [];
  for (const item of list) {
    if (!isJsonObject(item)) continue;
    const key = own(item, 'key') ?? own(item, 'Key') ?? own(item, 'name') ?? own(item, 'Name');
    const value = own(item, 'value') ?? own(item, 'Value');
    out.push({ key: textOf(key), value: textOf(value) });
  }
  return out;
}
