// Checking what the caller passed, with core/options' readers (one spelling of every check, and
// `null` as the default everywhere); the loopback rule for targets is core's, the emulator's too.
import { invalidArgument } from '../core/errors.js';
import { isHttpToken, isLoopbackHost, optionValue } from '../core/options.js';
import { SERVICE_IDS, type ServiceId } from '../core/services.js';
import { azureBatchDriver } from './azure-batch.js';
import { dliDriver } from './dli.js';
import { hpcPackDriver } from './hpc-pack.js';
import type { ServiceDriver } from './sequence.js';
import type { FuzzService, FuzzShard } from './types.js';

export const SERVICES: readonly FuzzService[] = SERVICE_IDS;

/** The driver of each service. */
export function driverOf(service: FuzzService): ServiceDriver<unknown> {
  const drivers = { 'hpc-pack': hpcPackDriver, 'azure-batch': azureBatchDriver, dli: dliDriver };
  return drivers[service] as unknown as ServiceDriver<unknown>;
}

/** The target's base URL (no trailing slash), checked: http(s), no query, loopback unless allowed. */
export function targetOf(target: unknown, allowRemote: boolean, what: string): string {
  if (typeof target !== 'string') throw invalidArgument(`${what}: target must be a URL string`);
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw invalidArgument(`${what}: target ${JSON.stringify(target.slice(0, 200))} is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw invalidArgument(`${what}: target must be an http or https URL`);
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '')
    throw invalidArgument(
      `${what}: target must not have a query, a fragment or credentials (give credentials as headers)`,
    );
  if (!isLoopbackHost(url.hostname) && !allowRemote) {
    throw invalidArgument(
      `${what}: target host ${url.hostname} is not a loopback address; pass allowRemote (--allow-remote) to fuzz a remote backend`,
    );
  }
  let path = url.pathname;
  while (path.endsWith('/')) path = path.slice(0, -1);
  return `${url.origin}${path}`;
}

/** `service`: one of the service ids. */
export function serviceOption(options: Record<string, unknown>, what: string): ServiceId {
  const value = optionValue(options, 'service', what);
  if (typeof value !== 'string' || !(SERVICE_IDS as readonly string[]).includes(value))
    throw invalidArgument(`${what}: service must be one of ${SERVICE_IDS.join(', ')}`);
  return value as ServiceId;
}

/** A shard, `{ index, count }` (1-based), or the text `K/N`. */
export function shardOf(value: unknown, what: string): FuzzShard | undefined {
  if (value === undefined || value === null) return undefined;
  let index: unknown;
  let count: unknown;
  if (typeof value === 'string') {
    const m = /^([0-9]{1,6})\/([0-9]{1,6})$/.exec(value.trim());
    if (m) [index, count] = [Number(m[1]), Number(m[2])];
  } else if (typeof value === 'object') {
    ({ index, count } = value as Partial<FuzzShard>);
  }
  if (
    typeof index !== 'number' ||
    typeof count !== 'number' ||
    !Number.isSafeInteger(index) ||
    !Number.isSafeInteger(count) ||
    count < 1 ||
    count > 1_000_000 ||
    index < 1 ||
    index > count
  ) {
    throw invalidArgument(`${what}: shard must be K/N (or { index: K, count: N }) with 1 <= K <= N`);
  }
  return { index, count };
}

/** The secret header names a caller adds: header names (HTTP tokens). */
export function secretNamesOf(value: unknown, what: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidArgument(`${what}: secretHeaders must be an array of header names`);
  return value.map((name) => {
    if (!isHttpToken(name) || name.length > 256)
      throw invalidArgument(
        `${what}: secretHeaders lists ${JSON.stringify(String(name).slice(0, 60))}, which is no header name`,
      );
    return name.toLowerCase();
  });
}
