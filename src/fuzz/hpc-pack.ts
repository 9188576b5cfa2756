// HPC Pack SOA Web API sequences: create sessions, send requests (generic bodies in each
// encoding, SOAP message arrays; valid ones, and near-valid ones from `mutate` in batches of
// their own), commit, poll the status, read the responses back in windows (`count`, `reset`,
// `clientdata`), purge, attach, close; unknown ids and wrong api-versions. The bookkeeping
// follows the broker's documented behaviour (shared/reference/hpc-pack-*.md): what each Get
// Responses must hand out, and what its closing count must say.
// Over 500 lines on purpose: one fast-check command per operation (and per near-valid variant),
// all reading and updating the same model of sessions and batches; apart, the model's helpers
// would be exported only to be imported back.
import fc from 'fast-check';
import { mutate } from '../arbitraries/mutate.js';
import { charsetOf, detectEncoding } from '../core/charset.js';
import { type BatchwireError, isBatchwireError } from '../core/errors.js';
import { decodeGenericRequests, encodeGenericRequests, GenericResponseDecoder } from '../generic/index.js';
import { hpcPack, type RequestDescriptor } from '../requests/index.js';
import {
  MessageArrayReader,
  parseBrokerClientStatus,
  readMessageArray,
  type SoapRecord,
  writeMessageArray,
} from '../soap/index.js';
import { readJson, readXmlOutline, xmlText } from './documents.js';
import { type CommandSpec, command, type Reply, type RunEnv, type Sequence, wireOf } from './sequence.js';

type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be';

interface Batch {
  name: string;
  /** Holds near-valid sends: only the format-level checks apply to it. */
  junk: boolean;
  format?: 'generic' | 'soap';
  encoding?: Encoding;
  committed: boolean;
  /** Requests the backend accepted; undefined once that is not known (a junk body batchwire cannot read). */
  requests: number | undefined;
  /** User data of the responses not yet handed out, as counts. */
  pending: Map<string, number>;
  pendingSize: number;
  /** Handed out by the previous Get Responses on this batch, not yet acknowledged. */
  handed: string[];
  acked: string[];
  /** Responses handed out per clientdata since its last reset. */
  pairs: Map<string, number>;
  finishedSeen: boolean;
  /** SOAP: the userData of each request, by its MessageID (a response's RelatesTo names it). */
  messages: Map<string, string>;
}

interface Session {
  id: number;
  durable: boolean;
  closed: boolean;
  batches: Map<string, Batch>;
}

export interface HpcState {
  cluster: string | undefined;
  sessions: Session[];
  /** SOAP request MessageIDs handed out so far in the sequence. */
  messages: number;
}

type Seq = Sequence<HpcState>;

const CLEAN_BATCHES = ['b0', 'b1', 'b2'];
const JUNK_BATCHES = ['x0', 'x1'];
const SOAP_ACTION = 'http://tempuri.org/IEcho/Echo';
const JSON_ACCEPT = 'application/json';

// Text both a generic record and XML 1.0 can carry (no separators, no C0 controls but tab and
// line ends, no U+FFFE/U+FFFF), biased towards what breaks naive servers.
const UNSAFE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
const field = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }).filter((s) => !UNSAFE.test(s)) },
      {
        weight: 1,
        arbitrary: fc.constantFrom('"', "'", '<', '&', ' ', '\r\n', '\u00e9', '\ud83d\ude80', '%', '\\'),
      },
    ),
    { maxLength: 4 },
  )
  .map((parts) => parts.join(''));

const accept = fc.constantFrom<string | undefined>(undefined, JSON_ACCEPT);

function newBatch(name: string, junk: boolean): Batch {
  return {
    name,
    junk,
    committed: false,
    requests: 0,
    pending: new Map(),
    pendingSize: 0,
    handed: [],
    acked: [],
    pairs: new Map(),
    finishedSeen: false,
    messages: new Map(),
  };
}

function add(batch: Batch, userData: string): void {
  batch.pending.set(userData, (batch.pending.get(userData) ?? 0) + 1);
  batch.pendingSize++;
}

function take(batch: Batch, userData: string): boolean {
  const n = batch.pending.get(userData) ?? 0;
  if (n === 0) return false;
  if (n === 1) batch.pending.delete(userData);
  else batch.pending.set(userData, n - 1);
  batch.pendingSize--;
  return true;
}

function shown(text: string): string {
  const json = JSON.stringify(text);
  return json.length > 60 ? `${json.slice(0, 57)}..."` : json;
}

