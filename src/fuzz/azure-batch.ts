// Azure Batch list sequences: every list operation, with `$filter`s generated per schema (from
// the data already listed, with its values in other letter cases, and from the filter
// arbitraries), `maxresults` edges, `odata.nextLink` followed to the end; and near-valid ones
// (mutated filters, unknown properties, disallowed operators, bad `maxresults` and api-versions,
// unknown jobs and pools). Every page decodes with batchwire's page parsers; returned items must
// satisfy the filter as `evaluateFilter` decides it, and listings of the same data must agree.
// Over 500 lines on purpose: one command per list operation and variant over one model of the
// listed data, which the filter generators and the checks both read.
import fc from 'fast-check';
import { mutate } from '../arbitraries/mutate.js';
import { filterText } from '../arbitraries/odata.js';
import { isBatchwireError } from '../core/errors.js';
import { eq, ge, gt, le, lt, ne, startswith } from '../odata/builder.js';
import { evaluateFilter } from '../odata/evaluate.js';
import { parseFilter } from '../odata/parse.js';
import { schemas } from '../odata/schemas.js';
import type { FilterExpression, FilterSchema } from '../odata/types.js';
import { azureBatch, type RequestDescriptor } from '../requests/index.js';
import {
  parseComputeNodeListPage,
  parseJobListPage,
  parseJobPrepReleaseStatusPage,
  parsePoolListPage,
  parseTaskListPage,
} from '../status/index.js';
import { readJsonObject } from './documents.js';
import { type CommandSpec, command, type Expectation, type Sequence, wireOf } from './sequence.js';

type Item = Record<string, unknown>;

interface ListKind {
  name:
    | 'listJobs'
    | 'listPools'
    | 'listTasks'
    | 'listComputeNodes'
    | 'listJobPreparationAndReleaseTaskStatus';
  schema: FilterSchema;
  parent?: 'job' | 'pool';
  parse: (body: Uint8Array, options: { contentType?: string }) => unknown;
}

const LISTS: readonly ListKind[] = [
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
interface Listing {
  ids: string[];
  pages: number;
  maxResults: number | undefined;
  /** One page exactly as full as maxresults asked: complete only if the server says so by leaving out the link. */
  full: boolean;
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
}

type Seq = Sequence<AzureState>;

const DEFAULT_API_VERSION = '2024-07-01.20.0';
const MAX_PAGES = 50;

function idOf(kind: ListKind, item: Item): string | undefined {
  if (kind.name === 'listJobPreparationAndReleaseTaskStatus') {
    return typeof item.poolId === 'string' && typeof item.nodeId === 'string'
      ? `${item.poolId}/${item.nodeId}`
      : undefined;
  }
  return typeof item.id === 'string' ? item.id : undefined;
}

// The filter table calls the task's wire field `lastModified` `lastModifiedTime`.
function viewOf(kind: ListKind, item: Item): Item {
  if (
    kind.name === 'listTasks' &&
    Object.hasOwn(item, 'lastModified') &&
    !Object.hasOwn(item, 'lastModifiedTime')
  ) {
    return { ...item, lastModifiedTime: item.lastModified };
  }
  return item;
}

function valueAt(item: Item, path: string): unknown {
  let value: unknown = item;
  for (const step of path.split('/')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, step)) return undefined;
    value = (value as Item)[step];
  }
  return value;
}

function recase(text: string, variant: number): string {
  if (variant === 1) return text.toUpperCase();
  if (variant === 2) return text.toLowerCase();
  if (variant === 3)
    return [...text].map((c, i) => (i % 2 === 0 ? c.toUpperCase() : c.toLowerCase())).join('');
  return text;
}

function listKey(kind: ListKind, parent: string | undefined): string {
  return parent === undefined ? kind.name : `${kind.name}/${parent.toLowerCase()}`;
}

function parentOf(seq: Seq, kind: ListKind, pick: number): string | undefined {
  if (kind.parent === undefined) return undefined;
  const ids = kind.parent === 'job' ? seq.state.jobs : seq.state.pools;
  return ids.length === 0 ? undefined : ids[pick % ids.length];
}

