// Azure Batch list sequences: every list operation, with `$filter`s generated per schema (from
// the data already listed, with its values in other letter cases, and from the filter
// arbitraries), `maxresults` edges, `odata.nextLink` followed to the end; and near-valid ones
// (mutated filters, unknown properties, disallowed operators, bad `maxresults` and api-versions,
// unknown jobs and pools). Every page decodes with batchwire's page parsers; returned items must
// satisfy the filter as `evaluateFilter` decides it, and listings of the same data must agree.
// The model (lists, listed data, reading a listing page by page) is azure-lists.ts.
import fc from 'fast-check';
import { mutate } from '../arbitraries/mutate.js';
import { filterText } from '../arbitraries/odata.js';
import { isBatchwireError } from '../core/errors.js';
import { evaluateFilter } from '../odata/evaluate.js';
import { parseFilter } from '../odata/parse.js';
import type { FilterExpression } from '../odata/types.js';
import type { RequestDescriptor } from '../requests/index.js';
import { jobCommands } from './azure-jobs.js';
import {
  type AzureState,
  DEFAULT_API_VERSION,
  describe,
  filterFromData,
  idOf,
  LISTS,
  type ListKind,
  listKey,
  parentOf,
  readAll,
  type Seq,
  viewOf,
} from './azure-lists.js';
import { type CommandSpec, command, type Expectation, wireOf } from './sequence.js';

export type { AzureState } from './azure-lists.js';

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
  // A listing's failures point at its last page.
  const fail = (check: 'filter-semantics' | 'paging', message: string): never =>
    seq.fail({ check, operation: kind.name, status: 200, message }, last);
  if (ast !== undefined) {
    for (const item of items) {
      if (!evaluateFilter(ast, viewOf(kind, item))) {
        fail(
          'filter-semantics',
          `item ${JSON.stringify(idOf(kind, item) ?? '?')} does not satisfy $filter=${text} (values compared without case)`,
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
      fail(
        'paging',
        `the same listing read in ${before.pages} page(s) of ${before.maxResults ?? 'default'} and in ${pages} of ${maxResults ?? 'default'} differs: ${missing.length > 0 ? `missing ${JSON.stringify(missing.slice(0, 5))}` : `extra ${JSON.stringify(extra.slice(0, 5))}`}${full || before.full ? ' (a full page came without odata.nextLink)' : ''}`,
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
    fail(
      pages > 1 || full ? 'paging' : 'filter-semantics',
      pages > 1 || full
        ? `pages skipped ${JSON.stringify(left.slice(0, 5))}, which the unfiltered listing has and the filter matches ($filter=${text})`
        : `$filter=${text} left out ${JSON.stringify(left.slice(0, 5))}, which satisfy it (values compared without case)`,
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
          parseFilter(text, { schema: kind.schema });
        } catch (error) {
          if (!isBatchwireError(error)) throw error;
          valid = false;
        }
        // An empty $filter (`$filter=`): batchwire's own validateFilter refuses it, a service may
        // read it as no filter; either answer passes.
        const empty = text.trim() === '';
        if (
          /[\ud800-\udfff]/.test(text) &&
          !/^(?:[^\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/.test(text)
        )
          return;
        add('$filter', text);
        expect = empty
          ? { outcome: 'either', success: [200], errors: [400, 409], what: 'an empty $filter' }
          : valid
            ? { outcome: 'either', success: [200], errors: [409] }
            : { outcome: 'refuse', errors: [400], what: `a broken $filter (${p.mutated.labels.join(', ')})` };
        if (valid && !empty && kind.name !== 'listJobPreparationAndReleaseTaskStatus')
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
    if (reply.status < 300)
      seq.decoding(reply, 'the page', () => kind.parse(reply.body, { contentType: reply.contentType }));
  },
});

/** The Azure Batch driver. */
export const azureBatchDriver = {
  commands: [list, listNearValid, ...jobCommands] as readonly CommandSpec<AzureState, never>[],
  initialState: (env: { apiVersion: string | undefined }): AzureState => ({
    apiVersion: env.apiVersion ?? DEFAULT_API_VERSION,
    jobs: [],
    pools: [],
    seen: new Map(),
    references: new Map(),
    listings: new Map(),
    own: new Map(),
  }),
  async cleanup(): Promise<void> {},
};