function base(seq: Seq, useCluster: boolean | undefined, acceptType?: string) {
  const options: { baseUrl: string; cluster?: string; apiVersion?: string; accept?: string } = {
    baseUrl: seq.env.target,
  };
  if (useCluster && seq.state.cluster !== undefined) options.cluster = seq.state.cluster;
  if (seq.env.apiVersion !== undefined) options.apiVersion = seq.env.apiVersion;
  if (acceptType !== undefined) options.accept = acceptType;
  return options;
}

function batchOf(session: Session, name: string, junk: boolean): Batch {
  let batch = session.batches.get(name);
  if (!batch) {
    batch = newBatch(name, junk);
    session.batches.set(name, batch);
  }
  return batch;
}

function pick<T>(items: readonly T[], n: number): T | undefined {
  return items.length === 0 ? undefined : items[n % items.length];
}

/** Reads a WebSessionInfo (JSON or XML) and returns its Id. */
function sessionIdOf(seq: Seq, operation: string, reply: Reply): number {
  try {
    if ((reply.contentType ?? '').toLowerCase().includes('json')) {
      const value = readJson(reply.body, reply.contentType) as { Id?: unknown } | null;
      if (typeof value === 'object' && value !== null && Number.isSafeInteger(value.Id))
        return value.Id as number;
    } else {
      const outline = readXmlOutline(reply.body, reply.contentType);
      const id = outline.root === 'WebSessionInfo' ? xmlText(outline, 'Id', 1) : undefined;
      if (id !== undefined && /^\s*[0-9]{1,15}\s*$/.test(id)) return Number(id);
    }
  } catch (error) {
    if (!isBatchwireError(error)) throw error;
    return seq.fail({
      check: 'undecodable-response',
      operation,
      status: reply.status,
      code: error.code,
      message: `WebSessionInfo: ${error.message}`,
    });
  }
  return seq.fail({
    check: 'undecodable-response',
    operation,
    status: reply.status,
    code: 'MALFORMED_DOCUMENT',
    message: 'the answer is not a WebSessionInfo with an integer Id',
  });
}

function startInfo(serviceName: string, json: boolean): string {
  if (json) {
    return JSON.stringify({
      ServiceName: serviceName,
      Username: 'fuzz',
      Password: 'fuzz',
      MaxMessageSize: 2147483647,
      Runtime: -1,
    });
  }
  const escaped = serviceName.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return (
    '<WebSessionStartInfo xmlns="http://hpc.microsoft.com/"><MaxMessageSize>2147483647</MaxMessageSize>' +
    `<Password>fuzz</Password><Runtime>-1</Runtime><ServiceName>${escaped}</ServiceName><Username>fuzz</Username></WebSessionStartInfo>`
  );
}

/** The decoded records of a Get Responses answer. */
interface Window {
  userData: string[];
  /** Each response's WS-Addressing RelatesTo (SOAP), in order; undefined where it has none. */
  relatesTo: (string | undefined)[];
  end?: { count: number; reason: string };
}

/** Decodes a Get Responses body; a window may lack the closing record (the caller decides whether it may). */
function readWindow(seq: Seq, reply: Reply, generic: boolean): Window {
  const window: Window = { userData: [], relatesTo: [] };
  const fail = (error: BatchwireError) =>
    seq.fail({
      check: 'undecodable-response',
      operation: 'getResponses',
      status: reply.status,
      code: error.code,
      message: `${generic ? 'generic record stream' : 'SOAP message array'}: ${error.message} (at offset ${error.offset})`,
    });
  if (generic) {
    const options =
      reply.contentType === undefined
        ? { verifyCount: false }
        : { verifyCount: false, contentType: reply.contentType };
    const decoder = new GenericResponseDecoder(options);
    const take = (records: ReturnType<GenericResponseDecoder['write']>) => {
      for (const r of records) {
        if (r.kind === 'response') window.userData.push(r.userData);
        else window.end = { count: r.count, reason: r.reason };
      }
    };
    try {
      take(decoder.write(reply.body));
      take(decoder.end());
    } catch (error) {
      if (!isBatchwireError(error)) throw error;
      // A body that stops at a record boundary without the closing record is a window; any
      // other cut is a truncated body.
      if (error.code !== 'TRUNCATED' || window.end !== undefined || !endsAtRecord(reply)) fail(error);
    }
    return window;
  }
  const options =
    reply.contentType === undefined
      ? { verifyCount: false, requireEnd: false }
      : { verifyCount: false, requireEnd: false, contentType: reply.contentType };
  const reader = new MessageArrayReader(options);
  const takeSoap = (records: SoapRecord[]) => {
    for (const r of records) {
      if (r.kind === 'end') window.end = { count: r.count, reason: r.reason };
      else {
        window.userData.push(r.userData ?? '');
        window.relatesTo.push(r.relatesTo);
      }
    }
  };
  try {
    takeSoap(reader.write(reply.body));
    takeSoap(reader.end());
  } catch (error) {
    if (!isBatchwireError(error)) throw error;
    fail(error);
  }
  return window;
}

