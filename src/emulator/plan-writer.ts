// Writing a response plan to a socket: the plan's pieces streamed with backpressure, and the
// fault a rule chose applied as they go, down to the byte (delay, dribble, reset, corrupt, cut at
// a byte, a record, inside a record, separator or surrogate, or before the closing record).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FaultAction, FaultDecision } from './faults.js';
import type { JournalEntry } from './journal.js';
import type { ResponsePlan } from './plan.js';
import { randomInt } from './random.js';
import { byteLength, decodeText, type LogEncoding } from './record-log.js';
import { endsOf, type Piece, type PieceStream, piecesOf } from './wire.js';

// Unref'd: a fault's timer never keeps a closed emulator's process alive.
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

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

/** One request and its answer in progress. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  entry: JournalEntry;
  started: number;
  counter: { bytes: number };
  closed: boolean;
}

/** Settles the journal entry of an exchange (the first outcome stays). */
export function finish(exchange: Exchange, outcome: JournalEntry['outcome']): void {
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

/** Closes a socket with a TCP reset where Node can. */
export function resetSocket(socket: Socket): void {
  const s = socket as Socket & { resetAndDestroy?: () => void };
  try {
    // A TLS socket's handle is no TCP handle: resetAndDestroy throws, and a plain destroy ends it.
    if (typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
    else s.destroy();
  } catch {
    s.destroy();
  }
}

/** Writes a plan, applying the fault decided for it (if any). */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: applies each fault action (delay, dribble, hang, reset, corrupt, cut) to a plan's steps as it writes them
export async function writePlan(
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
