// Azure Batch job lifecycle sequences: the runner adds jobs of its own (ids `bwfuzz-...`), adds
// tasks to them, gets, terminates and deletes them, and holds the target to the model: add 201
// (409 JobExists for an id it already has), a terminated job takes no tasks (409), a deleted job
// is `deleting` and then gone (404, and never back), a job's state never moves backwards
// (`completed` never becomes `active` or `terminating` again).
import fc from 'fast-check';
import type { RequestDescriptor } from '../requests/index.js';
import type { OwnJob, Seq } from './azure-lists.js';
import { readJsonObject } from './documents.js';
import { type CommandSpec, command, type Expectation, type Reply, wireOf } from './sequence.js';

const JSON_TYPE = 'application/json; odata=minimalmetadata; charset=utf-8';

function request(
  seq: Seq,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
): RequestDescriptor {
  const descriptor: RequestDescriptor = {
    method,
    url: `${seq.env.target}${path}?api-version=${encodeURIComponent(seq.state.apiVersion)}`,
    headers: { accept: 'application/json' },
  };
  if (body !== undefined) {
    descriptor.headers['content-type'] = JSON_TYPE;
    descriptor.body = JSON.stringify(body);
  }
  return descriptor;
}

function send(seq: Seq, operation: string, d: RequestDescriptor, expect: Expectation): Promise<Reply> {
  return seq.sendWire(operation, wireOf(d, seq.env.headers), expect);
}

function own(seq: Seq): Map<string, OwnJob> {
  seq.state.own ??= new Map();
  return seq.state.own;
}

function pick(seq: Seq, n: number): [string, OwnJob] | undefined {
  const jobs = [...own(seq)];
  return jobs.length === 0 ? undefined : jobs[n % jobs.length];
}

/** The runner changed the data: listings read before no longer have to agree with the next ones. */
function changed(seq: Seq): void {
  seq.state.listings.clear();
  seq.state.references.clear();
}

const jobPath = (id: string) => `/jobs/${encodeURIComponent(id)}`;

const addJob = command<Seq['state'], { tag: number }>({
  name: 'addJob',
  weight: 1,
  params: fc.record({ tag: fc.nat() }),
  check: () => true,
  async run(seq, p) {
    const jobs = own(seq);
    if (jobs.size >= 8) return;
    const id = `bwfuzz-${p.tag.toString(36)}-${jobs.size}`;
    const body = { id, poolInfo: { poolId: seq.state.pools[0] ?? 'bwfuzz-pool' } };
    // A job left by an earlier run may have the id: 409 JobExists is an answer too.
    const reply = await send(seq, 'addJob', request(seq, 'POST', '/jobs', body), {
      outcome: 'either',
      success: [201],
      errors: [409],
      what: `add job ${id}`,
    });
    if (reply.status !== 201) return;
    jobs.set(id, { phase: 'active', tasks: 0 });
    changed(seq);
    // Adding it again is a conflict.
    await send(seq, 'addJob', request(seq, 'POST', '/jobs', body), {
      outcome: 'refuse',
      errors: [409],
      what: `add job ${id} a second time`,
    });
  },
});

const BACKWARDS: Readonly<Record<string, readonly string[]>> = {
  terminated: ['active', 'disabling', 'disabled', 'enabling'],
  completed: ['active', 'disabling', 'disabled', 'enabling', 'terminating'],
};

const getJob = command<Seq['state'], { n: number }>({
  name: 'getJob',
  weight: 1,
  params: fc.record({ n: fc.nat() }),
  check: () => true,
  async run(seq, p) {
    const found = pick(seq, p.n);
    if (!found) return;
    const [id, job] = found;
    const expect: Expectation =
      job.phase === 'gone'
        ? { outcome: 'refuse', errors: [404], what: `get job ${id}, deleted and gone` }
        : job.phase === 'deleted'
          ? { outcome: 'either', success: [200], errors: [404], what: `get job ${id}, deleted` }
          : { outcome: 'success', success: [200], what: `get job ${id}` };
    const reply = await send(seq, 'getJob', request(seq, 'GET', jobPath(id)), expect);
    if (reply.status === 404) {
      job.phase = 'gone';
      return;
    }
    const value = seq.decoding(reply, 'the job', () =>
      readJsonObject(reply.body, reply.contentType, 'the job'),
    );
    const state = typeof value.state === 'string' ? value.state : undefined;
    if (value.id !== id)
      seq.failAt(reply, 'status-code', `get job ${id} answered job ${JSON.stringify(value.id)}`);
    const wrong =
      (job.phase === 'deleted' && state !== 'deleting') ||
      (BACKWARDS[job.phase]?.includes(state ?? '') ?? false);
    if (wrong) {
      seq.failAt(
        reply,
        'state-transition',
        `job ${id} is ${JSON.stringify(state)} after the runner's ${job.phase === 'deleted' ? 'delete' : 'terminate'} was accepted`,
      );
    }
    if (state === 'completed' && job.phase === 'terminated') job.phase = 'completed';
  },
});