/** Whether a generic body ends with a record terminator (or is empty), in its own encoding. */
function endsAtRecord(reply: Reply): boolean {
  const bytes = reply.body;
  if (bytes.length === 0) return true;
  const { encoding } = detectEncoding(bytes, charsetOf(reply.contentType));
  if (encoding === 'utf-8') return bytes[bytes.length - 1] === 0;
  return bytes.length % 2 === 0 && bytes[bytes.length - 1] === 0 && bytes[bytes.length - 2] === 0;
}

/** Open sessions' batches that can be read: committed, with a known format. */
function readable(seq: Seq): { session: Session; batch: Batch }[] {
  const out: { session: Session; batch: Batch }[] = [];
  for (const session of seq.state.sessions) {
    if (session.closed) continue;
    for (const batch of session.batches.values()) {
      if (batch.committed && batch.format !== undefined) out.push({ session, batch });
    }
  }
  return out;
}

function requestBody(
  format: 'generic' | 'soap',
  encoding: Encoding,
  bom: boolean,
  requests: readonly { input: string; userData: string }[],
  ids: readonly string[],
) {
  if (format === 'generic') {
    return encodeGenericRequests(requests, { encoding, bom });
  }
  const xml = writeMessageArray(
    requests.map((r, i) => ({
      action: SOAP_ACTION,
      messageId: `urn:uuid:${ids[i % ids.length] ?? '00000000-0000-4000-8000-000000000000'}`,
      userData: r.userData,
      body: { name: 'Echo', namespace: 'http://tempuri.org/', result: r.input },
    })),
  );
  return new TextEncoder().encode(xml);
}

function decodedCount(
  format: 'generic' | 'soap',
  body: Uint8Array,
  contentType: string | undefined,
): Promise<string[] | undefined> {
  const collect = async () => {
    const userData: string[] = [];
    if (format === 'generic') {
      for await (const r of decodeGenericRequests([body], contentType === undefined ? {} : { contentType }))
        userData.push(r.userData);
    } else {
      for await (const r of readMessageArray([body], {
        requireEnd: false,
        ...(contentType === undefined ? {} : { contentType }),
      })) {
        if (r.kind !== 'response') return undefined;
        userData.push(r.userData ?? '');
      }
    }
    return userData;
  };
  return collect().catch((error: unknown) => {
    if (isBatchwireError(error)) return undefined;
    throw error;
  });
}

/** Creates a session (a valid WebSessionStartInfo) and adds it to the bookkeeping. */
async function openSession(
  seq: Seq,
  p: { accept: string | undefined; json: boolean; durable: boolean; cluster: boolean },
): Promise<Session> {
  const descriptor = hpcPack.createSession({
    ...base(seq, p.cluster, p.accept),
    durable: p.durable,
    body: startInfo(seq.env.serviceName, p.json),
  });
  const reply = await seq.send('createSession', descriptor, { outcome: 'success', success: [201] });
  const id = sessionIdOf(seq, 'createSession', reply);
  const session: Session = { id, durable: p.durable, closed: false, batches: new Map() };
  seq.state.sessions.push(session);
  return session;
}

/** The picked session; the first operation that needs one opens it (so no sequence is wasted waiting for one). */
async function sessionAt(seq: Seq, n: number): Promise<Session> {
  return (
    pick(seq.state.sessions, n) ??
    (await openSession(seq, { accept: undefined, json: true, durable: false, cluster: false }))
  );
}

