// Request descriptors for the signing tests: every operation of batchwire/requests with generated
// parameters (odd ids, filters with quotes, spaces, `+`, `%`, non-ASCII), extra headers, and
// bodies of every kind, plus requests the list operations cannot make (POST, PUT, DELETE with
// bodies, as the SDK's add/update/delete calls send them).
import { fc, filterText } from 'batchwire/arbitraries';
import { odata, schemas } from 'batchwire/odata';
import { azureBatch, dli, hpcPack, type RequestDescriptor } from 'batchwire/requests';
import type { Descriptor } from './sdk.js';

const wellFormed = (text: string) => (text as string & { isWellFormed(): boolean }).isWellFormed();

/** Text that tests the encoders: quotes, spaces, plus signs, percent signs, separators, non-ASCII. */
export const oddText = fc
  .array(
    fc.oneof(
      fc.constantFrom("'", "''", ' ', '+', '%', '%20', '&', '=', '?', '#', '/', ';', ',', ':', '$', '~', '*'),
      fc.constantFrom('é', 'ü', '日本', '\u{1F680}', '\u00a0', 'Ω'),
      fc.string({ maxLength: 6 }),
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((parts) => parts.join(''));

const id = oddText.filter((text) => text !== '' && text !== '.' && text !== '..');

const baseUrl = fc.constantFrom(
  'https://mybatch.westus.batch.azure.com',
  'http://127.0.0.1:8080',
  'https://head.contoso.com/prefix',
  'https://dli.cn-north-4.myhuaweicloud.com',
);

/** A header value HTTP can carry: visible ASCII, spaces (also around it), Latin-1 letters. */
export const headerText = fc.string({
  unit: fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)) },
    { weight: 2, arbitrary: fc.constant(' ') },
    { weight: 1, arbitrary: fc.integer({ min: 0xa0, max: 0xff }).map((c) => String.fromCharCode(c)) },
  ),
  maxLength: 24,
});

const tokenText = fc.string({
  unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-'.split('')),
  minLength: 1,
  maxLength: 10,
});

/** Extra `ocp-*` headers (the Azure SDK canonicalises those). */
export const ocpHeaders = fc.dictionary(
  tokenText.map((name) => `ocp-${name}`),
  headerText,
  { maxKeys: 3 },
);

/** Standard headers the SharedKey string to sign carries by position. */
const standardHeaders = fc.record(
  {
    'content-type': fc.constantFrom(
      'application/json; odata=minimalmetadata',
      'application/xml',
      'text/plain',
    ),
    'content-md5': fc.constant('Q2hlY2sgSW50ZWdyaXR5IQ=='),
    'if-match': fc.constantFrom('"0x8D4543A04D6B2B9"', '*'),
    'if-none-match': fc.constant('"0x1"'),
    'if-modified-since': fc.constant('Mon, 01 Jan 2024 00:00:00 GMT'),
    'if-unmodified-since': fc.constant('Tue, 02 Jan 2024 00:00:00 GMT'),
    range: fc.constant('bytes=0-99'),
    'content-language': fc.constant('en-US'),
    'content-encoding': fc.constant('gzip'),
  },
  { requiredKeys: [] },
);

/** Other headers (the AK/SK signer signs every header). */
const otherHeaders = fc.dictionary(
  tokenText.filter((name) => !['host', 'authorization', 'x-sdk-date', 'content-length'].includes(name)),
  headerText,
  { maxKeys: 3 },
);

const extraHeaders = fc
  .tuple(ocpHeaders, standardHeaders, otherHeaders)
  .map(([a, b, c]) => ({ ...c, ...b, ...a }) as Record<string, string>);

const filter = fc.oneof(
  oddText.map((text) => odata`id eq ${text}`),
  oddText.map((text) => odata`startswith(id, ${text}) and state eq 'active'`),
  filterText({ schema: schemas.jobs }).filter(wellFormed),
);

