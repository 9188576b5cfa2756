// Huawei DLI batch job sequences: create (valid bodies, and near-valid ones: a required field
// missing, a field of the wrong type, a mutated document), details, state, list (with its
// filters and paging parameters), cancel, unknown and malformed ids, and short waits so jobs move.
// Every state seen must follow the documented graph: starting -> running -> success | dead
// (recovering back to running), success and dead final, and no success after a cancel.
import fc from 'fast-check';
import { mutate } from '../arbitraries/mutate.js';
import { BatchwireError } from '../core/errors.js';
import { dli, type RequestDescriptor } from '../requests/index.js';
import { DLI_BATCH_STATES, dliStateMayFollow, parseDliBatchState } from '../status/index.js';
import { readJsonObject } from './documents.js';
import { pause } from './http.js';
import {
  type CommandSpec,
  command,
  type Expectation,
  type Reply,
  type Sequence,
  wireOf,
} from './sequence.js';

interface Job {
  id: string;
  /** The last state seen (lower case). */
  state: string | undefined;
  cancelled: boolean;
}

export interface DliState {
  jobs: Job[];
}

type Seq = Sequence<DliState>;

const STATES: readonly string[] = DLI_BATCH_STATES;

function base(seq: Seq) {
  return { baseUrl: seq.env.target, projectId: seq.env.projectId };
}

function pick<T>(items: readonly T[], n: number): T | undefined {
  return items.length === 0 ? undefined : items[n % items.length];
}

function jobOf(seq: Seq, id: string): Job {
  let job = seq.state.jobs.find((j) => j.id.toLowerCase() === id.toLowerCase());
  if (!job) {
    job = { id, state: undefined, cancelled: false };
    if (seq.state.jobs.length < 64) seq.state.jobs.push(job);
  }
  return job;
}

/** Records a state seen for a job and checks the move from the last one. */
function observe(seq: Seq, reply: Reply, id: string, rawState: string): void {
  const job = jobOf(seq, id);
  const state = rawState.trim().toLowerCase();
  const last = job.state;
  job.state = state;
  if (!STATES.includes(state)) return;
  // The one graph, batchwire/status' (the emulator moves its jobs along the same one).
  if (last !== undefined && !dliStateMayFollow(last, state))
    seq.failAt(reply, 'state-transition', `job ${id} went from ${last} to ${state}`);
  if (job.cancelled && state === 'success')
    seq.failAt(reply, 'state-transition', `job ${id} was cancelled, then reported success`);
}

/** Reads a job document (create, details) or a state document and records its state. */
function readJob(seq: Seq, reply: Reply, wanted?: string): string {
  const state = seq.decoding(reply, 'the job document', () =>
    parseDliBatchState(reply.body, { contentType: reply.contentType }),
  );
  if (state.id === undefined)
    return seq.undecodable(reply, { code: 'MALFORMED_DOCUMENT', message: 'the job document has no "id"' });
  if (wanted !== undefined && state.id.toLowerCase() !== wanted.toLowerCase()) {
    return seq.undecodable(reply, {
      code: 'MALFORMED_DOCUMENT',
      message: `asked for job ${wanted}, the answer is about job ${state.id}`,
    });
  }
  observe(seq, reply, state.id, state.rawState);
  return state.id;
}

const jobBody = fc.record(
  {
    file: fc.constantFrom('batchTest/spark-examples_2.11-2.1.0.luxor.jar', 'obs://bucket/app.jar'),
    className: fc.constantFrom('org.apache.spark.examples.SparkPi', 'Main'),
    name: fc.string({ maxLength: 12 }),
    queue: fc.constantFrom('default', 'q1'),
    sc_type: fc.constantFrom('A', 'B', 'C'),
    args: fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }),
    conf: fc.dictionary(fc.constantFrom('spark.a', 'spark.b'), fc.string({ maxLength: 4 }), { maxKeys: 2 }),
    numExecutors: fc.integer({ min: 1, max: 8 }),
  },
  { requiredKeys: ['file', 'className'] },
);

const createBatch = command<DliState, { body: Record<string, unknown> }>({
  name: 'createBatch',
  weight: 4,
  params: fc.record({ body: jobBody }),
  check: (seq) => seq.state.jobs.length < 48,
  async run(seq, p) {
    const reply = await seq.send('createBatch', dli.createBatch({ ...base(seq), body: p.body }), {
      outcome: 'success',
      success: [200],
    });
    const id = readJob(seq, reply);
    jobOf(seq, id);
  },
});

const BROKEN_BODIES: readonly string[] = [
  '{}',
  '{"className":"Main"}',
  '{"file":"a.jar"}',
  '{"file":5,"className":"Main"}',
  '{"file":"a.jar","className":"Main","args":"x"}',
  '{"file":"a.jar","className":"Main","numExecutors":"2"}',
  '{"file":"a.jar","className":"Main","sc_type":"D"}',
  '[]',
  '{"file":"a.jar","className":',
];

