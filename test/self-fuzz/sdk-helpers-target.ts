// The robustness target of the SDK helpers (issue 25): retryDelay, withRetries, paginate,
// paginatePages, pollUntil and the terminal-state predicates, called with arguments of every
// type (misuse.ts's junk) and with option objects of their own option names holding junk,
// revoked proxies and traps that throw. The only allowed outcomes are a value, a BatchwireError,
// and the caller's own callback's exception; a case that reaches its 1 s bound is a hang. Waits
// run on a manual clock, so no case waits in real time.
import { isBatchwireError } from 'batchwire';
import { retryDelay, withRetries } from 'batchwire/faults';
import {
  isBatchJobCompleted,
  isBatchTaskCompleted,
  isBrokerClientStatusTerminal,
  isDliBatchTerminal,
  paginate,
  paginatePages,
  pollUntil,
} from 'batchwire/status';
import fc from 'fast-check';
import { CallbackError, junk, type Make, show } from './misuse.js';

const OPTION_KEYS = [
  'baseMs',
  'maxMs',
  'maxAttempts',
  'random',
  'signal',
  'onRetry',
  'clock',
  'retry',
  'startAt',
  'maxPageSize',
  'url',
  'allowedOrigins',
  'parse',
  'done',
  'intervalMs',
  'maxIntervalMs',
  'timeoutMs',
  'onProgress',
  'maxPages',
  'maxLinkLength',
  'maxBodyBytes',
] as const;

const of = (make: () => unknown): Make => ({ make });

function revoked(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

function trapping(): object {
  return new Proxy(
    {},
    {
      get() {
        throw new TypeError('trap');
      },
      has() {
        throw new TypeError('trap');
      },
      ownKeys() {
        throw new TypeError('trap');
      },
      getPrototypeOf() {
        throw new TypeError('trap');
      },
    },
  );
}

// Values that reach past the first checks: responses, pages, links, states.
const realistic: fc.Arbitrary<Make> = fc.constantFrom(
  of(() => () => ({ status: 503, headers: { 'retry-after-ms': '1' }, body: '{"code":"ServerBusy"}' })),
  of(() => () => ({ status: 200, body: '{"state":"success"}' })),
  of(() => () => new Response('{"value":[],"odata.nextLink":" //evil.example/x"}')),
  of(() => () => '{"value":[{"id":"a","state":"completed"}],"odata.nextLink":"https://a.example/p2"}'),
  of(() => (body: unknown) => ({ items: [body], nextLink: 'https://a.example/next' })),
  of(() => (state: unknown) => state !== undefined),
  of(() => () => 0.5),
  of(() => 'https://a.example/jobs?api-version=1'),
  of(() => ({ method: 'GET', url: 'https://a.example/jobs', headers: { a: 'b' } })),
  of(() => ({ maxAttempts: 3, baseMs: 1 })),
  of(() => ({ state: 'Success' })),
  of(() => 'Finished'),
  of(revoked),
  of(trapping),
  of(() => () => revoked()),
  of(() => () => trapping()),
  of(() => () => ({ status: 200, headers: revoked(), body: trapping() })),
  of(() => () => ({ status: 503, headers: trapping(), body: revoked() })),
  of(() => () => ({ items: revoked(), nextLink: trapping() })),
  of(() => () => ({ items: [1], nextLink: revoked() })),
  of(() => ({ now: () => 0, sleep: () => revoked() })),
  of(() => ({ url: revoked(), headers: trapping() })),
);

const value: fc.Arbitrary<Make> = fc.oneof(
  { weight: 3, arbitrary: junk(1) },
  { weight: 2, arbitrary: realistic },
);

const options: fc.Arbitrary<Make> = fc.oneof(
  { weight: 1, arbitrary: value },
  {
    weight: 4,
    arbitrary: fc
      .uniqueArray(fc.tuple(fc.constantFrom(...OPTION_KEYS), value), { maxLength: 5, selector: ([k]) => k })
      .map((entries) =>
        of(() => {
          const object: Record<string, unknown> = {};
          for (const [k, v] of entries) object[k] = v.make();
          return object;
        }),
      ),
  },
);

const CALLS = [
  'retryDelay',
  'withRetries',
  'paginate',
  'paginatePages',
  'pollUntil',
  'isDliBatchTerminal',
  'isBrokerClientStatusTerminal',
  'isBatchJobCompleted',
  'isBatchTaskCompleted',
] as const;

export interface HelperCase {
  call: (typeof CALLS)[number];
  first: Make;
  second: Make;
  options: Make;
}

/** A clock whose sleeps move it and take no real time. */
function manualClock() {
  let now = 0;
  return {
    now: () => now,
    sleep: (ms: number) => {
      now += ms;
    },
  };
}

function isPlain(value: unknown): value is Record<string, unknown> {
  try {
    return (
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value) &&
      [Object.prototype, null].includes(Object.getPrototypeOf(value))
    );
  } catch {
    // A revoked proxy: handed over as it is.
    return false;
  }
}

