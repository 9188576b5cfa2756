// Fault rules: the JSON contract, its validation, matching requests against it, and the compact
// `--fault` syntax of the command line.
// About 500 lines on purpose: the compact syntax is parsed into the JSON form and checked by the
// same code, so the vocabulary has one definition.
import { BatchwireError } from '../core/errors.js';
import { closest, headerValueProblem, isHttpToken } from '../core/options.js';
import { SERVICE_ALIASES, SERVICE_IDS, type ServiceId, serviceIdOf } from '../core/services.js';
import type { ServiceName } from './fault-bodies.js';
import { guarded } from './guard.js';
import { EMULATED_OPERATIONS } from './operations.js';
import { createRandom, deriveSeed, type Random } from './random.js';

/** Which requests a rule applies to; every field given must match. */
export interface FaultMatch {
  /** `hpc-pack`, `azure-batch` or `dli` (`hpcPack` and `azureBatch`, the old spellings, are read too). */
  service?: ServiceId | 'hpcPack' | 'azureBatch';
  /** An operation name of `batchwire/requests` (`getResponses`, `listJobs`, `getBatchState`, ...). */
  operation?: string;
  /** An HTTP method, any case. */
  method?: string;
  /** The request path (no query), compared without case; `*` matches any run of characters. */
  path?: string;
}

/** Where a `cut` closes the connection. */
export type CutPosition =
  /** After `bytes` bytes of the body. */
  | { bytes: number }
  /** After the k-th record (generic stream) or envelope (SOAP array); 0 is before the first. */
  | { record: number }
  /** Inside the k-th record (1-based): in its middle, in its first U+FFFF separator, or between the halves of a surrogate pair. */
  | { inside: 'record' | 'separator' | 'surrogate'; record: number }
  /** Just before the closing record or envelope. */
  | 'before-end';

/** What a rule does to a response. */
export type FaultAction =
  | { type: 'status'; status: number; fault?: string; message?: string; headers?: Record<string, string> }
  | { type: 'delay'; ms: number; jitterMs?: number }
  | { type: 'dribble'; bytes: number; everyMs: number }
  | { type: 'hang' }
  | { type: 'cut'; at: CutPosition }
  | { type: 'reset'; when?: 'before-headers' | 'mid-body' }
  | { type: 'corrupt'; count: number; within?: number };

/** A fault rule, as `POST /_batchwire/faults`, `--fault` and `startEmulator({ faults })` accept it. */
export interface FaultRule {
  match?: FaultMatch;
  action: FaultAction;
  /** Apply at most this many times, then let requests pass ("fail N times, then pass"). */
  times?: number;
  /** Let the first `after` matching requests pass. */
  after?: number;
  /** Chance of applying to a matching request, 0 to 1, drawn from the seeded generator. @defaultValue 1 */
  probability?: number;
}

/** A rule held by the emulator, with its id and counters. */
export interface FaultRuleState extends FaultRule {
  id: number;
  /** Requests that matched `match`. */
  matched: number;
  /** Times the action was applied. */
  applied: number;
}

/** The most a delay, dribble interval or jitter may be: ten minutes. */
export const MAX_FAULT_MS = 600_000;

function fail(path: string, message: string): never {
  throw new BatchwireError('INVALID_ARGUMENT', `fault rule ${path}: ${message}`, 0);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function only(value: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) fail(`${path}.${key}`, `unknown field (allowed: ${allowed.join(', ')})`);
  }
}

function integer(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(path, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

function text(value: unknown, path: string, max = 1024): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    fail(path, `must be a non-empty string of at most ${max} characters`);
  }
  return value;
}

// Headers a rule cannot set: the framing is the emulator's (a wrong Content-Length would
// corrupt every later answer on the connection).
const FRAMING = new Set([
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'trailer',
]);

/** `, did you mean X?` when a known name is close to `given`. */
function guess(given: string, known: readonly string[]): string {
  const near = closest(given, known);
  return near === undefined ? '' : `; did you mean ${JSON.stringify(near)}?`;
}

