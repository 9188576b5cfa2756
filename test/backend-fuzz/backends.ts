// Small, deliberately broken backends, each a few lines on top of the emulator (an interceptor or
// a fault rule) or on plain node:http: one bug each, for runFuzz to find and shrink.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  Emulator,
  EmulatorOptions,
  GenericPlanRecord,
  InterceptedRequest,
  Interceptor,
  ResponsePlan,
} from 'batchwire/emulator';
import { startEmulator } from 'batchwire/emulator';
import { decodeGenericRequests } from 'batchwire/generic';
import { type FilterExpression, parseFilter, schemas } from 'batchwire/odata';
import { readMessageArray, type SoapWriteRecord } from 'batchwire/soap';

/** A backend under test: its URL and how to stop it. */
export interface Backend {
  url: string;
  close(): Promise<void>;
  emulator?: Emulator;
}

/** The emulator with one interceptor (and options) installed. */
export async function emulatorWith(intercept?: Interceptor, options: EmulatorOptions = {}): Promise<Backend> {
  const emulator = await startEmulator({ seed: 1, ...options });
  if (intercept) emulator.use(intercept);
  return { url: emulator.url, close: () => emulator.close(), emulator };
}

/** The user data of a Send Requests body, generic or SOAP. */
async function userDataOf(request: InterceptedRequest): Promise<string[]> {
  const bytes = await request.bytes();
  const contentType = request.headers['content-type'];
  const out: string[] = [];
  try {
    if (request.query.get('genericservice')?.toLowerCase() === 'true') {
      for await (const r of decodeGenericRequests([bytes], contentType ? { contentType } : {}))
        out.push(r.userData);
    } else {
      for await (const r of readMessageArray([bytes], { requireEnd: false }))
        if (r.kind === 'response') out.push(r.userData ?? '');
    }
  } catch {
    // A body the emulator refuses anyway.
  }
  return out;
}

/** HPC Pack: Send Requests answers 500 when a request's userData holds a double quote. */
export const quoteIn500: Interceptor = async (request, next) => {
  if (request.operation === 'sendRequests' && (await userDataOf(request)).some((u) => u.includes('"'))) {
    return {
      status: 500,
      headers: { 'content-type': 'text/plain' },
      body: { kind: 'bytes', bytes: Buffer.from('Internal Server Error') },
    };
  }
  return next();
};

/** Rewrites the records of a Get Responses plan (generic or SOAP). */
function mapRecords(
  plan: ResponsePlan,
  change: <T extends GenericPlanRecord | SoapWriteRecord>(records: AsyncIterable<T>) => AsyncIterable<T>,
): ResponsePlan {
  const body = plan.body;
  if (body?.kind === 'generic') return { ...plan, body: { ...body, records: change(body.records) } };
  if (body?.kind === 'soap') return { ...plan, body: { ...body, records: change(body.records) } };
  return plan;
}

/** HPC Pack: the last response before the closing record is dropped. */
export const dropLastResponse: Interceptor = async (request, next) => {
  const plan = await next();
  if (request.operation !== 'getResponses') return plan;
  return mapRecords(plan, async function* (records) {
    let held: (typeof records extends AsyncIterable<infer T> ? T : never) | undefined;
    for await (const record of records) {
      if ((record as { kind?: string }).kind === 'end') {
        yield record;
        return;
      }
      if (held !== undefined) yield held;
      held = record;
    }
    if (held !== undefined) yield held;
  });
};

/** HPC Pack: the closing record's count is one more than it should be. */
export const countOffByOne: Interceptor = async (request, next) => {
  const plan = await next();
  if (request.operation !== 'getResponses') return plan;
  return mapRecords(plan, async function* (records) {
    for await (const record of records) {
      const r = record as { kind?: string; count?: number };
      yield (r.kind === 'end' ? { ...r, count: (r.count ?? 0) + 1 } : record) as typeof record;
    }
  });
};

/** Case-sensitive evaluation of a filter (the bug: Batch compares values without case). */
function caseSensitive(ast: FilterExpression, item: Record<string, unknown>): boolean {
  const value = (path: string) =>
    path
      .split('/')
      .reduce<unknown>(
        (v, k) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined),
        item,
      );
  switch (ast.kind) {
    case 'and':
      return ast.operands.every((o) => caseSensitive(o, item));
    case 'or':
      return ast.operands.some((o) => caseSensitive(o, item));
    case 'startswith':
      return String(value(ast.property.path) ?? '').startsWith(ast.prefix.value);
    default: {
      const left = value(ast.property.path);
      if (left === undefined || left === null) return false;
      const l = ast.value.kind === 'datetime' ? Date.parse(String(left)) : left;
      const r = ast.value.kind === 'datetime' ? ast.value.time : ast.value.value;
      const ops = { eq: l === r, ne: l !== r, gt: l > r, ge: l >= r, lt: l < r, le: l <= r };
      return ops[ast.operator];
    }
  }
}

