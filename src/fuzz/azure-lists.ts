import { isBatchwireError } from '../core/errors.js';
import { eq, ge, gt, le, lt, ne, startswith } from '../odata/builder.js';
import { schemas } from '../odata/schemas.js';
import type { FilterSchema } from '../odata/types.js';
import { azureBatch, type RequestDescriptor } from '../requests/index.js';
import {
  parseComputeNodeListPage,
  parseJobListPage,
  parseJobPrepReleaseStatusPage,
  parsePoolListPage,
  parseTaskListPage,
} from '../status/index.js';
import { readJsonObject } from './documents.js';
import type { Expectation, Sequence } from './sequence.js';

export type Item = Record<string, unknown>;

export interface ListKind {
  name:
    | 'listJobs'
    | 'listPools'
    | 'listTasks'
    | 'listComputeNodes'
    | 'listJobPreparationAndReleaseTaskStatus';
  schema: FilterSchema;
  parent?: 'job' | 'pool';
  parse: (body: Uint8Array, options: { contentType?: string | undefined }) => unknown;
}

export const LISTS: readonly ListKind[] = [
  { name: 'listJobs', schema: schemas.jobs, parse: parseJobListPage },
  { name: 'listPools', schema: schemas.pools, parse: parsePoolListPage },
  { name: 'listTasks', schema: schemas.tasks, parent: 'job', parse: parseTaskListPage },
  { name: 'listComputeNodes', schema: schemas.computeNodes, parent: 'pool', parse: parseComputeNodeListPage },
  {
    name: 'listJobPreparationAndReleaseTaskStatus',
    schema: schemas.jobPreparationAndReleaseTaskStatus,
    parent: 'job',
    parse: parseJobPrepReleaseStatusPage,
  },
];

/** A complete listing: the ids seen and how many pages it took. */
export interface Listing {
  ids: string[];
  pages: number;
  maxResults: number | undefined;
  /** One page exactly as full as maxresults asked: complete only if the server says so by leaving out the link. */
  full: boolean;
}

/** What the fuzz model knows of a job the runner made (azure-jobs.ts). */
export interface OwnJob {
  /** `terminated`: terminate accepted (terminating or completed); `deleted`: delete accepted; `gone`: 404 seen after delete. */
  phase: 'active' | 'terminated' | 'completed' | 'deleted' | 'gone';
  tasks: number;
}

export interface AzureState {
  apiVersion: string;
  jobs: string[];
  pools: string[];
  /** Items seen, per list kind (for filters built from the data). */
  seen: Map<string, Item[]>;
  /** The last complete unfiltered listing of each list (kind and parent): items by id. */
  references: Map<string, { items: Map<string, Item>; pages: number }>;
  /** Complete listings per list and filter text. */
  listings: Map<string, Listing>;
  /** The jobs the runner made itself, and what the model knows of them (azure-jobs.ts). */
  own?: Map<string, OwnJob>;
}

export type Seq = Sequence<AzureState>;

export const DEFAULT_API_VERSION = '2024-07-01.20.0';
export const MAX_PAGES = 50;

export function idOf(kind: ListKind, item: Item): string | undefined {
  if (kind.name === 'listJobPreparationAndReleaseTaskStatus') {
    return typeof item.poolId === 'string' && typeof item.nodeId === 'string'
      ? `${item.poolId}/${item.nodeId}`
      : undefined;
  }
  return typeof item.id === 'string' ? item.id : undefined;
}

// The filter table calls the task's wire field `lastModified` `lastModifiedTime`.
export function viewOf(kind: ListKind, item: Item): Item {
  if (
    kind.name === 'listTasks' &&
    Object.hasOwn(item, 'lastModified') &&
    !Object.hasOwn(item, 'lastModifiedTime')
  ) {
    return { ...item, lastModifiedTime: item.lastModified };
  }
  return item;
}

export function valueAt(item: Item, path: string): unknown {
  let value: unknown = item;
  for (const step of path.split('/')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, step)) return undefined;
    value = (value as Item)[step];
  }
  return value;
}

export function recase(text: string, variant: number): string {
  if (variant === 1) return text.toUpperCase();
  if (variant === 2) return text.toLowerCase();
  if (variant === 3)
    return [...text].map((c, i) => (i % 2 === 0 ? c.toUpperCase() : c.toLowerCase())).join('');
  return text;
}

export function listKey(kind: ListKind, parent: string | undefined): string {
  return parent === undefined ? kind.name : `${kind.name}/${parent.toLowerCase()}`;
}

export function parentOf(seq: Seq, kind: ListKind, pick: number): string | undefined {
  if (kind.parent === undefined) return undefined;
  const ids = kind.parent === 'job' ? seq.state.jobs : seq.state.pools;
  return ids.length === 0 ? undefined : ids[pick % ids.length];
}