const getClusters = command<HpcState, { accept: string | undefined }>({
  name: 'getClusters',
  weight: 1,
  params: fc.record({ accept }),
  check: () => true,
  async run(seq, p) {
    const reply = await seq.send('getClusters', hpcPack.getClusters(base(seq, false, p.accept)), {
      outcome: 'success',
    });
    let name: string | undefined;
    try {
      if ((reply.contentType ?? '').toLowerCase().includes('json')) {
        const value = readJson(reply.body, reply.contentType);
        const first: unknown = Array.isArray(value) ? value[0] : undefined;
        const properties =
          typeof first === 'object' && first !== null
            ? (first as { Properties?: unknown }).Properties
            : undefined;
        const property = Array.isArray(properties)
          ? (properties.find((x) => typeof x === 'object' && x !== null && x.Name === 'Name') as
              | { Value?: unknown }
              | undefined)
          : undefined;
        if (typeof property?.Value === 'string') name = property.Value;
      } else {
        name = xmlText(readXmlOutline(reply.body, reply.contentType), 'Value');
      }
    } catch (error) {
      if (!isBatchwireError(error)) throw error;
      seq.fail({
        check: 'undecodable-response',
        operation: 'getClusters',
        status: reply.status,
        code: error.code,
        message: `Get Clusters: ${error.message}`,
      });
    }
    if (name === undefined || name === '') {
      return seq.fail({
        check: 'undecodable-response',
        operation: 'getClusters',
        status: reply.status,
        code: 'MALFORMED_DOCUMENT',
        message: 'Get Clusters names no cluster',
      });
    }
    seq.state.cluster = name.trim();
  },
});

const createSession = command<
  HpcState,
  { accept: string | undefined; json: boolean; durable: boolean; cluster: boolean }
>({
  name: 'createSession',
  weight: 3,
  params: fc.record({
    accept,
    json: fc.boolean(),
    durable: fc.oneof(
      { withCrossShrink: true },
      { weight: 4, arbitrary: fc.constant(false) },
      { weight: 1, arbitrary: fc.constant(true) },
    ),
    cluster: fc.boolean(),
  }),
  check: (seq) => seq.state.sessions.length < 4,
  async run(seq, p) {
    await openSession(seq, p);
  },
});

const createSessionBroken = command<
  HpcState,
  { accept: string | undefined; variant: number; body: { bytes: Uint8Array } }
>({
  name: 'createSessionNearValid',
  weight: 1,
  params: fc.record({
    accept,
    variant: fc.integer({ min: 0, max: 3 }),
    body: mutate('json', fc.constant(new TextEncoder().encode(startInfo('Echo', true))), {
      growBy: 2000,
      depth: 200,
    }),
  }),
  check: (seq) => seq.state.sessions.length < 4,
  async run(seq, p) {
    const options = base(seq, false, p.accept);
    let descriptor: RequestDescriptor;
    let expect: 'refuse' | 'either' = 'refuse';
    if (p.variant === 0) descriptor = hpcPack.createSession({ ...options, body: '{}' });
    else if (p.variant === 1) descriptor = hpcPack.createSession({ ...options, body: '{"ServiceName":' });
    else if (p.variant === 2) {
      // `durable` is required.
      descriptor = hpcPack.createSession({ ...options, body: startInfo(seq.env.serviceName, true) });
      descriptor.url = descriptor.url.replace(/\?durable=false$/, '');
    } else {
      descriptor = hpcPack.createSession({
        ...options,
        body: p.body.bytes,
        contentType: 'application/json; charset=utf-8',
      });
      expect = 'either';
    }
    const reply = await seq.send('createSession', descriptor, {
      outcome: expect,
      what: 'a broken WebSessionStartInfo',
    });
    if (reply.status < 300) {
      const id = sessionIdOf(seq, 'createSession', reply);
      seq.state.sessions.push({ id, durable: false, closed: false, batches: new Map() });
    }
  },
});

interface SendParams {
  session: number;
  batch: number;
  format: 'generic' | 'soap';
  encoding: Encoding;
  bom: boolean;
  requests: { input: string; userData: string }[];
  commit: boolean;
  cluster: boolean;
}

const sendRequests = command<HpcState, SendParams>({
  name: 'sendRequests',
  weight: 5,
  params: fc.record({
    session: fc.nat(),
    batch: fc.nat({ max: CLEAN_BATCHES.length - 1 }),
    format: fc.constantFrom('generic' as const, 'soap' as const),
    encoding: fc.constantFrom<Encoding>('utf-8', 'utf-16le', 'utf-16be'),
    bom: fc.boolean(),
    requests: fc.array(fc.record({ input: field, userData: field }), { minLength: 1, maxLength: 4 }),
    commit: fc.boolean(),
    cluster: fc.boolean(),
  }),
  check: () => true,
  async run(seq, p) {
    const session = await sessionAt(seq, p.session);
    const batch = batchOf(session, CLEAN_BATCHES[p.batch]!, false);
    // A batch keeps the format and encoding of its first send.
    const format = batch.format ?? p.format;
    const encoding = batch.encoding ?? p.encoding;
    // Message ids numbered through the sequence: each request its own, the same ones on a replay.
    const ids = p.requests.map(
      () => `00000000-0000-4000-8000-${String(++seq.state.messages).padStart(12, '0')}`,
    );
    const body = requestBody(format, encoding, p.bom, p.requests, ids);
    const descriptor = hpcPack.sendRequests({
      ...base(seq, p.cluster),
      sessionId: session.id,
      batchName: batch.name,
      genericService: format === 'generic',
      commit: p.commit,
      body,
      ...(format === 'generic' && encoding !== 'utf-8'
        ? { contentType: `application/octet-stream; charset=${encoding}` }
        : {}),
    });
    const refused = session.closed || batch.committed;
    const reply = await seq.send(
      'sendRequests',
      descriptor,
      refused
        ? { outcome: 'refuse', what: session.closed ? 'a closed session' : 'a committed batch' }
        : { outcome: 'success', success: [p.commit ? 201 : 200] },
    );
    if (refused || reply.status >= 300) return;
    batch.format = format;
    batch.encoding = encoding;
    batch.requests = (batch.requests ?? 0) + p.requests.length;
    for (const r of p.requests) add(batch, r.userData);
    if (format === 'soap') {
      for (const [i, r] of p.requests.entries()) batch.messages.set(`urn:uuid:${ids[i]}`, r.userData);
    }
    if (p.commit) batch.committed = true;
  },
});

