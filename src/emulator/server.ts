// The emulator on a socket: node:http parses requests, the core routes them, fault rules decide
// what happens to each answer (plan-writer.ts writes it), and every exchange is journaled.
// A TLS listener is one more branch of `listener()`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { isIP, type Socket } from 'node:net';
import { BatchwireError } from '../core/errors.js';
import {
  flagOption,
  isLoopbackHost,
  numberOption,
  optionsObject,
  optionValue,
  textOption,
} from '../core/options.js';
import { type Emulator, EmulatorCore, type EmulatorOptions, emulatorOf, planBytes } from './emulator.js';
import { guarded } from './guard.js';
import type { JournalEntry } from './journal.js';
import type { ParsedRequest, ResponsePlan } from './plan.js';
import { type Exchange, finish, resetSocket, writePlan } from './plan-writer.js';
import { randomInt } from './random.js';
import { headerRecord, MalformedRequest, parseTarget, standInRequest } from './request.js';
import type { RefusalKind } from './service.js';
import { type TlsMaterial, tlsMaterialOf } from './tls.js';

export { isLoopbackHost };

// Unref'd: a fault's timer never keeps a closed emulator's process alive.
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** Method and target of the request line at the start of `raw` (what node:http could not parse). */
function requestLine(raw: unknown): { method: string; target: string } | undefined {
  if (!(raw instanceof Uint8Array)) return undefined;
  const head = Buffer.from(raw.buffer, raw.byteOffset, Math.min(raw.length, 8192)).toString('latin1');
  const end = head.indexOf('\r\n');
  const match = /^([A-Z]{1,16}) (\S{1,8000}) HTTP\/1\.[01]$/.exec(end < 0 ? '' : head.slice(0, end));
  return match ? { method: match[1]!, target: match[2]! } : undefined;
}

/** What a client error of Node's HTTP parser is answered with. */
function refusalOfClientError(code: string | undefined): {
  kind: RefusalKind;
  status: number;
  reason: string;
} {
  if (code === 'HPE_HEADER_OVERFLOW')
    return { kind: 'headers-too-large', status: 431, reason: 'Request Header Fields Too Large' };
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { kind: 'timeout', status: 408, reason: 'Request Timeout' };
  return { kind: 'malformed', status: 400, reason: 'Bad Request' };
}

async function* counted(req: IncomingMessage, counter: { bytes: number }): AsyncIterable<Uint8Array> {
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      counter.bytes += chunk.length;
      yield chunk;
    }
  } catch (error) {
    // The client went away in the middle of its body: for the handler, a truncated body.
    throw new BatchwireError(
      'TRUNCATED',
      `the request body ended early (${(error as Error).message})`,
      counter.bytes,
    );
  }
}

function openEntry(
  core: EmulatorCore,
  method: string,
  path: string,
  query: string,
): Omit<JournalEntry, 'seq'> {
  return {
    time: new Date(core.clock.now()).toISOString(),
    method,
    path,
    query,
    service: null,
    operation: null,
    status: null,
    requestBytes: 0,
    responseBytes: 0,
    durationMs: 0,
    outcome: 'pending',
    fault: null,
  };
}

function failureText(error: unknown): string {
  return `RESPONSE_FAILED: ${error instanceof Error ? error.message : String(error)}`.slice(0, 300);
}

/** The request as the handlers see it; a stand-in (and a 400) when its path cannot be read. */
function parsedOf(
  core: EmulatorCore,
  req: IncomingMessage,
  exchange: Exchange,
  method: string,
  target: string,
): ParsedRequest | { refused: ParsedRequest; message: string } {
  const headers = headerRecord(req.headers);
  try {
    const parsed: ParsedRequest = {
      method,
      ...parseTarget(target),
      headers,
      body: counted(req, exchange.counter),
    };
    const length = req.headers['content-length'];
    if (length !== undefined && /^[0-9]{1,15}$/.test(length)) parsed.contentLength = Number(length);
    return parsed;
  } catch (error) {
    if (!(error instanceof MalformedRequest) && !(error instanceof TypeError)) throw error;
    const stand = standInRequest(method, target, headers);
    stand.body = counted(req, exchange.counter);
    const q = target.indexOf('?');
    exchange.entry = core.journalStore.open(
      openEntry(core, method, stand.path, q < 0 ? '' : target.slice(q)),
    );
    exchange.entry.error = 'MALFORMED_PATH';
    return { refused: stand, message: (error as Error).message };
  }
}

// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: the request path (control endpoints, routing, fault decision, journal, error answers) in the order a request meets it
async function serve(core: EmulatorCore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const target = req.url ?? '/';
  const exchange: Exchange = {
    req,
    res,
    entry: undefined as unknown as JournalEntry,
    started: performance.now(),
    counter: { bytes: 0 },
    closed: false,
  };
  res.on('close', () => {
    exchange.closed = true;
  });
  res.on('error', () => {});
  const parsed = parsedOf(core, req, exchange, method, target);
  if ('refused' in parsed) {
    const { refused, message } = parsed;
    await writePlan(
      exchange,
      core.refusal(core.serviceOf(refused.segments), refused, 'malformed', 400, message),
      undefined,
    );
    return;
  }
  const routing = core.route(parsed);
  if (routing.kind === 'route' && routing.route.service === 'control') {
    // Control requests are not journaled and never faulted.
    exchange.entry = { outcome: 'pending', responseBytes: 0 } as JournalEntry;
    await writePlan(exchange, await core.dispatch(parsed, routing), undefined);
    return;
  }
  const service =
    routing.kind === 'route' && routing.route.service !== 'control'
      ? core.service(routing.route.service)
      : undefined;
  const operation = routing.kind === 'route' ? routing.route.operation : undefined;
  const entry = core.journalStore.open(openEntry(core, method, parsed.path, parsed.search));
  exchange.entry = entry;
  if (service !== undefined) {
    entry.service = service.id;
    entry.operation = operation ?? null;
  } else {
    entry.unmatched = true;
    const near =
      routing.kind === 'none' ? routing.closest : routing.kind === 'method' ? routing.route : undefined;
    if (near) entry.closest = `${near.method} /${near.pattern.join('/')} (${near.service}.${near.operation})`;
  }
  const decision = core.rules.decide({ service: service?.id, operation, method, path: parsed.path });
  const action = decision?.action;
  if (decision) entry.fault = { rule: decision.rule.id, type: decision.action.type };
  if (action?.type === 'reset' && action.when !== 'mid-body') {
    finish(exchange, 'reset');
    resetSocket(req.socket);
    return;
  }
  if (action?.type === 'hang') {
    // No answer at all, until the client gives up (or the emulator closes).
    await new Promise<void>((resolve) => {
      if (exchange.closed) resolve();
      else res.on('close', () => resolve());
    });
    finish(exchange, 'hang');
    return;
  }
  if (action?.type === 'delay' && decision) {
    const ms = action.ms + (action.jitterMs ? randomInt(decision.random, action.jitterMs + 1) : 0);
    entry.fault = { rule: decision.rule.id, type: 'delay', detail: `${ms} ms` };
    await sleep(ms);
    if (exchange.closed) {
      finish(exchange, 'aborted');
      return;
    }
  }
  let plan: ResponsePlan;
  if (action?.type === 'status' && decision) {
    const params = routing.kind === 'route' ? routing.params : {};
    plan = core.statusPlan(service, parsed, params, action);
    entry.fault = {
      rule: decision.rule.id,
      type: 'status',
      detail: `${action.status} ${plan.headers['content-type'] ?? ''}`.trim(),
    };
  } else {
    try {
      plan = await core.dispatch(parsed, routing);
    } catch (error) {
      entry.error = 'INTERNAL';
      plan = core.internalErrorPlan(service, parsed, error);
    }
  }
  const writing = action?.type === 'status' || action?.type === 'delay' ? undefined : decision;
  try {
    await writePlan(exchange, plan, writing);
  } catch (error) {
    // A plan that cannot be written at all (an interceptor's malformed plan): answer it as a
    // failure of the emulator, before the headers if there is still time.
    entry.error = failureText(error);
    if (!res.headersSent && !exchange.closed) {
      for (const name of res.getHeaderNames()) res.removeHeader(name);
      entry.responseBytes = 0;
      await writePlan(exchange, core.internalErrorPlan(service, parsed, error), undefined);
    } else {
      finish(exchange, 'aborted');
      req.socket.destroy();
    }
  }
}

/** Answers a request Node's HTTP parser refused, in the shape of the service its path names. */
function answerClientError(core: EmulatorCore, error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const { kind, status, reason } = refusalOfClientError(error.code);
  // The request line, when node:http got that far, says which service to answer as.
  const line = requestLine((error as { rawPacket?: unknown }).rawPacket);
  const request = line ? standInRequest(line.method, line.target) : undefined;
  const q = line ? line.target.indexOf('?') : -1;
  const entry = core.journalStore.open(
    openEntry(
      core,
      request?.method ?? '',
      request?.path ?? '',
      line && q >= 0 ? line.target.slice(q + 1) : '',
    ),
  );
  entry.status = status;
  entry.outcome = 'complete';
  entry.error = error.code ?? 'BAD_REQUEST';
  const service = request ? core.serviceOf(request.segments) : undefined;
  const answer = (body: Uint8Array, type: string) => {
    entry.service = service?.id ?? null;
    entry.responseBytes = body.length;
    socket.end(
      Buffer.concat([
        Buffer.from(
          `HTTP/1.1 ${status} ${reason}\r\ncontent-type: ${type}\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n`,
        ),
        body,
      ]),
    );
  };
  const plain = () =>
    answer(Buffer.from(JSON.stringify({ error: reason, code: error.code ?? null })), 'application/json');
  if (!request || !service) {
    plain();
    return;
  }
  const plan = core.refusal(
    service,
    request,
    kind,
    status,
    `${reason} (${error.code ?? 'malformed request'})`,
  );
  planBytes(plan.body).then(
    (body) => answer(body, plan.headers['content-type'] ?? 'application/json'),
    () => plain(),
  );
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) =>
      reject(
        new BatchwireError('LISTEN_FAILED', `cannot listen on ${host}:${port}: ${error.message}`, 0, {
          cause: error,
        }),
      );
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

