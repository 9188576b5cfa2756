// The HPC Pack commands that send what the service must refuse or may refuse: broken
// WebSessionStartInfo documents, near-valid Send Requests bodies from `mutate` (in batches of
// their own, so only format-level checks apply to them), a batch name the broker refuses,
// unknown session ids and wrong or missing api-versions.
import fc from 'fast-check';
import { mutate } from '../arbitraries/mutate.js';
import { encodeGenericRequests } from '../generic/index.js';
import { hpcPack, type RequestDescriptor } from '../requests/index.js';
import {
  accept,
  base,
  batchOf,
  decodedCount,
  field,
  type HpcState,
  JUNK_BATCHES,
  newBatch,
  requestBody,
  sessionAt,
  sessionIdOf,
  startInfo,
} from './hpc-model.js';
import { command, wireOf } from './sequence.js';

export const createSessionBroken = command<
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
      const id = sessionIdOf(seq, reply);
      seq.state.sessions.push({ id, durable: false, closed: false, batches: new Map() });
    }
  },
});

export const sendBroken = command<
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

const OPERATIONS = [
  'getRequestStatus',
  'commitRequests',
  'getResponses',
  'sendRequests',
  'attachSession',
  'closeSession',
  'deleteRequests',
] as const;

export const unknownSession = command<
  HpcState,
  { operation: number; id: number; accept: string | undefined }
>({
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

export const wrongApiVersion = command<HpcState, { operation: number; version: string }>({
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
