// The API-misuse target: every public function, constructor and method of every subpath, called
// with arguments and option values of every JavaScript type (undefined, null, numbers with NaN,
// -0 and Infinity, strings, arrays, plain objects, buffers of every view, promises, objects with
// `__proto__` keys, getters that throw, functions), and every push decoder and
// TransformStream it returns fed such chunks. The only allowed outcomes are a value and a
// BatchwireError (and, for a function the caller passed in, that function's own exception).
import * as root from 'batchwire';
import * as arbitraries from 'batchwire/arbitraries';
import * as auth from 'batchwire/auth';
import * as emulator from 'batchwire/emulator';
import * as faults from 'batchwire/faults';
import * as generic from 'batchwire/generic';
import * as odata from 'batchwire/odata';
import * as requests from 'batchwire/requests';
import * as soap from 'batchwire/soap';
import * as status from 'batchwire/status';
import fc from 'fast-check';

/** Thrown by a hostile getter or proxy trap: it must never come out of batchwire as it is. */
export class GetterError extends Error {
  override name = 'GetterError';
}

/** Thrown by a function the caller passed in: passing it through is the caller's own business. */
export class CallbackError extends Error {
  override name = 'CallbackError';
}

/** One public callable. */
export interface Callable {
  /** `subpath.name`, `subpath.object.method` or `new subpath.Class`. */
  name: string;
  call(args: readonly unknown[]): unknown;
}

// Not called: fast-check's own API (re-exported by batchwire/arbitraries), and the emulator's
// server, which binds a port (its handlers are reached through createEmulator().handle).
const SKIP = new Set(['arbitraries.fc', 'emulator.startEmulator']);

function isClass(value: unknown): value is new (...args: unknown[]) => unknown {
  return typeof value === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(value));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Every public function, constructor and method of an exported plain object, once each. */
export function publicCallables(): Callable[] {
  const modules: [string, Record<string, unknown>][] = [
    ['generic', generic],
    ['soap', soap],
    ['odata', odata],
    ['faults', faults],
    ['status', status],
    ['requests', requests],
    ['auth', auth],
    ['arbitraries', arbitraries],
    ['emulator', emulator],
    ['batchwire', root],
  ];
  const seen = new Set<unknown>();
  const out: Callable[] = [];
  for (const [subpath, module] of modules) {
    for (const [name, value] of Object.entries(module)) {
      const path = `${subpath}.${name}`;
      if (SKIP.has(path) || seen.has(value)) continue;
      seen.add(value);
      if (isClass(value)) out.push({ name: `new ${path}`, call: (args) => new value(...args) });
      else if (typeof value === 'function') {
        out.push({ name: path, call: (args) => (value as (...a: unknown[]) => unknown)(...args) });
      } else if (isPlainObject(value)) {
        for (const [method, fn] of Object.entries(value)) {
          if (typeof fn !== 'function' || seen.has(fn)) continue;
          seen.add(fn);
          out.push({
            name: `${path}.${method}`,
            call: (args) => (fn as (...a: unknown[]) => unknown).apply(value, args as unknown[]),
          });
        }
      }
    }
  }
  return out;
}

// Option names used across the library, so that junk values reach the code that reads them.
const OPTION_KEYS = [
  'encoding',
  'contentType',
  'maxRecordBytes',
  'verifyCount',
  'loneSurrogates',
  'maxBytes',
  'maxBodyBytes',
  'maxJsonDepth',
  'maxTextLength',
  'maxMessageBytes',
  'maxDepth',
  'requireEnd',
  'now',
  'maxLength',
  'maxFilterLength',
  'maxFilterDepth',
  'maxDiagnostics',
  'schema',
  'filter',
  'select',
  'expand',
  'maxResults',
  'timeout',
  'apiVersion',
  'apiVersionIn',
  'baseUrl',
  'endpoint',
  'projectId',
  'batchId',
  'jobId',
  'poolId',
  'sessionId',
  'batchName',
  'cluster',
  'accept',
  'headers',
  'body',
  'status',
  'reason',
  'count',
  'bom',
  'signal',
  'parse',
  'maxPages',
  'maxLinkLength',
  'allowedOrigins',
  'clock',
  'seed',
  'fixture',
  'faults',
  'method',
  'url',
  'action',
  'userData',
  'input',
  'output',
  'name',
  'namespace',
  'result',
  'xml',
  'kind',
  'value',
  'type',
  'code',
  'message',
  'values',
  'account',
  'key',
  'ak',
  'sk',
  'user',
  'password',
  'date',
  'maxSkewMs',
  'realm',
  '__proto__',
  'constructor',
];