function describe(
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
function filterFromData(
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
async function readAll(
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
    let link: string | undefined;
    let value: unknown[];
    try {
      const page = kind.parse(
        reply.body,
        reply.contentType === undefined ? {} : { contentType: reply.contentType },
      ) as { nextLink?: string };
      link = page.nextLink;
      const raw = readJsonObject(reply.body, reply.contentType, 'a list page');
      value = Array.isArray(raw.value) ? raw.value : [];
    } catch (error) {
      if (!isBatchwireError(error)) throw error;
      return seq.fail({
        check: 'undecodable-response',
        operation: kind.name,
        status: reply.status,
        code: error.code,
        message: `page ${pages}: ${error.message}`,
      });
    }
    if (maxResults !== undefined && value.length > maxResults) {
      seq.fail({
        check: 'paging',
        operation: kind.name,
        status: reply.status,
        message: `page ${pages} holds ${value.length} items; maxresults=${maxResults}`,
      });
    }
    for (const entry of value) {
      if (typeof entry !== 'object' || entry === null) continue;
      const item = entry as Item;
      const id = idOf(kind, item);
      if (id !== undefined) {
        const key = id.toLowerCase();
        if (ids.has(key)) {
          seq.fail({
            check: 'paging',
            operation: kind.name,
            status: reply.status,
            message: `item ${JSON.stringify(id)} came back twice (on page ${pages} again): pages overlap`,
          });
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
      return seq.fail({
        check: 'paging',
        operation: kind.name,
        status: reply.status,
        message: `odata.nextLink ${JSON.stringify(link.slice(0, 200))} is not an absolute URL`,
      });
    }
    if (next.origin !== origin) {
      seq.fail({
        check: 'paging',
        operation: kind.name,
        status: reply.status,
        message: `odata.nextLink leaves the target (${next.origin})`,
      });
    }
    if (links.has(link)) {
      seq.fail({
        check: 'paging',
        operation: kind.name,
        status: reply.status,
        message: `odata.nextLink loops: page ${pages} links to a page already read`,
      });
    }
    links.add(link);
    if (pages >= MAX_PAGES) return undefined;
    request = { method: 'GET', url: link, headers: { ...first.headers } };
  }
}

interface ListParams {
  list: number;
  parent: number;
  filter:
    | { kind: 'none' }
    | { kind: 'data'; text: boolean; prop: number; item: number; operator: number; variant: number }
    | { kind: 'text'; text: string };
  maxResults: number | undefined;
}

const listParams: fc.Arbitrary<ListParams> = fc.nat({ max: LISTS.length - 1 }).chain((list) =>
  fc.record({
    list: fc.constant(list),
    parent: fc.nat(),
    filter: fc.oneof(
      { withCrossShrink: true },
      { weight: 2, arbitrary: fc.constant({ kind: 'none' as const }) },
      {
        weight: 4,
        arbitrary: fc.record({
          kind: fc.constant('data' as const),
          text: fc.oneof(
            { weight: 3, arbitrary: fc.constant(true) },
            { weight: 1, arbitrary: fc.constant(false) },
          ),
          prop: fc.nat(),
          item: fc.nat(),
          operator: fc.nat(),
          variant: fc.nat({ max: 3 }),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('text' as const),
          text: filterText({ schema: LISTS[list]!.schema, maxDepth: 2 }),
        }),
      },
    ),
    // Most real calls leave maxresults out; the edges and small pages (several pages per list) the rest.
    maxResults: fc.oneof(
      { withCrossShrink: true },
      { weight: 3, arbitrary: fc.constant(undefined) },
      { weight: 2, arbitrary: fc.constantFrom(1, 2, 3, 1000) },
    ),
  }),
);

const list = command<AzureState, ListParams>({
  name: 'list',
  weight: 6,
  params: listParams,
  check: () => true,
  async run(seq, p) {
    const kind = LISTS[p.list]!;
    const parent = parentOf(seq, kind, p.parent);
    if (kind.parent !== undefined && parent === undefined) {
      // No job or pool known yet: list them first, so the parent is a real one.
      await runList(seq, LISTS[kind.parent === 'job' ? 0 : 1]!, undefined, undefined, undefined);
      return;
    }
    const text =
      p.filter.kind === 'none'
        ? undefined
        : p.filter.kind === 'text'
          ? p.filter.text
          : filterFromData(seq, kind, p.filter);
    await runList(seq, kind, parent, text, p.maxResults);
  },
});

// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: a listing walked page by page with each paging and filter check (link origin, page size, item shape, filter semantics) where the page is at hand
async function runList(
  seq: Seq,
  kind: ListKind,
  parent: string | undefined,
  text: string | undefined,
  maxResults: number | undefined,
): Promise<void> {
  let ast: FilterExpression | undefined;
  if (text !== undefined) {
    try {
      ast = parseFilter(text, { schema: kind.schema });
    } catch (error) {
      if (!isBatchwireError(error)) throw error;
      return;
    }
  }
  let first: RequestDescriptor;
  try {
    first = describe(seq, kind, parent, {
      ...(text === undefined ? {} : { filter: text }),
      ...(maxResults === undefined ? {} : { maxResults }),
    });
  } catch (error) {
    // A filter a URL cannot carry (a lone surrogate): nothing to send.
    if (isBatchwireError(error)) return;
    throw error;
  }
  // A job without preparation and release tasks answers its status list with 409.
  const expect: Expectation =
    kind.name === 'listJobPreparationAndReleaseTaskStatus'
      ? { outcome: 'either', success: [200], errors: [409], what: `the status list of job ${parent}` }
      : { outcome: 'success', success: [200] };
  const all = await readAll(seq, kind, first, expect, maxResults);
  if (all === undefined) return;
  const { items, pages } = all;
  const state = seq.state;
  const seen = state.seen.get(kind.name) ?? [];
  for (const item of items) if (seen.length < 64) seen.push(item);
  state.seen.set(kind.name, seen);
  if (kind.name === 'listJobs' || kind.name === 'listPools') {
    const known = kind.name === 'listJobs' ? state.jobs : state.pools;
    for (const item of items)
      if (typeof item.id === 'string' && !known.includes(item.id) && known.length < 32) known.push(item.id);
  }
  const last = seq.exchanges.length - 1;
  if (ast !== undefined) {
    for (const item of items) {
      if (!evaluateFilter(ast, viewOf(kind, item))) {
        seq.fail(
          {
            check: 'filter-semantics',
            operation: kind.name,
            status: 200,
            message: `item ${JSON.stringify(idOf(kind, item) ?? '?')} does not satisfy $filter=${text} (values compared without case)`,
          },
          last,
        );
      }
    }
  }
  const key = listKey(kind, parent);
  const ids = items
    .map((item) => idOf(kind, item)?.toLowerCase())
    .filter((id): id is string => id !== undefined);
  const idSet = new Set(ids);
  const full = pages === 1 && maxResults !== undefined && items.length >= maxResults;
  // Listings of the same list and filter must agree whatever the page size.
  const byFilter = `${key}\u0000${text ?? ''}`;
  const before = state.listings.get(byFilter);
  if (before !== undefined && (before.pages > 1 || pages > 1 || before.maxResults !== maxResults)) {
    const missing = before.ids.filter((id) => !idSet.has(id));
    const extra = ids.filter((id) => !before.ids.includes(id));
    if (missing.length > 0 || extra.length > 0) {
      seq.fail(
        {
          check: 'paging',
          operation: kind.name,
          status: 200,
          message: `the same listing read in ${before.pages} page(s) of ${before.maxResults ?? 'default'} and in ${pages} of ${maxResults ?? 'default'} differs: ${missing.length > 0 ? `missing ${JSON.stringify(missing.slice(0, 5))}` : `extra ${JSON.stringify(extra.slice(0, 5))}`}${full || before.full ? ' (a full page came without odata.nextLink)' : ''}`,
        },
        last,
      );
    }
  }
  state.listings.set(byFilter, { ids, pages, maxResults, full });
  if (ast === undefined) {
    const reference = state.references.get(key);
    if (reference === undefined || pages === 1) {
      state.references.set(key, {
        items: new Map(
          items.flatMap((item) => {
            const id = idOf(kind, item);
            return id === undefined ? [] : [[id.toLowerCase(), item] as const];
          }),
        ),
        pages,
      });
    }
    return;
  }
  // Every item of the unfiltered listing that satisfies the filter must have come back.
  const reference = state.references.get(key);
  if (reference === undefined) return;
  const left = [...reference.items]
    .filter(([id, item]) => !idSet.has(id) && evaluateFilter(ast, viewOf(kind, item)))
    .map(([id]) => id);
  if (left.length > 0) {
    seq.fail(
      {
        check: pages > 1 || full ? 'paging' : 'filter-semantics',
        operation: kind.name,
        status: 200,
        message:
          pages > 1 || full
            ? `pages skipped ${JSON.stringify(left.slice(0, 5))}, which the unfiltered listing has and the filter matches ($filter=${text})`
            : `$filter=${text} left out ${JSON.stringify(left.slice(0, 5))}, which satisfy it (values compared without case)`,
      },
      last,
    );
  }
}

interface BrokenParams {
  list: number;
  parent: number;
  defect: number;
  spot: number;
  mutated: { bytes: Uint8Array; labels: string[] };
}

const API_VERSIONS = ['', 'x', '2024-07-01.20', 'latest'];
const BAD_MAX = ['0', '1001', '-5', 'x', '2.5'];

const listNearValid = command<AzureState, BrokenParams>({
  name: 'listNearValid',
  weight: 3,
  params: fc.nat({ max: LISTS.length - 1 }).chain((list) =>
    fc.record({
      list: fc.constant(list),
      parent: fc.nat(),
      defect: fc.nat({ max: 5 }),
      spot: fc.nat(),
      mutated: mutate(
        'filter',
        filterText({ schema: LISTS[list]!.schema, maxDepth: 2 }).map((t) => new TextEncoder().encode(t)),
        { growBy: 600, depth: 120 },
      ),
    }),
  ),
  check: () => true,
  // biome-ignore lint/complexity/noExcessiveCognitiveComplexity: one defect at a time on a list request (bad filter, bad maxresults, unknown parent...), each arm a request and its expected answer
  async run(seq, p) {
    let kind = LISTS[p.list]!;
    let parent = parentOf(seq, kind, p.parent);
    let defect = p.defect;
    if (defect === 5 && kind.parent === undefined) defect = 2;
    // One defect at a time: without a known job or pool, a child list would fail on its parent first.
    if (defect !== 5 && kind.parent !== undefined && parent === undefined) {
      kind = LISTS[kind.parent === 'job' ? 0 : 1]!;
      parent = undefined;
    }
    let descriptor: RequestDescriptor;
    let expect: Expectation = { outcome: 'refuse', errors: [400] };
    const add = (name: string, value: string) => {
      descriptor.url += `&${name}=${encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
    };
    try {
      descriptor = describe(seq, kind, defect === 5 ? undefined : parent, {});
    } catch (error) {
      if (isBatchwireError(error)) return;
      throw error;
    }
    const properties = Object.keys(kind.schema.properties).sort();
    const path = properties[p.spot % properties.length]!;
    const spec = kind.schema.properties[path]!;
    switch (defect) {
      case 0: {
        const text = new TextDecoder().decode(p.mutated.bytes);
        // An empty $filter is no filter.
        let valid = true;
        try {
          if (text.trim() !== '') parseFilter(text, { schema: kind.schema });
        } catch (error) {
          if (!isBatchwireError(error)) throw error;
          valid = false;
        }
        if (
          /[\ud800-\udfff]/.test(text) &&
          !/^(?:[^\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/.test(text)
        )
          return;
        add('$filter', text);
        expect = valid
          ? { outcome: 'either', success: [200], errors: [409] }
          : { outcome: 'refuse', errors: [400], what: `a broken $filter (${p.mutated.labels.join(', ')})` };
        if (valid && kind.name !== 'listJobPreparationAndReleaseTaskStatus')
          expect = { outcome: 'success', success: [200] };
        break;
      }
      case 1: {
        // Property names are case-sensitive: the name in another case is unknown.
        const wrong = path.includes('/')
          ? path.replace(/\/(.)/, (_m, c: string) => `/${c.toUpperCase()}`)
          : path.toUpperCase();
        add('$filter', `${wrong} eq 'x'`);
        expect = { outcome: 'refuse', errors: [400], what: `an unknown $filter property (${wrong})` };
        break;
      }
      case 2:
        add('maxresults', BAD_MAX[p.spot % BAD_MAX.length]!);
        expect = { outcome: 'refuse', errors: [400], what: `maxresults=${BAD_MAX[p.spot % BAD_MAX.length]}` };
        break;
      case 3: {
        const version = API_VERSIONS[p.spot % API_VERSIONS.length]!;
        descriptor.url = descriptor.url
          .replace(
            /([?&])api-version=[^&]*&?/,
            version === '' ? '$1' : `$1api-version=${encodeURIComponent(version)}&`,
          )
          .replace(/[?&]$/, '');
        expect = {
          outcome: 'refuse',
          errors: [400],
          what: version === '' ? 'no api-version' : `api-version ${JSON.stringify(version)}`,
        };
        break;
      }
      case 4: {
        // An operator the table does not allow on the property, or a literal of the wrong type.
        const missing = (['gt', 'eq', 'lt'] as const).find(
          (op) => !(spec.operators as readonly string[]).includes(op),
        );
        const literal = spec.type === 'String' ? '5' : "'x'";
        const text =
          missing === undefined
            ? `${path} eq ${literal}`
            : `${path} ${missing} ${spec.type === 'String' ? "'x'" : spec.type === 'Int' ? '1' : spec.type === 'Boolean' ? 'true' : "DateTime'2024-01-01T00:00:00Z'"}`;
        add('$filter', text);
        expect = { outcome: 'refuse', errors: [400], what: `$filter=${text}` };
        break;
      }
      default:
        expect = {
          outcome: 'refuse',
          errors: [404],
          what: `an unknown ${kind.parent === 'job' ? 'job' : 'pool'}`,
        };
    }
    // A job without preparation and release tasks may answer 409 before it looks at the query.
    if (
      kind.name === 'listJobPreparationAndReleaseTaskStatus' &&
      expect.outcome !== 'success' &&
      expect.errors?.includes(400)
    ) {
      expect = { ...expect, errors: [...expect.errors, 409] };
    }
    const wire = wireOf(descriptor, seq.env.headers);
    const reply = await seq.sendWire(kind.name, wire, expect);
    if (reply.status < 300) {
      try {
        kind.parse(reply.body, reply.contentType === undefined ? {} : { contentType: reply.contentType });
      } catch (error) {
        if (!isBatchwireError(error)) throw error;
        seq.fail({
          check: 'undecodable-response',
          operation: kind.name,
          status: reply.status,
          code: error.code,
          message: error.message,
        });
      }
    }
  },
});

/** The Azure Batch driver. */
export const azureBatchDriver = {
  commands: [list, listNearValid] as readonly CommandSpec<AzureState, never>[],
  initialState: (env: { apiVersion: string | undefined }): AzureState => ({
    apiVersion: env.apiVersion ?? DEFAULT_API_VERSION,
    jobs: [],
    pools: [],
    seen: new Map(),
    references: new Map(),
    listings: new Map(),
  }),
  async cleanup(): Promise<void> {},
};