/** Azure Batch: List Jobs compares filter values case-sensitively (single-page answers only). */
export const caseSensitiveFilter: Interceptor = async (request, next) => {
  const filter = request.query.get('$filter');
  if (request.operation !== 'listJobs' || filter === undefined || request.query.has('maxresults'))
    return next();
  let ast: FilterExpression;
  try {
    ast = parseFilter(filter, { schema: schemas.jobs });
  } catch {
    return next();
  }
  (request.query as Map<string, string>).delete('$filter');
  const plan = await next();
  const page = (plan.body as { kind: 'json'; value: { value: Record<string, unknown>[] } }).value;
  page.value = page.value.filter((item) => caseSensitive(ast, item));
  return plan;
};

/** Azure Batch: each next link starts one item early, so pages overlap. */
export const overlappingPages: Interceptor = async (_request, next) => {
  const plan = await next();
  const page = plan.body?.kind === 'json' ? (plan.body.value as Record<string, unknown>) : undefined;
  const link = page?.['odata.nextLink'];
  if (typeof link === 'string')
    page!['odata.nextLink'] = link.replace(
      /skiptoken=([0-9]+)/,
      (_m, n: string) => `skiptoken=${Number(n) - 1}`,
    );
  return plan;
};

/** Azure Batch: a list of an unknown job or pool answers 400 instead of the documented 404. */
export const wrongStatusForUnknownId: Interceptor = async (_request, next) => {
  const plan = await next();
  return plan.status === 404 ? { ...plan, status: 400 } : plan;
};

/** DLI: a job that succeeded is reported running again (jobs finish at once). */
export async function successThenRunning(): Promise<Backend> {
  return emulatorWith(
    async (request, next) => {
      const plan = await next();
      if (request.operation === 'getBatchState' && plan.body?.kind === 'json') {
        const value = plan.body.value as { state?: string };
        if (value.state === 'success') value.state = 'running';
      }
      return plan;
    },
    { dli: { startingMs: 0, runningMs: 0 } },
  );
}

/** DLI: every error answer is plain text, not a DLI error document. */
export const plainTextErrors: Interceptor = async (_request, next) => {
  const plan = await next();
  if (plan.status < 400) return plan;
  return {
    status: plan.status,
    headers: { 'content-type': 'text/plain' },
    body: { kind: 'bytes', bytes: Buffer.from('Bad Request') },
  };
};

/**
 * Plain node:http in front of a correct emulator: forwards every request, and for DLI lists
 * writes only the first half of the JSON, then closes the connection (no framing: a short body).
 */
export async function truncatingProxy(): Promise<Backend> {
  const upstream = await startEmulator({ seed: 1 });
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(
        ([k]) => k !== 'host' && k !== 'connection' && k !== 'content-length',
      ),
    ) as Record<string, string>;
    const answer = await fetch(upstream.url + (req.url ?? '/'), {
      method: req.method ?? 'GET',
      headers,
      ...(body.length > 0 ? { body } : {}),
    });
    const bytes = Buffer.from(await answer.arrayBuffer());
    const type = answer.headers.get('content-type') ?? 'application/octet-stream';
    if (answer.status === 200 && req.method === 'GET' && /\/batches(\?|$)/.test(req.url ?? '')) {
      // By hand: no Content-Length, no chunks, the connection's end ends the body.
      const head = `HTTP/1.1 ${answer.status} OK\r\ncontent-type: ${type}\r\nconnection: close\r\n\r\n`;
      req.socket.end(Buffer.concat([Buffer.from(head), bytes.subarray(0, bytes.length >> 1)]));
      return;
    }
    res.writeHead(answer.status, { 'content-type': type, 'content-length': bytes.length });
    res.end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await upstream.close();
    },
  };
}

/** HPC Pack: SOAP responses come back with the first two responses' userData swapped. */
export const swappedUserData: Interceptor = async (request, next) => {
  const plan = await next();
  if (request.operation !== 'getResponses' || plan.body?.kind !== 'soap') return plan;
  const records = plan.body.records;
  plan.body.records = (async function* () {
    let first: SoapWriteRecord | undefined;
    for await (const record of records) {
      const r = record as { kind?: string; userData?: string };
      if (r.kind === 'end') {
        if (first) yield first;
        yield record;
        return;
      }
      if (first === undefined) {
        first = record;
        continue;
      }
      const a = first as { userData?: string };
      yield { ...record, userData: a.userData } as SoapWriteRecord;
      yield { ...first, userData: r.userData } as SoapWriteRecord;
      first = undefined;
      yield* records;
      return;
    }
    if (first) yield first;
  })();
  return plan;
};

/** Azure Batch: no page ever carries odata.nextLink (lists stop after the first page). */
export const noNextLink: Interceptor = async (_request, next) => {
  const plan = await next();
  if (plan.body?.kind === 'json') delete (plan.body.value as Record<string, unknown>)['odata.nextLink'];
  return plan;
};

/** DLI: the details of any job are those of the first job listed. */
export const wrongJob: Interceptor = async (request, next) => {
  const plan = await next();
  if (request.operation !== 'getBatch' || plan.status !== 200 || plan.body?.kind !== 'json') return plan;
  const value = plan.body.value as { id?: string };
  value.id = '0a324461-d9d9-45da-a52a-3b3c7a3d809e';
  return plan;
};