const utf8 = (text: string) => new TextEncoder().encode(text);
// Real payloads, so that junk options meet code paths past the first check.
const PAYLOADS: unknown[] = [
  'https://a.b',
  "poolId eq 'p' and nodeId ne 'n'",
  '{"id":"0a32","state":"Success"}',
  '{"value":[{"poolId":"p","nodeId":"n"}],"odata.nextLink":"https://a/next"}',
  '{"code":"ServerBusy","message":{"value":"busy"}}',
  '{"Code":1,"Message":"{0}{0}","Values":[{"key":"k","value":"v"}]}',
  '<BrokerClientStatus xmlns="http://hpc.microsoft.com">Finished</BrokerClientStatus>',
  '<ArrayOfMessage/>',
  'a\uffffb\uffffc\u0000http://hpc.microsoft.com/EndOfGetResponse\uffff1\uffffSuccess\u0000',
  utf8('a\uffffb\uffffc\u0000http://hpc.microsoft.com/EndOfGetResponse\uffff1\uffffSuccess\u0000'),
  [{ action: 'http://a/b', output: 'o', userData: 'u' }],
  [{ input: 'i', userData: 'u' }],
  { method: 'GET', url: 'http://127.0.0.1/WindowsHPC/Clusters', headers: {} },
  { account: 'a', key: 'a2V5', ak: 'AK', sk: 'SK', user: 'u', password: 'p' },
  {
    method: 'POST',
    url: '/jobs?api-version=1',
    headers: { authorization: 'SharedKey a:x', 'ocp-date': 'x' },
    body: 'b',
  },
  {
    baseUrl: 'https://head',
    sessionId: 1,
    batchName: 'b',
    projectId: 'p',
    batchId: 'b',
    jobId: 'j',
    apiVersion: '1',
  },
];

function throwingGetter(key: string): object {
  return Object.defineProperty({}, key, {
    enumerable: true,
    get() {
      throw new GetterError(`getter ${key}`);
    },
  });
}

function detach(buffer: ArrayBuffer): void {
  structuredClone(buffer, { transfer: [buffer] });
}

function detached(): ArrayBuffer {
  const buffer = new ArrayBuffer(8);
  detach(buffer);
  return buffer;
}

/**
 * A value to be made just before the call. fast-check looks into the values it generates (for
 * a clone method), which would set off the hostile getters and proxies; it sees only these.
 */
export interface Make {
  make(): unknown;
}

const of = (make: () => unknown): Make => ({ make });
const constant = (value: unknown): Make => of(() => value);

/** Every trap throws: reading, listing, testing, calling or constructing it fails. */
const THROWING_HANDLER: ProxyHandler<object> = Object.fromEntries(
  (
    [
      'get',
      'set',
      'has',
      'ownKeys',
      'getOwnPropertyDescriptor',
      'defineProperty',
      'deleteProperty',
      'getPrototypeOf',
      'setPrototypeOf',
      'isExtensible',
      'preventExtensions',
      'apply',
      'construct',
    ] as const
  ).map((trap) => [
    trap,
    () => {
      // Calling a function the caller passed runs the caller's code: what its apply trap throws
      // is that function's own exception, which batchwire passes through like any callback's.
      if (trap === 'apply') throw new CallbackError('proxy trap apply');
      throw new GetterError(`proxy trap ${trap}`);
    },
  ]),
);