const addTask = command<Seq['state'], { n: number }>({
  name: 'addTask',
  weight: 1,
  params: fc.record({ n: fc.nat() }),
  check: () => true,
  async run(seq, p) {
    const found = pick(seq, p.n);
    if (!found) return;
    const [id, job] = found;
    const task = { id: `t${job.tasks}`, commandLine: '/bin/sh -c "exit 0"' };
    const expect: Expectation =
      job.phase === 'active'
        ? { outcome: 'success', success: [201], what: `add task ${task.id} to job ${id}` }
        : job.phase === 'gone'
          ? { outcome: 'refuse', errors: [404], what: `add a task to job ${id}, deleted and gone` }
          : {
              outcome: 'refuse',
              errors: job.phase === 'deleted' ? [404, 409] : [409],
              what: `add a task to job ${id}, ${job.phase === 'deleted' ? 'deleted' : 'terminated'}`,
            };
    const reply = await send(seq, 'addTask', request(seq, 'POST', `${jobPath(id)}/tasks`, task), expect);
    if (reply.status === 201) {
      job.tasks++;
      changed(seq);
      await send(seq, 'addTask', request(seq, 'POST', `${jobPath(id)}/tasks`, task), {
        outcome: 'refuse',
        errors: [409],
        what: `add task ${task.id} to job ${id} a second time`,
      });
    }
  },
});

const terminateJob = command<Seq['state'], { n: number }>({
  name: 'terminateJob',
  weight: 1,
  params: fc.record({ n: fc.nat() }),
  check: () => true,
  async run(seq, p) {
    const found = pick(seq, p.n);
    if (!found) return;
    const [id, job] = found;
    const expect: Expectation =
      job.phase === 'active'
        ? { outcome: 'success', success: [202], what: `terminate job ${id}` }
        : job.phase === 'gone'
          ? { outcome: 'refuse', errors: [404], what: `terminate job ${id}, deleted and gone` }
          : {
              outcome: 'refuse',
              errors: [404, 409],
              what: `terminate job ${id}, ${job.phase === 'deleted' ? 'deleted' : 'terminated'}`,
            };
    const reply = await send(seq, 'terminateJob', request(seq, 'POST', `${jobPath(id)}/terminate`), expect);
    if (reply.status === 202) {
      job.phase = 'terminated';
      changed(seq);
    }
  },
});

const deleteJob = command<Seq['state'], { n: number }>({
  name: 'deleteJob',
  weight: 1,
  params: fc.record({ n: fc.nat() }),
  check: () => true,
  async run(seq, p) {
    const found = pick(seq, p.n);
    if (!found) return;
    const [id, job] = found;
    const expect: Expectation =
      job.phase === 'gone'
        ? { outcome: 'refuse', errors: [404], what: `delete job ${id}, deleted and gone` }
        : job.phase === 'deleted'
          ? { outcome: 'refuse', errors: [404, 409], what: `delete job ${id} a second time` }
          : { outcome: 'success', success: [202], what: `delete job ${id}` };
    const reply = await send(seq, 'deleteJob', request(seq, 'DELETE', jobPath(id)), expect);
    if (reply.status === 202) {
      job.phase = 'deleted';
      changed(seq);
    }
    if (reply.status === 404) job.phase = 'gone';
  },
});

const STEPS = [getJob, addTask, terminateJob, addTask, deleteJob, getJob, addJob] as const;

/**
 * One command (weight 2 beside the lists' 9) that takes a step of a job's lifecycle: the list
 * commands keep most of a run, so seeds tuned for them still find what they found.
 */
const jobStep = command<Seq['state'], { step: number; n: number }>({
  name: 'jobStep',
  weight: 2,
  params: fc.record({ step: fc.nat({ max: STEPS.length - 1 }), n: fc.nat() }),
  check: () => true,
  async run(seq, p) {
    // Without a job of its own yet, the step is to add one.
    const spec = (own(seq).size === 0 ? addJob : STEPS[p.step]!) as unknown as CommandSpec<
      Seq['state'],
      { n: number; tag: number }
    >;
    await spec.run(seq, { n: p.n, tag: p.n });
  },
});

/** The job lifecycle commands of the Azure Batch driver. */
export const jobCommands = [jobStep] as readonly CommandSpec<Seq['state'], never>[];
