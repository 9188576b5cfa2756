// Issue 25 §3: pollUntil and its ready-made predicates.
import { BatchwireServiceError, isBatchwireServiceError } from 'batchwire/faults';
import {
  isBatchJobCompleted,
  isBatchTaskCompleted,
  isBrokerClientStatusTerminal,
  isDliBatchTerminal,
  parseBrokerClientStatus,
  parseDliBatchState,
  pollUntil,
} from 'batchwire/status';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rejectionOf, thrownBy } from '../support/errors.js';

/** A manual clock: waits take no time, they move the clock. */
function manualClock(start = 0) {
  let now = start;
  const slept: number[] = [];
  return {
    clock: {
      now: () => now,
      sleep: (ms: number) => {
        slept.push(ms);
        now += ms;
      },
    },
    slept,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const dliState = (state: string) => ({
  status: 200,
  headers: { 'content-type': 'application/json;charset=UTF-8' },
  body: JSON.stringify({ id: '0a324461-d9d9-45da-a52a-3b3c7a3d809e', state }),
});

describe('pollUntil', () => {
  it('polls with doubling waits up to maxIntervalMs until done, reporting each state', async () => {
    const states = ['starting', 'starting', 'running', 'running', 'running', 'Success'];
    let n = 0;
    const { clock, slept } = manualClock();
    const seen: [string, number][] = [];
    const final = await pollUntil(() => dliState(states[n++]!), {
      parse: parseDliBatchState,
      done: isDliBatchTerminal,
      intervalMs: 100,
      maxIntervalMs: 500,
      clock,
      onProgress: (state, poll) => seen.push([state.state, poll]),
    });
    expect(final).toMatchObject({ state: 'success', rawState: 'Success', terminal: true });
    expect(n).toBe(6);
    expect(slept).toEqual([100, 200, 400, 500, 500]);
    expect(seen.map(([s]) => s)).toEqual([
      'starting',
      'starting',
      'running',
      'running',
      'running',
      'success',
    ]);
    expect(seen.map(([, p]) => p)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('reads a fetch Response, its charset included, and takes a bare body', async () => {
    const utf16 = new Uint8Array([...new TextEncoder().encode('{"state":"dead"}')].flatMap((b) => [b, 0]));
    const fromResponse = await pollUntil(
      () => new Response(utf16, { headers: { 'content-type': 'application/json; charset=utf-16le' } }),
      { parse: parseDliBatchState, done: isDliBatchTerminal },
    );
    expect(fromResponse.state).toBe('dead');
    const bare = await pollUntil(
      () => '<BrokerClientStatus xmlns="http://hpc.microsoft.com">Finished</BrokerClientStatus>',
      {
        parse: parseBrokerClientStatus,
        done: isBrokerClientStatusTerminal,
      },
    );
    expect(bare).toBe('Finished');
    // Without parse, the state is what fetchState resolves to.
    let k = 0;
    const direct = await pollUntil(async () => ({ id: 'job-1', state: k++ < 2 ? 'active' : 'completed' }), {
      done: isBatchJobCompleted,
      intervalMs: 1,
    });
    expect(direct).toEqual({ id: 'job-1', state: 'completed' });
  });

  it('retries a retriable fault through the retry policy, Retry-After first', async () => {
    const answers = [
      {
        status: 503,
        headers: { 'Retry-After': '3' },
        body: '{"error_code":"DLI.0999","error_msg":"Server-side errors occur."}',
      },
      { status: 500, headers: {}, body: '' },
      dliState('running'),
      dliState('success'),
    ];
    let n = 0;
    const { clock, slept } = manualClock();
    const retries: [string, number, number][] = [];
    const final = await pollUntil(() => answers[n++]!, {
      parse: parseDliBatchState,
      done: isDliBatchTerminal,
      intervalMs: 1000,
      clock,
      retry: { random: () => 1, onRetry: (fault, attempt, ms) => retries.push([fault.code, attempt, ms]) },
    });
    expect(final.state).toBe('success');
    expect(retries).toEqual([
      ['DLI.0999', 2, 3000],
      ['', 3, 1600],
    ]);
    expect(slept).toEqual([3000, 1600, 1000]);
  });

  it('rejects at once on a fault that is not retriable, and after maxAttempts consecutive faults', async () => {
    let calls = 0;
    const notFound = await rejectionOf(
      pollUntil(
        () => {
          calls++;
          return { status: 400, body: '{"error_code":"DLI.0002","error_msg":"The object does not exist."}' };
        },
        { parse: parseDliBatchState, done: isDliBatchTerminal },
      ),
    );
    expect(isBatchwireServiceError(notFound)).toBe(true);
    expect(notFound).toMatchObject({ status: 400, fault: { service: 'dli', code: 'DLI.0002' } });
    expect(calls).toBe(1);
    calls = 0;
    const { clock } = manualClock();
    const busy = await rejectionOf(
      pollUntil(
        () => {
          calls++;
          return { status: 503, body: '' };
        },
        { parse: parseDliBatchState, done: isDliBatchTerminal, clock, retry: { maxAttempts: 3 } },
      ),
    );
    expect(busy).toMatchObject({ code: 'SERVICE_FAULT', status: 503 });
    expect(calls).toBe(3);
    // retry: false: the first fault rejects.
    calls = 0;
    await expect(
      pollUntil(
        () => {
          calls++;
          return { status: 503, body: '' };
        },
        { parse: parseDliBatchState, done: isDliBatchTerminal, retry: false },
      ),
    ).rejects.toBeInstanceOf(BatchwireServiceError);
    expect(calls).toBe(1);
    // A fault the parser finds in a 200 body (DLI answers errors with 200 at times) is one too.
    const inBody = await rejectionOf(
      pollUntil(() => '{"error_code":"DLI.0002","error_msg":"no"}', {
        parse: parseDliBatchState,
        done: isDliBatchTerminal,
      }),
    );
    expect(inBody.code).toBe('SERVICE_FAULT');
  });

  it('gives up with LIMIT_EXCEEDED after timeoutMs, on a manual clock and on the real one', async () => {
    const { clock, slept } = manualClock(1_000_000);
    let calls = 0;
    const error = await rejectionOf(
      pollUntil(
        () => {
          calls++;
          return dliState('running');
        },
        {
          parse: parseDliBatchState,
          done: isDliBatchTerminal,
          clock,
          intervalMs: 1000,
          maxIntervalMs: 1000,
          timeoutMs: 3500,
        },
      ),
    );
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(calls).toBe(4);
    expect(slept).toEqual([1000, 1000, 1000, 500]);
    // Real clock: a fetch in flight is cut at the deadline too.
    const started = performance.now();
    let signalled: AbortSignal | undefined;
    const hung = await rejectionOf(
      pollUntil(
        (signal) => {
          signalled = signal;
          return new Promise<string>(() => {});
        },
        { parse: parseDliBatchState, done: isDliBatchTerminal, timeoutMs: 40 },
      ),
    );
    expect(hung.code).toBe('LIMIT_EXCEEDED');
    expect(signalled?.aborted).toBe(true);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('an abort during a wait rejects at once with the reason; the fetch gets the signal', async () => {
    const controller = new AbortController();
    let signalled: AbortSignal | undefined;
    let abortedAt = 0;
    const pending = pollUntil(
      (signal) => {
        signalled = signal;
        return dliState('running');
      },
      {
        parse: parseDliBatchState,
        done: isDliBatchTerminal,
        intervalMs: 60_000,
        signal: controller.signal,
        onProgress: () => {
          setTimeout(() => {
            abortedAt = performance.now();
            controller.abort(new Error('cancelled'));
          }, 10);
        },
      },
    );
    await expect(pending).rejects.toThrow('cancelled');
    expect(performance.now() - abortedAt).toBeLessThan(50);
    expect(signalled?.aborted).toBe(true);
    await expect(
      pollUntil(() => dliState('running'), {
        done: () => false,
        signal: AbortSignal.abort(new Error('before')),
      }),
    ).rejects.toThrow('before');
  });

  it('property: an abort during a wait or a retry wait rejects within a few milliseconds', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 25 }), fc.boolean(), async (after, failing) => {
        const controller = new AbortController();
        const reason = new Error('stop');
        let abortedAt = Number.NaN;
        const abortSoon = () => {
          if (!Number.isNaN(abortedAt)) return;
          abortedAt = 0;
          setTimeout(() => {
            abortedAt = performance.now();
            controller.abort(reason);
          }, after);
        };
        const error = await pollUntil(
          () => (failing ? { status: 503, headers: { 'retry-after': '60' } } : dliState('running')),
          {
            parse: parseDliBatchState,
            done: isDliBatchTerminal,
            intervalMs: 60_000,
            signal: controller.signal,
            onProgress: abortSoon,
            retry: { onRetry: abortSoon },
          },
        ).catch((e: unknown) => e);
        expect(error).toBe(reason);
        expect(performance.now() - abortedAt).toBeLessThan(25);
      }),
      { numRuns: 20 },
    );
  });

  it('property: the state it resolves to is the first one done accepts, after exactly that many polls', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('starting', 'running', 'recovering', 'success', 'dead', 'Success', 'DEAD'), {
          minLength: 1,
          maxLength: 12,
        }),
        async (states) => {
          const answers = [...states, 'success'];
          let n = 0;
          const { clock, slept } = manualClock();
          const final = await pollUntil(() => dliState(answers[n++]!), {
            parse: parseDliBatchState,
            done: isDliBatchTerminal,
            clock,
            intervalMs: 10,
            maxIntervalMs: 35,
          });
          const first = answers.findIndex((s) => ['success', 'dead'].includes(s.toLowerCase()));
          expect(final.rawState).toBe(answers[first]);
          expect(n).toBe(first + 1);
          expect(slept).toHaveLength(first);
          for (const wait of slept) expect(wait).toBeLessThanOrEqual(35);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses arguments of the wrong type with INVALID_ARGUMENT', async () => {
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const done = () => true;
    for (const [fetchState, options] of [
      [undefined, { done }],
      [() => '{}', undefined],
      [() => '{}', null],
      [() => '{}', {}],
      [() => '{}', { done: 5 }],
      [() => '{}', { done, intervalMs: -1 }],
      [() => '{}', { done, timeoutMs: '5' }],
      [() => '{}', { done, parse: 'x' }],
      [() => '{}', { done, retry: 5 }],
      [() => '{}', { done, retry: { baseMs: -1 } }],
      [() => '{}', { done, clock: { now: 5 } }],
      [() => '{}', { done, signal: {} }],
      [() => '{}', revoked.proxy],
      [() => '{}', { done: () => 'yes' }],
      [() => 42, { done, parse: JSON.parse }],
      [() => ({ status: 200, body: 42 }), { done, parse: JSON.parse }],
    ] as const) {
      const error = await rejectionOf(pollUntil(fetchState as never, options as never));
      expect(error.code).toBe('INVALID_ARGUMENT');
    }
  });
});

describe('ready-made predicates', () => {
  it('DLI: success and dead are terminal', () => {
    for (const s of ['success', 'dead', 'Success', ' DEAD ']) expect(isDliBatchTerminal(s)).toBe(true);
    for (const s of ['starting', 'running', 'recovering', '', 'failed'])
      expect(isDliBatchTerminal(s)).toBe(false);
    expect(isDliBatchTerminal(parseDliBatchState('{"state":"Success"}'))).toBe(true);
    expect(isDliBatchTerminal(parseDliBatchState('{"state":"running"}'))).toBe(false);
  });

  it('HPC Pack: Finished (and the job end states Failed, Canceled) are terminal', () => {
    expect(isBrokerClientStatusTerminal(parseBrokerClientStatus('3', 'application/json'))).toBe(true);
    for (const s of ['Finished', 'Failed', 'Canceled', 'cancelled'])
      expect(isBrokerClientStatusTerminal(s)).toBe(true);
    for (const s of ['Unknown', 'Ready', 'Processing', 'Running'])
      expect(isBrokerClientStatusTerminal(s)).toBe(false);
  });

  it('Azure Batch: jobs and tasks are done when completed', () => {
    expect(isBatchJobCompleted({ id: 'j', state: 'completed' })).toBe(true);
    expect(isBatchJobCompleted('terminating')).toBe(false);
    expect(isBatchJobCompleted({ id: 'j' })).toBe(false);
    expect(isBatchTaskCompleted({ state: 'completed' })).toBe(true);
    expect(isBatchTaskCompleted({ state: 'running' })).toBe(false);
  });

  it('take anything: a boolean or INVALID_ARGUMENT', () => {
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    for (const junk of [null, undefined, 5, { state: 5 }, [], revoked.proxy, Symbol('s')]) {
      for (const predicate of [
        isDliBatchTerminal,
        isBrokerClientStatusTerminal,
        isBatchJobCompleted,
        isBatchTaskCompleted,
      ]) {
        expect(thrownBy(() => predicate(junk as never)).code).toBe('INVALID_ARGUMENT');
      }
    }
  });
});
