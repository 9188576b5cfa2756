// The emulator on a socket: node:http for parsing requests, and a writer that streams each plan's
// pieces with backpressure and applies the fault a rule chose, down to the byte.
// Over 500 lines on purpose: every fault action (delay, dribble, hang, reset, corrupt, cut) acts
// on the same piece stream, socket and journal entry while the plan is written; apart, each
// would need all of that passed in.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP, type Socket } from 'node:net';
import { BatchwireError } from '../core/errors.js';
import { type Emulator, EmulatorCore, type EmulatorOptions, emulatorOf, planBytes } from './emulator.js';
import type { FaultAction, FaultDecision } from './faults.js';
import { guarded } from './guard.js';
import type { JournalEntry } from './journal.js';
import type { ParsedRequest, ResponsePlan } from './plan.js';
import { randomInt } from './random.js';
import { byteLength, decodeText, type LogEncoding } from './record-log.js';
import { headerRecord, MalformedRequest, parseTarget } from './request.js';
import { serviceOfPath } from './routes.js';
import { endsOf, type Piece, type PieceStream, piecesOf } from './wire.js';

/** Whether `host` names this machine only: `localhost`, `127.0.0.0/8`, `::1`. */
export function isLoopbackHost(host: string): boolean {
  if (typeof host !== 'string') return false;
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (h.toLowerCase() === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) {
    const lower = h.toLowerCase();
    return (
      lower === '::1' ||
      lower === '0:0:0:0:0:0:0:1' ||
      (lower.startsWith('::ffff:') && lower.slice(7).startsWith('127.'))
    );
  }
  return false;
}

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

async function* noBody(): AsyncIterable<Uint8Array> {}

function statusOfClientError(code: string | undefined): number {
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  return 400;
}

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

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

/** Where, in one record's bytes, a `cut` with an `inside` position falls; undefined when the record has no such place. */
function insideOffset(
  record: Uint8Array,
  encoding: LogEncoding,
  format: 'generic' | 'soap',
  inside: 'record' | 'separator' | 'surrogate',
): number | undefined {
  const text = decodeText(record, encoding);
  if (inside === 'record') {
    let mid = Math.max(1, text.length >> 1);
    const c = text.charCodeAt(mid);
    if (c >= 0xdc00 && c <= 0xdfff) mid++;
    const at = byteLength(text.slice(0, mid), encoding);
    return at > 0 && at < record.length ? at : undefined;
  }
  if (inside === 'separator') {
    if (format === 'soap') {
      const close = text.lastIndexOf('</');
      return close < 0 ? undefined : byteLength(text.slice(0, close), encoding) + 3;
    }
    const sep = text.indexOf('\uFFFF');
    if (sep < 0) return undefined;
    return byteLength(text.slice(0, sep), encoding) + (encoding === 'utf-8' ? 2 : 1);
  }
  for (let i = 0; i + 1 < text.length; i++) {
    const c = text.charCodeAt(i);
    const d = text.charCodeAt(i + 1);
    if (c >= 0xd800 && c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
      // UTF-16: between the two code units. UTF-8 has no halves: the middle of the 4-byte sequence.
      return byteLength(text.slice(0, i), encoding) + 2;
    }
  }
  return undefined;
}

/** Tracks format positions across pieces and says where a `cut` falls in the current piece. */
class CutFinder {
  private records = 0;
  reached = false;
  detail = '';

  constructor(
    private readonly at: Extract<FaultAction, { type: 'cut' }>['at'],
    private readonly stream: PieceStream,
  ) {}

