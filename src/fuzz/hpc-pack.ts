// HPC Pack SOA Web API sequences: create sessions, send requests (generic bodies in each
// encoding, SOAP message arrays; valid ones, and near-valid ones from `mutate` in batches of
// their own), commit, poll the status, read the responses back in windows (`count`, `reset`,
// `clientdata`), purge, attach, close; unknown ids and wrong api-versions. One fast-check command
// per operation (and per near-valid variant); the model they read and update is hpc-model.ts.
import fc from 'fast-check';
import { hpcPack } from '../requests/index.js';
import { parseBrokerClientStatus } from '../soap/index.js';
import { readJson, readXmlOutline, xmlText } from './documents.js';
import {
  accept,
  add,
  base,
  batchOf,
  CLEAN_BATCHES,
  type Encoding,
  field,
  type HpcState,
  JUNK_BATCHES,
  openSession,
  pick,
  readable,
  readWindow,
  requestBody,
  type Seq,
  sessionAt,
  sessionIdOf,
  shown,
  take,
} from './hpc-model.js';
import { createSessionBroken, sendBroken, unknownSession, wrongApiVersion } from './hpc-near-valid.js';
import { type CommandSpec, command, type RunEnv, wireOf } from './sequence.js';

export type { HpcState } from './hpc-model.js';

const getClusters = command<HpcState, { accept: string | undefined }>({
  name: 'getClusters',
  weight: 1,
  params: fc.record({ accept }),
  check: () => true,
  async run(seq, p) {
    const reply = await seq.send('getClusters', hpcPack.getClusters(base(seq, false, p.accept)), {
      outcome: 'success',
    });
    const name = seq.decoding(reply, 'Get Clusters', (): string | undefined => {
      if (!(reply.contentType ?? '').toLowerCase().includes('json'))
        return xmlText(readXmlOutline(reply.body, reply.contentType), 'Value');
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
      return typeof property?.Value === 'string' ? property.Value : undefined;
    });
    if (name === undefined || name === '')
      return seq.undecodable(reply, { code: 'MALFORMED_DOCUMENT', message: 'Get Clusters names no cluster' });
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
    const status = seq.decoding(reply, 'BrokerClientStatus', () =>
      parseBrokerClientStatus(reply.body, reply.contentType),
    );
    const problem = !batch.committed
      ? status !== 'Ready'
        ? `batch ${batch.name} was never committed, yet its status is ${status}`
        : undefined
      : batch.finishedSeen && status !== 'Finished'
        ? `batch ${batch.name} was Finished, then ${status}`
        : status !== 'Processing' && status !== 'Finished'
          ? `batch ${batch.name} was committed, yet its status is ${status}`
          : undefined;
    if (problem !== undefined) seq.failAt(reply, 'state-transition', problem);
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
        seq.failAt(
          reply,
          'undecodable-response',
          'a Get Responses with count=-1 ended without the closing record',
          'TRUNCATED',
        );
      }
      batch.handed = window.userData;
      return;
    }
    if (!all && got > p.count) {
      seq.failAt(reply, 'count-mismatch', `asked for count=${p.count}, got ${got} responses`);
    }
    for (const u of window.userData) {
      if (!take(batch, u)) {
        seq.failAt(
          reply,
          'lost-response',
          `a response with userData ${shown(u)} came back, but no request with that userData was waiting for one (a duplicate, or never sent)`,
        );
      }
    }
    // A SOAP response names its request (RelatesTo = the request's MessageID): it must carry that request's userData.
    window.relatesTo.forEach((id, i) => {
      if (id === undefined || batch.format !== 'soap') return;
      const sent = batch.messages.get(id);
      const u = window.userData[i]!;
      if (sent === undefined || sent !== u) {
        seq.failAt(
          reply,
          'lost-response',
          sent === undefined
            ? `a response relates to ${id}, which is no request of this batch`
            : `the response to ${id} carries userData ${shown(u)}; its request had ${shown(sent)}`,
        );
      }
    });
    batch.handed = window.userData;
    const expected = all ? pendingBefore : Math.min(p.count, pendingBefore);
    if (window.end !== undefined) {
      if (batch.pendingSize > 0) {
        const missing = [...batch.pending.keys()].slice(0, 5).map(shown).join(', ');
        seq.failAt(
          reply,
          'lost-response',
          `the closing record came with ${batch.pendingSize} of the batch's ${batch.requests} requests never answered (userData ${missing})`,
        );
      }
      if (window.end.count !== before + got) {
        seq.failAt(
          reply,
          'count-mismatch',
          `the closing record says ${window.end.count} responses; ${before + got} were handed out for clientdata ${shown(p.clientData)} since its last reset`,
        );
      }
      return;
    }
    if (all || p.count > pendingBefore) {
      seq.failAt(
        reply,
        'undecodable-response',
        `the answer ended without the closing record after ${got} responses, with count=${p.count} and ${pendingBefore} responses to come`,
        'TRUNCATED',
      );
    }
    if (got < expected) {
      seq.failAt(
        reply,
        'lost-response',
        `a window of count=${p.count} handed out ${got} responses while ${pendingBefore} were due`,
      );
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
    const id = sessionIdOf(seq, reply);
    if (id !== session.id) {
      seq.failAt(
        reply,
        'undecodable-response',
        `attaching to session ${session.id} answered the WebSessionInfo of session ${id}`,
        'MALFORMED_DOCUMENT',
      );
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