const TRAPS = Object.keys(THROWING_HANDLER) as (keyof ProxyHandler<object>)[];

/** A proxy where only `trap` throws: the other traps answer as the target would. */
function oneTrapThrows<T extends object>(target: T, trap: keyof ProxyHandler<object>): T {
  return new Proxy(target, { [trap]: THROWING_HANDLER[trap] });
}

/**
 * Every trap alone over every kind of target (options, array, bytes, Headers), so a check that
 * passes (getPrototypeOf answers) meets the one read that throws.
 */
export const oneTrapProxies: Make[] = TRAPS.flatMap((trap) =>
  [
    () => ({ encoding: 'utf-8', headers: { a: 'b' } }),
    () => [1, 2],
    () => new Uint8Array(GENERIC_BODY),
    () => new Headers({ 'content-type': 'application/json' }),
  ].map((target) => of(() => oneTrapThrows(target() as object, trap))),
);

function revoked<T extends object>(target: T): T {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
}

/** A Uint8Array subclass that trusts nothing of itself: its own methods and species throw. */
class HostileBytes extends Uint8Array {
  static get [Symbol.species](): Uint8ArrayConstructor {
    throw new GetterError('species');
  }
  override subarray(): Uint8Array<ArrayBuffer> {
    throw new GetterError('subarray');
  }
  override slice(): Uint8Array<ArrayBuffer> {
    throw new GetterError('slice');
  }
  override get length(): number {
    throw new GetterError('length');
  }
}

const GENERIC_BODY = utf8(
  'a\uffffb\uffffc\u0000http://hpc.microsoft.com/EndOfGetResponse\uffff1\uffffSuccess\u0000',
);

/**
 * Exotic but legal values (issue 21): objects that pass `instanceof` without being what they
 * claim, revoked proxies, proxies whose traps throw, detached buffers and views over them, views
 * over shared memory, and a Uint8Array subclass whose own methods throw.
 */
export const exotic: fc.Arbitrary<Make> = fc.oneof(
  fc
    .constantFrom(
      Uint8Array.prototype,
      ArrayBuffer.prototype,
      DataView.prototype,
      ReadableStream.prototype,
      Response.prototype,
      Headers.prototype,
      AbortSignal.prototype,
      Error.prototype,
      Date.prototype,
      Map.prototype,
      Promise.prototype,
    )
    .map((prototype) => of(() => Object.create(prototype))),
  fc.constant(of(() => Object.setPrototypeOf({ length: 3, 0: 0x61 }, Uint8Array.prototype))),
  fc.constant(of(() => revoked({}))),
  fc.constant(of(() => revoked([]))),
  fc.constant(of(() => revoked(new Uint8Array(4)))),
  fc.constant(of(() => revoked(() => 0))),
  fc.constant(of(() => new Proxy({}, THROWING_HANDLER))),
  fc.constant(of(() => new Proxy([], THROWING_HANDLER))),
  fc.constant(of(() => new Proxy(new Uint8Array(GENERIC_BODY), THROWING_HANDLER))),
  fc.constant(of(() => new Proxy(() => 0, THROWING_HANDLER))),
  fc.constantFrom(...oneTrapProxies),
  fc.constant(
    of(() => {
      const buffer = new ArrayBuffer(16);
      const view = new Uint8Array(buffer, 4, 8);
      detach(buffer);
      return view;
    }),
  ),
  fc.constant(
    of(() => {
      const buffer = new ArrayBuffer(16);
      const view = new DataView(buffer);
      detach(buffer);
      return view;
    }),
  ),
  fc.nat({ max: PAYLOADS.length - 1 }).map((i) =>
    of(() => {
      const payload = PAYLOADS[i];
      const bytes = typeof payload === 'string' ? utf8(payload) : GENERIC_BODY;
      const shared = new Uint8Array(new SharedArrayBuffer(bytes.length + 2), 1, bytes.length);
      shared.set(bytes);
      return shared;
    }),
  ),
  fc.constant(of(() => new SharedArrayBuffer(8))),
  fc.constant(of(() => new DataView(new SharedArrayBuffer(8)))),
  fc.constant(
    of(() => {
      // A byte order mark, then a UTF-16LE generic body: read by its bytes, the BOM is not text.
      const body = Buffer.from('\ufeffa\uffffb\uffffc\u0000', 'utf16le');
      const hostile = new HostileBytes(body.length);
      Uint8Array.prototype.set.call(hostile, body);
      return hostile;
    }),
  ),
);