export function describe(
  seq: Seq,
  kind: ListKind,
  parent: string | undefined,
  query: { filter?: string; maxResults?: number },
): RequestDescriptor {
  const options = {
    baseUrl: seq.env.target,
    apiVersion: seq.state.apiVersion,
    // The filter is checked (by parseFilter, with the schema) before it is sent; near-valid ones are added by hand.
    schema: false as const,
    ...(query.filter === undefined ? {} : { filter: query.filter }),
    ...(query.maxResults === undefined ? {} : { maxResults: query.maxResults }),
  };
  switch (kind.name) {
    case 'listJobs':
      return azureBatch.listJobs(options);
    case 'listPools':
      return azureBatch.listPools(options);
    case 'listTasks':
      return azureBatch.listTasks({ ...options, jobId: parent ?? 'no-such-job' });
    case 'listComputeNodes':
      return azureBatch.listComputeNodes({ ...options, poolId: parent ?? 'no-such-pool' });
    case 'listJobPreparationAndReleaseTaskStatus':
      return azureBatch.listJobPreparationAndReleaseTaskStatus({
        ...options,
        jobId: parent ?? 'no-such-job',
      });
  }
}

/** A filter built from a listed item's value: `prop op value` with the value in another letter case. */
export function filterFromData(
  seq: Seq,
  kind: ListKind,
  p: { text: boolean; prop: number; item: number; operator: number; variant: number },
): string | undefined {
  const items = seq.state.seen.get(kind.name) ?? [];
  // Mostly text properties: their values' letter case is where servers go wrong.
  const all = Object.keys(kind.schema.properties).sort();
  const text = all.filter((name) => kind.schema.properties[name]!.type === 'String');
  const properties = p.text && text.length > 0 ? text : all;
  const path = properties[p.prop % properties.length]!;
  const spec = kind.schema.properties[path]!;
  for (let k = 0; k < items.length; k++) {
    const value = valueAt(viewOf(kind, items[(p.item + k) % items.length]!), path);
    if (value === undefined || value === null) continue;
    const operator = spec.operators[p.operator % spec.operators.length]!;
    try {
      let literal: string | number | boolean | Date;
      if (spec.type === 'String' && typeof value === 'string') literal = recase(value, p.variant);
      else if (spec.type === 'Int' && Number.isSafeInteger(value)) literal = value as number;
      else if (spec.type === 'Boolean' && typeof value === 'boolean') literal = value;
      else if (spec.type === 'DateTime' && typeof value === 'string' && Number.isFinite(Date.parse(value)))
        literal = new Date(value);
      else continue;
      if (operator === 'startswith')
        return startswith(path, String(literal).slice(0, Math.max(1, String(literal).length >> 1)));
      const build = { eq, ne, gt, ge, lt, le }[operator];
      return build(path, literal);
    } catch (error) {
      if (!isBatchwireError(error)) throw error;
    }
  }
  return undefined;
}

/** Reads every page of a listing, checking each; returns the items and the page count, or undefined past MAX_PAGES. */
export async function readAll(
  seq: Seq,
  kind: ListKind,
  first: RequestDescriptor,
  expect: Expectation,
  maxResults: number | undefined,
): Promise<{ items: Item[]; pages: number } | undefined> {
  const items: Item[] = [];
  const ids = new Set<string>();
  const links = new Set<string>();
  const origin = new URL(seq.env.target).origin;
  let request: RequestDescriptor = first;
  for (let pages = 1; ; pages++) {
    const reply = await seq.send(
      kind.name,
      request,
      pages === 1 ? expect : { outcome: 'success', success: [200] },
    );
    if (reply.status >= 300) return undefined;
    const { link, value } = seq.decoding(reply, `page ${pages}`, () => {
      const page = kind.parse(reply.body, { contentType: reply.contentType }) as { nextLink?: string };
      const raw = readJsonObject(reply.body, reply.contentType, 'a list page');
      return { link: page.nextLink, value: Array.isArray(raw.value) ? (raw.value as unknown[]) : [] };
    });
    if (maxResults !== undefined && value.length > maxResults) {
      seq.failAt(reply, 'paging', `page ${pages} holds ${value.length} items; maxresults=${maxResults}`);
    }
    for (const entry of value) {
      if (typeof entry !== 'object' || entry === null) continue;
      const item = entry as Item;
      const id = idOf(kind, item);
      if (id !== undefined) {
        const key = id.toLowerCase();
        if (ids.has(key)) {
          seq.failAt(
            reply,
            'paging',
            `item ${JSON.stringify(id)} came back twice (on page ${pages} again): pages overlap`,
          );
        }
        ids.add(key);
      }
      items.push(item);
    }
    if (link === undefined) return { items, pages };
    let next: URL;
    try {
      next = new URL(link);
    } catch {
      return seq.failAt(
        reply,
        'paging',
        `odata.nextLink ${JSON.stringify(link.slice(0, 200))} is not an absolute URL`,
      );
    }
    if (next.origin !== origin) {
      seq.failAt(reply, 'paging', `odata.nextLink leaves the target (${next.origin})`);
    }
    if (links.has(link)) {
      seq.failAt(reply, 'paging', `odata.nextLink loops: page ${pages} links to a page already read`);
    }
    links.add(link);
    if (pages >= MAX_PAGES) return undefined;
    request = { method: 'GET', url: link, headers: { ...first.headers } };
  }
}
