// The control endpoints under /_batchwire/: fault rules, the journal, reset and the clock. They
// change what the emulator does, so no web page may drive them: a body must be JSON (a form or
// text/plain POST, which a page can send without asking, is 415), a request from another origin
// is 403, and while the emulator listens on loopback, a Host that is no loopback name is 403 (a
// DNS-rebound name cannot read the journal). `controlToken` adds a shared secret on top.
import { timingSafeEqual } from 'node:crypto';
import { isBatchwireError } from '../core/errors.js';
import { isLoopbackHost } from '../core/options.js';
import type { EmulatorClock } from './clock.js';
import { type FaultRule, type FaultRules, validateFaultRule } from './faults.js';
import type { Journal } from './journal.js';
import type { ParsedRequest, ResponsePlan } from './plan.js';
import { readBody } from './request.js';
import { compileRoute, type Route } from './routes.js';
import { jsonPlan } from './service.js';

/** What the control endpoints read and change of an emulator (its core). */
export interface ControlHost {
  readonly url: string;
  readonly loopbackOnly: boolean;
  readonly controlToken: string | undefined;
  readonly maxDocumentBytes: number;
  readonly rules: FaultRules;
  readonly journalStore: Journal;
  readonly clock: EmulatorClock;
  reset(): void;
}

/** The host name of a `Host` header (`[::1]:8080`, `localhost:8080`, `127.0.0.1`). */
function hostName(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end < 0 ? host : host.slice(0, end + 1);
  }
  const colon = host.lastIndexOf(':');
  return colon < 0 ? host : host.slice(0, colon);
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Whether an `Origin` is the emulator's own: its URL's, or a loopback name on its port. */
function ownOrigin(core: ControlHost, origin: string): boolean {
  let own: URL;
  let given: URL;
  try {
    own = new URL(core.url);
    given = new URL(origin);
  } catch {
    return false;
  }
  if (given.origin === own.origin) return true;
  return (
    given.protocol === own.protocol &&
    given.port === own.port &&
    isLoopbackHost(given.hostname) &&
    core.loopbackOnly
  );
}

/**
 * Why a control request is refused, or `undefined` to let it through: a Host that is no loopback
 * name while bound to loopback (403), a foreign `Origin` (403), a missing or wrong token (401), a
 * body (or POST) that is not `application/json` (415).
 */
export function controlRefusal(core: ControlHost, request: ParsedRequest): ResponsePlan | undefined {
  const { headers } = request;
  const host = headers.host;
  if (core.loopbackOnly && host !== undefined && !isLoopbackHost(hostName(host))) {
    return jsonPlan(403, {
      error: 'ForbiddenHost',
      message: `the control endpoints answer only to a loopback Host; got ${JSON.stringify(host.slice(0, 100))}`,
    });
  }
  const origin = headers.origin;
  if (origin !== undefined && !ownOrigin(core, origin)) {
    return jsonPlan(403, {
      error: 'ForbiddenOrigin',
      message: `the control endpoints do not answer requests from another origin (${JSON.stringify(origin.slice(0, 100))})`,
    });
  }
  const token = core.controlToken;
  if (token !== undefined) {
    const auth = headers.authorization ?? '';
    const given = /^bearer\s+/i.test(auth) ? auth.replace(/^bearer\s+/i, '') : headers['x-batchwire-token'];
    if (given === undefined || !sameText(given, token)) {
      return jsonPlan(
        401,
        {
          error: 'Unauthorized',
          message: 'the control endpoints need the control token (Authorization: Bearer TOKEN)',
        },
        { 'www-authenticate': 'Bearer realm="batchwire"' },
      );
    }
  }
  const hasBody =
    (request.contentLength !== undefined && request.contentLength > 0) ||
    headers['transfer-encoding'] !== undefined;
  if (request.method === 'POST' || hasBody) {
    const type = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') {
      return jsonPlan(415, {
        error: 'UnsupportedMediaType',
        message: `the control endpoints take application/json${type === '' ? ' (no Content-Type was given)' : `, not ${type.slice(0, 100)}`}`,
      });
    }
  }
  return undefined;
}