const listCommon = fc.record(
  {
    baseUrl,
    apiVersion: fc.constantFrom('2024-07-01.20.0', '2025-06-01'),
    select: fc.constantFrom(['id', 'state'], 'id,executionInfo'),
    maxResults: fc.integer({ min: 1, max: 1000 }),
    timeout: fc.integer({ min: 1, max: 30 }),
    clientRequestId: fc.uuid(),
    returnClientRequestId: fc.boolean(),
    ocpDate: fc.date({ min: new Date(0), max: new Date(4102444800000), noInvalidDate: true }),
  },
  { requiredKeys: ['baseUrl', 'apiVersion'] },
);

/** Every Azure Batch list operation. */
const azureOperations: fc.Arbitrary<RequestDescriptor> = fc.oneof(
  fc.tuple(listCommon, filter).map(([o, f]) => azureBatch.listJobs({ ...o, filter: f, schema: false })),
  fc.tuple(listCommon, filter).map(([o, f]) => azureBatch.listPools({ ...o, filter: f, schema: false })),
  fc
    .tuple(listCommon, id, filter)
    .map(([o, jobId, f]) => azureBatch.listTasks({ ...o, jobId, filter: f, schema: false })),
  fc
    .tuple(listCommon, id)
    .map(([o, poolId]) => azureBatch.listComputeNodes({ ...o, poolId, expand: 'stats' })),
  fc
    .tuple(listCommon, id, oddText)
    .map(([o, jobId, node]) =>
      azureBatch.listJobPreparationAndReleaseTaskStatus({ ...o, jobId, filter: odata`nodeId eq ${node}` }),
    ),
);

const hpcCommon = fc.record(
  {
    baseUrl,
    cluster: id,
    apiVersion: fc.constantFrom('2012-11-01.4.0', '2016-11-01.5.0'),
    apiVersionIn: fc.constantFrom('header', 'query', 'both') as fc.Arbitrary<'header' | 'query' | 'both'>,
    accept: fc.constantFrom('application/json', 'application/xml'),
  },
  { requiredKeys: ['baseUrl'] },
);
const session = fc.record({ sessionId: fc.oneof(fc.nat(), id), batchName: id });
const bytes = fc.uint8Array({ maxLength: 64 }).map((b) => new Uint8Array(b));

/** Every HPC Pack SOA operation. */
const hpcOperations: fc.Arbitrary<RequestDescriptor> = fc.oneof(
  hpcCommon.map((o) => hpcPack.getClusters(o)),
  fc
    .tuple(hpcCommon, fc.boolean(), fc.constantFrom('{"ServiceName":"Echo"}', '<StartInfo/>', ''))
    .map(([o, durable, body]) => hpcPack.createSession({ ...o, durable, ...(body === '' ? {} : { body }) })),
  fc.tuple(hpcCommon, session).map(([o, s]) => hpcPack.attachSession({ ...o, ...s, durable: true })),
  fc.tuple(hpcCommon, session).map(([o, s]) => hpcPack.closeSession({ ...o, ...s })),
  fc
    .tuple(hpcCommon, session, fc.oneof(bytes, oddText), fc.boolean(), fc.boolean())
    .map(([o, s, body, commit, genericService]) =>
      hpcPack.sendRequests({ ...o, ...s, body, commit, genericService }),
    ),
  fc.tuple(hpcCommon, session).map(([o, s]) => hpcPack.getRequestStatus({ ...o, ...s })),
  fc.tuple(hpcCommon, session).map(([o, s]) => hpcPack.commitRequests({ ...o, ...s })),
  fc.tuple(hpcCommon, session).map(([o, s]) => hpcPack.deleteRequests({ ...o, ...s })),
  fc
    .tuple(
      hpcCommon,
      session,
      fc.option(oddText, { nil: undefined }),
      fc.integer({ min: -1, max: 1000 }),
      fc.boolean(),
    )
    .map(([o, s, action, count, reset]) =>
      hpcPack.getResponses({
        ...o,
        ...s,
        count,
        reset,
        genericService: true,
        ...(action === undefined ? {} : { action, clientData: action }),
      }),
    ),
);