const createNearValid = command<
  DliState,
  { variant: number; mutated: { bytes: Uint8Array; labels: string[] } }
>({
  name: 'createBatchNearValid',
  weight: 2,
  params: fc.record({
    variant: fc.nat({ max: BROKEN_BODIES.length }),
    mutated: mutate(
      'json',
      jobBody.map((b) => new TextEncoder().encode(JSON.stringify(b))),
      { growBy: 2000, depth: 200 },
    ),
  }),
  check: (seq) => seq.state.jobs.length < 48,
  async run(seq, p) {
    const descriptor = dli.createBatch({ ...base(seq), body: '{}' });
    const known = p.variant < BROKEN_BODIES.length;
    const wire = wireOf(descriptor, seq.env.headers);
    wire.body = known ? new TextEncoder().encode(BROKEN_BODIES[p.variant]) : p.mutated.bytes;
    const expect: Expectation = known
      ? { outcome: 'refuse', errors: [400], what: `the job ${BROKEN_BODIES[p.variant]}` }
      : { outcome: 'either', success: [200], what: `a near-valid job (${p.mutated.labels.join(', ')})` };
    const reply = await seq.sendWire('createBatch', wire, expect);
    if (reply.status < 300) readJob(seq, reply);
  },
});

type Target =
  | { kind: 'known'; pick: number }
  | { kind: 'unknown'; uuid: string }
  | { kind: 'malformed'; id: string };

const target: fc.Arbitrary<Target> = fc.oneof(
  { withCrossShrink: true },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('known' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('unknown' as const), uuid: fc.uuid({ version: 4 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('malformed' as const),
      id: fc.constantFrom('x', '1234', 'not-a-uuid', '0a32446-d9d9-45da-a52a-3b3c7a3d809e'),
    }),
  },
);

/** Creates a job from a minimal valid body (for an operation that needs one before any was created). */
async function createDefault(seq: Seq): Promise<Job> {
  const reply = await seq.send(
    'createBatch',
    dli.createBatch({ ...base(seq), body: { file: 'app.jar', className: 'Main' } }),
    {
      outcome: 'success',
      success: [200],
    },
  );
  return jobOf(seq, readJob(seq, reply));
}

/** The id to use, and what the answer must be. */
async function resolve(seq: Seq, t: Target): Promise<{ id: string; job?: Job; expect: Expectation }> {
  if (t.kind === 'known') {
    const job = pick(seq.state.jobs, t.pick) ?? (await createDefault(seq));
    return { id: job.id, job, expect: { outcome: 'success', success: [200] } };
  }
  if (t.kind === 'unknown') {
    const known = seq.state.jobs.find((j) => j.id.toLowerCase() === t.uuid);
    if (known) return { id: known.id, job: known, expect: { outcome: 'success', success: [200] } };
    return {
      id: t.uuid,
      expect: { outcome: 'refuse', errors: [400, 404], what: `an unknown job id (${t.uuid})` },
    };
  }
  return {
    id: t.id,
    expect: { outcome: 'refuse', errors: [400, 404], what: `a job id that is not a UUID (${t.id})` },
  };
}

const getBatch = command<DliState, { target: Target }>({
  name: 'getBatch',
  weight: 2,
  params: fc.record({ target }),
  check: () => true,
  async run(seq, p) {
    const r = await resolve(seq, p.target);
    const reply = await seq.send('getBatch', dli.getBatch({ ...base(seq), batchId: r.id }), r.expect);
    if (reply.status < 300) readJob(seq, reply, r.id);
  },
});

const getBatchState = command<DliState, { target: Target }>({
  name: 'getBatchState',
  weight: 4,
  params: fc.record({ target }),
  check: () => true,
  async run(seq, p) {
    const r = await resolve(seq, p.target);
    const reply = await seq.send(
      'getBatchState',
      dli.getBatchState({ ...base(seq), batchId: r.id }),
      r.expect,
    );
    if (reply.status < 300) readJob(seq, reply, r.id);
  },
});

const cancelBatch = command<DliState, { target: Target }>({
  name: 'cancelBatch',
  weight: 2,
  params: fc.record({ target }),
  check: () => true,
  async run(seq, p) {
    const r = await resolve(seq, p.target);
    // A job seen in a final state cannot be cancelled; otherwise it may have ended meanwhile.
    const final = r.job?.state === 'success' || r.job?.state === 'dead';
    const expect: Expectation =
      r.job === undefined
        ? r.expect
        : final
          ? { outcome: 'refuse', errors: [400], what: `a job that is ${r.job.state}` }
          : { outcome: 'either', success: [200], errors: [400] };
    const reply = await seq.send('cancelBatch', dli.cancelBatch({ ...base(seq), batchId: r.id }), expect);
    if (reply.status >= 300) return;
    seq.decoding(reply, 'the cancel answer', () =>
      readJsonObject(reply.body, reply.contentType, 'the cancel answer'),
    );
    if (r.job) r.job.cancelled = true;
  },
});