async function readJson(
  core: ControlHost,
  request: ParsedRequest,
): Promise<{ value: unknown } | ResponsePlan> {
  let bytes: Uint8Array;
  try {
    bytes = await readBody(request, core.maxDocumentBytes);
  } catch (error) {
    if (isBatchwireError(error)) return jsonPlan(413, { error: 'BodyTooLarge', message: error.message });
    throw error;
  }
  const text = Buffer.from(bytes).toString('utf8');
  // An empty body is no document: `{}` for the endpoints that take options.
  if (text.trim() === '') return { value: undefined };
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return jsonPlan(400, { error: 'InvalidJson', message: (error as Error).message });
  }
}

async function addFaults(core: ControlHost, request: ParsedRequest): Promise<ResponsePlan> {
  const body = await readJson(core, request);
  if (!('value' in body)) return body;
  const many = Array.isArray(body.value);
  const given = many ? (body.value as unknown[]) : [body.value];
  let rules: FaultRule[];
  try {
    // Every rule is checked before any is added: a bad one in an array adds none.
    rules = given.map((rule) => validateFaultRule(rule));
  } catch (error) {
    if (isBatchwireError(error)) return jsonPlan(400, { error: 'InvalidFaultRule', message: error.message });
    throw error;
  }
  const ids = rules.map((rule) => core.rules.add(rule));
  const added = core.rules.list().filter((r) => ids.includes(r.id));
  return jsonPlan(201, many ? added : added[0]);
}

function clockState(core: ControlHost): ResponsePlan {
  const now = core.clock.now();
  return jsonPlan(200, { mode: core.clock.mode, now, time: new Date(now).toISOString() });
}

async function advanceClock(core: ControlHost, request: ParsedRequest): Promise<ResponsePlan> {
  const body = await readJson(core, request);
  if (!('value' in body)) return body;
  const v = body.value as { advanceMs?: unknown } | null;
  const ms = typeof v === 'object' && v !== null ? v.advanceMs : undefined;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
    return jsonPlan(400, {
      error: 'InvalidClockChange',
      message: 'expected { "advanceMs": a non-negative number }',
    });
  }
  core.clock.advance(ms);
  return clockState(core);
}

const none = (): ResponsePlan => ({ status: 204, headers: {} });

/** The control routes of an emulator. */
export function controlRoutes(core: ControlHost): Route[] {
  const add = (method: string, path: string, operation: string, handler: Route['handler']) =>
    compileRoute('control', method, `/_batchwire${path}`, operation, handler);
  return [
    add('GET', '/faults', 'listFaults', () => jsonPlan(200, core.rules.list())),
    add('POST', '/faults', 'addFaults', (r) => addFaults(core, r)),
    add('DELETE', '/faults', 'clearFaults', () => {
      core.rules.clear();
      return none();
    }),
    add('DELETE', '/faults/{id}', 'removeFault', (_r, p) => {
      const id = /^[0-9]{1,15}$/.test(p.id ?? '') ? Number(p.id) : Number.NaN;
      return core.rules.remove(id)
        ? none()
        : jsonPlan(404, { error: 'NoSuchRule', message: `no fault rule with id ${JSON.stringify(p.id)}` });
    }),
    add('GET', '/journal', 'journal', () => jsonPlan(200, core.journalStore.entries())),
    add('DELETE', '/journal', 'clearJournal', () => {
      core.journalStore.clear();
      return none();
    }),
    add('POST', '/reset', 'reset', () => {
      core.reset();
      return none();
    }),
    add('GET', '/clock', 'clock', () => clockState(core)),
    add('POST', '/clock', 'advanceClock', (r) => advanceClock(core, r)),
  ];
}