  /** The offset in `piece` to cut at, or undefined to write it whole. `written` counts the bytes before it. */
  find(piece: Piece, written: number): number | undefined {
    const at = this.at;
    const ends = endsOf(piece);
    // biome-ignore lint/complexity/noExcessiveCognitiveComplexity: where a cut falls (bytes, record, inside a record, separator or surrogate, before the end), decided in one pass over the piece
    const result = ((): number | undefined => {
      if (at === 'before-end') {
        if (piece.closing) {
          this.detail = `before the closing record, after ${this.records} records`;
          return 0;
        }
        return undefined;
      }
      if ('bytes' in at) {
        if (written + piece.bytes.length >= at.bytes) {
          this.detail = `after ${at.bytes} bytes`;
          return at.bytes - written;
        }
        return undefined;
      }
      if ('inside' in at) {
        if (this.stream.format === undefined || this.stream.encoding === undefined) return undefined;
        for (let i = 0; i < ends.length; i++) {
          const number = this.records + i + 1;
          if (number < at.record) continue;
          const start = i === 0 ? 0 : ends[i - 1]!;
          const offset = insideOffset(
            piece.bytes.subarray(start, ends[i]!),
            this.stream.encoding,
            this.stream.format,
            at.inside,
          );
          if (offset === undefined) {
            if (at.inside === 'surrogate') continue;
            return undefined;
          }
          this.detail = `inside record ${number} (${at.inside})`;
          return start + offset;
        }
        return undefined;
      }
      // { record: k }: after the k-th record, before anything of the next one.
      if (this.records >= at.record && (ends.length > 0 || piece.closing)) {
        this.detail = `after record ${at.record}`;
        return 0;
      }
      const k = at.record - this.records;
      if (k >= 1 && k <= ends.length) {
        this.detail = `after record ${at.record}`;
        return ends[k - 1]!;
      }
      return undefined;
    })();
    if (result !== undefined) this.reached = true;
    else this.records += ends.length;
    return result;
  }

  notReached(): string {
    return `not reached: the body had ${this.records} records`;
  }
}

interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  entry: JournalEntry;
  started: number;
  counter: { bytes: number };
  closed: boolean;
}

function finish(exchange: Exchange, outcome: JournalEntry['outcome']): void {
  const { entry } = exchange;
  if (entry.outcome !== 'pending') return;
  entry.outcome = outcome;
  entry.requestBytes = exchange.counter.bytes;
  entry.durationMs = Math.round((performance.now() - exchange.started) * 1000) / 1000;
}

function write(exchange: Exchange, bytes: Uint8Array): Promise<void> | undefined {
  const { res } = exchange;
  if (exchange.closed || bytes.length === 0) return undefined;
  exchange.entry.responseBytes += bytes.length;
  if (res.write(bytes)) return undefined;
  return drainOrClose(res);
}

// Resolves when the socket can take more, or is gone.
function drainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Bytes of pieces made for this response (not stored ones) that may wait on a socket. */
const MAX_QUEUED = 256 * 1024;

function drained(exchange: Exchange): Promise<void> {
  const { res } = exchange;
  if (exchange.closed || res.writableLength === 0) return Promise.resolve();
  return drainOrClose(res);
}

function flushed(exchange: Exchange): Promise<void> {
  // An empty write's callback runs once everything before it has gone to the socket.
  return new Promise((resolve) => {
    if (exchange.closed) resolve();
    else exchange.res.write('', () => resolve());
  });
}