type ListFilter =
  | { kind: 'none' }
  | { kind: 'state'; state: string }
  | { kind: 'job'; pick: number }
  | { kind: 'page'; from: number; size: number };

const listBatches = command<DliState, { filter: ListFilter }>({
  name: 'listBatches',
  weight: 3,
  params: fc.record({
    filter: fc.oneof(
      { withCrossShrink: true },
      fc.constant({ kind: 'none' as const }),
      fc.record({
        kind: fc.constant('state' as const),
        state: fc.constantFrom('success', 'Running', 'STARTING', 'dead'),
      }),
      fc.record({ kind: fc.constant('job' as const), pick: fc.nat() }),
      fc.record({
        kind: fc.constant('page' as const),
        from: fc.nat({ max: 5 }),
        size: fc.integer({ min: 1, max: 5 }),
      }),
    ),
  }),
  check: () => true,
  async run(seq, p) {
    const f = p.filter;
    const job = f.kind === 'job' ? pick(seq.state.jobs, f.pick) : undefined;
    const descriptor = dli.listBatches({
      ...base(seq),
      ...(f.kind === 'state' ? { state: f.state } : {}),
      ...(job ? { jobId: job.id } : {}),
      ...(f.kind === 'page' ? { from: f.from, size: f.size } : {}),
    });
    const reply = await seq.send('listBatches', descriptor, { outcome: 'success', success: [200] });
    const page = seq.decoding(reply, 'the job list', () => {
      const value = readJsonObject(reply.body, reply.contentType, 'the job list');
      if (!Array.isArray(value.sessions))
        throw new BatchwireError('MALFORMED_DOCUMENT', 'the job list has no "sessions" array', 0);
      return { sessions: value.sessions as unknown[], total: value.total };
    });
    const { sessions } = page;
    if (typeof page.total === 'number' && page.total < sessions.length)
      seq.failAt(reply, 'paging', `"total" says ${page.total}, the page lists ${sessions.length} jobs`);
    if (f.kind === 'page' && sessions.length > f.size) {
      seq.failAt(reply, 'paging', `size=${f.size} answered ${sessions.length} jobs`);
    }
    for (const item of sessions) {
      const state = seq.decoding(reply, 'a listed job', () => parseDliBatchState(JSON.stringify(item)));
      if (f.kind === 'state' && state.state !== f.state.toLowerCase()) {
        seq.failAt(
          reply,
          'filter-semantics',
          `state=${f.state} listed job ${state.id ?? '?'} in state ${state.rawState}`,
        );
      }
      if (job && state.id?.toLowerCase() !== job.id.toLowerCase()) {
        seq.failAt(reply, 'filter-semantics', `job-id=${job.id} listed job ${state.id ?? '?'}`);
      }
      if (state.id !== undefined) observe(seq, reply, state.id, state.rawState);
    }
    if (job && sessions.length === 0) {
      seq.failAt(reply, 'filter-semantics', `job-id=${job.id} listed nothing, though the job exists`);
    }
  },
});

const BAD_LIST = [
  ['from', '-1'],
  ['size', '0'],
  ['size', 'x'],
  ['order', 'SIDEWAYS'],
] as const;

const listNearValid = command<DliState, { variant: number }>({
  name: 'listBatchesNearValid',
  weight: 1,
  params: fc.record({ variant: fc.nat({ max: BAD_LIST.length - 1 }) }),
  check: () => true,
  async run(seq, p) {
    const [name, value] = BAD_LIST[p.variant]!;
    const descriptor: RequestDescriptor = dli.listBatches(base(seq));
    descriptor.url += `${descriptor.url.includes('?') ? '&' : '?'}${name}=${encodeURIComponent(value)}`;
    await seq.send('listBatches', descriptor, { outcome: 'refuse', errors: [400], what: `${name}=${value}` });
  },
});

const wait = command<DliState, { ms: number }>({
  name: 'wait',
  weight: 1,
  params: fc.record({ ms: fc.constantFrom(0, 20, 100, 400) }),
  check: (seq) => seq.state.jobs.length > 0,
  async run(seq, p) {
    // The run's deadline cuts a wait short.
    await pause(p.ms, seq.env.signal);
  },
});

/** The DLI driver. */
export const dliDriver = {
  commands: [
    createBatch,
    createNearValid,
    getBatch,
    getBatchState,
    cancelBatch,
    listBatches,
    listNearValid,
    wait,
  ] as readonly CommandSpec<DliState, never>[],
  initialState: (): DliState => ({ jobs: [] }),
  async cleanup(): Promise<void> {},
};