const bytes = fc.uint8Array({ maxLength: 24 });
const views: fc.Arbitrary<Make> = fc.oneof(
  bytes.map((b) => of(() => b.slice())),
  bytes.map((b) => of(() => b.slice().buffer)),
  bytes.map((b) => of(() => new DataView(b.slice().buffer))),
  bytes.map((b) => of(() => Buffer.from(b))),
  bytes.map((b) => of(() => new Int8Array(b.slice().buffer))),
  fc.constant(of(() => new Uint16Array([0x68, 0xffff, 0]))),
  fc.constant(of(() => new Float64Array([Number.NaN]))),
  fc.constant(of(detached)),
);

const leaf: fc.Arbitrary<Make> = fc.oneof(
  fc
    .constantFrom(
      undefined,
      null,
      true,
      false,
      0,
      -0,
      1,
      -1,
      1.5,
      Number.NaN,
      Infinity,
      -Infinity,
      2 ** 53,
      2 ** 31,
      1e308,
      10n,
      '',
      '__proto__',
      'constructor',
      'auto',
      'utf-8',
      'utf-16le',
      'keep',
      'error',
      'query',
      'manual',
      '\ud800',
      '\r\n',
    )
    .map(constant),
  fc.integer({ min: -5, max: 70_000 }).map(constant),
  fc.double().map(constant),
  fc.string({ unit: 'binary', maxLength: 16 }).map(constant),
  fc.nat({ max: PAYLOADS.length - 1 }).map((i) => of(() => structuredClone(PAYLOADS[i]))),
  views,
  fc.constant(of(() => Symbol('junk'))),
  fc.constant(of(() => new Date(Number.NaN))),
  fc.constant(of(() => new Date(0))),
  fc.constant(of(() => /x/)),
  fc.constant(of(() => new Map([['a', 'b']]))),
  fc.constant(of(() => new Error('plain error'))),
  exotic,
);

