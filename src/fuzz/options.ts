// Checking what the caller passed: every option, once, with BatchwireError INVALID_ARGUMENT for
// anything that cannot be used; and the loopback rule for targets.
import { isIP } from 'node:net';
import { BatchwireError } from '../core/errors.js';
import { azureBatchDriver } from './azure-batch.js';
import { dliDriver } from './dli.js';
import { hpcPackDriver } from './hpc-pack.js';
import type { ServiceDriver } from './sequence.js';
import type { FuzzService } from './types.js';

export const SERVICES: readonly FuzzService[] = ['hpc-pack', 'azure-batch', 'dli'];

/** The driver of each service. */
export function driverOf(service: FuzzService): ServiceDriver<unknown> {
  const drivers = { 'hpc-pack': hpcPackDriver, 'azure-batch': azureBatchDriver, dli: dliDriver };
  return drivers[service] as unknown as ServiceDriver<unknown>;
}

export function invalid(message: string): BatchwireError {
  return new BatchwireError('INVALID_ARGUMENT', message, 0);
}

/** Whether `host` names this machine only: `localhost`, `127.0.0.0/8`, `::1`. */
export function isLoopback(host: string): boolean {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const lower = h.toLowerCase();
  if (lower === 'localhost' || lower.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6)
    return lower === '::1' || (lower.startsWith('::ffff:') && lower.slice(7).startsWith('127.'));
  return false;
}

/** The target's base URL (no trailing slash), checked: http(s), no query, loopback unless allowed. */
export function targetOf(target: unknown, allowRemote: unknown): string {
  if (typeof target !== 'string') throw invalid('target must be a URL string');
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw invalid(`target ${JSON.stringify(target.slice(0, 200))} is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw invalid('target must be an http or https URL');
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '')
    throw invalid('target must not have a query, a fragment or credentials (give credentials as headers)');
  if (allowRemote !== undefined && typeof allowRemote !== 'boolean')
    throw invalid('allowRemote must be a boolean');
  if (!isLoopback(url.hostname) && allowRemote !== true) {
    throw invalid(
      `target host ${url.hostname} is not a loopback address; pass allowRemote (--allow-remote) to fuzz a remote backend`,
    );
  }
  let path = url.pathname;
  while (path.endsWith('/')) path = path.slice(0, -1);
  return `${url.origin}${path}`;
}

/** An optional number option within bounds (integers only when `integer`). */
export function numberOption(
  options: Record<string, unknown>,
  name: string,
  min: number,
  max: number,
  integer: boolean,
): number | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  if (
    typeof value !== 'number' ||
    Number.isNaN(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  ) {
    throw invalid(`${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
  return value;
}

/** A string option. */
export function stringOption(options: Record<string, unknown>, name: string): string | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw invalid(`${name} must be a non-empty string`);
  return value;
}

/** Headers as a record of lower-case names; values HTTP can carry. */
export function headersOption(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid('headers must be an object of name: value');
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
      throw invalid(`header name ${JSON.stringify(name.slice(0, 60))} is not a valid HTTP token`);
    if (typeof v !== 'string' || /[\u0000-\u0008\u000a-\u001f\u007f]|[^\u0000-\u00ff]/.test(v)) {
      throw invalid(
        `header ${name}: the value must be a string without control characters or characters above U+00FF`,
      );
    }
    out[name.toLowerCase()] = v;
  }
  return out;
}

/** The options object itself. */
export function optionsRecord(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid(`${what} expects an options object`);
  return value as Record<string, unknown>;
}

export function serviceOption(value: unknown): FuzzService {
  if (typeof value !== 'string' || !(SERVICES as readonly string[]).includes(value)) {
    throw invalid(`service must be one of ${SERVICES.join(', ')}`);
  }
  return value as FuzzService;
}

export function callbackOption<T>(value: unknown, name: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw invalid(`${name} must be a function`);
  return value as T;
}

export function signalOption(value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof (value as AbortSignal).aborted !== 'boolean' ||
    typeof (value as AbortSignal).addEventListener !== 'function'
  ) {
    throw invalid('signal must be an AbortSignal');
  }
  return value as AbortSignal;
}
