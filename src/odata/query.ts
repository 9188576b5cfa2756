import { BatchwireError } from '../core/errors.js';
import { isArray } from '../core/options.js';
import { percentEncode } from '../core/percent.js';
import type { FilterText } from './builder.js';
import { callerError, describeValue } from './diagnostics.js';
import { formatFilter, isPropertyPath } from './format.js';
import { parseFilter } from './parse.js';
import type { FilterExpression, FilterSchema } from './types.js';

/** Query options of an Azure Batch list operation. */
export interface ListQueryOptions {
  /** `$filter`: text (checked by parsing) or an AST (formatted). Empty or omitted: no filter. */
  filter?: string | FilterText | FilterExpression | undefined;
  /** Check the filter against this schema too. */
  schema?: FilterSchema | undefined;
  /** `$select`: property names, or one comma-separated string. */
  select?: string | readonly string[] | undefined;
  /** `$expand`: property names (`stats` on jobs, tasks and pools), or one comma-separated string. */
  expand?: string | readonly string[] | undefined;
  /** `maxresults`: 1 to 1000. */
  maxResults?: number | undefined;
  /** `$skiptoken` of the next page (opaque; usually taken from `odata.nextLink`). */
  skipToken?: string | undefined;
  /** `api-version`, such as `2025-06-01`. */
  apiVersion?: string | undefined;
  /** `timeout`: server-side timeout in seconds, 1 to 30. */
  timeout?: number | undefined;
}

function invalid(message: string): BatchwireError {
  return new BatchwireError('INVALID_FIELD', message, 0);
}

function wrongType(name: string, expected: string, value: unknown): BatchwireError {
  return new BatchwireError(
    'INVALID_ARGUMENT',
    `${name} must be ${expected}, got ${describeValue(value)}`,
    0,
  );
}

function encode(value: string, name: string): string {
  return percentEncode(value, name, 'INVALID_FIELD');
}

function integerIn(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number') throw wrongType(name, `an integer from ${min} to ${max}`, value);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalid(`${name} must be an integer from ${min} to ${max}; got ${value}`);
  }
  return value;
}

/** A string option: absent (undefined or null), or a non-empty string. */
function text(name: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw wrongType(name, 'a string', value);
  if (value.length === 0) throw invalid(`${name} must be a non-empty string`);
  return value;
}

/**
 * The query string (without `?`) of an Azure Batch list call, every value percent-encoded
 * (spaces as `%20`, quotes as `%27`): `api-version`, `$filter`, `$select`, `$expand`,
 * `maxresults`, `timeout`, `$skiptoken`, in that order, each only when given.
 *
 * Options left `undefined` or `null` are left out.
 *
 * @throws {BatchwireError} a `FILTER_*` code for a bad filter string (or `LIMIT_EXCEEDED` past
 * 32 768 characters); `INVALID_FIELD` for a `maxResults` outside 1–1000, a `timeout` outside
 * 1–30, a `$select` or `$expand` entry that is not a property name, an empty skip token or API version, or a
 * hand-built filter AST that cannot be written; `INVALID_ARGUMENT` for options that are not an
 * object, or an option of the wrong type (a number for `apiVersion`, a string for `maxResults`).
 *
 * @example
 * ```ts
 * buildListQuery({ filter: eq('nodeId', 'tvm-1'), maxResults: 100, apiVersion: '2025-06-01' });
 * // "api-version=2025-06-01&$filter=nodeId%20eq%20%27tvm-1%27&maxresults=100"
 * ```
 */
export function buildListQuery(options: ListQueryOptions): string {
  if (typeof options !== 'object' || options === null || isArray(options)) {
    throw wrongType('buildListQuery options', 'an object', options);
  }
  try {
    return listQuery(options);
  } catch (error) {
    // A getter or proxy trap of the options threw.
    throw callerError(error, 'buildListQuery');
  }
}

function listQuery(options: ListQueryOptions): string {
  const parts: string[] = [];
  const { filter, schema, select, expand, maxResults, skipToken, timeout } = options;
  const apiVersion = text('apiVersion', options.apiVersion);
  if (apiVersion !== undefined) parts.push(`api-version=${encode(apiVersion, 'apiVersion')}`);
  if (filter !== undefined && filter !== null && filter !== '') {
    const parseOptions = schema === undefined || schema === null ? undefined : { schema };
    let query: string;
    if (typeof filter === 'string') {
      parseFilter(filter, parseOptions);
      query = filter;
    } else if (typeof filter === 'object') {
      query = formatFilter(filter);
      if (parseOptions) parseFilter(query, parseOptions);
    } else {
      throw wrongType('filter', 'filter text or an AST', filter);
    }
    parts.push(`$filter=${encode(query, '$filter')}`);
  }
  for (const [key, value] of [
    ['select', select],
    ['expand', expand],
  ] as const) {
    if (value === undefined || value === null) continue;
    let names: unknown[];
    if (typeof value === 'string') names = value.split(',').map((s) => s.trim());
    else if (isArray(value)) names = [...value];
    else throw wrongType(key, 'a string or an array of property names', value);
    if (names.length === 0) throw invalid(`${key} must name at least one property`);
    for (const name of names) {
      if (typeof name !== 'string' || !isPropertyPath(name)) {
        throw invalid(`not a property name in ${key}: ${describeValue(name)}`);
      }
    }
    parts.push(`$${key}=${encode(names.join(','), `$${key}`)}`);
  }
  if (maxResults !== undefined && maxResults !== null) {
    parts.push(`maxresults=${integerIn('maxResults', maxResults, 1, 1000)}`);
  }
  if (timeout !== undefined && timeout !== null)
    parts.push(`timeout=${integerIn('timeout', timeout, 1, 30)}`);
  const token = text('skipToken', skipToken);
  if (token !== undefined) parts.push(`$skiptoken=${encode(token, 'skipToken')}`);
  return parts.join('&');
}