function headersOf(value: unknown, path: string): Record<string, string> {
  if (!isObject(value)) fail(path, 'must be an object of header names to string values');
  const out: Record<string, string> = {};
  const names = Object.keys(value);
  if (names.length > 64) fail(path, 'at most 64 headers');
  for (const name of names) {
    const v = value[name];
    if (!isHttpToken(name) || name.length > 256) fail(`${path}.${name}`, 'not a header name (an HTTP token)');
    if (FRAMING.has(name.toLowerCase()))
      fail(`${path}.${name}`, 'the emulator frames its answers itself; a rule cannot set this header');
    if (typeof v !== 'string' || v.length > 4096)
      fail(`${path}.${name}`, 'must be a string of at most 4096 characters');
    const problem = headerValueProblem(v);
    if (problem)
      fail(`${path}.${name}`, `contains ${problem.what} at index ${problem.index}, which HTTP cannot carry`);
    Object.defineProperty(out, name.toLowerCase(), {
      value: v,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function cutPosition(value: unknown, path: string): CutPosition {
  if (value === 'before-end') return value;
  if (!isObject(value)) fail(path, `must be "before-end", { bytes }, { record } or { inside, record }`);
  if ('bytes' in value) {
    only(value, ['bytes'], path);
    return { bytes: integer(value.bytes, `${path}.bytes`, 0, Number.MAX_SAFE_INTEGER) };
  }
  if ('inside' in value) {
    only(value, ['inside', 'record'], path);
    const inside = value.inside;
    if (inside !== 'record' && inside !== 'separator' && inside !== 'surrogate') {
      fail(`${path}.inside`, 'must be "record", "separator" or "surrogate"');
    }
    return { inside, record: integer(value.record ?? 1, `${path}.record`, 1, Number.MAX_SAFE_INTEGER) };
  }
  if ('record' in value) {
    only(value, ['record'], path);
    return { record: integer(value.record, `${path}.record`, 0, Number.MAX_SAFE_INTEGER) };
  }
  fail(path, 'must be "before-end", { bytes }, { record } or { inside, record }');
}

function action(value: unknown): FaultAction {
  if (!isObject(value)) fail('action', 'must be an object with a "type"');
  switch (value.type) {
    case 'status': {
      only(value, ['type', 'status', 'fault', 'message', 'headers'], 'action');
      const out: FaultAction = { type: 'status', status: integer(value.status, 'action.status', 200, 599) };
      if (value.fault !== undefined) out.fault = text(value.fault, 'action.fault', 128);
      if (value.message !== undefined) out.message = text(value.message, 'action.message', 4096);
      if (value.headers !== undefined) out.headers = headersOf(value.headers, 'action.headers');
      return out;
    }
    case 'delay': {
      only(value, ['type', 'ms', 'jitterMs'], 'action');
      const out: FaultAction = { type: 'delay', ms: integer(value.ms, 'action.ms', 0, MAX_FAULT_MS) };
      if (value.jitterMs !== undefined)
        out.jitterMs = integer(value.jitterMs, 'action.jitterMs', 0, MAX_FAULT_MS);
      return out;
    }
    case 'dribble':
      only(value, ['type', 'bytes', 'everyMs'], 'action');
      return {
        type: 'dribble',
        bytes: integer(value.bytes, 'action.bytes', 1, 16 * 1024 * 1024),
        everyMs: integer(value.everyMs, 'action.everyMs', 0, MAX_FAULT_MS),
      };
    case 'hang':
      only(value, ['type'], 'action');
      return { type: 'hang' };
    case 'cut':
      only(value, ['type', 'at'], 'action');
      return { type: 'cut', at: cutPosition(value.at, 'action.at') };
    case 'reset': {
      only(value, ['type', 'when'], 'action');
      const when = value.when ?? 'before-headers';
      if (when !== 'before-headers' && when !== 'mid-body')
        fail('action.when', 'must be "before-headers" or "mid-body"');
      return { type: 'reset', when };
    }
    case 'corrupt': {
      only(value, ['type', 'count', 'within'], 'action');
      const out: FaultAction = {
        type: 'corrupt',
        count: integer(value.count ?? 1, 'action.count', 1, 1_000_000),
      };
      if (value.within !== undefined)
        out.within = integer(value.within, 'action.within', 1, Number.MAX_SAFE_INTEGER);
      return out;
    }
    default:
      fail('action.type', 'must be one of status, delay, dribble, hang, cut, reset, corrupt');
  }
}

/**
 * Checks a fault rule given as JSON (or built in code) and returns a clean copy.
 *
 * @throws {@link BatchwireError} `INVALID_ARGUMENT`, naming the field that is wrong
 * @example
 * ```ts
 * validateFaultRule({ match: { operation: 'getResponses' }, action: { type: 'cut', at: { record: 3 } }, times: 1 });
 * ```
 */
export function validateFaultRule(value: unknown): FaultRule {
  return guarded('fault rule', () => checkRule(value));
}

function checkRule(value: unknown): FaultRule {
  if (!isObject(value))
    fail('', 'must be an object with "action" (and "match", "times", "after", "probability")');
  only(value, ['match', 'action', 'times', 'after', 'probability'], 'rule');
  const rule: FaultRule = { action: action(value.action) };
  if (value.match !== undefined) {
    const m = value.match;
    if (!isObject(m)) fail('match', 'must be an object');
    only(m, ['service', 'operation', 'method', 'path'], 'match');
    const match: FaultMatch = {};
    let service: ServiceId | undefined;
    if (m.service !== undefined) {
      const id = serviceIdOf(m.service);
      if (id === undefined) {
        const given = typeof m.service === 'string' ? m.service : '';
        fail(
          'match.service',
          `must be one of ${SERVICE_IDS.join(', ')}${guess(given, [...SERVICE_IDS, ...Object.keys(SERVICE_ALIASES)])}`,
        );
      }
      match.service = id;
      service = id;
    }
    if (m.operation !== undefined) {
      const operation = text(m.operation, 'match.operation', 128);
      const known =
        service === undefined ? Object.values(EMULATED_OPERATIONS).flat() : EMULATED_OPERATIONS[service];
      if (!known.includes(operation)) {
        fail(
          'match.operation',
          `${JSON.stringify(operation)} is not an operation of ${service ?? 'any emulated service'}${guess(operation, known)}`,
        );
      }
      match.operation = operation;
    }
    if (m.method !== undefined) match.method = text(m.method, 'match.method', 32).toUpperCase();
    if (m.path !== undefined) match.path = text(m.path, 'match.path', 2048);
    rule.match = match;
  }
  if (value.times !== undefined) rule.times = integer(value.times, 'times', 0, Number.MAX_SAFE_INTEGER);
  if (value.after !== undefined) rule.after = integer(value.after, 'after', 0, Number.MAX_SAFE_INTEGER);
  if (value.probability !== undefined) {
    const p = value.probability;
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) fail('probability', 'must be a number from 0 to 1');
    rule.probability = p;
  }
  return rule;
}

/** `*` matches any run of characters; everything else compares without case. Linear-ish, no regex. */
export function globMatches(pattern: string, value: string): boolean {
  const p = pattern.toLowerCase();
  const v = value.toLowerCase();
  let pi = 0;
  let vi = 0;
  let star = -1;
  let mark = 0;
  while (vi < v.length) {
    if (pi < p.length && p[pi] !== '*' && p[pi] === v[vi]) {
      pi++;
      vi++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = vi;
    } else if (star >= 0) {
      pi = star + 1;
      vi = ++mark;
    } else return false;
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/** What the matcher knows about a request. */
export interface FaultSubject {
  service: ServiceName | undefined;
  operation: string | undefined;
  method: string;
  path: string;
}

/** A rule that fired for a request, with a generator for the choices its action makes. */
export interface FaultDecision {
  rule: FaultRuleState;
  action: FaultAction;
  random: Random;
}

function matches(match: FaultMatch | undefined, subject: FaultSubject): boolean {
  if (match === undefined) return true;
  if (match.service !== undefined && match.service !== subject.service) return false;
  if (match.operation !== undefined && match.operation !== subject.operation) return false;
  if (match.method !== undefined && match.method !== subject.method) return false;
  if (match.path !== undefined && !globMatches(match.path, subject.path)) return false;
  return true;
}

/** The rules of one emulator, in the order they were added; the first rule that fires wins. */
export class FaultRules {
  private rules: (FaultRuleState & { draw: Random })[] = [];
  private nextId = 1;

  constructor(private seed: number) {}

  /** Adds a rule (validated) and returns its id. */
  add(rule: FaultRule): number {
    const clean = validateFaultRule(rule);
    const id = this.nextId++;
    this.rules.push({ ...clean, id, matched: 0, applied: 0, draw: createRandom(deriveSeed(this.seed, id)) });
    return id;
  }

  /** Removes one rule; false when there was none with that id. */
  remove(id: number): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length !== before;
  }

  /** Removes every rule (ids keep counting up). */
  clear(): void {
    this.rules = [];
  }

  /** Forgets rules and counters; ids and random streams start again, as after a restart. */
  reset(): void {
    this.rules = [];
    this.nextId = 1;
  }

  /** The rules with their counters (copies). */
  list(): FaultRuleState[] {
    return this.rules.map(({ draw: _draw, ...rest }) => structuredClone(rest));
  }

  /** The first rule that fires for this request, counting it as matched and applied. */
  decide(subject: FaultSubject): FaultDecision | undefined {
    for (const rule of this.rules) {
      if (!matches(rule.match, subject)) continue;
      rule.matched++;
      if (rule.matched <= (rule.after ?? 0)) continue;
      if (rule.times !== undefined && rule.applied >= rule.times) continue;
      if (rule.probability !== undefined && rule.probability < 1 && rule.draw() >= rule.probability) continue;
      rule.applied++;
      const { draw: _draw, ...state } = rule;
      return {
        rule: state,
        action: rule.action,
        random: createRandom(deriveSeed(this.seed, rule.id, rule.applied)),
      };
    }
    return undefined;
  }
}

const CUTS: Readonly<Record<string, 'record' | 'separator' | 'surrogate'>> = {
  'inside-record': 'record',
  'inside-separator': 'separator',
  'inside-surrogate': 'surrogate',
};

/**
 * Reads the compact `--fault` syntax: comma-separated `key=value` pairs (and bare words), or a
 * JSON rule when the text starts with `{`. Match keys: `service`, `op` (or `operation`),
 * `method`, `path`. One action: `status=503` (with `fault=NAME`, `message=TEXT`,
 * `retry-after=S`, `header=Name:value`...), `delay=MS` (with `jitter=MS`), `dribble=BYTES/MS`,
 * `hang`, `cut=bytes:N|record:K|inside-record:K|inside-separator:K|inside-surrogate:K|before-end`,
 * `reset` or `reset=mid-body`, `corrupt=N` (with `within=BYTES`). Rule keys: `times`, `after`,
 * `probability`. Values cannot contain commas: use the JSON form for those.
 *
 * @throws {@link BatchwireError} `INVALID_ARGUMENT`
 * @example
 * ```ts
 * parseFaultSpec('op=getResponses,cut=inside-record:2,times=1');
 * // { match: { operation: 'getResponses' }, action: { type: 'cut', at: { inside: 'record', record: 2 } }, times: 1 }
 * parseFaultSpec('service=azureBatch,status=503,fault=ServerBusy,retry-after=3');
 * ```
 */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: the compact --fault grammar: one arm per key of a closed vocabulary
export function parseFaultSpec(spec: string): FaultRule {
  if (typeof spec !== 'string')
    throw new BatchwireError('INVALID_ARGUMENT', 'a fault spec must be a string', 0);
  const trimmed = spec.trim();
  if (trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (error) {
      throw new BatchwireError(
        'INVALID_ARGUMENT',
        `fault rule: not valid JSON (${(error as Error).message})`,
        0,
      );
    }
    return validateFaultRule(json);
  }
  const match: Record<string, unknown> = {};
  const rule: Record<string, unknown> = {};
  let act: Record<string, unknown> | undefined;
  const extras: Record<string, string> = {};
  const headers: Record<string, string> = {};
  const setAction = (value: Record<string, unknown>, key: string) => {
    if (act)
      throw new BatchwireError(
        'INVALID_ARGUMENT',
        `fault spec: a second action ${key}; give one per rule`,
        0,
      );
    act = value;
  };
  const number = (key: string, value: string): number => {
    if (!/^-?[0-9]+(\.[0-9]+)?$/.test(value))
      throw new BatchwireError(
        'INVALID_ARGUMENT',
        `fault spec: ${key}=${JSON.stringify(value)} is not a number`,
        0,
      );
    return Number(value);
  };
  for (const part of trimmed.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    const key = (eq < 0 ? item : item.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? '' : item.slice(eq + 1).trim();
    switch (key) {
      case 'service':
      case 'method':
      case 'path':
        match[key] = value;
        break;
      case 'op':
      case 'operation':
        match.operation = value;
        break;
      case 'times':
      case 'after':
      case 'probability':
        rule[key] = number(key, value);
        break;
      case 'status':
        setAction({ type: 'status', status: number(key, value) }, key);
        break;
      case 'delay':
        setAction({ type: 'delay', ms: number(key, value) }, key);
        break;
      case 'dribble': {
        const [bytes, every] = value.split('/');
        setAction(
          { type: 'dribble', bytes: number(key, bytes ?? ''), everyMs: number(key, every ?? '') },
          key,
        );
        break;
      }
      case 'hang':
        setAction({ type: 'hang' }, key);
        break;
      case 'reset':
        setAction({ type: 'reset', when: value === '' ? 'before-headers' : value }, key);
        break;
      case 'corrupt':
        setAction({ type: 'corrupt', count: value === '' ? 1 : number(key, value) }, key);
        break;
      case 'cut': {
        const colon = value.indexOf(':');
        const kind = colon < 0 ? value : value.slice(0, colon);
        const arg = colon < 0 ? '' : value.slice(colon + 1);
        let at: unknown;
        if (kind === 'before-end') at = 'before-end';
        else if (kind === 'bytes') at = { bytes: number(key, arg) };
        else if (kind === 'record') at = { record: number(key, arg) };
        else if (Object.hasOwn(CUTS, kind))
          at = { inside: CUTS[kind], record: arg === '' ? 1 : number(key, arg) };
        else
          throw new BatchwireError(
            'INVALID_ARGUMENT',
            `fault spec: cut=${JSON.stringify(value)}; expected bytes:N, record:K, inside-record:K, inside-separator:K, inside-surrogate:K or before-end`,
            0,
          );
        setAction({ type: 'cut', at }, key);
        break;
      }
      case 'fault':
      case 'message':
      case 'jitter':
      case 'within':
        extras[key] = value;
        break;
      case 'retry-after':
        headers['Retry-After'] = value;
        break;
      case 'header': {
        const colon = value.indexOf(':');
        if (colon <= 0) throw new BatchwireError('INVALID_ARGUMENT', 'fault spec: header=Name:value', 0);
        headers[value.slice(0, colon).trim()] = value.slice(colon + 1).trim();
        break;
      }
      default:
        throw new BatchwireError('INVALID_ARGUMENT', `fault spec: unknown key ${JSON.stringify(key)}`, 0);
    }
  }
  if (!act)
    throw new BatchwireError(
      'INVALID_ARGUMENT',
      'fault spec: no action (status, delay, dribble, hang, cut, reset, corrupt)',
      0,
    );
  const a: Record<string, unknown> = act;
  // Options that belong to one action type only.
  const belongs: [string, unknown, string, string][] = [
    ['fault', extras.fault, 'status', 'fault'],
    ['message', extras.message, 'status', 'message'],
    ['header', Object.keys(headers).length > 0 ? headers : undefined, 'status', 'headers'],
    [
      'jitter',
      extras.jitter === undefined ? undefined : number('jitter', extras.jitter),
      'delay',
      'jitterMs',
    ],
    [
      'within',
      extras.within === undefined ? undefined : number('within', extras.within),
      'corrupt',
      'within',
    ],
  ];
  for (const [key, value, type, field] of belongs) {
    if (value === undefined) continue;
    if (a.type !== type)
      throw new BatchwireError('INVALID_ARGUMENT', `fault spec: ${key} only goes with ${type}`, 0);
    a[field] = value;
  }
  if (Object.keys(match).length > 0) rule.match = match;
  rule.action = a;
  return validateFaultRule(rule);
}