const WHAT = 'startEmulator';

/** The options of the socket, checked, and the core. */
function checkedStart(options: EmulatorOptions | null | undefined): {
  core: EmulatorCore;
  host: string;
  port: number;
  allowRemote: boolean;
  tls: unknown;
} {
  const o = optionsObject(options, WHAT);
  const host = textOption(o, 'host', WHAT) ?? '127.0.0.1';
  if (host === '')
    throw new BatchwireError('INVALID_ARGUMENT', `${WHAT}: host must be a host name or address`, 0);
  const allowRemote = flagOption(o, 'allowRemote', false, WHAT);
  if (!isLoopbackHost(host) && !allowRemote) {
    throw new BatchwireError(
      'INVALID_ARGUMENT',
      `host ${JSON.stringify(host)} is not a loopback address; the emulator has no authentication, so pass allowRemote: true (batchwire serve --allow-remote) to listen there`,
      0,
    );
  }
  const port = numberOption(o, 'port', { min: 0, max: 65535, integer: true }, 0, WHAT);
  return {
    core: new EmulatorCore(o, 'http://127.0.0.1'),
    host,
    port,
    allowRemote,
    tls: optionValue(o, 'tls', WHAT),
  };
}

/** The HTTP server of an emulator (the place a TLS listener would branch off). */
function listener(core: EmulatorCore, sockets: Set<Socket>, tls: TlsMaterial | undefined): Server {
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    serve(core, req, res).catch((error: unknown) => {
      // Last line of defence: nothing a client sends may take the process down.
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end();
      } else res.destroy(error instanceof Error ? error : undefined);
    });
  };
  const server: Server =
    tls === undefined
      ? createServer({ keepAliveTimeout: 5000 }, handler)
      : createHttpsServer({ keepAliveTimeout: 5000, cert: tls.cert, key: tls.key }, handler);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (error: Error & { code?: string }, socket: Socket) =>
    answerClientError(core, error, socket),
  );
  return server;
}

/**
 * Starts the emulator of the HPC Pack SOA Web API, Azure Batch and Huawei DLI on a loopback port
 * and resolves once it listens. All three services share one base URL, `emulator.url`.
 *
 * @throws {@link BatchwireError} `INVALID_ARGUMENT` for bad options, a non-loopback `host`
 *   without `allowRemote`, a bad fixture or fault rule; `LISTEN_FAILED` for an address or port
 *   that cannot be bound (in use, not this machine's), or a host name that resolved to an
 *   address that is not loopback without `allowRemote`
 * @example
 * ```ts
 * import { startEmulator } from 'batchwire/emulator';
 * import { hpcPack } from 'batchwire/requests';
 * const emulator = await startEmulator({ seed: 7 });
 * const { method, url, headers } = hpcPack.getClusters({ baseUrl: emulator.url });
 * console.log(await (await fetch(url, { method, headers })).text()); // <ArrayOfObject ...><Value>HEAD</Value>...
 * await emulator.close();
 * ```
 */
export async function startEmulator(options?: EmulatorOptions | null): Promise<Emulator> {
  const { core, host, port, allowRemote, tls: tlsOption } = guarded('options', () => checkedStart(options));
  const tls = await tlsMaterialOf(tlsOption);
  const sockets = new Set<Socket>();
  const server = listener(core, sockets, tls);
  await listen(server, port, host);
  const address = server.address();
  const bound = typeof address === 'object' && address !== null ? address : undefined;
  // A name is checked again by what it resolved to: `*.localhost` must land on loopback.
  if (bound && !allowRemote && !isLoopbackHost(bound.address)) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw new BatchwireError(
      'LISTEN_FAILED',
      `host ${JSON.stringify(host)} resolved to ${bound.address}, which is not a loopback address; pass allowRemote: true to listen there`,
      0,
    );
  }
  core.loopbackOnly = bound === undefined || isLoopbackHost(bound.address);
  const shown = isIP(host) === 6 ? `[${host}]` : host;
  core.url = `${tls === undefined ? 'http' : 'https'}://${shown}:${bound?.port ?? port}`;
  let closing: Promise<void> | undefined;
  const emulator = emulatorOf(core, () => {
    closing ??= new Promise<void>((resolve) => {
      server.close(() => {
        // Close events of the destroyed sockets settle their entries first; what is left is open.
        setImmediate(() => {
          core.journalStore.settle();
          resolve();
        });
      });
      for (const socket of sockets) socket.destroy();
      core.hpc.reset();
    });
    return closing;
  });
  return tls === undefined ? emulator : Object.assign(emulator, { ca: tls.ca });
}