const sendBroken = command<
  HpcState,
  {
    session: number;
    batch: number;
    kind: number;
    body: { bytes: Uint8Array; labels: string[] };
    commit: boolean;
  }
>({
  name: 'sendRequestsNearValid',
  weight: 2,
  params: fc.record({
    session: fc.nat(),
    batch: fc.nat({ max: JUNK_BATCHES.length }),
    kind: fc.integer({ min: 0, max: 2 }),
    body: fc.integer({ min: 0, max: 2 }).chain((k) =>
      k === 0
        ? mutate(
            'generic-utf-8',
            fc
              .array(fc.record({ input: field, userData: field }), { maxLength: 3 })
              .map((r) => encodeGenericRequests(r)),
            { growBy: 3000, depth: 200 },
          )
        : k === 1
          ? mutate(
              'generic-utf-16le',
              fc
                .array(fc.record({ input: field, userData: field }), { maxLength: 3 })
                .map((r) => encodeGenericRequests(r, { encoding: 'utf-16le' })),
              { growBy: 3000, depth: 200 },
            )
          : mutate(
              'xml',
              fc
                .array(fc.record({ input: field, userData: field }), { maxLength: 3 })
                .map((r) => requestBody('soap', 'utf-8', false, r, ['11111111-2222-4333-8444-555555555555'])),
              { growBy: 3000, depth: 200 },
            ),
    ),
    commit: fc.boolean(),
  }),
  check: () => true,
  async run(seq, p) {
    const session = await sessionAt(seq, p.session);
    // The last junk slot is a batch name the broker refuses (only letters, digits, _, -, {, }, spaces).
    const badName = p.batch === JUNK_BATCHES.length;
    const name = badName ? 'x.y' : JUNK_BATCHES[p.batch]!;
    const batch = badName ? newBatch(name, true) : batchOf(session, name, true);
    const generic = p.kind !== 2;
    const format = batch.format ?? (generic ? 'generic' : 'soap');
    const descriptor = hpcPack.sendRequests({
      ...base(seq, false),
      sessionId: session.id,
      batchName: name,
      genericService: format === 'generic',
      commit: p.commit,
      body: p.body.bytes,
      ...(format === 'generic' && p.kind === 1
        ? { contentType: 'application/octet-stream; charset=utf-16le' }
        : {}),
    });
    const contentType = descriptor.headers['content-type'];
    const userData = await decodedCount(format, p.body.bytes, contentType);
    // A mutation may leave the body valid: only a refused name, a body batchwire's own decoder
    // rejects, a closed session or a committed batch must be refused.
    const refuse = session.closed || batch.committed || badName || userData === undefined;
    const reply = await seq.send('sendRequests', descriptor, {
      outcome: refuse ? 'refuse' : 'either',
      what: badName
        ? `batch name ${JSON.stringify(name)}, which the broker refuses`
        : `a near-valid body (${p.body.labels.join(', ')})`,
    });
    if (reply.status >= 300 || badName) return;
    batch.format = format;
    if (userData === undefined) batch.requests = undefined;
    else if (batch.requests !== undefined) batch.requests += userData.length;
    if (p.commit) batch.committed = true;
  },
});

