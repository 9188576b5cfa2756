import { BatchwireError } from '../core/errors.js';
import { percentEncode } from '../core/percent.js';
import type { FilterText } from './builder.js';
import { formatFilter, isPropertyPath } from './format.js';
import { parseFilter } from './parse.js';
import type { FilterExpression, FilterSchema } from './types.js';

/** Query options of an Azure Batch list operation. */
export interface ListQueryOptions {
  /** `$filter`: text (checked by parsing) or an AST (formatted). Empty or omitted: no filter. */
  filter?: string | FilterText | FilterExpression;
  /** Check the filter against this schema too. */
  schema?: FilterSchema;
  /** `$select`: property names, or one comma-separated string. */
  select?: string | readonly string[];
  /** `$expand`: property names (`stats` on jobs, tasks and pools), or one comma-separated string. */
  expand?: string | readonly string[];
  /** `maxresults`: 1 to 1000. */
  maxResults?: number;
  /** `$skiptoken` of the next page (opaque; usually taken from `odata.nextLink`). */
  skipToken?: string;
  /** `api-version`, such as `2025-06-01`. */
  apiVersion?: string;
  /** `timeout`: server-side timeout in seconds, 1 to 30. */
  timeout?: number;
}

function invalid(message: string): BatchwireError {
  return new BatchwireError('INVALID_FIELD', message, 0);
}

function encode(value: string, name: string): string {
  return percentEncode(value, name, 'INVALID_FIELD');
}

function integerIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalid(`${name} must be an integer from ${min} to ${max}; got ${String(value)}`);
  }
  return value;
}

/**
 * The query string (without `?`) of an Azure Batch list call, every value percent-encoded
 * (spaces as `%20`, quotes as `%27`): `api-version`, `$filter`, `$select`, `$expand`,
 * `maxresults`, `timeout`, `$skiptoken`, in that order, each only when given.
 *
 * @throws {BatchwireError} a `FILTER_*` code for a bad filter string; `INVALID_FIELD` for a
 * `maxResults` outside 1–1000, a `timeout` outside 1–30, a `$select` entry that is not a
 * property name, or an empty skip token or API version.
 *
 * @example
 * ```ts
 * buildListQuery({ filter: eq('nodeId', 'tvm-1'), maxResults: 100, apiVersion: '2025-06-01' });
 * // "api-version=2025-06-01&$filter=nodeId%20eq%20%27tvm-1%27&maxresults=100"
 * ```
 */
export function buildListQuery(options: ListQueryOptions): string {
  const parts: string[] = [];
  const { filter, schema, select, expand, maxResults, skipToken, apiVersion, timeout } = options;
  if (apiVersion !== undefined) {
    if (typeof apiVersion !== 'string' || apiVersion.length === 0)
      throw invalid('apiVersion must be a non-empty string');
    parts.push(`api-version=${encode(apiVersion, 'apiVersion')}`);
  }
  if (filter !== undefined && filter !== '') {
    let text: string;
    if (typeof filter === 'string') {
      parseFilter(filter, schema ? { schema } : {});
      text = filter;
    } else {
      text = formatFilter(filter);
      if (schema) parseFilter(text, { schema });
    }
    parts.push(`$filter=${encode(text, '$filter')}`);
  }
  for (const [key, value] of [
    ['select', select],
    ['expand', expand],
  ] as const) {
    if (value === undefined) continue;
    const names = typeof value === 'string' ? value.split(',').map((s) => s.trim()) : [...value];
    if (names.length === 0) throw invalid(`${key} must name at least one property`);
    for (const name of names) {
      if (typeof name !== 'string' || !isPropertyPath(name))
        throw invalid(`not a property name in ${key}: ${JSON.stringify(name)}`);
    }
    parts.push(`$${key}=${encode(names.join(','), `$${key}`)}`);
  }
  if (maxResults !== undefined) parts.push(`maxresults=${integerIn('maxResults', maxResults, 1, 1000)}`);
  if (timeout !== undefined) parts.push(`timeout=${integerIn('timeout', timeout, 1, 30)}`);
  if (skipToken !== undefined) {
    if (typeof skipToken !== 'string' || skipToken.length === 0)
      throw invalid('skipToken must be a non-empty string');
    parts.push(`$skiptoken=${encode(skipToken, 'skipToken')}`);
  }
  return parts.join('&');
}