/** A value of any JavaScript type; objects hold junk of their own, up to `depth` levels. */
export function junk(depth = 2): fc.Arbitrary<Make> {
  if (depth <= 0) return leaf;
  const inner = junk(depth - 1);
  const options = fc
    .uniqueArray(fc.tuple(fc.constantFrom(...OPTION_KEYS), inner), { maxLength: 4, selector: ([k]) => k })
    .map((entries) =>
      of(() => {
        const object: Record<string, unknown> = {};
        // defineProperty: a `__proto__` key becomes an own property, as JSON.parse makes it.
        for (const [k, v] of entries) {
          Object.defineProperty(object, k, {
            value: v.make(),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        return object;
      }),
    );
  return fc.oneof(
    { weight: 4, arbitrary: leaf },
    { weight: 3, arbitrary: options },
    {
      weight: 1,
      arbitrary: fc.array(inner, { maxLength: 3 }).map((items) => of(() => items.map((i) => i.make()))),
    },
    { weight: 1, arbitrary: fc.constantFrom(...OPTION_KEYS).map((key) => of(() => throwingGetter(key))) },
    { weight: 1, arbitrary: fc.constant(of(() => JSON.parse('{"__proto__":{"polluted":true},"a":1}'))) },
    { weight: 1, arbitrary: fc.constant(of(() => Object.create(null))) },
    {
      weight: 1,
      arbitrary: inner.map((v) =>
        of(() => {
          // Promise.resolve reads `then`: of a proxy whose traps throw, that is a rejected promise,
          // handled here so that one the callable never awaits is not an unhandled rejection.
          const promise = Promise.resolve(v.make());
          promise.catch(() => undefined);
          return promise;
        }),
      ),
    },
    {
      weight: 1,
      arbitrary: fc.oneof(
        inner.map((v) => of(() => () => v.make())),
        fc.constant(
          of(() => () => {
            throw new CallbackError('callback');
          }),
        ),
        inner.map((v) => of(() => async () => v.make())),
      ),
    },
  );
}

/** A call: which callable, its arguments, and the chunks fed to what it returns. */
export interface MisuseCase {
  callable: number;
  args: Make[];
  chunks: Make[];
}

export function misuseCases(count: number): fc.Arbitrary<MisuseCase> {
  return fc.record({
    callable: fc.nat({ max: count - 1 }),
    args: fc.array(junk(2), { maxLength: 3 }),
    chunks: fc.array(junk(1), { maxLength: 3 }),
  });
}

/** The arguments and chunks of a case, made afresh. */
export interface MadeCase {
  args: unknown[];
  chunks: unknown[];
}

export function make(c: MisuseCase): MadeCase {
  return { args: c.args.map((a) => a.make()), chunks: c.chunks.map((a) => a.make()) };
}

/** Whether an exception may come out of batchwire: its own error, or the caller's callback's. */
export function allowed(error: unknown): boolean {
  return root.isBatchwireError(error) || error instanceof CallbackError || isRevokedCall(error);
}

/** Calling a revoked function proxy the caller passed: the caller's function failing, as above. */
function isRevokedCall(error: unknown): boolean {
  return (
    error instanceof TypeError &&
    /^Cannot perform 'apply' on a proxy that has been revoked$/.test(error.message)
  );
}

// Attaches a handler to every promise made along the way, so none is left rejected unhandled.
async function settle(value: unknown, chunks: readonly unknown[], problems: unknown[]): Promise<void> {
  const guard = async (action: () => unknown) => {
    try {
      const result = action();
      if (result instanceof Promise) await result;
    } catch (error) {
      problems.push(error);
    }
  };
  // A proxy handed back (an input returned as it was) is not worked: its traps are the caller's.
  if (typeof value === 'object' && value !== null && isProxyLike(value)) return;
  if (value instanceof Promise) {
    let resolved: unknown;
    await guard(async () => {
      resolved = await value;
    });
    if (resolved !== undefined) await settle(resolved, chunks, problems);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const object = value as Record<string, unknown>;
  if (value instanceof fc.Arbitrary) {
    await guard(() => fc.sample(value as fc.Arbitrary<unknown>, { numRuns: 1, seed: 1 }));
    return;
  }
  if (value instanceof TransformStream) {
    const writer = value.writable.getWriter();
    const reader = value.readable.getReader();
    const reading = (async () => {
      for (let i = 0; i < 50; i++) if ((await reader.read()).done) return;
    })();
    const before = problems.length;
    for (const chunk of chunks) await guard(() => writer.write(chunk));
    // Closing a stream that a write errored rejects with the platform's TypeError, by the spec;
    // the stream's own error came out of the write (and the read).
    if (problems.length === before) await guard(() => writer.close());
    await guard(() => reading);
    return;
  }
  if (typeof object.write === 'function' && typeof object.end === 'function') {
    for (const chunk of chunks) await guard(() => (object.write as (c: unknown) => unknown)(chunk));
    await guard(() => (object.end as () => unknown)());
    return;
  }
  if (typeof object.handle === 'function' && typeof object.close === 'function') {
    // An emulator without a socket: one request through its handler, then close it.
    await guard(() => (object.handle as (r: unknown) => unknown)(chunks[0]));
    await guard(() => (object.close as () => unknown)());
    return;
  }
  if (typeof (object as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function') {
    await guard(async () => {
      let n = 0;
      for await (const _ of value as AsyncIterable<unknown>) if (++n >= 50) break;
    });
    return;
  }
  if (!Array.isArray(value) && typeof object.next === 'function') {
    await guard(() => {
      let n = 0;
      for (const _ of value as Iterable<unknown>) if (++n >= 50) break;
    });
  }
}

/**
 * Calls one callable with the case's arguments and works what it returns. Resolves to the list
 * of exceptions that are not allowed (empty when the call behaved).
 */
export async function runMisuse(callable: Callable, c: MadeCase): Promise<unknown[]> {
  const problems: unknown[] = [];
  let value: unknown;
  try {
    value = callable.call(c.args);
  } catch (error) {
    problems.push(error);
  }
  await settle(value, c.chunks, problems);
  return problems.filter((p) => !allowed(p));
}

/**
 * A short description of a value that never runs a getter and never throws: a proxy whose traps
 * throw (or a revoked one) is named, not read.
 */
export function show(value: unknown, depth = 2): string {
  try {
    return describe(value, depth);
  } catch {
    return '[a proxy whose traps throw]';
  }
}

function describe(value: unknown, depth: number): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return 'Symbol()';
  if (typeof value === 'function') return 'function';
  if (typeof value !== 'object' || value === null) return Object.is(value, -0) ? '-0' : String(value);
  if (isProxyLike(value)) return '[a revoked proxy, or one whose traps throw]';
  if (!isPlainObjectSafe(value)) return `[${kindOf(value)}]`;
  if (depth <= 0) return '{…}';
  if (Array.isArray(value)) return `[${value.map((v) => show(v, depth - 1)).join(', ')}]`;
  const parts: string[] = [];
  for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(value))) {
    parts.push(
      `${JSON.stringify(key)}: ${'value' in descriptor ? show(descriptor.value, depth - 1) : '<getter that throws>'}`,
    );
  }
  return `{${parts.join(', ')}}`;
}

function isPlainObjectSafe(value: object): boolean {
  if (isProxyLike(value)) return false;
  return Array.isArray(value) || isPlainObject(value);
}

// Proxies cannot be told apart from their target without a trap; ours throw on every one.
function isProxyLike(value: object): boolean {
  try {
    Object.getPrototypeOf(value);
    return false;
  } catch {
    return true;
  }
}

function kindOf(value: object): string {
  try {
    if (ArrayBuffer.isView(value)) {
      const length = (
        Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), 'byteLength')!.get as (
          this: unknown,
        ) => number
      ).call(value);
      return `${Object.getPrototypeOf(value)?.constructor?.name ?? 'view'}(${length})`;
    }
    if (value instanceof ArrayBuffer)
      return `ArrayBuffer(${value.byteLength}${value.byteLength === 0 ? ', maybe detached' : ''})`;
    if (value instanceof Promise) return 'Promise';
    return value.constructor?.name ?? 'object';
  } catch {
    return 'an object that passes instanceof without being one';
  }
}

/** Describes a failure: the call, and the exception. */
export function describeFailure(callable: Callable, c: MadeCase, problem: unknown): string {
  return `${callable.name}(${c.args.map((a) => show(a)).join(', ')}) with chunks [${c.chunks.map((a) => show(a)).join(', ')}] threw ${describeProblem(problem)}`;
}

// What was thrown may itself be hostile (an input thrown back): read it without trusting it.
function describeProblem(problem: unknown): string {
  try {
    const error = problem as Error;
    return `${error?.name ?? typeof problem}: ${error?.message ?? String(problem)}`;
  } catch {
    return show(problem);
  }
}