const commitRequests = command<HpcState, { session: number; batch: number; junk: boolean }>({
  name: 'commitRequests',
  weight: 3,
  params: fc.record({ session: fc.nat(), batch: fc.nat({ max: 2 }), junk: fc.boolean() }),
  check: () => true,
  async run(seq, p) {
    const session = await sessionAt(seq, p.session);
    const names = p.junk ? JUNK_BATCHES : CLEAN_BATCHES;
    const batch = batchOf(session, names[p.batch % names.length]!, p.junk);
    const outcome =
      session.closed || batch.committed || batch.requests === 0
        ? 'refuse'
        : batch.requests === undefined
          ? 'either'
          : 'success';
    const reply = await seq.send(
      'commitRequests',
      hpcPack.commitRequests({ ...base(seq, false), sessionId: session.id, batchName: batch.name }),
      {
        outcome,
        what: session.closed
          ? 'a closed session'
          : batch.committed
            ? 'a committed batch'
            : batch.requests === 0
              ? 'a batch without requests'
              : 'commit',
      },
    );
    if (reply.status < 300 && !session.closed) batch.committed = true;
  },
});

const getRequestStatus = command<
  HpcState,
  { session: number; batch: number; junk: boolean; accept: string | undefined; cluster: boolean }
>({
  name: 'getRequestStatus',
  weight: 2,
  params: fc.record({
    session: fc.nat(),
    batch: fc.nat({ max: 2 }),
    junk: fc.boolean(),
    accept,
    cluster: fc.boolean(),
  }),
  check: () => true,
  async run(seq, p) {
    const session = await sessionAt(seq, p.session);
    const names = p.junk ? JUNK_BATCHES : CLEAN_BATCHES;
    const batch = batchOf(session, names[p.batch % names.length]!, p.junk);
    const reply = await seq.send(
      'getRequestStatus',
      hpcPack.getRequestStatus({
        ...base(seq, p.cluster, p.accept),
        sessionId: session.id,
        batchName: batch.name,
      }),
      session.closed
        ? { outcome: 'refuse', what: 'a closed session' }
        : { outcome: 'success', success: [200] },
    );
    if (session.closed) return;
    let status: string;
    try {
      status = parseBrokerClientStatus(reply.body, reply.contentType);
    } catch (error) {
      if (!isBatchwireError(error)) throw error;
      return seq.fail({
        check: 'undecodable-response',
        operation: 'getRequestStatus',
        status: reply.status,
        code: error.code,
        message: `BrokerClientStatus: ${error.message}`,
      });
    }
    const problem = !batch.committed
      ? status !== 'Ready'
        ? `batch ${batch.name} was never committed, yet its status is ${status}`
        : undefined
      : batch.finishedSeen && status !== 'Finished'
        ? `batch ${batch.name} was Finished, then ${status}`
        : status !== 'Processing' && status !== 'Finished'
          ? `batch ${batch.name} was committed, yet its status is ${status}`
          : undefined;
    if (problem !== undefined)
      seq.fail({
        check: 'state-transition',
        operation: 'getRequestStatus',
        status: reply.status,
        message: problem,
      });
    if (status === 'Finished') batch.finishedSeen = true;
  },
});

const getResponses = command<
  HpcState,
  {
    target: number;
    count: number;
    reset: boolean | undefined;
    clientData: string;
    accept: string | undefined;
    cluster: boolean;
  }