function resetSocket(socket: Socket): void {
  const s = socket as Socket & { resetAndDestroy?: () => void };
  if (typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
  else s.destroy();
}

/** Writes a plan, applying the fault decided for it (if any). */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: applies each fault action (delay, dribble, hang, reset, corrupt, cut) to a plan's steps as it writes them
async function writePlan(
  exchange: Exchange,
  plan: ResponsePlan,
  decision: FaultDecision | undefined,
): Promise<void> {
  const { res, entry } = exchange;
  const action = decision?.action;
  const stream = piecesOf(plan.body);
  const setFault = (detail: string) => {
    if (decision) entry.fault = { rule: decision.rule.id, type: decision.action.type, detail };
  };
  for (const [name, value] of Object.entries(plan.headers)) res.setHeader(name, value);
  const cut = action?.type === 'cut' ? new CutFinder(action.at, stream) : undefined;
  if (cut) {
    // No Content-Length and no chunked framing: the body ends where the connection closes.
    res.removeHeader('content-length');
    res.removeHeader('transfer-encoding');
    res.setHeader('connection', 'close');
  } else if (stream.length !== undefined) res.setHeader('content-length', stream.length);
  res.statusCode = plan.status;
  entry.status = plan.status;
  res.flushHeaders();

  // Corrupt: distinct offsets, drawn up front, within the body (or its first `within` bytes).
  let flips: Map<number, number> | undefined;
  if (action?.type === 'corrupt' && decision) {
    const span = action.within ?? stream.length ?? 4096;
    flips = new Map();
    const count = Math.min(action.count, span);
    while (flips.size < count)
      flips.set(randomInt(decision.random, span), 1 + randomInt(decision.random, 255));
  }
  const flipped: number[] = [];

  let written = 0;
  let queued = 0;
  let corked = false;
  const iterator = stream.pieces[Symbol.asyncIterator]();
  // The client leaving mid-body (not one of the emulator's own faults, which settle the entry
  // first) hands nothing out: a Get Responses waiting for responses stops and puts back its own.
  const body = plan.body;
  if (body !== undefined && (body.kind === 'generic' || body.kind === 'soap') && body.abandon) {
    const abandon = body.abandon;
    res.once('close', () => {
      if (entry.outcome === 'pending' && !res.writableFinished) abandon();
    });
  }
  try {
    for (;;) {
      if (exchange.closed) break;
      const next = await iterator.next();
      if (next.done) break;
      let bytes = next.value.bytes;
      if (flips && flips.size > 0) {
        let copy: Buffer | undefined;
        for (const [offset, mask] of flips) {
          if (offset < written || offset >= written + bytes.length) continue;
          copy ??= Buffer.from(bytes);
          copy[offset - written]! ^= mask;
          flipped.push(offset);
          flips.delete(offset);
        }
        if (copy) bytes = copy;
      }
      if (cut) {
        const at = cut.find(next.value, written);
        if (at !== undefined) {
          await write(exchange, bytes.subarray(0, Math.max(0, at)));
          setFault(`cut at byte ${written + Math.max(0, at)} (${cut.detail})`);
          res.end();
          finish(exchange, 'cut');
          return;
        }
      }
      if (action?.type === 'reset' && action.when === 'mid-body') {
        await write(exchange, bytes.subarray(0, Math.max(1, bytes.length >> 1)));
        await flushed(exchange);
        await sleep(20);
        setFault(`reset after ${entry.responseBytes} body bytes`);
        finish(exchange, 'reset');
        resetSocket(exchange.req.socket);
        return;
      }
      if (action?.type === 'dribble') {
        for (let i = 0; i < bytes.length && !exchange.closed; i += action.bytes) {
          await write(exchange, bytes.subarray(i, i + action.bytes));
          await flushed(exchange);
          await sleep(action.everyMs);
        }
      } else {
        if (!corked && bytes.length < 16384) {
          // Small pieces produced in one burst go out as one chunk.
          corked = true;
          res.cork();
          process.nextTick(() => {
            corked = false;
            res.uncork();
          });
        }
        exchange.entry.responseBytes += bytes.length;
        const below = res.write(bytes);
        // Stored bytes cost nothing to queue; other pieces are new memory, so at most
        // MAX_QUEUED of them wait on the socket at a time.
        if (below) queued = 0;
        else if (!(next.value.retained && bytes === next.value.bytes)) {
          queued += bytes.length;
          if (queued > MAX_QUEUED) {
            await drained(exchange);
            queued = 0;
          }
        }
      }
      written += bytes.length;
    }
  } catch (error) {
    // The body could not be produced (an interceptor's bad record, say): end the exchange visibly.
    entry.error = `RESPONSE_FAILED: ${error instanceof Error ? error.message : String(error)}`.slice(0, 300);
    finish(exchange, 'aborted');
    exchange.req.socket.destroy();
    return;
  } finally {
    await Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
  if (exchange.closed) {
    finish(exchange, 'aborted');
    return;
  }
  if (action?.type === 'reset') {
    // A body too short to reset in the middle of: reset right after it.
    await flushed(exchange);
    setFault(`reset after ${entry.responseBytes} body bytes`);
    finish(exchange, 'reset');
    resetSocket(exchange.req.socket);
    return;
  }
  if (cut) setFault(cut.notReached());
  else if (action?.type === 'corrupt')
    setFault(
      flipped.length > 0 ? `flipped bytes at ${flipped.sort((a, b) => a - b).join(', ')}` : 'no byte reached',
    );
  else if (action?.type === 'dribble') setFault(`${action.bytes} bytes every ${action.everyMs} ms`);
  res.end();
  finish(exchange, 'complete');
}

// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: the request path (control endpoints, routing, limits, journal, error answers) in the order a request meets it
async function serve(core: EmulatorCore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const counter = { bytes: 0 };
  const method = (req.method ?? 'GET').toUpperCase();
  const target = req.url ?? '/';
  const exchange: Exchange = {
    req,
    res,
    entry: undefined as unknown as JournalEntry,
    started: performance.now(),
    counter,
    closed: false,
  };
  res.on('close', () => {
    exchange.closed = true;
  });
  res.on('error', () => {});
  let parsed: ParsedRequest;
  try {
    const lengthHeader = req.headers['content-length'];
    parsed = {
      method,
      ...parseTarget(target),
      headers: headerRecord(req.headers),
      body: counted(req, counter),
    };
    if (lengthHeader !== undefined && /^[0-9]{1,15}$/.test(lengthHeader))
      parsed.contentLength = Number(lengthHeader);
  } catch (error) {
    if (!(error instanceof MalformedRequest) && !(error instanceof TypeError)) throw error;
    const q = target.indexOf('?');
    const rawPath = q < 0 ? target : target.slice(0, q);
    const segments = rawPath.split('/').slice(1);
    exchange.entry = core.journalStore.open(openEntry(core, method, rawPath, q < 0 ? '' : target.slice(q)));
    exchange.entry.error = 'MALFORMED_PATH';
    const fake: ParsedRequest = {
      method,
      path: rawPath,
      segments,
      search: '',
      query: new Map(),
      headers: headerRecord(req.headers),
      body: counted(req, counter),
    };
    await writePlan(
      exchange,
      core.errorPlan(serviceOfPath(segments), fake, 400, (error as Error).message),
      undefined,
    );
    return;
  }
  const routing = core.route(parsed);
  if (routing.kind === 'route' && routing.route.service === 'control') {
    // Control requests are not journaled and never faulted.
    exchange.entry = { outcome: 'pending', responseBytes: 0 } as JournalEntry;
    const plan = await core.dispatch(parsed, routing);
    await writePlan(exchange, plan, undefined);
    return;
  }
  const service =
    routing.kind === 'route'
      ? (routing.route.service as Exclude<typeof routing.route.service, 'control'>)
      : undefined;
  const operation = routing.kind === 'route' ? routing.route.operation : undefined;
  const entry = core.journalStore.open(openEntry(core, method, parsed.path, parsed.search));
  exchange.entry = entry;
  if (service !== undefined) {
    entry.service = service;
    entry.operation = operation ?? null;
  } else {
    entry.unmatched = true;
    if (routing.kind === 'none' && routing.closest)
      entry.closest = `${routing.closest.method} /${routing.closest.pattern.join('/')} (${routing.closest.service}.${routing.closest.operation})`;
    if (routing.kind === 'method')
      entry.closest = `${routing.route.method} /${routing.route.pattern.join('/')} (${routing.route.service}.${routing.route.operation})`;
  }
  const decision = core.rules.decide({ service, operation, method, path: parsed.path });
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
  if (action?.type === 'status') {
    plan = core.statusPlan(service, parsed, action);
    entry.fault = {
      rule: decision!.rule.id,
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
    entry.error = `RESPONSE_FAILED: ${error instanceof Error ? error.message : String(error)}`.slice(0, 300);
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

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) =>
      reject(
        new BatchwireError('INVALID_ARGUMENT', `cannot listen on ${host}:${port}: ${error.message}`, 0, {
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

function checkedStart(options: EmulatorOptions | undefined): {
  core: EmulatorCore;
  host: string;
  port: number;
} {
  const o = options ?? {};
  if (typeof o !== 'object') throw new BatchwireError('INVALID_ARGUMENT', 'options must be an object', 0);
  const host = o.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '')
    throw new BatchwireError('INVALID_ARGUMENT', 'host must be a string', 0);
  if (!isLoopbackHost(host) && o.allowRemote !== true) {
    throw new BatchwireError(
      'INVALID_ARGUMENT',
      `host ${JSON.stringify(host)} is not a loopback address; the emulator has no authentication, so pass allowRemote: true (batchwire serve --allow-remote) to listen there`,
      0,
    );
  }
  const port = o.port ?? 0;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new BatchwireError('INVALID_ARGUMENT', 'port must be an integer from 0 to 65535', 0);
  }
  return { core: new EmulatorCore(o, 'http://127.0.0.1'), host, port };
}

/**
 * Starts the emulator of the HPC Pack SOA Web API, Azure Batch and Huawei DLI on a loopback port
 * and resolves once it listens. All three services share one base URL, `emulator.url`.
 *
 * @throws {@link BatchwireError} `INVALID_ARGUMENT` for bad options, a non-loopback `host`
 *   without `allowRemote`, a bad fixture or fault rule, or a port that cannot be bound
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
export async function startEmulator(options?: EmulatorOptions): Promise<Emulator> {
  const { core, host, port } = guarded('options', () => checkedStart(options));

  const sockets = new Set<Socket>();
  const server = createServer({ keepAliveTimeout: 5000 }, (req, res) => {
    serve(core, req, res).catch((error: unknown) => {
      // Last line of defence: nothing a client sends may take the process down.
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end();
      } else res.destroy(error instanceof Error ? error : undefined);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (error: Error & { code?: string }, socket: Socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = statusOfClientError(error.code);
    // The request line, when node:http got that far, says which service to answer as.
    const line = requestLine((error as { rawPacket?: unknown }).rawPacket);
    let request: ParsedRequest | undefined;
    try {
      if (line) request = { method: line.method, ...parseTarget(line.target), headers: {}, body: noBody() };
    } catch {
      request = undefined;
    }
    const entry = core.journalStore.open(
      openEntry(core, request?.method ?? '', request?.path ?? '', request?.search.slice(1) ?? ''),
    );
    entry.status = status;
    entry.outcome = 'complete';
    entry.error = error.code ?? 'BAD_REQUEST';
    const reason = REASONS[status] ?? 'Bad Request';
    const service = request ? serviceOfPath(request.segments) : undefined;
    const plan =
      request && service
        ? core.errorPlan(service, request, status, `${reason} (${error.code ?? 'malformed request'})`)
        : undefined;
    const answer = (body: Uint8Array, type: string) => {
      entry.service = service ?? null;
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
    if (!plan) {
      plain();
      return;
    }
    planBytes(plan.body).then(
      (body) => answer(body, plan.headers['content-type'] ?? 'application/json'),
      () => plain(),
    );
  });
  await listen(server, port, host);
  const address = server.address();
  const actualPort = typeof address === 'object' && address !== null ? address.port : port;
  const shown = isIP(host) === 6 ? `[${host}]` : host;
  core.url = `http://${shown}:${actualPort}`;
  let closing: Promise<void> | undefined;
  return emulatorOf(core, () => {
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
}
