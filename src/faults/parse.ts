import { jsonDepthOffset } from '../core/json-depth.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import type { ResponseLike } from '../core/source.js';
import { parseXmlDocument, type XmlElement } from '../core/xml.js';
import { decodeLenient, extraFields, isJsonObject, normaliseBody, own } from './body.js';
import { formatDotNet, hpcFaultInfo } from './hpc.js';
import { isFetchResponse, parseFaultResponse } from './response.js';
import { headerValue, isRetriableStatus, retryAfterMsOf, TRANSIENT_FAULT_CODES } from './retry.js';
import type { FaultResponse, FaultService, FaultValue, ParseFaultOptions, ServiceFault } from './types.js';

/** Namespace of the HPC Pack Web API's `HpcWebServiceFault` (2008 R2 SP3 and later). */
export const HPC_FAULT_NAMESPACE = 'http://schemas.microsoft.com/HPCS2008R2/common';
/** Namespace of a bare .NET string: the pre-2011 HPC Pack Web API error body. */
export const SERIALIZATION_NAMESPACE = 'http://schemas.microsoft.com/2003/10/Serialization/';
/** Namespace of the HPC Pack session `SessionFault` carried in SOAP fault details. */
export const HPC_SESSION_NAMESPACE = 'http://hpc.microsoft.com/session/';

const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const SOAP12 = 'http://www.w3.org/2003/05/soap-envelope';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
// Fault bodies are small; deeper XML is not an error body anyone sends.
const FAULT_MAX_DEPTH = 32;
// Values kept from a SOAP detail element: enough for any real detail, bounded for hostile ones.
const MAX_DETAIL_VALUES = 64;
const DEFAULT_MAX_TEXT = 4096;

/** The parts of a fault that depend on the body's shape. */
interface BodyFault {
  service: FaultService;
  code: string;
  message: string;
  formatted?: string;
  values: FaultValue[];
  action?: string;
  extra?: Record<string, unknown> | undefined;
  hpc?: boolean;
}

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
  try {
    retryAfterMs = retryAfterMsOf(headers, now);
  } catch {
    retryAfterMs = undefined;
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
  return finish(shape, status, retryAfterMs, truncated);
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
  if (truncated) fault.truncated = true;
  return fault;
}

function unknownFault(text: string): BodyFault {
  return { service: 'unknown', code: '', message: text.trim(), values: [] };
}

function classify(text: string, contentType: string | undefined): BodyFault {
  let start = 0;
  while (start < text.length && isSpace(text.charCodeAt(start))) start++;
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
    let root: XmlElement;
    try {
      root = parseXmlDocument(text, { maxDepth: FAULT_MAX_DEPTH, maxBytes: text.length + 1 });
    } catch {
      return unknownFault(text);
    }
    return classifyXml(root) ?? unknownFault(text);
  }
  return unknownFault(text);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0xfeff;
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
    return JSON.stringify(value) ?? '';
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

// ---- XML forms -------------------------------------------------------------------------------

function classifyXml(root: XmlElement): BodyFault | undefined {
  if (root.name === 'HpcWebServiceFault') return hpcXml(root);
  if (root.name === 'string' && root.namespace === SERIALIZATION_NAMESPACE) {
    return { service: 'hpc-pack', code: '', message: root.text, values: [], hpc: true };
  }
  if (root.name === 'SessionFault') return { service: 'hpc-pack', ...sessionFault(root) };
  if (root.namespace === SOAP11 || root.namespace === SOAP12) {
    if (root.name === 'Envelope') return soapEnvelope(root);
    if (root.name === 'Fault') return soapFault(root, undefined);
  }
  return undefined;
}

function child(element: XmlElement, name: string): XmlElement | undefined {
  for (const c of element.children) if (c.name === name) return c;
  return undefined;
}

function isNil(element: XmlElement): boolean {
  for (const a of element.attributes) {
    if (a.name === 'nil' && a.namespace === XSI) return a.value.trim() === 'true' || a.value.trim() === '1';
  }
  return false;
}

function textIn(element: XmlElement | undefined): string {
  return element === undefined || isNil(element) ? '' : element.text;
}

function hpcXml(root: XmlElement): BodyFault {
  const values: FaultValue[] = [];
  const list = child(root, 'Values');
  if (list !== undefined && !isNil(list)) {
    for (const pair of list.children) {
      values.push({
        key: textIn(child(pair, 'key') ?? child(pair, 'Key')),
        value: textIn(child(pair, 'value') ?? child(pair, 'Value')),
      });
    }
  }
  return {
    service: 'hpc-pack',
    code: textIn(child(root, 'Code')).trim(),
    message: textIn(child(root, 'Message')),
    values,
    hpc: true,
  };
}

// SessionFault (namespace http://hpc.microsoft.com/session/): Code, Reason, Context (object[]).
function sessionFault(element: XmlElement): Omit<BodyFault, 'service'> {
  const values: FaultValue[] = [];
  const context = child(element, 'Context');
  if (context !== undefined && !isNil(context)) {
    for (const item of context.children) values.push({ key: String(values.length), value: textIn(item) });
  }
  return {
    code: textIn(child(element, 'Code')).trim(),
    message: textIn(child(element, 'Reason')),
    values,
    hpc: true,
  };
}

function soapEnvelope(envelope: XmlElement): BodyFault | undefined {
  let action: string | undefined;
  const header = child(envelope, 'Header');
  if (header !== undefined) {
    const element = child(header, 'Action');
    if (element !== undefined) action = element.text.trim();
  }
  const body = child(envelope, 'Body');
  const fault = body === undefined ? undefined : child(body, 'Fault');
  return fault === undefined ? undefined : soapFault(fault, action);
}

function localName(qname: string): string {
  const text = qname.trim();
  const colon = text.indexOf(':');
  return colon < 0 ? text : text.slice(colon + 1);
}

function soapFault(fault: XmlElement, action: string | undefined): BodyFault {
  let code = '';
  let reason = '';
  let detail: XmlElement | undefined;
  if (fault.namespace === SOAP12) {
    // Code/Value, then the most specific Subcode/Value (a chain bounded by the depth limit).
    let level = child(fault, 'Code');
    while (level !== undefined) {
      const value = child(level, 'Value');
      if (value !== undefined && value.text.trim() !== '') code = localName(value.text);
      level = child(level, 'Subcode');
    }
    const texts = child(fault, 'Reason')?.children ?? [];
    reason = texts[0]?.text ?? '';
    detail = child(fault, 'Detail');
  } else {
    code = localName(textIn(child(fault, 'faultcode')));
    reason = textIn(child(fault, 'faultstring'));
    detail = child(fault, 'detail');
  }
  const shape: BodyFault = { service: 'soap', code, message: reason, values: [] };
  if (action !== undefined) shape.action = action;
  const first = detail?.children[0];
  if (first === undefined) return shape;
  if (
    first.name === 'HpcWebServiceFault' ||
    (first.name === 'SessionFault' && first.namespace === HPC_SESSION_NAMESPACE)
  ) {
    const hpc = first.name === 'SessionFault' ? sessionFault(first) : hpcXml(first);
    shape.code = hpc.code;
    shape.message = hpc.message === '' ? reason : hpc.message;
    shape.values = hpc.values;
    shape.hpc = true;
    return shape;
  }
  // Another detail (WCF's ExceptionDetail, a service's own type): its simple fields as values.
  for (const field of first.children) {
    if (shape.values.length >= MAX_DETAIL_VALUES) break;
    if (field.children.length === 0) shape.values.push({ key: field.name, value: textIn(field) });
  }
  return shape;
}