>({
  name: 'getResponses',
  weight: 5,
  params: fc.record({
    target: fc.nat(),
    count: fc.oneof(
      { withCrossShrink: true },
      { weight: 3, arbitrary: fc.constant(-1) },
      { weight: 2, arbitrary: fc.integer({ min: 1, max: 4 }) },
    ),
    reset: fc.constantFrom<boolean | undefined>(undefined, false, true),
    clientData: fc.constantFrom('', 'c1', 'c2'),
    accept,
    cluster: fc.boolean(),
  }),
  check: (seq) => readable(seq).length > 0,
  async run(seq, p) {
    const { session, batch } = pick(readable(seq), p.target)!;
    const tracked = !batch.junk && batch.requests !== undefined;
    // The previous call's responses are acknowledged, or put back by reset=true.
    if (p.reset === true) {
      for (const u of batch.handed) add(batch, u);
      if (session.durable) {
        for (const u of batch.acked) add(batch, u);
        batch.acked = [];
      }
      batch.pairs.set(p.clientData, 0);
    } else batch.acked.push(...batch.handed);
    batch.handed = [];
    const before = batch.pairs.get(p.clientData) ?? 0;
    const pendingBefore = batch.pendingSize;
    const descriptor = hpcPack.getResponses({
      ...base(seq, p.cluster, p.accept),
      sessionId: session.id,
      batchName: batch.name,
      count: p.count,
      ...(p.reset === undefined ? {} : { reset: p.reset }),
      ...(p.clientData === '' ? {} : { clientData: p.clientData }),
      genericService: batch.format === 'generic',
    });
    const reply = await seq.send('getResponses', descriptor, { outcome: 'success', success: [200] });
    const window = readWindow(seq, reply, batch.format === 'generic');
    const got = window.userData.length;
    batch.pairs.set(p.clientData, before + got);
    const all = p.count === -1;
    if (!tracked) {
      if (all && window.end === undefined) {
        seq.fail({
          check: 'undecodable-response',
          operation: 'getResponses',
          status: reply.status,
          code: 'TRUNCATED',
          message: 'a Get Responses with count=-1 ended without the closing record',
        });
      }
      batch.handed = window.userData;
      return;
    }
    if (!all && got > p.count) {
      seq.fail({
        check: 'count-mismatch',
        operation: 'getResponses',
        status: reply.status,
        message: `asked for count=${p.count}, got ${got} responses`,
      });
    }
    for (const u of window.userData) {
      if (!take(batch, u)) {
        seq.fail({
          check: 'lost-response',
          operation: 'getResponses',
          status: reply.status,
          message: `a response with userData ${shown(u)} came back, but no request with that userData was waiting for one (a duplicate, or never sent)`,
        });
      }
    }
    // A SOAP response names its request (RelatesTo = the request's MessageID): it must carry that request's userData.
    window.relatesTo.forEach((id, i) => {
      if (id === undefined || batch.format !== 'soap') return;
      const sent = batch.messages.get(id);
      const u = window.userData[i]!;
      if (sent === undefined || sent !== u) {
        seq.fail({
          check: 'lost-response',
          operation: 'getResponses',
          status: reply.status,
          message:
            sent === undefined
              ? `a response relates to ${id}, which is no request of this batch`
              : `the response to ${id} carries userData ${shown(u)}; its request had ${shown(sent)}`,
        });
      }
    });
    batch.handed = window.userData;
    const expected = all ? pendingBefore : Math.min(p.count, pendingBefore);
    if (window.end !== undefined) {
      if (batch.pendingSize > 0) {
        const missing = [...batch.pending.keys()].slice(0, 5).map(shown).join(', ');
        seq.fail({
          check: 'lost-response',
          operation: 'getResponses',
          status: reply.status,
          message: `the closing record came with ${batch.pendingSize} of the batch's ${batch.requests} requests never answered (userData ${missing})`,
        });
      }
      if (window.end.count !== before + got) {
        seq.fail({
          check: 'count-mismatch',
          operation: 'getResponses',
          status: reply.status,
          message: `the closing record says ${window.end.count} responses; ${before + got} were handed out for clientdata ${shown(p.clientData)} since its last reset`,
        });
      }
      return;
    }
    if (all || p.count > pendingBefore) {
      seq.fail({
        check: 'undecodable-response',
        operation: 'getResponses',
        status: reply.status,
        code: 'TRUNCATED',
        message: `the answer ended without the closing record after ${got} responses, with count=${p.count} and ${pendingBefore} responses to come`,
      });
    }
    if (got < expected) {
      seq.fail({
        check: 'lost-response',
        operation: 'getResponses',
        status: reply.status,
        message: `a window of count=${p.count} handed out ${got} responses while ${pendingBefore} were due`,
      });
    }
  },
});

const deleteRequests = command<HpcState, { session: number; batch: number; junk: boolean }>({
  name: 'deleteRequests',
  weight: 1,
  params: fc.record({ session: fc.nat(), batch: fc.nat({ max: 2 }), junk: fc.boolean() }),
  check: () => true,
  async run(seq, p) {
    const session = await sessionAt(seq, p.session);
    const names = p.junk ? JUNK_BATCHES : CLEAN_BATCHES;
    const name = names[p.batch % names.length]!;
    const reply = await seq.send(
      'deleteRequests',
      hpcPack.deleteRequests({ ...base(seq, false), sessionId: session.id, batchName: name }),
      session.closed ? { outcome: 'refuse', what: 'a closed session' } : { outcome: 'success' },
    );
    // A purged batch restarts as a new, empty one.
    if (reply.status < 300) session.batches.delete(name);
  },
});