// A copy made of the property descriptors, so that no getter of the case runs here, with `extra`
// added where the object has no such property of its own.
function withDefaults(
  object: Record<string, unknown>,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  const descriptors = Object.getOwnPropertyDescriptors(object);
  for (const [key, value] of Object.entries(extra)) {
    if (!Object.hasOwn(descriptors, key))
      descriptors[key] = { value, enumerable: true, writable: true, configurable: true };
  }
  return Object.defineProperties({}, descriptors);
}

// Every wait on a manual clock and every case under a real time bound, unless the case gave its own.
function bounded(made: unknown, signal: AbortSignal): unknown {
  if (!isPlain(made)) return made;
  const retry = Object.getOwnPropertyDescriptor(made, 'retry');
  const extra: Record<string, unknown> = { clock: manualClock(), signal };
  if (retry !== undefined && 'value' in retry && isPlain(retry.value)) {
    Object.defineProperty(made, 'retry', {
      ...retry,
      value: withDefaults(retry.value, { clock: manualClock() }),
    });
  }
  return withDefaults(made, extra);
}

async function drain(iterable: unknown): Promise<void> {
  let n = 0;
  for await (const _ of iterable as AsyncIterable<unknown>) if (++n >= 50) break;
}

async function run(c: HelperCase, signal: AbortSignal): Promise<unknown> {
  const first = c.first.make();
  const second = c.second.make();
  const opts = bounded(c.options.make(), signal);
  switch (c.call) {
    case 'retryDelay':
      return retryDelay(first as never, second as never, opts as never);
    case 'withRetries':
      return await withRetries(first as never, opts as never);
    case 'paginate':
      return await drain(paginate(first as never, opts as never));
    case 'paginatePages':
      return await drain(paginatePages(first as never, opts as never));
    case 'pollUntil':
      return await pollUntil(first as never, opts as never);
    case 'isDliBatchTerminal':
      return isDliBatchTerminal(first as never);
    case 'isBrokerClientStatusTerminal':
      return isBrokerClientStatusTerminal(first as never);
    case 'isBatchJobCompleted':
      return isBatchJobCompleted(first as never);
    case 'isBatchTaskCompleted':
      return isBatchTaskCompleted(first as never);
  }
}

/** The SDK-helpers target for the robustness run (see targets.ts). */
export const sdkHelpersTarget = {
  name: 'SDK helpers: retry, paging, polling (caller values)',
  cases: fc
    .record({ call: fc.constantFrom(...CALLS), first: value, second: value, options })
    .map((input: HelperCase) => ({ input, labels: [input.call] })),
  async decode(input: HelperCase): Promise<unknown> {
    // The case's own bound: 1 s of real time (waits are on a manual clock, so only work counts,
    // and reaching the bound is a hang).
    const signal = AbortSignal.timeout(1000);
    try {
      return await run(input, signal);
    } catch (error) {
      if (isBatchwireError(error) || error instanceof CallbackError) return error;
      throw new Error(`${input.call} threw ${(error as Error)?.name}: ${(error as Error)?.message}`, {
        cause: error,
      });
    }
  },
  show(input: HelperCase): string {
    // show() reads prototypes, which a revoked proxy refuses.
    const shown = (make: Make) => {
      try {
        return show(make.make());
      } catch {
        return '[revoked proxy]';
      }
    };
    return `${input.call}(${shown(input.first)}, ${shown(input.second)}, ${shown(input.options)})`;
  },
};