const dliCommon = fc.record(
  { baseUrl, projectId: id, authToken: fc.constant('MIIT...token') },
  { requiredKeys: ['baseUrl', 'projectId'] },
);

/** Every DLI operation. */
const dliOperations: fc.Arbitrary<RequestDescriptor> = fc.oneof(
  fc.tuple(dliCommon, oddText, fc.option(oddText, { nil: undefined })).map(([o, file, name]) =>
    dli.createBatch({
      ...o,
      body: { file, className: 'Main', queue: 'q1', ...(name === undefined ? {} : { name }) },
    }),
  ),
  fc
    .tuple(
      dliCommon,
      fc.record(
        {
          jobName: oddText,
          queueName: oddText,
          from: fc.nat(),
          size: fc.integer({ min: 1, max: 100 }),
          state: fc.constantFrom('running', 'success'),
        },
        { requiredKeys: [] },
      ),
    )
    .map(([o, q]) => dli.listBatches({ ...o, ...q })),
  fc.tuple(dliCommon, id).map(([o, batchId]) => dli.getBatch({ ...o, batchId })),
  fc.tuple(dliCommon, id).map(([o, batchId]) => dli.getBatchState({ ...o, batchId })),
  fc.tuple(dliCommon, id).map(([o, batchId]) => dli.cancelBatch({ ...o, batchId })),
);

/** The calls batchwire/requests does not describe: add, update, delete, with every kind of body. */
const writes: fc.Arbitrary<Descriptor> = fc
  .record({
    method: fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE'),
    base: baseUrl,
    path: fc.constantFrom('/jobs', '/jobs/job-1/tasks', '/pools/p%201', '/jobs/job-1/terminate'),
    query: fc.constantFrom('?api-version=2024-07-01.20.0', '?api-version=2025-06-01&timeout=30', ''),
    body: fc.oneof(
      fc.constant(undefined),
      fc.constant(''),
      fc.constant(new Uint8Array(0)),
      oddText.map((t) => JSON.stringify({ id: t, priority: 1 })),
      oddText,
      bytes,
    ),
    contentType: fc.constantFrom(
      'application/json; odata=minimalmetadata',
      'application/octet-stream',
      undefined,
    ),
  })
  .map(({ method, base, path, query, body, contentType }) => {
    const request: Descriptor = { method, url: `${base}${path}${query}`, headers: {} };
    if (contentType !== undefined) request.headers['content-type'] = contentType;
    if (body !== undefined) request.body = body;
    return request;
  });

/**
 * The query written as other clients write it: as batchwire does (RFC 3986, `%20`), as an HTML
 * form and URLSearchParams do (`+` for a space), or as encodeURIComponent leaves it (`'()*!` raw,
 * what ms-rest-js sends). The parameters are the same; the signers must read them the same.
 */
function rewriteQuery(url: string, style: 'as-is' | 'form' | 'component'): string {
  if (style === 'as-is') return url;
  const parsed = new URL(url);
  if (parsed.search === '') return url;
  const pairs = [...parsed.searchParams];
  parsed.search =
    style === 'form'
      ? new URLSearchParams(pairs).toString()
      : pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  return parsed.href;
}

/** Any request to sign: every operation, and writes; with extra headers and queries in every style. */
export const anyRequest: fc.Arbitrary<Descriptor> = fc
  .tuple(
    fc.oneof(azureOperations, hpcOperations, dliOperations, writes) as fc.Arbitrary<Descriptor>,
    fc.option(extraHeaders, { nil: undefined }),
    fc.constantFrom('as-is', 'form', 'component') as fc.Arbitrary<'as-is' | 'form' | 'component'>,
  )
  .map(([request, extra, style]) => ({
    ...request,
    url: rewriteQuery(request.url, style),
    headers: extra === undefined ? request.headers : { ...request.headers, ...extra },
  }));