const attachSession = command<HpcState, { session: number; accept: string | undefined; cluster: boolean }>({
  name: 'attachSession',
  weight: 1,
  params: fc.record({ session: fc.nat(), accept, cluster: fc.boolean() }),
  check: () => true,
  async run(seq, p) {
    const session = await sessionAt(seq, p.session);
    const reply = await seq.send(
      'attachSession',
      hpcPack.attachSession({
        ...base(seq, p.cluster, p.accept),
        sessionId: session.id,
        durable: session.durable,
      }),
      session.closed
        ? { outcome: 'refuse', what: 'a closed session' }
        : { outcome: 'success', success: [200] },
    );
    if (session.closed) return;
    const id = sessionIdOf(seq, 'attachSession', reply);
    if (id !== session.id) {
      seq.fail({
        check: 'undecodable-response',
        operation: 'attachSession',
        status: reply.status,
        code: 'MALFORMED_DOCUMENT',
        message: `attaching to session ${session.id} answered the WebSessionInfo of session ${id}`,
      });
    }
  },
});

const closeSession = command<HpcState, { session: number }>({
  name: 'closeSession',
  weight: 1,
  params: fc.record({ session: fc.nat() }),
  check: () => true,
  async run(seq, p) {
    const session = await sessionAt(seq, p.session);
    const reply = await seq.send(
      'closeSession',
      hpcPack.closeSession({ ...base(seq, false), sessionId: session.id }),
      {
        outcome: session.closed ? 'either' : 'success',
      },
    );
    if (reply.status < 300) session.closed = true;
  },
});

const OPERATIONS = [
  'getRequestStatus',
  'commitRequests',
  'getResponses',
  'sendRequests',
  'attachSession',
  'closeSession',
  'deleteRequests',
] as const;

const unknownSession = command<HpcState, { operation: number; id: number; accept: string | undefined }>({
  name: 'unknownSession',
  weight: 1,
  params: fc.record({
    operation: fc.nat({ max: OPERATIONS.length - 1 }),
    id: fc.integer({ min: 900_000, max: 999_999 }),
    accept,
  }),
  check: () => true,
  async run(seq, p) {
    const sessionId = p.id + seq.state.sessions.reduce((m, s) => Math.max(m, s.id), 0);
    const options = { ...base(seq, false, p.accept), sessionId, batchName: 'b0' };
    const operation = OPERATIONS[p.operation]!;
    const descriptor =
      operation === 'sendRequests'
        ? hpcPack.sendRequests({
            ...options,
            genericService: true,
            body: encodeGenericRequests([{ input: 'x', userData: 'x' }]),
          })
        : operation === 'getResponses'
          ? hpcPack.getResponses({ ...options, count: 1, genericService: true })
          : hpcPack[operation](options);
    await seq.send(operation, descriptor, {
      outcome: 'refuse',
      errors: [400, 404],
      what: `an unknown session id (${sessionId})`,
    });
  },
});

const wrongApiVersion = command<HpcState, { operation: number; version: string }>({
  name: 'wrongApiVersion',
  weight: 1,
  params: fc.record({
    operation: fc.nat({ max: 1 }),
    version: fc.constantFrom('', '2010-01-01', '2012-11-01', 'x', '2012-11-01.4.1'),
  }),
  check: () => true,
  async run(seq, p) {
    const session = seq.state.sessions.find((s) => !s.closed);
    const options = { ...base(seq, false), apiVersion: p.version === '' ? '2012-11-01.4.0' : p.version };
    const descriptor: RequestDescriptor =
      p.operation === 0 || session === undefined
        ? hpcPack.getClusters(options)
        : hpcPack.getRequestStatus({ ...options, sessionId: session.id, batchName: 'b0' });
    const wire = wireOf(descriptor, seq.env.headers);
    if (p.version === '') delete wire.headers['api-version'];
    const operation = p.operation === 0 || session === undefined ? 'getClusters' : 'getRequestStatus';
    await seq.sendWire(operation, wire, {
      outcome: 'refuse',
      errors: [400],
      what: p.version === '' ? 'no api-version' : `api-version ${JSON.stringify(p.version)}`,
    });
  },
});

/** The HPC Pack driver. */
export const hpcPackDriver = {
  commands: [
    getClusters,
    createSession,
    createSessionBroken,
    sendRequests,
    sendBroken,
    commitRequests,
    getRequestStatus,
    getResponses,
    deleteRequests,
    attachSession,
    closeSession,
    unknownSession,
    wrongApiVersion,
  ] as readonly CommandSpec<HpcState, never>[],
  initialState: (_env: RunEnv): HpcState => ({ cluster: undefined, sessions: [], messages: 0 }),
  async cleanup(seq: Seq): Promise<void> {
    for (const session of seq.state.sessions) {
      if (session.closed) continue;
      const descriptor = hpcPack.closeSession({ ...base(seq, false), sessionId: session.id });
      await seq.sendQuietly('closeSession', wireOf(descriptor, seq.env.headers), 2000);
    }
  },
};
