// Issue 25 §1: retryDelay and withRetries.
import {
  BatchwireServiceError,
  isBatchwireServiceError,
  parseFault,
  RETRY_DEFAULTS,
  retryDelay,
  withRetries,
} from 'batchwire/faults';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rejectionOf, thrownBy } from '../support/errors.js';

const busyBody = '{"code":"ServerBusy","message":{"lang":"en-US","value":"The server is busy."}}';
const busy = parseFault({ status: 503, body: busyBody });
const busyAfter = (seconds: number) =>
  parseFault({ status: 503, headers: { 'Retry-After': String(seconds) }, body: busyBody });
const top = () => 1;

describe('retryDelay', () => {
  it('has the documented defaults', () => {
    expect(RETRY_DEFAULTS).toEqual({ baseMs: 800, maxMs: 60_000, maxAttempts: 4 });
  });

  it('backs off exponentially with full jitter, up to maxAttempts', () => {
    // random() = 1 gives each ceiling: the first retry (attempt 2) waits up to baseMs.
    expect([1, 2, 3, 4, 5].map((n) => retryDelay(busy, n, { random: top }))).toEqual([
      800,
      800,
      1600,
      3200,
      undefined,
    ]);
    expect(retryDelay(busy, 3, { random: () => 0 })).toBe(0);
    expect(retryDelay(busy, 3, { random: () => 0.5 })).toBe(800);
    expect(retryDelay(busy, 8, { random: top, maxAttempts: 10 })).toBe(51_200);
    expect(retryDelay(busy, 9, { random: top, maxAttempts: 10 })).toBe(60_000);
    expect(retryDelay(busy, 30, { random: top, maxAttempts: Infinity })).toBe(60_000);
    // Past 2^1024 the exponential is Infinity; with baseMs 0 that must still be 0, not NaN.
    expect(retryDelay(busy, 2000, { random: top, baseMs: 0, maxAttempts: Infinity })).toBe(0);
    expect(retryDelay(busy, 2 ** 40, { random: top, maxAttempts: Infinity })).toBe(60_000);
    expect(retryDelay(busy, 3, { random: top, baseMs: 10, maxMs: 15 })).toBe(15);
    expect(retryDelay(busy, 2, { random: top, maxAttempts: 1 })).toBeUndefined();
    for (let i = 0; i < 200; i++) {
      const d = retryDelay(busy, 4)!;
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(3200);
      expect(Number.isInteger(d)).toBe(true);
    }
  });

  it("lets the service's Retry-After win, capped at maxMs", () => {
    expect(retryDelay(busyAfter(5), 2, { random: () => 0 })).toBe(5000);
    expect(retryDelay(busyAfter(5), 4, { random: top })).toBe(5000);
    expect(retryDelay(busyAfter(500), 2)).toBe(60_000);
    expect(retryDelay(busyAfter(5), 2, { maxMs: 1000 })).toBe(1000);
    expect(retryDelay(busyAfter(0), 2, { random: top })).toBe(0);
    // ...but not past maxAttempts.
    expect(retryDelay(busyAfter(5), 5)).toBeUndefined();
  });

  it('gives undefined for faults that must not be retried', () => {
    const notFound = parseFault({ status: 404, body: '{"code":"JobNotFound","message":"no"}' });
    expect(retryDelay(notFound, 2)).toBeUndefined();
    // A 4xx other than 408 and 429 is not retried, whatever its code says.
    expect(retryDelay(parseFault({ status: 400, body: busyBody }), 2)).toBeUndefined();
    expect(retryDelay(parseFault({ status: 501, body: '' }), 2)).toBeUndefined();
    expect(retryDelay(parseFault({ status: 408, body: '' }), 2, { random: top })).toBe(800);
    expect(retryDelay(parseFault({ status: 429, headers: { 'retry-after': '2' }, body: '' }), 2)).toBe(2000);
    // A transient code without a status (a 200 whose body was an error) is retried.
    expect(retryDelay(parseFault({ body: busyBody }), 2, { random: top })).toBe(800);
  });

  it('takes a BatchwireServiceError as well as its fault', () => {
    expect(retryDelay(new BatchwireServiceError(busyAfter(3)), 2)).toBe(3000);
  });

  it('refuses what is not a fault, an attempt or options, with INVALID_ARGUMENT', () => {
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const throwing = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
      },
    );
    for (const fault of [null, undefined, 5, 'x', {}, { retriable: 'yes' }, revoked.proxy, throwing]) {
      expect(thrownBy(() => retryDelay(fault as never, 2)).code).toBe('INVALID_ARGUMENT');
    }
    for (const attempt of [0, -1, 1.5, Number.NaN, '2', null, 2 ** 60]) {
      expect(thrownBy(() => retryDelay(busy, attempt as never)).code).toBe('INVALID_ARGUMENT');
    }
    for (const options of [
      5,
      'x',
      [],
      { baseMs: -1 },
      { maxMs: 2 ** 31 },
      { maxMs: Infinity },
      { maxAttempts: 0 },
      { random: 5 },
      { random: () => 2 },
      { random: () => Number.NaN },
      { onRetry: 1 },
      { clock: 1 },
      { clock: { sleep: 1 } },
      { signal: {} },
      revoked.proxy,
      throwing,
    ]) {
      expect(thrownBy(() => retryDelay(busy, 2, options as never)).code).toBe('INVALID_ARGUMENT');
    }
    expect(retryDelay(busy, 2, null as never)).toBeGreaterThanOrEqual(0);
  });

  it('property: the delay is always within bounds', () => {
    fc.assert(
      fc.property(
        fc.record({
          status: fc.option(fc.integer({ min: 100, max: 599 }), { nil: undefined }),
          retryAfter: fc.option(fc.integer({ min: 0, max: 10_000_000 }), { nil: undefined }),
          code: fc.constantFrom('ServerBusy', 'JobNotFound', '', 'OperationTimedOut'),
        }),
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.record({
          baseMs: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          maxMs: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          maxAttempts: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constant(Infinity)),
        }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        ({ status, retryAfter, code }, attempt, options, r) => {
          const fault = parseFault({
            ...(status === undefined ? {} : { status }),
            ...(retryAfter === undefined ? {} : { headers: { 'retry-after-ms': String(retryAfter) } }),
            body: JSON.stringify({ code, message: 'm' }),
          });
          const delay = retryDelay(fault, attempt, { ...options, random: () => r });
          const client =
            status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429;
          if (!fault.retriable || client || attempt > options.maxAttempts) {
            expect(delay).toBeUndefined();
            return;
          }
          expect(delay).toBeDefined();
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay!).toBeGreaterThanOrEqual(0);
          if (retryAfter !== undefined) {
            expect(delay).toBe(Math.min(retryAfter, options.maxMs));
          } else {
            // 0 × 2^1024 is NaN in JavaScript: a zero base is a zero ceiling whatever the attempt.
            const ceiling =
              options.baseMs === 0
                ? 0
                : Math.min(options.maxMs, options.baseMs * 2 ** (Math.max(attempt, 2) - 2));
            expect(delay!).toBeLessThanOrEqual(ceiling);
          }
          expect(delay!).toBeLessThanOrEqual(options.maxMs);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

// A call that answers the listed statuses in turn (then 200), counting its calls.
function scripted(statuses: number[], headers: Record<string, string> = {}) {
  let calls = 0;
  const call = () => {
    const status = statuses[calls++] ?? 200;
    return Promise.resolve({ status, headers, body: status === 200 ? 'ok' : busyBody });
  };
  return { call, calls: () => calls };
}

describe('withRetries', () => {
  it('runs the call again after each retriable fault and resolves to the first success', async () => {
    const { call, calls } = scripted([503, 500]);
    const retries: [string, number, number][] = [];
    const result = await withRetries(call, {
      random: () => 0,
      onRetry: (fault, attempt, delayMs) => retries.push([fault.code, attempt, delayMs]),
    });
    expect(result).toMatchObject({ status: 200, body: 'ok' });
    expect(calls()).toBe(3);
    expect(retries).toEqual([
      ['ServerBusy', 2, 0],
      ['ServerBusy', 3, 0],
    ]);
  });

  it('rejects with the last BatchwireServiceError once the attempts are spent', async () => {
    const { call, calls } = scripted([503, 503, 503, 503, 503]);
    const error = await rejectionOf(withRetries(call, { baseMs: 1 }));
    expect(isBatchwireServiceError(error)).toBe(true);
    expect((error as BatchwireServiceError).status).toBe(503);
    expect(calls()).toBe(4);
    const one = scripted([503]);
    await expect(withRetries(one.call, { maxAttempts: 1 })).rejects.toMatchObject({ code: 'SERVICE_FAULT' });
    expect(one.calls()).toBe(1);
  });

  it('does not retry a fault that must not be retried', async () => {
    const { call, calls } = scripted([404]);
    const error = await rejectionOf(withRetries(call, { baseMs: 1 }));
    expect(error).toMatchObject({ code: 'SERVICE_FAULT', status: 404 });
    expect(calls()).toBe(1);
  });

  it('waits what Retry-After asks (capped at maxMs), on the given clock', async () => {
    const { call } = scripted([503, 503], { 'Retry-After': '7' });
    const slept: number[] = [];
    await withRetries(call, { clock: { sleep: (ms) => void slept.push(ms) } });
    expect(slept).toEqual([7000, 7000]);
    const capped = scripted([429], { 'Retry-After': '7' });
    const waits: number[] = [];
    await withRetries(capped.call, { maxMs: 20, onRetry: (_f, _a, ms) => waits.push(ms) });
    expect(waits).toEqual([20]);
  });

  it('reads an error Response body for the fault and returns a 2xx Response unread', async () => {
    let n = 0;
    let cancelled = false;
    const response = await withRetries(
      () => {
        n++;
        if (n === 1) {
          const body = new ReadableStream<Uint8Array>({
            start(c) {
              c.enqueue(new TextEncoder().encode(busyBody));
              c.close();
            },
            cancel() {
              cancelled = true;
            },
          });
          return new Response(body, { status: 503, headers: { 'content-type': 'application/json' } });
        }
        return new Response('{"state":"running"}', { status: 200 });
      },
      {
        baseMs: 1,
        onRetry: (fault) => expect(fault).toMatchObject({ service: 'azure-batch', code: 'ServerBusy' }),
      },
    );
    expect(response.bodyUsed).toBe(false);
    expect(await response.text()).toBe('{"state":"running"}');
    expect(cancelled).toBe(false);
  });

  it('retries a BatchwireServiceError the call throws; passes any other exception through at once', async () => {
    let n = 0;
    const result = await withRetries(
      () => {
        if (n++ === 0) throw new BatchwireServiceError(busy);
        return { status: 204 };
      },
      { baseMs: 1 },
    );
    expect(result.status).toBe(204);
    const network = new TypeError('fetch failed');
    let tries = 0;
    await expect(
      withRetries(
        () => {
          tries++;
          throw network;
        },
        { baseMs: 1 },
      ),
    ).rejects.toBe(network);
    expect(tries).toBe(1);
    const notRetried = new BatchwireServiceError(parseFault({ status: 400, body: '' }));
    await expect(withRetries(() => Promise.reject(notRetried))).rejects.toBe(notRetried);
  });

  it('an abort during a wait rejects at once with the signal’s reason', async () => {
    const controller = new AbortController();
    const { call, calls } = scripted([503, 503, 503]);
    const started = performance.now();
    let abortedAt = 0;
    const pending = withRetries(call, {
      signal: controller.signal,
      baseMs: 60_000,
      random: top,
      onRetry: () => {
        setTimeout(() => {
          abortedAt = performance.now();
          controller.abort(new Error('stop'));
        }, 15);
      },
    });
    await expect(pending).rejects.toThrow('stop');
    const late = performance.now() - abortedAt;
    expect(late).toBeLessThan(50);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(calls()).toBe(1);
    // Already aborted: no call at all.
    const again = scripted([]);
    await expect(withRetries(again.call, { signal: AbortSignal.abort(new Error('gone')) })).rejects.toThrow(
      'gone',
    );
    expect(again.calls()).toBe(0);
  });

  it('an abort while the call is in flight rejects at once', async () => {
    const controller = new AbortController();
    const pending = withRetries(() => new Promise<Response>(() => {}), { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('late')), 10);
    await expect(pending).rejects.toThrow('late');
  });

  it('property: an abort during a wait rejects within a few milliseconds', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 200, max: 60_000 }),
        async (after, wait) => {
          const controller = new AbortController();
          const reason = new Error('abort');
          let abortedAt = Number.NaN;
          const pending = withRetries(() => ({ status: 503, headers: { 'retry-after-ms': String(wait) } }), {
            signal: controller.signal,
            onRetry: () => {
              setTimeout(() => {
                abortedAt = performance.now();
                controller.abort(reason);
              }, after);
            },
          });
          const error = await pending.catch((e: unknown) => e);
          expect(error).toBe(reason);
          expect(performance.now() - abortedAt).toBeLessThan(25);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('refuses a call that is not a function, or answers what is not a response', async () => {
    for (const call of [undefined, null, 5, 'x', {}]) {
      expect((await rejectionOf(withRetries(call as never))).code).toBe('INVALID_ARGUMENT');
    }
    for (const answer of ['body', 5, null, {}, { status: '200' }]) {
      expect((await rejectionOf(withRetries(() => answer as never))).code).toBe('INVALID_ARGUMENT');
    }
    expect((await rejectionOf(withRetries(() => ({ status: 200 }), 7 as never))).code).toBe(
      'INVALID_ARGUMENT',
    );
  });
});
